#!/usr/bin/env bash
# Makes a self-contained bundle of a build for a GPU host that has the NVIDIA
# driver (and the CUDA toolkit's libdevice) but no LLVM/MLIR: the tools, the
# runtime library and the test programs, stripped, plus Debian's LLVM/MLIR
# runtime packages (libllvm19, libmlir-19, libz3-4; about 44 MB), and run.sh,
# which unpacks those packages once and runs the GPU tests and every library
# kernel through mmrec-run on the GPU. Within 64 MiB.
#
#   tools/gpu-bundle.sh [BUILD_DIR] OUT_DIR      (BUILD_DIR default: build)
#   OUT_DIR/run.sh                               (on the GPU host: tests + mmrec-run)
#   OUT_DIR/run.sh mmrec-run decayed_sum --device cuda   (any bundled command)
set -euo pipefail

if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit $([[ $# -lt 1 ]] && echo 2 || echo 0)
fi
build=build
[[ $# -ge 2 ]] && { build=$1; shift; }
out=$1
for f in bin/mmrec-run bin/mmrec-opt bin/mmrec-translate bin/mmrec-bench \
         test/unit/mmrec-runtime-tests test/unit/mmrec-compiler-tests; do
  [[ -x $build/$f ]] || { echo "gpu-bundle: $build/$f is missing: build first" >&2; exit 2; }
done

mkdir -p "$out/bin" "$out/lib" "$out/debs"
echo "gpu-bundle: binaries from $build"
cp "$build"/bin/mmrec-{run,opt,translate,bench} "$out/bin/"
cp "$build"/test/unit/mmrec-{runtime,compiler}-tests "$out/bin/"
soname=$(readelf -d "$build/runtime/libmmrec.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
cp -L "$build/runtime/libmmrec.so" "$out/lib/$soname"
strip --strip-unneeded "$out"/bin/* "$out"/lib/*

echo "gpu-bundle: Debian's LLVM/MLIR runtime packages"
for package in libllvm19 libmlir-19 libz3-4; do
  if ! ls "$out"/debs/"$package"_*.deb >/dev/null 2>&1; then
    (cd "$out/debs" && apt-get download "$package" >/dev/null)
  fi
done

cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the bundled GPU tests and every library kernel on the GPU, or, with
# arguments, one bundled command (mmrec-run, mmrec-bench, ...).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
llvm=${TMPDIR:-/tmp}/mmrec-llvm19
if [[ ! -d $llvm/usr ]]; then
  mkdir -p "$llvm"
  for deb in "$here"/debs/*.deb; do dpkg -x "$deb" "$llvm"; done
fi
export LD_LIBRARY_PATH=$here/lib:$llvm/usr/lib/llvm-19/lib:$llvm/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export MMREC_CACHE_DIR=${MMREC_CACHE_DIR:-${TMPDIR:-/tmp}/mmrec-cache}
export PATH=$here/bin:$PATH
if [[ $# -gt 0 ]]; then
  exec "$@"
fi
status=0
mmrec-compiler-tests || status=1
mmrec-runtime-tests || status=1
for kernel in assoc_scan_exp linear_recurrence linear_recurrence_h0 linear_recurrence_rows decayed_sum chunk_aggregate; do
  mmrec-run "$kernel" --device cuda --seed 1 || status=1
done
echo "run.sh: $([[ $status == 0 ]] && echo PASS || echo FAIL)"
exit $status
RUN
chmod +x "$out/run.sh"
du -sh "$out"
