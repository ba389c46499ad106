#!/bin/sh
# A link-local DNS server (fe80::/64 is reachable only through the interface
# named with it): -s '[fe80::53%lo]:PORT' reaches it, the server is shown
# with its interface, and without the %scope the lookup is a per-lookup
# network error, never a crash.  c-ares 1.18 cannot carry the scope; tubes
# puts it into the address its socket connects to.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/dnslib.sh"

need_root
need_python
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
[ -x "$DNSD" ] || hard_error "no dnsd at $DNSD (make tests/dnsd)"

ns_create linklocal
ip -n "$NS" -6 addr add fe80::53/64 dev lo nodad ||
    skip "cannot put a link-local address on lo in a namespace"

out=$DNS_DIR/dnsd.out
ns_bg "$DNSD" --addr :: --max-seconds 60 >"$out" 2>"$DNS_DIR/dnsd.err"
wait_for_line "$out" '^[0-9]+$' 10 ||
    hard_error "dnsd did not start: $(cat "$DNS_DIR/dnsd.err")"
P=$(head -n 1 "$out")

nsx "$TUBES" --dump --json --panes dns --dns-timeout 300 --dns-tries 1 \
    -s "[fe80::53%lo]:$P" -s "[fe80::53]:$P" -q ad.t. \
    >"$DNS_DIR/ll.json" 2>"$DNS_DIR/ll.err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] ||
    fail "tubes exited $rc: $(cat "$DNS_DIR/ll.err")"

python3 - "$DNS_DIR/ll.json" "$P" <<'PY' || fail "see above"
import json, sys
d = json.load(open(sys.argv[1]))
port = sys.argv[2]
scoped, bare = "[fe80::53%%lo]:%s" % port, "[fe80::53]:%s" % port
rows = {r["server"]: r for r in d["dns"]["lookups"]}
bad = []
if d["dns"]["servers"] != [scoped, bare]:
    bad.append("servers %r" % d["dns"]["servers"])
r = rows.get(scoped, {})
if r.get("status") != "NOERROR" or [a.get("data") for a in r.get("answers", [])] != ["192.0.2.2"]:
    bad.append("scoped: %r" % r)
r = rows.get(bare, {})
if r.get("status") not in ("network error", "timeout"):
    bad.append("unscoped should fail: %r" % r)
for b in bad:
    print("dns_linklocal: " + b)
sys.exit(1 if bad else 0)
PY
tb_log "PASS: link-local server reached with its scope, not without"
exit 0
