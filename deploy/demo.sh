#!/usr/bin/env bash
# Quick start: installs the build packages, builds, and runs the agent on the bundled sample log, replayed in
# a loop. Then open http://localhost:10154/metrics. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh --build-only
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMTA_TESTS=OFF >/dev/null
cmake --build build -j2 --target mta_exporter
exec build/src/mta_exporter serve --config config/demo.toml "$@"
