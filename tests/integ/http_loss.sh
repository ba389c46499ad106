#!/bin/sh
# Packets the capture lost: a keep-alive capture of the corpus
# (02-keepalive-nginx.pcap, 4 exchanges on one connection) is rewritten
# without one packet, and every exchange after the loss must still pair
# with its own response.  A lost response leaves its request unanswered
# (the client's acknowledgements show it was answered in the lost bytes);
# a lost request makes its response an orphan, and the next request,
# which waits behind the hole, is delivered as soon as the server answers
# past it.  Passive DNS: a query whose answer the capture lost
# (real/dns_udp.pcap without its answer) is listed as "no answer".  The
# files are written to a temporary folder, never kept.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

need_python
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
PCAP=${TUBES_CORPUS:-$top_srcdir/../shared/corpus}/http/02-keepalive-nginx.pcap
DNSPCAP=${TUBES_CORPUS:-$top_srcdir/../shared/corpus}/real/dns_udp.pcap
[ -f "$PCAP" ] || skip "no capture corpus file at $PCAP"
[ -f "$DNSPCAP" ] || skip "no capture corpus file at $DNSPCAP"
TMP=$(mktemp -d) || hard_error "mktemp failed"
trap 'rm -rf "$TMP"' EXIT

TUBES=$TUBES PCAP=$PCAP DNSPCAP=$DNSPCAP TMP=$TMP python3 - <<'EOF'
import json, os, struct, subprocess, sys

TUBES, PCAP, TMP = os.environ["TUBES"], os.environ["PCAP"], os.environ["TMP"]


def without(numbers, out, src=PCAP):
    """Copy src without the packets numbered (from 1) in numbers."""
    with open(src, "rb") as f:
        data = f.read()
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") \
        else ">"
    res, off, n = [data[:24]], 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        n += 1
        if n not in numbers:
            res.append(data[off:off + 16 + incl])
        off += 16 + incl
    with open(out, "wb") as f:
        f.write(b"".join(res))


def exchanges(path):
    out = subprocess.run([TUBES, "--dump", "--json", "--panes", "http",
                          "-r", path], capture_output=True, timeout=60)
    if out.returncode != 0:
        sys.exit("tubes failed on %s: %s" % (path, out.stderr.decode()))
    ex = json.loads(out.stdout)["http"]["exchanges"]
    return [(e["method"], e["path"], e["status"]) for e in ex
            if e["server"].endswith(":18080") and
            (e["method"] or "") != "HEAD"]


CASES = [
    # Packet 9 is the response to /small.txt.
    ([9], [("GET", "/index.html", 200), ("GET", "/small.txt", None),
           ("GET", "/missing", 404), ("GET", "/medium.bin", 200)],
     "lost response: its request unanswered, the later ones paired"),
    # Packet 8 is the request for /small.txt.
    ([8], [("GET", "/index.html", 200), (None, None, 200),
           ("GET", "/missing", 404), ("GET", "/medium.bin", 200)],
     "lost request: its response an orphan, the later ones paired"),
    # Both halves of /small.txt.
    ([8, 9], [("GET", "/index.html", 200), ("GET", "/missing", 404),
              ("GET", "/medium.bin", 200)],
     "lost exchange: the others paired"),
    # The response to /small.txt and the request for /missing.
    ([9, 10], [("GET", "/index.html", 200), ("GET", "/small.txt", None),
               (None, None, 404), ("GET", "/medium.bin", 200)],
     "lost response then lost request: the last one paired"),
]
nfail = 0
for i, (drop, want, what) in enumerate(CASES, 1):
    path = os.path.join(TMP, "lossy%d.pcap" % i)
    without(set(drop), path)
    got = exchanges(path)
    ok = sorted(got, key=repr) == sorted(want, key=repr)
    print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
    if not ok:
        print("#   want %r\n#   got  %r" % (want, got))
        nfail += 1
# The DNS answer (packet 2) lost: the query is listed, unanswered.
path = os.path.join(TMP, "dns-noanswer.pcap")
without({2}, path, os.environ["DNSPCAP"])
out = subprocess.run([TUBES, "--dump", "--json", "--panes", "http,dns",
                      "-s", "127.0.0.1:9", "-r", path],
                     capture_output=True, timeout=60)
passive = json.loads(out.stdout)["dns"]["passive"] if out.returncode == 0 \
    else []
got = [(p["name"], p["type"], p["status"], p["latency_ms"]) for p in passive]
ok = got == [("www.tcpdump.org", "A", "no answer", None)]
print("%s %d - passive DNS: a query without its answer listed as no answer"
      % ("ok" if ok else "not ok", len(CASES) + 1))
if not ok:
    print("#   got %r (exit %d)" % (got, out.returncode))
    nfail += 1
print("1..%d" % (len(CASES) + 1))
sys.exit(1 if nfail else 0)
EOF
