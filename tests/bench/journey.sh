#!/bin/sh
# Journey benchmark (make bench; not part of make check).
#
# In a namespace of its own (tubes-test-journey-bench-PID, loopback only,
# 192.0.2.2 on lo): nginx serves a small page on 192.0.2.2:80 and our DNS
# test server (tests/dnsd) says www.ad.t is 192.0.2.2.  Then:
#
# 1. The whole journey, end to end: `tubes --fetch --dump --json -t 0
#    http://www.ad.t/` with every pane (DNS lookup, trace, fetch, live
#    capture, sockets), wall time from exec to exit, JOURNEY_BENCH_ROUNDS
#    (11) runs, median/min/max.  The issue's target: under 0.5 s.
# 2. The fetch engine against curl, N (JOURNEY_BENCH_N, 1000) sequential
#    requests to http://192.0.2.2/ (no DNS), JOURNEY_BENCH_ENGINE_ROUNDS
#    (5) rounds interleaved:
#      keep-alive:  tubes --fetch=N --keepalive 1 --panes sockets
#                   curl with the URL N times (one connection reused)
#      new conns:   tubes --fetch=N --panes sockets (each closed by us)
#                   curl -H 'Connection: close' with the URL N times
#    TIME_WAIT builds up in the namespace in the second pair (N each
#    round, well under the bucket limit).  A tubes run's fixed cost (its
#    start and the sockets refreshes a --dump waits for after a fetch) is
#    measured with one request and subtracted per request.
#
# Environment: JOURNEY_BENCH_ROUNDS, JOURNEY_BENCH_N,
# JOURNEY_BENCH_ENGINE_ROUNDS, JOURNEY_BENCH_OUT (also write the Markdown
# table there).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

ROUNDS=${JOURNEY_BENCH_ROUNDS:-11}
N=${JOURNEY_BENCH_N:-1000}
EROUNDS=${JOURNEY_BENCH_ENGINE_ROUNDS:-5}
DNSD=${DNSD:-$top_builddir/tests/dnsd}
TIMEIT=$top_srcdir/tests/bench/timeit.py

need_root
need_python
need_tool nginx
need_tool curl
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
[ -x "$DNSD" ] || hard_error "no dnsd at $DNSD (make tests/dnsd)"

JB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tubes-journey-bench.XXXXXX") ||
    hard_error "mktemp -d failed"
trap 'tb_cleanup; rm -rf "$JB_DIR"' EXIT
chmod 755 "$JB_DIR"
mkdir -p "$JB_DIR/www" "$JB_DIR/tmp" || hard_error "mkdir"
python3 -c 'import sys; sys.stdout.write("<html><body>" + "x" * 574 +
    "</body></html>\n")' >"$JB_DIR/www/index.html"
chmod -R a+rX "$JB_DIR/www"
cat >"$JB_DIR/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $JB_DIR/nginx.pid;
error_log $JB_DIR/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $JB_DIR/tmp/body;
	proxy_temp_path $JB_DIR/tmp/proxy;
	fastcgi_temp_path $JB_DIR/tmp/fastcgi;
	uwsgi_temp_path $JB_DIR/tmp/uwsgi;
	scgi_temp_path $JB_DIR/tmp/scgi;
	keepalive_requests 100000000;
	keepalive_timeout 60;
	default_type text/html;
	server {
		listen 192.0.2.2:80;
		root $JB_DIR/www;
	}
}
EOF

ns_create journey-bench
nsx ip addr add 192.0.2.2/32 dev lo || hard_error "cannot add 192.0.2.2"
ns_bg nginx -e "$JB_DIR/error.log" -c "$JB_DIR/nginx.conf" -p "$JB_DIR"
ns_bg "$DNSD" --addr 127.0.0.1 --max-seconds 3600 >"$JB_DIR/dnsd.out"
wait_for_line "$JB_DIR/dnsd.out" '^[0-9]+$' 10 || hard_error "dnsd did not start"
DNSPORT=$(head -n 1 "$JB_DIR/dnsd.out")
n=0
until nsx python3 -c 'import socket; socket.create_connection(("192.0.2.2",
    80), 1)' 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 50 ] && hard_error "nginx did not listen on 192.0.2.2:80"
	sleep 0.1
done

NSX="ip netns exec $NS"
URL=http://www.ad.t/
tb_log "journey: $ROUNDS runs of tubes --fetch --dump --json -t 0 $URL"
# One run kept, to show what the journey said.
$NSX "$TUBES" --fetch --dump --json -t 0 -s "127.0.0.1:$DNSPORT" -i lo \
    "$URL" >"$JB_DIR/journey.json" || hard_error "tubes --fetch failed"
python3 "$TIMEIT" "$ROUNDS" \
    "journey=$NSX $TUBES --fetch --dump --json -t 0 -s 127.0.0.1:$DNSPORT -i lo $URL" \
    >"$JB_DIR/journey.tsv" || hard_error "timing the journey failed"

# The engine against curl: the URL N times on one command line.
python3 -c "import sys; sys.stdout.write(' '.join(['http://192.0.2.2/'] * $N))" \
    >"$JB_DIR/urls"
URLS=$(cat "$JB_DIR/urls")
tb_log "engine: $EROUNDS rounds of $N sequential requests, tubes and curl"
python3 "$TIMEIT" "$EROUNDS" \
    "tubes_one_request=$NSX $TUBES --fetch --dump -t 0 --panes sockets http://192.0.2.2/" \
    "tubes_keepalive=$NSX $TUBES --fetch=$N --keepalive 1 --dump -t 0 --panes sockets http://192.0.2.2/" \
    "curl_keepalive=$NSX curl -s -o /dev/null $URLS" \
    "tubes_new_conns=$NSX $TUBES --fetch=$N --dump -t 0 --panes sockets http://192.0.2.2/" \
    "curl_new_conns=$NSX curl -s -o /dev/null -H Connection:close $URLS" \
    >"$JB_DIR/engine.tsv" || hard_error "timing the engine failed"

python3 - "$JB_DIR/journey.json" "$JB_DIR/journey.tsv" "$JB_DIR/engine.tsv" \
    "$N" >"$JB_DIR/report.md" <<'EOF'
import json, sys

d = json.load(open(sys.argv[1]))
j = d.get("journey", {})
rows = [l.strip().split("\t") for f in sys.argv[2:4] for l in open(f)
        if l.strip()]
n = int(sys.argv[4])
print("| run | median | min | max | runs |")
print("|---|---:|---:|---:|---:|")
# A tubes run has a fixed cost (start, the sockets refreshes it waits
# for): one request's run, subtracted from the per-request figure.
one = dict((r[0], float(r[1])) for r in rows).get("tubes_one_request", 0)
for name, med, lo, hi, runs in rows:
    per = ""
    if name.startswith("curl"):
        per = " (%.1f µs/request)" % (float(med) * 1000 / n)
    elif name.startswith("tubes") and name != "tubes_one_request":
        per = " (%.1f µs/request past the fixed cost)" % \
            ((float(med) - one) * 1000 / (n - 1))
    print("| %s | %.0f ms%s | %.0f ms | %.0f ms | %s |" %
          (name, float(med), per, float(lo), float(hi), runs))
print()
print("journey of one run: " + ", ".join("%s %s" % (k, j.get(k)) for k in
      ("dns_ms", "connect_ms", "first_byte_ms", "transfer_ms", "total_ms",
       "close_ms", "time_wait_left_ms", "status")))
EOF
cat "$JB_DIR/report.md"
[ -n "${JOURNEY_BENCH_OUT:-}" ] && cp "$JB_DIR/report.md" "$JOURNEY_BENCH_OUT"
med=$(awk -F '\t' '$1 == "journey" { print $2 }' "$JB_DIR/journey.tsv")
tb_log "journey median ${med} ms (target: under 500 ms)"
exit 0
