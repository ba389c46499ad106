#!/bin/sh
# tubes --lab in a private tmux server: the four panes come alive with
# the lab's data (www.lab.test and its CNAME front.lab.test in the DNS
# pane, the hops r1.lab.test and web.lab.test in the trace, the web
# server's /style.css exchanges in the HTTP pane, TIME_WAIT towards
# www.lab.test:80 in the sockets pane); q exits 0 and the lab is gone
# (no tubes-lab-* namespace, no lab process, no lock file).
# Exit 0 pass, 1 fail, 77 skip (not root, no ip, no tmux).

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tuilib.sh"
# tuilib's exit trap replaces lib.sh's: it must remove the namespaces too.
tui_extra_cleanup() {
	tb_cleanup
}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (tubes --lab builds network namespaces)"
	exit 77
fi
if ! command -v ip >/dev/null 2>&1; then
	echo "SKIP: needs ip (iproute2)"
	exit 77
fi
# One lab at a time, and make -j check runs tests side by side: wait for
# the other lab tests (bounded) rather than fight over the lab.
if ! command -v flock >/dev/null 2>&1; then
	echo "SKIP: needs flock (util-linux)"
	exit 77
fi
exec 9>"${TMPDIR:-/tmp}/tubes-lab-tests.lock"
if ! flock -w 600 9; then
	echo "SKIP: another lab test held the lab for 10 minutes"
	exit 77
fi
if ip netns list 2>/dev/null | grep -q '^tubes-lab-'; then
	echo "SKIP: a lab exists already (tubes-lab-* namespaces)"
	exit 77
fi
# Whatever a failed run leaves, the exit trap removes.
for _n in client r1 r2a r2b r3 r4 srv; do
	_tb_netns="$_tb_netns tubes-lab-$_n"
done

lab_count()
{
	ip netns list 2>/dev/null | grep -c '^tubes-lab-'
}

tui_server "tubes-lab-$$"
$TMUX_CMD new -d -x 160 -y 50 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    '$TUBES' --lab; echo TUBES-EXITED rc=\$?; sleep 30" ||
    fail "cannot start tmux"

wait_for "www.lab.test" "the DNS pane's lookup of the lab's URL"
wait_for "front.lab.test" "the CNAME chain in the DNS pane"
wait_for "r1.lab.test" "the trace's first hop, named by the lab's PTR"
wait_for "web.lab.test" "the trace's target, named"
wait_for "/style.css" "the browsing traffic in the HTTP pane"
wait_for "TIME_WAIT" "the sockets pane's TIME_WAIT"
wait_for "www.lab.test:80" "the web server (named) in the sockets pane"
echo "ok: the four panes show the lab"
screen | head -n 50

keys q
wait_for "TUBES-EXITED rc=0" "q exits with 0"
_n=0
while [ "$(lab_count)" -gt 0 ] && [ "$_n" -lt 100 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
[ "$(lab_count)" -eq 0 ] || fail "tubes-lab-* namespaces left after q"
[ "$(pgrep -f -- "$TUBES --lab" | wc -l)" -eq 0 ] ||
    fail "lab processes left after q"
[ -e /run/tubes-lab.pid ] && fail "the lock file is left after q"
echo "ok: q removes the lab"
echo "PASS: tui_lab"
exit 0
