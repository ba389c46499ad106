#!/bin/sh
# Golden test of the HTTP pane over the capture corpus (no root needed):
# every file of ../shared/corpus/http/ and ../shared/corpus/real/ read with
# `tubes --dump --json -r FILE`, and every exchange, pair, status, size,
# SNI/ALPN, h2c connection and orphan checked against what the corpus
# READMEs say is in them.  The expectations below are those READMEs'
# tables, written out.  The files are read from the shared folder, never
# copied into the repository.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

need_python
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
HTTP_DIR=${TUBES_CORPUS:-$top_srcdir/../shared/corpus}/http
REAL_DIR=${TUBES_CORPUS:-$top_srcdir/../shared/corpus}/real
[ -d "$HTTP_DIR" ] || skip "no capture corpus at $HTTP_DIR"

TUBES=$TUBES HTTP_DIR=$HTTP_DIR REAL_DIR=$REAL_DIR python3 - <<'EOF'
import json, os, subprocess, sys

TUBES = os.environ["TUBES"]
HTTP_DIR = os.environ["HTTP_DIR"]
REAL_DIR = os.environ["REAL_DIR"]
failures = []
nchecks = 0


def check(what, ok, got=None):
    global nchecks
    nchecks += 1
    if not ok:
        failures.append("%s (got %r)" % (what, got))


def run(path, panes="http"):
    # -s points the dns pane (passive only: no lookups are made) at an
    # address of ours, never the machine's resolver.
    args = [TUBES, "--dump", "--json", "--panes", panes, "-r", path]
    if "dns" in panes:
        args[1:1] = ["-s", "127.0.0.1:9"]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    name = os.path.basename(path)
    check("%s: exit 0" % name, p.returncode == 0,
          (p.returncode, p.stderr[-300:]))
    for b in (b"\x1b", b"\x07", b"\x00", b"\x9b"):
        check("%s: no raw %r on stdout" % (name, b), b not in p.stdout)
    try:
        return json.loads(p.stdout.decode("utf-8"))
    except ValueError as e:
        check("%s: valid JSON" % name, False, str(e))
        return {}


def conns(exchanges):
    """Exchanges grouped per client address:port, in capture order."""
    out, order = {}, []
    for e in exchanges:
        if e["client"] not in out:
            out[e["client"]] = []
            order.append(e["client"])
        out[e["client"]].append(e)
    return [out[c] for c in order]


# file -> connections, each a list of (method, path, status); sizes below.
HTTP = {
    "01-http10-stock.pcap": [[("GET", "/index.html", 200)],
                             [("GET", "/nope", 404)],
                             [("HEAD", "/small.txt", 200)],
                             [("GET", "/small.txt", 200)]],
    "02-keepalive-nginx.pcap": [[("GET", "/index.html", 200),
                                 ("GET", "/small.txt", 200),
                                 ("GET", "/missing", 404),
                                 ("GET", "/medium.bin", 200)],
                                [("HEAD", "/index.html", 200)]],
    "03-pipelined.pcap": [[("GET", "/small.txt", 200),
                           ("GET", "/missing", 404),
                           ("GET", "/index.html", 200),
                           ("GET", "/medium.bin", 200)]],
    "04-chunked.pcap": [[("GET", "/chunked", 200), ("GET", "/chunked", 200)],
                        [("POST", "/upload", 201)]],
    "05-post-100continue.pcap": [[("POST", "/upload", 201)],
                                 [("POST", "/upload", 201)],
                                 [("POST", "/nowhere", 404)]],
    "06-large-bodies.pcap": [[("GET", "/large.bin", 200)],
                             [("GET", "/big?n=200000", 200)],
                             [("POST", "/upload", 201)]],
    "07-split-headers.pcap": [[("GET", "/slowhdr", 200),
                               ("POST", "/upload", 201)]],
    "08-ipv6-nano.pcap": [[("GET", "/index.html", 200),
                           ("GET", "/missing", 404)],
                          [("GET", "/chunked", 200)]],
    "09-tls-sni.pcap": [],
    "11-cooked-any-sll2.pcap": [[("GET", "/small.txt", 200),
                                 ("GET", "/missing", 404)]],
    "12-cooked-sll1.pcap": [[("GET", "/index.html", 200)]],
    "13-vlan100.pcap": [[("GET", "/", 200), ("GET", "/big?n=20000", 200),
                         ("GET", "/missing", 404)]],
    "14-segmented-mtu1500.pcap": [[("GET", "/big?n=30000", 200),
                                   ("GET", "/chunked", 200)],
                                  [("POST", "/upload", 201)]],
    "15-ooo-retrans.pcap": [[("GET", "/big?n=30000", 200),
                             ("GET", "/chunked", 200)],
                            [("POST", "/upload", 201)]],
    "16-snaplen96.pcap": [[("GET", "/index.html", 200),
                           ("GET", "/small.txt", 200),
                           ("GET", "/missing", 404)]],
}
HTTP["02-keepalive-nginx.pcapng"] = HTTP["02-keepalive-nginx.pcap"]
H2C = {"10-h2c.pcap": 2}

docs = {}
files = sorted(f for f in os.listdir(HTTP_DIR) if f.endswith((".pcap",
                                                                ".pcapng")))
known = set(HTTP) | set(H2C)
for f in files:
    check("%s: listed in the corpus README" % f, f in known)
for f in sorted(known):
    check("%s: in the corpus" % f, f in files)

for f in files:
    d = run(os.path.join(HTTP_DIR, f)).get("http", {})
    docs[f] = d
    ex = d.get("exchanges", [])
    h1 = [e for e in ex if e.get("kind") != "h2c"]
    check("%s: no error" % f, d.get("error") is None, d.get("error"))
    check("%s: packets counted" % f, d.get("packets", 0) > 0)
    if f in H2C:
        h2 = [e for e in ex if e.get("kind") == "h2c"]
        check("%s: %d h2c connections" % (f, H2C[f]), len(h2) == H2C[f],
              len(h2))
        check("%s: h2c on distinct connections" % f,
              len(set(e["client"] for e in h2)) == H2C[f])
        check("%s: h2c only" % f, len(h1) == 0, len(h1))
        continue
    want = HTTP.get(f, [])
    got = [[(e["method"], e["path"], e["status"]) for e in c]
           for c in conns(h1)]
    check("%s: exchanges per connection, in order" % f, got == want, got)
    for e in h1:
        check("%s: %s %s not an orphan" % (f, e["method"], e["path"]),
              e["orphan"] is None, e["orphan"])
        check("%s: %s %s has a latency" % (f, e["method"], e["path"]),
              e["latency_ms"] is not None and e["latency_ms"] >= 0,
              e["latency_ms"])
        check("%s: started is ISO 8601 with ms" % f,
              len(e["started"]) == 24 and e["started"].endswith("Z"),
              e["started"])


def ex_of(f):
    return [e for e in docs.get(f, {}).get("exchanges", [])
            if e.get("kind") != "h2c"]


def body(e, head_hint=None):
    return e["response_bytes"]


# 01: HTTP/1.0 server, HEAD has no body despite Content-Length: 111.
e = ex_of("01-http10-stock.pcap")
if len(e) == 4:
    check("01: requests 0-2 are HTTP/1.0",
          [x["kind"] for x in e] == ["http/1.0"] * 3 + ["http/1.1"],
          [x["kind"] for x in e])
    check("01: HEAD response smaller than the GET's (no body)",
          e[2]["response_bytes"] < e[3]["response_bytes"] - 100,
          (e[2]["response_bytes"], e[3]["response_bytes"]))

# 02 (and its pcapng copy): sizes and content types of the README.
for f in ("02-keepalive-nginx.pcap", "02-keepalive-nginx.pcapng"):
    e = ex_of(f)
    if len(e) != 5:
        continue
    for x, size, ctype in ((e[0], 587, "text/html"), (e[1], 111, "text/plain"),
                           (e[2], 153, "text/html"),
                           (e[3], 4096, "application/octet-stream")):
        check("%s: %s body %d B" % (f, x["path"], size),
              x["response_bytes"] is not None and
              size < x["response_bytes"] < size + 400, x["response_bytes"])
        check("%s: %s is %s" % (f, x["path"], ctype),
              (x["content_type"] or "").startswith(ctype), x["content_type"])
    check("%s: one connection keeps 4" % f,
          len(set(x["client"] for x in e[:4])) == 1)
    check("%s: HEAD response has no body" % f,
          e[4]["response_bytes"] < 400, e[4]["response_bytes"])
if "02-keepalive-nginx.pcapng" in docs:
    strip = lambda l: [{k: v for k, v in x.items()} for x in l]
    check("02: pcapng gives the same exchanges as pcap",
          strip(ex_of("02-keepalive-nginx.pcap")) ==
          strip(ex_of("02-keepalive-nginx.pcapng")))

# 03: pipelining paired in order, each its own latency.
e = ex_of("03-pipelined.pcap")
if len(e) == 4:
    check("03: Host pipe.test", all(x["host"] == "pipe.test" for x in e))
    check("03: /medium.bin response is the 4096 B one",
          4096 < e[3]["response_bytes"] < 4500, e[3]["response_bytes"])
    check("03: /small.txt response is the 111 B one",
          111 < e[0]["response_bytes"] < 500, e[0]["response_bytes"])

# 04: chunked both ways; the response's first-to-last byte ~40 ms.
e = ex_of("04-chunked.pcap")
if len(e) == 3:
    for x in e[:2]:
        check("04: chunked response bytes cover 2244 decoded",
              x["response_bytes"] > 2244, x["response_bytes"])
        check("04: total_ms spans the 4 chunks (>= 25 ms)",
              x["total_ms"] is not None and x["total_ms"] >= 25,
              x["total_ms"])
    check("04: chunked request covers 587 decoded",
          e[2]["request_bytes"] > 587, e[2]["request_bytes"])

# 05: one interim 100, not taken as final.
e = ex_of("05-post-100continue.pcap")
if len(e) == 3:
    check("05: interim counts 0,1,0", [x["interim"] for x in e] == [0, 1, 0],
          [x["interim"] for x in e])
    check("05: 20000 B body after 100 Continue",
          e[1]["request_bytes"] > 20000, e[1]["request_bytes"])
    check("05: 9 B form body", 9 < e[0]["request_bytes"] < 400,
          e[0]["request_bytes"])

# 06: large bodies counted whole.
e = ex_of("06-large-bodies.pcap")
if len(e) == 3:
    check("06: 300000 B response", 300000 < e[0]["response_bytes"] < 301000,
          e[0]["response_bytes"])
    check("06: 200000 B response", 200000 < e[1]["response_bytes"] < 201000,
          e[1]["response_bytes"])
    check("06: 100000 B request", 100000 < e[2]["request_bytes"] < 101000,
          e[2]["request_bytes"])

# 08: IPv6 clients as [v6]:port.
for x in ex_of("08-ipv6-nano.pcap"):
    check("08: [::1] client", x["client"].startswith("[::1]:"), x["client"])

# 09: the three ClientHellos.
tls = [(t["sni"], t["alpn"], t["version"])
       for t in docs.get("09-tls-sni.pcap", {}).get("tls", [])]
check("09: SNI/ALPN/version of the three ClientHellos",
      tls == [("x.test", "http/1.1", "TLS 1.3"), ("v12.test", None, "TLS 1.2"),
              ("www.tls.test", "h2,http/1.1", "TLS 1.3")], tls)

# 13, 14, 15: sizes of multi-segment bodies; 15 counts each once.
e13 = ex_of("13-vlan100.pcap")
if len(e13) == 3:
    check("13: 20000 B body through VLAN",
          20000 < e13[1]["response_bytes"] < 20500, e13[1]["response_bytes"])
e14, e15 = ex_of("14-segmented-mtu1500.pcap"), ex_of("15-ooo-retrans.pcap")
if len(e14) == 3:
    check("14: 30000 B body", 30000 < e14[0]["response_bytes"] < 30500,
          e14[0]["response_bytes"])
    check("14: 20000 B request", 20000 < e14[2]["request_bytes"] < 20500,
          e14[2]["request_bytes"])
key = lambda l: [(x["method"], x["path"], x["status"], x["request_bytes"],
                  x["response_bytes"]) for x in l]
check("15: out of order and retransmits give 14's exchanges, sizes once",
      key(e14) == key(e15), (key(e14), key(e15)))

# 16: snap length 96: incomplete marks, no invented sizes.
for x in ex_of("16-snaplen96.pcap"):
    check("16: %s marked incomplete" % x["path"], x["incomplete"] is True)
    check("16: %s sizes not invented" % x["path"],
          x["request_bytes"] is None and x["response_bytes"] is None,
          (x["request_bytes"], x["response_bytes"]))

# --- ../shared/corpus/real (third-party captures) ---
if os.path.isdir(REAL_DIR):
    R = {}
    for f in sorted(os.listdir(REAL_DIR)):
        if f.endswith(".pcap"):
            R[f] = run(os.path.join(REAL_DIR, f), "http,dns")
    h = lambda f: R.get(f, {}).get("http", {})
    ex = lambda f: h(f).get("exchanges", [])
    passive = lambda f: R.get(f, {}).get("dns", {}).get("passive", [])

    e = ex("print-flags.pcap")
    check("print-flags: GET / -> 200, complete",
          [(x["method"], x["path"], x["status"], x["orphan"]) for x in e] ==
          [("GET", "/", 200, None)], e)
    if len(e) == 1:
        check("print-flags: 5559-byte response",
              e[0]["response_bytes"] == 5559, e[0]["response_bytes"])
    e = ex("ipv4_tcp_http_xml.pcap")
    check("ipv4_tcp_http_xml: one orphan response 200 through VLAN 165",
          [(x["status"], x["orphan"], x["server"]) for x in e] ==
          [(200, "response", "10.21.11.94:80")], e)
    e = ex("accecn_handshake.pcap")
    # The README lists no response; the capture does hold the first
    # 1448 bytes of one (its status line), so the exchange is there,
    # marked incomplete, with no invented size.
    check("accecn: GET /1M found, response not complete",
          [(x["method"], x["path"]) for x in e] == [("GET", "/1M")] and
          (e[0]["status"] is None or e[0]["incomplete"]), e)
    for f, n, name in (("dns_udp.pcap", 1, "www.tcpdump.org"),
                       ("dns_tcp.pcap", 1, "www.tcpdump.org"),
                       ("edns-opts.pcap", 21, "example.com")):
        p = passive(f)
        check("%s: %d passive DNS answers" % (f, n), len(p) == n, len(p))
        check("%s: names %s" % (f, name),
              all((x.get("name") or "").rstrip(".") == name for x in p),
              [x.get("name") for x in p])
        check("%s: paired with their queries (latency)" % f,
              all(x.get("latency_ms") is not None for x in p),
              [x.get("latency_ms") for x in p])
    for f in ("RADIUS-RFC4675.pcap", "802.1ad_QinQ.pcap",
              "LINKTYPE_RAW_ipv6.pcap"):
        check("%s: packets counted" % f, h(f).get("packets", 0) > 0, h(f))
        check("%s: no exchanges" % f, ex(f) == [], ex(f))
    check("RADIUS: 6 packets", h("RADIUS-RFC4675.pcap").get("packets") == 6)

print("%d checks, %d failed" % (nchecks, len(failures)))
for f in failures:
    print("FAIL: " + f)
sys.exit(1 if failures else 0)
EOF
