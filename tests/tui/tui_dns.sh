#!/bin/sh
# The DNS pane in a private tmux server, against a DNS responder on
# loopback: the answer row appears, its TTL counts down, Tab moves the
# focus, a name typed at the lookup prompt gets its row and answer, a bad
# name is reported on the status line and tubes keeps running, r toggles
# re-query, ? shows the DNS help, 80x24 still shows the row, q exits 0.
# The responder is tests/dnsd when built, else a small python3 one.
# Exit 0 pass, 1 fail, 77 skip (no tmux, no responder, no DNS pane).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tuilib.sh"
if ! "$TUBES" --panes dns -s 127.0.0.1 --version >/dev/null 2>&1; then
	echo "SKIP: this tubes has no DNS pane"
	exit 77
fi

tui_server "tubes-dns-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tui_dns.XXXXXX") || exit 1
RESP_PID=
tui_extra_cleanup() {
	if [ -n "$RESP_PID" ]; then
		kill "$RESP_PID" 2>/dev/null
		wait "$RESP_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}

# The TTL shown on the row whose answer is $1: the third field after the
# status (server, latency, TTL).
ttl_of() {
	screen | awk -v a="$1" '
	    index($0, a) { for (i = 1; i <= NF; i++) if ($i == "NOERROR") {
		print $(i + 3); exit } }'
}

# --- the responder: tests/dnsd, or python3 ----------------------------------

start_dnsd() {
	"$top_builddir/tests/dnsd" --addr 127.0.0.1 --port 0 \
	    --delay-ms 50 --max-seconds 120 >"$TMP/port" 2>"$TMP/resp.err" &
	RESP_PID=$!
	Q1=www.ad.t A1=192.0.2.2
	Q2=x.slow.t A2=192.0.2.1
}

# Any A query: 198.51.100.10 (198.51.100.20 for names starting "web"),
# TTL 300; other types: an empty NOERROR answer.
start_python() {
	cat >"$TMP/resp.py" <<'EOF'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(1.0)
end = time.time() + 120
while time.time() < end:
    try:
        q, peer = s.recvfrom(4096)
    except socket.timeout:
        continue
    if len(q) < 12:
        continue
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    at, labels = 12, []
    while at < len(q) and q[at] != 0:
        labels.append(q[at + 1:at + 1 + q[at]])
        at += 1 + q[at]
    if at + 5 > len(q):
        continue
    qtype = struct.unpack(">H", q[at + 1:at + 3])[0]
    question = q[12:at + 5]
    name = b".".join(labels).lower()
    an = b""
    if qtype == 1:
        last = 20 if name.startswith(b"web") else 10
        an = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + \
            bytes([198, 51, 100, last])
    hdr = struct.pack(">HHHHHH", qid, 0x8400 | (flags & 0x0100) | 0x80,
                      1, 1 if an else 0, 0, 0)
    s.sendto(hdr + question + an, peer)
EOF
	python3 "$TMP/resp.py" >"$TMP/port" 2>"$TMP/resp.err" &
	RESP_PID=$!
	Q1=www.lab.test A1=198.51.100.10
	Q2=web.lab.test A2=198.51.100.20
}

if [ -x "$top_builddir/tests/dnsd" ]; then
	start_dnsd
elif command -v python3 >/dev/null 2>&1; then
	start_python
else
	echo "SKIP: no DNS responder (build tests/dnsd, or install python3)"
	exit 77
fi
i=0
while [ $i -lt 50 ] && ! grep -q '^[0-9][0-9]*$' "$TMP/port"; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(head -n 1 "$TMP/port")
case $PORT in
''|*[!0-9]*)
	echo "SKIP: the DNS responder did not start: $(cat "$TMP/resp.err")"
	exit 77
	;;
esac

# --- the session ------------------------------------------------------------

$TMUX_CMD new -d -x 120 -y 30 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 '$TUBES' \
    --panes dns,sockets -s 127.0.0.1:$PORT -q $Q1; \
    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"

wait_for "dns" "the pane title"
wait_for "requery off" "re-query state in the title"
wait_for "NAME" "the table header"
wait_for "$Q1" "the lookup row"
wait_for "$A1" "the answer"
wait_for "NOERROR" "the status"
wait_status "a:lookup" "the DNS keys on the status line"

# The TTL counts down.
t1=$(ttl_of "$A1")
sleep 2.5
t2=$(ttl_of "$A1")
case "$t1$t2" in
''|*[!0-9]*) fail "no TTL on the answer row (read '$t1', '$t2')" ;;
esac
[ "$t2" -lt "$t1" ] || fail "TTL did not count down: $t1 then $t2"
echo "ok: TTL $t1 -> $t2"

# Focus.
wait_status "[dns]" "the DNS pane focused first"
keys Tab
wait_status "[sockets]" "Tab focuses the sockets pane"
keys Tab
wait_status "[dns]" "Tab back to the DNS pane"

# Re-query toggle.
keys r
wait_for "requery on" "r turns re-query on"
keys r
wait_for "requery off" "r turns it off again"

# A lookup typed at the prompt.
keys a
wait_status "look up NAME[/TYPE]: " "the lookup prompt"
keys -l "$Q2"
wait_status "look up NAME[/TYPE]: $Q2" "the typed name"
keys Enter
wait_for "$A2" "the answer to the typed name"
wait_for "$Q2" "the typed name's row"

# Esc cancels the prompt.
keys a
wait_status "look up NAME[/TYPE]: " "the prompt again"
keys -l "cancelled.example"
keys Escape
wait_gone "look up NAME" "Esc closes the prompt"
wait_status "?:help" "the status line back"

# A bad name: an error on the status line, tubes keeps running.
keys a
wait_status "look up NAME[/TYPE]: " "the prompt for a bad name"
keys -l "a..b"
keys Enter
wait_status "lookup: " "the error for a bad name"
echo "ok: bad name:$(screen | tail -n 1 | sed 's/.*|//; s/  *$//')"
screen | grep -qF "TUBES-EXITED" && fail "tubes exited on a bad name"
keys Escape
wait_status "?:help" "the status line after the error"
wait_for "$A1" "the rows are still there"

if [ -x "$top_builddir/tests/dnsd" ]; then
	# Control bytes in a CNAME chain: escaped, never sent raw (ESC ] 0;
	# would retitle the tmux pane).
	keys a
	keys -l "esc.t"
	keys Enter
	wait_for "192.0.2.3" "the answer behind the hostile chain"
	wait_for "\\027" "ESC shown escaped as \\027"
	title=$($TMUX_CMD display -p '#{pane_title}' 2>/dev/null)
	case $title in
	*pwned*) fail "a raw escape sequence reached the terminal" ;;
	esac

	# Re-query fires when a TTL runs out: ttl1.t has TTL 1 and a new
	# address on every query.
	keys a
	keys -l "ttl1.t"
	keys Enter
	wait_for "192.0.2.100" "the first answer of ttl1.t"
	keys r
	wait_for "requery on" "r turns re-query on for ttl1.t"
	wait_for "192.0.2.101" "ttl1.t asked again when its TTL ran out"
	wait_for "192.0.2.102" "and again a second later"
	keys r
	wait_for "requery off" "r turns re-query off"
fi

# Help.
help_shows "STATUS: NOERROR" "DNS help"

# 80x24.
resize_to 80 24
wait_for "$A1" "80x24: the answer"
wait_status "?:help" "80x24: the status line"
screen | sed -n 24p | grep -qF "?:help" ||
    fail "80x24: the status line is not on line 24"

keys q
wait_for "TUBES-EXITED rc=0" "q exits with 0"

# Without colors or UTF-8: ASCII borders and arrows, the same rows.
tui_server "tubes-dns-$$-c"
EXTRA=
[ -x "$top_builddir/tests/dnsd" ] && EXTRA="-q esc.t"
$TMUX_CMD new -d -x 80 -y 24 "env NO_COLOR=1 LANG=C LC_ALL=C '$TUBES' \
    --panes dns -s 127.0.0.1:$PORT -q $Q1 $EXTRA; \
    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"
wait_for "+- dns" "C locale: ASCII borders"
wait_for "$A1" "C locale: the answer"
[ -n "$EXTRA" ] && wait_for "esc.t -> " "C locale: the CNAME chain in ASCII"
keys q
wait_for "TUBES-EXITED rc=0" "C locale: q exits with 0"
echo "PASS: tui_dns"
exit 0
