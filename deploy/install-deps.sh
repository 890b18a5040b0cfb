#!/usr/bin/env bash
# Installs what mta_exporter needs on Debian 12 (run as root):
#   bash deploy/install-deps.sh               the build set and the test set
#   bash deploy/install-deps.sh --build-only  the build set only
# The tests install nothing themselves: what they run is put in place here, and a test whose piece is
# missing fails and names it. Idempotent: when everything is present it only checks, in about a second.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

build_only=false
case "${1:-}" in
  "") ;;
  --build-only) build_only=true ;;
  *)
    echo "usage: $0 [--build-only]" >&2
    exit 2
    ;;
esac

build_packages=(
  g++ cmake make pkg-config git python3 curl ca-certificates
  prometheus-cpp-dev libcpp-httplib-dev libtomlplusplus-dev libspdlog-dev libre2-dev libsystemd-dev
  libyaml-cpp-dev libssl-dev libcrypt-dev zlib1g-dev
  libgtest-dev libgmock-dev
)
# Postfix is installed unconfigured ("No configuration": no system instance is set up or started); the
# tests run private instances of it. The prometheus packages start servers on :9090 and :9093 where
# systemd runs; the tests start their own.
test_packages=(
  prometheus                # promtool, and the real Prometheus for tests/alerts/e2e_test.py
  prometheus-alertmanager   # amtool, and the real Alertmanager for tests/alerts/e2e_test.py
  python3-yaml              # the alert and dashboard tests read the rule files
  chromium                  # tests/integration/html_report_test.py renders report --format html headless
  rsyslog logrotate systemd-journal-remote   # tests/integration/sources_test.py
  rsyslog-openssl openssl   # syslog over TLS from a real rsyslog; test certificates
  postfix m4                # tests/integration/mta_daemons_test.py (m4 makes Sendmail's config)
  clang libclang-rt-14-dev  # deploy/fuzz.sh: libFuzzer and the sanitizer runtimes for clang
  debhelper dpkg-dev fakeroot lintian man-db   # tests/package/deb_test.py (deploy/build-deb.sh, systemd-analyze verify)
  mmdebstrap                # tests/package/{container,systemd}_test.py: root file systems from Debian's repositories
  systemd-container         # tests/package/systemd_test.py: systemd-nspawn boots the packaged unit
  # The libraries of the mail servers extracted below.
  libidn12 libgnutls-dane0 libevent-2.1-7 libldap-2.5-0 liblockfile1 libsasl2-2 libwrap0
)
# Exim, Sendmail and OpenSMTPD conflict with Postfix as mail-transport-agent: they are downloaded and
# extracted with dpkg -x, not installed, each into $daemons_dir/NAME/root.
# tests/integration/CMakeLists.txt passes the same folder to the test as MTA_DAEMONS_DIR.
daemons_dir=${MTA_DAEMONS_DIR:-/opt/mta_exporter-test/daemons}
declare -A daemon_packages=(
  [exim]="exim4-daemon-light exim4-base exim4-config"
  [sendmail]="sendmail-bin sendmail-base sendmail-cf"
  [opensmtpd]="opensmtpd"
)
# The programs of each extracted server that the test runs (checked for missing libraries).
declare -A daemon_programs=(
  [exim]="usr/sbin/exim4"
  [sendmail]="usr/libexec/sendmail/sendmail usr/libexec/sendmail/makemap"
  [opensmtpd]="usr/sbin/smtpd usr/sbin/smtpctl"
)

apt_updated=false
apt_update_once() {
  if ! $apt_updated; then
    apt-get update -qq
    apt_updated=true
  fi
}

missing_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  ((${#missing[@]})) || return 0
  apt_update_once
  # --no-remove: never take away an installed package (an MTA) that conflicts with one asked for.
  apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}" >/dev/null
}

# extract_daemon NAME: downloads the packages of NAME and extracts them into $daemons_dir/NAME/root,
# unless the same packages are already there.
extract_daemon() {
  local name=$1
  local folder=$daemons_dir/$name
  local packages=${daemon_packages[$name]}
  if [[ -f $folder/extracted && $(<"$folder/extracted") == "$packages" ]]; then
    return 0
  fi
  rm -rf "$folder"
  mkdir -p "$folder/debs"
  # apt-get download drops to the _apt user: it must be able to write there.
  chown _apt "$folder/debs"
  apt_update_once
  # shellcheck disable=SC2086  # one word per package
  (cd "$folder/debs" && apt-get download -qq $packages)
  local deb
  for deb in "$folder"/debs/*.deb; do
    dpkg -x "$deb" "$folder/root"
  done
  echo "$packages" >"$folder/extracted"
}

check_libraries() {
  local name=$1 program missing
  for program in ${daemon_programs[$name]}; do
    missing=$(ldd "$daemons_dir/$name/root/$program" | awk '/not found/ {printf " %s", $1}')
    if [[ -n $missing ]]; then
      echo "install-deps.sh: $daemons_dir/$name/root/$program needs libraries that are not installed:$missing" >&2
      exit 1
    fi
  done
}

# The system users the extracted servers insist on (what their packages' postinst would create).
ensure_system_user() {
  local user=$1 home=$2
  id -u "$user" >/dev/null 2>&1 && return 0
  getent group "$user" >/dev/null || groupadd --system "$user"
  useradd --system --gid "$user" --no-create-home --home-dir "$home" --shell /usr/sbin/nologin "$user"
}

install_packages "${build_packages[@]}"
$build_only && exit 0

if [[ -n $(missing_packages postfix) ]]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
install_packages "${test_packages[@]}"
for name in "${!daemon_packages[@]}"; do
  extract_daemon "$name"
  check_libraries "$name"
done
ensure_system_user Debian-exim /var/spool/exim4
ensure_system_user opensmtpd /var/lib/opensmtpd/empty
ensure_system_user opensmtpq /var/lib/opensmtpd/empty
# What opensmtpd's postinst does with dpkg-statoverride: smtpctl refuses to run unless it is setgid
# opensmtpq (dpkg -x leaves it root:root).
chown root:opensmtpq "$daemons_dir/opensmtpd/root/usr/sbin/smtpctl"
chmod 2755 "$daemons_dir/opensmtpd/root/usr/sbin/smtpctl"
