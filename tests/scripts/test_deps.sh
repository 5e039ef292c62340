#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/deps.sh's ensure_deps, as scripts/thrdemo, scripts/test.sh and the bench
# scripts use it: it names every missing package and why before apt-get runs,
# installs nothing with THRDEMO_NO_INSTALL=1 (and then fails), shows apt-get's output
# only when it fails, and is silent when nothing is missing. apt-get and sudo are
# fakes put first on PATH, which record how they were called. TAP output.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
deps=$here/../../scripts/deps.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat >"$work/bin/apt-get" <<'FAKE'
#!/bin/sh
echo "$*" >>"$CALLS"
echo "fake apt-get talking: $*"
[ "$1" = update ] || exit "${FAKE_STATUS:-0}"
FAKE
cat >"$work/bin/sudo" <<'FAKE'
#!/bin/sh
exec "$@"
FAKE
chmod +x "$work/bin/apt-get" "$work/bin/sudo"
export PATH="$work/bin:$PATH" CALLS="$work/calls"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; sed 's/^/# /' "$work/err"; }
expect() { # DESCRIPTION: the last command's stderr holds the fixed line $2
    if grep -qxF -- "$2" "$work/err"; then ok "$1"; else not_ok "$1 (no line: $2)"; fi
}
run() { # ENV... -- SPEC...: ensure_deps in a fresh shell, stderr in $work/err
    : >"$CALLS"
    set +e
    env "$@" sh -c '. "$0"; ensure_deps "$@"' "$deps" \
        no-such-command-here:abigail-tools /no/such/file/uv.h:libuv1-dev \
        py:no_such_module_here:python3-matplotlib sh:dash 2>"$work/err"
    status=$?
    set -e
}

# ---- THRDEMO_NO_INSTALL=1: say what is missing and why, install nothing, fail.
run THRDEMO_NO_INSTALL=1
if [ "$status" -eq 1 ]; then ok "NO_INSTALL: exit 1"; else not_ok "NO_INSTALL: exit $status"; fi
expect "NO_INSTALL: names each missing package and why (abigail-tools)" \
    "  abigail-tools        abidiff, for the ABI check against the last tagged version"
expect "NO_INSTALL: ... libuv1-dev" "  libuv1-dev           libuv, the event loop libthrdemo is linked with"
expect "NO_INSTALL: ... a python module's package" \
    "  python3-matplotlib   matplotlib, which draws the bench curves as SVG"
if grep -q dash "$work/err"; then not_ok "NO_INSTALL: a package that is there is not named"; else ok "NO_INSTALL: a package that is there is not named"; fi
expect "NO_INSTALL: says nothing is installed, and the command to do it" \
    "thrdemo: THRDEMO_NO_INSTALL=1, so nothing is installed: apt-get install abigail-tools libuv1-dev python3-matplotlib, then run it again"
if [ ! -s "$CALLS" ]; then ok "NO_INSTALL: apt-get is not run"; else not_ok "NO_INSTALL: apt-get was run: $(cat "$CALLS")"; fi

# ---- installing: the list and the reasons first, then apt-get, quietly.
run
if [ "$status" -eq 0 ]; then ok "install: exit 0"; else not_ok "install: exit $status"; fi
first=$(grep -n 'needs packages that are not installed' "$work/err" | cut -d: -f1)
installing=$(grep -n '^thrdemo: installing them: .*apt-get install -y --no-install-recommends abigail-tools libuv1-dev python3-matplotlib$' "$work/err" | cut -d: -f1)
if [ -n "$first" ] && [ -n "$installing" ] && [ "$first" -lt "$installing" ]; then
    ok "install: the missing packages and why, then the apt-get command"
else
    not_ok "install: the missing packages and why, then the apt-get command"
fi
if [ "$(cat "$CALLS")" = "update -qq
install -y -qq --no-install-recommends abigail-tools libuv1-dev python3-matplotlib" ]; then
    ok "install: apt-get update, then install of exactly the missing packages"
else
    not_ok "install: apt-get calls were: $(cat "$CALLS")"
fi
if grep -q 'fake apt-get talking' "$work/err"; then not_ok "install: apt-get's chatter hidden when it works"; else ok "install: apt-get's chatter hidden when it works"; fi
expect "install: says it is done" "thrdemo: installed abigail-tools libuv1-dev python3-matplotlib"

# ---- apt-get fails: its output is shown, and ensure_deps fails.
run FAKE_STATUS=100
if [ "$status" -eq 1 ]; then ok "apt-get fails: exit 1"; else not_ok "apt-get fails: exit $status"; fi
if grep -q 'fake apt-get talking: install' "$work/err"; then ok "apt-get fails: its output is shown"; else not_ok "apt-get fails: its output is shown"; fi
expect "apt-get fails: says so" "thrdemo: apt-get could not install abigail-tools libuv1-dev python3-matplotlib"

# ---- nothing missing: silent.
: >"$CALLS"
set +e
sh -c '. "$0"; ensure_deps sh:dash py:json:python3' "$deps" 2>"$work/err"
status=$?
set -e
if [ "$status" -eq 0 ] && [ ! -s "$work/err" ] && [ ! -s "$CALLS" ]; then ok "nothing missing: silent, exit 0"; else not_ok "nothing missing: status $status"; fi

echo "1..$n"
[ "$failed" -eq 0 ]
