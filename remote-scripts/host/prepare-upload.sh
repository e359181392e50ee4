#!/bin/sh
# Make RELEASES (a releases dir) and drop temp files of uploads cut off earlier.
# Usage: prepare-upload.sh RELEASES
mkdir -p -- "$1" && rm -f -- "$1"/.*.zkctl-tmp-*
