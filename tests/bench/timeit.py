#!/usr/bin/env python3
"""Time commands interleaved, the way tests/bench/sockets.sh needs it.

    timeit.py RUNS NAME=COMMAND [NAME=COMMAND ...]

Runs one warm-up of each command, then RUNS rounds; each round runs every
command once, in order, so slow drift (TIME_WAIT expiring, CPU frequency)
hits all of them alike.  A command with a pipe runs under sh -c, any other
is executed directly (no shell in the measurement).  stdout goes to
/dev/null.  Prints one tab-separated line per command:

    NAME  median_ms  min_ms  max_ms  runs

(No RSS here: a child's ru_maxrss keeps the high-water mark of the
forked Python image across execve; use /usr/bin/time -f %M.)
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def run_once(argv):
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=devnull, stderr=subprocess.PIPE)
    _, status = os.waitpid(proc.pid, 0)
    elapsed_ms = (time.perf_counter() - t0) * 1000
    os.close(devnull)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        sys.exit("timeit: %s exited %d: %s" % (argv, proc.returncode, err))
    return elapsed_ms


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    cmds = []
    for arg in sys.argv[2:]:
        name, _, cmd = arg.partition("=")
        argv = ["sh", "-c", cmd] if "|" in cmd else shlex.split(cmd)
        cmds.append((name, argv))
    times = {name: [] for name, _ in cmds}
    for name, argv in cmds:
        run_once(argv)
    for _ in range(runs):
        for name, argv in cmds:
            times[name].append(run_once(argv))
    for name, _ in cmds:
        t = times[name]
        print("%s\t%.2f\t%.2f\t%.2f\t%d" % (name, statistics.median(t),
              min(t), max(t), len(t)))


if __name__ == "__main__":
    main()
