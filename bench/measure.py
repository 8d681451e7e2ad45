#!/usr/bin/env python3
"""Runs a command and prints its wall-clock seconds and peak resident memory (its own
process, from wait4's rusage), as `seconds=S peak_rss_mb=M exit=E`. Output of the command
goes to /dev/null unless --show is given.

    bench/measure.py [--show] -- COMMAND ARGS...
"""
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    show = False
    if args and args[0] == "--show":
        show, args = True, args[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    out = None if show else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=out, stderr=out)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    print(f"seconds={seconds:.3f} peak_rss_mb={usage.ru_maxrss / 1024:.1f} exit={code}")
    sys.exit(0 if code == 0 else 1)


if __name__ == "__main__":
    main()
