#!/bin/sh
# DNS pane benchmark (make bench; not part of make check).
#
# nsd serves tests/dns/lab.test.zone on a free loopback port, with response
# rate limiting off; a wildcard answers n0.bench.lab.test ... nN.  Each
# round sends the same N (10,000) distinct A lookups with, in turn:
#   dnsperf -s 127.0.0.1 -p PORT -d FILE -c 1 -q 100 -n 1   (100 in flight)
#   tubes --dump --json --panes dns -s 127.0.0.1:PORT -q @FILE
#   dig -f FILE   (sequential; timed as it is, fewer rounds: it is slow)
# so drift hits all of them alike.  Figures are medians over the rounds.
# Every run goes through /usr/bin/time: peak RSS is its %M, CPU time the
# rusage wait4(2) returns for time and its child (microseconds, rather
# than time's 10 ms %U/%S).  "lost" is N minus the NOERROR answers.
#
# Environment: DNS_BENCH_N (10000), DNS_BENCH_ROUNDS (11), DNS_BENCH_DIG_ROUNDS
# (3), DNS_BENCH_OUT (also write the Markdown report there).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/dnslib.sh"

N=${DNS_BENCH_N:-10000}
ROUNDS=${DNS_BENCH_ROUNDS:-11}
DIG_ROUNDS=${DNS_BENCH_DIG_ROUNDS:-3}

need_nsd
need_tool dnsperf
need_tool dig
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

nsd_start 1

# dnsperf and dig take "NAME TYPE" lines; tubes -q @FILE takes NAME[/TYPE].
python3 - "$DNS_DIR" "$N" <<'EOF'
import sys
d, n = sys.argv[1], int(sys.argv[2])
with open(d + "/perf.txt", "w") as p, open(d + "/tubes.txt", "w") as t:
    for i in range(n):
        p.write("n%d.bench.lab.test A\n" % i)
        t.write("n%d.bench.lab.test\n" % i)
EOF

python3 - "$DNS_DIR" "$N" "$ROUNDS" "$DIG_ROUNDS" "$NSD_PORT" "$TUBES" \
    "${DNS_BENCH_OUT:-}" <<'EOF'
import json, os, platform, re, statistics, subprocess, sys, time

d, n, rounds, dig_rounds, port, tubes, outpath = sys.argv[1:8]
n, rounds, dig_rounds = int(n), int(rounds), int(dig_rounds)
server = "127.0.0.1:%s" % port

def log(msg):
    sys.stderr.write("dns bench: %s\n" % msg)

def run(argv, stdout_path):
    """Run argv under /usr/bin/time: wall seconds (fork to exit), CPU
    seconds, peak RSS (KB), exit status, stderr.

    The CPU time is wait4(2)'s rusage of time, which holds its reaped
    child's, at microsecond resolution (time's own share is a few hundred
    microseconds).  The peak RSS is time's %M of the child: ours would be
    this Python's, since the high-water mark survives fork and execve."""
    tf = d + "/time.out"
    with open(stdout_path, "wb") as out, open(d + "/stderr", "wb") as e:
        t0 = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%U %S %M", "-o", tf]
                             + argv, stdout=out, stderr=e)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    err = open(d + "/stderr", "rb").read().decode("utf-8", "replace")
    tl = open(tf).read().strip().splitlines()
    u, s, m = tl[-1].split()
    return dict(wall=wall, cpu=ru.ru_utime + ru.ru_stime, rss_kb=int(m),
                user=ru.ru_utime, sys=ru.ru_stime, rc=rc, err=err,
                time_line=tl[-1])

def dnsperf():
    argv = ["dnsperf", "-s", "127.0.0.1", "-p", port, "-d", d + "/perf.txt",
            "-c", "1", "-q", "100", "-n", "1", "-t", "5"]
    r = run(argv, d + "/dnsperf.out")
    text = open(d + "/dnsperf.out").read()
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1))
    done = int(re.search(r"Queries completed:\s+(\d+)", text).group(1))
    noerr = re.search(r"NOERROR (\d+)", text)
    ok = int(noerr.group(1)) if noerr else done
    global dnsperf_version
    v = re.search(r"Version ([\w.-]+)", text)
    dnsperf_version = "dnsperf " + (v.group(1) if v else "?")
    return dict(qps=qps, wall=r["wall"], lost=n - ok,
                cpu_us=r["cpu"] * 1e6 / n, rss_kb=r["rss_kb"],
                user_us=r["user"] * 1e6 / n, sys_us=r["sys"] * 1e6 / n)

def tubes_run():
    argv = [tubes, "--dump", "--json", "--panes", "dns", "-s", server,
            "-q", "@" + d + "/tubes.txt"]
    r = run(argv, d + "/tubes.json")
    res = dict(wall=r["wall"], qps=n / r["wall"], rc=r["rc"],
               rss_kb=r["rss_kb"], cpu_us=r["cpu"] * 1e6 / n, lost=n,
               user_us=r["user"] * 1e6 / n, sys_us=r["sys"] * 1e6 / n,
               rows=0, qps_engine=None, statuses={},
               err=r["err"].strip()[:300], time_line=r["time_line"])
    try:
        doc = json.load(open(d + "/tubes.json", encoding="utf-8"))
    except ValueError as e:
        res["err"] = "%s; stdout not JSON: %s" % (res["err"], e)
        return res
    rows = (doc.get("dns") or {}).get("lookups") or []
    st = {}
    for r in rows:
        st[r.get("status")] = st.get(r.get("status"), 0) + 1
    res.update(rows=len(rows), statuses=st, lost=n - st.get("NOERROR", 0))
    if isinstance(doc.get("duration_ms"), (int, float)) and doc["duration_ms"]:
        res["qps_engine"] = n / (doc["duration_ms"] / 1000.0)
    return res

def dig():
    argv = ["dig", "@127.0.0.1", "-p", port, "-f", d + "/perf.txt",
            "+noall", "+answer", "+tries=1", "+time=2"]
    r = run(argv, d + "/dig.out")
    answers = sum(1 for l in open(d + "/dig.out") if "\tA\t" in l)
    return dict(qps=n / r["wall"], wall=r["wall"], lost=n - answers,
                cpu_us=r["cpu"] * 1e6 / n, rss_kb=r["rss_kb"])

def med(rs, k):
    v = [r[k] for r in rs if r.get(k) is not None]
    return statistics.median(v) if v else None

# Warm-up (page cache, nsd's first answers), then interleaved rounds.
dnsperf(); tubes_run()
P, T, G = [], [], []
for i in range(rounds):
    P.append(dnsperf())
    T.append(tubes_run())
    if i < dig_rounds:
        G.append(dig())
    log("round %d: dnsperf %.0f q/s, tubes %.0f q/s (%d rows, %s, exit %d),"
        " dig %s" % (i + 1, P[-1]["qps"], T[-1]["qps"], T[-1]["rows"],
                     T[-1]["statuses"], T[-1]["rc"],
                     "%.0f q/s" % G[-1]["qps"] if i < dig_rounds else "-"))
    if T[-1]["err"]:
        log("tubes stderr: %s" % T[-1]["err"])

cpu = "?"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu = l.split(":", 1)[1].strip()
        break
def ver(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        return p.stdout.decode("utf-8", "replace").strip().splitlines()[0]
    except Exception:
        return "?"

pq, tq, gq = med(P, "qps"), med(T, "qps"), med(G, "qps")
te = med(T, "qps_engine")
ratio = tq / pq
tcpu, trss, tlost = med(T, "cpu_us"), max(r["rss_kb"] for r in T), \
    max(r["lost"] for r in T)
L = []
L.append("Run of %s UTC; load average %s at the start; %d cores (%s), "
         "Linux %s." % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                        open("/proc/loadavg").read().split()[0],
                        os.cpu_count(), cpu, platform.release()))
L.append("Versions: %s; %s; %s; %s." % (ver(["nsd", "-v"]),
         dnsperf_version,
         ver(["dig", "-v"]), ver([tubes, "-V"])))
L.append("")
L.append("| tool (%d A lookups, medians of %d rounds; dig %d) | queries/s | "
         "wall (ms) | CPU µs per lookup | lost | peak RSS (KB) |"
         % (n, rounds, dig_rounds))
L.append("|---|---:|---:|---:|---:|---:|")
def line(name, rs):
    L.append("| %s | %.0f | %.1f | %.2f | %d | %d |" % (
        name, med(rs, "qps"), med(rs, "wall") * 1000, med(rs, "cpu_us"),
        max(r["lost"] for r in rs), max(r["rss_kb"] for r in rs)))
line("dnsperf -c 1 -q 100", P)
line("tubes --dump --json -q @FILE (fork to exit)", T)
line("dig -f (sequential)", G)
L.append("")
pair = sorted(t["qps"] / p["qps"] for t, p in zip(T, P))
L.append("- tubes / dnsperf queries/s: **%.2f×** (ratio of the medians, "
         "fork to exit)%s." % (ratio,
         "; %.2f× counting tubes' own duration_ms (%.0f q/s)" %
         (te / pq, te) if te else ""))
L.append("- The same ratio round by round (each tubes run against the dnsperf "
         "run just before it): median %.2f×, range %.2f–%.2f×." %
         (statistics.median(pair), pair[0], pair[-1]))
L.append("- tubes per round: %s." % ", ".join(
    "%.0f q/s" % r["qps"] for r in T))
L.append("- dnsperf per round: %s." % ", ".join(
    "%.0f q/s" % r["qps"] for r in P))
L.append("- CPU per lookup, user + system (medians): tubes %.2f + %.2f µs, "
         "dnsperf %.2f + %.2f µs." % (med(T, "user_us"), med(T, "sys_us"),
                                      med(P, "user_us"), med(P, "sys_us")))
L.append("- tubes JSON output: %d bytes for %d rows." %
         (os.path.getsize(d + "/tubes.json"), T[-1]["rows"]))
L.append("- tubes statuses (last round): %s; rows %d of %d." %
         (T[-1]["statuses"], T[-1]["rows"], n))
L.append("- /usr/bin/time -f '%%U %%S %%M' of the last tubes round: `%s` "
         "(10 ms resolution)." %
         T[-1]["time_line"])
L.append("")
L.append("| target | measured | met? |")
L.append("|---|---|---|")
L.append("| ≥ 0.7× dnsperf's queries/s | %.2f× | %s |" %
         (ratio, "yes" if ratio >= 0.7 else "**no**"))
L.append("| ≤ 5 µs CPU per lookup | %.2f µs | %s |" %
         (tcpu, "yes" if tcpu <= 5 else "**no**"))
L.append("| 0 lookups lost | %d (worst round) | %s |" %
         (tlost, "yes" if tlost == 0 else "**no**"))
L.append("| peak RSS ≤ 8 MB | %d KB (worst round) | %s |" %
         (trss, "yes" if trss <= 8192 else "**no**"))
report = "\n".join(L) + "\n"
sys.stdout.write(report)
if outpath:
    open(outpath, "w").write(report)
EOF
