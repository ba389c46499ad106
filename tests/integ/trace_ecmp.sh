#!/bin/sh
# Load-balanced paths (tests/netchain.sh --ecmp 3: routers r3a and r3b
# behind a multipath route hashed on L4): with --ecmp, UDP flows find both
# branches at hop 3, and at hop 4 the two interfaces facing them; by
# default (Paris-style, one flow) every hop has exactly one responder over
# 5 cycles, and hops 3 and 4 are on the same branch (never a false link).
# ICMP echo takes one branch whatever the engine does (Linux hashes no
# ICMP field), so ICMP --ecmp must still give a consistent path.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

need_root
need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

chain_build 5 --ecmp 3
trace_need_engine

fams=4
[ "$CHAIN_HAS_V6" = yes ] && fams="4 6"
for fam in $fams; do
	eval "server=\$CHAIN_SERVER$fam"

	out=$TRACE_DIR/ecmp-udp$fam.json
	trace_tubes "$out" "-$fam" -P udp --ecmp -c 3 "$server"
	trace_expect_rc "ecmp-udp$fam" 0
	FAM=$fam trace_check "ecmp-udp$fam" "$out" <<'PY'
fam = int(env("FAM"))
k = int(env("CHAIN_ECMP"))
# A branch's own loss is unknowable (a lost probe took some branch): no
# loss check at the branching hops, but every probe answered in total.
expect_path(fam, exact=False, lossless=False)
for t in (k, k + 1):
    a, b = env("CHAIN_HOP%d_%d_A" % (fam, t)), env("CHAIN_HOP%d_%d_B" % (fam, t))
    got = addrs(hop(t))
    check("hop %d: both branches %s and %s" % (t, a, b),
          sorted(got) == sorted([a, b]), got)
    for r in hop(t).get("responders") or []:
        check("hop %d %s: its own statistics (received >= 1)" %
              (t, r["address"]), r["received"] >= 1, r["received"])
    rs = hop(t).get("responders") or []
    check("hop %d: every probe answered by one branch or the other "
          "(received %s of %s)" % (t, [r["received"] for r in rs],
          rs[0]["sent"] if rs else None),
          rs and sum(r["received"] for r in rs) >= max(r["sent"] for r in rs),
          [(r["sent"], r["received"]) for r in rs])
# Never a false link: a flow that met branch A at hop k meets A's side at
# hop k + 1 (responders list the flows that met them, when they do).
side = {}
for t in (k, k + 1):
    for r in hop(t).get("responders") or []:
        fl = soft(r, "flows")
        if fl is None:
            continue
        br = "A" if r["address"] == env("CHAIN_HOP%d_%d_A" % (fam, t)) else "B"
        for f in fl:
            side.setdefault(f, {})[t] = br
if side:
    mixed = {f: s for f, s in side.items() if len(set(s.values())) > 1}
    check("every flow on one branch at hops %d and %d (%d flows)" %
          (k, k + 1, len(side)), not mixed, mixed)
for t in range(1, n + 2):
    if t not in (k, k + 1):
        rs = hop(t).get("responders") or []
        check("hop %d: one responder, loss 0" % t, len(rs) == 1 and
              rs[0]["loss_pct"] == 0, [(r["address"], r["loss_pct"])
              for r in rs])
PY

	for proto in udp icmp tcp; do
		out=$TRACE_DIR/paris-$proto$fam.json
		trace_tubes "$out" "-$fam" -P "$proto" -c 5 "$server"
		trace_expect_rc "paris-$proto$fam" 0
		FAM=$fam trace_check "paris-$proto$fam" "$out" <<'PY'
fam = int(env("FAM"))
k = int(env("CHAIN_ECMP"))
expect_path(fam, exact=False)
for h in hops():
    check("hop %d: exactly one responder over 5 cycles" % h["ttl"],
          len(addrs(h)) == 1, addrs(h))
    for r in h["responders"]:
        check("hop %d %s: all 5 probes answered" % (h["ttl"], r["address"]),
              r["received"] == 5, r["received"])
a = [env("CHAIN_HOP%d_%d_A" % (fam, t)) for t in (k, k + 1)]
b = [env("CHAIN_HOP%d_%d_B" % (fam, t)) for t in (k, k + 1)]
got = [addrs(hop(k))[:1], addrs(hop(k + 1))[:1]]
got = [g[0] if g else None for g in got]
check("hops %d and %d on one branch" % (k, k + 1), got in (a, b), got)
PY
	done

	out=$TRACE_DIR/ecmp-icmp$fam.json
	trace_tubes "$out" "-$fam" -P icmp --ecmp -c 2 "$server"
	trace_expect_rc "ecmp-icmp$fam" 0
	FAM=$fam trace_check "ecmp-icmp$fam" "$out" <<'PY'
expect_path(int(env("FAM")), exact=False)
PY
done

trace_done
