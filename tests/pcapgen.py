#!/usr/bin/env python3
"""pcapgen: capture files for the memory-bound and terminal-safety tests.

    pcapgen.py syn N                 N SYNs, each its own TCP flow
    pcapgen.py dns N                 N DNS answers (UDP from port 53)
    pcapgen.py http N REQ [RESP]     N HTTP/1.1 exchanges, REQ bytes of
                                     request headers and RESP (default
                                     REQ) of response headers, one
                                     connection each
    pcapgen.py hostile               HTTP, TLS and DNS carrying terminal
                                     escapes, C1, bidi controls, NUL and
                                     invalid UTF-8 (see HOSTILE)

The file goes to stdout (pipe it into tubes -r -) or to -o FILE.  Ethernet
link type, microsecond pcap, addresses in 10.0.0.0/8 only (nothing here is
ever sent).  Checksums are left 0: tubes does not check them, as offloaded
captures have none.  Output is written in batches, so memory stays flat
whatever N is.
"""
import struct
import sys

ETH = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
BATCH = 20000

# Every kind of byte a terminal might act on, and text that reorders what
# follows it: ESC [ 2 J (clear), OSC 52 (write the clipboard), OSC 0 (set
# the title), 0x9b (8-bit CSI), NUL, C1 0x80-0x9f raw and as UTF-8 (U+0085,
# U+009B), bidi controls U+202E, U+2066-U+2069 and U+200F, and invalid
# UTF-8 (a lone continuation byte, an overlong '/', a surrogate, 0xff).
# NUL comes last: C strings end there, and what precedes it must be seen.
HOSTILE = (b"<\x1b[2J\x1b]52;c;cHduZWQ=\x07\x1b]0;title\x1b\\\x9b31m"
           + "\u202e\u2066\u2067\u2068\u2069\u200f\u0085\u009b".encode()
           + bytes(range(0x80, 0xa0))
           + b"\x80\xc0\xaf\xed\xa0\x80\xff\x00>")


def ip4(n):
    return bytes((10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff))


def packet(src, dst, proto, l4):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64,
                     proto, 0, src, dst)
    return ETH + ip + l4


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
                      ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
    return packet(src, dst, 6, hdr + payload)


def udp(src, dst, sport, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    return packet(src, dst, 17, hdr + payload)


class Writer:
    def __init__(self, out):
        self.out = out
        self.buf = []
        self.n = 0
        self.out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0,
                                   262144, 1))

    def add(self, pkt):
        # One packet per millisecond of capture time: flows age as in life.
        ts_ms = self.n
        self.n += 1
        self.buf.append(struct.pack("<IIII", 1700000000 + ts_ms // 1000,
                                    (ts_ms % 1000) * 1000, len(pkt),
                                    len(pkt)))
        self.buf.append(pkt)
        if len(self.buf) >= BATCH:
            self.flush()

    def flush(self):
        self.out.write(b"".join(self.buf))
        self.buf = []


def gen_syn(w, n):
    """Client 10.1.x.y, one SYN per flow to 10.0.0.1:80 (never answered)."""
    rec = struct.Struct("<IIII")
    pkt = struct.Struct("!14sBBHHHBBH4s4sHHIIBBHHH")
    server = ip4(1)
    for i in range(n):
        if w.n % BATCH == 0:
            w.flush()
        ts_ms = w.n
        w.n += 1
        w.buf.append(rec.pack(1700000000 + ts_ms // 1000,
                              (ts_ms % 1000) * 1000, 54, 54))
        w.buf.append(pkt.pack(ETH, 0x45, 0, 40, 1, 0, 64, 6, 0,
                              ip4(0x10000 + i // 50000), server,
                              10000 + i % 50000, 80, i, 0, 5 << 4, 0x02,
                              65535, 0, 0))


def dns_name(label):
    out = b""
    for part in label.split(b"."):
        out += bytes((len(part),)) + part
    return out + b"\0"


def dns_answer(qid, qname, rtype, rdata):
    hdr = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    q = qname + struct.pack("!HH", rtype, 1)
    rr = b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata
    return hdr + q + rr


def gen_dns(w, n):
    """Answers from 10.0.0.53:53 for n0000000.t, n0000001.t, ... (A
    192.0.2.x), no queries seen (no latency); one pack per record."""
    rec = struct.Struct("<IIII")
    # Ethernet, IPv4, UDP, DNS header, question, answer (A).
    pkt = struct.Struct("!14sBBHHHBBH4s4sHHHHHHHHHH12sHH2sHHIHI")
    server, client = ip4(53), ip4(2)
    plen = pkt.size - 14
    for i in range(n):
        if w.n % BATCH == 0:
            w.flush()
        ts_ms = w.n
        w.n += 1
        w.buf.append(rec.pack(1700000000 + ts_ms // 1000,
                              (ts_ms % 1000) * 1000, pkt.size, pkt.size))
        w.buf.append(pkt.pack(ETH, 0x45, 0, plen, 1, 0, 64, 17, 0, server,
                              client, 53, 10000 + i % 50000, plen - 20, 0,
                              i & 0xffff, 0x8180, 1, 1, 0, 0,
                              dns_name(b"n%07d.t" % i), 1, 1, b"\xc0\x0c",
                              1, 1, 60, 4, 0xc0000200 | (i & 0xff)))


def headers(nbytes, first):
    """A header block of about nbytes, first line included."""
    out = first + b"\r\n"
    i = 0
    while len(out) < nbytes - 4:
        line = b"X-Pad-%d: " % i
        room = min(200, nbytes - 4 - len(out) - len(line) - 2)
        if room < 1:
            break
        out += line + b"v" * room + b"\r\n"
        i += 1
    return out + b"\r\n"


def conn(w, cip, sip, cport, sport, req, resp):
    cs, ss = 1000, 5000
    w.add(tcp(cip, sip, cport, sport, cs, 0, 0x02))
    w.add(tcp(sip, cip, sport, cport, ss, cs + 1, 0x12))
    w.add(tcp(cip, sip, cport, sport, cs + 1, ss + 1, 0x10))
    w.add(tcp(cip, sip, cport, sport, cs + 1, ss + 1, 0x18, req))
    w.add(tcp(sip, cip, sport, cport, ss + 1, cs + 1 + len(req), 0x18, resp))
    w.add(tcp(cip, sip, cport, sport, cs + 1 + len(req),
              ss + 1 + len(resp), 0x11))
    w.add(tcp(sip, cip, sport, cport, ss + 1 + len(resp),
              cs + 2 + len(req), 0x11))


def gen_http(w, n, req_bytes, resp_bytes):
    sip = ip4(80)
    req = headers(req_bytes, b"GET /item HTTP/1.1\r\nHost: bulk.test")
    resp = headers(resp_bytes, b"HTTP/1.1 200 OK\r\nContent-Length: 0")
    for i in range(n):
        conn(w, ip4(0x20000 + i // 50000), sip, 10000 + i % 50000, 80,
             req, resp)


def client_hello(sni):
    ext = struct.pack("!H", len(sni) + 3) + b"\0" + \
        struct.pack("!H", len(sni)) + sni
    ext = struct.pack("!HH", 0, len(ext)) + ext
    body = (b"\x03\x03" + b"\x11" * 32 + b"\0" + b"\0\x02\x13\x01" +
            b"\x01\x00" + struct.pack("!H", len(ext)) + ext)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def txt_rdata(s):
    out = b""
    while s:
        out += bytes((min(len(s), 255),)) + s[:255]
        s = s[255:]
    return out


def gen_hostile(w):
    """Each hostile string in every place a pane shows text from a packet."""
    h = HOSTILE
    c, s = ip4(1), ip4(2)
    req = (b"G" + h + b"T /p" + h + b" HTTP/1.1\r\nHost: h" + h +
           b".test\r\nUser-Agent: " + h + b"\r\nX-" + h + b": " + h +
           b"\r\n\r\n")
    resp = (b"HTTP/1.1 200 OK" + h + b"\r\nContent-Type: text/" + h +
            b"\r\nServer: " + h + b"\r\nContent-Length: 0\r\n\r\n")
    conn(w, c, s, 40001, 80, req, resp)
    # A well-formed start line, the payload only in path, Host and value.
    req = (b"GET /" + h + b" HTTP/1.1\r\nHost: " + h + b"\r\nX-A: " + h +
           b"\r\n\r\n")
    resp = b"HTTP/1.1 404 " + h + b"\r\nContent-Length: 0\r\n\r\n"
    conn(w, c, s, 40002, 80, req, resp)
    ch = client_hello(b"sni" + h + b".test")
    w.add(tcp(c, s, 40003, 443, 1, 0, 0x02))
    w.add(tcp(s, c, 443, 40003, 9, 2, 0x12))
    w.add(tcp(c, s, 40003, 443, 2, 10, 0x18, ch))
    # Passive DNS: the payload in a CNAME target, a PTR target, a TXT
    # string and the owner name (labels of raw bytes are legal DNS).
    dsrv = ip4(53)
    lab = h.replace(b".", b"_")[:60] + b">"
    name = bytes((len(lab),)) + lab + dns_name(b"evil.t")
    for qid, rtype, rdata in ((1, 5, name), (2, 12, name),
                              (3, 16, txt_rdata(h))):
        msg = dns_answer(qid, name, rtype, rdata)
        w.add(udp(dsrv, c, 53, 50000 + qid, msg))


def main(argv):
    out = sys.stdout.buffer
    if len(argv) > 2 and argv[1] == "-o":
        out = open(argv[2], "wb")
        argv = argv[:1] + argv[3:]
    if len(argv) < 2:
        sys.exit(__doc__)
    w = Writer(out)
    kind = argv[1]
    try:
        if kind == "syn" and len(argv) == 3:
            gen_syn(w, int(argv[2]))
        elif kind == "dns" and len(argv) == 3:
            gen_dns(w, int(argv[2]))
        elif kind == "http" and len(argv) in (4, 5):
            gen_http(w, int(argv[2]), int(argv[3]), int(argv[-1]))
        elif kind == "hostile" and len(argv) == 2:
            gen_hostile(w)
        else:
            sys.exit(__doc__)
        w.flush()
        out.flush()
    except BrokenPipeError:
        # The reader stopped (tubes failed): its status tells why.
        sys.stderr.close()
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv)
