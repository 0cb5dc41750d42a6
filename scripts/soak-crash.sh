#!/usr/bin/env bash
# Soak test: runs the crash test (`realtyhub run` workers killed with SIGKILL at random moments
# while leads keep arriving and delivered leads are updated and deleted through the hub, then
# restarted) with many kills, several times over.
#
#   scripts/soak-crash.sh [kills per run, default 100] [runs, default 1]
#
# By default one worker on SQLite. With REALTYHUB_CRASH_DATABASE=postgres, three workers share
# the PostgreSQL database named by REALTYHUB_TEST_DATABASE_URL (postgres://USER:PASS@HOST:PORT/DB;
# see .ci/run for starting a throwaway server), and each kill hits one of them while the other
# two keep working.
#
# Stops at the first failing run (exit 1; its full log is kept). Each run prints one line:
#   crash test: N kills, W worker(s) on DB, L leads, C creates, 0 lost, 0 duplicated; U updates (S sent),
#   X deletes (S sent), 0 conflicts; drained in D, total T
set -uo pipefail
cd "$(dirname "$0")/.."
trials="${1:-100}"
runs="${2:-1}"
if [ "${REALTYHUB_CRASH_DATABASE:-sqlite}" = "postgres" ] && [ -z "${REALTYHUB_TEST_DATABASE_URL:-}" ]; then
    echo "REALTYHUB_CRASH_DATABASE=postgres needs REALTYHUB_TEST_DATABASE_URL (a PostgreSQL database)" >&2
    exit 2
fi
swift build --build-tests || exit 1
log="$(mktemp -t realtyhub-soak.XXXXXX)"
for run in $(seq 1 "$runs"); do
    echo "== soak run $run of $runs: $trials kills (${REALTYHUB_CRASH_DATABASE:-sqlite})"
    if REALTYHUB_CRASH_TRIALS="$trials" swift test --skip-build --filter CrashTests >"$log" 2>&1; then
        grep -E "crash test:" "$log"
    else
        grep -E "crash test:|✘" "$log"
        echo "soak run $run failed; full log: $log"
        exit 1
    fi
done
rm -f "$log"
