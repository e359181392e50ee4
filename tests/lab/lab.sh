#!/usr/bin/env bash
# zkctl test lab: simulated hosts on one machine (see ../shared/LAB-NOTES.md).
#
# Each host is a network namespace (veth to bridge zkbr0, 10.231.0.1/24; no default route, no
# NAT) plus private mount, UTS and PID namespaces with per-host /opt, /usr/local,
# /var/lib/zookeeper, /var/lib/kafka, /var/log, /root, /etc/ssh, /etc/hosts, /etc/hostname,
# /etc/resolv.conf, /run (tmpfs) and /tmp. sshd is the host's PID 1. The rest of the root
# filesystem (/usr, the JDK) is shared.
#
#   lab.sh up [--fresh] NAME...   start hosts (host i of the list gets 10.231.0.(11+i));
#                                 adds to a running lab whose hosts are all named again,
#                                 otherwise (or with --fresh) replaces it
#   lab.sh down                   kill every host process, remove namespaces, links, mounts,
#                                 the root /etc/hosts block and the per-host directories
#   lab.sh exec NAME [--] CMD...  run CMD inside the host's net+mount+uts+pid namespaces
#   lab.sh link-down NAME         take the host's bridge-side veth down (partition it)
#   lab.sh link-up NAME           bring it back
#   lab.sh list                   one line per host: name address sshd-pid
#   lab.sh ssh NAME [CMD...]      ssh to the host with the lab key and strict host checking
#
# State (ZKLAB_STATE, default /var/lib/zkctl-lab):
#   id_ed25519{,.pub}   lab client key, authorized for root on every host (made once)
#   known_hosts         every host key under the host's name and under its address
#   known_hosts.empty   empty, for tests of unknown host keys
#   hosts.list          "name address index" per host, in address order
#   hosts/              a tmpfs (unless ZKLAB_TMPFS=0), unmounted by down
#   hosts/NAME/         addr, index, pid (sshd, root-namespace PID), init.sh, console.log,
#                       fs/{opt,usr_local,var_lib_zookeeper,var_lib_kafka,var_log,root,
#                       etc_ssh,tmp,etc_hosts,etc_hostname,etc_resolv.conf}
set -euo pipefail

STATE=${ZKLAB_STATE:-/var/lib/zkctl-lab}
BRIDGE=zkbr0
NET=10.231.0
NS_PREFIX=zklab-
VETH_PREFIX=zkv
HOSTS_FILE=/etc/hosts
MARK_BEGIN='# BEGIN zkctl-lab'
MARK_END='# END zkctl-lab'
SSHD=/usr/sbin/sshd
UP_TIMEOUT=${ZKLAB_UP_TIMEOUT:-60}
# Per-host directories on a tmpfs (ZKLAB_TMPFS=0: on disk): teardown is instant and
# ZooKeeper's fsyncs cost nothing.
TMPFS=${ZKLAB_TMPFS:-1}

die() {
    echo "lab.sh: $*" >&2
    exit 1
}
log() { echo "lab.sh: $*" >&2; }

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root"; }

# Serialise lab.sh invocations that change the lab.
take_lock() {
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock 9
}

ssh_opts() {
    local known=$STATE/known_hosts
    printf '%s\n' -F /dev/null -i "$STATE/id_ed25519" -o IdentitiesOnly=yes \
        -o "UserKnownHostsFile=$known" -o GlobalKnownHostsFile=/dev/null \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=3 -o LogLevel=ERROR
}

host_dir() { echo "$STATE/hosts/$1"; }
host_pid() { cat "$(host_dir "$1")/pid" 2>/dev/null || true; }
host_addr() { cat "$(host_dir "$1")/addr"; }
host_index() { cat "$(host_dir "$1")/index"; }

# Names of the hosts in the state, in address order.
state_names() {
    [[ -s $STATE/hosts.list ]] || return 0
    awk '{print $1}' "$STATE/hosts.list"
}

# True if the host's recorded PID is alive, is sshd and lives in the host's network namespace.
host_alive() {
    local name=$1 pid
    pid=$(host_pid "$name")
    [[ -n $pid && $(readlink "/proc/$pid/exe" 2>/dev/null) == "$SSHD" ]] || return 1
    [[ -e /run/netns/$NS_PREFIX$name ]] || return 1
    [[ $(readlink "/proc/$pid/ns/net") == "$(ip netns exec "$NS_PREFIX$name" readlink /proc/self/ns/net)" ]]
}

# ---------------------------------------------------------------------------------- down

hosts_block_remove() {
    [[ -f $HOSTS_FILE ]] || return 0
    grep -qxF "$MARK_BEGIN" "$HOSTS_FILE" || return 0
    local tmp
    tmp=$(mktemp)
    awk -v b="$MARK_BEGIN" -v e="$MARK_END" '$0==b{skip=1;next} $0==e{skip=0;next} !skip' \
        "$HOSTS_FILE" >"$tmp"
    # In place (cat >): /etc/hosts may be a bind mount that cannot be renamed over.
    cat "$tmp" >"$HOSTS_FILE"
    rm -f "$tmp"
}

cmd_down() {
    need_root
    take_lock
    do_down
}

do_down() {
    local ns pid mnt
    # 1. Kill every process of every lab namespace (sshd is PID 1 of its PID namespace, so
    #    its death also ends the rest). Never wait: the unshare parents linger as zombies.
    #    (What `ip netns pids` does, for all lab namespaces in one pass over /proc.)
    local inodes pids
    inodes=$(stat -L -c %i /run/netns/"$NS_PREFIX"* 2>/dev/null || true)
    if [[ -n $inodes ]]; then
        pids=$(find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%h %l\n' 2>/dev/null |
            awk -v list="$inodes" 'BEGIN { n = split(list, a, "\n"); for (i = 1; i <= n; i++) want["net:[" a[i] "]"] = 1 }
                $2 in want { split($1, p, "/"); print p[3] }' || true)
        if [[ -n $pids ]]; then
            # shellcheck disable=SC2086
            kill -KILL $pids 2>/dev/null || true
        fi
    fi
    # Hosts recorded in the state whose namespace is gone but whose PID is still ours.
    if [[ -d $STATE/hosts ]]; then
        for d in "$STATE"/hosts/*/; do
            [[ -f $d/pid ]] || continue
            read -r pid <"$d/pid" || continue
            [[ -d /proc/$pid ]] || continue # (builtins only: fast with many hosts)
            if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$SSHD" ]] &&
                tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-f /etc/ssh/sshd_config"; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        done
    fi
    # 2. Namespaces, veths, bridge (one `ip -batch` each: fast with many hosts).
    ip netns list 2>/dev/null | awk -v p="$NS_PREFIX" 'index($1, p) == 1 {print "netns del " $1}' |
        ip -force -batch - >/dev/null 2>&1 || true
    ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
        grep "^${VETH_PREFIX}[0-9]*$" | sed 's/^/link del /' | ip -force -batch - >/dev/null 2>&1 || true
    if ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link del "$BRIDGE" 2>/dev/null || true
    fi
    # 3. The root namespace's hosts-file block.
    hosts_block_remove
    # 4. Anything still mounted under the state directory (in this mount namespace), the
    #    tmpfs of the per-host directories included.
    for mnt in $(findmnt -rn -o TARGET 2>/dev/null | grep "^$STATE/" | sort -r || true); do
        umount -l "$mnt" 2>/dev/null || true
    done
    # 5. Per-host directories (the client key stays). Only after nothing is mounted there.
    if [[ -d $STATE/hosts ]]; then
        if findmnt -rn -o TARGET | grep -q "^$STATE/"; then
            log "still mounted under $STATE; leaving $STATE/hosts in place"
        else
            rm -rf --one-file-system "$STATE/hosts"
        fi
    fi
    rm -f "$STATE/hosts.list" "$STATE/known_hosts"
}

# ------------------------------------------------------------------------------------ up

ensure_client_key() {
    if [[ ! -s $STATE/id_ed25519 || ! -s $STATE/id_ed25519.pub ]]; then
        rm -f "$STATE/id_ed25519" "$STATE/id_ed25519.pub"
        ssh-keygen -q -t ed25519 -N '' -C zkctl-lab -f "$STATE/id_ed25519"
    fi
    chmod 600 "$STATE/id_ed25519"
    : >"$STATE/known_hosts.empty"
}

ensure_bridge() {
    if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link add "$BRIDGE" type bridge
    fi
    if ! ip -o -4 addr show dev "$BRIDGE" | grep -q " $NET.1/24 "; then
        ip addr add "$NET.1/24" dev "$BRIDGE"
    fi
    ip link set "$BRIDGE" up
}

# Content of every host's /etc/hosts and of the root block: all lab hosts.
lab_hosts_lines() {
    awk '{print $2 "\t" $1}' "$STATE/hosts.list"
}

write_hosts_files() {
    local name f tmp
    tmp=$(mktemp)
    {
        printf '127.0.0.1\tlocalhost\n'
        printf '::1\tlocalhost ip6-localhost ip6-loopback\n'
        lab_hosts_lines
    } >"$tmp"
    for name in $(state_names); do
        f=$(host_dir "$name")/fs/etc_hosts
        # In place: the file is bind-mounted into the running host.
        cat "$tmp" >"$f"
    done
    # Root namespace block.
    hosts_block_remove
    {
        cat "$HOSTS_FILE"
        echo "$MARK_BEGIN"
        lab_hosts_lines
        echo "$MARK_END"
    } >"$tmp"
    cat "$tmp" >"$HOSTS_FILE"
    rm -f "$tmp"
}

write_known_hosts() {
    local name addr key tmp
    tmp=$(mktemp)
    for name in $(state_names); do
        addr=$(host_addr "$name")
        key=$(awk '{print $1 " " $2}' "$(host_dir "$name")/fs/etc_ssh/ssh_host_ed25519_key.pub")
        echo "$name $key"
        echo "$addr $key"
    done >"$tmp"
    cat "$tmp" >"$STATE/known_hosts"
    rm -f "$tmp"
}

# Creates the host's directories, keys, configs and init script (no namespaces yet).
prepare_host() {
    local name=$1 index=$2 addr=$3 d fs
    d=$(host_dir "$name")
    fs=$d/fs
    rm -rf --one-file-system "$d"
    mkdir -p "$fs"/{opt,var_lib_zookeeper,var_lib_kafka,var_log,root/.ssh,etc_ssh,tmp}
    mkdir -p "$fs"/usr_local/{bin,etc,include,lib,sbin,share,src}
    chmod 700 "$fs/root" "$fs/root/.ssh"
    chmod 1777 "$fs/tmp"
    echo "$addr" >"$d/addr"
    echo "$index" >"$d/index"
    echo "$name" >"$fs/etc_hostname"
    printf '# zkctl lab host: no name server; every lab name is in /etc/hosts\noptions timeout:1 attempts:1\n' \
        >"$fs/etc_resolv.conf"
    : >"$fs/etc_hosts"
    cp "$STATE/id_ed25519.pub" "$fs/root/.ssh/authorized_keys"
    chmod 600 "$fs/root/.ssh/authorized_keys"
    # /etc/ssh: the machine's client config and moduli, this host's own key and sshd_config.
    for f in ssh_config ssh_config.d moduli; do
        [[ -e /etc/ssh/$f ]] && cp -a "/etc/ssh/$f" "$fs/etc_ssh/"
    done
    ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$fs/etc_ssh/ssh_host_ed25519_key"
    cat >"$fs/etc_ssh/sshd_config" <<EOF
# zkctl lab host $name
Port 22
ListenAddress $addr
ListenAddress 127.0.0.1
HostKey /etc/ssh/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 100
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF
    cat >"$d/init.sh" <<EOF
#!/bin/bash
# PID 1 of lab host $name: private mounts, hostname, then exec sshd.
set -euo pipefail
cd "$fs"   # relative bind sources stay reachable after their parents are covered
hostname "$name"
mkdir -p /var/lib/zookeeper /var/lib/kafka
mount --bind opt /opt
mount --bind usr_local /usr/local
mount --bind var_lib_zookeeper /var/lib/zookeeper
mount --bind var_lib_kafka /var/lib/kafka
mount --bind var_log /var/log
mount --bind root /root
mount --bind etc_ssh /etc/ssh
mount --bind etc_hosts /etc/hosts
mount --bind etc_hostname /etc/hostname
mount --bind etc_resolv.conf /etc/resolv.conf
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/sshd
chmod 755 /run/sshd
mount --bind tmp /tmp
cd /
exec $SSHD -D -e -f /etc/ssh/sshd_config
EOF
    chmod 755 "$d/init.sh"
}

# Creates the namespace and the veth, then starts the host's PID 1 (detached).
start_host() {
    local name=$1 d index addr ns veth
    d=$(host_dir "$name")
    index=$(host_index "$name")
    addr=$(host_addr "$name")
    ns=$NS_PREFIX$name
    veth=$VETH_PREFIX$index
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$BRIDGE"
    ip link set "$veth" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
    setsid ip netns exec "$ns" unshare --mount --uts --pid --fork --kill-child --mount-proc \
        --propagation private /bin/bash "$d/init.sh" </dev/null >"$d/console.log" 2>&1 9>&- &
}

# Records the root-namespace PID of the host's PID 1 once it runs sshd.
record_pid() {
    local name=$1 ns=$NS_PREFIX$1 pid nspid deadline=$((SECONDS + UP_TIMEOUT))
    while ((SECONDS < deadline)); do
        for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
            # PID 1 of a nested PID namespace: "NSpid: <root pid> 1".
            nspid=$(awk '/^NSpid:/{if (NF >= 3) print $NF}' "/proc/$pid/status" 2>/dev/null || true)
            [[ $nspid == 1 ]] || continue
            if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$SSHD" ]]; then
                echo "$pid" >"$(host_dir "$name")/pid"
                return 0
            fi
        done
        sleep 0.05
    done
    log "host $name: sshd did not start; console:"
    cat "$(host_dir "$name")/console.log" >&2 || true
    return 1
}

wait_ssh() {
    local name=$1 deadline=$((SECONDS + UP_TIMEOUT)) addr
    local -a opts
    mapfile -t opts < <(ssh_opts)
    addr=$(host_addr "$name")
    # Cheap port probe first, then one real login with strict host key checking.
    while ((SECONDS < deadline)); do
        if timeout 1 bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; then
            break
        fi
        sleep 0.05
    done
    while ((SECONDS < deadline)); do
        # Classic key exchange: half the CPU of the default post-quantum one (2 cores, 32+
        # hosts); host key checking is as strict as ever.
        if ssh "${opts[@]}" -o KexAlgorithms=curve25519-sha256 "root@$name" true \
            </dev/null 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    log "host $name: ssh root@$name does not answer"
    ssh "${opts[@]}" "root@$name" true </dev/null || true
    return 1
}

# Runs "$@" NAME for every NAME concurrently (at most 16 at once); fails if any failed.
for_each_parallel() {
    local fn=$1 name rc=0
    shift
    local -a pids=()
    for name in "$@"; do
        "$fn" "$name" &
        pids+=($!)
        if ((${#pids[@]} >= 16)); then
            wait "${pids[0]}" || rc=1
            pids=("${pids[@]:1}")
        fi
    done
    for p in "${pids[@]}"; do
        wait "$p" || rc=1
    done
    return $rc
}

cmd_up() {
    need_root
    local fresh=0
    if [[ ${1:-} == --fresh ]]; then
        fresh=1
        shift
    fi
    (($# > 0)) || die "usage: lab.sh up [--fresh] NAME..."
    local name
    declare -A seen=()
    for name in "$@"; do
        [[ $name =~ ^[a-z][a-z0-9-]{0,30}$ ]] || die "bad host name: $name"
        [[ -z ${seen[$name]:-} ]] || die "host named twice: $name"
        seen[$name]=1
    done
    take_lock
    local t0=$SECONDS

    # Keep a running lab only if every one of its hosts is alive and named again.
    local keep=0 existing
    existing=$(state_names)
    if ((fresh == 0)) && [[ -n $existing ]] && ip link show "$BRIDGE" >/dev/null 2>&1; then
        keep=1
        for name in $existing; do
            if [[ -z ${seen[$name]:-} ]] || ! host_alive "$name"; then
                keep=0
                break
            fi
        done
    fi
    if ((keep == 0)); then
        do_down
    fi

    mkdir -p "$STATE/hosts"
    if [[ $TMPFS == 1 ]] && ! mountpoint -q "$STATE/hosts"; then
        mount -t tmpfs -o mode=755 zkctl-lab "$STATE/hosts"
    fi
    touch "$STATE/hosts.list"
    ensure_client_key
    ensure_bridge
    mkdir -p /var/lib/zookeeper /var/lib/kafka

    local next=0 idx
    if [[ -s $STATE/hosts.list ]]; then
        next=$(($(awk '{print $3}' "$STATE/hosts.list" | sort -n | tail -1) + 1))
    fi
    local -a new=()
    for name in "$@"; do
        if grep -q "^$name " "$STATE/hosts.list"; then
            continue
        fi
        idx=$next
        next=$((next + 1))
        ((11 + idx <= 254)) || die "too many hosts"
        echo "$name $NET.$((11 + idx)) $idx" >>"$STATE/hosts.list"
        new+=("$name")
    done
    if ((${#new[@]} == 0)); then
        log "lab already up: $(state_names | tr '\n' ' ')"
        return 0
    fi

    prep_one() {
        local n=$1
        prepare_host "$n" "$(awk -v n="$n" '$1==n{print $3}' "$STATE/hosts.list")" \
            "$(awk -v n="$n" '$1==n{print $2}' "$STATE/hosts.list")"
    }
    for_each_parallel prep_one "${new[@]}"
    write_hosts_files
    write_known_hosts
    for name in "${new[@]}"; do
        start_host "$name"
    done
    for_each_parallel record_pid "${new[@]}" || die "some hosts did not start"
    for_each_parallel wait_ssh "${new[@]}" || die "some hosts do not answer ssh"
    log "up: ${#new[@]} new host(s), $(state_names | wc -l) in the lab, $((SECONDS - t0)) s"
}

# ------------------------------------------------------------------------- other commands

require_host() {
    local name=$1
    [[ -n $name ]] || die "host name missing"
    [[ -f $(host_dir "$name")/pid ]] || die "no such running lab host: $name"
}

cmd_exec() {
    need_root
    local name=${1:-}
    require_host "$name"
    shift
    [[ ${1:-} == -- ]] && shift
    (($# > 0)) || die "usage: lab.sh exec NAME -- CMD..."
    local pid
    pid=$(host_pid "$name")
    exec nsenter -t "$pid" -n -m -u -p -w -- "$@"
}

cmd_link() {
    need_root
    local state=$1 name=${2:-}
    require_host "$name"
    ip link set "$VETH_PREFIX$(host_index "$name")" "$state"
}

cmd_list() {
    local name
    for name in $(state_names); do
        printf '%s %s %s\n' "$name" "$(host_addr "$name")" "$(host_pid "$name")"
    done
}

cmd_ssh() {
    local name=${1:-}
    require_host "$name"
    shift
    local -a opts
    mapfile -t opts < <(ssh_opts)
    exec ssh "${opts[@]}" "root@$name" "$@"
}

main() {
    local cmd=${1:-}
    shift || true
    case $cmd in
        up) cmd_up "$@" ;;
        down) cmd_down ;;
        exec) cmd_exec "$@" ;;
        link-down) cmd_link down "$@" ;;
        link-up) cmd_link up "$@" ;;
        list) cmd_list ;;
        ssh) cmd_ssh "$@" ;;
        *)
            sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
            exit 2
            ;;
    esac
}

main "$@"
