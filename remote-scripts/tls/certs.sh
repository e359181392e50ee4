#!/bin/sh
# Print the certificates (only the BEGIN/END CERTIFICATE blocks, never a key) of each FILE
# a node holds (node.pem, ca.pem), read as root but only when root_private says nobody but
# root could have put the file or a link there. Per FILE one header line, then its blocks:
#   file=FILE      the blocks follow
#   absent=FILE    no such file
#   refused=FILE   a link, not root's, or in a dir others may write: not read
# Usage: certs.sh FILE...
set -u
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
for f in "$@"; do
  if [ ! -e "$f" ] && [ ! -L "$f" ]; then
    printf 'absent=%s\n' "$f"
  elif root_private "$f"; then
    printf 'file=%s\n' "$f"
    sed -n '/^-----BEGIN CERTIFICATE-----/,/^-----END CERTIFICATE-----/p' <"$f"
  else
    printf 'refused=%s\n' "$f"
  fi
done
