#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer (see FUZZING.md). Run by hand, not by .ci/run: it needs its
# own instrumented build (REALTYHUB_FUZZ=1, -sanitize=fuzzer,address) in .build-fuzz.
#
#   scripts/fuzz.sh [target ...]        # default: every target, one after the other
#
# Environment:
#   FUZZ_RUNS     executions per target (default 1000000)
#   FUZZ_TIMEOUT  seconds one input may take before it counts as a hang (default 10)
#   FUZZ_MAX_LEN  largest input in bytes (default 8192)
#   FUZZ_SKIP_BUILD=1  reuse the last build
#   FUZZ_SCRATCH  scratch folder of the instrumented build (default .build-fuzz)
#   FUZZ_CONFIGURATION  release (default) or debug; with FUZZ_SCRATCH=.build and debug, the
#                 harnesses reuse the dependencies of an existing `swift build` (only the
#                 package's own targets are recompiled, instrumented and -O); a later normal
#                 build recompiles them without instrumentation
#
# Each target starts from its committed seeds (Fuzz/corpus/<target>) plus what earlier runs
# found (.build-fuzz/corpus/<target>, not committed); crash, hang and out-of-memory inputs are
# written to .build-fuzz/artifacts/<target>/. One line per target is printed and kept in
# .build-fuzz/report.txt:
#   target  executions  exec/s  crashes  hangs  ooms  sanitizer-reports  seconds  status
# Exit status 1 when any target found anything or ran fewer executions than asked.
set -uo pipefail
cd "$(dirname "$0")/.."

all_targets=(
    fuzz-vtql fuzz-mycrm-form fuzz-propq-form-body fuzz-hub-list-query
    fuzz-pfexpert-pages fuzz-propq-pages fuzz-mycrm-pages fuzz-apimo-pages fuzz-bostonlogic-pages
)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
runs="${FUZZ_RUNS:-1000000}"
timeout="${FUZZ_TIMEOUT:-10}"
max_len="${FUZZ_MAX_LEN:-8192}"
scratch="${FUZZ_SCRATCH:-.build-fuzz}"
configuration="${FUZZ_CONFIGURATION:-release}"

if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    for target in "${targets[@]}"; do
        echo "== building $target"
        REALTYHUB_FUZZ=1 swift build -c "$configuration" --scratch-path "$scratch" --product "$target" 2>&1 | tail -3
        [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build of $target failed"; exit 1; }
    done
fi
bin="$(REALTYHUB_FUZZ=1 swift build -c "$configuration" --scratch-path "$scratch" --show-bin-path)"

# Swift's own crash backtracer would take over libFuzzer's deadly-signal handling; leak checking
# is off because the Swift runtime keeps metadata and concurrency caches for the process's life.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:${ASAN_OPTIONS:-}"

report="$scratch/report.txt"
: >"$report"
failed=0
printf '%-24s %12s %8s %8s %6s %5s %10s %8s  %s\n' target executions exec/s crashes hangs ooms sanitizer seconds status | tee -a "$report"
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    rm -f "$artifacts"/*
    start=$(date +%s)
    # One process, one thread (libFuzzer's default; no -jobs/-workers, which would fork).
    "$bin/$target" -runs="$runs" -timeout="$timeout" -max_len="$max_len" -rss_limit_mb=4096 \
        -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1
    status=$?
    seconds=$(( $(date +%s) - start ))
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    crashes=$(find "$artifacts" -name 'crash-*' | wc -l)
    hangs=$(find "$artifacts" -name 'timeout-*' | wc -l)
    ooms=$(find "$artifacts" -name 'oom-*' | wc -l)
    sanitizer=$(grep -c -E '^(==[0-9]+==)?ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)' "$log")
    # libFuzzer prints no final stats when a crash ends the run: count from its progress lines.
    [ -z "$executions" ] && executions=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    executions=${executions:-0}
    rate=${rate:-0}
    result=ok
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ] || [ "$hangs" -ne 0 ] || [ "$ooms" -ne 0 ] || [ "$sanitizer" -ne 0 ]; then
        result="FOUND (exit $status; log $log)"
        failed=1
    elif [ "$executions" -lt "$runs" ]; then
        result="SHORT (log $log)"
        failed=1
    fi
    printf '%-24s %12s %8s %8s %6s %5s %10s %8s  %s\n' "$target" "$executions" "$rate" "$crashes" "$hangs" "$ooms" "$sanitizer" "$seconds" "$result" | tee -a "$report"
done
echo "report: $report (commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%M:%SZ))" | tee -a "$report"
exit "$failed"
