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
source Benchmarks/common/contacts-hub.sh

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
