#!/usr/bin/env bash
# API serving benchmark: wrk against GET /v1/contacts?per_page=100&fields=... over 100,000
# synced contacts (50,000 MyCRM Leads + 50,000 Contacts from the sandbox), against the
# single-record GET /v1/contacts/{key} (cycling through 100 keys taken from the list), beside the
# trivial GET /health on the same server. Release build; prints one line per run and the medians.
#
#   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub
#   Benchmarks/API/run.sh [runs, default 3] [seconds per run, default 10] [connections, default 16]
#
# Needs wrk (Debian: apt-get install wrk), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
seconds="${2:-10}"
connections="${3:-16}"
bin="${REALTYHUB_BIN:-.build-release/release/realtyhub}"  # REALTYHUB_BIN: another build to measure
[ -x "$bin" ] || { echo "build $bin first (see the header of this script)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }

work="$(mktemp -d -t realtyhub-apibench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" sandbox --vendors mycrm --records 50000 --json >"$work/sandbox.json" 2>/dev/null &
pids+=($!)
for _ in $(seq 1 100); do
    python3 -c "import json,sys; json.load(open('$work/sandbox.json'))" 2>/dev/null && break
    sleep 0.2
done
base_url=$(python3 -c "import json; print(json.load(open('$work/sandbox.json'))['emulators'][0]['base_url'])")
python3 -c "import json; print(json.dumps(json.load(open('$work/sandbox.json'))['emulators'][0]['credentials']))" >"$work/credentials.json"

data="$work/data"
"$bin" connections add --data-dir "$data" --vendor mycrm --name crm --base-url "$base_url" \
    --credentials-file "$work/credentials.json" >/dev/null
echo "syncing 100,000 contacts..."
"$bin" sync --data-dir "$data" --resource Contacts --full --json >"$work/sync.json"
client=$("$bin" clients create --data-dir "$data" --name bench --scopes "contacts:read" --json)
id=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['client_id'])" "$client")
secret=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['client_secret'])" "$client")

port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
"$bin" serve --data-dir "$data" --port "$port" --no-workers --rate-limit 1000000000 --log-level error >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
token=$(curl -s -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/oauth/token" \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['access_token'])")
count=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/contacts?per_page=1" \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['count'])")
echo "contacts in the hub: $count"

list="http://127.0.0.1:$port/v1/contacts?per_page=100&fields=ContactKey,FirstName,LastName,Email,MobilePhone,ContactType,ModificationTimestamp"
trivial="http://127.0.0.1:$port/health"
# The single-record GET cycles through 100 keys of the list (wrk's Lua request hook).
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/contacts?per_page=100&page=7&fields=ContactKey" \
    | python3 -c '
import json, sys
keys = [record["ContactKey"] for record in json.load(sys.stdin)["value"]]
print("keys = {" + ", ".join(json.dumps(key) for key in keys) + "}")
print("counter = 0")
print("request = function()")
print("    counter = counter % #keys + 1")
print("    return wrk.format(\"GET\", \"/v1/contacts/\" .. keys[counter])")
print("end")' >"$work/record.lua"
record="http://127.0.0.1:$port/v1/contacts/"
run_wrk() { # url [lua script] -> "req/s p50_ms p99_ms non2xx"
    local script=()
    [ -n "${2:-}" ] && script=(-s "$2")
    wrk -t2 -c"$connections" -d"${seconds}s" --latency "${script[@]}" -H "Authorization: Bearer $token" "$1" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s*" + str(label) + r"%\s+([\d.]+)(us|ms|s)", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {errors.group(1) if errors else 0}")'
}
wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "$list" >/dev/null  # warm-up
for name in list record trivial; do
    url="$list" lua=""
    [ "$name" = record ] && url="$record" lua="$work/record.lua"
    [ "$name" = trivial ] && url="$trivial"
    : >"$work/$name.txt"
    for run in $(seq 1 "$runs"); do
        result=$(run_wrk "$url" "$lua")
        echo "$name run $run: req/s p50_ms p99_ms non2xx = $result"
        echo "$result" >>"$work/$name.txt"
    done
done
python3 - "$work" <<'PY'
import statistics, sys
for name, label in (
    ("list", "GET /v1/contacts?per_page=100&fields=7"), ("record", "GET /v1/contacts/{key}"), ("trivial", "GET /health")
):
    rows = [list(map(float, line.split())) for line in open(f"{sys.argv[1]}/{name}.txt")]
    med = [statistics.median(col) for col in zip(*rows)]
    print(f"median {label}: {med[0]:.0f} req/s, p50 {med[1]:.2f} ms, p99 {med[2]:.2f} ms, non-2xx {med[3]:.0f}")
PY
