#!/bin/sh
# The trace pane in a private tmux server.  As root, tubes runs in the
# client namespace of a chain of 3 routers (tests/netchain.sh), the second
# one silent when nft or iptables can make it so, and traces the server;
# without namespaces it traces 127.0.0.1 (one hop).  Checks: the title
# (target, mode, reached), the Loss% header, the hops' addresses in TTL
# order, the silent hop as "(no reply)" with its note, m shows the hop
# map (this host, arrows, the silent hop's box, the target's box) and m
# again the table, the map zoomed with Enter, ? shows the trace help,
# 80x24 still shows the hops, q exits 0; then without colors or UTF-8
# the map is drawn in ASCII.
# Exit 0 pass, 1 fail, 77 skip (no tmux, no trace pane in this build).

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tuilib.sh"
# tuilib's exit trap replaces lib.sh's: it must remove the namespaces too.
tui_extra_cleanup() {
	tb_cleanup
}

if ! why=$("$TUBES" --panes trace -n --version 2>&1 >/dev/null); then
	echo "SKIP: $why" | sed 's/^SKIP: tubes: /SKIP: /'
	exit 77
fi

# --- where to trace -----------------------------------------------------

RUN=			# command prefix that puts tubes where the path is
TARGET=127.0.0.1
HOPS=1:127.0.0.1	# TTL:address of the hops that answer
SILENT=			# the silent hop's TTL, if any
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null 2>&1 &&
    [ -f "$top_srcdir/tests/netchain.sh" ]; then
	. "$top_srcdir/tests/netchain.sh"
	# chain_build skips (exit 77) when namespaces cannot be made here;
	# loopback needs none.
	probe_ns=tubes-test-$TB_NAME-$$-probe
	if ip netns add "$probe_ns" 2>/dev/null; then
		ip netns del "$probe_ns"
		if command -v nft >/dev/null 2>&1 ||
		    command -v iptables >/dev/null 2>&1; then
			chain_build 3 --silent 2
			SILENT=2
			HOPS="1:$CHAIN_HOP4_1 3:$CHAIN_HOP4_3 4:$CHAIN_HOP4_4"
		else
			chain_build 3
			HOPS="1:$CHAIN_HOP4_1 2:$CHAIN_HOP4_2 3:$CHAIN_HOP4_3"
			HOPS="$HOPS 4:$CHAIN_HOP4_4"
		fi
		RUN="ip netns exec $CHAIN_CLIENT_NS"
		TARGET=$CHAIN_SERVER4
	fi
fi
LAST=${HOPS##*:}
FIRST=${HOPS%% *}
echo "tracing $TARGET${RUN:+ from the client namespace}: $HOPS"

# The table rows "TTL ADDRESS ..." of the hops are on the screen, each
# below the one before.
check_order() {
	prev=0
	for th in $HOPS; do
		t=${th%%:*} h=${th#*:}
		n=$(screen | awk -v t="$t" -v h="$h" \
		    '$2 == t && $3 == h { print NR; exit }')
		[ -n "$n" ] || fail "$1: no row for hop $t ($h)"
		[ "$n" -gt "$prev" ] || fail "$1: hop $t (line $n) not below" \
		    "the hop before (line $prev)"
		prev=$n
	done
}

# --- the session --------------------------------------------------------

tui_server "tubes-trace-$$"
$TMUX_CMD new -d -x 120 -y 40 "$RUN env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    '$TUBES' --panes trace,sockets -n $TARGET; \
    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"

wait_for "trace  " "the trace pane"
screen | grep -qF "no target: run tubes" &&
    fail "the trace pane got no trace although tubes was given $TARGET" \
    "(main.c passes it in struct ui_models.trace)"
wait_for "trace  $TARGET" "the pane title with the target"
wait_for "Loss%" "the table header"
for th in $HOPS; do
	wait_for " ${th#*:} " "hop ${th%%:*}"
done
wait_for ", reached" "the target reached (in the title)"
check_order "120x40"
if [ -n "$SILENT" ]; then
	wait_for "$SILENT (no reply)" "the silent hop's row"
	wait_for "silent: this router sends no ICMP" "the silent hop's note"
fi
screen | grep -qE "icmp (raw|icmp-dgram|udp-recverr)" ||
    fail "no probe mode in the title"
wait_status "m:map" "the trace keys on the status line"
echo "ok: hops in order: $HOPS${SILENT:+, $SILENT silent}"

# The map: this host on top, arrows, boxes, the target's box.
keys m
wait_for "this host" "m shows the map"
wait_gone "Loss%" "the table gives way to the map"
wait_for "1  ${FIRST#*:}" "the first hop's box"
keys Enter
wait_status "ZOOM" "Enter zooms the map"
wait_for "target, " "the target's box"
wait_for "$(printf '\342\206\223')" "arrows between the boxes"
wait_for "$(printf '\342\225\224')" "the target's double box"
[ -n "$SILENT" ] && wait_for "$SILENT  * * *" "the silent hop's box"
screen | grep -qF "[sockets]" && fail "zoomed, yet the sockets pane shows"
echo "ok: map zoomed:"
screen | sed -n '2,16p'
keys Enter
wait_gone "ZOOM" "Enter unzooms"
keys m
wait_for "Loss%" "m again shows the table"
wait_gone "this host" "the map is gone"

# Help.
help_shows "CAP_NET_RAW" "trace help"

# 80x24: the hops are still there, the status line at the bottom.
resize_to 80 24
wait_for "$LAST" "80x24: the target's row"
wait_status "?:help" "80x24: the status line"
screen | sed -n 24p | grep -qF "?:help" ||
    fail "80x24: the status line is not on line 24"
check_order "80x24"
keys q
wait_for "TUBES-EXITED rc=0" "q exits with 0"
echo "ok: 80x24 and q"

# Without colors or UTF-8: the map in ASCII.
tui_server "tubes-trace-$$-c"
$TMUX_CMD new -d -x 80 -y 24 "$RUN env NO_COLOR=1 LANG=C LC_ALL=C \
    '$TUBES' --panes trace -n $TARGET; \
    echo TUBES-EXITED rc=\$?; sleep 30" || fail "cannot start tmux"
wait_for "+- trace" "C locale: ASCII borders"
wait_for " $LAST " "C locale: the target's row"
keys m
wait_for "| this host" "C locale: the map's first box"
wait_for " v " "C locale: ASCII arrows"
keys G
wait_for "# target, " "C locale: the target's box, scrolled to"
keys q
wait_for "TUBES-EXITED rc=0" "C locale: q exits with 0"
echo "PASS: tui_trace"
exit 0
