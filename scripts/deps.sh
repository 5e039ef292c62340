# SPDX-License-Identifier: MIT
# deps.sh - sourced by the scripts (and the shell tests): install what a fresh
# Debian machine lacks, build a Release configuration, find a free port.
#
# ensure_deps SPEC...: each SPEC names a package and how to see it is there:
#   CMD:PACKAGE            PACKAGE provides the command CMD
#   /FILE:PACKAGE          PACKAGE provides FILE (an absolute path)
#   py:MODULE:PACKAGE      PACKAGE provides the python3 module MODULE (see
#                          thrdemo_python_with for the interpreter that has it)
# When some are missing it first says which, and why each is needed, then installs
# them with apt-get (through sudo when not root). With THRDEMO_NO_INSTALL=1 it only
# says what is missing and returns 1, as it does when it cannot install.

thrdemo_apt_updated=0

# Why a package is needed, in a few words (for the message before installing).
thrdemo_why() {
    case $1 in
        cmake) echo "CMake, the build system" ;;
        gcc) echo "the C compiler" ;;
        clang) echo "the second C compiler (the tests build with gcc and with clang)" ;;
        make) echo "the build tool CMake drives" ;;
        pkg-config) echo "finds libuv and hiredis for the build" ;;
        binutils) echo "readelf and nm, for the install and ABI checks" ;;
        python3) echo "runs the Python reference programs and the test helpers" ;;
        libuv1-dev) echo "libuv, the event loop libthrdemo is linked with" ;;
        libhiredis-dev) echo "hiredis, the Redis client of 'redis-gate --redis'" ;;
        libcmocka-dev) echo "cmocka, the unit-test framework of tests/unit" ;;
        redis-server) echo "a real Redis server for the redis-gate tests" ;;
        redis-tools) echo "redis-cli, which the redis-gate tests use" ;;
        netcat-openbsd) echo "nc, which the tcp-echo tests use" ;;
        abigail-tools) echo "abidiff, for the ABI check against the last tagged version" ;;
        python3-matplotlib) echo "matplotlib, which draws the bench curves as SVG" ;;
        *) echo "needed by $(basename "$0")" ;;
    esac
}

# thrdemo_python_with MODULE: print a python3 that can import MODULE: the one on
# PATH, else the system's /usr/bin/python3 (where Debian's python3-* packages go
# when PATH leads to another interpreter, pyenv's say). Fails if neither can.
thrdemo_python_with() {
    for thrdemo_py in "$(command -v python3 2>/dev/null)" /usr/bin/python3; do
        if [ -n "$thrdemo_py" ] && [ -x "$thrdemo_py" ] && "$thrdemo_py" -c "import $1" >/dev/null 2>&1; then
            echo "$thrdemo_py"
            return 0
        fi
    done
    return 1
}

# Whether one SPEC is satisfied already.
thrdemo_have() {
    case $1 in
        py:*)
            thrdemo_module=${1#py:}
            thrdemo_python_with "${thrdemo_module%%:*}" >/dev/null ;;
        /*) [ -e "${1%%:*}" ] ;;
        *) command -v "${1%%:*}" >/dev/null 2>&1 ;;
    esac
}

thrdemo_apt_install() {
    thrdemo_sudo=
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "thrdemo: not root and no sudo: install them first (apt-get install $*)" >&2
            return 1
        fi
        thrdemo_sudo=sudo
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "thrdemo: no apt-get here (not Debian or Ubuntu): install them with your package manager" >&2
        return 1
    fi
    echo "thrdemo: installing them: ${thrdemo_sudo:+sudo }apt-get install -y --no-install-recommends $*" >&2
    # apt-get and dpkg talk a lot: their output is shown only when they fail.
    thrdemo_apt_log=$(mktemp)
    if { [ "$thrdemo_apt_updated" -eq 1 ] ||
         $thrdemo_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq; } >"$thrdemo_apt_log" 2>&1 &&
       $thrdemo_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
           >>"$thrdemo_apt_log" 2>&1; then
        thrdemo_apt_updated=1
        rm -f "$thrdemo_apt_log"
        echo "thrdemo: installed $*" >&2
        return 0
    fi
    cat "$thrdemo_apt_log" >&2
    rm -f "$thrdemo_apt_log"
    echo "thrdemo: apt-get could not install $*" >&2
    return 1
}

ensure_deps() {
    thrdemo_missing=""
    for thrdemo_spec in "$@"; do
        thrdemo_have "$thrdemo_spec" && continue
        thrdemo_pkg=${thrdemo_spec##*:}
        case " $thrdemo_missing " in *" $thrdemo_pkg "*) continue ;; esac
        thrdemo_missing="$thrdemo_missing $thrdemo_pkg"
    done
    [ -n "$thrdemo_missing" ] || return 0
    echo "thrdemo: $(basename "$0") needs packages that are not installed:" >&2
    for thrdemo_pkg in $thrdemo_missing; do
        printf '  %-20s %s\n' "$thrdemo_pkg" "$(thrdemo_why "$thrdemo_pkg")" >&2
    done
    if [ "${THRDEMO_NO_INSTALL:-0}" = 1 ]; then
        echo "thrdemo: THRDEMO_NO_INSTALL=1, so nothing is installed: apt-get install$thrdemo_missing, then run it again" >&2
        return 1
    fi
    # shellcheck disable=SC2086 # one word per package
    thrdemo_apt_install $thrdemo_missing
}

# build_release TARGET...: install what a Release build needs, configure it (without
# the tests) in $THRDEMO_BENCH_DIR (default build-bench/) and build TARGETs; prints
# the directory.
build_release() {
    ensure_deps cmake:cmake cc:gcc make:make pkg-config:pkg-config python3:python3 \
        /usr/include/uv.h:libuv1-dev /usr/include/hiredis/hiredis.h:libhiredis-dev || return 1
    dir=${THRDEMO_BENCH_DIR:-$root/build-bench}
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null || return 1
    cmake --build "$dir" -j2 --target "$@" >/dev/null || return 1
    echo "$dir"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
