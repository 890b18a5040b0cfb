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

# --- Optional: what tests/integration/mta_daemons_test.py needs at test time ----------------------
# The test installs these itself when they are missing (and skips with apt's message when it
# cannot), so this block only pre-provisions a machine: MTA_DAEMON_TEST_DEPS=1 bash deploy/install-deps.sh
# Postfix is installed unconfigured ("No configuration": no system instance is set up or started);
# Exim, Sendmail and OpenSMTPD are not installed (they conflict with postfix as mail-transport-agent):
# the test downloads and extracts them into the build folder and needs only their libraries and m4.
if [[ "${MTA_DAEMON_TEST_DEPS:-0}" == 1 ]]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends --no-remove postfix m4 \
    libidn12 libgnutls-dane0 libevent-2.1-7 libldap-2.5-0 liblockfile1 libsasl2-2 libwrap0 >/dev/null
fi
