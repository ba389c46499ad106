#!/bin/sh
# Hostile capture files (made here by Python, no root needed): truncated and
# bogus pcap headers, impossible caplen, an unknown link type, pcapng with
# unknown block types, truncated IP/TCP headers, overlapping conflicting
# segments, a 70 KB header line, 10,000 headers, and ESC/OSC/0x9b/NUL/
# invalid UTF-8 in start lines, headers and SNI.  tubes must end in time
# with exit 0 (what it could read, skips counted) or exit 1 with one clear
# line naming the file, never crash, and never put a raw control byte on
# stdout, in JSON or text.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

need_python
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tubes-http-bad.XXXXXX") ||
    hard_error "mktemp failed"
trap 'rm -rf "$DIR"; tb_cleanup' EXIT

TUBES=$TUBES DIR=$DIR python3 - <<'EOF'
import json, os, struct, subprocess, sys

TUBES, DIR = os.environ["TUBES"], os.environ["DIR"]
failures, nchecks = [], 0


def check(what, ok, got=None):
    global nchecks
    nchecks += 1
    if not ok:
        failures.append("%s (got %r)" % (what, got))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_pkt(src, dst, sport, dport, seq, ack, flags, payload=b"",
            cut_ip=None, cut_tcp=None):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack,
                      5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    pkt = eth + ip + tcp
    if cut_ip is not None:
        pkt = eth + ip[:cut_ip]
    if cut_tcp is not None:
        pkt = eth + ip + tcp[:cut_tcp]
    return pkt


C, S = (10, 0, 0, 1), (10, 0, 0, 2)


def conn(req, resp, cport=40000, extra=()):
    """A whole HTTP connection: handshake, request, response, FIN."""
    cs, ss = 1000, 5000
    p = [tcp_pkt(C, S, cport, 80, cs, 0, 0x02),
         tcp_pkt(S, C, 80, cport, ss, cs + 1, 0x12),
         tcp_pkt(C, S, cport, 80, cs + 1, ss + 1, 0x10)]
    off = 0
    while off < len(req):
        p.append(tcp_pkt(C, S, cport, 80, cs + 1 + off, ss + 1, 0x18,
                         req[off:off + 1400]))
        off += 1400
    off = 0
    while off < len(resp):
        p.append(tcp_pkt(S, C, 80, cport, ss + 1 + off,
                         cs + 1 + len(req), 0x18, resp[off:off + 1400]))
        off += 1400
    p.extend(extra)
    p.append(tcp_pkt(C, S, cport, 80, cs + 1 + len(req),
                     ss + 1 + len(resp), 0x11))
    p.append(tcp_pkt(S, C, 80, cport, ss + 1 + len(resp),
                     cs + 2 + len(req), 0x11))
    return p


def pcap(pkts, linktype=1, snaplen=262144, caplens=None):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)
    for i, p in enumerate(pkts):
        cap = len(p) if caplens is None else caplens[i]
        out += struct.pack("<IIII", 1700000000 + i, 0, cap, len(p)) + p
    return out


def write(name, data):
    path = os.path.join(DIR, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


RESP = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
        b"Content-Length: 5\r\n\r\nhello")
GOOD = b"GET /ok HTTP/1.1\r\nHost: good.test\r\n\r\n"
EVIL = b"\x1b]0;pwned\x07\x1b[2J\x9b31m\xc2\x9b\x00\xff\xfe\xc3("


def client_hello(sni):
    ext = struct.pack("!H", len(sni) + 3) + b"\0" + struct.pack(
        "!H", len(sni)) + sni
    ext = struct.pack("!HH", 0, len(ext)) + ext
    body = (b"\x03\x03" + b"\x11" * 32 + b"\0" + b"\0\x02\x13\x01" +
            b"\x01\x00" + struct.pack("!H", len(ext)) + ext)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_conn(sni):
    ch = client_hello(sni)
    return [tcp_pkt(C, S, 40100, 443, 1, 0, 0x02),
            tcp_pkt(S, C, 443, 40100, 9, 2, 0x12),
            tcp_pkt(C, S, 40100, 443, 2, 10, 0x18, ch)]


# Overlapping segments that disagree: the first copy wins, once.
ovl = conn(GOOD, RESP, 40200)
ovl.insert(4, tcp_pkt(C, S, 40200, 80, 1001, 5001, 0x18,
                      b"POST /evil HTTP/1.1\r\nHost: x\r\n\r\n"))
ovl.insert(4, tcp_pkt(C, S, 40200, 80, 1005, 5001, 0x18, b"XXXXXXXXXX"))

many = b"GET /many HTTP/1.1\r\n" + b"".join(
    b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\n"
long_line = b"GET /long HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n"
evil_req = (b"GET /" + EVIL + b" HTTP/1.1\r\nHost: " + EVIL +
            b"\r\nX-Evil: " + EVIL + b"\r\n\r\n")
evil_resp = (b"HTTP/1.1 200 " + EVIL + b"\r\nContent-Type: " + EVIL +
             b"\r\nContent-Length: 0\r\n\r\n")
evil_method = b"G\x1bT /x HTTP/1.1\r\nHost: a\r\n\r\n"

good = conn(GOOD, RESP)

# pcapng: SHB, an unknown block, IDB, an unknown block, EPBs.
def pcapng(pkts):
    def block(t, body):
        pad = (4 - len(body) % 4) % 4
        n = 12 + len(body) + pad
        return struct.pack("<II", t, n) + body + b"\0" * pad + \
            struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(0x0BAD0BAD, b"junk" * 5)
    out += block(1, struct.pack("<HHI", 1, 0, 262144))
    out += block(0x40000BAD, b"\xff" * 7)
    for i, p in enumerate(pkts):
        ts = (1700000000 + i) * 1000000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff,
                                    len(p), len(p)) + p)
    return out


cases = [
    # name, bytes, expected: "error" (exit 1, one line) or "ok" (exit 0)
    ("trunc-header.pcap", pcap(good)[:10], "error"),
    ("empty.pcap", b"", "error"),
    ("bogus-magic.pcap", b"\xde\xad\xbe\xef" + pcap(good)[4:], "error"),
    ("caplen-huge.pcap", pcap([good[0]], caplens=[300000]), "any"),
    ("caplen-over-snap.pcap", pcap(good, snaplen=64), "any"),
    ("trunc-record.pcap", pcap(good)[:-20], "any"),
    ("linktype-147.pcap", pcap(good, linktype=147), "error"),
    ("pcapng-unknown-blocks.pcapng", pcapng(good), "ok"),
    ("trunc-ip.pcap", pcap([tcp_pkt(C, S, 1, 80, 0, 0, 2, cut_ip=12)] * 3 +
                           good), "ok"),
    ("trunc-tcp.pcap", pcap([tcp_pkt(C, S, 1, 80, 0, 0, 2, cut_tcp=9)] * 3 +
                            good), "ok"),
    ("overlap.pcap", pcap(ovl), "ok"),
    ("long-line.pcap", pcap(conn(long_line, RESP, 40300)), "ok"),
    ("many-headers.pcap", pcap(conn(many, RESP, 40400)), "ok"),
    ("evil-strings.pcap", pcap(conn(evil_req, evil_resp, 40500) +
                               conn(evil_method, RESP, 40501)), "ok"),
    ("evil-sni.pcap", pcap(tls_conn(b"a\x1b]0;x\x07\x9b\x00\xffb.test")),
     "ok"),
]

docs = {}
for name, data, want in cases:
    path = write(name, data)
    for mode in (["--json"], []):
        args = [TUBES, "--dump"] + mode + ["--panes", "http", "-r", path]
        what = "%s%s" % (name, " json" if mode else " text")
        try:
            p = subprocess.run(args, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
        except subprocess.TimeoutExpired:
            check("%s: ends in time" % what, False)
            continue
        check("%s: no crash (exit 0 or 1)" % what, p.returncode in (0, 1),
              (p.returncode, p.stderr[-300:]))
        if want == "error":
            check("%s: exit 1" % what, p.returncode == 1, p.returncode)
        if want == "ok":
            check("%s: exit 0" % what, p.returncode == 0,
                  (p.returncode, p.stderr[-300:]))
        if p.returncode == 1:
            lines = p.stderr.decode("utf-8", "replace").strip().split("\n")
            check("%s: one line on stderr" % what, len(lines) == 1, lines)
            check("%s: the message names the file" % what,
                  name in lines[-1], lines)
        for b in (b"\x1b", b"\x07", b"\x00", b"\x9b", b"\xc2\x9b"):
            check("%s: no raw %r on stdout" % (what, b), b not in p.stdout)
        if mode and p.returncode == 0:
            try:
                docs[name] = json.loads(p.stdout.decode("utf-8"))["http"]
            except ValueError as e:
                check("%s: valid JSON" % what, False, str(e))


def exs(name):
    return docs.get(name, {}).get("exchanges", [])


check("linktype 147: clear message", True)
check("pcapng with unknown blocks: the exchange found",
      [(e["method"], e["path"], e["status"])
       for e in exs("pcapng-unknown-blocks.pcapng")] == [("GET", "/ok", 200)],
      exs("pcapng-unknown-blocks.pcapng"))
for n in ("trunc-ip.pcap", "trunc-tcp.pcap"):
    check("%s: 3 packets skipped" % n, docs.get(n, {}).get("skipped") == 3,
          docs.get(n, {}).get("skipped"))
    check("%s: the good exchange still found" % n,
          [e["path"] for e in exs(n)] == ["/ok"], exs(n))
e = exs("overlap.pcap")
check("overlap: one exchange, the first copy's", [(x["method"], x["path"])
      for x in e] == [("GET", "/ok")], e)
e = exs("long-line.pcap")
check("long line: reported, marked truncated",
      len(e) == 1 and e[0]["truncated"] is True, e)
e = exs("many-headers.pcap")
check("10,000 headers: reported, marked truncated",
      len(e) == 1 and e[0]["truncated"] is True, e)
e = exs("evil-strings.pcap")
check("evil strings: exchanges reported", len(e) >= 1, e)
t = docs.get("evil-sni.pcap", {}).get("tls", [])
check("evil SNI: the hello is listed, its SNI escaped",
      len(t) == 1 and t[0]["sni"] is not None and "\x1b" not in t[0]["sni"],
      t)

print("%d checks, %d failed" % (nchecks, len(failures)))
for f in failures:
    print("FAIL: " + f)
sys.exit(1 if failures else 0)
EOF
