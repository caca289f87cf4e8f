#!/usr/bin/env python3
"""Starts several mmrec-run processes at once on one empty cache directory.

Usage: concurrent_cache.py MMREC_RUN CACHE_DIR PROCESSES

All must pass, and the cache must end with one whole entry per kernel that
the next run loads without rebuilding.
"""

import os
import shutil
import subprocess
import sys


def main():
    tool, cache, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, MMREC_CACHE_DIR=cache, MMREC_LOG="info")
    kernels = ["assoc_scan_exp", "decayed_sum"]
    procs = []
    for i in range(count):
        kernel = kernels[i % len(kernels)]
        shape = "1,2,50,3" if kernel == "assoc_scan_exp" else "1,20,2,3"
        procs.append(subprocess.Popen([tool, kernel, "--shape", shape, "--seed", str(i)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
    failed = 0
    for p in procs:
        out, err = p.communicate(timeout=300)
        if p.returncode != 0 or "result   PASS" not in out:
            failed += 1
            print(f"FAILED (exit {p.returncode}):\n{out}\n{err}")
    entries = [f for f in os.listdir(cache) if f.endswith(".o")]
    leftovers = [f for f in os.listdir(cache) if ".tmp-" in f]
    print(f"{count} processes, {failed} failed, {len(entries)} cache entries, "
          f"{len(leftovers)} temporary files left")
    # A later run finds the entries whole.
    for kernel in kernels:
        shape = "1,2,50,3" if kernel == "assoc_scan_exp" else "1,20,2,3"
        run = subprocess.run([tool, kernel, "--shape", shape, "--seed", "1"], env=env,
                             capture_output=True, text=True)
        print(f"{kernel}: {'loaded from the cache' if 'loaded from the cache' in run.stderr else 'not loaded'}"
              f", {'discarded' if 'corrupt' in run.stderr else 'whole'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
