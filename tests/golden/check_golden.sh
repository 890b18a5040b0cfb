#!/usr/bin/env bash
# usage: check_golden.sh MTA_EXPORTER CORPUS_FILE EXPECTED_PROM
# Compares the exposition of `report` with the expected file; build_info carries the version and
# revision, so it is left out of the comparison.
set -euo pipefail
binary=$1 corpus=$2 expected=$3
if [[ ! -f $corpus ]]; then
  echo "corpus file $corpus is missing (the shared/ folder must sit next to the repository)" >&2
  exit 1
fi
actual=$("$binary" report --format prometheus "$corpus" | grep -v '^mta_exporter_build_info')
if ! diff -u "$expected" <(printf '%s\n' "$actual"); then
  echo "golden output differs for $(basename "$corpus"); if intended, regenerate with" \
    "cmake --build BUILD --target update_goldens and review the diff" >&2
  exit 1
fi
