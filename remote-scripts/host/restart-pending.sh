#!/bin/sh
# The mark of a restart a deploy owes a node: `set` after its configs changed while it runs,
# `clear` once it has restarted. A deploy interrupted in between finds the mark (inspect's
# `restart_pending=1`) and restarts the node although its configs no longer differ.
# DIR/.zkctl-restart-pending, in the node's install dir: only a root-owned DIR that is not a
# link (nobody else can plant or redirect the mark); written atomically (mktemp + mv).
# Usage: restart-pending.sh set|clear DIR
set -eu
what=$1 dir=$2
if [ ! -d "$dir" ] || [ -L "$dir" ] || [ "$(stat -c %u -- "$dir")" != 0 ]; then
  echo "restart-pending.sh: $dir is not a root-owned directory" >&2
  exit 1
fi
mark=$dir/.zkctl-restart-pending
case $what in
  set)
    t=$(mktemp -- "$mark.zkctl-tmp-XXXXXX")
    if chmod 644 -- "$t" && mv -f -T -- "$t" "$mark"; then exit 0; fi
    rm -f -- "$t"
    exit 1
    ;;
  clear) rm -f -- "$mark" ;;
  *)
    echo "restart-pending.sh: set or clear, not $what" >&2
    exit 2
    ;;
esac
