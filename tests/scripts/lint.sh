#!/usr/bin/env bash
# Lint the repo's shell with shellcheck: remote-scripts/ as POSIX sh with every finding (they
# run on dash), the bash scripts (scripts/, tests/, bench/) at warning level and above
# (their info-level findings are deliberate: single-quoted text written for another shell).
# Exit 77 (a skip for meson) if shellcheck is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v shellcheck >/dev/null; then
    echo "lint.sh: shellcheck not installed (apt-get install shellcheck)" >&2
    exit 77
fi
mapfile -t remote < <(find remote-scripts -name '*.sh' | sort)
shellcheck -s sh -x "${remote[@]}"
mapfile -t bash_scripts < <(find scripts tests bench -name '*.sh' -not -path '*/corpus/*' | sort)
shellcheck -s bash -S warning "${bash_scripts[@]}"
echo "lint.sh: shellcheck clean: ${#remote[@]} remote scripts (sh), ${#bash_scripts[@]} bash scripts"
