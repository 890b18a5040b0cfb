#!/usr/bin/env bash
# Installs the packages, builds and runs every test: the Release build packagers make (-O3) with every
# test and an install into a scratch folder; an AddressSanitizer + UndefinedBehaviorSanitizer build with
# every test; a ThreadSanitizer build with the unit tests and the tests that run sources, scrapes and
# reloads at once; every fuzz target for 30 s with its libraries instrumented; and the Debian package
# (built with Debian's tools, installed on this machine, upgraded, removed and purged) with the container
# image's root file system. Warnings are errors.
# A skipped test fails the run: a green run means every test ran. Needs ../shared next to the
# repository for the corpus-based tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
jobs=2
passed=0
failed=0
started=$SECONDS

# ctest over one build folder; adds its counts to the totals and fails the run on any failed or
# skipped test.
run_ctest() {
  local build=$1
  shift
  local log="$build/ctest.log" status=0
  ctest --test-dir "$build" --output-on-failure -j"$jobs" "$@" 2>&1 | tee "$log" || status=$?
  local total failures
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\)$/\2/p' "$log" | tail -1)
  failures=$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\)$/\1/p' "$log" | tail -1)
  passed=$((passed + ${total:-0} - ${failures:-0}))
  failed=$((failed + ${failures:-0}))
  if grep -q '\*\*\*Skipped\|(Skipped)\|(Not Run)\|(Disabled)' "$log"; then
    echo "test.sh: tests were skipped or did not run in $build (see above); every test must run" >&2
    exit 1
  fi
  if ((status != 0)) || [[ -z "$total" ]]; then
    echo "test.sh: ctest failed in $build" >&2
    exit 1
  fi
}

build() {
  local folder=$1
  shift
  # Every option is given, so that what an earlier configure left in the cache changes nothing.
  cmake -S . -B "$folder" -DMTA_WERROR=ON -DMTA_TESTS=ON -DMTA_SANITIZE=OFF -DMTA_TSAN=OFF -DMTA_FUZZ=OFF "$@" \
    >/dev/null
  cmake --build "$folder" -j"$jobs"
}

echo "=== Release build (-O3): every test, then cmake --install"
build build -DCMAKE_BUILD_TYPE=Release
run_ctest build

echo "=== AddressSanitizer + UndefinedBehaviorSanitizer build: every test"
build build-asan -DCMAKE_BUILD_TYPE=Debug -DMTA_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build-asan

echo "=== ThreadSanitizer build: unit tests and concurrency tests"
build build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTA_TSAN=ON
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 run_ctest build-tsan -L 'unit|concurrency'

echo "=== Fuzz targets, 30 s each, libraries instrumented"
bash deploy/fuzz.sh 30

echo "=== Debian package: lintian, its life cycle, its unit under systemd (nspawn), the container image's root"
deb=$(bash deploy/build-deb.sh build-deb | tail -1)
for package_test in tests/package/deb_test.py tests/package/systemd_test.py tests/package/container_test.py; do
  if python3 "$package_test" "$deb"; then
    passed=$((passed + 1))
  else
    echo "test.sh: $package_test failed" >&2
    exit 1
  fi
done

echo "test.sh: all builds and tests passed in $((SECONDS - started)) s"
echo "total: $passed passed, $failed failed"
