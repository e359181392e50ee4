#!/bin/sh
# Build the metrics agent's PKCS#12 keystore KEYSTORE (the JMX exporter's httpServer.ssl reads
# no PEM) from NODE_PEM (the node's key, then its certificate chain), entry alias `node`,
# password `zkctl` (the rule file names it; the file's mode is its protection, as node.pem's),
# 0640 root:<USER's group>, only when it is missing or was built from another NODE_PEM
# (KEYSTORE.sha256 holds the sha256 of the NODE_PEM it was built from). Needs openssl.
# Prints `built KEYSTORE` or `current KEYSTORE`.
# Usage: keystore.sh NODE_PEM KEYSTORE USER
set -eu
pem=$1 store=$2 user=$3
[ -f "$pem" ] || { echo "keystore.sh: $pem missing" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || {
  echo "keystore.sh: openssl is not installed: the metrics agent's TLS keystore needs it" >&2
  exit 1
}
sum=$(sha256sum <"$pem" | cut -d' ' -f1)
if [ -f "$store" ] && [ -f "$store.sha256" ] && [ "$(cat -- "$store.sha256")" = "$sum" ]; then
  echo "current $store"
  exit 0
fi
group=$(id -gn -- "$user")
tmp=$(dirname -- "$store")/.$(basename -- "$store").zkctl-tmp
rm -f -- "$tmp"
(umask 077 && openssl pkcs12 -export -in "$pem" -inkey "$pem" -name node \
  -passout pass:zkctl -out "$tmp")
chown -- "root:$group" "$tmp"
chmod -- 0640 "$tmp"
mv -f -- "$tmp" "$store"
echo "$sum" >"$store.sha256"
echo "built $store"
