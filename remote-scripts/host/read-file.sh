#!/bin/sh
# Print FILE; nothing (and success) if it does not exist.
# Usage: read-file.sh FILE
[ ! -e "$1" ] || cat -- "$1"
