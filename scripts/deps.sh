# SPDX-License-Identifier: MIT
# deps.sh - sourced by the scripts (and the shell tests): install what a fresh
# Debian machine lacks, build a Release configuration, find a free port.
# ensure_deps CMD:PACKAGE ... installs PACKAGE (apt-get) when CMD is not found;
# a PACKAGE checked by file is written FILE:PACKAGE with FILE an absolute path.

thrdemo_apt_updated=0

thrdemo_apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo_cmd=sudo
        else
            echo "thrdemo: missing packages ($*) and not root: install them first" >&2
            return 1
        fi
    else
        sudo_cmd=
    fi
    if [ "$thrdemo_apt_updated" -eq 0 ]; then
        $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
        thrdemo_apt_updated=1
    fi
    echo "thrdemo: installing $*" >&2
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_deps() {
    missing=""
    for spec in "$@"; do
        what=${spec%%:*}
        pkg=${spec#*:}
        case $what in
            /*) [ -e "$what" ] || missing="$missing $pkg" ;;
            *) command -v "$what" >/dev/null 2>&1 || missing="$missing $pkg" ;;
        esac
    done
    [ -z "$missing" ] || thrdemo_apt_install $missing
}

# build_release TARGET...: install what a Release build needs, configure it in
# $THRDEMO_BENCH_DIR (default build-bench/) and build TARGETs; prints the directory.
build_release() {
    ensure_deps cmake:cmake cc:gcc make:make pkg-config:pkg-config python3:python3 \
        /usr/include/hiredis/hiredis.h:libhiredis-dev /usr/include/cmocka.h:libcmocka-dev
    dir=${THRDEMO_BENCH_DIR:-$root/build-bench}
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$dir" -j2 --target "$@" >/dev/null
    echo "$dir"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
