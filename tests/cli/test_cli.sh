#!/usr/bin/env bash
# CLI checks that need no host: help for every subcommand has examples, bad input gives
# exit 2 with a one-line error, bash completion parses and completes.
set -euo pipefail
zkctl=${1:?usage: test_cli.sh ZKCTL}
fail() { echo "FAIL: $*" >&2; exit 1; }
for cmd in deploy plan check status start stop restart verify exec logs destroy render completion; do
  out=$("$zkctl" "$cmd" --help) || fail "$cmd --help exited non-zero"
  grep -q "Example" <<<"$out" || fail "$cmd --help has no examples"
done
"$zkctl" --help | grep -q "Exit codes: 0 ok" || fail "top-level help lacks exit codes"
set +e
"$zkctl" nosuchcommand >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown subcommand: exit not 2"
"$zkctl" deploy /nonexistent.toml >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing inventory: exit not 2"
ZKCTL_HOME=$(mktemp -d) "$zkctl" status >/dev/null 2>&1; [ $? -eq 2 ] || fail "no recorded cluster: exit not 2"
"$zkctl" stop >/dev/null 2>&1; [ $? -eq 2 ] || fail "stop without NODE or --all: exit not 2"
out=$("$zkctl" restart node1 --by-rack 2>&1); [ $? -eq 2 ] || fail "restart NODE --by-rack: exit not 2"
grep -q -- "--by-rack rolls the whole cluster; give no NODE" <<<"$out" || fail "restart NODE --by-rack: $out"
"$zkctl" status --color=sometimes >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --color: exit not 2"
# A pushed JDK older than ZooKeeper needs: refused before any host is contacted (exit 5).
jdk_tmp=$(mktemp -d)
trap 'rm -rf "$jdk_tmp"' EXIT
mkdir -p "$jdk_tmp/jdk7/bin" && printf '#!/bin/sh\n' >"$jdk_tmp/jdk7/bin/java"
printf 'JAVA_VERSION="1.7.0_80"\n' >"$jdk_tmp/jdk7/release"
mkdir -p "$jdk_tmp/apache-zookeeper-3.8.0-bin/lib" && touch "$jdk_tmp/apache-zookeeper-3.8.0-bin/lib/zookeeper-3.8.0.jar" \
    "$jdk_tmp/apache-zookeeper-3.8.0-bin/lib/zookeeper-prometheus-metrics-3.8.0.jar" \
    "$jdk_tmp/apache-zookeeper-3.8.0-bin/lib/simpleclient-0.9.0.jar"
tar -czf "$jdk_tmp/zk.tar.gz" -C "$jdk_tmp" apache-zookeeper-3.8.0-bin
printf '[cluster]\nname = "oldjdk"\n[security]\ntls = false\nauthentication = "none"\nauthorization = false\n[java]\ndistribution = "jdk7"\n[zookeeper]\ndistribution = "zk.tar.gz"\n[[zookeeper.servers]]\nhost = "node1.invalid"\nid = 1\n' >"$jdk_tmp/old-jdk.toml"
out=$(ZKCTL_HOME="$jdk_tmp/home" "$zkctl" plan "$jdk_tmp/old-jdk.toml" 2>&1); rc=$?
[ $rc -eq 5 ] || fail "plan with a Java 7 JDK: exit $rc, not 5: $out"
grep -q "java.distribution is Java 7; ZooKeeper 3.8.0 needs Java 8 or newer" <<<"$out" ||
  fail "plan with a Java 7 JDK: $out"
# An override template nesting sections thousands deep: refused at once (exit 2), not rendered.
mkdir -p "$jdk_tmp/tpl/zookeeper"
python3 -c 'print("{{#a}}" * 100000 + "{{/a}}" * 100000)' >"$jdk_tmp/tpl/zookeeper/zoo.cfg.mustache"
out=$(timeout 20 "$zkctl" render --templates "$jdk_tmp/tpl" --out "$jdk_tmp/out" "$jdk_tmp/old-jdk.toml" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "deeply nested override template: exit $rc, not 2: ${out:0:300}"
grep -q "zoo.cfg.mustache: sections nested deeper than 32 levels" <<<"$out" ||
  fail "deeply nested override template: ${out:0:300}"
# pki rotate: --until goes with --ca and names a phase; an open cluster has no CA to rotate.
"$zkctl" pki rotate --until reissue >/dev/null 2>&1; [ $? -eq 2 ] || fail "--until without --ca: exit not 2"
"$zkctl" pki rotate --ca --until later >/dev/null 2>&1; [ $? -eq 2 ] || fail "--until later: exit not 2"
out=$(ZKCTL_HOME="$jdk_tmp/home" "$zkctl" pki rotate --ca --dry-run -i "$jdk_tmp/old-jdk.toml" 2>&1); rc=$?
[ $rc -eq 5 ] || fail "pki rotate --ca on an open cluster: exit $rc, not 5: $out"
grep -q "has no TLS: no CA to rotate" <<<"$out" || fail "pki rotate --ca on an open cluster: $out"
# A NODE naming no node of the cluster: exit 2 with the names it knows, before any connection.
out=$(ZKCTL_HOME="$jdk_tmp/home" "$zkctl" restart nosuch -i "$jdk_tmp/old-jdk.toml" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "restart of an unknown node: exit $rc, not 2: $out"
grep -q "no node 'nosuch' in cluster oldjdk (hosts, or a Kafka node's id: node1.invalid)" <<<"$out" ||
  fail "restart of an unknown node: $out"
set -e
"$zkctl" --help | grep -q -- "--color" || fail "--help lacks --color"
"$zkctl" --help | grep -q -- "--verbose" || fail "--help lacks --verbose"
"$zkctl" --help | grep -q "^130 interrupted" || fail "--help lacks exit code 130"
for cmd in deploy start stop restart destroy exec; do
  "$zkctl" "$cmd" --help | grep -q -- "--no-lock" || fail "$cmd --help lacks --no-lock"
done
for cmd in deploy status check plan exec logs; do
  "$zkctl" "$cmd" --help | grep -q -- "--allow-proxy-command" || fail "$cmd --help lacks --allow-proxy-command"
done
"$zkctl" completion bash | bash -n || fail "completion script does not parse"
got=$(bash -c "source <(\"$zkctl\" completion bash); COMP_WORDS=(zkctl re); COMP_CWORD=1; _zkctl; echo \"\${COMPREPLY[*]}\"")
[ "$got" = "restart restore recover render rebalance" ] || fail "completion of 're' gave '$got'"
echo "cli checks passed"
