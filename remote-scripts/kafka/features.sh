#!/bin/sh
# The cluster's finalized feature levels (kafka-features.sh describe) or, with LEVEL, its
# metadata.version raised to LEVEL (upgrade --metadata LEVEL: only metadata.version, so a
# static controller quorum stays static, which --release-version would change), asked
# through BOOTSTRAP (host:port,...) with COMMAND_CONFIG's client properties (zkctl's admin
# identity on a secure cluster) when given. Prints the tool's output, stderr joined; exits
# with its status.
# Usage: features.sh INSTALL BOOTSTRAP COMMAND_CONFIG [LEVEL]
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
install=$1 bootstrap=$2 config=$3 level=${4:-}
if [ -n "$level" ]; then
    set -- upgrade --metadata "$level"
else
    set -- describe
fi
kafka_tool "$install" --bootstrap-server "$bootstrap" "$config" kafka-features.sh "$@"
