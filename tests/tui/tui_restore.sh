#!/bin/sh
# The terminal is restored on every exit path: after SIGTERM and after a
# crash signal (SIGSEGV), the shell that ran tubes is back in canonical
# mode with echo on, and the alternate screen is gone.
# Exit 0 pass, 1 fail, 77 skip (no tmux).

: "${TUBES:=./src/tubes}"

if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux not installed (apt-get install tmux)"
	exit 77
fi
SOCK="tubes-restore-$$"
TMUX_CMD="tmux -L $SOCK -f /dev/null"
unset TMUX
dir=$(mktemp -d /tmp/tubes-restore.XXXXXX)

cleanup() {
	$TMUX_CMD kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	echo "--- screen ---"
	$TMUX_CMD capture-pane -p 2>/dev/null
	echo "--------------"
	exit 1
}

# Poll the screen for a fixed string, up to 10 s.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		$TMUX_CMD capture-pane -p 2>/dev/null | grep -qF -- "$1" &&
		    return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "waited 10 s for \"$1\" ($2)"
}

# $1: signal, $2: what this run is.
run_case() {
	rm -f "$dir/pid"
	$TMUX_CMD new -d -x 100 -y 30 "sh -c 'echo \$\$ > $dir/pid; \
exec \"$TUBES\"'; echo EXITED rc=\$?; stty -a | tr ' ;' '\n\n' | \
grep -x -e icanon -e -icanon -e echo -e -echo | tr '\n' ' '; \
echo END; sleep 30" || fail "cannot start tmux"
	wait_for "?:help" "$2: tubes is up"
	kill "-$1" "$(cat "$dir/pid")" || fail "$2: kill -$1"
	wait_for "END" "$2: the shell ran after tubes"
	screen=$($TMUX_CMD capture-pane -p)
	echo "$screen" | grep -q "icanon echo" ||
	    fail "$2: terminal not restored (want icanon echo)"
	echo "$screen" | grep -q "?:help" &&
	    fail "$2: the TUI is still on the screen (alternate screen kept)"
	echo "ok: $2: $(echo "$screen" | grep EXITED)"
	$TMUX_CMD kill-server >/dev/null 2>&1
	sleep 0.2
}

run_case TERM "SIGTERM"
run_case SEGV "SIGSEGV"
echo "PASS: tui_restore"
exit 0
