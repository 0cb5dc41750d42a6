#!/usr/bin/env bash
# The dashboard in a real browser: Debian's chromium and chromium-driver (apt) and PyPI's
# selenium (pinned, in a venv) drive `realtyhub demo --port 0` through scripts/dashboard-browser.py.
#
#   scripts/dashboard-browser.sh        # build, run, keep screenshots in .build/dashboard-screenshots
#
# Exit status: 0 when every step of the script holds; 1 otherwise (the demo's log is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
selenium_version="4.27.1"
venv="${DASHBOARD_BROWSER_VENV:-$root/.build/dashboard-browser-venv}"
shots="${DASHBOARD_SCREENSHOTS:-$root/.build/dashboard-screenshots}"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv python3-pip)
if [ ${#need[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$selenium_version')" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "selenium==$selenium_version"
fi

swift build --product realtyhub
binary="$(swift build --show-bin-path)/realtyhub"
work=$(mktemp -d "${TMPDIR:-/tmp}/realtyhub-dashboard.XXXXXX")
demo_pid=""
cleanup() {
    if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
        kill -TERM "$demo_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$demo_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$binary" demo --json --port 0 --records 20 --data-dir "$work/demo" >"$work/demo.json" 2>"$work/demo.log" &
demo_pid=$!
for _ in $(seq 1 600); do
    grep -q '"hub_url"' "$work/demo.json" 2>/dev/null && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.2
done
if ! grep -q '"hub_url"' "$work/demo.json" 2>/dev/null; then
    echo "dashboard-browser: the demo did not start:" >&2
    cat "$work/demo.log" >&2
    exit 1
fi
if ! "$venv/bin/python" "$root/scripts/dashboard-browser.py" "$work/demo.json" "$shots"; then
    echo "dashboard-browser: the demo's log:" >&2
    tail -50 "$work/demo.log" >&2
    exit 1
fi
echo "dashboard-browser: screenshots in $shots"
