#!/bin/sh
# Print FILE as USER sees it (read as USER, see lib.sh's user_reads: a link planted in a
# dir USER owns never shows root's view); nothing (and success) if it does not exist.
# Usage: read-file.sh USER FILE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
user=$1 f=$2
# shellcheck disable=SC2016
as_user "$user" sh -c '[ ! -e "$0" ] && [ ! -L "$0" ] || exec cat -- "$0"' "$f"
