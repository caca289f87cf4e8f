#!/usr/bin/env python3
"""Feeds mmrec-opt truncated and garbled versions of valid IR files.

Usage: malformed_inputs.py MMREC_OPT SEED_FILE... [--cases N] [--seed S]

Every run must end with exit status 0 (the garbling left valid IR) or 1
with an "error:" diagnostic; a signal (crash), another status, a missing
diagnostic or a hang fails the test, which prints the input that did it.
Truncations of a file inside its last kernel must be rejected.
"""

import argparse
import concurrent.futures
import os
import random
import re
import subprocess
import sys
import tempfile

# Fragments that lead the parser and verifiers into their corners: wrong
# numbers, wrong types, unbalanced brackets, generic-form properties.
FRAGMENTS = [
    "axis = 9", "axis = -3", "chunk = 0", "chunk = -1", "axis = 0", "reverse", "exclusive",
    "inits(", ")", "(", "{", "}", "[", "]", "<", ">", ",", ":", "->", "=", "%0", "%arg0",
    "%1#3", "^bb0(%x: f32):", "^bb1:", "mmrec.yield", "mmrec.yield %x : f32", "mmrec.scan",
    "mmrec.map", "mmrec.reduce", "mmrec.load", "mmrec.store", "mmrec.kernel @k()",
    "tensor<?xf32>", "tensor<4x0xbf16>", "tensor<*xf32>", "memref<?xi1>", "f16", "i1", "index",
    "vector<4xf32>", "affine_map<(d0) -> (d0)>", "affine_map<(d0)[s0] -> (s0)>", "maps []",
    "#mmrec.tiling<strategy = lanes, chunk = 0, lanes = 1, vector = 3, warps = 99>",
    "#mmrec.tune_space<chunk = []>", "#mmrec.numerics<acc = i8, eps = -1.0>",
    "operandSegmentSizes = array<i32: 7, 0>", "operandSegmentSizes = array<i32: 0>",
    "identity = [1 : i64]", "identity = []", "{tiling = 3 : i32}", "1.0e400", "0x7FC00000",
    "arith.constant 0 : i32", "arith.divsi %arg0, %arg0 : i32", "func.return", "\"mmrec.scan\"()",
]


def truncations(text, rng, count):
    """Cut points inside the last kernel, where every cut is malformed."""
    kernels = [m.start() for m in re.finditer(r'^\s*"?mmrec\.kernel', text, re.M)]
    start = kernels[-1] if kernels else -1
    end = text.rfind("}")
    if start < 0 or end <= start:
        return []
    points = sorted(rng.sample(range(start, end), min(count, end - start)))
    return [(f"truncated at byte {p}", text[:p], True) for p in points]


def garblings(text, rng, count):
    cases = []
    lines = text.splitlines(keepends=True)
    for i in range(count):
        kind = i % 6
        if kind == 0 and text:  # replace a span with a fragment
            a = rng.randrange(len(text))
            b = min(len(text), a + rng.randrange(1, 12))
            mutated = text[:a] + rng.choice(FRAGMENTS) + text[b:]
        elif kind == 1 and text:  # delete a span
            a = rng.randrange(len(text))
            mutated = text[:a] + text[a + rng.randrange(1, 40):]
        elif kind == 2 and lines:  # duplicate a line
            j = rng.randrange(len(lines))
            mutated = "".join(lines[: j + 1] + [lines[j]] + lines[j + 1:])
        elif kind == 3 and len(lines) > 1:  # swap two lines
            j, k = rng.sample(range(len(lines)), 2)
            swapped = list(lines)
            swapped[j], swapped[k] = swapped[k], swapped[j]
            mutated = "".join(swapped)
        elif kind == 4 and text:  # overwrite a byte
            a = rng.randrange(len(text))
            mutated = text[:a] + chr(rng.randrange(32, 127)) + text[a + 1:]
        else:  # change a number
            numbers = [m.span() for m in re.finditer(r"-?\d+", text)]
            if not numbers:
                continue
            a, b = rng.choice(numbers)
            value = rng.choice(["0", "-1", "1", "2", "3", "7", "64", "4096", "99999999999999999999"])
            mutated = text[:a] + value + text[b:]
        cases.append((f"garbling #{i} (kind {kind})", mutated, False))
    return cases


def run_case(tool, name, text, must_fail, passes):
    cmd = [tool, "-"] + passes
    try:
        proc = subprocess.run(cmd, input=text.encode("utf-8", "replace"), capture_output=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        return f"{name}: hang (over 60 s)"
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode < 0:
        return f"{name}: killed by signal {-proc.returncode}\n{stderr[-2000:]}"
    if proc.returncode not in (0, 1):
        return f"{name}: exit status {proc.returncode}\n{stderr[-2000:]}"
    if proc.returncode == 1 and "error:" not in stderr:
        return f"{name}: exit status 1 without an error diagnostic\n{stderr[-2000:]}"
    if must_fail and proc.returncode == 0:
        return f"{name}: a truncated file was accepted"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tool")
    parser.add_argument("seeds", nargs="+")
    parser.add_argument("--cases", type=int, default=40, help="truncations and garblings per seed")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--passes", default="-mmrec-check-combiners -canonicalize",
                        help="mmrec-opt options to run on every input")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    cases = []
    for path in args.seeds:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        generic = subprocess.run([args.tool, path, "-mlir-print-op-generic"], capture_output=True,
                                 text=True)
        if generic.returncode != 0:
            print(f"seed {path} does not parse:\n{generic.stderr}")
            return 1
        for form, source in (("custom", text), ("generic", generic.stdout)):
            label = f"{os.path.basename(path)} ({form} form)"
            for name, mutated, must_fail in (truncations(source, rng, args.cases // 2) +
                                             garblings(source, rng, args.cases)):
                cases.append((f"{label}: {name}", mutated, must_fail))

    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {pool.submit(run_case, args.tool, name, text, must_fail, args.passes.split()):
                   (name, text)
                   for name, text, must_fail in cases}
        for future in concurrent.futures.as_completed(futures):
            problem = future.result()
            if problem:
                failures.append((problem, futures[future][1]))
    print(f"{len(cases)} malformed inputs fed to mmrec-opt, {len(failures)} failures")
    for problem, text in failures[:5]:
        with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as f:
            f.write(text)
        print(f"FAILURE: {problem}\n  input saved as {f.name}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
