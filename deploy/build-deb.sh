#!/usr/bin/env bash
# Builds the Debian package with Debian's own tools (debhelper 13, dh with the CMake build system) from a
# clean copy of this tree: the files git tracks or would track, nothing a local build left behind.
#   bash deploy/build-deb.sh [OUTPUT_DIR]    (default: build-deb/ in the repository)
# Installs the build dependencies (as root), then prints the path of the .deb as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
output=$(realpath -m "${1:-build-deb}")
export DEBIAN_FRONTEND=noninteractive

bash deploy/install-deps.sh --build-only >&2
packaging_tools=(debhelper dpkg-dev fakeroot)
missing=()
for package in "${packaging_tools[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$work/mta-exporter
mkdir -p "$tree"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  [[ -e $file ]] && printf '%s\0' "$file"
done | xargs -0 cp --parents -t "$tree"
git rev-parse --short=12 HEAD >"$tree/REVISION"

# Unmet build dependencies fail here, named by dpkg-checkbuilddeps.
(cd "$tree" && dpkg-buildpackage --build=binary --no-sign -J2) >&2

mkdir -p "$output"
debs=("$work"/mta-exporter_*.deb)
cp "${debs[@]}" "$output/"
echo "$output/$(basename "${debs[0]}")"
