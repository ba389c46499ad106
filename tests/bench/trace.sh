#!/bin/sh
# Trace pane benchmark (make bench; not part of make check).
#
# On a chain of 15 routers (tests/netchain.sh), from the client namespace,
# side by side in each round (so drift hits them alike), medians over the
# rounds:
#   mtr -n --report -c 1 SERVER
#   traceroute -n -I SERVER            (ICMP echo)
#   traceroute -n SERVER               (UDP, the default)
#   tubes --dump --json --panes trace -n SERVER          (ICMP)
#   tubes --dump --json --panes trace -n -P udp SERVER
# Wall time is fork to exit of the tool itself: the driver runs inside the
# client namespace (one ip netns exec for the whole run, none per tool).
# Probes are counted apart from the timed runs, with tcpdump in the client
# namespace: packets from the client to the server that are ICMP echo
# requests or UDP, as the kernel's filter counted them (PROBE_ROUNDS runs
# per tool, median).  Then router 8
# is made silent and it all runs again.  Last, the TUI: tubes --panes trace
# -n SERVER in tmux (inside the namespace) for TUI_SECS seconds; CPU is
# utime + stime from /proc/PID/stat over that window (after a 2 s start;
# /proc/PID/schedstat's nanoseconds are reported too), memory VmHWM from /proc/PID/status, probes per second from tcpdump.
# Until tubes has a trace pane its rows say "not built"; mtr and traceroute
# still run.
#
# Environment: TRACE_BENCH_ROUNDS (5), TRACE_BENCH_PROBE_ROUNDS (3),
# TRACE_BENCH_TUI_SECS (20), TRACE_BENCH_ROUTERS (15), TRACE_BENCH_SILENT
# (8), TRACE_BENCH_OUT (also write the Markdown report there).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

ROUNDS=${TRACE_BENCH_ROUNDS:-5}
PROBE_ROUNDS=${TRACE_BENCH_PROBE_ROUNDS:-3}
TUI_SECS=${TRACE_BENCH_TUI_SECS:-20}
ROUTERS=${TRACE_BENCH_ROUTERS:-15}
SILENT=${TRACE_BENCH_SILENT:-8}

need_root
need_python
need_tool mtr
need_tool traceroute
need_tool tcpdump
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

chain_build "$ROUTERS"

# The driver: python3 DRIVER PHASE OUTFILE (inside the client namespace).
DRIVER=$TRACE_DIR/driver.py
cat >"$DRIVER" <<'EOF'
import json, os, re, signal, statistics, subprocess, sys, time

phase, outpath = sys.argv[1:3]
E = os.environ
server, client = E["CHAIN_SERVER4"], E["CHAIN_CLIENT4"]
tubes, d = E["TUBES"], E["TRACE_DIR"]
rounds, prounds = int(E["ROUNDS"]), int(E["PROBE_ROUNDS"])
nhops = int(E["CHAIN_N"]) + 1

def log(msg):
    sys.stderr.write("trace bench: %s\n" % msg)

TOOLS = [
    ("mtr", ["mtr", "-n", "--report", "-c", "1", server]),
    ("traceroute -I", ["traceroute", "-n", "-I", server]),
    ("traceroute (UDP)", ["traceroute", "-n", server]),
    ("tubes", [tubes, "--dump", "--json", "--panes", "trace", "-n", server]),
    ("tubes -P udp", [tubes, "--dump", "--json", "--panes", "trace", "-n",
                      "-P", "udp", server]),
]

def hops_seen(name, out):
    """How many TTLs answered, and whether the server did."""
    if name.startswith("tubes"):
        try:
            tr = json.loads(out)["trace"]
        except (ValueError, KeyError, TypeError):
            return 0, False
        seen = sum(1 for h in tr.get("hops", []) if h.get("responders"))
        return seen, bool(tr.get("reached"))
    addrs = re.findall(r"^\s*\d+\.?(?:\|--)?\s+(\d+\.\d+\.\d+\.\d+)", out,
                       re.M)
    return len(addrs), server in addrs

def run(name, argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=120)
    wall = time.perf_counter() - t0
    out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    if name.startswith("tubes") and "not built yet" in err:
        return None
    seen, reached = hops_seen(name, out)
    return dict(wall=wall, rc=p.returncode, seen=seen, reached=reached,
                err=err.strip()[:300])

PROBE_FILTER = ("src host %s and dst host %s and (icmp[icmptype] == "
                "icmp-echo or udp)" % (client, server))

def tcpdump_start():
    """tcpdump on the client's interfaces, probes to the server only.
    Immediate mode with a big buffer: a burst of probes at once is not
    dropped, and nothing waits in a half-filled block at the end."""
    tf = open(d + "/tcpdump.err", "w+b")
    td = subprocess.Popen(["tcpdump", "-i", "any", "-n", "-p", "-B", "16384",
                           "--immediate-mode", "-w", d + "/probes.pcap",
                           PROBE_FILTER],
                          stdout=subprocess.DEVNULL, stderr=tf)
    for _ in range(100):
        tf.seek(0)
        if b"listening on" in tf.read():
            return td, tf
        time.sleep(0.05)
    td.kill()
    td.wait()
    raise SystemExit("trace bench: tcpdump did not start")

def tcpdump_stop(td, tf):
    """The packets the filter matched (the kernel's count, so a packet
    tcpdump failed to copy is counted still)."""
    time.sleep(0.3)
    td.send_signal(signal.SIGINT)
    td.wait(timeout=10)
    tf.seek(0)
    err = tf.read().decode("utf-8", "replace")
    tf.close()
    m = re.search(r"(\d+) packets? received by filter", err)
    if m:
        return int(m.group(1))
    r = subprocess.run(["tcpdump", "-n", "-r", d + "/probes.pcap"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return len(r.stdout.splitlines())

def count_probes(argv):
    """Packets the client sends the server while argv runs."""
    td, tf = tcpdump_start()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)
    return tcpdump_stop(td, tf)

def bench():
    res = {name: dict(runs=[], probes=[]) for name, _ in TOOLS}
    built = True
    # Warm-up: page cache, neighbour entries, the routers' first packets.
    for name, argv in TOOLS:
        if run(name, argv) is None:
            built = False
    tools = [(n, a) for n, a in TOOLS if built or not n.startswith("tubes")]
    for i in range(rounds):
        line = []
        for name, argv in tools:
            r = run(name, argv)
            res[name]["runs"].append(r)
            line.append("%s %.3f s (%d hops%s)" % (
                name, r["wall"], r["seen"], ", reached" if r["reached"]
                else ""))
        log("%s round %d: %s" % (phase, i + 1, "; ".join(line)))
    for i in range(prounds):
        for name, argv in tools:
            res[name]["probes"].append(count_probes(argv))
    log("%s probes: %s" % (phase, ", ".join(
        "%s %s" % (n, res[n]["probes"]) for n, _ in tools)))
    out = {}
    for name, _ in TOOLS:
        rs = res[name]["runs"]
        if not rs:
            out[name] = None
            continue
        out[name] = dict(
            wall=statistics.median(r["wall"] for r in rs),
            wall_min=min(r["wall"] for r in rs),
            wall_max=max(r["wall"] for r in rs),
            probes=statistics.median(res[name]["probes"]),
            seen=min(r["seen"] for r in rs),
            reached=all(r["reached"] for r in rs),
            rc=sorted(set(r["rc"] for r in rs)), err=rs[-1]["err"])
    return out

def stat_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])    # utime, stime

def run_ns(pid):
    """CPU time on the scheduler's clock (ns), or None."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None

def hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("VmHWM:"):
                return int(l.split()[1])
    return None

def tui():
    secs = float(E["TUI_SECS"])
    sock = "tubes-bench-trace-%d" % os.getpid()
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    try:
        subprocess.run(tmux + ["new-session", "-d", "-x", "120", "-y", "40",
                               "exec %s --panes trace -n %s" % (tubes, server)],
                       check=True)
        pid = int(subprocess.run(tmux + ["display", "-p", "#{pane_pid}"],
                                 stdout=subprocess.PIPE, check=True)
                  .stdout.decode().strip())
        time.sleep(2)
        screen = subprocess.run(tmux + ["capture-pane", "-p"],
                                stdout=subprocess.PIPE).stdout.decode(
                                    "utf-8", "replace")
        if "not built yet" in screen or not os.path.exists("/proc/%d" % pid):
            return None
        td, tf = tcpdump_start()
        hz = os.sysconf("SC_CLK_TCK")
        t0, c0, n0 = time.perf_counter(), stat_ticks(pid), run_ns(pid)
        time.sleep(secs)
        t1, c1, n1 = time.perf_counter(), stat_ticks(pid), run_ns(pid)
        hwm = hwm_kb(pid)
        npk = tcpdump_stop(td, tf)
        screen = subprocess.run(tmux + ["capture-pane", "-p"],
                                stdout=subprocess.PIPE).stdout.decode(
                                    "utf-8", "replace")
        return dict(cpu_pct=100.0 * (c1 - c0) / hz / (t1 - t0), secs=t1 - t0,
                    cpu_s=(c1 - c0) / hz, hwm_kb=hwm, probes_per_s=npk /
                    (t1 - t0), shows_server=server in screen,
                    sched_pct=(100.0 * (n1 - n0) / 1e9 / (t1 - t0)
                               if n0 is not None and n1 is not None
                               else None))
    finally:
        subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
        try:
            os.unlink("%s/tmux-%d/%s" % (E.get("TMUX_TMPDIR", "/tmp"),
                                         os.getuid(), sock))
        except OSError:
            pass

if phase == "tui":
    r = tui()
else:
    r = bench()
with open(outpath, "w") as f:
    json.dump(r, f)
EOF

export TUBES TRACE_DIR ROUNDS PROBE_ROUNDS TUI_SECS
nsx python3 "$DRIVER" normal "$TRACE_DIR/normal.json" ||
    hard_error "the benchmark driver failed"
chain_set_silent "$SILENT"
nsx python3 "$DRIVER" silent "$TRACE_DIR/silent.json" ||
    hard_error "the benchmark driver failed"
if nsx "$TUBES" --dump --json --panes trace -n -c 1 "$CHAIN_HOP4_1" 2>&1 \
    >/dev/null | grep -q "not built yet"; then
	tb_log "tubes has no trace pane yet: TUI figures skipped"
	echo null >"$TRACE_DIR/tui.json"
elif command -v tmux >/dev/null 2>&1; then
	# The TUI traces the path with the silent hop removed again.
	for _sn in $(_chain_nodes_at "$SILENT"); do
		chain_x "$_sn" nft delete table inet tubes_chain 2>/dev/null ||
		    chain_x "$_sn" iptables -F OUTPUT
	done
	unset TMUX
	nsx python3 "$DRIVER" tui "$TRACE_DIR/tui.json" ||
	    hard_error "the benchmark driver failed"
else
	tb_log "no tmux: TUI figures skipped"
	echo null >"$TRACE_DIR/tui.json"
fi

python3 - "$TRACE_DIR" "$TUBES" "$ROUNDS" "$PROBE_ROUNDS" "$ROUTERS" \
    "$SILENT" "${TRACE_BENCH_OUT:-}" <<'EOF'
import json, os, platform, subprocess, sys, time

d, tubes, rounds, prounds, routers, silent, outpath = sys.argv[1:8]
N = json.load(open(d + "/normal.json"))
S = json.load(open(d + "/silent.json"))
T = json.load(open(d + "/tui.json"))

def ver(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        return p.stdout.decode("utf-8", "replace").strip().splitlines()[0]
    except Exception:
        return "?"

cpu = "?"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu = l.split(":", 1)[1].strip()
        break

L = []
L.append("Run of %s UTC; load average %s at the end; %d cores (%s), "
         "Linux %s." % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                        open("/proc/loadavg").read().split()[0],
                        os.cpu_count(), cpu, platform.release()))
L.append("Versions: %s; %s; %s." % (ver(["mtr", "--version"]),
         ver(["traceroute", "--version"]), ver([tubes, "-V"])))
L.append("Chain of %s routers in network namespaces (tests/netchain.sh), "
         "target at TTL %d; medians of %s rounds, probes medians of %s "
         "runs counted with tcpdump in the client namespace." %
         (routers, int(routers) + 1, rounds, prounds))
L.append("")

def table(title, R):
    L.append("| %s | wall (ms) | min–max (ms) | probes sent | hops answered "
             "| reached |" % title)
    L.append("|---|---:|---:|---:|---:|---|")
    for name in ("mtr", "traceroute -I", "traceroute (UDP)", "tubes",
                 "tubes -P udp"):
        r = R.get(name)
        label = {"mtr": "mtr -n --report -c 1",
                 "traceroute -I": "traceroute -n -I",
                 "traceroute (UDP)": "traceroute -n (UDP)",
                 "tubes": "tubes --dump --json --panes trace -n (ICMP)",
                 "tubes -P udp": "tubes ... -P udp"}[name]
        if r is None:
            L.append("| %s | not built | | | | |" % label)
            continue
        L.append("| %s | %.1f | %.1f–%.1f | %g | %d of %d | %s |" % (
            label, r["wall"] * 1000, r["wall_min"] * 1000,
            r["wall_max"] * 1000, r["probes"], r["seen"], int(routers) + 1,
            "yes" if r["reached"] else "**no**"))
    L.append("")

table("%s routers" % routers, N)
table("%s routers, router %s silent" % (routers, silent), S)

def ratio(a, b):
    return a / b if a is not None and b else None

m, t = N.get("mtr"), N.get("tubes")
rw = ratio(t and t["wall"], m and m["wall"])
rp = ratio(t and t["probes"], m and m["probes"])
sw = S.get("tubes") and S["tubes"]["wall"]
L.append("| target | measured | met? |")
L.append("|---|---|---|")
def row(desc, val, fmt, ok):
    if val is None:
        L.append("| %s | not built | |" % desc)
    else:
        L.append("| %s | %s | %s |" % (desc, fmt % val,
                                        "yes" if ok(val) else "**no**"))
row("tubes wall / mtr wall ≤ 0.01", rw, "%.4f×", lambda v: v <= 0.01)
row("tubes probes / mtr probes ≤ 1.2", rp, "%.2f×", lambda v: v <= 1.2)
row("wall with a silent hop ≤ 0.1 s", sw, "%.3f s", lambda v: v <= 0.1)
row("TUI CPU ≤ 0.4%% (%s s window)" % (T and "%.0f" % T["secs"] or "?"),
    T and T["cpu_pct"], "%.2f%%", lambda v: v <= 0.4)
row("TUI peak RSS (VmHWM) ≤ 8 MB", T and T["hwm_kb"], "%d KB",
    lambda v: v <= 8192)
L.append("")
if T:
    L.append("- TUI: %.2f s of CPU (utime + stime, 10 ms ticks) over %.1f s"
             "%s, %.1f probes/s on the wire, server on screen: %s." % (
             T["cpu_s"], T["secs"], "; %.3f%% by /proc/PID/schedstat (ns)" %
             T["sched_pct"] if T.get("sched_pct") is not None else "",
             T["probes_per_s"], "yes" if T["shows_server"] else "**no**"))
for name, R in (("plain", N), ("silent hop", S)):
    r = R.get("tubes")
    if r and (r["rc"] != [0] or r["err"]):
        L.append("- tubes (%s): exit %s, stderr: %s" % (name, r["rc"],
                 r["err"] or "-"))
report = "\n".join(L) + "\n"
sys.stdout.write(report)
if outpath:
    open(outpath, "w").write(report)
EOF
