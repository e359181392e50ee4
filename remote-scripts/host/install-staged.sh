#!/bin/sh
# Run as root by SshRemote::put_staged: install the staged upload SRC as DEST in DIR
# with octal MODE, through TMP beside it (copy, chmod, flush, rename); SRC is removed
# either way. Exit 3 with a message for a bad destination, 1 if the copy failed.
# Usage: install-staged.sh SRC DIR DEST TMP MODE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
src=$1 dir=$2 dest=$3 tmp=$4 mode=$5
rc=0
if [ ! -d "$dir" ]; then
  echo "directory $dir does not exist" >&2
  rc=3
elif [ -d "$dest" ] && [ ! -L "$dest" ]; then
  echo "it is a directory" >&2
  rc=3
elif ! atomic_copy "$src" "$dest" "$tmp" "$mode"; then
  rc=1
fi
rm -f -- "$src"
exit $rc
