#!/usr/bin/env bash
# The manual way: deploy the lab's 3+1 ZooKeeper ensemble (inventories/seed.toml's layout)
# the way an admin would by hand, one host after another, one ssh/scp per step:
#
#   ssh mkdir; rsync (or scp) the tarball; ssh tar xzf; write zoo.cfg, zookeeper-env.sh and
#   myid through ssh heredocs; ssh zkServer.sh start; then `echo srvr | nc` every node until
#   each one shows a Mode.
#
# Usage: bench/manual-deploy.sh DIST.tar.gz
#
# Same result as `zkctl deploy inventories/seed.toml` as far as sensible: install in
# /opt/zookeeper (unpacked in place, no releases/ and no current link), conf in
# /opt/zookeeper/conf, data and myid in /var/lib/zookeeper, logs in /opt/zookeeper/logs,
# ZK_SERVER_HEAP=256, the same zoo.cfg lines. Re-running it re-does every step; a server that
# is already running is left running (zkServer.sh says "already running").
#
# Environment: ZKLAB_STATE (default /var/lib/zkctl-lab) for the lab key and known_hosts;
# MANUAL_WAIT (seconds, default 120) bounds the wait for the modes.
set -euo pipefail

DIST=${1:?usage: manual-deploy.sh DIST.tar.gz}
[[ -r $DIST ]] || {
    echo "manual-deploy.sh: cannot read $DIST" >&2
    exit 1
}
STATE=${ZKLAB_STATE:-/var/lib/zkctl-lab}
WAIT=${MANUAL_WAIT:-120}

# The ensemble: host -> myid; nn01 is the observer.
HOSTS=(node1 node2 node3 nn01)
declare -A ID=([node1]=1 [node2]=2 [node3]=3 [nn01]=4)
OBSERVER=nn01

SSH_OPTS=(-i "$STATE/id_ed25519" -o "UserKnownHostsFile=$STATE/known_hosts" -o BatchMode=yes)
ssh_to() { ssh "${SSH_OPTS[@]}" "root@$1" "${@:2}"; }

copy_to() { # copy_to HOST LOCAL REMOTE
    if command -v rsync >/dev/null; then
        rsync -q -e "ssh ${SSH_OPTS[*]}" "$2" "root@$1:$3"
    else
        scp -q "${SSH_OPTS[@]}" "$2" "root@$1:$3"
    fi
}

for h in "${HOSTS[@]}"; do
    echo "== $h"
    ssh_to "$h" "mkdir -p /opt/zookeeper /var/lib/zookeeper"
    copy_to "$h" "$DIST" /tmp/zookeeper.tar.gz
    ssh_to "$h" "tar xzf /tmp/zookeeper.tar.gz -C /opt/zookeeper --strip-components=1 && rm /tmp/zookeeper.tar.gz"

    observer_line=
    [[ $h == "$OBSERVER" ]] && observer_line=peerType=observer
    ssh_to "$h" "cat > /opt/zookeeper/conf/zoo.cfg" <<EOF
tickTime=2000
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper
clientPort=2181
4lw.commands.whitelist=srvr,stat,mntr,ruok,conf,isro
admin.enableServer=false
$observer_line
server.1=node1:2888:3888
server.2=node2:2888:3888
server.3=node3:2888:3888
server.4=nn01:2888:3888:observer
autopurge.snapRetainCount=3
autopurge.purgeInterval=24
EOF
    ssh_to "$h" "cat > /opt/zookeeper/conf/zookeeper-env.sh" <<'EOF'
export ZOO_LOG_DIR=/opt/zookeeper/logs
export ZK_SERVER_HEAP=256
export ZOO_LOG4J_PROP=INFO,ROLLINGFILE
EOF
    ssh_to "$h" "cat > /var/lib/zookeeper/myid" <<EOF
${ID[$h]}
EOF
    # zkServer.sh exits 1 when the server already runs: fine on a re-run, anything else is not.
    if ! out=$(ssh_to "$h" "/opt/zookeeper/bin/zkServer.sh start" 2>&1); then
        if [[ $out != *"already running"* ]]; then
            echo "$out" >&2
            echo "manual-deploy.sh: zkServer.sh start failed on $h" >&2
            exit 1
        fi
    fi
    echo "$out"
done

echo "== waiting for every node to show a Mode"
deadline=$((SECONDS + WAIT))
while :; do
    pending=()
    for h in "${HOSTS[@]}"; do
        mode=$(echo srvr | nc -N -w 2 "$h" 2181 2>/dev/null | sed -n 's/^Mode: //p') || true
        if [[ -n $mode ]]; then
            echo "$h: $mode"
        else
            pending+=("$h")
        fi
    done
    ((${#pending[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
        echo "manual-deploy.sh: no Mode after ${WAIT}s on: ${pending[*]}" >&2
        exit 1
    fi
    sleep 0.25
done
echo "manual deploy done"
