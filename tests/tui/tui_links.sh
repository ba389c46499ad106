#!/bin/sh
# Cross-links and DNS labels, in a private tmux server.  In a namespace of
# its own (tubes-test-tui_links-PID, loopback only, 192.0.2.2 on lo) run
# tests/dnsd (www.ad.t has A 192.0.2.2) and a python3 HTTP server on
# 192.0.2.2; tubes --fetch http://www.ad.t:PORT/ -s DNSD resolves,
# traces and fetches there.  Checks: in the DNS pane, Down selects the
# lookup row and t traces its answer (the status line says so); a request
# without a Host header is labeled www.ad.t in the HTTP pane; the detail
# view of the fetch shows its DNS lookup, its route and its socket; the
# sockets pane labels the remote with its name; --dump --json gives the
# exchange "server_name": "www.ad.t".  Then without a target t says it
# cannot trace from here, and with -n the sockets pane shows the address,
# not the name.  Nothing leaves the namespace.
# Exit 0 pass, 1 fail, 77 skip (not root, no tmux, no python3, no dnsd).

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"
need_root
need_tool python3
DNSD=$top_builddir/tests/dnsd
[ -x "$DNSD" ] || skip "no tests/dnsd (make tests/dnsd)"
. "$top_srcdir/tests/tui/tuilib.sh"
tui_extra_cleanup() {
	tb_cleanup
}

ns_create tui_links
nsx ip addr add 192.0.2.2/32 dev lo || hard_error "cannot add 192.0.2.2"
PORT=8080
LOG=$(tb_tmpfile)
DPORT_F=$(tb_tmpfile)
JSON=$(tb_tmpfile)
ns_bg "$DNSD" --addr 127.0.0.1 --port 0 --max-seconds 120 >"$DPORT_F"
ns_bg python3 -m http.server "$PORT" --bind 192.0.2.2
wait_for_line "$DPORT_F" '^[0-9]+$' 10 || fail "dnsd did not start"
DPORT=$(head -n 1 "$DPORT_F")
n=0
until nsx python3 -c "import socket; socket.create_connection(('192.0.2.2', \
$PORT), 1)" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 50 ] && fail "the HTTP server did not start"
	sleep 0.1
done

# --- the dump: "server_name" ------------------------------------------------

nsx "$TUBES" --dump --json --fetch "http://www.ad.t:$PORT/" \
    -s "127.0.0.1:$DPORT" -t 1 >"$JSON" 2>>"$LOG" ||
    fail "tubes --dump --fetch failed: $(cat "$LOG")"
got=$(json_get "$JSON" 'd["http"]["exchanges"][0]["server_name"]')
[ "$got" = "www.ad.t" ] || fail "dump: server_name is '$got', not www.ad.t"
echo "ok: dump: server_name $got"

# --- the session ------------------------------------------------------------

tui_server "tubes-links-$$"
$TMUX_CMD new -d -x 120 -y 40 "ip netns exec $NS env LANG=C.UTF-8 \
    LC_ALL=C.UTF-8 '$TUBES' --fetch http://www.ad.t:$PORT/ \
    -s 127.0.0.1:$DPORT 2>>$LOG; echo TUBES-EXITED rc=\$?; sleep 30" ||
    fail "cannot start tmux"
wait_for "?:help" "tubes is up"
wait_for "192.0.2.2" "the DNS answer"
wait_status "t:trace" "the trace key on the DNS pane's status line"

# The DNS pane: select the lookup row, t traces its answer.
wait_status "[dns]" "the DNS pane focused first"
keys Down
keys t
wait_status "tracing 192.0.2.2" "t traces the selected answer"
wait_for "192.0.2.2 icmp" "the trace pane goes to it"

# A request without Host: the host column shows the DNS name.
nsx python3 -c "
import socket
s = socket.create_connection(('192.0.2.2', $PORT), 2)
s.sendall(b'GET /nohost HTTP/1.0\r\n\r\n')
while s.recv(4096):
    pass
" || fail "the request without Host failed"
keys Tab Tab
wait_status "[http]" "Tab Tab focuses the HTTP pane"
wait_for "/nohost" "the request without Host"
screen | grep -F "/nohost" | grep -qF "www.ad.t" ||
    fail "the row without Host is not labeled www.ad.t"
echo "ok: http: a row without Host labeled www.ad.t"

# The fetch's detail (the filter keeps its row alone): DNS, route, socket.
keys /
keys -l "www.ad.t:"
keys Enter
wait_gone "/nohost" "the filter keeps the fetch's row"
keys Enter
wait_for "Host: www.ad.t:$PORT" "Enter opens the fetch's detail"
keys Enter
wait_for "ZOOM" "Enter zooms the detail"
wait_for "Journey (DNS, route, socket)" "the journey lines"
wait_for "DNS: www.ad.t -> 192.0.2.2 (looked up from 127.0.0.1:$DPORT" \
    "the lookup that gave the address"
wait_for "route: 1 hop, reached" "the route"
wait_for "socket: to 192.0.2.2:$PORT: " "the socket line"
screen | grep -F "socket: " | grep -q "[0-9] TIME_WAIT" ||
    fail "the socket's TIME_WAIT is not counted"
echo "ok: detail:$(screen | grep -F -e 'DNS: ' -e 'route: ' -e 'socket: ' |
    sed 's/[│|]//g; s/  */ /g' | tr '\n' ';')"
keys Escape
wait_gone "http  detail" "Esc leaves the detail"

# The sockets pane (zoomed, Tab keeps the zoom) labels the remote.
keys Tab
wait_status "[sockets]" "Tab focuses the sockets pane"
wait_for "www.ad.t" "the sockets pane labels 192.0.2.2 www.ad.t"
echo "ok: sockets:$(screen | grep -F "www.ad.t" | sed 's/[│|]//g; s/  */ /g')"
keys Tab
help_shows "t: trace the selected row" "the DNS pane's trace key"
keys q
wait_for "TUBES-EXITED rc=0" "q exits with 0"

# --- no target: t cannot trace; -n: addresses, no names ----------------------

tui_server "tubes-links-$$-n"
$TMUX_CMD new -d -x 100 -y 30 "ip netns exec $NS env LANG=C.UTF-8 \
    LC_ALL=C.UTF-8 '$TUBES' --panes dns,sockets -n -s 127.0.0.1:$DPORT \
    -q www.ad.t 2>>$LOG; echo TUBES-EXITED rc=\$?; sleep 30" ||
    fail "cannot start tmux"
wait_for "192.0.2.2" "no target: the answer"
keys Down
keys t
wait_status "cannot trace from here" "no target: t says why"
keys Tab
wait_status "[sockets]" "-n: the sockets pane"
keys Enter
wait_for "192.0.2.2:$PORT" "-n: the remote by its address"
screen | grep -qF "www.ad.t" && fail "-n: a DNS name labels an address"
echo "ok: -n: addresses only"
keys q
wait_for "TUBES-EXITED rc=0" "no target: q exits with 0"
tb_sanitizer_report "$LOG" && fail "sanitizer report"
echo "PASS: tui_links"
exit 0
