#!/usr/bin/env bash
# Builds the libFuzzer targets with every library instrumented (clang, ASan+UBSan) and runs each for
# SECONDS (default 30), two at a time, starting from its checked-in corpus (tests/fuzz/corpus/TARGET)
# and the seeds. Prints runs, coverage and findings per target; exits 1 when any target found a crash.
#   bash deploy/fuzz.sh [SECONDS] [TARGET...]
# MTA_FUZZ_RUNS=N also stops a target after N runs; MTA_FUZZ_SEEDS=DIR adds a folder of seed inputs.
# New inputs that reach new coverage go to build-fuzz/corpus/TARGET; fold them into the checked-in
# corpus with:  TARGET -merge=1 tests/fuzz/corpus/TARGET build-fuzz/corpus/TARGET
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
build="build-fuzz"
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(syslog_header_fuzz reply_fuzz mta_parsers_fuzz line_splitter_fuzz syslog_framer_fuzz container_log_fuzz
           classifier_fuzz log_clock_fuzz report_fuzz config_fuzz)
fi

CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTA_FUZZ=ON -DMTA_WERROR=ON -DMTA_TESTS=ON \
  -DMTA_SANITIZE=OFF -DMTA_TSAN=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz_targets

run_target() {
  local target=$1 work="$build/corpus/$1" log="$build/logs/$1.log"
  rm -rf "$build/findings/$1"  # a finding of an earlier run, fixed since, is no finding of this one
  mkdir -p "$work" "$build/findings/$1" "$build/logs" "tests/fuzz/corpus/$1"
  local status=0
  local limits=(-max_total_time="$seconds")
  [[ -n "${MTA_FUZZ_RUNS:-}" ]] && limits+=(-runs="$MTA_FUZZ_RUNS")
  # -rss_limit_mb bounds memory; -max_len lets long log lines through; -timeout flags a hang.
  "$build/tests/fuzz/$target" "${limits[@]}" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/findings/$1/" \
    "$work" "tests/fuzz/corpus/$target" tests/fuzz/seeds ${MTA_FUZZ_SEEDS:+"$MTA_FUZZ_SEEDS"} >"$log" 2>&1 ||
    status=$?
  echo "$status" >"$log.status"
}

running=0
for target in "${targets[@]}"; do
  run_target "$target" &
  running=$((running + 1))
  if ((running == 2)); then
    wait -n
    running=$((running - 1))
  fi
done
wait

printf '%-22s %12s %8s %8s %s\n' target runs edges features findings
failed=0
for target in "${targets[@]}"; do
  log="$build/logs/$target.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  findings=$(find "$build/findings/$target" -type f | wc -l)
  printf '%-22s %12s %8s %8s %s\n' "$target" "${runs:-?}" "${edges:-?}" "${features:-?}" "$findings"
  if [[ "$(cat "$log.status")" != 0 ]] || ((findings > 0)); then
    failed=1
    echo "--- $target failed (exit $(cat "$log.status")); the end of its log:"
    tail -40 "$log"
  fi
done
exit "$failed"
