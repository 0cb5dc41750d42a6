#!/usr/bin/env bash
# Soak test: runs the crash test (a `realtyhub run` worker killed with SIGKILL at random moments
# while leads keep arriving, then restarted) with many kills, several times over.
#
#   scripts/soak-crash.sh [kills per run, default 100] [runs, default 1]
#
# Stops at the first failing run (exit 1; its full log is kept). Each run prints one line:
#   crash test: N kills, L leads, C creates, drained in D, total T
set -uo pipefail
cd "$(dirname "$0")/.."
trials="${1:-100}"
runs="${2:-1}"
swift build --build-tests || exit 1
log="$(mktemp -t realtyhub-soak.XXXXXX)"
for run in $(seq 1 "$runs"); do
    echo "== soak run $run of $runs: $trials kills"
    if REALTYHUB_CRASH_TRIALS="$trials" swift test --skip-build --filter CrashTests >"$log" 2>&1; then
        grep -E "crash test:" "$log"
    else
        grep -E "crash test:|✘" "$log"
        echo "soak run $run failed; full log: $log"
        exit 1
    fi
done
rm -f "$log"
