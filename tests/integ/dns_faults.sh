#!/bin/sh
# The DNS pane against the faults a real server will not produce on demand,
# served by tests/dnsd on a free loopback port: SERVFAIL and REFUSED shown
# as such (not retried away), a 300 ms delayed answer measured within a few
# ms, a silent server reported as "timeout" after exactly the configured
# schedule, the AD flag, hostile answers (pointer loop, name over 255
# bytes, ANCOUNT past the end, ESC/BEL/0x9b/NUL in names and TXT) never
# crashing tubes nor reaching stdout raw, an unreachable server as a
# per-lookup error, and bad names, types and servers as usage errors.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/dnslib.sh"

need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

dnsd_start 127.0.0.1
S=127.0.0.1:$DNSD_PORT
export S

# --- status per fault, the AD flag, the delayed answer ------------------
out=$DNS_DIR/faults.json
dns_tubes "$out" -s "$S" -q servfail.t. -q refused.t. -q ad.t. -q slow.t. \
    -q other.t.
dns_expect_rc "faults" "0 1"
dns_raw_clean "faults" "$out"
dns_check "faults" "$out" <<'EOF'
S = os.environ["S"]
for qn, st in (("servfail.t", "SERVFAIL"), ("refused.t", "REFUSED"),
               ("other.t", "NXDOMAIN")):
    r = row(qn, "A")
    check("%s: status %s" % (qn, st), r.get("status") == st, r.get("status"))
    check("%s: server %s" % (qn, S), r.get("server") == S, r.get("server"))
    lat = r.get("latency_ms")
    # An answer that was retried would take a timeout (2 s by default).
    check("%s: answered at once, not retried (latency < 500 ms)" % qn,
          isinstance(lat, (int, float)) and 0 < lat < 500, lat)
    if "tries" in r:
        check("%s: tries 1" % qn, r.get("tries") == 1, r.get("tries"))
r = row("other.t", "A")
check("other.t: negative_ttl 77 (SOA minimum)", r.get("negative_ttl") == 77,
      r.get("negative_ttl"))

r = row("ad.t", "A")
check("ad.t: NOERROR 192.0.2.2", r.get("status") == "NOERROR" and
      datas(r, "A") == ["192.0.2.2"], (r.get("status"), answers(r)))
check("ad.t: ad in flags", "ad" in (r.get("flags") or []), r.get("flags"))
f = rows("servfail.t")[0].get("flags") if rows("servfail.t") else None
check("servfail.t: no ad flag", "ad" not in (f or []), f)

r = row("slow.t", "A")
lat = r.get("latency_ms")
check("slow.t: NOERROR 192.0.2.1", r.get("status") == "NOERROR" and
      datas(r, "A") == ["192.0.2.1"], (r.get("status"), answers(r)))
check("slow.t: latency_ms within [290, 400] of the 300 ms delay",
      isinstance(lat, (int, float)) and 290 <= lat <= 400, lat)
EOF

# --- a silent server: timeout after exactly tries x timeout -------------
out=$DNS_DIR/silent.json
dns_tubes "$out" -s "$S" -q silent.t. --dns-timeout 300 --dns-tries 2
dns_expect_rc "silent" "0 1"
dns_raw_clean "silent" "$out"
dns_check "silent" "$out" <<'EOF'
r = row("silent.t", "A")
check("silent.t: status timeout", r.get("status") == "timeout",
      r.get("status"))
check("silent.t: no answers", not answers(r), answers(r))
if "tries" in r:
    check("silent.t: tries 2", r.get("tries") == 2, r.get("tries"))
dur = d.get("duration_ms")
check("duration_ms in [600, 1500) for 2 tries of 300 ms",
      isinstance(dur, (int, float)) and 600 <= dur < 1500, dur)
EOF

# --- hostile answers: an error or escaped text, never a crash -----------
out=$DNS_DIR/hostile.json
dns_tubes "$out" -s "$S" -q loop.t. -q long.t. -q count.t. -q esc.t. \
    -q esc.t./TXT -q nul.t./TXT
if [ "$TUBES_RC" -ge 128 ] || [ "$TUBES_RC" -eq 124 ]; then
	tb_log "[hostile] MISMATCH: tubes died or hung (exit $TUBES_RC)"
	_dns_failed=$((_dns_failed + 1))
fi
dns_expect_rc "hostile" "0 1"
dns_raw_clean "hostile" "$out"
dns_check "hostile" "$out" <<'EOF'
final = ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "timeout",
         "network error", "bad answer", "FORMERR")
bad = [s for s in all_strings(d) if not no_controls(s)]
check("no control character in any decoded string", not bad, bad[:5])
for qn, qt in (("loop.t", "A"), ("long.t", "A"), ("count.t", "A"),
               ("esc.t", "A"), ("esc.t", "TXT"), ("nul.t", "TXT")):
    r = row(qn, qt)
    check("%s/%s: a final status" % (qn, qt), r.get("status") in final,
          r.get("status"))
for qn in ("loop.t", "long.t"):
    r = row(qn, "A")
    # The only record's owner name cannot be decoded: no answer may be
    # made up from it.
    check("%s: an error, not an answer" % qn,
          r.get("status") != "NOERROR" or (r.get("error") is not None
                                          and not answers(r)),
          (r.get("status"), r.get("error"), answers(r)))
r = row("count.t", "A")
check("count.t: an error, or at most the one record present",
      r.get("status") != "NOERROR" or r.get("error") is not None or
      len(answers(r)) <= 1, (r.get("status"), r.get("error"), answers(r)))
r = row("esc.t", "A")
if r.get("status") == "NOERROR":
    # The CNAME target as dig shows it (';' may be escaped or not).
    want = ['\\027]0;pwned\\007\\027[2J\\1551m.esc.t',
            '\\027]0\\;pwned\\007\\027[2J\\1551m.esc.t']
    chain = [x.rstrip(".") for x in r.get("cname_chain") or []]
    check("esc.t: chain to the escaped name, each byte escaped once",
          len(chain) == 2 and chain[0] == "esc.t" and chain[1] in want,
          chain)
    check("esc.t: A record of that name, 192.0.2.3",
          [(a.get("name", "").rstrip("."), a.get("data"))
           for a in answers(r, "A")] in [[(w, "192.0.2.3")] for w in want],
          answers(r, "A"))
# As dig shows them: each byte escaped once, as \DDD.
r = row("esc.t", "TXT")
t = " ".join(datas(r, "TXT"))
check("esc.t/TXT: ESC, BEL and 0x9b escaped once, text kept",
      t == '"\\027]0;pwned\\007\\027[2J\\1551m"', (r.get("status"), t))
r = row("nul.t", "TXT")
t = " ".join(datas(r, "TXT"))
check("nul.t/TXT: NUL and ESC escaped once, text after them kept",
      t == '"a\\000b\\027[31mc"', (r.get("status"), t))
EOF

# --- an unreachable server: a per-lookup error --------------------------
closed=$(dns_free_port) || hard_error "no free port"
out=$DNS_DIR/closed.json
dns_tubes "$out" -s "127.0.0.1:$closed" -q www.lab.test. \
    --dns-timeout 300 --dns-tries 1
if [ "$TUBES_RC" -ge 128 ] || [ "$TUBES_RC" -eq 124 ]; then
	tb_log "[closed port] MISMATCH: tubes died or hung (exit $TUBES_RC)"
	_dns_failed=$((_dns_failed + 1))
fi
dns_expect_rc "closed port" "0 1"
C=127.0.0.1:$closed dns_check "closed port" "$out" <<'EOF'
r = row("www.lab.test", "A", os.environ["C"])
check("closed port: network error or timeout",
      r.get("status") in ("network error", "timeout"), r.get("status"))
check("closed port: no answers", not answers(r), answers(r))
EOF

# --- usage errors: exit 2, one line on stderr ---------------------------
usage_case()
{
	_what=$1
	shift
	_err=$DNS_DIR/usage.err
	timeout -s KILL 20 "$TUBES" --dump --json --panes dns -s "$S" "$@" \
	    >"$DNS_DIR/usage.out" 2>"$_err"
	_rc=$?
	_lines=$(wc -l <"$_err")
	if [ "$_rc" -eq 2 ] && [ "$_lines" -eq 1 ]; then
		tb_log "[usage] ok: $_what: exit 2, $(cat "$_err")"
	else
		tb_log "[usage] MISMATCH: $_what: exit $_rc, $_lines stderr" \
		    "line(s): $(head -c 500 "$_err")"
		_dns_failed=$((_dns_failed + 1))
	fi
}
label64=$(printf '%064d' 0 | tr 0 a)
usage_case "empty label -q a..b" -q a..b
usage_case "64-byte label" -q "$label64.lab.test"
usage_case "unknown type -q x/BOGUS" -q x/BOGUS
usage_case "bad server -s 999.1.1.1" -s 999.1.1.1 -q www.lab.test.
usage_case "bad server port -s 127.0.0.1:99999" -s 127.0.0.1:99999 \
    -q www.lab.test.

dns_done
