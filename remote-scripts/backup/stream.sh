#!/bin/sh
# Write a tar of exactly the named state files to standard output, read as the service
# user: SNAP from SNAPDIR/version-2 and each LOG from LOGDIR/version-2, stored as
# version-2/NAME. Names must be snapshot.<hex> / log.<hex> (anything else: exit 2,
# nothing written). Nothing is copied on the host: tar reads the files as they are; the
# log ZooKeeper is appending to changes while read (tar's exit 1, not an error here: the
# copy ends inside it and zkctl cuts it at its last complete transaction).
# Usage: stream.sh USER SNAPDIR SNAP LOGDIR LOG...
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 snapdir=$2 snap=$3 logdir=$4
shift 4
case $snap in (snapshot.*[!0-9a-f]* | snapshot.) echo "bad snapshot name: $snap" >&2; exit 2 ;; (snapshot.*) ;; (*) echo "bad snapshot name: $snap" >&2; exit 2 ;; esac
for l in "$@"; do
  case $l in (log.*[!0-9a-f]* | log.) echo "bad log name: $l" >&2; exit 2 ;; (log.*) ;; (*) echo "bad log name: $l" >&2; exit 2 ;; esac
done
# The inner script is one line (the embedder drops comment lines, not code).
# shellcheck disable=SC2016
as_user "$user" sh -c 's=$1 l=$2 n=$3; shift 3; c=$#; for x in "$@"; do set -- "$@" "version-2/$x"; done; shift "$c"; tar --format=ustar --warning=no-file-changed -cf - -C "$s" "version-2/$n" -C "$l" "$@"; r=$?; [ "$r" -ne 1 ] || r=0; exit "$r"' sh "$snapdir" "$logdir" "$snap" "$@"
