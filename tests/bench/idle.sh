#!/bin/sh
# The idle TUI with every pane live, side by side with mtr's (benchmark,
# root, not part of make check).
#
# First, quiet: tubes with every pane on in an empty namespace of its own
# (trace to 127.0.0.1, capture on every interface, DNS idle).  Then
# `tubes --lab` runs in tmux (120x40): its client namespace has all four
# panes live (DNS to the lab's server, a trace through its routers, the
# capture on every interface, the sockets of the namespace) while the
# lab's background traffic goes on.  Nobody types.  After IDLE_WARMUP_SECS
# (10) the UI process's CPU (/proc/PID/schedstat, ns) and peak memory
# (VmHWM) are read over IDLE_SECS (30).  The same window is then measured
# for `mtr -n --curses` on the lab's web server from the same namespace
# (one pane of the four, for scale).  Targets (issue 6): <= 0.4% of a core
# and <= 16 MB.  Prints a Markdown table (IDLE_BENCH_OUT: also to a file).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (the lab builds namespaces)"
need_tool tmux
need_python
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
WARMUP=${IDLE_WARMUP_SECS:-10}
SECS=${IDLE_SECS:-30}
trap 'tb_cleanup' EXIT
# The quiet case: a namespace of its own with nothing going on.
ns_create idle

TUBES=$TUBES WARMUP=$WARMUP SECS=$SECS OUT=${IDLE_BENCH_OUT:-} NS=$NS \
    python3 - <<'EOF'
import os, shutil, subprocess, sys, time

TUBES, OUT = os.environ["TUBES"], os.environ["OUT"]
WARMUP, SECS = float(os.environ["WARMUP"]), float(os.environ["SECS"])
SOCK = "tubes-idle-%d" % os.getpid()
TMUX = ["tmux", "-L", SOCK, "-f", "/dev/null"]


def log(m):
    sys.stderr.write("idle bench: %s\n" % m)


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("VmHWM:"):
                return int(l.split()[1])
    return -1


def measure(cmd, find_pid, what):
    subprocess.run(TMUX + ["kill-server"], stderr=subprocess.DEVNULL)
    subprocess.run(TMUX + ["new-session", "-d", "-x", "120", "-y", "40",
                           cmd], check=True)
    try:
        top = int(subprocess.run(TMUX + ["display", "-p", "#{pane_pid}"],
                                 capture_output=True, text=True).stdout)
        time.sleep(WARMUP)
        pid = find_pid(top)
        if pid is None:
            log("%s: no process to measure" % what)
            return None
        c0, t0 = cpu_ns(pid), time.monotonic()
        time.sleep(SECS)
        c1, t1 = cpu_ns(pid), time.monotonic()
        screen = subprocess.run(TMUX + ["capture-pane", "-p"],
                                capture_output=True, text=True).stdout
        return {"pct": 100.0 * (c1 - c0) / ((t1 - t0) * 1e9),
                "hwm": hwm_kb(pid), "screen": screen}
    finally:
        subprocess.run(TMUX + ["send-keys", "q"], stderr=subprocess.DEVNULL)
        time.sleep(2)
        subprocess.run(TMUX + ["kill-server"], stderr=subprocess.DEVNULL)
        time.sleep(2)


def ui_of_lab(top):
    # tmux runs sh -c; the keeper is tubes, its child the UI.
    for p in [top] + children(top):
        try:
            exe = os.readlink("/proc/%d/exe" % p)
        except OSError:
            continue
        if exe.endswith("tubes"):
            # The keeper's children: the UI (comm "tubes") and the lab's
            # servers and traffic (forked too, renamed lab-*).
            kids = [k for k in children(p) if comm(k) == "tubes"]
            return kids[0] if kids else None
    return None


def ui_of(top):
    for p in [top] + children(top):
        if comm(p) == "tubes":
            return p
    return None


def mtr_of(top):
    for p in [top] + children(top):
        try:
            if "mtr" in os.readlink("/proc/%d/exe" % p):
                return p
        except OSError:
            pass
    return None


# Quiet: every pane on, nothing to see but the machine's own state: a
# trace to 127.0.0.1, the capture on every interface, the sockets, DNS.
Q = measure("ip netns exec %s %s -n -s 127.0.0.1:9 127.0.0.1" %
            (os.environ["NS"], TUBES), ui_of, "tubes (quiet)")
T = measure(TUBES + " --lab " + os.environ.get("IDLE_ARGS", ""), ui_of_lab,
            "tubes")
if T is None:
    sys.exit(1)
for word in ("www.lab.test", "198.51.100.10", "TIME_WAIT"):
    if word not in T["screen"]:
        log("the screen lacks %r: panes not all live?" % word)
M = None
if shutil.which("mtr"):
    # mtr alone, in a lab of its own: tubes --lab's keeper builds it, and
    # its UI then runs mtr instead of the panes is not possible, so the
    # lab is built by a tubes --lab --dump run kept alive for the window.
    lab = subprocess.Popen([TUBES, "--lab", "--dump", "-t",
                            str(int(WARMUP + SECS + 10))],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    time.sleep(3)
    M = measure("ip netns exec tubes-lab-client mtr -n --curses "
                "198.51.100.10", mtr_of, "mtr")
    lab.terminate()
    lab.wait(timeout=60)
rows = ["| idle TUI, every pane live | tubes, quiet namespace | tubes in the lab (traffic on) | mtr in the lab (trace only) | target |",
        "|---|---|---|---|---|",
        "| CPU, %% of a core over %d s | %s | %.3f%% | %s | <= 0.4%% |" %
        (SECS, "%.3f%%" % Q["pct"] if Q else "-", T["pct"],
         "%.3f%%" % M["pct"] if M else "-"),
        "| peak RSS (VmHWM) | %s | %.1f MB | %s | <= 16 MB |" %
        ("%.1f MB" % (Q["hwm"] / 1024.0) if Q else "-", T["hwm"] / 1024.0,
         "%.1f MB" % (M["hwm"] / 1024.0) if M else "-")]
report = "\n".join(rows) + "\n"
sys.stdout.write(report)
if OUT:
    open(OUT, "w").write(report)
EOF
