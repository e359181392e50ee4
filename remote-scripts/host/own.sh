#!/bin/sh
# Give USER (and its group) the first NDIRS paths recursively (empty ones skipped), then
# make each FILE root's: OWNER `root` is root:root, `group` is root with USER's group (a
# secret the service reads), and MODE its octal mode.
# chown -R without -L/-H never follows a link nor recurses across one (GNU chown walks the
# tree through directory descriptors and changes a link itself, not its target); a FILE
# lies in a dir only root can write, and a link there is refused, not followed.
# Usage: own.sh USER NDIRS [DIR...] [OWNER MODE FILE]...
set -eu
user=$1 ndirs=$2
shift 2
group=$(id -g -- "$user")
i=0
while [ "$i" -lt "$ndirs" ]; do
  if [ -n "$1" ]; then chown -R -P -- "$user:$group" "$1"; fi
  shift
  i=$((i + 1))
done
while [ "$#" -ge 3 ]; do
  owner=$1 mode=$2 f=$3
  shift 3
  if [ -L "$f" ]; then
    echo "$f is a symbolic link: refusing to change it" >&2
    exit 1
  fi
  case $owner in
    root) chown -h -- "$(id -u):$(id -g)" "$f" ;;
    group) chown -h -- "$(id -u):$group" "$f" ;;
    *) echo "unknown owner '$owner' for $f" >&2; exit 2 ;;
  esac
  chmod -- "$mode" "$f"
done
if [ "$#" -ne 0 ]; then
  echo "own.sh: files come as OWNER MODE FILE triples; left over: $*" >&2
  exit 2
fi
