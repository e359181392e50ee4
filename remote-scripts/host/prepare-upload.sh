#!/bin/sh
# Make RELEASES (a releases dir) and its parent root's and writable by no one else
# (root_dir: uploads are written there as root), and drop temp files of uploads cut off
# earlier.
# Usage: prepare-upload.sh RELEASES
set -eu
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
mkdir -p -- "$1"
root_dir "$(dirname -- "$1")"
root_dir "$1"
rm -f -- "$1"/.*.zkctl-tmp-*
