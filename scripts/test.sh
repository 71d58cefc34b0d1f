#!/usr/bin/env bash
# Runs every test suite the way CI does: the unit, integration, media and browser suites
# against an AddressSanitizer/UBSan build, then the fuzz suite against a clang libFuzzer build.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
SUITES=${SUITES:-unit integration media e2e}
status=0

if [ ! -f build-test/build.ninja ]; then
  meson setup build-test --buildtype=debug -Db_sanitize=address,undefined >/dev/null || exit 1
fi
ninja -C build-test >/dev/null || { ninja -C build-test; exit 1; }

args=()
for s in $SUITES; do args+=(--suite "$s"); done
meson test -C build-test --print-errorlogs --num-processes 2 "${args[@]}" || status=1

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz --buildtype=debug -Dfuzzing=true >/dev/null || exit 1
  fi
  ninja -C build-fuzz >/dev/null || { ninja -C build-fuzz; exit 1; }
  meson test -C build-fuzz --print-errorlogs --num-processes 2 --suite fuzz || status=1
fi

python3 - <<'PY' || true
import json, os
results = {}
def read(path):
    if os.path.exists(path):
        for line in open(path):
            r = json.loads(line)
            results[(path.split("/")[0], r["name"])] = r.get("result")
read("build-test/meson-logs/testlog.json")
read("build-fuzz/meson-logs/testlog.json")
passed = sum(r in ("OK", "EXPECTEDFAIL") for r in results.values())
skipped = sum(r == "SKIP" for r in results.values())
failed = len(results) - passed - skipped
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
