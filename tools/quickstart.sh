#!/usr/bin/env bash
# The two commands of a new user on a fresh Debian 12 machine:
#   tools/quickstart.sh run    install what is missing, build, run the kernel library
#   tools/quickstart.sh test   install what is missing, build, run every test
# Without a GPU everything runs on the CPU. Set MMREC_BUILD_DIR to build
# elsewhere than ./build.
set -euo pipefail

usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  run | test) mode=$1 ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
build=${MMREC_BUILD_DIR:-$root/build}

# Debian's packages: LLVM/MLIR 19 with FileCheck and lit, fmt, nlohmann-json,
# GoogleTest, Ninja, CMake, a compiler, Python for lit, ccache for rebuilds.
packages=(llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools libfmt-dev nlohmann-json3-dev
          libgtest-dev ninja-build cmake g++ python3 ccache)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "== installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "== configuring and building in $build"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build"

if [ "$mode" = test ]; then
  echo "== running the tests"
  ctest --test-dir "$build" --output-on-failure
  exit 0
fi

# The main job: verify the kernel library and check that its combiners are
# associative, then run every kernel on random inputs against its float64
# reference (on the CPU when there is no GPU).
status=0
for kernel in "$root"/kernels/*.mlir; do
  echo "== $(basename "$kernel"): verify, -mmrec-check-combiners"
  "$build/bin/mmrec-opt" -mmrec-check-combiners "$kernel" -o /dev/null && echo ok || status=1
done
for kernel in assoc_scan_exp linear_recurrence linear_recurrence_h0 linear_recurrence_rows decayed_sum chunk_aggregate; do
  echo "== mmrec-run $kernel"
  "$build/bin/mmrec-run" "$kernel" || status=1
done
exit $status
