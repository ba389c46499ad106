#!/bin/sh
# The TUI in a private tmux server: it starts, shows the sockets pane, takes
# the keys (Tab, ?, p, /, Esc, q), survives a resize to 80x24, exits with 0
# and leaves the shell usable; once more with NO_COLOR and the C locale.
# Exit 0 pass, 1 fail, 77 skip (no tmux).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tuilib.sh"

# The sockets pane alone (the DNS pane has tests/tui/tui_dns.sh).
# $1: tmux socket, $2: environment for tubes (env(1) arguments),
# $3: what this run is.
run_session() {
	tui_server "$1"
	shift
	$TMUX_CMD new -d -x 100 -y 30 \
	    "env $1 '$TUBES' --panes sockets; echo TUBES-EXITED rc=\$?; sleep 30" ||
	    fail "cannot start tmux"
	wait_for "sockets" "$2: the sockets pane title"
	wait_for "ESTABLISHED" "$2: the state table"
	wait_for "TIME_WAIT" "$2: the state table"
	wait_for "REMOTE" "$2: the group table header"
	wait_for "?:help" "$2: the status line"
}

run_keys() {
	keys Tab
	wait_for "ESTABLISHED" "$1: after Tab"

	keys '?'
	wait_for "help: ?" "$1: help screen"
	wait_for "Keys" "$1: help keys section"
	keys End
	wait_for "tcp_tw_recycle" "$1: help scrolled to the end"
	keys '?'
	wait_gone "help: ?" "$1: help closed"
	wait_for "REMOTE" "$1: the pane is back"

	keys p
	wait_for "PAUSED" "$1: pause marker"
	keys p
	wait_gone "PAUSED" "$1: unpaused"

	keys /
	wait_for "filter /" "$1: filter prompt"
	keys -l "no-such-host"
	wait_for "filter /no-such-host" "$1: typed filter"
	keys Escape
	wait_gone "filter /" "$1: prompt cancelled"
	wait_for "?:help" "$1: status line back"

	keys /
	wait_for "filter /" "$1: filter prompt again"
	keys -l "zz-nothing"
	keys Enter
	wait_for "no group matches" "$1: filter applied"
	keys /
	keys C-u Enter
	wait_gone "no group matches" "$1: filter cleared"

	keys Enter
	wait_for "ZOOM" "$1: zoomed"
	keys Enter
	wait_gone "ZOOM" "$1: unzoomed"
}

quit_session() {
	keys q
	wait_for "TUBES-EXITED rc=0" "$1: clean exit status"
}

run_session "tubes-$$" "LANG=C.UTF-8 LC_ALL=C.UTF-8" "utf-8"
run_keys "utf-8"
resize_to 80 24
# Relaid out, not cropped: the status line moved up from line 30 to 24.
wait_line 24 "?:help" "80x24: the status line on the last line"
wait_line 1 "sockets" "80x24: the pane title on the first line"
wait_for "sockets" "80x24: the pane title after the resize"
wait_for "ESTABLISHED" "80x24: the states after the resize"
wait_for "REMOTE" "80x24: the table after the resize"
keys '?'
wait_for "Keys" "80x24: help"
keys '?'
wait_for "REMOTE" "80x24: help closed"
quit_session "utf-8"

tb_tmux_kill "$TUI_SOCK"
run_session "tubes-$$-c" "NO_COLOR=1 LANG=C LC_ALL=C" "NO_COLOR, C locale"
wait_for "+---" "C locale: ASCII borders"
run_keys "NO_COLOR, C locale"
quit_session "NO_COLOR, C locale"

echo "PASS: tui_basic"
exit 0
