#!/usr/bin/env python3
"""Runs every ```mlir block of a Markdown file through mmrec-opt.

Usage: check_examples.py MMREC_OPT FILE.md

Each block must parse, verify and pass -mmrec-check-combiners without a
diagnostic. Prints one line per block and exits 1 if any fails.
"""

import re
import subprocess
import sys


def main():
    tool, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    blocks = re.findall(r"^```mlir\n(.*?)^```", text, re.S | re.M)
    if not blocks:
        print(f"no mlir examples in {path}")
        return 1
    failed = 0
    for i, block in enumerate(blocks):
        proc = subprocess.run([tool, "-", "-mmrec-check-combiners"], input=block, text=True,
                              capture_output=True)
        ok = proc.returncode == 0 and not proc.stderr
        failed += not ok
        print(f"example {i}: {'ok' if ok else 'FAILED'}")
        if not ok:
            print(block + proc.stderr)
    print(f"{len(blocks)} examples, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
