#!/bin/sh
# Live capture (root): in a namespace with only lo, a small HTTP/1.1 server
# (keep-alive, chunked, POST, 404) answers curl and a raw socket that
# pipelines two requests in one segment, while `tubes --dump --json --panes
# http -i lo` captures.  Every exchange must be in the dump, paired; -w
# saves a file that -r reads back with the same exchanges; a bad filter is
# one line quoting libpcap.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

need_root
need_python
need_tool curl
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

ns_create http-live
PORT=18095
OUT=$(tb_tmpfile)
ERR=$(tb_tmpfile)
SAVED=$(tb_tmpfile)
SERVER=$(tb_tmpfile)
READ=$(tb_tmpfile)

cat >"$SERVER" <<'EOF'
import socketserver, sys
from http.server import BaseHTTPRequestHandler

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_body(self, code, body, ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"one ", b"two ", b"three"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path in ("/a", "/b", "/p1", "/p2"):
            self.send_body(200, b"body of " + self.path.encode())
        else:
            self.send_body(404, b"not here", "text/html")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        self.send_body(201, b'{"ok":true}', "application/json")

class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True

S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF

ns_bg python3 "$SERVER" "$PORT"
n=0
until nsx python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -lt 100 ] || hard_error "the test server did not start"
	sleep 0.1
done

# Capture until SIGTERM (the report is written then; -t 120 only bounds
# it); the traffic starts once the capture's packet socket is open.
# (ip netns exec execs tubes: $! is its pid, not a subshell's.)
# The dns pane makes no lookup (no -q, no target; -s names an address of
# ours anyway): it lists the DNS answers the capture sees.
ip netns exec "$NS" "$TUBES" --dump --json --panes http,dns -s 127.0.0.1:9 \
    -i lo -f "tcp port $PORT or udp port 53" -t 120 -w "$SAVED" \
    >"$OUT" 2>"$ERR" &
TPID=$!
_tb_pids="$_tb_pids $TPID"
n=0
until [ "$(nsx cat /proc/net/packet | wc -l)" -gt 1 ]; do
	n=$((n + 1))
	[ "$n" -lt 300 ] || fail "tubes did not open the capture: $(cat "$ERR")"
	kill -0 "$TPID" 2>/dev/null || fail "tubes exited: $(cat "$ERR")"
	sleep 0.1
done
sleep 0.2	# the filter is set right after the socket opens
U=http://127.0.0.1:$PORT
nsx curl -s -o /dev/null -o /dev/null "$U/a" "$U/b" || fail "curl keep-alive"
nsx curl -s -o /dev/null -d 'name=tubes&x=1' "$U/form" || fail "curl POST"
nsx curl -s -o /dev/null "$U/nope" || fail "curl 404"
nsx curl -s -o /dev/null "$U/chunked" || fail "curl chunked"
nsx python3 - "$PORT" <<'EOF' || fail "pipelining client"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
s.sendall(b"GET /p1 HTTP/1.1\r\nHost: pipe.test\r\n\r\n"
          b"GET /p2 HTTP/1.1\r\nHost: pipe.test\r\nConnection: close\r\n\r\n")
s.settimeout(2)
data = b""
end = time.time() + 3
while time.time() < end:
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    if not b:
        break
    data += b
s.close()
sys.exit(0 if data.count(b"HTTP/1.1 200") == 2 else 1)
EOF
# Passive DNS: a query to a one-answer server on 127.0.0.1:53.
nsx python3 - <<'EOF' || fail "DNS exchange"
import socket, struct
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 53))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
qname = b"\x03www\x03lab\x04test\x00"
q = (struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + qname +
     b"\0\x01\0\x01")
cli.sendto(q, ("127.0.0.1", 53))
srv.settimeout(2)
data, peer = srv.recvfrom(512)
ans = (struct.pack("!HHHHHH", 0x4242, 0x8180, 1, 1, 0, 0) + qname +
       b"\0\x01\0\x01" + b"\xc0\x0c\0\x01\0\x01" +
       struct.pack("!IH", 60, 4) + bytes([198, 51, 100, 10]))
srv.sendto(ans, peer)
cli.settimeout(2)
cli.recvfrom(512)
EOF
kill -TERM "$TPID"	# handled: the report is written
wait "$TPID"
rc=$?
[ "$rc" -eq 0 ] || fail "tubes exit $rc: $(cat "$ERR")"

# The saved file, read back.
"$TUBES" --dump --json --panes http -r "$SAVED" >"$READ" 2>"$ERR" ||
    fail "-r of the -w file: $(cat "$ERR")"

OUT=$OUT READ=$READ PORT=$PORT python3 - <<'EOF' || exit 1
import json, os, sys

port = os.environ["PORT"]
fails = []

def exchanges(path):
    with open(path, "rb") as f:
        raw = f.read()
    for b in (b"\x1b", b"\x07", b"\x00", b"\x9b"):
        if b in raw:
            fails.append("raw %r in %s" % (b, path))
    return json.loads(raw.decode("utf-8"))["http"]

live = exchanges(os.environ["OUT"])
with open(os.environ["OUT"]) as f:
    passive = json.load(f).get("dns", {}).get("passive", [])
if [((p.get("name") or "").rstrip("."), p.get("server"))
        for p in passive] != [("www.lab.test", "127.0.0.1:53")] or \
        passive[0].get("latency_ms") is None:
    fails.append("passive DNS %r" % passive)
got = [(e["method"], e["path"], e["status"]) for e in live["exchanges"]]
want = [("GET", "/a", 200), ("GET", "/b", 200), ("POST", "/form", 201),
        ("GET", "/nope", 404), ("GET", "/chunked", 200),
        ("GET", "/p1", 200), ("GET", "/p2", 200)]
if got != want:
    fails.append("live exchanges %r, want %r" % (got, want))
ex = live["exchanges"]
if len(ex) == len(want):
    if ex[0]["client"] != ex[1]["client"]:
        fails.append("keep-alive: /a and /b on different connections")
    if ex[5]["client"] != ex[6]["client"]:
        fails.append("pipelining: /p1 and /p2 on different connections")
    for e in ex:
        if e["server"] != "127.0.0.1:" + port:
            fails.append("server %r" % e["server"])
        if e["latency_ms"] is None or e["orphan"] is not None:
            fails.append("unpaired %r" % e)
    if not (14 < ex[2]["request_bytes"]):
        fails.append("POST body not counted: %r" % ex[2]["request_bytes"])
    if ex[3]["content_type"] != "text/html":
        fails.append("404 content type %r" % ex[3]["content_type"])
    if ex[6]["host"] != "pipe.test":
        fails.append("pipelined host %r" % ex[6]["host"])
if live["packets"] <= 0 or live["source"] != "lo" or live["live"] is not True:
    fails.append("counters %r" % {k: live[k] for k in ("packets", "source")})
back = exchanges(os.environ["READ"])
key = lambda l: [(e["client"], e["method"], e["path"], e["status"],
                  e["request_bytes"], e["response_bytes"]) for e in l]
if key(back["exchanges"]) != key(live["exchanges"]):
    fails.append("-r of the -w file differs: %r" % key(back["exchanges"]))
if back["packets"] != live["packets"]:
    fails.append("-w saved %d packets of %d" % (back["packets"],
                                                  live["packets"]))
for f in fails:
    print("FAIL: " + f)
sys.exit(1 if fails else 0)
EOF

# A bad filter: one line quoting libpcap, a failure exit.
nsx "$TUBES" --dump --json --panes http -i lo -f 'port port' >"$OUT" \
    2>"$ERR"
rc=$?
[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || fail "bad filter: exit $rc"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "bad filter: not one line: $(cat "$ERR")"
grep -q "bad capture filter 'port port': .*syntax error" "$ERR" ||
    fail "bad filter message: $(cat "$ERR")"
[ -s "$OUT" ] && fail "bad filter: a report was printed"

# No such interface: one line naming it.
nsx "$TUBES" --dump --json --panes http -i nosuch0 >"$OUT" 2>"$ERR"
rc=$?
[ "$rc" -eq 1 ] || fail "no such interface: exit $rc"
grep -q "nosuch0" "$ERR" || fail "no such interface message: $(cat "$ERR")"

# Without privilege: the http pane asked for by name is the error, one
# line with the setcap fix; with the default panes the "http" object says
# it and the other panes report; -r needs no privilege.
grp=nogroup
getent group nogroup >/dev/null 2>&1 || grp=nobody
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1 &&
    setpriv --reuid=nobody --regid=$grp --clear-groups --inh-caps=-all \
    test -x "$TUBES"; then
	AS="setpriv --reuid=nobody --regid=$grp --clear-groups --inh-caps=-all"
	FIX='live capture needs CAP_NET_RAW and CAP_NET_ADMIN: run as root, or `sudo setcap cap_net_raw,cap_net_admin+ep $(command -v tubes)`; -r FILE needs no privilege'
	nsx $AS "$TUBES" --dump --json --panes http -i lo -t 0.5 >"$OUT" \
	    2>"$ERR"
	rc=$?
	[ "$rc" -eq 1 ] || fail "unprivileged --panes http: exit $rc"
	[ "$(cat "$ERR")" = "tubes: $FIX" ] ||
	    fail "unprivileged message: $(cat "$ERR")"
	nsx $AS "$TUBES" --dump --json -t 0.5 -s 127.0.0.1:9 >"$OUT" \
	    2>"$ERR" || fail "unprivileged default panes: $(cat "$ERR")"
	FIX=$FIX OUT=$OUT python3 - <<'EOF' || fail "unprivileged default panes"
import json, os
d = json.load(open(os.environ["OUT"]))
assert d["http"] == {"error": os.environ["FIX"]}, d.get("http")
assert "sockets" in d and "dns" in d, list(d)
EOF
	chmod 644 "$SAVED"
	nsx $AS "$TUBES" --dump --json --panes http -r "$SAVED" >"$OUT" \
	    2>"$ERR" || fail "unprivileged -r: $(cat "$ERR")"
else
	tb_log "unprivileged checks skipped (no setpriv, nobody, or $TUBES" \
	    "not executable by nobody)"
fi
exit 0
