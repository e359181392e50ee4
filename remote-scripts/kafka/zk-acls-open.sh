#!/bin/sh
# Kafka's znodes under ZOOKEEPER (host:port,.../chroot, a TLS client port) opened to every
# client: zookeeper-security-migration.sh --zookeeper.acl=unsecure, connecting over TLS as the
# brokers' own identity (KEY_PEM: the node's key and chain; CA_PEM: the CA it trusts), which
# owns the ACLs zookeeper.set.acl gave. The TLS client settings go to a root-only temp file,
# removed whatever happens. Prints the tool's output (stderr joined); its exit status is the
# script's.
# Usage: zk-acls-open.sh INSTALL ZOOKEEPER KEY_PEM CA_PEM
set -u
install=$1 zookeeper=$2 key=$3 ca=$4
umask 077
tls=$(mktemp) || exit 1
trap 'rm -f "$tls"' EXIT
printf '%s\n' \
    zookeeper.ssl.client.enable=true \
    zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty \
    zookeeper.ssl.keystore.type=PEM \
    "zookeeper.ssl.keystore.location=$key" \
    zookeeper.ssl.truststore.type=PEM \
    "zookeeper.ssl.truststore.location=$ca" >"$tls" || exit 1
KAFKA_HEAP_OPTS="-Xmx128m" "$install/current/bin/zookeeper-security-migration.sh" \
    --zookeeper.acl=unsecure --zookeeper.connect="$zookeeper" --zk-tls-config-file="$tls" 2>&1
