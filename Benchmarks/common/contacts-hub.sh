# Shared by Benchmarks/API/run.sh and Benchmarks/OData/run.sh (sourced, from the repository
# root, with `runs`, `seconds` and `connections` set): starts the MyCRM emulator with 50,000
# Leads and 50,000 Contacts, syncs them into a new data folder, serves it with `realtyhub serve`
# (no workers, no rate limit) and sets `port` and `token` (a client with contacts:read). The
# work folder and the processes are removed on exit. Release build of realtyhub first.
bin="${REALTYHUB_BIN:-.build-release/release/realtyhub}"  # REALTYHUB_BIN: another build to measure
[ -x "$bin" ] || { echo "build $bin first (see the header of this script)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }

work="$(mktemp -d -t realtyhub-bench.XXXXXX)"
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

# One wrk run as "req/s p50_ms p99_ms non2xx": run_wrk url [lua script].
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
