#!/bin/sh
# The journey view in a private tmux server.  In a namespace of its own
# (tubes-test-tui_journey-PID, loopback only) a python3 HTTP server
# listens; tubes --fetch http://127.0.0.1:PORT/ makes the request itself
# (-n, and -s to a port where nothing answers, so no resolver of the
# machine is ever asked; a literal address needs no lookup).  j opens the
# journey: the target, the connect and first-byte times as numbers, the
# TIME_WAIT countdown of the socket the request left; it still fits at
# 80x24 after a resize and in the C locale (ASCII bars); j, Esc and q go
# back to the panes; q then exits 0 and the terminal is restored.  Without
# a target, j says on the status line how to get one.
# Exit 0 pass, 1 fail, 77 skip (not root, no tmux, no python3).

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"
need_root
need_tool python3
. "$top_srcdir/tests/tui/tuilib.sh"
# tuilib.sh's trap replaced lib.sh's: its cleanup calls ours.
tui_extra_cleanup() {
	tb_cleanup
}

ns_create tui_journey
PORT=8080
LOG=$(tb_tmpfile)
ns_bg python3 -m http.server "$PORT" --bind 127.0.0.1
n=0
until nsx python3 -c "import socket; socket.create_connection(('127.0.0.1', \
$PORT), 1)" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 50 ] && fail "the HTTP server did not start"
	sleep 0.1
done

# $1 locale, $2 width, $3 height: tubes --fetch in the namespace.
start() {
	$TMUX_CMD new -d -x "$2" -y "$3" "ip netns exec $NS env LANG=$1 \
	    LC_ALL=$1 '$TUBES' --fetch http://127.0.0.1:$PORT/ -n \
	    -s 127.0.0.1:9 2>$LOG; echo TUBES-EXITED rc=\$?; stty -a | \
	    tr ' ;' '\n\n' | grep -x -e icanon -e -icanon -e echo -e -echo | \
	    tr '\n' ' '; echo END; sleep 30" || fail "cannot start tmux"
}

# The number before " ms" on the journey line starting with $1.
ms_of() {
	screen | awk -v s="$1" 'index($0, s) { for (i = 1; i < NF; i++)
	    if ($(i + 1) == "ms") { print $i; exit } }'
}

check_number() {
	v=$(ms_of "$1")
	case $v in
	''|*[!0-9.]*) fail "no number for \"$1\" in the journey (read '$v')" ;;
	esac
	echo "ok: $1 $v ms"
}

tui_server "tubes-journey-$$"
start C.UTF-8 120 40
wait_for "?:help" "tubes is up"
wait_status "j:journey" "the journey key on the status line"
keys j
wait_for "journey: j, q or Esc goes back" "j opens the journey"
wait_for "http://127.0.0.1:$PORT/" "the target"
wait_for "127.0.0.1:$PORT" "the address"
wait_for "HTTP status 200" "the request's status"
wait_for "first byte" "the first-byte step"
check_number "connect "
check_number "first byte "
check_number "transfer "
wait_for "s left of 60" "the TIME_WAIT countdown"
screen | grep -q "DNS lookup.*no lookup" ||
    fail "an address target has no lookup: the DNS step should say so"
screen | grep -qF "$(printf '\342\226\210')" ||
    fail "no bar drawn in UTF-8"

# 80x24: the same lines, still inside the screen.
resize_to 80 24
wait_for "journey: j, q or Esc goes back" "80x24: the journey"
check_number "first byte "
wait_for "s left of 60" "80x24: the countdown"
screen | sed -n 24p | grep -qF "?:help" ||
    fail "80x24: the status line is not on line 24"

# j goes back to the panes, j again opens, Esc goes back, q too.
keys j
wait_gone "journey: j, q or Esc goes back" "j goes back"
keys j
wait_for "journey: j, q or Esc goes back" "j opens it again"
keys Escape
wait_gone "journey: j, q or Esc goes back" "Esc goes back"
keys j
wait_for "journey: j, q or Esc goes back" "and again"
keys q
wait_gone "journey: j, q or Esc goes back" "q goes back"
screen | grep -qF "TUBES-EXITED" && fail "q in the journey quit tubes"

# The help names the key.
help_shows "j: the journey" "the journey key"

keys q
wait_for "TUBES-EXITED rc=0" "q exits with 0"
wait_for "END" "the shell ran after tubes"
screen | grep -q "icanon echo" || fail "terminal not restored"
tb_sanitizer_report "$LOG" && fail "sanitizer report"

# The C locale: ASCII bars, the same numbers.
tui_server "tubes-journey-$$-c"
start C 80 24
wait_for "?:help" "C locale: tubes is up"
keys j
wait_for "journey: j, q or Esc goes back" "C locale: the journey"
wait_for "HTTP status 200" "C locale: the status"
check_number "first byte "
screen | grep -q "first byte .*ms  *#" || fail "C locale: no ASCII bar"
keys j q
wait_for "TUBES-EXITED rc=0" "C locale: q exits with 0"

# No target: the status line says how to get one; the panes stay.
tui_server "tubes-journey-$$-n"
$TMUX_CMD new -d -x 80 -y 24 "ip netns exec $NS env LANG=C.UTF-8 \
    LC_ALL=C.UTF-8 '$TUBES' --panes sockets 2>>$LOG; \
    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"
wait_for "?:help" "no target: tubes is up"
keys j
wait_status "no target: tubes URL, or --fetch URL" "no target: j says so"
screen | grep -qF "journey: j, q or Esc" && fail "no target: a journey view"
wait_for "sockets" "no target: the panes stay"
keys q
wait_for "TUBES-EXITED rc=0" "no target: q exits with 0"
echo "PASS: tui_journey"
exit 0
