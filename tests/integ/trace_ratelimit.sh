#!/bin/sh
# ICMP rate limiting (tests/netchain.sh --ratelimit 2: router 2 sends a
# few ICMP errors a second, two at once at most): over 10 cycles router 2
# loses probes while every later hop loses none, and the hop is labelled
# rate limiting (not loss); IPv4 and IPv6, ICMP and UDP.  Each run starts a
# second after the last, when the router's burst is back (its first probe
# is then answered, so the hop is not silent).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

need_root
need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

chain_build 5 --ratelimit 2
trace_need_engine

fams=4
[ "$CHAIN_HAS_V6" = yes ] && fams="4 6"
for fam in $fams; do
	eval "server=\$CHAIN_SERVER$fam"
	for proto in icmp udp; do
		out=$TRACE_DIR/$proto$fam.json
		sleep 1
		trace_tubes "$out" "-$fam" -P "$proto" -c 10 "$server"
		trace_expect_rc "$proto$fam" 0
		FAM=$fam trace_check "$proto$fam" "$out" <<'PY'
fam = int(env("FAM"))
k = int(env("CHAIN_RATELIMIT"))
check("reached", tr.get("reached") is True, tr.get("reached"))
ttls = [h.get("ttl") for h in hops()]
check("hops 1 to %d" % (n + 1), ttls == list(range(1, n + 2)), ttls)
h = hop(k)
check("hop %d answered at least once" % k, addrs(h) == sorted(want(fam, k)),
      addrs(h))
r = (h.get("responders") or [{}])[0]
loss = r.get("loss_pct")
check("hop %d loses probes (received %s of %s, loss %s%%)" %
      (k, r.get("received"), r.get("sent"), loss),
      isinstance(loss, (int, float)) and loss > 0, loss)
if "loss_pct" in h:
    check("hop %d: hop loss_pct > 0" % k, h["loss_pct"] > 0, h["loss_pct"])
nt = soft(h, "note")
if nt is not None or "note" in h:
    check("hop %d note \"rate limiting\"" % k, nt == "rate limiting", nt)
for t in range(k + 1, n + 2):
    hh = hop(t)
    check("hop %d: %s" % (t, " ".join(sorted(want(fam, t)))),
          addrs(hh) == sorted(want(fam, t)), addrs(hh))
    for rr in hh.get("responders") or []:
        check("hop %d %s: 10 of 10, loss 0" % (t, rr["address"]),
              rr["received"] == 10 and rr["loss_pct"] == 0,
              (rr["received"], rr["loss_pct"]))
    if "note" in hh:
        check("hop %d: no note" % t, hh["note"] is None, hh["note"])
PY
	done
done

trace_done
