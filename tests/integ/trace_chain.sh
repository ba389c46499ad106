#!/bin/sh
# The trace pane along a chain of 5 routers (tests/netchain.sh), from the
# client namespace: every hop in order with the address it answers from,
# the target reached, no loss, over IPv4 and IPv6, with ICMP, UDP and TCP
# SYN probes and 3 cycles; -m stops short of the target.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

need_root
need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

chain_build 5
trace_need_engine

for fam in 4 6; do
	[ "$fam" = 6 ] && [ "$CHAIN_HAS_V6" != yes ] && {
		tb_log "no IPv6 in the namespaces: IPv6 not tested"
		continue
	}
	eval "server=\$CHAIN_SERVER$fam"
	for proto in icmp udp tcp; do
		out=$TRACE_DIR/$proto$fam.json
		trace_tubes "$out" "-$fam" -P "$proto" -c 3 "$server"
		trace_expect_rc "$proto$fam" 0
		FAM=$fam PROTO=$proto trace_check "$proto$fam" "$out" <<'PY'
fam, proto = int(env("FAM")), env("PROTO")
check("protocol %s" % proto, tr.get("protocol") == proto, tr.get("protocol"))
expect_path(fam)
for h in hops():
    for r in h["responders"]:
        check("hop %d %s: sent 3, received 3" % (h["ttl"], r["address"]),
              (r["sent"], r["received"]) == (3, 3),
              (r["sent"], r["received"]))
ps = soft(tr, "probes_sent")
if ps is not None:
    check("probes_sent >= one per hop per cycle (%d)" % (3 * (n + 1)),
          isinstance(ps, int) and ps >= 3 * (n + 1), ps)
PY
	done

	# -m 3: the first three routers, not the target.
	out=$TRACE_DIR/max$fam.json
	trace_tubes "$out" "-$fam" -m 3 "$server"
	trace_expect_rc "max$fam" "0 1"
	FAM=$fam trace_check "max$fam" "$out" <<'PY'
fam = int(env("FAM"))
check("not reached", tr.get("reached") is False, tr.get("reached"))
ttls = [h.get("ttl") for h in hops()]
check("hops 1 to 3 only", ttls == [1, 2, 3], ttls)
for t in (1, 2, 3):
    check("hop %d: %s" % (t, env("CHAIN_HOP%d_%d" % (fam, t))),
          addrs(hop(t)) == sorted(want(fam, t)), addrs(hop(t)))
PY
done

trace_done
