#!/usr/bin/env bash
# From a fresh Debian 12 machine (as root), one command: install what zkctl needs, build it,
# assemble the ZooKeeper 3.8.0 and Kafka 3.9.2 distributions, start the local sandbox cluster
# (four simulated hosts node1 node2 node3 nn01, each with its own network and sshd), deploy
# inventories/seed-kafka.toml onto it (the 3+1 ensemble and Kafka brokers 11-13 on
# node1-node3), print `zkctl status` and run `zkctl verify`.
#
#   bash scripts/sandbox.sh           everything above
#   bash scripts/sandbox.sh deploy    only deploy, status, verify and the next steps, on a lab
#                                     already up with those hosts (what tests/e2e/test_sandbox.py
#                                     runs); zkctl is $ZKCTL_BIN (default ./build/src/zkctl).
#                                     It takes no lab lock: its caller holds /run/zkctl-lab.lock
#
# Idempotent: on a running sandbox a second run starts, uploads, writes and restarts nothing,
# and says so. The sandbox stays up for you to try more commands (printed at the end);
# `bash tests/lab/lab.sh down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

INVENTORY=inventories/seed-kafka.toml
HOSTS=(node1 node2 node3 nn01)
LAB_LOCK=/run/zkctl-lab.lock
ZKCTL=${ZKCTL_BIN:-./build/src/zkctl}

step() { printf '\n== %s\n' "$*"; }

# Prints "$ CMD..." and runs it; a failure ends the sandbox with a hint.
run() {
    printf '$ %s\n' "$*"
    local rc=0
    "$@" || rc=$?
    if ((rc != 0)); then
        printf '\nsandbox: "%s" failed (exit %d). The lab stays up to look into it (zkctl logs NODE,\nbash tests/lab/lab.sh exec NODE -- CMD); "bash tests/lab/lab.sh down" removes it.\n' \
            "$*" "$rc" >&2
        exit "$rc"
    fi
}

# Deploy, status, verify and what to try next, on a lab whose hosts are up.
deploy_and_verify() {
    local out
    out=$(mktemp)
    # shellcheck disable=SC2064
    trap "rm -f '$out'" EXIT
    step "deploy: the 3+1 ensemble, then brokers 11-13 on it (progress on stderr)"
    printf '$ %s\n' "$ZKCTL deploy $INVENTORY"
    local rc=0
    "$ZKCTL" deploy "$INVENTORY" | tee "$out" || rc=$?
    if ((rc != 0)); then
        printf '\nsandbox: deploy failed (exit %d); the lab stays up ("bash tests/lab/lab.sh down" removes it).\n' \
            "$rc" >&2
        exit "$rc"
    fi
    # Both summary lines (ZooKeeper, Kafka) report zero of everything: nothing changed.
    local unchanged
    unchanged=$(grep -cE 'distribution uploaded to 0, configs changed on 0, (storage formatted on 0, )?started 0, restarted 0$' \
        "$out" || true)

    step "status: every ZooKeeper server and every broker"
    run "$ZKCTL" status

    step "verify: a znode through two servers, 100 messages through two brokers"
    run "$ZKCTL" verify

    echo
    if [[ $unchanged == 2 ]]; then
        echo "Nothing changed: the sandbox was already deployed and running (deploy uploaded,"
        echo "wrote, started and restarted nothing)."
    else
        echo "The sandbox is deployed and verified."
    fi
    cat <<MSG
ZooKeeper 3.8.0 on node1 node2 node3 (voters) and nn01 (observer); Kafka 3.9.2 brokers 11 12 13
on node1 node2 node3. Running this script again changes nothing while all of it runs.

Try next (every command has --help):
  ./build/src/zkctl status --watch                    # live; Ctrl-C ends it
  ./build/src/zkctl restart node2                     # ZooKeeper server 2, then broker 12, each back before done
  ./build/src/zkctl restart                           # rolling: observers, followers, leader last; brokers too
  bash tests/lab/lab.sh link-down node3               # cut node3 off; status shows it; link-up node3 heals
  ./build/src/zkctl plan $INVENTORY  # after an edit: what deploy would change
  ./build/src/zkctl logs node1 --kafka
Kafka 4 in KRaft mode (no ZooKeeper) on three more hosts, next to this cluster:
  bash tests/fixtures/kafka-dist.sh 4                 # Kafka 4.4.0 (jars fetched with mvn once, cached)
  bash tests/lab/lab.sh up ${HOSTS[*]} kf1 kf2 kf3  # 3 more hosts; the running ones, named, stay
  ./build/src/zkctl deploy inventories/kraft.toml
  ./build/src/zkctl status -c kraft                   # commands without -c/-i act on the last deployed
  ./build/src/zkctl verify -c kraft                   # cluster: -c seed for this one
Remove the sandbox:
  bash tests/lab/lab.sh down
MSG
}

if [[ ${1:-} == deploy ]]; then
    deploy_and_verify
    exit 0
fi
[[ $# -eq 0 ]] || {
    echo "usage: bash scripts/sandbox.sh [deploy]" >&2
    exit 2
}

t0=$SECONDS
step "packages"
bash scripts/setup.sh

step "build"
if [[ ! -f build/build.ninja ]]; then meson setup build; fi
ninja -C build src/zkctl   # just the binary; scripts/test.sh builds the tests

step "distributions"
zk_dist=$(bash tests/fixtures/zookeeper-dist.sh | tail -n 1)
echo "ZooKeeper: $zk_dist"
kafka_dist=$(bash tests/fixtures/kafka-dist.sh 3.9 | tail -n 1)
echo "Kafka:     $kafka_dist"

# The lab is one per machine: wait for a test run that holds it (see CONTRIBUTING.md). The
# lab's hosts must not inherit the lock's descriptor (8>&- on lab.sh).
exec 8>"$LAB_LOCK"
if ! flock -n 8; then
    echo "sandbox: the lab is in use ($LAB_LOCK is held, e.g. by scripts/test.sh); waiting" >&2
    flock 8
fi
step "lab: simulated hosts ${HOSTS[*]}"
# `lab.sh up` keeps a running lab only when every host it has is named again: name the hosts
# already there (kf1..kf3 of the KRaft step, say) as well, so a second run replaces nothing.
lab_hosts=("${HOSTS[@]}")
for h in $(bash tests/lab/lab.sh list 8>&- | awk '{print $1}'); do
    [[ " ${lab_hosts[*]} " == *" $h "* ]] || lab_hosts+=("$h")
done
bash tests/lab/lab.sh up "${lab_hosts[@]}" 8>&-
bash tests/lab/lab.sh list 8>&-

deploy_and_verify
elapsed=$((SECONDS - t0))
printf '\n(scripts/sandbox.sh took %d min %02d s)\n' $((elapsed / 60)) $((elapsed % 60))
