#!/usr/bin/env bash
# A migration to KRaft the inventory cannot have is refused before any host is touched: each
# reason at its file:line:col, exit 2 (the hosts named do not even resolve); a secure cluster's
# is not refused. `migrate run` without a migration asked for, and a bad --until, are usage
# errors too.
# Usage: test_migrate.sh ZKCTL
set -euo pipefail
zkctl=${1:?usage: test_migrate.sh ZKCTL}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Records `inventory` as the deployed ZooKeeper-mode seed in a new ZKCTL_HOME `home`.
deployed_seed() {
  local home=$1 inventory=$2
  mkdir -p "$home/clusters/seed"
  chmod -R 700 "$home"
  cp "$inventory" "$home/clusters/seed/inventory.toml"
  printf '{"name":"seed","source":"%s","base_dir":"%s","sha256":"x","deployed_at":"x"}\n' \
    "$inventory" "$(dirname "$inventory")" > "$home/clusters/seed/cluster.json"
  chmod 600 "$home/clusters/seed/"*
}

# The open seed recorded as deployed.
home=$tmp/home
deployed_seed "$home" "$repo/inventories/seed-kafka.toml"

# kraft over it: TLS turned on with the migration, and a node both broker and controller on a
# new host.
inv=$tmp/secure.toml
sed -e 's/^mode = "zookeeper"$/mode = "kraft"/' -e 's/^tls = false .*/tls = true/' \
  "$repo/inventories/seed-kafka.toml" > "$inv"
printf '\n[[kafka.nodes]]\nhost = "nn01"\nid = 1\nroles = ["controller", "broker"]\n' >> "$inv"
set +e
out=$(ZKCTL_HOME=$home "$zkctl" deploy "$inv" 2>&1)
code=$?
set -e
[[ $code == 2 ]] || fail "deploy exit $code, not 2: $out"
grep -q "^$inv:[0-9]*:[0-9]*: \[security\] (tls = true, .*) is not what the cluster was deployed with (tls = false, " <<<"$out" ||
  fail "no security-change refusal at file:line:col: $out"
grep -q "secure cluster" <<<"$out" && fail "a secure cluster is refused as such: $out"
grep -q "^$inv:[0-9]*:[0-9]*: node 1 on nn01 is broker and controller" <<<"$out" ||
  fail "no dedicated-controller refusal: $out"
grep -q "broker 1 on nn01 is new" <<<"$out" || fail "no new-broker refusal: $out"
plan=$(ZKCTL_HOME=$home "$zkctl" plan "$inv" 2>&1) && fail "plan accepted it: $plan"

# A secure seed (no [security] table: TLS, SCRAM, authorization) recorded as deployed: its KRaft
# inventory with three dedicated controllers is migrated, not refused. Plan shows the phases;
# its pre-flight then fails, exit 5: plan connects to the hosts, so they are renamed into
# .invalid (RFC 6761: never resolves), the lab's node1.. resolving while a lab runs.
secure_home=$tmp/secure-home
secure_zk=$tmp/seed-secure.toml
sed -e '/^\[security\]$/,/^\[zookeeper\]$/{/^\[zookeeper\]$/!d}' \
  -e 's/^host = "\([a-z0-9]*\)"$/host = "\1.invalid"/' \
  "$repo/inventories/seed-kafka.toml" > "$secure_zk"
grep -q '^host = "node1.invalid"$' "$secure_zk" || fail "the secure seed's hosts not renamed"
grep '^host = ' "$secure_zk" | grep -vq '\.invalid"$' && fail "a host not renamed: $secure_zk"
grep -q '^\[security\]' "$secure_zk" && fail "the secure seed kept its [security] table"
deployed_seed "$secure_home" "$secure_zk"
secure_kraft=$tmp/seed-secure-kraft.toml
sed -e 's/^mode = "zookeeper"$/mode = "kraft"/' "$secure_zk" > "$secure_kraft"
for i in 1 2 3; do
  printf '\n[[kafka.nodes]]\nhost = "ctl%d.invalid"\nid = %d\nroles = ["controller"]\n' "$i" "$i" \
    >> "$secure_kraft"
done
set +e
plan=$(ZKCTL_HOME=$secure_home "$zkctl" plan "$secure_kraft" 2>&1); code=$?
set -e
[[ $code == 5 ]] || fail "plan of the secure migration: exit $code, not 5: $plan"
grep -q "migration to KRaft (KIP-866) of seed" <<<"$plan" || fail "no migration phases: $plan"
grep -q "brokers into migration" <<<"$plan" || fail "no dual-write phase: $plan"
grep -q "refused" <<<"$plan" && fail "the secure migration is refused: $plan"
grep -q "node1.invalid: .*Failed to resolve" <<<"$plan" || fail "a host was reached: $plan"
# ... unless the security on-ramp has not finished (its record names the phase).
printf '{"phase":"zk-plaintext-off"}' > "$secure_home/clusters/seed/security-phase"
set +e
out=$(ZKCTL_HOME=$secure_home "$zkctl" deploy "$secure_kraft" 2>&1); code=$?
set -e
[[ $code == 2 && $out == *"the security on-ramp stands at zk-plaintext-off"* ]] ||
  fail "an unfinished on-ramp: $code $out"

# migrate run: a bad --until; no migration asked for (the ZooKeeper-mode inventory itself).
set +e
out=$(ZKCTL_HOME=$home "$zkctl" migrate run --until half -i "$inv" 2>&1); code=$?
[[ $code == 2 && $out == *"--until half: not one of"* ]] || fail "bad --until: $code $out"
out=$(ZKCTL_HOME=$home "$zkctl" migrate run --until kraft \
  -i "$repo/inventories/seed-kafka.toml" 2>&1); code=$?
set -e
[[ $code == 2 && $out == *"no migration to KRaft asked for"* ]] || fail "no migration: $code $out"
echo "migrate refusals: OK"
