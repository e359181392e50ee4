#!/bin/sh
# Take the cluster lock NAME in a root-only directory: ROOT (e.g. /run/zkctl), or FALLBACK
# (/var/lib/zkctl) when ROOT does not exist and its parent is absent or not writable. That
# directory is made 0700 and must be a real directory owned by this user (root); the lock
# is a directory in it holding `info`, built whole under a temp name there and renamed into
# place (rename(2) of a directory fails when the target exists and is not empty), so a lock
# never exists without its info. INFO is the info without `expires=`, which is this host's
# clock plus TTL seconds. Prints `lock=PATH`, then `taken`, or `held`, the holder's info
# lines and `stale=yes|no` (expiry missing or before this host's clock). Deciding to steal
# is the caller's (ops::ClusterLock). Exit 3 with a message when no root-only dir can be had.
# Usage: lock-take.sh ROOT FALLBACK NAME TOKEN TTL INFO
set -u
root=$1 fallback=$2 name=$3 token=$4 ttl=$5 info=$6
case $name$token in (*/* | .*) echo "bad lock name $name" >&2; exit 2 ;; esac
case $ttl in ('' | *[!0-9]*) echo "bad lock ttl $ttl" >&2; exit 2 ;; esac
dir=$root
if [ ! -e "$root" ] && [ ! -L "$root" ]; then
  parent=$(dirname -- "$root")
  if [ ! -d "$parent" ] || [ ! -w "$parent" ]; then dir=$fallback; fi
fi
mkdir -m 0700 -- "$dir" 2>/dev/null
if [ ! -d "$dir" ] || [ -L "$dir" ] || [ ! -O "$dir" ] || ! chmod 0700 -- "$dir"; then
  echo "cannot use $dir for the cluster lock: not a directory owned by $(id -un)" >&2
  exit 3
fi
lock=$dir/$name
echo "lock=$lock"
tmp=$dir/.$name.$token
rm -rf -- "$tmp"
if mkdir -m 0700 -- "$tmp" &&
  printf '%s\nexpires=%s\n' "$info" "$(($(date +%s) + ttl))" >"$tmp/info" &&
  mv -T -- "$tmp" "$lock" 2>/dev/null; then
  echo taken
  exit 0
fi
rm -rf -- "$tmp"
cur=$(cat -- "$lock/info" 2>/dev/null)
expires=$(printf '%s\n' "$cur" | sed -n 's/^expires=//p')
stale=no
case $expires in ('' | *[!0-9]*) stale=yes ;; (*) [ "$expires" -lt "$(date +%s)" ] && stale=yes ;; esac
printf 'held\n%s\n' "$cur"
printf 'stale=%s\n' "$stale"
