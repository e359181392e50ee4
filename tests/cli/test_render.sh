#!/usr/bin/env bash
# zkctl render --out: one tree per server (<host>/<component>-<id>/<file>), so servers
# sharing a host never overwrite each other (inventories/examples/production.toml has two
# observers on one host: it reported 21 files and wrote 18); as many files written as
# reported; files holding a secret 0600, the others at most 0644; no temp file left.
set -euo pipefail
zkctl=${1:?usage: test_render.sh ZKCTL}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
export ZKCTL_HOME=$work/home
mkdir -p "$work/dist"
: >"$work/dist/apache-zookeeper-3.8.4-bin.tar.gz"
# The example with a secret among the pass-through keys (not an ssl.* key: those come from
# [security], and [zookeeper.config] refuses them).
sed -e 's/^\[zookeeper.config\]$/&\n"DigestAuthenticationProvider.superDigest" = "PLANTED-render-pw"/' \
    "$repo/inventories/examples/production.toml" >"$work/prod.toml"
grep -q PLANTED "$work/prod.toml" || fail "the secret was not planted"

render() {
  "$zkctl" render "$work/prod.toml" --out "$work/out" >"$work/stdout" 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; fail "render exited $?"; }
}
render
render  # again over the same tree: files replaced in place
reported=$(grep -c '  (-> ' "$work/stdout")
written=$(find "$work/out" -type f | wc -l)
[[ $reported == 21 ]] || fail "reported $reported files, expected 21 (7 servers x 3)"
[[ $written == "$reported" ]] || fail "wrote $written files but reported $reported"
grep -q "^rendered 21 files for 7 servers and 0 Kafka nodes into $work/out\$" "$work/stderr" ||
  fail "summary: $(cat "$work/stderr")"
obs=$work/out/zk-obs.us1.example.net
[[ -f $obs/zookeeper-11/zoo.cfg && -f $obs/zookeeper-12/zoo.cfg ]] || fail "observers' trees missing"
grep -qE '^(clientPort|secureClientPort)=2182$' "$obs/zookeeper-12/zoo.cfg" || fail "observer 12's zoo.cfg is not its own"
grep -qE '^(clientPort|secureClientPort)=2182$' "$obs/zookeeper-11/zoo.cfg" && fail "observer 11 got observer 12's zoo.cfg"
[[ $(cat "$obs/zookeeper-11/myid") == 11 && $(cat "$obs/zookeeper-12/myid") == 12 ]] ||
  fail "observers' myid files overwritten"
# Modes: the secret-holding zoo.cfg files 0600, everything else 0644.
while read -r mode file; do
  case $file in
    */zoo.cfg) [[ $mode == 600 ]] || fail "$file holds a secret and is $mode" ;;
    *) [[ $mode == 644 ]] || fail "$file is $mode, expected 644" ;;
  esac
done < <(find "$work/out" -type f -exec stat -c '%a %n' {} +)
grep -q PLANTED-render-pw "$obs/zookeeper-12/zoo.cfg" || fail "render lost the real value"
if find "$work/out" -name '*.tmp-*' | grep -q .; then fail "temp files left"; fi
echo "render checks passed"
