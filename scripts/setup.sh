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
    # (libnetty-java: Netty for ZooKeeper's TLS, put into the 3.8.0 fixture)
    zookeeper libzookeeper-java libnetty-java libzookeeper-mt-dev librdkafka-dev
    default-jre-headless maven
    # openjdk-17-jre-headless: the source of the pushed-JDK fixture (tests/fixtures/jdk-dist.sh);
    # systemd: systemd-analyze verify on the rendered units (no systemd is started)
    openjdk-17-jre-headless systemd
    # the simulated-host lab (tests/lab/lab.sh)
    openssh-server openssh-client iproute2 util-linux procps netcat-openbsd
    # the non-root SSH user with sudo and the cut-off host behind a jump host (test_ssh_habits.py)
    sudo nftables
    # fixture packing and the end-to-end tests (kcat and openssl: the secure cluster's clients)
    zip unzip coreutils python3 python3-pytest python3-kazoo python3-confluent-kafka kcat openssl
    # lint of remote-scripts/ and the repo's other shell (tests/scripts/lint.sh)
    shellcheck
    # the Debian package (debian/, scripts/check_package.sh) and the checks of its man page
    # and completions (tests/cli/test_man_and_completions.sh)
    dpkg-dev debhelper man-db zsh fish
    # the monitoring host and the host agent (Prometheus, promtool for the suite's config and
    # rules checks, prometheus-node-exporter); zkctl runs them itself, never their units
    prometheus prometheus-node-exporter
)

# sshd/ZooKeeper processes in this network namespace, one PID per line.
service_pids() {
    local self_net d pid cmd
    self_net=$(readlink /proc/self/ns/net)
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [[ $(readlink "$d/ns/net" 2>/dev/null) == "$self_net" ]] || continue
        cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null) || continue
        case $cmd in
            /usr/sbin/sshd* | *java*/etc/zookeeper/conf*QuorumPeerMain* | /usr/bin/prometheus*) echo "$pid" ;;
        esac
    done
}

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

    before=$(service_pids)
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
    restore_policy
    trap - EXIT
    for pid in $(service_pids); do
        if ! grep -qx "$pid" <<<"$before"; then
            echo "setup.sh: stopping a service the install started (pid $pid)" >&2
            kill "$pid" 2>/dev/null || true
        fi
    done
fi

# Nothing may run as a service in the root namespace: if, despite policy-rc.d, a package
# started sshd or ZooKeeper during this install, stop exactly those processes (PIDs that did
# not exist before the install); anything that was already running is not ours to touch.
echo "setup.sh: done"
