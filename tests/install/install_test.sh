#!/usr/bin/env bash
# `cmake --install` of this build into a scratch DESTDIR lays out a system: the binary runs, the
# configuration it installs passes check-config, the unit names the installed paths, and the alert
# rules and dashboards are where a package puts them.
#   install_test.sh BUILD_DIR BINDIR SYSCONFDIR UNITDIR DATADIR DOCDIR   (the full configured paths)
set -euo pipefail
build=$1 bindir=$2 sysconfdir=$3 unitdir=$4 datadir=$5 docdir=$6
destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT
DESTDIR=$destdir cmake --install "$build" >/dev/null

fail() {
  echo "install_test: $*" >&2
  exit 1
}
expect_file() {
  [[ -f "$destdir$1" ]] || fail "$1 was not installed; installed: $(cd "$destdir" && find . -type f | sort | tr '\n' ' ')"
}

expect_file "$bindir/mta_exporter"
expect_file "$sysconfdir/mta_exporter/mta_exporter.toml"
expect_file "$sysconfdir/mta_exporter/web-config.example.yml"
expect_file "$unitdir/mta_exporter.service"
expect_file "$datadir/mta-exporter/alerts/mta_exporter.alerts.yml"
expect_file "$datadir/mta-exporter/alerts/mta_exporter.rules.yml"
expect_file "$datadir/mta-exporter/dashboards/mta-overview.json"
expect_file "$docdir/README.md"
expect_file "$datadir/man/man1/mta_exporter.1"

"$destdir$bindir/mta_exporter" version | grep -q '^mta_exporter ' || fail "the installed binary does not run"
"$destdir$bindir/mta_exporter" check-config "$destdir$sysconfdir/mta_exporter/mta_exporter.toml" >/dev/null ||
  fail "the installed configuration does not pass check-config"
grep -qx "ExecStart=$bindir/mta_exporter serve --config $sysconfdir/mta_exporter/mta_exporter.toml" \
  "$destdir$unitdir/mta_exporter.service" || fail "the installed unit does not name the installed paths"

# A second install leaves the admin's configuration alone and lays the shipped one beside it.
config=$destdir$sysconfdir/mta_exporter/mta_exporter.toml
echo "# edited by the admin" >>"$config"
DESTDIR=$destdir cmake --install "$build" >/dev/null
grep -q "^# edited by the admin$" "$config" || fail "a second install overwrote the installed configuration"
expect_file "$sysconfdir/mta_exporter/mta_exporter.toml.dist"
echo "install_test: OK ($(cd "$destdir" && find . -type f | wc -l) files)"
