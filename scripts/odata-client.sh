#!/usr/bin/env bash
# The RESO Web API (/odata) from a client's side: python-odata (pinned, in a venv) and plain HTTP
# (requests) against `realtyhub demo`, every answer compared with the same records read from /v1.
#
#   scripts/odata-client.sh            # build, start a demo, run scripts/odata_client_check.py
#
# Environment: ODATA_CLIENT_RECORDS (records per emulator resource, default 30),
# ODATA_CLIENT_BINARY (a realtyhub binary already built; skips `swift build`),
# ODATA_CLIENT_VENV (default .build/odata-client-venv), ODATA_CLIENT_KEEP_GOING=1 (report every
# mismatch instead of stopping at the first).
#
# Network: the check only reads (GET on /odata and /v1), so unlike api-contract.sh it needs no
# network namespace; the demo listens on 127.0.0.1 and a free port.
#
# Exit status: 0 when every query matched /v1 and every plain-HTTP check held (one summary line);
# 1 otherwise (the mismatch, then the demo's log). The demo is stopped in every case.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

python_odata_version="0.8.1"
requests_version="2.34.2"
records="${ODATA_CLIENT_RECORDS:-30}"
venv="${ODATA_CLIENT_VENV:-$root/.build/odata-client-venv}"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv python3-pip)
if [ ${#need[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# The venv is rebuilt when either pinned version differs from what it holds.
installed() {
    "$venv/bin/python" - "$python_odata_version" "$requests_version" <<'PY' 2>/dev/null
import importlib.metadata as m, sys
sys.exit(m.version("python-odata") != sys.argv[1] or m.version("requests") != sys.argv[2])
PY
}
if [ ! -x "$venv/bin/python" ] || ! installed; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "python-odata==$python_odata_version" "requests==$requests_version"
fi

if [ -n "${ODATA_CLIENT_BINARY:-}" ]; then
    binary="$ODATA_CLIENT_BINARY"
else
    swift build --product realtyhub
    binary="$(swift build --show-bin-path)/realtyhub"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/realtyhub-odata-client.XXXXXX")
demo_pid=""
cleanup() {
    if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
        kill -TERM "$demo_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$demo_pid" 2>/dev/null || true
        wait "$demo_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --json prints one line with the URL and a token once the hub is up and the first sync is done.
"$binary" demo --json --port 0 --records "$records" --data-dir "$work/demo" >"$work/demo.json" 2>"$work/demo.log" &
demo_pid=$!
for _ in $(seq 1 600); do
    grep -q '"hub_url"' "$work/demo.json" 2>/dev/null && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.2
done
if ! grep -q '"hub_url"' "$work/demo.json" 2>/dev/null; then
    echo "odata-client: the demo did not start:" >&2
    cat "$work/demo.log" >&2
    exit 1
fi

# A client of a second tenant (no records of its own) for the tenant-isolation checks (C88).
"$binary" clients create --data-dir "$work/demo" --tenant odata-other --name odata-client --scopes "*:read" --json >"$work/other.json"

options=(--other-tenant "$work/other.json")
if [ "${ODATA_CLIENT_KEEP_GOING:-0}" = "1" ]; then options+=(--keep-going); fi
if ! "$venv/bin/python" "$root/scripts/odata_client_check.py" "$work/demo.json" "${options[@]}"; then
    echo "odata-client: the demo's log (last 50 lines):" >&2
    tail -50 "$work/demo.log" >&2
    exit 1
fi
