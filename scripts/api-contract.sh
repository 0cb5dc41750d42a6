#!/usr/bin/env bash
# API contract test: schemathesis (pinned 4.x, in a venv) against `realtyhub demo`, driven by
# the OpenAPI document the demo serves at /openapi.json.
#
#   scripts/api-contract.sh            # build, run every phase, print the counts
#
# Environment: API_CONTRACT_MAX_EXAMPLES (test cases per operation and phase, default 25),
# API_CONTRACT_SEED (default 20261122), API_CONTRACT_VENV (default .build/api-contract-venv).
#
# What it checks: `--checks all` (server errors, status codes, content types, headers,
# response schemas, rejection of schema-invalid data, acceptance of schema-valid data, missing
# required headers, unsupported methods, Allow headers, use after free, resource availability,
# ignored auth, object-level authorization) in the phases coverage, fuzzing and stateful (the
# examples phase has nothing to run: the document carries no examples, and schemathesis ends
# such a phase with a configuration error). The configuration it reads is schemathesis.toml at
# the repository root.
#
# Data between phases: RESET. Each phase gets its own demo with a fresh temporary data folder
# (the demo's five emulators, a first sync, a new token), so the destructive calls of one phase
# (connections deleted or disabled, deliveries added) never decide the outcome of the next.
#
# Network: the demo and schemathesis run in a network namespace of their own with only a
# loopback interface and no name server (`unshare --net --mount`, as root), because generated requests create connections to
# generated vendor URLs and start syncs and tests against them: nothing may leave the machine.
#
# Exit status: 0 when every phase reports 0 failures and 0 errors, and at least 1,000 test
# cases were generated over the phases; 1 otherwise. The demo is stopped in every case.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

schemathesis_version="4.32.5"
seed="${API_CONTRACT_SEED:-20261122}"
max_examples="${API_CONTRACT_MAX_EXAMPLES:-25}"
venv="${API_CONTRACT_VENV:-$root/.build/api-contract-venv}"
minimum_cases=1000

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ---- Inside the network namespace: run the phases. -------------------------------------------
if [ "${1:-}" = "--in-namespace" ]; then
    binary="$2"
    work="$3"
    ip link set lo up
    # No name server either (this mount namespace's own resolv.conf): a generated vendor host
    # fails to resolve at once instead of after the resolver's timeouts.
    : >"$work/resolv.conf"
    mount --bind "$work/resolv.conf" /etc/resolv.conf
    total_cases=0
    total_failures=0
    total_errors=0
    status=0
    demo_pid=""
    stop_demo() {
        if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then
            kill -TERM "$demo_pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.2; done
            kill -KILL "$demo_pid" 2>/dev/null || true
            wait "$demo_pid" 2>/dev/null || true
        fi
        demo_pid=""
    }
    trap stop_demo EXIT
    for phase in ${API_CONTRACT_PHASES:-coverage fuzzing stateful}; do
        data="$work/demo-$phase"
        out="$work/demo-$phase.json"
        # --json prints one line with the URL and a token once the hub is up (written without
        # stdio buffering, so reading it from a file works however stdout is buffered).
        # Webhook targets on loopback and private ranges are refused (the demo allows them
        # otherwise): a generated subscription can never point the hub at a local service.
        REALTYHUB_ALLOW_PRIVATE_WEBHOOK_TARGETS=0 "$binary" demo --json --port 0 --records 20 --data-dir "$data" >"$out" 2>"$work/demo-$phase.log" &
        demo_pid=$!
        url=""
        for _ in $(seq 1 600); do
            if grep -q '"hub_url"' "$out" 2>/dev/null; then
                url=$("$work/python" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["hub_url"])' "$out")
                token=$("$work/python" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["token"])' "$out")
                break
            fi
            kill -0 "$demo_pid" 2>/dev/null || break
            sleep 0.2
        done
        if [ -z "$url" ]; then
            echo "api-contract: the demo did not start for the $phase phase:" >&2
            cat "$work/demo-$phase.log" >&2 || true
            exit 1
        fi
        echo "== $phase phase against $url (fresh demo data)"
        report="$work/report-$phase.json"
        set +e
        (cd "$work" && "$work/schemathesis" --config-file "$root/schemathesis.toml" run "$url/openapi.json" \
            --checks all --phases "$phase" --seed "$seed" --max-examples "$max_examples" \
            --header "Authorization: Bearer $token" --workers 1 \
            --request-timeout 120 --no-color --report json --report-json-path "$report") >"$work/run-$phase.txt" 2>&1
        code=$?
        set -e
        stop_demo
        cat "$work/run-$phase.txt"
        # The phase's counts, from schemathesis's JSON run report.
        read -r cases failures errors < <("$work/python" - "$report" <<'PY'
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print(0, 0, 1)  # no report: count the run as errored
    raise SystemExit
cases = report["test_cases"]
failures = sum(group["count"] for group in report["failures"])
errors = sum(group["count"] for group in report["errors"]) + cases["errored"]
print(cases["generated"], failures, errors)
PY
)
        echo "api-contract: $phase: $cases test cases, $failures failures, $errors errors (schemathesis exit $code)"
        total_cases=$((total_cases + cases))
        total_failures=$((total_failures + failures))
        total_errors=$((total_errors + errors))
        if [ "$code" -ne 0 ]; then status=1; fi
    done
    echo "api-contract: $total_cases test cases generated, $total_failures failures, $total_errors errors"
    if [ "$total_cases" -lt "$minimum_cases" ]; then
        echo "api-contract: fewer than $minimum_cases test cases were generated" >&2
        status=1
    fi
    if [ "$total_failures" -ne 0 ] || [ "$total_errors" -ne 0 ]; then status=1; fi
    exit "$status"
fi

# ---- Outside: install, build, then enter a namespace with loopback only. ---------------------
need=()
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv python3-pip)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
if [ ! -x "$venv/bin/schemathesis" ] || [ "$("$venv/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$schemathesis_version" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
echo "api-contract: $("$venv/bin/schemathesis" --version)"

swift build --product realtyhub
binary="$(swift build --show-bin-path)/realtyhub"

work=$(mktemp -d "${TMPDIR:-/tmp}/realtyhub-api-contract.XXXXXX")
keep_work() {
    # Kept when the run fails: the demos' logs and schemathesis's reports.
    if [ "$1" -eq 0 ]; then rm -rf "$work"; else echo "api-contract: logs and reports kept in $work" >&2; fi
}
trap 'keep_work $?' EXIT
ln -s "$venv/bin/python" "$work/python"
ln -s "$venv/bin/schemathesis" "$work/schemathesis"
if [ "$(id -u)" -ne 0 ]; then
    echo "api-contract: run as root (it needs unshare -n to keep generated requests on loopback)" >&2
    exit 1
fi
unshare --net --mount bash "$root/scripts/api-contract.sh" --in-namespace "$binary" "$work"
