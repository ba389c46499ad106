#!/bin/sh
# Hop names come from the DNS engine: without -n and with -s naming a
# server (tests/dnsd inside the client namespace answers every PTR with a
# name made of the address: 10.200.1.2 -> h-10-200-1-2.rev.t), every
# responder of a 3-router chain gets its name, IPv4 and IPv6, and the
# trace is complete.  With a server that never answers (dnsd's silent.t
# behaviour does not apply to PTR, so a port nobody listens on), names
# stay null and the trace still completes.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

: "${DNSD:=$top_builddir/tests/dnsd}"

need_root
need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
[ -x "$DNSD" ] || hard_error "no dnsd at $DNSD (make tests/dnsd)"

chain_build 3
trace_need_engine

out=$TRACE_DIR/dnsd.out
chain_x c "$DNSD" --addr 127.0.0.1 --port 0 --max-seconds 120 \
    >"$out" 2>"$TRACE_DIR/dnsd.err" &
_tb_pids="$_tb_pids $!"
wait_for_line "$out" '^[0-9]+$' 10 ||
    hard_error "dnsd did not start: $(cat "$TRACE_DIR/dnsd.err")"
PORT=$(head -n 1 "$out")

fams=4
[ "$CHAIN_HAS_V6" = yes ] && fams="4 6"
for fam in $fams; do
	eval "server=\$CHAIN_SERVER$fam"
	out=$TRACE_DIR/names$fam.json
	timeout -s KILL 60 ip netns exec "$CHAIN_CLIENT_NS" "$TUBES" --dump \
	    --json --panes trace "-$fam" -s "127.0.0.1:$PORT" "$server" \
	    >"$out" 2>"$out.err"
	rc=$?
	[ $rc -eq 0 ] || fail "tubes exited $rc: $(cat "$out.err")"
	FAM=$fam trace_check "names$fam" "$out" <<'PY'
fam = int(env("FAM"))
expect_path(fam)
for h in hops():
    for r in h.get("responders") or []:
        a = r.get("address") or ""
        if fam == 4:
            want = "h-%s.rev.t" % a.replace(".", "-")
        else:
            import ipaddress
            want = "h6-%s.rev.t" % ipaddress.ip_address(a).exploded.replace(":", "")
        check("hop %d: %s is named %s" % (h.get("ttl"), a, want),
              r.get("name") == want, r.get("name"))
PY
done

# A DNS server that never answers: no names, and the trace is not held up
# beyond the DNS schedule.
out=$TRACE_DIR/nonames.json
timeout -s KILL 60 ip netns exec "$CHAIN_CLIENT_NS" "$TUBES" --dump --json \
    --panes trace -4 --dns-timeout 200 --dns-tries 1 -s 127.0.0.1:9 \
    "$CHAIN_SERVER4" >"$out" 2>"$out.err"
rc=$?
[ $rc -eq 0 ] || fail "tubes exited $rc without names: $(cat "$out.err")"
trace_check "nonames" "$out" <<'PY'
expect_path(4)
for h in hops():
    for r in h.get("responders") or []:
        check("hop %d: no name" % h.get("ttl"), r.get("name") is None,
              r.get("name"))
PY

trace_done
