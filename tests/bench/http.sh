#!/bin/sh
# HTTP pane benchmark (make bench; not part of make check).
#
# In a namespace of its own (tubes-test-http-PID, loopback only) nginx
# serves a 600-byte page on 127.0.0.1:8080 while wrk (-c 10 --latency)
# fetches it over keep-alive connections, and tcpdump -s 0 writes up to
# HTTP_BENCH_PACKETS (1,000,000) packets of it to a file in a temporary
# directory (removed at exit).  Then each round reads that file with, in
# turn:
#   tcpdump -r F -w /dev/null            the read floor
#   httpry -r F tcp                      a line per request and response
#   tshark -r F -Y http                  fewer rounds: it is slow
#   tubes --dump --json -r F --panes http
# so drift hits all of them alike.  Figures are medians over the rounds;
# peak RSS is /usr/bin/time's %M, CPU the rusage wait4(2) returns.
# "found" counts what each tool reports: httpry's > and < lines, tshark's
# request and response lines, tubes' exchanges with a method and with a
# status.  The truth is counted from the file by a small independent
# reader here: TCP segments whose payload starts a request line or a
# status line (each fits one segment on loopback), retransmits once.
#
# Environment: HTTP_BENCH_PACKETS (1000000), HTTP_BENCH_SECS (wrk's
# longest run, 120: wrk stops once tcpdump has its packets),
# HTTP_BENCH_ROUNDS (5), HTTP_BENCH_TSHARK_ROUNDS (1), HTTP_BENCH_OUT (also
# write the Markdown report there).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

PACKETS=${HTTP_BENCH_PACKETS:-1000000}
SECS=${HTTP_BENCH_SECS:-120}
ROUNDS=${HTTP_BENCH_ROUNDS:-5}
TSHARK_ROUNDS=${HTTP_BENCH_TSHARK_ROUNDS:-1}

need_root
need_python
need_tool nginx
need_tool wrk
need_tool tcpdump
command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
[ -x /usr/bin/time ] || skip "needs /usr/bin/time (GNU time)"

HB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tubes-http-bench.XXXXXX") ||
    hard_error "mktemp -d failed"
trap 'tb_cleanup; rm -rf "$HB_DIR"' EXIT

# nginx's workers drop to nobody: they must read the page.
chmod 755 "$HB_DIR"
mkdir -p "$HB_DIR/www" "$HB_DIR/tmp" || hard_error "mkdir"
python3 -c 'import sys; sys.stdout.write("<html><body>" + "x" * 574 +
    "</body></html>\n")' >"$HB_DIR/www/index.html"
chmod -R a+rX "$HB_DIR/www"
cat >"$HB_DIR/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $HB_DIR/nginx.pid;
error_log $HB_DIR/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $HB_DIR/tmp/body;
	proxy_temp_path $HB_DIR/tmp/proxy;
	fastcgi_temp_path $HB_DIR/tmp/fastcgi;
	uwsgi_temp_path $HB_DIR/tmp/uwsgi;
	scgi_temp_path $HB_DIR/tmp/scgi;
	keepalive_requests 100000000;
	keepalive_timeout 60;
	default_type text/html;
	server {
		listen 127.0.0.1:8080;
		root $HB_DIR/www;
	}
}
EOF

ns_create http-bench
nginx -e "$HB_DIR/error.log" -t -c "$HB_DIR/nginx.conf" -p "$HB_DIR" >"$HB_DIR/nginx-t.out" 2>&1 ||
    hard_error "nginx -t: $(tail -n 3 "$HB_DIR/nginx-t.out")"
ns_bg nginx -e "$HB_DIR/error.log" -c "$HB_DIR/nginx.conf" -p "$HB_DIR"
n=0
until nsx python3 -c 'import socket; socket.create_connection(("127.0.0.1",
    8080), 1)' 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 50 ] && hard_error "nginx did not listen on 127.0.0.1:8080"
	sleep 0.1
done

# The capture: tcpdump stops itself at the packet count.
ns_bg tcpdump -i lo -s 0 -B 65536 -U -c "$PACKETS" -w "$HB_DIR/http.pcap" \
    'tcp port 8080' 2>"$HB_DIR/tcpdump.err"
TCPDUMP_PID=$BG_PID
wait_for_line "$HB_DIR/tcpdump.err" "listening on" 10 ||
    hard_error "tcpdump did not start: $(cat "$HB_DIR/tcpdump.err")"
tb_log "capturing $PACKETS packets of wrk -c 10 (at most ${SECS}s) against nginx"
ns_bg wrk -t 2 -c 10 -d "${SECS}s" --latency \
    http://127.0.0.1:8080/index.html >"$HB_DIR/wrk.out" 2>&1
WRK_PID=$BG_PID
# Until tcpdump has its count or wrk its duration (bounded either way).
n=0
while kill -0 "$TCPDUMP_PID" 2>/dev/null && kill -0 "$WRK_PID" 2>/dev/null &&
    [ $n -lt $(((SECS + 15) * 5)) ]; do
	sleep 0.2
	n=$((n + 1))
done
# wrk prints its summary on SIGINT; tcpdump writes out what it has.
kill -INT "$WRK_PID" "$TCPDUMP_PID" 2>/dev/null
wait "$WRK_PID" 2>/dev/null
wait "$TCPDUMP_PID" 2>/dev/null
grep -q "Requests/sec" "$HB_DIR/wrk.out" ||
    tb_log "wrk said: $(tail -n 3 "$HB_DIR/wrk.out")"
[ -s "$HB_DIR/http.pcap" ] || hard_error "tcpdump wrote no capture"

# Live: tubes captures on lo (its usual live mode) while wrk runs again; its
# report gives the kernel's drops and the exchanges it paired, wrk the
# requests it made.
LIVE_SECS=${HTTP_BENCH_LIVE_SECS:-5}
tb_log "live: tubes -i lo while wrk -c 10 runs ${LIVE_SECS}s"
ns_bg "$TUBES" --dump --json --panes http -i lo -f 'tcp port 8080' \
    -t $((LIVE_SECS + 2)) >"$HB_DIR/live.json" 2>"$HB_DIR/live.err"
LIVE_PID=$BG_PID
sleep 1		# the capture is open well before wrk starts
ip netns exec "$NS" wrk -t 2 -c 10 -d "${LIVE_SECS}s" \
    http://127.0.0.1:8080/index.html >"$HB_DIR/wrk-live.out" 2>&1
wait "$LIVE_PID" 2>/dev/null
tb_cleanup_ns	# nginx and the namespace are no longer needed

python3 - "$HB_DIR" "$ROUNDS" "$TSHARK_ROUNDS" "$TUBES" \
    "${HTTP_BENCH_OUT:-}" <<'EOF'
import os, platform, re, shutil, statistics, struct, subprocess, sys, time

d, rounds, tshark_rounds, tubes, outpath = sys.argv[1:6]
rounds, tshark_rounds = int(rounds), int(tshark_rounds)
F = d + "/http.pcap"

def log(msg):
    sys.stderr.write("http bench: %s\n" % msg)

def truth(path):
    """Requests and responses in the file: segments whose TCP payload
    starts a request or status line, each (flow, seq) once.  Ethernet
    (tcpdump -i lo) or raw IP; pcap only, as tcpdump writes it."""
    req = resp = pkts = 0
    first = last = None
    seen = set()
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
        link = struct.unpack(end + "I", hdr[20:24])[0] & 0xffff
        off = 14 if link == 1 else 0
        while True:
            ph = f.read(16)
            if len(ph) < 16:
                break
            sec, frac, incl, _ = struct.unpack(end + "IIII", ph)
            p = f.read(incl)
            pkts += 1
            last = sec + frac / (1e9 if magic & 0xffff == 0x3c4d else 1e6)
            first = last if first is None else first
            ip = p[off:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            ihl = (ip[0] & 15) * 4
            tcp = ip[ihl:]
            if len(tcp) < 20:
                continue
            doff = (tcp[12] >> 4) * 4
            pay = tcp[doff:doff + 16]
            if not pay:
                continue
            key = (ip[12:20], tcp[0:4], tcp[4:8])
            if pay.startswith((b"GET ", b"HEAD ", b"POST ")):
                if key not in seen:
                    seen.add(key)
                    req += 1
            elif re.match(rb"HTTP/1\.[01] \d\d\d", pay):
                if key not in seen:
                    seen.add(key)
                    resp += 1
    return pkts, req, resp, (last - first) if pkts > 1 else 0.0

def run(argv, stdout_path):
    """argv under /usr/bin/time: wall (fork to exit), CPU (wait4's
    rusage), peak RSS (time's %M, KB), exit status, stderr."""
    tf = d + "/time.out"
    with open(stdout_path, "wb") as out, open(d + "/stderr", "wb") as e:
        t0 = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", tf] + argv,
                             stdout=out, stderr=e)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    err = open(d + "/stderr", "rb").read().decode("utf-8", "replace")
    try:
        rss = int(open(tf).read().strip().splitlines()[-1])
    except (ValueError, IndexError):
        rss = 0
    return dict(wall=wall, cpu=ru.ru_utime + ru.ru_stime, rss_kb=rss,
                rc=os.waitstatus_to_exitcode(status), err=err.strip()[:300])

def count(path, req_re, resp_re):
    rq = rs = 0
    rq_c, rs_c = re.compile(req_re), re.compile(resp_re)
    with open(path, "rb") as f:
        for l in f:
            if rq_c.search(l):
                rq += 1
            elif rs_c.search(l):
                rs += 1
    return rq, rs

def t_tcpdump():
    r = run(["tcpdump", "-r", F, "-w", "/dev/null"], d + "/tcpdump.out")
    r.update(req=None, resp=None)
    return r

def t_httpry():
    out = d + "/httpry.out"
    r = run(["httpry", "-r", F, "tcp"], out)
    r["req"], r["resp"] = count(out, rb"\t>\t", rb"\t<\t")
    return r

def t_tshark():
    out = d + "/tshark.out"
    r = run(["tshark", "-n", "-r", F, "-Y", "http"], out)
    r["req"], r["resp"] = count(out, rb" HTTP \d+ [A-Z]+ \S+ HTTP/1\.[01]",
                                rb" HTTP \d+ HTTP/1\.[01] \d\d\d")
    return r

def t_tubes():
    out = d + "/tubes.json"
    r = run([tubes, "--dump", "--json", "-r", F, "--panes", "http"], out)
    # The JSON is written one member a line: count, do not load, it.
    r["req"], r["resp"] = count(out, rb'^\s*"method": "[A-Z]',
                                rb'^\s*"status": [1-9]')
    return r

def has_http_pane():
    p = subprocess.run([tubes, "--panes", "http", "--version"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return p.returncode == 0, p.stderr.decode("utf-8", "replace").strip()

tools = [("tcpdump -r F -w /dev/null (read floor)", "tcpdump", t_tcpdump,
          rounds),
         ("httpry -r F tcp", "httpry", t_httpry, rounds),
         ("tshark -r F -Y http", "tshark", t_tshark, tshark_rounds),
         ("tubes --dump --json -r F --panes http", None, t_tubes, rounds)]
ok, why = has_http_pane()
R = {name: [] for name, _, _, _ in tools}
absent = {}
for name, cmd, fn, n in tools:
    if cmd is not None and shutil.which(cmd) is None:
        absent[name] = "not installed"
    elif cmd is None and not ok:
        absent[name] = "not built (%s)" % why
pkts, treq, tresp, span = truth(F)
m = re.search(r"(\d+) packets? dropped by kernel",
              open(d + "/tcpdump.err").read())
cap_drops = m.group(1) if m else "?"
log("capture: %d packets, %d requests, %d responses, %d bytes" %
    (pkts, treq, tresp, os.path.getsize(F)))

# Warm the page cache, then interleaved rounds.
t_tcpdump()
for i in range(rounds):
    for name, cmd, fn, n in tools:
        if name in absent or i >= n:
            continue
        R[name].append(fn())
        r = R[name][-1]
        log("round %d: %s: %.2f s, %d KB, exit %d, %s/%s found%s" % (
            i + 1, name, r["wall"], r["rss_kb"], r["rc"], r["req"],
            r["resp"], "; stderr: " + r["err"] if r["rc"] else ""))

def med(rs, k):
    v = [r[k] for r in rs if r.get(k) is not None]
    return statistics.median(v) if v else None

def ver(argv, want=""):
    """The first line of argv's output that has want in it."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        lines = [l for l in p.stdout.decode("utf-8", "replace").splitlines()
                 if want in l]
        return lines[0].strip() if lines else "?"
    except Exception:
        return "?"

cpu = "?"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu = l.split(":", 1)[1].strip()
        break
wrk = open(d + "/wrk.out").read()
m = re.search(r"Requests/sec:\s+([\d.]+)", wrk)
L = []
L.append("Run of %s UTC; load average %s at the start; %d cores (%s), "
         "Linux %s." % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                        open("/proc/loadavg").read().split()[0],
                        os.cpu_count(), cpu, platform.release()))
L.append("Versions: %s; %s; %s; %s; %s; %s." % (
    ver(["nginx", "-v"]), ver(["wrk", "-v"], "wrk").split(" Copyright")[0],
    ver(["tcpdump", "--version"], "tcpdump"),
    ver(["httpry", "-h"], "httpry version").split(" --")[0]
    if shutil.which("httpry") else "httpry absent",
    ver(["tshark", "-v"], "TShark") if shutil.which("tshark") else
    "tshark absent", ver([tubes, "-V"])))
L.append("")
L.append("The capture: %d packets (%.1f MB, %.1f s; tcpdump: %s dropped "
         "by the kernel), %d requests and %d responses in it, of wrk -c 10 "
         "keep-alive GETs of a 600-byte page from nginx on loopback (wrk: "
         "%s requests/s while captured)." % (
             pkts, os.path.getsize(F) / 1e6, span, cap_drops, treq, tresp,
             m.group(1) if m else "?"))
L.append("")
L.append("| tool (medians of %d rounds; tshark %d) | wall (s) | CPU (s) | "
         "peak RSS (MB) | requests found | responses found |" %
         (rounds, tshark_rounds))
L.append("|---|---:|---:|---:|---:|---:|")
for name, cmd, fn, n in tools:
    rs = R[name]
    if name in absent or not rs:
        L.append("| %s | %s | | | | |" % (name, absent.get(name, "no run")))
        continue
    fmt = lambda v: "-" if v is None else "%d" % v
    L.append("| %s | %.2f | %.2f | %.1f | %s | %s |" % (
        name, med(rs, "wall"), med(rs, "cpu"),
        max(r["rss_kb"] for r in rs) / 1024.0,
        fmt(rs[-1]["req"]), fmt(rs[-1]["resp"])))
L.append("")
L.append("- Truth (counted here from the file): %d requests, %d responses." %
         (treq, tresp))
for name, cmd, fn, n in tools:
    rs = R[name]
    if rs and any(r["rc"] != 0 for r in rs):
        L.append("- %s exited %s: %s" % (name, sorted(set(
            r["rc"] for r in rs)), rs[-1]["err"][:200]))
T = R[tools[3][0]]
H = R[tools[1][0]]
if T and H:
    # Each tubes run against the httpry run of its own round.
    pw = sorted(t["wall"] / h["wall"] for t, h in zip(T, H))
    pc = sorted(t["cpu"] / h["cpu"] for t, h in zip(T, H))
    L.append("- tubes / httpry round by round: wall median %.2f× (range "
             "%.2f–%.2f×), CPU median %.2f× (range %.2f–%.2f×); on a busy "
             "machine CPU time is the steadier figure." % (
                 statistics.median(pw), pw[0], pw[-1],
                 statistics.median(pc), pc[0], pc[-1]))
    L.append("- tubes per round (wall): %s; httpry: %s." % (
        ", ".join("%.2f s" % r["wall"] for r in T),
        ", ".join("%.2f s" % r["wall"] for r in H)))
L.append("")
L.append("| target | measured | met? |")
L.append("|---|---|---|")
if T and H:
    ratio = med(T, "wall") / med(H, "wall")
    L.append("| tubes ≤ 0.5× httpry's wall time | %.2f× | %s |" %
             (ratio, "yes" if ratio <= 0.5 else "**no**"))
else:
    L.append("| tubes ≤ 0.5× httpry's wall time | %s | - |" %
             ("tubes " + absent.get(tools[3][0], "no run") if not T else
              "httpry " + absent.get(tools[1][0], "no run")))
if T:
    found = T[-1]["req"] == treq and T[-1]["resp"] == tresp
    L.append("| every request and response found | %d/%d requests, %d/%d "
             "responses | %s |" % (T[-1]["req"], treq, T[-1]["resp"], tresp,
                                   "yes" if found else "**no**"))
    rss = max(r["rss_kb"] for r in T)
    L.append("| peak RSS ≤ 16 MB | %.1f MB | %s |" %
             (rss / 1024.0, "yes" if rss <= 16384 else "**no**"))
else:
    L.append("| every request and response found | tubes %s | - |" %
             absent.get(tools[3][0], "no run"))
    L.append("| peak RSS ≤ 16 MB | tubes %s | - |" %
             absent.get(tools[3][0], "no run"))
def live_row():
    try:
        h = json.load(open(d + "/live.json"))["http"]
        wrk = open(d + "/wrk-live.out").read()
    except (OSError, ValueError, KeyError) as e:
        return "| live capture of a wrk run, 0 drops | no run (%s) | - |" % e
    m = re.search(r"(\d+) requests in", wrk)
    made = int(m.group(1)) if m else -1
    ok = h.get("dropped") == 0
    return ("| live capture of a wrk run, 0 drops | %s dropped of %s packets; "
            "%s exchanges paired, wrk made %d requests | %s |" %
            (h.get("dropped"), h.get("packets"), h.get("exchanges_total"),
             made, "yes" if ok else "**no**"))

import json
L.append(live_row())
report = "\n".join(L) + "\n"
sys.stdout.write(report)
if outpath:
    open(outpath, "w").write(report)
EOF
