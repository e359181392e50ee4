#!/bin/sh
# Make a monitoring daemon's dirs: DIR and each ROOTDIR root's (no one else may write them,
# zkctl writes its configs there), each USERDIR owned by USER (data, logs).
# Usage: prepare.sh USER DIR NROOT [ROOTDIR...] [USERDIR...]
set -eu
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 dir=$2 nroot=$3
shift 3
mkdir -p -- "$dir"
root_dir "$dir"
i=0
while [ "$i" -lt "$nroot" ]; do
  mkdir -p -- "$1"
  root_dir "$1"
  shift
  i=$((i + 1))
done
group=$(id -g -- "$user")
for d in "$@"; do
  mkdir -p -- "$d"
  chown -P -- "$user:$group" "$d"
done
