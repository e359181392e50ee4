#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install packages, shellcheck and the remote
# scripts' tests, build, unit tests, a
# time-boxed fuzzing run ($ZKCTL_FUZZ_SECONDS per target, default 10), the sanitizer build
# of the unit tests, the SSH integration tests, the Debian package (built, unpacked and
# checked, installed and removed), then the end-to-end tests on
# the simulated hosts (which start and tear down the lab themselves). With the end-to-end
# tests, only zkctl itself is built first: everything else (the rest of the build, the unit,
# fuzz-corpus and integration tests, the fuzzing, sanitizer and package builds) runs beside
# them at idle priority, and either side failing fails the run. Run as root.
#   bash scripts/test.sh            everything
#   ZKCTL_E2E=0 bash scripts/test.sh   skip the end-to-end part (all of the rest in order)
#   ZKCTL_PACKAGE=0 bash scripts/test.sh   skip the Debian package stage
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "packages"
bash scripts/setup.sh

# Everything but the end-to-end tests: the checks and tests of the main build, then the other
# builds (libFuzzer with clang, the sanitizer build and its unit tests, the Debian package).
# `$1` multiplies the meson tests' timeouts (beside the end-to-end tests at idle priority the
# CLI and SSH tests' many runs take longer).
checks() {
  step "shellcheck (remote-scripts/ as POSIX sh, the repo's bash scripts)"
  bash tests/scripts/lint.sh

  step "remote scripts run by dash against temp dirs (no host)"
  /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/scripts

  step "build (all targets)"
  ninja -C build

  step "unit tests"
  meson test -C build --suite unit --print-errorlogs --timeout-multiplier "$1"

  step "promtool check config / check rules on the golden Prometheus files"
  bash tests/golden/prometheus/promtool.sh

  step "fuzz targets replaying their corpus"
  meson test -C build --suite fuzzing --print-errorlogs --timeout-multiplier "$1"

  step "integration tests (real sshd on loopback)"
  meson test -C build --suite integration --print-errorlogs --timeout-multiplier "$1"

  builds
}

# The other builds: libFuzzer (clang), the sanitizer build and its unit tests, the Debian package.
builds() {
  step "fuzzing, time-boxed (libFuzzer + ASan/UBSan, clang): ${ZKCTL_FUZZ_SECONDS:-10} s per target"
  bash tests/fuzz/run.sh "${ZKCTL_FUZZ_SECONDS:-10}"

  step "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  if [[ ! -f build-asan/build.ninja ]]; then
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
  fi
  ninja -C build-asan
  # At idle priority beside the end-to-end tests the CLI tests' many sanitized runs took over
  # their 30 s (the clean-clone run of 2026-11-30): a longer timeout here.
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    meson test -C build-asan --suite unit --print-errorlogs --timeout-multiplier 6

  if [[ "${ZKCTL_PACKAGE:-1}" != 0 ]]; then
    step "Debian package (dpkg-buildpackage, dpkg -x checks, dpkg -i / -r round trip)"
    bash scripts/check_package.sh
  fi
}

if [[ ! -f build/build.ninja ]]; then meson setup build; fi

if [[ "${ZKCTL_E2E:-1}" == 0 ]]; then
  checks 1
  exit 0
fi

# With the end-to-end stage, only zkctl is built before it, and the rest runs beside it at idle
# CPU and I/O priority: the end-to-end tests mostly wait on JVMs and sessions, and the rest
# fills those waits (about 15 minutes of a 2-core run), so the long stage starts minutes
# earlier. Its output is shown after the end-to-end stage; either failing fails the run.
step "build (zkctl, for the end-to-end tests)"
ninja -C build src/zkctl

bg_log=$(mktemp /var/tmp/zkctl-builds.XXXXXX)
(
  renice -n 19 -p "$BASHPID" >/dev/null
  ionice -c 3 -p "$BASHPID" 2>/dev/null || true
  checks 6
) >"$bg_log" 2>&1 &
bg_pid=$!
trap 'kill "$bg_pid" 2>/dev/null || true' EXIT

e2e_rc=0
step "end-to-end tests (simulated hosts, real sshd and ZooKeeper; the rest beside them at idle priority)"
ZKCTL_BIN="$PWD/build/src/zkctl" /usr/bin/python3 -m pytest tests/e2e -v -p no:cacheprovider --durations=25 || e2e_rc=$?

builds_rc=0
wait "$bg_pid" || builds_rc=$?
trap - EXIT
step "the rest, run beside the end-to-end tests (exit $builds_rc)"
cat "$bg_log"
rm -f "$bg_log"
if ((e2e_rc != 0)); then echo "end-to-end tests failed (exit $e2e_rc)" >&2; fi
if ((builds_rc != 0)); then echo "the rest, beside them, failed (exit $builds_rc)" >&2; fi
((e2e_rc == 0 && builds_rc == 0))
