#!/bin/sh
# Without privileges: tubes run as nobody (setpriv, no capabilities) in the
# client namespace.  UDP probes (IP_RECVERR) complete the trace over IPv4
# and IPv6, through a silent hop too; with net.ipv4.ping_group_range
# opened, ICMP probes complete it through ICMP datagram sockets; with it
# closed, ICMP probes either work some other way or fail with one line,
# never a crash.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

need_root
need_python
need_tool timeout
need_tool setpriv
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
id nobody >/dev/null 2>&1 || skip "needs a user named nobody"
grp=nogroup
getent group nogroup >/dev/null 2>&1 || grp=nobody
TRACE_AS="setpriv --reuid=nobody --regid=$grp --clear-groups --inh-caps=-all"
export TRACE_AS

chain_build 5 --silent 2
# nobody must be able to run the binary (not under /root, say).
$TRACE_AS test -x "$TUBES" ||
    skip "nobody cannot execute $TUBES (build where others can read)"
trace_need_engine

fams=4
[ "$CHAIN_HAS_V6" = yes ] && fams="4 6"
for fam in $fams; do
	eval "server=\$CHAIN_SERVER$fam"
	out=$TRACE_DIR/udp$fam.json
	trace_tubes "$out" "-$fam" -P udp -c 2 "$server"
	trace_expect_rc "udp$fam" 0
	FAM=$fam trace_check "udp$fam" "$out" <<'PY'
expect_path(int(env("FAM")), silent=(2,))
m = soft(tr, "mode")
if m is not None:
    check("mode udp-recverr", m == "udp-recverr", m)
PY
done

# ICMP with ping_group_range closed (a new namespace's default).
chain_x c sysctl -q -w net.ipv4.ping_group_range="1 0"
out=$TRACE_DIR/icmp-closed.json
trace_tubes "$out" -4 -P icmp "$CHAIN_SERVER4"
trace_expect_rc "icmp-closed" "0 1"
if [ "$TUBES_RC" = 1 ]; then
	if [ "$(wc -l <"$out.err")" -eq 1 ]; then
		tb_log "[icmp-closed] ok: one line on stderr"
	else
		tb_log "[icmp-closed] MISMATCH: want one line on stderr"
		_trace_failed=$((_trace_failed + 1))
	fi
else
	trace_check "icmp-closed" "$out" <<'PY'
expect_path(4, silent=(2,))
m = soft(tr, "mode")
if m is not None:
    check("an unprivileged mode (not raw)", m in ("udp-recverr",
          "icmp-dgram"), m)
PY
fi

# ICMP datagram sockets allowed for nobody's group.
gid=$(getent group "$grp" | cut -d: -f3)
chain_x c sysctl -q -w net.ipv4.ping_group_range="$gid $gid"
for fam in $fams; do
	eval "server=\$CHAIN_SERVER$fam"
	out=$TRACE_DIR/dgram$fam.json
	trace_tubes "$out" "-$fam" -P icmp -c 2 "$server"
	trace_expect_rc "dgram$fam" 0
	FAM=$fam trace_check "dgram$fam" "$out" <<'PY'
expect_path(int(env("FAM")), silent=(2,))
m = soft(tr, "mode")
if m is not None:
    check("mode icmp-dgram", m == "icmp-dgram", m)
PY
done

trace_done
