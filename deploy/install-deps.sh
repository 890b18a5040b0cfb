#!/usr/bin/env bash
# Installs the Debian 12 packages mta_exporter needs to build and test (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  g++ cmake make pkg-config git python3 curl ca-certificates
  prometheus-cpp-dev libcpp-httplib-dev libtomlplusplus-dev libspdlog-dev libre2-dev libsystemd-dev
  libgtest-dev libgmock-dev
  prometheus   # promtool, and the real Prometheus for the integration tests
  prometheus-alertmanager   # amtool, and the real Alertmanager for tests/alerts/e2e_test.py
  python3-yaml              # the alert and dashboard tests read the rule files
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The prometheus packages start servers on :9090 and :9093 where systemd runs; the tests start their own.

# What the integration tests run for real. Postfix is installed unconfigured ("No configuration": no
# system instance is set up or started); Exim, Sendmail and OpenSMTPD conflict with it as
# mail-transport-agent, so tests/integration/mta_daemons_test.py downloads and extracts them into the
# build folder and needs only their libraries and m4 here.
test_packages=(
  postfix m4 libidn12 libgnutls-dane0 libevent-2.1-7 libldap-2.5-0 liblockfile1 libsasl2-2 libwrap0
  rsyslog logrotate systemd-journal-remote
)
missing=()
for package in "${test_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}" >/dev/null
fi
