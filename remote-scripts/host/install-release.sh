#!/bin/sh
# Install the uploaded distribution TARBALL as INSTALL/releases/SHORT (unpacked into a
# temp dir, marked with FULL in .zkctl-release, then renamed) unless that release is
# there already, point INSTALL/current at it atomically and remove TARBALL. A failure
# at any point leaves `current` as it was and no partial releases/SHORT.
# Usage: install-release.sh INSTALL TARBALL SHORT FULL
set -eu
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 tarball=$2 short=$3 full=$4
mkdir -p -- "$install/releases"
rel="$install/releases/$short"
if [ ! -f "$rel/.zkctl-release" ]; then
  rm -rf -- "$install"/releases/.unpack-* "$rel"
  tmp="$install/releases/.unpack-$$"
  mkdir -p -- "$tmp"
  if ! tar -xzf "$tarball" -C "$tmp" --strip-components=1 --no-same-owner; then
    rm -rf -- "$tmp"
    exit 1
  fi
  printf '%s\n' "$full" >"$tmp/.zkctl-release"
  mv -- "$tmp" "$rel"
fi
atomic_symlink "releases/$short" "$install/current"
rm -f -- "$tarball"
