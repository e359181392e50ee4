#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each for SECONDS (default 30).
#   bash tests/fuzz/run.sh [SECONDS] [TARGET...]     TARGET: inventory render srvr mntr quote
# The build dir ($FUZZ_BUILD_DIR, default build-fuzz) is compiled entirely by clang with
# ASan + UBSan and coverage instrumentation (-fsanitize=fuzzer-no-link). Each target runs
# on a scratch copy of tests/fuzz/corpus/<target>/, so nothing new lands in the repo.
# Exits 1 if any target crashed (or failed a property check); the crashing inputs and logs
# are kept under the scratch directory it prints. Reproduce one with
#   build-fuzz/tests/fuzz/fuzz_<target> <crash-file>
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-30}
[[ $# -gt 0 ]] && shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(inventory render srvr mntr quote)
build=${FUZZ_BUILD_DIR:-build-fuzz}

if [[ ! -f $build/build.ninja ]]; then
  CC=clang CXX=clang++ meson setup "$build" -Dfuzzing=true -Db_lundef=false \
    -Db_sanitize=address,undefined -Dbuildtype=debugoptimized \
    "-Dcpp_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -D_GLIBCXX_ASSERTIONS"
fi
ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz_}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/zkctl-fuzz.XXXXXX")
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t/corpus" "$scratch/$t/crashes"
  cp -R "tests/fuzz/corpus/$t/." "$scratch/$t/corpus/"
  dict=()
  [[ -f tests/fuzz/$t.dict ]] && dict=("-dict=tests/fuzz/$t.dict")
  printf '=== fuzz_%s for %ss\n' "$t" "$seconds"
  if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$scratch/$t/crashes/" "${dict[@]}" "$scratch/$t/corpus" \
       >"$scratch/$t/log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$scratch/$t/log" || true
  else
    failed+=("$t")
    tail -n 40 "$scratch/$t/log"
    ls -l "$scratch/$t/crashes"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  printf '\nFAILED: %s (crashes and logs in %s)\n' "${failed[*]}" "$scratch"
  exit 1
fi
rm -rf "$scratch"
printf '\nall fuzz targets ran %ss without a crash\n' "$seconds"
