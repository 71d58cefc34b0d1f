#!/usr/bin/env bash
# build.sh DIR [meson options…]: configure DIR once (meson), then compile it (ninja).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}; shift || true
case "$dir" in
  build-bench) opts=(--buildtype=release -Db_ndebug=if-release) ;;
  *) opts=(--buildtype=debugoptimized) ;;
esac
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "${opts[@]}" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null || ninja -C "$dir"
