#!/usr/bin/env bash
# Prometheus' own checks of the golden scrape configs and alert rules (Debian's prometheus
# package ships promtool): `promtool check rules` on every rules.yml, `promtool check config`
# on every prometheus.yml. The configs name files under /opt/zkctl-monitoring (rules, the CA and
# the client certificate), which promtool opens: each is checked from a temp copy of its layout
# with those paths moved there and stand-in TLS files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v promtool >/dev/null || { echo "promtool.sh: promtool missing (apt-get install prometheus)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for layout in "$here"/*/; do
    name=$(basename "$layout")
    promtool check rules "$layout/rules.yml"
    dir="$tmp/$name"
    mkdir -p "$dir/tls"
    sed "s|/opt/zkctl-monitoring|$dir|g" "$layout/prometheus.yml" >"$dir/prometheus.yml"
    cp "$layout/rules.yml" "$dir/rules.yml"
    : >"$dir/tls/ca.pem"
    : >"$dir/tls/prometheus.pem"
    promtool check config "$dir/prometheus.yml"
done
