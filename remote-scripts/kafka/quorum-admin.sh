#!/bin/sh
# The KRaft controller quorum asked or changed with the distribution's tools through the
# controllers (CONTROLLERS: host:port,... of their CONTROLLER listeners), with CLIENT_CONFIG's
# client properties (zkctl's admin identity on a secure cluster; "" on an open one):
#   status       kafka-metadata-quorum.sh describe --status
#   replication  kafka-metadata-quorum.sh describe --replication
#   features     kafka-features.sh describe (kraft.version: 0 static, 1 dynamic quorum)
#   add PROPS    add-controller for the node configured by PROPS (its server.properties, with
#                CLIENT_CONFIG appended in a root-only temp file, removed whatever happens)
#   remove ID DIRECTORY_ID   remove-controller
# Prints the tool's output (stderr joined); its exit status is the script's.
# Usage: quorum-admin.sh INSTALL CONTROLLERS CLIENT_CONFIG status|replication|features|add|remove [PROPS | ID DIRECTORY_ID]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 controllers=$2 config=$3 action=$4

# TOOL [ARG...] asked through the controllers with CONFIG (kafka_tool).
ask() {
    kafka_tool "$install" --bootstrap-controller "$controllers" "$config" "$@"
}

case $action in
status)
    ask kafka-metadata-quorum.sh describe --status
    ;;
replication)
    ask kafka-metadata-quorum.sh describe --replication
    ;;
features)
    ask kafka-features.sh describe
    ;;
add)
    props=${5:?PROPS}
    umask 077
    joined=$(mktemp) || exit 1
    trap 'rm -f "$joined"' EXIT
    # Later keys win: the node's own settings, then the admin client's TLS identity.
    { cat "$props"; echo; if [ -n "$config" ]; then cat "$config"; fi; } >"$joined" || exit 1
    kafka_tool "$install" --bootstrap-controller "$controllers" "$joined" kafka-metadata-quorum.sh add-controller
    ;;
remove)
    ask kafka-metadata-quorum.sh remove-controller --controller-id "${5:?ID}" --controller-directory-id "${6:?DIRECTORY_ID}"
    ;;
*)
    echo "quorum-admin.sh: unknown action '$action'" >&2
    exit 2
    ;;
esac
