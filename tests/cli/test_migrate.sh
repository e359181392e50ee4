#!/usr/bin/env bash
# A migration to KRaft the inventory cannot have is refused before any host is touched: each
# reason at its file:line:col, exit 2 (the hosts named do not even resolve). `migrate run`
# without a migration asked for, and a bad --until, are usage errors too.
# Usage: test_migrate.sh ZKCTL
set -euo pipefail
zkctl=${1:?usage: test_migrate.sh ZKCTL}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A ZooKeeper-mode seed recorded as deployed.
home=$tmp/home
mkdir -p "$home/clusters/seed"
chmod -R 700 "$home"
cp "$repo/inventories/seed-kafka.toml" "$home/clusters/seed/inventory.toml"
printf '{"name":"seed","source":"%s","base_dir":"%s","sha256":"x","deployed_at":"x"}\n' \
  "$repo/inventories/seed-kafka.toml" "$repo/inventories" > "$home/clusters/seed/cluster.json"
chmod 600 "$home/clusters/seed/"*

# kraft over it: TLS on, and a node both broker and controller on a new host.
inv=$tmp/secure.toml
sed -e 's/^mode = "zookeeper"$/mode = "kraft"/' -e 's/^tls = false .*/tls = true/' \
  "$repo/inventories/seed-kafka.toml" > "$inv"
printf '\n[[kafka.nodes]]\nhost = "nn01"\nid = 1\nroles = ["controller", "broker"]\n' >> "$inv"
set +e
out=$(ZKCTL_HOME=$home "$zkctl" deploy "$inv" 2>&1)
code=$?
set -e
[[ $code == 2 ]] || fail "deploy exit $code, not 2: $out"
grep -q "^$inv:[0-9]*:[0-9]*: a migration to KRaft of a secure cluster" <<<"$out" ||
  fail "no secure-cluster refusal at file:line:col: $out"
grep -q "^$inv:[0-9]*:[0-9]*: node 1 on nn01 is broker and controller" <<<"$out" ||
  fail "no dedicated-controller refusal: $out"
grep -q "broker 1 on nn01 is new" <<<"$out" || fail "no new-broker refusal: $out"
plan=$(ZKCTL_HOME=$home "$zkctl" plan "$inv" 2>&1) && fail "plan accepted it: $plan"

# migrate run: a bad --until; no migration asked for (the ZooKeeper-mode inventory itself).
set +e
out=$(ZKCTL_HOME=$home "$zkctl" migrate run --until half -i "$inv" 2>&1); code=$?
[[ $code == 2 && $out == *"--until half: not one of"* ]] || fail "bad --until: $code $out"
out=$(ZKCTL_HOME=$home "$zkctl" migrate run --until kraft \
  -i "$repo/inventories/seed-kafka.toml" 2>&1); code=$?
set -e
[[ $code == 2 && $out == *"no migration to KRaft asked for"* ]] || fail "no migration: $code $out"
echo "migrate refusals: OK"
