#!/bin/sh
# What `zkctl check` asks of a host, one `key=value` line each (ops::parse_host_probe):
# java, available memory, free space for each of the N DIRs (at its nearest existing
# ancestor), the IPv4 address each NAME resolves to, the clock.
# Usage: probe.sh N [DIR...] [NAME...]
n=$1
shift
if command -v java >/dev/null 2>&1; then printf 'java=%s\n' "$(java -version 2>&1 | head -n 1)"; fi
sed -n 's/^MemAvailable: *\([0-9]*\) kB/mem=\1/p' /proc/meminfo
i=0
while [ "$i" -lt "$n" ]; do
  d=$1
  shift
  i=$((i + 1))
  p=$d
  while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done
  printf 'disk=%s %s\n' "$(df -Pk -- "$p" | awk 'NR==2 {print $4}')" "$d"
done
for h in "$@"; do
  printf 'name=%s %s\n' "$h" "$(getent ahostsv4 -- "$h" 2>/dev/null | awk 'NR==1 {print $1}')"
done
printf 'clock=%s\n' "$(date +%s.%N)"
