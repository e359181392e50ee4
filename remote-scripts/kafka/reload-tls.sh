#!/bin/sh
# Make a running broker re-read its TLS files without a restart: kafka-configs.sh (as zkctl's
# admin identity, COMMAND_CONFIG) sets, per broker NODE_ID, each LISTENER's
# ssl.keystore.location and ssl.truststore.location to the files it already uses (KEYSTORE,
# TRUSTSTORE); Kafka's dynamic broker config re-reads a file whose contents changed. The values
# go through a 0600 --add-config-file, removed whatever happens. Prints kafka-configs.sh's
# output (stderr joined); its exit status is the script's.
# Usage: reload-tls.sh INSTALL BOOTSTRAP COMMAND_CONFIG NODE_ID KEYSTORE TRUSTSTORE LISTENER...
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 bootstrap=$2 config=$3 id=$4 keystore=$5 truststore=$6
shift 6
umask 077
add=$(mktemp) || exit 1
trap 'rm -f "$add"' EXIT
for l in "$@"; do
    printf 'listener.name.%s.ssl.keystore.location=%s\n' "$l" "$keystore"
    printf 'listener.name.%s.ssl.truststore.location=%s\n' "$l" "$truststore"
done >"$add" || exit 1
kafka_tool "$install" --bootstrap-server "$bootstrap" "$config" kafka-configs.sh \
    --entity-type brokers --entity-name "$id" --alter --add-config-file "$add"
