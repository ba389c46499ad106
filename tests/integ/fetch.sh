#!/bin/sh
# --fetch (root): in a namespace with only lo, a small HTTP/1.1 keep-alive
# server answers `tubes --fetch=20 --concurrency 4 --keepalive 2`, run in
# the namespace with every pane: the 20 requests are done, the HTTP pane
# lists them paired with status 200, the sockets pane counts the TIME_WAIT
# sockets our closes left (one per connection we opened), and the journey
# has connect, first byte and total times.  A closed port is one error
# line and exit 1; https to a plain listener sends a ClientHello the TLS
# list shows; chunked and close-delimited bodies are framed.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

need_root
need_python
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

ns_create fetch
PORT=18096
TLSPORT=18443
HOSTILEPORT=18098
OUT=$(tb_tmpfile)
ERR=$(tb_tmpfile)
SERVER=$(tb_tmpfile)

cat >"$SERVER" <<'EOF'
import socket, socketserver, sys, threading
from http.server import BaseHTTPRequestHandler

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"one ", b"two ", b"three" * 1000):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"until the end" * 100)
            self.close_connection = True
        else:
            body = b"hello from the fetch test\n" * 40
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True

# A plain TCP listener on the "https" port: reads the ClientHello, says
# something (not TLS) and closes.
def tls_listener(port):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", port))
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

# Hostile answers, picked by the request path: the fetch must end each
# with one error line, never hang or crash.
HOSTILE = {
    b"/bighead": b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n",
    b"/badstatus": b"HTTX/9.9 abc\r\n\r\n",
    b"/badchunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"zz\r\nhello\r\n0\r\n\r\n",
    b"/badlength": b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello",
    b"/short": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n\x1b[31mshort",
    b"/escape": b"HTTP/1.1 200 \x1b]0;pwned\x07\x9b\r\nContent-Length: 0\r\n\r\n",
}

def hostile_listener(port):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", port))
    l.listen(16)
    while True:
        c, _ = l.accept()
        c.settimeout(2)
        try:
            req = c.recv(4096)
            path = req.split(b" ")[1] if req.count(b" ") >= 2 else b"/"
            c.sendall(HOSTILE.get(path, b"HTTP/1.1 404 x\r\n\r\n"))
        except OSError:
            pass
        c.close()

threading.Thread(target=tls_listener, args=(int(sys.argv[2]),),
                 daemon=True).start()
threading.Thread(target=hostile_listener, args=(int(sys.argv[3]),),
                 daemon=True).start()
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF

ns_bg python3 "$SERVER" "$PORT" "$TLSPORT" "$HOSTILEPORT"
n=0
until nsx python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; do
	n=$((n + 1))
	[ "$n" -lt 100 ] || hard_error "the test server did not start"
	sleep 0.1
done
# The probe above left one TIME_WAIT on the server side: not ours.

# -s names a port where nothing listens: an address target needs no DNS.
nsx "$TUBES" --fetch=20 --concurrency 4 --keepalive 2 --dump --json -t 2 \
    -s 127.0.0.1:9 -i lo "http://127.0.0.1:$PORT/" >"$OUT" 2>"$ERR"
rc=$?
check_eq "exit status" "$rc" 0
[ -s "$ERR" ] && { tb_log "stderr:"; cat "$ERR" >&2; }
check_eq "target address" "$(json_get "$OUT" 'd["target"]["address"]')" \
    127.0.0.1
check_eq "target port" "$(json_get "$OUT" 'd["target"]["port"]')" "$PORT"
check_eq "requests done" "$(json_get "$OUT" 'd["fetch"]["done"]')" 20
check_eq "requests failed" "$(json_get "$OUT" 'd["fetch"]["failed"]')" 0
check_eq "fetch error" "$(json_get "$OUT" 'd["fetch"]["error"]')" null
check_eq "requests listed, all 200" "$(json_get "$OUT" \
    'sum(1 for q in d["fetch"]["requests"] if q["status"] == 200)')" 20
check_true "some connections reused (keep-alive)" "$(json_get "$OUT" \
    '0 < d["fetch"]["connections_reused"] <= 18')"
check_true "every connection opened, closed by us" "$(json_get "$OUT" \
    'd["fetch"]["connections_opened"] == d["fetch"]["connections_closed"] and d["fetch"]["connections_opened"] + d["fetch"]["connections_reused"] >= 20')"
check_eq "HTTP pane: our GETs paired with 200" "$(json_get "$OUT" \
    'sum(1 for x in d["http"]["exchanges"] if x["server"] == "127.0.0.1:'"$PORT"'" and x["method"] == "GET" and x["status"] == 200 and x["path"] == "/")')" 20
# Our closes come first: each connection we opened is in TIME_WAIT here.
check_true "sockets: TIME_WAIT to the server, one per connection" \
    "$(json_get "$OUT" 'states(grp("127.0.0.1:'"$PORT"'", "client")).get("TIME_WAIT", 0) >= d["fetch"]["connections_opened"] >= 2')"
check_eq "journey source" "$(json_get "$OUT" 'd["journey"]["source"]')" fetch
check_true "journey connect/first byte/total numbers" "$(json_get "$OUT" \
    'all(isinstance(d["journey"][k], (int, float)) for k in ("connect_ms", "first_byte_ms", "transfer_ms", "total_ms"))')"
check_eq "journey dns_ms (an address)" "$(json_get "$OUT" \
    'd["journey"]["dns_ms"]')" null
check_eq "journey status" "$(json_get "$OUT" 'd["journey"]["status"]')" 200
check_true "journey TIME_WAIT countdown" "$(json_get "$OUT" \
    '0 < d["journey"]["time_wait_left_ms"] <= 60000 and d["journey"]["time_wait_now"] >= 1')"

# Chunked and close-delimited bodies, text report.
nsx "$TUBES" --fetch=3 --dump -t 0 --panes sockets \
    "http://127.0.0.1:$PORT/chunked" >"$OUT" 2>"$ERR"
check_eq "chunked: exit status" "$?" 0
check_eq "chunked: 3 done" "$(grep -c '^3 requests: 3 done, 0 failed' "$OUT")" 1
check_eq "chunked: journey status" \
    "$(grep -Ec '^  source +fetch, status 200$' "$OUT")" 1
nsx "$TUBES" --fetch=2 --keepalive 1 --dump --json -t 0 --panes sockets \
    "http://127.0.0.1:$PORT/close" >"$OUT" 2>"$ERR"
check_eq "close-delimited: exit status" "$?" 0
check_eq "close-delimited: done" "$(json_get "$OUT" 'd["fetch"]["done"]')" 2
check_eq "close-delimited: the server closes, no reuse" "$(json_get "$OUT" \
    'd["fetch"]["connections_reused"]')" 0

# A closed port: one line naming it, the report says it too, exit 1.
nsx "$TUBES" --fetch --dump --json -t 0 --panes sockets \
    "http://127.0.0.1:9/" >"$OUT" 2>"$ERR"
check_eq "closed port: exit status" "$?" 1
check_eq "closed port: one stderr line" "$(wc -l <"$ERR" | tr -d ' ')" 1
check_eq "closed port: names the cause" "$(grep -c \
    '^tubes: fetch: connect to 127.0.0.1:9: Connection refused$' "$ERR")" 1
check_eq "closed port: in the report" "$(json_get "$OUT" \
    'd["fetch"]["error"]')" "connect to 127.0.0.1:9: Connection refused"
check_eq "closed port: failed" "$(json_get "$OUT" 'd["fetch"]["failed"]')" 1

# https against a plain TCP listener: the ClientHello is in the TLS list
# (an address: no SNI, as RFC 6066 wants; tests/integ/journey.sh checks a
# name's), the server's first bytes end the request.
nsx "$TUBES" --fetch --dump --json -t 0 --panes http,sockets -i lo \
    "https://127.0.0.1:$TLSPORT/" >"$OUT" 2>"$ERR"
check_eq "https: exit status" "$?" 0
check_eq "https: done" "$(json_get "$OUT" 'd["fetch"]["done"]')" 1
check_eq "https: ClientHello seen" "$(json_get "$OUT" \
    'sum(1 for t in d["http"]["tls"] if t["server"] == "127.0.0.1:'"$TLSPORT"'")')" 1
check_eq "https: ALPN" "$(json_get "$OUT" \
    '[t.get("alpn") for t in d["http"]["tls"]][0]')" "http/1.1"

# Hostile servers: each request ends in one named error line, exit 1;
# nothing from the server reaches the report unescaped.
for c in "bighead:response head or chunk line too long" \
    "badstatus:malformed HTTP/1.x response" \
    "badchunk:malformed HTTP/1.x response" \
    "badlength:malformed HTTP/1.x response" \
    "short:connection closed before the response ended"; do
	path=${c%%:*} why=${c#*:}
	nsx "$TUBES" --fetch --dump -t 0 --panes sockets \
	    "http://127.0.0.1:$HOSTILEPORT/$path" >"$OUT" 2>"$ERR"
	check_eq "hostile /$path: exit status" "$?" 1
	check_eq "hostile /$path: one line naming it" "$(grep -c \
	    "^tubes: fetch: GET /$path from 127.0.0.1:$HOSTILEPORT: $why\$" \
	    "$ERR")/$(wc -l <"$ERR" | tr -d ' ')" 1/1
	check_eq "hostile /$path: no raw ESC in the report" \
	    "$(tr -dc '\033' <"$OUT" | wc -c | tr -d ' ')" 0
done
nsx "$TUBES" --fetch --dump --json -t 0 --panes sockets \
    "http://127.0.0.1:$HOSTILEPORT/escape" >"$OUT" 2>"$ERR"
check_eq "hostile /escape: a status is a status" "$?" 0
check_eq "hostile /escape: status 200" "$(json_get "$OUT" \
    'd["journey"]["status"]')" 200

check_done "$OUT"
