#!/bin/sh
# The HTTP pane in a private tmux server, reading a capture of the corpus
# (../shared/corpus/http/02-keepalive-nginx.pcap: 5 exchanges to nginx,
# one of them a 404).  Checks: the 5 exchanges' paths and statuses in
# order, the header line (packets, drops, flows, the file), Enter on the
# 404 row opens its detail with the request headers (User-Agent
# corpus-keepalive/1) and response headers, Esc returns to the table, d
# opens and closes the detail too, the / filter "404" leaves one row, f
# toggles follow, ? shows the HTTP help, 80x24 still shows the rows, q
# exits 0.  Then a capture with ESC and CSI bytes in its headers shows
# them escaped (no raw control byte reaches the terminal), DNS answers in a
# capture show up as rows of the DNS pane (VIA cap), and, as root,
# tubes without CAP_NET_RAW says how to grant capture in the pane while
# the sockets pane keeps working.
# Exit 0 pass, 1 fail, 77 skip (no tmux, no corpus, no http pane).

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/tui/tuilib.sh"

TMPD=
tui_extra_cleanup() {
	[ -n "$TMPD" ] && rm -rf "$TMPD"
}

CORPUS=${TUBES_CORPUS:-$top_srcdir/../shared/corpus}/http
F=$CORPUS/02-keepalive-nginx.pcap
if [ ! -f "$F" ]; then
	echo "SKIP: corpus absent ($F)"
	exit 77
fi
if ! why=$("$TUBES" --panes http,sockets -r "$F" --version 2>&1 \
    >/dev/null); then
	echo "SKIP: $why" | sed 's/^SKIP: tubes: /SKIP: /'
	exit 77
fi

# row PATH STATUS: the line number of the table row with both, or "".
row() {
	screen | awk -v p=" $1 " -v s=" $2 " \
	    'index($0, p) && index($0, s) { print NR; exit }'
}

# The 5 exchanges, in the order the file has them.
check_rows() {
	prev=0
	for ps in /index.html:200 /small.txt:200 /missing:404 \
	    /medium.bin:200 /index.html:200; do
		n=$(screen | awk -v p=" ${ps%%:*} " -v s=" ${ps#*:} " \
		    -v after="$prev" 'NR > after && index($0, p) &&
		    index($0, s) { print NR; exit }')
		[ -n "$n" ] || fail "$1: no row $ps below line $prev"
		prev=$n
	done
}

# --- the session --------------------------------------------------------

tui_server "tubes-http-$$"
$TMUX_CMD new -d -x 120 -y 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    '$TUBES' --panes http,sockets -r '$F'; \
    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"

wait_for "http  " "the http pane"
wait_for "http  following" "follow mode by default"
wait_for "/medium.bin" "the exchanges read from the file"
wait_for "Status" "the table header"
wait_for "26 packets" "the packet count on the header line"
wait_for "0 drops" "the drops on the header line"
wait_for "2 flows" "the flow count on the header line"
wait_for "02-keepalive-nginx.pcap" "the capture source on the header line"
check_rows "120x40"
screen | grep -F " HEAD " | grep -qF "/index.html" ||
    fail "no HEAD /index.html row"
wait_status "f:follow d:detail" "the http keys on the status line"
echo "ok: 5 exchanges in order, the header line"

# Enter on the 404 row (two rows above the newest, which is selected).
keys Up Up
keys Enter
wait_for "-> 404 Not Found" "Enter opens the 404 row's detail"
wait_for "Request headers" "the request headers' heading"
wait_for "User-Agent: corpus-keepalive/1" "the request's User-Agent"
wait_for "Response headers" "the response headers' heading"
wait_for "Server: nginx" "the response's Server header"
wait_for "GET /missing HTTP/1.1" "the request line"
screen | grep -qF "Status" && fail "the detail still shows the table"
echo "ok: detail of the 404"
screen | sed -n '1,18p'
keys Escape
wait_for "Status" "Esc returns to the table"
wait_gone "User-Agent:" "the detail is gone"
check_rows "back from the detail"

# d opens the selected row (still the 404) and closes it.
keys d
wait_for "-> 404 Not Found" "d opens the detail"
keys d
wait_gone "-> 404 Not Found" "d closes the detail"
wait_for "Status" "d returns to the table"

# The filter: "404" leaves the one row.
keys /
wait_status "filter /" "the filter prompt"
keys 4 0 4 Enter
wait_for "http  " "the pane after the filter"
wait_gone "/medium.bin" "the filter hides the 200 rows"
[ -n "$(row /missing 404)" ] || fail "the filter hid the 404 row"
n=$(screen | grep -cE "(GET|HEAD) .* (200|404) ")
[ "$n" -eq 1 ] || fail "the filter 404 leaves $n rows, not 1"
keys / C-u Enter
wait_for "/medium.bin" "an empty filter shows every row again"
echo "ok: filter"

# Follow mode (in the title): on at the start, off once Up moved the
# selection, f toggles it, G follows again.
wait_for "scrolled" "Up turned follow mode off"
keys f
wait_for "following" "f turns follow on"
keys f
wait_for "scrolled" "f turns follow off"
keys G
wait_for "following" "G follows again"
echo "ok: follow"

# Help.
help_shows "Pipelined" "HTTP help"

# 80x24: the rows are still there, the status line at the bottom.
resize_to 80 24
wait_status "?:help" "80x24: the status line"
screen | sed -n 24p | grep -qF "?:help" ||
    fail "80x24: the status line is not on line 24"
check_rows "80x24"
keys q
wait_for "TUBES-EXITED rc=0" "q exits with 0"
echo "ok: help, 80x24 and q"

# --- hostile headers ----------------------------------------------------
# One exchange whose request line and headers carry ESC, CSI (0x9b), BEL
# and invalid UTF-8.  The pane must show them as \xHH escapes.

if command -v python3 >/dev/null 2>&1; then
	TMPD=$(mktemp -d /tmp/tubes-tui-http.XXXXXX) || fail "mktemp"
	python3 - "$TMPD/esc.pcap" <<'EOF' || fail "cannot write esc.pcap"
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frame(src, dst, sport, dport, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4,
        flags, 65535, 0, 0) + data
    ph = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6,
        0, bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\0\1\2\3\4\5" + b"\0\1\2\3\4\6" + b"\x08\x00" + ip + tcp

c, s = [10, 9, 0, 1], [10, 9, 0, 2]
req = (b"GET /e\x1b[2Jp HTTP/1.1\r\nHost: esc.test\r\n"
       b"User-Agent: evil\x1b]0;pwned\x07\x9b31m\xff\xfe\r\n\r\n")
resp = (b"HTTP/1.1 200 OK\x1b[5m\r\nContent-Length: 2\r\n"
        b"X-Evil: \x1b[31mred\x9b0m\r\n\r\nok")
pk = [
    frame(c, s, 40000, 80, 1000, 0, 0x02),
    frame(s, c, 80, 40000, 5000, 1001, 0x12),
    frame(c, s, 40000, 80, 1001, 5001, 0x10),
    frame(c, s, 40000, 80, 1001, 5001, 0x18, req),
    frame(s, c, 80, 40000, 5001, 1001 + len(req), 0x18, resp),
    frame(c, s, 40000, 80, 1001 + len(req), 5001 + len(resp), 0x11),
    frame(s, c, 80, 40000, 5001 + len(resp), 1002 + len(req), 0x11),
    frame(c, s, 40000, 80, 1002 + len(req), 5002 + len(resp), 0x10),
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(pk):
        f.write(struct.pack("<IIII", 1700000000, 1000 * i, len(p), len(p)))
        f.write(p)
EOF
	tui_server "tubes-http-$$-esc"
	$TMUX_CMD new -d -x 120 -y 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	    '$TUBES' --panes http -r '$TMPD/esc.pcap'; \
	    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"
	wait_for "esc.test" "the hostile exchange's row"
	wait_for '/e\x1b[2Jp ' "the path's ESC shown as \\x1b"
	keys Enter
	wait_for 'User-Agent: evil\x1b]0;pwned\x07\x9b31m\xff\xfe' \
	    "the User-Agent's control bytes escaped in the detail"
	wait_for 'X-Evil: \x1b[31mred\x9b0m' "the response header escaped"
	# The raw screen (with attributes) has no byte the file put there:
	# neither OSC nor the title it would set, nor a blink.
	$TMUX_CMD capture-pane -p -e | grep -q "$(printf '\033]0;')" &&
	    fail "a raw OSC from the capture reached the terminal"
	$TMUX_CMD display -p '#{pane_title}' | grep -qF pwned &&
	    fail "the capture set the terminal's title"
	keys q
	wait_for "TUBES-EXITED rc=0" "hostile file: q exits with 0"
	echo "ok: control bytes in headers escaped"
else
	echo "note: no python3, the hostile-headers session is skipped"
fi

# --- passive DNS --------------------------------------------------------
# DNS answers in a capture (../shared/corpus/real/edns-opts.pcap: 21
# answers for example.com) are rows of the DNS pane, VIA "cap".

DNSF=${TUBES_CORPUS:-$top_srcdir/../shared/corpus}/real/edns-opts.pcap
if [ -f "$DNSF" ]; then
	tui_server "tubes-http-$$-dns"
	$TMUX_CMD new -d -x 140 -y 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	    '$TUBES' --panes dns,http -s 127.0.0.1:9 -r '$DNSF'; \
	    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"
	wait_for "example.com" "passive DNS: the name in the DNS pane"
	wait_for " cap " "passive DNS: VIA cap"
	wait_for "93.184.216.34" "passive DNS: the answer"
	keys q
	wait_for "TUBES-EXITED rc=0" "passive DNS: q exits with 0"
	echo "ok: DNS answers in the capture are rows of the DNS pane"
else
	echo "note: no $DNSF, the passive DNS session is skipped"
fi

# --- no privilege -------------------------------------------------------
# Root without CAP_NET_RAW/CAP_NET_ADMIN (setpriv drops them from the
# bounding set): the pane shows the setcap line, the sockets pane works.

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
    setpriv --inh-caps=-net_raw,-net_admin \
    --bounding-set=-net_raw,-net_admin true 2>/dev/null; then
	tui_server "tubes-http-$$-nopriv"
	$TMUX_CMD new -d -x 120 -y 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
	    setpriv --inh-caps=-net_raw,-net_admin \
	    --bounding-set=-net_raw,-net_admin \
	    '$TUBES' --panes http,sockets; \
	    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"
	wait_for "http  no capture" "the pane title without a capture"
	wait_for "setcap cap_net_raw,cap_net_admin+ep" "the setcap line"
	wait_for "sockets " "the sockets pane next to it"
	wait_for "ESTABLISHED" "the sockets pane works"
	keys q
	wait_for "TUBES-EXITED rc=0" "no privilege: q exits with 0"
	echo "ok: without CAP_NET_RAW the pane says how to grant it"
else
	echo "note: not root or no setpriv, the no-privilege session is skipped"
fi

echo "PASS: tui_http"
exit 0
