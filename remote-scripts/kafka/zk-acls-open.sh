#!/bin/sh
# Kafka's znodes under ZOOKEEPER (host:port,.../chroot, a TLS client port) opened to every
# client: zookeeper-security-migration.sh --zookeeper.acl=unsecure, connecting over TLS as the
# brokers' own identity (KEY_PEM: the node's key and chain; CA_PEM: the CA it trusts), which
# owns the ACLs zookeeper.set.acl gave; then the ACL of the chroot's /brokers/ids read back
# (zookeeper-shell.sh getAcl, the same TLS settings) and required to grant world:anyone every
# permission (cdrwa). The TLS client settings go to a root-only temp file, removed whatever
# happens. Prints the tool's output (stderr joined) and the line "acl /brokers/ids: ENTRIES"
# (scheme:id:perms, space-separated); exits with the tool's status when it failed, else 1 with
# a last line saying what the read-back found when the znode is not open, else 0.
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
    --zookeeper.acl=unsecure --zookeeper.connect="$zookeeper" --zk-tls-config-file="$tls" 2>&1 ||
    exit

# The read-back: getAcl prints each entry as two lines, 'SCHEME,'ID then ": PERMS".
znode=/brokers/ids
read=$(KAFKA_HEAP_OPTS="-Xmx128m" "$install/current/bin/zookeeper-shell.sh" "$zookeeper" \
    -zk-tls-config-file "$tls" getAcl "$znode" 2>&1)
status=$?
acl=$(printf '%s\n' "$read" | awk -v q="'" '
    index($0, q) == 1 { id = $0; gsub(q, "", id); sub(",", ":", id); next }
    id != "" && index($0, ": ") == 1 { printf "%s%s:%s", sep, id, substr($0, 3); sep = " "; id = "" }
    { id = "" }')
echo "acl $znode: $acl"
case " $acl " in
*" world:anyone:cdrwa "*) exit 0 ;;
esac
if [ -z "$acl" ]; then
    last=$(printf '%s\n' "$read" | awk 'NF { line = $0 } END { print line }')
    echo "Kafka's znodes not confirmed open: zookeeper-shell.sh getAcl $znode (exit $status) printed no ACL${last:+: $last}"
else
    echo "Kafka's znodes not open after zookeeper-security-migration.sh: $znode has $acl, not world:anyone:cdrwa"
fi
exit 1
