#!/bin/sh
# Run as root by SshRemote::put_staged: install the staged upload SRC as DEST in DIR
# with octal MODE, through TMP beside it (copy, chmod, flush, rename); SRC is removed
# either way. Exit 3 with a message for a bad destination, 1 if the copy failed.
# DIR must be root's and writable by no one else: cp and chmod follow links, so in a dir
# another user can write (a service user's data dir) that user could plant one at TMP or
# DEST between the checks and the copy; files for such dirs are written as their owner
# (write-as.sh), never through here.
# Usage: install-staged.sh SRC DIR DEST TMP MODE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
src=$1 dir=$2 dest=$3 tmp=$4 mode=$5
rc=0
if [ ! -d "$dir" ]; then
  echo "directory $dir does not exist" >&2
  rc=3
elif [ -z "$(find -H "$dir" -maxdepth 0 -user "$(id -u)" ! -perm /022 -print)" ]; then
  echo "directory $dir is writable by another user than root: refusing to install into it" >&2
  rc=3
elif [ -d "$dest" ] && [ ! -L "$dest" ]; then
  echo "it is a directory" >&2
  rc=3
elif ! atomic_copy "$src" "$dest" "$tmp" "$mode"; then
  rc=1
fi
rm -f -- "$src"
exit $rc
