# Shared helpers for the TUI tests: a private tmux server per session,
# bounded polling of the screen, keys, and cleanup on every exit path.
# A test sources this, calls tui_server NAME before each session, and may
# define tui_extra_cleanup (called on exit).  Exit 77 when tmux is missing.

: "${TUBES:=./src/tubes}"
: "${top_builddir:=$(pwd)}"

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux not installed (apt-get install tmux)"
	exit 77
fi
if [ ! -x "$TUBES" ]; then
	echo "FAIL: $TUBES is not an executable"
	exit 1
fi
unset TMUX
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/tmuxlib.sh"
TUI_SOCKS=
TUI_SOCK=
TMUX_CMD=

_tui_cleanup() {
	for s in $TUI_SOCKS; do
		tb_tmux_kill "$s"
	done
	command -v tui_extra_cleanup >/dev/null 2>&1 && tui_extra_cleanup
}
trap _tui_cleanup EXIT
trap 'exit 1' INT TERM HUP

# Use a new private server: a new server on the socket of one that is still
# shutting down would fail with "server exited unexpectedly".
tui_server() {
	[ -n "$TUI_SOCK" ] && tb_tmux_kill "$TUI_SOCK"
	TUI_SOCK=$1
	TUI_SOCKS="$TUI_SOCKS $1"
	TMUX_CMD="tmux -L $1 -f /dev/null"
}

screen() {
	$TMUX_CMD capture-pane -p 2>/dev/null
}

fail() {
	echo "FAIL: $*"
	echo "--- screen ---"
	screen
	echo "--------------"
	exit 1
}

# _tui_poll FILTER WANT: up to 10 s until `screen | FILTER` has WANT
# (WANT = 0) or lacks it (WANT = 1), $3 being the fixed string.
_tui_poll() {
	i=0
	while [ $i -lt 100 ]; do
		screen | eval "$1" | grep -qF -- "$3"
		[ $? -eq "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_for TEXT WHAT: the screen shows TEXT within 10 s.
wait_for() {
	_tui_poll cat 0 "$1" || fail "waited 10 s for \"$1\" ($2)"
}

# wait_gone TEXT WHAT: TEXT leaves the screen within 10 s.
wait_gone() {
	_tui_poll cat 1 "$1" || fail "waited 10 s for \"$1\" to go away ($2)"
}

# wait_line N TEXT WHAT: line N of the screen shows TEXT within 10 s.
wait_line() {
	_tui_poll "sed -n '$1p'" 0 "$2" ||
	    fail "waited 10 s for \"$2\" on line $1 ($3)"
}

# wait_status TEXT WHAT: the last line shows TEXT within 10 s.
wait_status() {
	_tui_poll "tail -n 1" 0 "$1" ||
	    fail "waited 10 s for \"$1\" on the status line ($2)"
}

keys() {
	$TMUX_CMD send-keys "$@" || fail "send-keys $*"
}

# help_shows TEXT WHAT: open the help (?), scroll down until TEXT is on
# the screen (at most 80 lines), and close it again.
help_shows() {
	keys '?'
	wait_for "help: ?" "the help screen"
	_hs_n=0
	while ! screen | grep -qF "$1"; do
		_hs_n=$((_hs_n + 1))
		[ $_hs_n -gt 80 ] && fail "no $2 found in the help"
		keys Down
		sleep 0.05
	done
	keys '?'
	wait_gone "help: ?" "help closed"
}

# resize_to W H: the tmux window (and so tubes' terminal) to W x H.
resize_to() {
	$TMUX_CMD resize-window -x "$1" -y "$2" >/dev/null 2>&1 ||
	    fail "tmux resize-window"
}
