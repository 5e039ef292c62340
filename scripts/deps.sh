# deps.sh - sourced by the scripts: install what a fresh Debian machine lacks.
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
