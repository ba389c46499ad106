#!/bin/sh
# The terminal is restored on every exit path: after SIGTERM and after a
# crash signal (SIGSEGV), the shell that ran tubes is back in canonical
# mode with echo on, and the alternate screen is gone.
# Exit 0 pass, 1 fail, 77 skip (no tmux).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/tui/tuilib.sh"
tui_server "tubes-restore-$$"
dir=$(mktemp -d /tmp/tubes-restore.XXXXXX)
tui_extra_cleanup() {
	rm -rf "$dir"
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
	tb_tmux_kill "$TUI_SOCK"
	sleep 0.2
}

run_case TERM "SIGTERM"
run_case SEGV "SIGSEGV"
echo "PASS: tui_restore"
exit 0
