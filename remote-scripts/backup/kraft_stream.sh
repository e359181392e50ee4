#!/bin/sh
# Write a tar of a KRaft node's metadata snapshot to standard output, read as the service
# user: LOGDIR/meta.properties and LOGDIR/__cluster_metadata-0/CHECKPOINT, stored under
# those relative names. CHECKPOINT must be <digits>-<digits>.checkpoint (anything else:
# exit 2, nothing written). A snapshot is never written in place: tar reads it whole.
# Usage: kraft_stream.sh USER LOGDIR CHECKPOINT
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 logdir=$2 snap=$3
case $snap in
  (*[!0-9.a-z-]* | -* | *-*-* | .checkpoint | *-.checkpoint) echo "bad snapshot name: $snap" >&2; exit 2 ;;
  ([0-9]*-[0-9]*.checkpoint) ;;
  (*) echo "bad snapshot name: $snap" >&2; exit 2 ;;
esac
case ${snap%.checkpoint} in (*[!0-9-]*) echo "bad snapshot name: $snap" >&2; exit 2 ;; esac
# shellcheck disable=SC2016
as_user "$user" sh -c 'tar --format=ustar -cf - -C "$1" meta.properties "__cluster_metadata-0/$2"' sh "$logdir" "$snap"
