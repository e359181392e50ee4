#!/usr/bin/env bash
# Installs every Debian package zkctl needs to build, test and run its lab.
# Idempotent: packages already installed are skipped; `apt-get update` runs once per call and
# only when something is missing. No service is started: a policy-rc.d denying every start is
# in place for the install, and afterwards any zookeeper or sshd the packages might have
# started in this (root) namespace is stopped by PID.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "setup.sh: must run as root" >&2
    exit 1
fi

packages=(
    # build
    build-essential meson ninja-build pkg-config
    libssh-dev libssl-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
    libkainjow-mustache-dev libgtest-dev libgmock-dev
    clang clang-format libclang-rt-14-dev libfuzzer-14-dev
    # ZooKeeper (the lab's distribution fixture is assembled from these) and clients
    zookeeper libzookeeper-java libzookeeper-mt-dev librdkafka-dev
    default-jre-headless maven
    # the simulated-host lab (tests/lab/lab.sh)
    openssh-server openssh-client iproute2 util-linux procps netcat-openbsd
    # fixture packing and the end-to-end tests
    zip unzip coreutils python3 python3-pytest
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "setup.sh: all ${#packages[@]} packages already installed"
else
    echo "setup.sh: installing: ${missing[*]}"
    # Forbid service starts during the install (restored afterwards).
    policy=/usr/sbin/policy-rc.d
    saved=""
    if [[ -e $policy ]]; then
        saved=$(mktemp)
        cp -p "$policy" "$saved"
    fi
    restore_policy() {
        if [[ -n $saved ]]; then
            cat "$saved" >"$policy"
            rm -f "$saved"
        else
            rm -f "$policy"
        fi
    }
    trap restore_policy EXIT
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"

    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
    restore_policy
    trap - EXIT
fi

# Nothing may run as a service in the root namespace: stop exactly what a package started.
# A packaged sshd runs without `-f` (the lab's sshds always pass -f); a packaged ZooKeeper
# runs with Debian's /etc/zookeeper/conf on its classpath. Only root-network-namespace
# processes count (lab hosts live in their own namespaces).
root_net=$(readlink /proc/1/ns/net)
for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ $(readlink "$d/ns/net" 2>/dev/null) == "$root_net" ]] || continue
    cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null) || continue
    case $cmd in
        /usr/sbin/sshd\ *-f\ * | /usr/sbin/sshd\ *-f) ;;
        /usr/sbin/sshd | /usr/sbin/sshd\ *)
            echo "setup.sh: stopping sshd started by a package (pid $pid): $cmd" >&2
            kill "$pid" 2>/dev/null || true ;;
        *java*/etc/zookeeper/conf*QuorumPeerMain*)
            echo "setup.sh: stopping zookeeper started by a package (pid $pid)" >&2
            kill "$pid" 2>/dev/null || true ;;
    esac
done
echo "setup.sh: done"
