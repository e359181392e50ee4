#!/bin/sh
# Established TCP connections on each of a broker's listener ports, as `PORT COUNT` lines (the
# security on-ramp: whether clients still use a listener before it is dropped).
# Usage: connections.sh PORT...
set -u
for port in "$@"; do
  case $port in
    '' | *[!0-9]*) echo "not a port: $port" >&2; exit 2 ;;
  esac
  n=$(ss -Htn state established "( sport = :$port )" | grep -c .)
  echo "$port $n"
done
