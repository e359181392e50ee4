#!/usr/bin/env bash
# No secret is ever printed: plan, render, deploy and check with --verbose (and a broken
# copy of the inventory, whose diagnostics quote values) on an inventory with planted
# secrets; every byte they print and the audit log must be free of the planted values,
# while the files render writes to disk keep the real values. Needs no host: the SSH port
# is a closed port on loopback, so remote steps fail fast (and their errors are printed).
set -euo pipefail
zkctl=${1:?usage: test_secrets.sh ZKCTL}
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
export ZKCTL_HOME=$work/home
: >"$work/dist.tgz"
# A TCP port on loopback that nothing listens on.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat >"$work/inv.toml" <<EOF
[cluster]
name = "secrets"

[ssh]
port = $port
connect_timeout = 2

[security]
tls = false
authentication = "none"
authorization = false

[zookeeper]
distribution = "$work/dist.tgz"

[zookeeper.config]
"DigestAuthenticationProvider.superDigest" = "PLANTED-zk-keystore-pw"
"metricsProvider.password" = "PLANTED-zk-truststore-pw"

[[zookeeper.servers]]
host = "127.0.0.1"
id = 1

[kafka]
mode = "zookeeper"
distribution = "$work/dist.tgz"

[kafka.config]
"password.encoder.secret" = "PLANTED-kafka-key-pw"
"delegation.token.master.key" = "PLANTED-kafka-keystore-pw"
"remote.log.metadata.common.client.sasl.jaas.config" = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"PLANTED-jaas-pw\";"
"delegation.token.secret.key" = "PLANTED-token-secret"

[[kafka.nodes]]
host = "127.0.0.1"
id = 11

[metrics]
enabled = false  # metricsProvider.password above is a secret under test, not zkctl's
EOF
# The same with a typo'd key next to a secret and a secret value the loader refuses.
sed -e 's/^"password.encoder.secret" = .*/"password.encoder.secret" = "PLANTED-bad-pw\\u0001"/' \
    -e 's/^"metricsProvider.password"/"metricsProvider.pasword"/' \
    -e 's/^"DigestAuthenticationProvider.superDigest"/"DigestAuthenticationProvider.superDigst"/' \
    "$work/inv.toml" >"$work/bad.toml"

out=$work/out.txt
: >"$out"
run() { echo "--- $1" >>"$out"; "$zkctl" "$@" >>"$out" 2>&1 || true; }
run render "$work/inv.toml" --out "$work/rendered" --verbose
run render "$work/inv.toml" --out "$work/rendered2" --verbose --color=always
run plan "$work/inv.toml" --verbose
run plan "$work/inv.toml" --verbose --json
run check "$work/inv.toml" --verbose --json
run deploy "$work/inv.toml" --verbose
run render "$work/bad.toml" --out "$work/rendered3" --verbose
run plan "$work/bad.toml" --verbose
# A positive control: a file name that is a secret value shows up in every diagnostic.
cp "$work/inv.toml" "$work/PLANTED-kafka-key-pw.toml"
run plan "$work/PLANTED-kafka-key-pw.toml" --verbose

if grep -n "PLANTED" "$out"; then fail "a planted secret was printed (above)"; fi
if [[ -e $ZKCTL_HOME/audit.log ]] && grep -n "PLANTED" "$ZKCTL_HOME/audit.log"; then
  fail "a planted secret is in the audit log"
fi
# The runs did something worth checking: files rendered, remote steps traced, errors printed.
grep -rq "PLANTED-jaas-pw" "$work/rendered" || fail "render lost the real JAAS value on disk"
grep -rq "PLANTED-zk-keystore-pw" "$work/rendered" || fail "render lost the real zoo.cfg value on disk"
while IFS= read -r f; do
  [[ $(stat -c %a "$f") == 600 ]] || fail "$f holds a secret and is $(stat -c %a "$f")"
done < <(grep -rl PLANTED "$work/rendered")
[[ $(stat -c %a "$ZKCTL_HOME") == 700 ]] || fail "\$ZKCTL_HOME is $(stat -c %a "$ZKCTL_HOME")"
grep -q "ssh connect" "$out" || fail "--verbose traced no SSH connect"
grep -q "<redacted>.toml:20:1: warning" "$out" || fail "the secret in the file name was not masked"
echo "secret checks passed"
