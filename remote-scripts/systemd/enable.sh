#!/bin/sh
# Reload systemd's units and enable UNIT.
# Usage: enable.sh UNIT
set -eu
systemctl daemon-reload
systemctl enable --quiet -- "$1"
