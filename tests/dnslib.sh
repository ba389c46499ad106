# DNS helpers for the integration tests and the benchmark (POSIX sh), on
# top of lib.sh:
#
#	. "$top_srcdir/tests/lib.sh"
#	. "$top_srcdir/tests/dnslib.sh"
#
# nsd_start serves tests/dns/lab.test.zone (and the 198.51.100.0/24
# reverse zone) on a free loopback port, 127.0.0.1 and ::1; dnsd_start runs
# tests/dnsd, the fault responder.  Both live in one temporary directory
# (config, pid, log) and are stopped, and the directory removed, on every
# exit path.  Nothing is written outside it; only loopback is used.

: "${DNSD:=$top_builddir/tests/dnsd}"
DNS_SRC=$top_srcdir/tests/dns
DNS_DIR=
_dns_pids=
_dns_failed=0

# Stop our servers (TERM, then KILL after about 2 s), remove the directory,
# then lib.sh's cleanup.
dns_cleanup()
{
	for _p in $_dns_pids; do
		kill "$_p" 2>/dev/null
	done
	for _p in $_dns_pids; do
		_n=20
		while [ "$_n" -gt 0 ] && kill -0 "$_p" 2>/dev/null; do
			sleep 0.1
			_n=$((_n - 1))
		done
		kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	_dns_pids=
	[ -n "$DNS_DIR" ] && rm -rf "$DNS_DIR"
	DNS_DIR=
	tb_cleanup
}
trap 'dns_cleanup' EXIT

DNS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tubes-$TB_NAME.XXXXXX") ||
    hard_error "mktemp -d failed"

dns_has_v6()
{
	ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128'
}

# A port free for UDP and TCP on 127.0.0.1 (and ::1 when present), below
# the ephemeral range so no client socket takes it meanwhile.
dns_free_port()
{
	python3 - <<'EOF'
import random, socket, sys
fams = [(socket.AF_INET, "127.0.0.1")]
try:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::1", 0))
    s.close()
    fams.append((socket.AF_INET6, "::1"))
except OSError:
    pass
for _ in range(100):
    port = random.randrange(20000, 32000)
    socks = []
    try:
        for fam, addr in fams:
            for typ in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(fam, typ)
                socks.append(s)
                s.bind((addr, port))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(port)
    sys.exit(0)
sys.exit(1)
EOF
}

# Wait (bounded, SECS) until the server on 127.0.0.1:PORT answers SOA for
# lab.test.
dns_wait_soa()
{
	_port=$1 _secs=${2:-10}
	_end=$(($(date +%s) + _secs))
	while [ "$(date +%s)" -lt "$_end" ]; do
		dig +short +tries=1 +time=1 @127.0.0.1 -p "$_port" \
		    lab.test SOA 2>/dev/null | grep -q hostmaster && return 0
		sleep 0.1
	done
	return 1
}

need_nsd()
{
	command -v nsd >/dev/null 2>&1 ||
	    skip "needs nsd (apt-get install nsd) for the DNS fixture"
	need_tool dig
	need_python
}

# nsd_start [SERVER_COUNT]: start nsd; sets NSD_PORT and NSD_PID.
nsd_start()
{
	_count=${1:-1}
	_v6=no
	dns_has_v6 && _v6=yes
	for _try in 1 2 3; do
		NSD_PORT=$(dns_free_port) || hard_error "no free port"
		sed -e "s|@DIR@|$DNS_DIR|g" -e "s|@PORT@|$NSD_PORT|g" \
		    -e "s|@SRC@|$DNS_SRC|g" -e "s|@DOIP6@|$_v6|" \
		    -e "s|@SERVERS@|$_count|" -e "s|@REUSEPORT@|yes|" \
		    "$DNS_SRC/nsd.conf.in" >"$DNS_DIR/nsd.conf" ||
		    hard_error "cannot write $DNS_DIR/nsd.conf"
		[ "$_v6" = yes ] || sed -i '/::1@/d' "$DNS_DIR/nsd.conf"
		nsd -d -c "$DNS_DIR/nsd.conf" >"$DNS_DIR/nsd.out" 2>&1 &
		NSD_PID=$!
		_dns_pids="$_dns_pids $NSD_PID"
		if dns_wait_soa "$NSD_PORT" 10; then
			tb_log "nsd (pid $NSD_PID) on 127.0.0.1:$NSD_PORT" \
			    "and ::1 ($_v6)"
			return 0
		fi
		tb_log "nsd did not answer on port $NSD_PORT:" \
		    "$(cat "$DNS_DIR/nsd.out" "$DNS_DIR/nsd.log" 2>/dev/null |
		    tail -5)"
		kill "$NSD_PID" 2>/dev/null
		sleep 0.2
		kill -9 "$NSD_PID" 2>/dev/null
		wait "$NSD_PID" 2>/dev/null
	done
	hard_error "nsd would not start"
}

# dnsd_start [ADDR]: start tests/dnsd; sets DNSD_PORT.
dnsd_start()
{
	[ -x "$DNSD" ] || hard_error "no dnsd at $DNSD (make tests/dnsd)"
	_out=$DNS_DIR/dnsd.$$.$(date +%N).out
	"$DNSD" --addr "${1:-127.0.0.1}" --max-seconds 120 >"$_out" \
	    2>>"$DNS_DIR/dnsd.err" &
	_dns_pids="$_dns_pids $!"
	wait_for_line "$_out" '^[0-9]+$' 10 ||
	    hard_error "dnsd did not start: $(cat "$DNS_DIR/dnsd.err")"
	DNSD_PORT=$(head -n 1 "$_out")
	tb_log "dnsd on ${1:-127.0.0.1} port $DNSD_PORT"
}

# dns_tubes OUT ARGS...: tubes --dump --json --panes dns ARGS, bounded by
# 60 s; stdout to OUT, stderr to OUT.err, exit status in TUBES_RC.
dns_tubes()
{
	_o=$1
	shift
	tb_log "run: tubes --dump --json --panes dns $*"
	timeout -s KILL 60 "$TUBES" --dump --json --panes dns "$@" \
	    >"$_o" 2>"$_o.err"
	TUBES_RC=$?
	[ -s "$_o.err" ] && tb_log "stderr: $(head -c 2000 "$_o.err")"
	# Under ASan/UBSan a report exits 1, which some cases accept.
	tb_sanitizer_report "$_o.err" && _dns_failed=$((_dns_failed + 1))
	return 0
}

# dns_check NAME FILE: run the Python checks read from stdin over the JSON
# in FILE (see the helpers below); adds the failures to the count that
# dns_done reports.
dns_check()
{
	_what=$1 _file=$2
	_body=$DNS_DIR/check.$$.py
	cat >"$_body"
	TB_NAME=$TB_NAME python3 - "$_file" "$_body" "$_what" <<'EOF'
import json, os, sys

path, body, what = sys.argv[1:4]
name = os.environ.get("TB_NAME", "dns")
failed = 0

def log(msg):
    sys.stderr.write("%s: [%s] %s\n" % (name, what, msg))

def check(desc, cond, got=None):
    global failed
    if cond:
        log("ok: %s" % desc)
    else:
        failed += 1
        log("MISMATCH: %s (got %r)" % (desc, got))
    return cond

raw = open(path, "rb").read()

try:
    text = raw.decode("utf-8")
    is_utf8 = True
except UnicodeDecodeError as e:
    text = raw.decode("utf-8", "replace")
    is_utf8 = False
try:
    d = json.loads(text)
except ValueError as e:
    d = None
    log("stdout is not JSON: %s; first bytes %r" % (e, raw[:300]))

def norm(n):
    return (n or "").rstrip(".").lower()

def dns():
    return (d or {}).get("dns") or {}

def lookups():
    return dns().get("lookups") or []

def rows(qname=None, qtype=None, server=None):
    out = []
    for r in lookups():
        if qname is not None and norm(r.get("name")) != norm(qname):
            continue
        if qtype is not None and r.get("type") != qtype:
            continue
        if server is not None and r.get("server") != server:
            continue
        out.append(r)
    return out

def row(qname, qtype=None, server=None):
    rs = rows(qname, qtype, server)
    if not rs:
        log("no row for %s %s %s; rows: %s" % (qname, qtype, server,
            [(r.get("name"), r.get("type"), r.get("server"))
             for r in lookups()]))
        return {}
    return rs[0]

def answers(r, atype=None):
    return [a for a in (r.get("answers") or [])
            if atype is None or a.get("type") == atype]

def datas(r, atype=None):
    return [a.get("data") for a in answers(r, atype)]

def ttls(r, atype=None):
    return [a.get("ttl") for a in answers(r, atype)]

def no_controls(s):
    """Decoded text holds no control character (C0, DEL, C1)."""
    return not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in s)

def all_strings(o):
    if isinstance(o, str):
        yield o
    elif isinstance(o, dict):
        for k, v in o.items():
            yield k
            yield from all_strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from all_strings(v)

if d is None:
    failed += 1
elif not isinstance(d, dict) or not isinstance(d.get("dns"), dict):
    failed += 1
    log("MISMATCH: no \"dns\" object in the dump (keys: %s)" %
        (sorted(d) if isinstance(d, dict) else type(d)))
else:
    exec(compile(open(body).read(), body, "exec"))
sys.exit(1 if failed else 0)
EOF
	_rc=$?
	rm -f "$_body"
	if [ "$_rc" -ne 0 ]; then
		_dns_failed=$((_dns_failed + 1))
		tb_log "[$_what] tubes exit $TUBES_RC; output:"
		head -c 6000 "$_file" >&2
		echo >&2
	fi
	return 0
}

# dns_expect_rc WHAT OK-LIST: TUBES_RC must be one of the listed codes.
dns_expect_rc()
{
	for _c in $2; do
		if [ "$TUBES_RC" = "$_c" ]; then
			tb_log "[$1] ok: exit $TUBES_RC"
			return 0
		fi
	done
	tb_log "[$1] MISMATCH: exit $TUBES_RC, want one of: $2"
	_dns_failed=$((_dns_failed + 1))
}

# dns_raw_clean WHAT FILE: no raw control byte anywhere in FILE (stdout).
dns_raw_clean()
{
	if python3 - "$2" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
bad = [i for i, c in enumerate(b) if (c < 0x20 and c != 0x0a) or c == 0x7f
       or (0x80 <= c <= 0x9f and i > 0 and b[i - 1] == 0xc2)]
try:
    b.decode("utf-8")
except UnicodeDecodeError as e:
    print("invalid UTF-8: %s" % e)
    sys.exit(1)
if bad:
    print("raw control bytes at %s: %r" % (bad[:10],
          b[max(0, bad[0] - 40):bad[0] + 40]))
    sys.exit(1)
EOF
	then
		tb_log "[$1] ok: no raw control byte, valid UTF-8"
	else
		tb_log "[$1] MISMATCH: raw control bytes in the output"
		_dns_failed=$((_dns_failed + 1))
	fi
}

dns_done()
{
	if [ "$_dns_failed" -ne 0 ]; then
		fail "$_dns_failed group(s) of checks failed"
	fi
	tb_log "PASS"
	exit 0
}
