#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install packages, shellcheck and the remote
# scripts' tests, build, unit tests, a
# time-boxed fuzzing run ($ZKCTL_FUZZ_SECONDS per target, default 10), the sanitizer build
# of the unit tests, the SSH integration tests, the Debian package (built, unpacked and
# checked, installed and removed), then the end-to-end tests on
# the simulated hosts (which start and tear down the lab themselves). Run as root.
#   bash scripts/test.sh            everything
#   ZKCTL_E2E=0 bash scripts/test.sh   skip the end-to-end part
#   ZKCTL_PACKAGE=0 bash scripts/test.sh   skip the Debian package stage
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "packages"
bash scripts/setup.sh

step "shellcheck (remote-scripts/ as POSIX sh, the repo's bash scripts)"
bash tests/scripts/lint.sh

step "remote scripts run by dash against temp dirs (no host)"
/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/scripts

step "build"
if [[ ! -f build/build.ninja ]]; then meson setup build; fi
ninja -C build

step "unit tests"
meson test -C build --suite unit --print-errorlogs

step "promtool check config / check rules on the golden Prometheus files"
bash tests/golden/prometheus/promtool.sh

step "fuzz targets replaying their corpus"
meson test -C build --suite fuzzing --print-errorlogs

step "fuzzing, time-boxed (libFuzzer + ASan/UBSan, clang): ${ZKCTL_FUZZ_SECONDS:-10} s per target"
bash tests/fuzz/run.sh "${ZKCTL_FUZZ_SECONDS:-10}"

step "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
if [[ ! -f build-asan/build.ninja ]]; then
  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
fi
ninja -C build-asan
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  meson test -C build-asan --suite unit --print-errorlogs

step "integration tests (real sshd on loopback)"
meson test -C build --suite integration --print-errorlogs

if [[ "${ZKCTL_PACKAGE:-1}" != 0 ]]; then
  step "Debian package (dpkg-buildpackage, dpkg -x checks, dpkg -i / -r round trip)"
  bash scripts/check_package.sh
fi

if [[ "${ZKCTL_E2E:-1}" != 0 ]]; then
  step "end-to-end tests (simulated hosts, real sshd and ZooKeeper)"
  # --durations: where the suite's time goes (its budget is 45 minutes on 2 cores)
  ZKCTL_BIN="$PWD/build/src/zkctl" /usr/bin/python3 -m pytest tests/e2e -v -p no:cacheprovider --durations=25
fi
