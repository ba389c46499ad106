# tb_tmux_kill SOCKET: end a private tmux server and what ran in its panes.
# Killing the server hangs up the panes' terminals, but only their shells
# get SIGHUP: a program below keeps running, and a sanitizer build's exit
# report can then spin on the dead terminal for good (seen with LSan).
# So the panes' processes get SIGTERM (a lab's keeper then removes the
# lab), and a second later SIGKILL if still there.  Sourced by tests/lib.sh
# and tests/tui/tuilib.sh.

_tb_tmux_tree() {	# PID and its descendants, parents first
	echo "$1"
	for _c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		_tb_tmux_tree "$_c"
	done
}

tb_tmux_kill() {
	_tk_pids=
	for _tk_p in $(tmux -L "$1" -f /dev/null list-panes -a \
	    -F '#{pane_pid}' 2>/dev/null); do
		_tk_pids="$_tk_pids $(_tb_tmux_tree "$_tk_p")"
	done
	tmux -L "$1" -f /dev/null kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$1"
	[ -n "$_tk_pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $_tk_pids 2>/dev/null
	_tk_n=0
	while [ $_tk_n -lt 10 ]; do
		_tk_left=
		for _tk_p in $_tk_pids; do
			kill -0 "$_tk_p" 2>/dev/null && _tk_left="$_tk_left $_tk_p"
		done
		[ -n "$_tk_left" ] || return 0
		sleep 0.2
		_tk_n=$((_tk_n + 1))
	done
	# shellcheck disable=SC2086
	kill -KILL $_tk_left 2>/dev/null
	return 0
}
