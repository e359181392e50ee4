#!/bin/sh
# Mark each DIR as cluster CLUSTER's: DIR/.zkctl-cluster holds the name (destroy removes
# only dirs that carry it). A missing DIR is skipped; a mark that is a link or names
# another cluster is replaced (a fresh mktemp name renamed over it), never written or read
# through. A dir root does not own (the service user's data and log dirs) is marked as
# USER, so a link USER planted there gains USER nothing.
# Usage: mark.sh CLUSTER USER DIR...
set -eu
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
cluster=$1 user=$2
shift 2
for dir in "$@"; do
  if [ ! -d "$dir" ] || [ -L "$dir" ]; then continue; fi
  as=$user
  if [ "$(stat -c %u -- "$dir")" = 0 ]; then as=root; fi
  # The inner script is one line (the embedder drops comment lines, not code).
  # shellcheck disable=SC2016
  as_user "$as" sh -c 'm=$0/.zkctl-cluster; if [ -f "$m" ] && [ ! -L "$m" ] && [ "$(head -n 1 -- "$m")" = "$1" ]; then exit 0; fi; t=$(mktemp -- "$0/.zkctl-cluster.zkctl-tmp-XXXXXX") || exit 1; if printf "%s\n" "$1" >"$t" && chmod 644 -- "$t" && mv -f -T -- "$t" "$m"; then exit 0; fi; rm -f -- "$t"; exit 1' "$dir" "$cluster"
done
