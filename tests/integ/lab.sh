#!/bin/sh
# tubes --lab --dump --json -t 4: the lab is the integration fixture.
# tubes runs in tubes-lab-client with all four panes; the report must
# show the DNS server's CNAME chain www -> front -> web -> 198.51.100.10
# from 198.51.100.53, a trace reaching 198.51.100.10 through the silent
# r3 (and hop names from the lab's PTR records), HTTP exchanges with
# 198.51.100.10:80 from the background traffic, and TIME_WAIT towards
# it on the client.  tubes exits 0 and the lab is gone afterwards: no
# tubes-lab-* namespace, no lab process, no lock file.
# (The "target", "journey" and fetch parts belong to the journey's tests.)

. "$top_srcdir/tests/lib.sh"

need_root
need_tool ip
need_python

# One lab at a time, and make -j check runs tests side by side: wait for
# the other lab tests (bounded) rather than fight over the lab.
need_tool flock
exec 9>"${TMPDIR:-/tmp}/tubes-lab-tests.lock"
flock -w 600 9 || skip "another lab test held the lab for 10 minutes"
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

# lab_gone: no namespace, no process, no lock file left by a lab.
lab_gone()
{
	_lg=$(ip netns list 2>/dev/null | grep -c '^tubes-lab-')
	check_eq "tubes-lab-* namespaces left" "$_lg" 0
	_lg=$(pgrep -f -- "$TUBES --lab" 2>/dev/null | wc -l)
	check_eq "lab processes left" "$_lg" 0
	_lg=no
	[ -e /run/tubes-lab.pid ] && _lg=yes
	check_eq "lock file left" "$_lg" no
}

# A lab of someone else's (or one left running) is not ours to remove.
if ip netns list 2>/dev/null | grep -q '^tubes-lab-'; then
	skip "a lab exists already (tubes-lab-* namespaces)"
fi

OUT=$(tb_tmpfile)
tb_log "run: tubes --lab --dump --json -t 4"
timeout -s KILL 120 "$TUBES" --lab --dump --json -t 4 >"$OUT" 2>"$OUT.err"
rc=$?
_tb_tmps="$_tb_tmps $OUT.err"
[ -s "$OUT.err" ] && tb_log "stderr: $(head -c 2000 "$OUT.err")"
tb_sanitizer_report "$OUT.err" && _tb_failed=$((_tb_failed + 1))
check_eq "exit status" "$rc" 0
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$OUT" ||
    fail "the report is not JSON"

# DNS: www.lab.test's A, from the lab's server, through the chain.
check_true "www.lab.test A: CNAME chain to 198.51.100.10 from 198.51.100.53" \
    "$(json_get "$OUT" 'any(l["name"] == "www.lab.test" and
	l["type"] == "A" and l["status"] == "NOERROR" and
	l["server"].startswith("198.51.100.53") and
	l["cname_chain"] == ["www.lab.test", "front.lab.test", "web.lab.test"]
	and any(a["type"] == "A" and a["data"] == "198.51.100.10"
	    for a in l["answers"])
	for l in d["dns"]["lookups"])')"

# Trace: reaches web, through the ECMP pair and a silent hop (r3, TTL 3),
# with the lab's names on the hops that answer.
check_eq "trace target" "$(json_get "$OUT" 'd["trace"]["target"]')" \
    198.51.100.10
check_true "trace reached 198.51.100.10" \
    "$(json_get "$OUT" 'd["trace"]["reached"]')"
check_true "a silent hop at TTL 3 (r3)" \
    "$(json_get "$OUT" 'any(h["ttl"] == 3 and h["received"] == 0 and
	not h["responders"] for h in d["trace"]["hops"])')"
check_true "TTL 1 is r1.lab.test (203.0.113.2)" \
    "$(json_get "$OUT" 'any(r["address"] == "203.0.113.2" and
	r["name"] == "r1.lab.test" for h in d["trace"]["hops"]
	if h["ttl"] == 1 for r in h["responders"])')"
check_true "TTL 2 is r2a or r2b" \
    "$(json_get "$OUT" 'all(r["address"] in ("203.0.113.6", "203.0.113.10")
	for h in d["trace"]["hops"] if h["ttl"] == 2
	for r in h["responders"]) and any(h["ttl"] == 2 and h["responders"]
	for h in d["trace"]["hops"])')"
check_true "the target is web.lab.test" \
    "$(json_get "$OUT" 'any(r["is_target"] and r["name"] == "web.lab.test"
	for h in d["trace"]["hops"] for r in h["responders"])')"

# HTTP: the background traffic's exchanges with web, a 200 and a 404.
check_true "http: a 200 from 198.51.100.10:80" \
    "$(json_get "$OUT" 'any(e["server"] == "198.51.100.10:80" and
	e["status"] == 200 for e in d["http"]["exchanges"])')"
check_true "http: the 404 of /missing" \
    "$(json_get "$OUT" 'any(e["path"] == "/missing" and e["status"] == 404
	for e in d["http"]["exchanges"])')"

# Sockets: the overflow connections' TIME_WAIT on the client side.
check_true "sockets: TIME_WAIT towards 198.51.100.10:80" \
    "$(json_get "$OUT" 'states(grp("198.51.100.10:80", "client")).get(
	"TIME_WAIT", 0) > 0')"

lab_gone
check_done "$OUT"
