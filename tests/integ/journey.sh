#!/bin/sh
# The journey of a name (root): in a namespace with only lo, our DNS test
# server (tests/dnsd: any name under ad.t is 192.0.2.2) and an HTTP/1.1
# server on 192.0.2.2 (an address of the namespace's lo).  `tubes --fetch
# --dump --json http://www.ad.t:PORT/` with every pane: the target object
# has the name and the address the lookup gave, the trace went there, the
# journey has dns_ms from the lookup and every other step, and the text
# report has its JOURNEY section.  https to the same name: the ClientHello
# carries the SNI, which the TLS list shows.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

need_root
need_python
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
DNSD=${DNSD:-$top_builddir/tests/dnsd}
[ -x "$DNSD" ] || hard_error "no dnsd at $DNSD (make tests/dnsd)"

ns_create journey
ADDR=192.0.2.2
PORT=18097
TLSPORT=18444
OUT=$(tb_tmpfile)
ERR=$(tb_tmpfile)
DOUT=$(tb_tmpfile)
SERVER=$(tb_tmpfile)

nsx ip addr add "$ADDR/32" dev lo || hard_error "cannot add $ADDR to lo"

cat >"$SERVER" <<'EOF'
import socket, socketserver, sys, threading
from http.server import BaseHTTPRequestHandler

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        body = b"the end of the journey\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True

def tls_listener(addr, port):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((addr, port))
    l.listen(16)
    while True:
        c, _ = l.accept()
        c.settimeout(2)
        try:
            c.recv(4096)
            c.sendall(b"\x15\x03\x03\x00\x02\x02\x28")
            c.recv(16)
        except OSError:
            pass
        c.close()

threading.Thread(target=tls_listener, args=(sys.argv[1], int(sys.argv[3])),
                 daemon=True).start()
S((sys.argv[1], int(sys.argv[2])), H).serve_forever()
EOF

ns_bg python3 "$SERVER" "$ADDR" "$PORT" "$TLSPORT"
ns_bg "$DNSD" --addr 127.0.0.1 --max-seconds 120 >"$DOUT"
wait_for_line "$DOUT" '^[0-9]+$' 10 || hard_error "dnsd did not start"
DNSPORT=$(head -n 1 "$DOUT")
n=0
until nsx python3 -c "import socket; socket.create_connection(('$ADDR', $PORT), 1)" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -lt 100 ] || hard_error "the test server did not start"
	sleep 0.1
done

URL="http://www.ad.t:$PORT/"
nsx "$TUBES" --fetch --dump --json -t 0 -s "127.0.0.1:$DNSPORT" -i lo \
    "$URL" >"$OUT" 2>"$ERR"
check_eq "exit status" "$?" 0
[ -s "$ERR" ] && { tb_log "stderr:"; cat "$ERR" >&2; }
check_eq "target input" "$(json_get "$OUT" 'd["target"]["input"]')" "$URL"
check_eq "target host" "$(json_get "$OUT" 'd["target"]["host"]')" www.ad.t
check_eq "target address from the lookup" \
    "$(json_get "$OUT" 'd["target"]["address"]')" "$ADDR"
check_eq "target port" "$(json_get "$OUT" 'd["target"]["port"]')" "$PORT"
check_eq "the trace went there" "$(json_get "$OUT" 'd["trace"]["target"]')" \
    "$ADDR"
check_eq "fetch done" "$(json_get "$OUT" 'd["fetch"]["done"]')" 1
check_true "journey dns_ms is the lookup's latency" "$(json_get "$OUT" \
    'd["journey"]["dns_ms"] == [r for r in d["dns"]["lookups"] if r["name"] == "www.ad.t" and r["type"] == "A"][0]["latency_ms"]')"
check_true "journey: every step a number" "$(json_get "$OUT" \
    'all(isinstance(d["journey"][k], (int, float)) for k in ("dns_ms", "connect_ms", "first_byte_ms", "transfer_ms", "total_ms", "close_ms"))')"
check_true "journey total is the sum of its steps" "$(json_get "$OUT" \
    'abs(d["journey"]["total_ms"] - sum(d["journey"][k] for k in ("dns_ms", "connect_ms", "first_byte_ms", "transfer_ms"))) < 0.01')"
check_eq "journey complete" "$(json_get "$OUT" 'd["journey"]["complete"]')" \
    true
check_eq "journey status" "$(json_get "$OUT" 'd["journey"]["status"]')" 200
check_eq "the exchange, paired" "$(json_get "$OUT" \
    'sum(1 for x in d["http"]["exchanges"] if x["server"] == "'"$ADDR:$PORT"'" and x["host"] == "www.ad.t:'"$PORT"'" and x["status"] == 200)')" 1
check_true "its TIME_WAIT socket" "$(json_get "$OUT" \
    'states(grp("'"$ADDR:$PORT"'", "client")).get("TIME_WAIT", 0) >= 1 and d["journey"]["time_wait_now"] >= 1')"

# The text report: a JOURNEY section in the style of the others.
nsx "$TUBES" --fetch --dump -t 0 -s "127.0.0.1:$DNSPORT" --panes dns,sockets \
    "$URL" >"$OUT" 2>"$ERR"
check_eq "text: exit status" "$?" 0
check_eq "text: JOURNEY section" "$(grep -c '^JOURNEY$' "$OUT")" 1
check_eq "text: target line" "$(grep -Ec \
    "^  target +www.ad.t -> $ADDR port $PORT\$" "$OUT")" 1
check_eq "text: dns step timed" "$(grep -Ec '^  dns +[0-9.]+ ms$' "$OUT")" 1

# https: the ClientHello names the host (SNI) and offers http/1.1.
nsx "$TUBES" --fetch --dump --json -t 0 -s "127.0.0.1:$DNSPORT" \
    --panes dns,http -i lo "https://www.ad.t:$TLSPORT/" >"$OUT" 2>"$ERR"
check_eq "https: exit status" "$?" 0
check_eq "https: the TLS list shows the SNI" "$(json_get "$OUT" \
    '[t["sni"] for t in d["http"]["tls"] if t["server"] == "'"$ADDR:$TLSPORT"'"]')" \
    '["www.ad.t"]'

# A name with no address: one line, exit 1.
nsx "$TUBES" --fetch --dump --json -t 0 -s "127.0.0.1:$DNSPORT" \
    --panes dns,sockets "http://nothing.t/" >"$OUT" 2>"$ERR"
check_eq "no address: exit status" "$?" 1
check_eq "no address: one line" "$(grep -c \
    '^tubes: fetch: nothing.t: no IPv4 address (NXDOMAIN: the name does not exist; check it, or ask another server with -s)$' "$ERR")" 1

check_done "$OUT"
