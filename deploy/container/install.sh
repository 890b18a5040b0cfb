#!/bin/sh
# Installs the agent into a Debian 12 root file system: the package (with its service user and state
# folder), curl for the health check, and the container's configuration. Run by the Containerfile and,
# in a root file system made by mmdebstrap, by tests/package/container_test.py.
#   install.sh FOLDER    (FOLDER holds mta-exporter_*.deb and mta_exporter.toml)
set -eu
folder=$1
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends curl "$folder"/mta-exporter_*.deb >/dev/null
install -m 0644 "$folder/mta_exporter.toml" /etc/mta_exporter/container.toml
install -d -o mta_exporter -g mta_exporter -m 0750 /var/log/mail
apt-get clean
rm -rf /var/lib/apt/lists/*
