#!/usr/bin/env bash
# Installs the Debian 12 packages mta_exporter needs to build and test (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  g++ cmake make pkg-config git python3 curl ca-certificates
  prometheus-cpp-dev libcpp-httplib-dev libtomlplusplus-dev libspdlog-dev libre2-dev libsystemd-dev
  libgtest-dev libgmock-dev
  prometheus   # promtool, and the real Prometheus for the integration tests
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The prometheus package starts a server on :9090 where systemd runs; the tests start their own.
