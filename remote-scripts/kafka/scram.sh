#!/bin/sh
# Set or delete one user's SCRAM-SHA-512 credential with kafka-configs.sh, or list every user's
# (`list`: kafka-configs.sh --describe of all users), as zkctl's admin
# identity (COMMAND_CONFIG: its client properties, root's). The password never appears on a
# command line: `upsert` reads it from PASSWORD_FILE (a root-only file zkctl wrote just before),
# hands it to kafka-configs.sh in a 0600 --add-config-file, and removes both whatever happens.
# Prints kafka-configs.sh's output (stderr joined); its exit status is the script's.
# Usage: scram.sh INSTALL BOOTSTRAP COMMAND_CONFIG upsert|delete|list [USER [PASSWORD_FILE]]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 bootstrap=$2 config=$3 action=$4 user=${5:-} pwfile=${6:-}

tool() {
    kafka_tool "$install" --bootstrap-server "$bootstrap" "$config" kafka-configs.sh \
        --entity-type users "$@"
}

configs() {
    tool --entity-name "$user" "$@"
}

case $action in
upsert)
    umask 077
    add=$(mktemp) || exit 1
    trap 'rm -f "$add" "$pwfile"' EXIT
    # Kafka reads `SCRAM-SHA-512=iterations=N,password=P` from a properties file (the bracket
    # form of --add-config is refused there); zkctl allows no ',' '\' or blanks in P.
    { printf 'SCRAM-SHA-512=iterations=8192,password='; cat "$pwfile"; printf '\n'; } >"$add" || exit 1
    configs --alter --add-config-file "$add"
    ;;
delete)
    configs --alter --delete-config SCRAM-SHA-512
    ;;
list)
    tool --describe
    ;;
*)
    echo "scram.sh: unknown action '$action'" >&2
    exit 2
    ;;
esac
