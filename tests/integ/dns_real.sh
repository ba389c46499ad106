#!/bin/sh
# The DNS pane against a real authoritative server.  nsd serves
# tests/dns/lab.test.zone on a free loopback port (127.0.0.1 and ::1); tubes
# --dump --json asks it for every record type the pane knows, and the JSON
# must carry exactly what the zone says: data, TTLs, the CNAME chain, the
# 2 KB TXT set complete after TC and a TCP retry, control bytes escaped,
# NXDOMAIN with the SOA minimum as negative TTL, and one row per server
# when two servers are asked side by side.  Names end in a dot, so a
# search list in the machine's resolv.conf never applies.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/dnslib.sh"

need_nsd
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

nsd_start
S4=127.0.0.1:$NSD_PORT
S6="[::1]:$NSD_PORT"
out=$DNS_DIR/real.json

dns_tubes "$out" -s "$S4" \
    -q www.lab.test. -q www.lab.test./AAAA -q a.lab.test. \
    -q lab.test./MX -q lab.test./TXT -q ctl.lab.test./TXT \
    -q big.lab.test./TXT -q lab.test./NS -q lab.test./SOA \
    -q 198.51.100.10 -q 2.100.51.198.in-addr.arpa./PTR \
    -q _http._tcp.lab.test./SRV -q lab.test./CAA -q missing.lab.test.
dns_expect_rc "types" 0
dns_raw_clean "types" "$out"
S=$S4 dns_check "types" "$out" <<'EOF'
S = os.environ["S"]

def nodot(s):
    return " ".join(t.rstrip(".") for t in (s or "").split(" "))

def unq(s):
    s = s or ""
    return s[1:-1] if len(s) >= 2 and s[0] == '"' and s[-1] == '"' else s

check("servers lists %s" % S, dns().get("servers") == [S], dns().get("servers"))
check("14 rows, one per lookup", len(lookups()) == 14, len(lookups()))
for r in lookups():
    tag = "%s/%s" % (r.get("name"), r.get("type"))
    check(tag + ": server", r.get("server") == S, r.get("server"))
    lat = r.get("latency_ms")
    check(tag + ": latency_ms a number in (0, 1000)",
          isinstance(lat, (int, float)) and 0 < lat < 1000, lat)
    check(tag + ": flags has qr and aa",
          "qr" in (r.get("flags") or []) and "aa" in (r.get("flags") or []),
          r.get("flags"))
    if r.get("name", "").rstrip(".") != "missing.lab.test":
        check(tag + ": NOERROR, no error", r.get("status") == "NOERROR"
              and r.get("error") is None, (r.get("status"), r.get("error")))

r = row("www.lab.test", "A")
check("A data", datas(r, "A") == ["198.51.100.10"], datas(r))
check("A ttl 300", ttls(r, "A") == [300], ttls(r))
check("A answer owner", [a.get("name") for a in answers(r)] ==
      ["www.lab.test"], answers(r))
check("A: no cname chain", not r.get("cname_chain"), r.get("cname_chain"))

r = row("www.lab.test", "AAAA")
check("AAAA data", datas(r, "AAAA") == ["2001:db8::10"], datas(r))
check("AAAA ttl 600", ttls(r, "AAAA") == [600], ttls(r))

r = row("a.lab.test", "A")
check("cname_chain a -> b -> c -> web",
      [n.rstrip(".") for n in r.get("cname_chain") or []] ==
      ["a.lab.test", "b.lab.test", "c.lab.test", "web.lab.test"],
      r.get("cname_chain"))
check("chain CNAME ttls 100 200 250", ttls(r, "CNAME") == [100, 200, 250],
      ttls(r, "CNAME"))
check("chain CNAME targets", [nodot(x) for x in datas(r, "CNAME")] ==
      ["b.lab.test", "c.lab.test", "web.lab.test"], datas(r, "CNAME"))
check("chain ends in web's A", datas(r, "A") == ["198.51.100.10"] and
      ttls(r, "A") == [300] and
      [a.get("name") for a in answers(r, "A")] == ["web.lab.test"],
      answers(r, "A"))

r = row("lab.test", "MX")
check("MX data", sorted(nodot(x) for x in datas(r, "MX")) ==
      ["10 mail.lab.test", "20 mail2.lab.test"], datas(r))
check("MX ttls 3602", ttls(r, "MX") == [3602, 3602], ttls(r))

r = row("lab.test", "TXT")
check("TXT data", [unq(x) for x in datas(r, "TXT")] == ["v=spf1 -all"],
      datas(r))
check("TXT ttl 3603", ttls(r, "TXT") == [3603], ttls(r))

r = row("ctl.lab.test", "TXT")
t = "".join(datas(r, "TXT"))
check("control TXT: one answer, ttl 800", ttls(r, "TXT") == [800], ttls(r))
check("control TXT: the text around the controls survives",
      all(w in t for w in ("bell", "esc", "[31mred", "csi")), t)
check("control TXT: no control character, even decoded", no_controls(t), t)
# dig's presentation: each byte escaped once, as \DDD.  The zone holds no
# backslash, so a doubled one ("\\007") would claim one that is not there.
check("control TXT: escaped once, dig-style",
      t == '"bell\\007esc\\027[31mred\\155csi"', t)

r = row("big.lab.test", "TXT")
big = sorted(unq(x) for x in datas(r, "TXT"))
want = sorted(("big%d-" % i + "abcdefghijklmnopqrstuvwxyz" * 10)[:250]
              for i in range(8))
check("big TXT: all 8 strings of 250 bytes, complete", big == want,
      [len(x) for x in big])
check("big TXT: ttls 300", ttls(r, "TXT") == [300] * 8, ttls(r))
check("big TXT: truncated over UDP", r.get("truncated") is True,
      r.get("truncated"))
check("big TXT: asked again over TCP", r.get("used_tcp") is True,
      r.get("used_tcp"))
check("big TXT: final flags have no tc", "tc" not in (r.get("flags") or []),
      r.get("flags"))
others = [x for x in lookups() if x is not r and x.get("used_tcp")]
check("no other lookup used TCP", not others,
      [(x.get("name"), x.get("type")) for x in others])

r = row("lab.test", "NS")
check("NS data", sorted(nodot(x) for x in datas(r, "NS")) ==
      ["ns1.lab.test", "ns2.lab.test"], datas(r))
check("NS ttls 3601", ttls(r, "NS") == [3601, 3601], ttls(r))

r = row("lab.test", "SOA")
check("SOA data", [nodot(x) for x in datas(r, "SOA")] ==
      ["ns1.lab.test hostmaster.lab.test 2026112701 7200 900 1209600 1234"],
      datas(r))
check("SOA ttl 3600", ttls(r, "SOA") == [3600], ttls(r))

r = row("10.100.51.198.in-addr.arpa", "PTR")
check("reverse lookup of 198.51.100.10", [nodot(x) for x in datas(r, "PTR")]
      == ["web.lab.test"], (r.get("name"), datas(r)))
check("reverse ttl 1000", ttls(r, "PTR") == [1000], ttls(r))
r = row("2.100.51.198.in-addr.arpa", "PTR")
check("PTR by name", [nodot(x) for x in datas(r, "PTR")] == ["ns1.lab.test"],
      datas(r))

r = row("_http._tcp.lab.test", "SRV")
check("SRV data", [nodot(x) for x in datas(r, "SRV")] ==
      ["10 5 80 web.lab.test"], datas(r))
check("SRV ttl 700", ttls(r, "SRV") == [700], ttls(r))

r = row("lab.test", "CAA")
check("CAA data", datas(r, "CAA") == ['0 issue "ca.lab.test"'], datas(r))
check("CAA ttl 3604", ttls(r, "CAA") == [3604], ttls(r))

r = row("missing.lab.test", "A")
check("NXDOMAIN status", r.get("status") == "NXDOMAIN", r.get("status"))
check("NXDOMAIN: no answers", not answers(r), answers(r))
check("NXDOMAIN: negative_ttl is the SOA minimum 1234",
      r.get("negative_ttl") == 1234, r.get("negative_ttl"))
if "rcode" in r:
    check("NXDOMAIN: rcode 3", r.get("rcode") in (3, "NXDOMAIN"),
          r.get("rcode"))
EOF

# The same name asked of two servers, IPv4 and IPv6, side by side.
if dns_has_v6; then
	out2=$DNS_DIR/two.json
	dns_tubes "$out2" -s "$S4" -s "$S6" -q www.lab.test.
	dns_expect_rc "two servers" 0
	dns_raw_clean "two servers" "$out2"
	S4=$S4 S6=$S6 dns_check "two servers" "$out2" <<'EOF'
S4, S6 = os.environ["S4"], os.environ["S6"]
check("servers lists both", dns().get("servers") == [S4, S6],
      dns().get("servers"))
rs = rows("www.lab.test", "A")
check("two rows for www.lab.test", len(rs) == 2, len(rs))
check("one row per server", sorted(r.get("server") for r in rs) ==
      sorted([S4, S6]), [r.get("server") for r in rs])
for r in rs:
    lat = r.get("latency_ms")
    check("%s: own latency_ms (0, 1000)" % r.get("server"),
          isinstance(lat, (int, float)) and 0 < lat < 1000, lat)
    check("%s: NOERROR 198.51.100.10 ttl 300" % r.get("server"),
          r.get("status") == "NOERROR" and
          datas(r, "A") == ["198.51.100.10"] and ttls(r, "A") == [300],
          (r.get("status"), answers(r)))
EOF
else
	tb_log "no ::1 on lo: the two-server (IPv4 + IPv6) case is skipped"
fi

dns_done
