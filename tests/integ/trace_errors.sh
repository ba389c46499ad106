#!/bin/sh
# Errors of the trace pane: a max TTL out of range and an unknown probe
# protocol are usage errors (exit 2, one line); a target the client has no
# route to fails with one line (exit 1) or an error in the JSON, never a
# crash; a router answering "administratively prohibited" (net.ipv4 route
# type prohibit) ends the trace at that router: no hop past it, not
# reached.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

need_root
need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

chain_build 3
trace_need_engine

for m in 0 256 -1 x; do
	out=$TRACE_DIR/m$m.json
	trace_tubes "$out" -m "$m" "$CHAIN_SERVER4"
	trace_usage_error "-m $m" "$out"
done
out=$TRACE_DIR/proto.json
trace_tubes "$out" -P sctp "$CHAIN_SERVER4"
trace_usage_error "-P sctp" "$out"

# No route: the client routes only the chain's own prefixes.
fams=4
[ "$CHAIN_HAS_V6" = yes ] && fams="4 6"
for fam in $fams; do
	eval "target=\$CHAIN_NOROUTE$fam"
	for proto in icmp udp; do
		out=$TRACE_DIR/noroute-$proto$fam.json
		trace_tubes "$out" "-$fam" -P "$proto" "$target"
		trace_expect_rc "noroute-$proto$fam" "0 1"
		if [ "$TUBES_RC" = 1 ]; then
			if [ "$(wc -l <"$out.err")" -eq 1 ]; then
				tb_log "[noroute-$proto$fam] ok: one line"
			else
				tb_log "[noroute-$proto$fam] MISMATCH: want" \
				    "one line on stderr"
				_trace_failed=$((_trace_failed + 1))
			fi
		else
			TARGET=$target trace_check "noroute-$proto$fam" \
			    "$out" <<'PY'
check("not reached", tr.get("reached") is False, tr.get("reached"))
check("no responder anywhere", not any(addrs(h) for h in hops()),
      [addrs(h) for h in hops()])
e = tr.get("error") or d.get("error")
check("an error in the JSON", isinstance(e, str) and e, e)
PY
		fi
	done
done

# Router 2 refuses 10.200.77.0/24 and fd00:200:77::/64 (prohibit routes),
# which the client and router 1 send its way.
chain_x c ip route add 10.200.77.0/24 via 10.200.0.2
chain_x r1 ip route add 10.200.77.0/24 via 10.200.1.2
chain_x r2 ip route add prohibit 10.200.77.0/24
if [ "$CHAIN_HAS_V6" = yes ]; then
	chain_x c ip route add fd00:200:77::/64 via fd00:200::2
	chain_x r1 ip route add fd00:200:77::/64 via fd00:200:1::2
	chain_x r2 ip route add prohibit fd00:200:77::/64
fi
for fam in $fams; do
	target=10.200.77.1
	[ "$fam" = 6 ] && target=fd00:200:77::1
	for proto in icmp udp; do
		out=$TRACE_DIR/prohibit-$proto$fam.json
		trace_tubes "$out" "-$fam" -P "$proto" "$target"
		trace_expect_rc "prohibit-$proto$fam" "0 1"
		FAM=$fam trace_check "prohibit-$proto$fam" "$out" <<'PY'
fam = int(env("FAM"))
check("not reached", tr.get("reached") is False, tr.get("reached"))
check("hop 1: %s" % " ".join(want(fam, 1)),
      addrs(hop(1)) == sorted(want(fam, 1)), addrs(hop(1)))
check("hop 2: %s (the prohibiting router)" % " ".join(want(fam, 2)),
      addrs(hop(2)) == sorted(want(fam, 2)), addrs(hop(2)))
ttls = [h.get("ttl") for h in hops()]
check("no hop past 2", max(ttls or [0]) == 2, ttls)
for r in hop(2).get("responders") or []:
    u = soft(r, "unreach")
    if u is not None or "unreach" in r:
        check("hop 2: unreach says prohibited", isinstance(u, str) and
              "prohibited" in u, u)
PY
	done
done

trace_done
