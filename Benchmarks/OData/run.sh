#!/usr/bin/env bash
# RESO Web API (OData) serving benchmark: wrk against
#   GET /odata/Contacts?$filter=ContactType eq '<type>'&$top=100&$select=<7 fields>
# over 100,000 synced contacts (50,000 MyCRM Leads + 50,000 Contacts from the sandbox), for the
# broad filter (ContactType 'Lead', half the records) and a narrower one ('Client'), beside
# GET /odata/$metadata (served from memory) and the /v1 list of the same page. Release build;
# prints one line per run and the medians. Issue 18's target: ≥ 1,000 requests/s for the filter.
#
#   REALTYHUB_BENCHMARKS=1 swift build -c release --scratch-path .build-release --product realtyhub
#   Benchmarks/OData/run.sh [runs, default 3] [seconds per run, default 10] [connections, default 16]
#
# Needs wrk (Debian: apt-get install wrk), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
seconds="${2:-10}"
connections="${3:-16}"
source Benchmarks/common/contacts-hub.sh


select='$select=ContactKey,FirstName,LastName,Email,MobilePhone,ContactType,ModificationTimestamp'
odata() { echo "http://127.0.0.1:$port/odata/Contacts?\$filter=ContactType%20eq%20%27$1%27&\$top=100&$select"; }
broad=$(odata Lead)
narrow=$(odata Client)
metadata="http://127.0.0.1:$port/odata/\$metadata"
v1="http://127.0.0.1:$port/v1/contacts?per_page=100&ContactType=Lead&sort=ContactKey&fields=ContactKey,FirstName,LastName,Email,MobilePhone,ContactType,ModificationTimestamp"
for url in "$broad" "$narrow"; do
    rows=$(curl -s -H "Authorization: Bearer $token" "$url" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['value']))")
    echo "rows in one page: $rows ($url)"
done
wrk -t2 -c"$connections" -d2s -H "Authorization: Bearer $token" "$broad" >/dev/null  # warm-up
for name in broad narrow metadata v1; do
    case $name in broad) url="$broad" ;; narrow) url="$narrow" ;; metadata) url="$metadata" ;; v1) url="$v1" ;; esac
    : >"$work/$name.txt"
    for run in $(seq 1 "$runs"); do
        result=$(run_wrk "$url")
        echo "$name run $run: req/s p50_ms p99_ms non2xx = $result"
        echo "$result" >>"$work/$name.txt"
    done
done
python3 - "$work" <<'PY'
import statistics, sys
for name, label in (
    ("broad", "OData ContactType eq 'Lead' $top=100 $select=7"), ("narrow", "OData ContactType eq 'Client' $top=100 $select=7"),
    ("metadata", "OData $metadata"), ("v1", "GET /v1/contacts?ContactType=Lead&per_page=100&fields=7"),
):
    rows = [list(map(float, line.split())) for line in open(f"{sys.argv[1]}/{name}.txt")]
    med = [statistics.median(col) for col in zip(*rows)]
    print(f"median {label}: {med[0]:.0f} req/s, p50 {med[1]:.2f} ms, p99 {med[2]:.2f} ms, non-2xx {med[3]:.0f}")
PY
