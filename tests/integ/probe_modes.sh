#!/bin/sh
# Probe sockets in every mode over a chain of namespaces:
#
#   client --- r1 --- r2 --- server        10.81.N.0/24, fd81:N::/64
#
# probe_tool sends TTL 1..5 at once from the client; r1 and r2 must answer
# time exceeded at TTL 1 and 2, the server must answer at TTL 3 (echo
# reply, port unreachable, SYN-ACK or RST).  As root the probes are raw;
# as nobody (setpriv) they go through ping sockets when the namespace's
# net.ipv4.ping_group_range admits nogroup, and through UDP with
# IP_RECVERR when it admits nobody; TCP through connect().  A capture
# checks that the fields load balancers hash stay the same for one flow
# across TTLs and differ between flows.  Last, path MTU errors.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

PROBE_TOOL=$top_builddir/tests/probe_tool
TCP_OPEN=8080
TCP_CLOSED=8081
PFX=tubes-test-probe-$$

need_root
need_tool ip
need_tool setpriv
need_python
[ -x "$PROBE_TOOL" ] || hard_error "no probe_tool at $PROBE_TOOL"

getent passwd nobody >/dev/null || skip "no user nobody"
getent group nogroup >/dev/null || skip "no group nogroup"
NOGROUP_GID=$(getent group nogroup | cut -d: -f3)

# nobody must be able to run the tool wherever the build tree lives.
tool=$(tb_tmpfile)
cp "$PROBE_TOOL" "$tool" && chmod 755 "$tool" ||
    hard_error "cannot copy probe_tool"

# --- the chain --------------------------------------------------------

ns_add()
{
	ip netns add "$PFX-$1" || skip "cannot create network namespace"
	_tb_netns="$_tb_netns $PFX-$1"
	ip netns exec "$PFX-$1" ip link set lo up
	# Every run asks for a few errors at once: no ICMP rate limiting.
	ip netns exec "$PFX-$1" sysctl -qw net.ipv4.icmp_ratelimit=0 \
	    net.ipv6.icmp.ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000 \
	    net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 ||
	    hard_error "sysctls in $PFX-$1"
}

in_ns()
{
	_n=$1
	shift
	ip netns exec "$PFX-$_n" "$@"
}

# link A B NET: veth between A (.1 / ::1) and B (.2 / ::2) on subnet NET.
link()
{
	ip link add "pr$$a$3" netns "$PFX-$1" type veth \
	    peer name "pr$$b$3" netns "$PFX-$2" ||
	    hard_error "veth $1-$2"
	in_ns "$1" ip addr add "10.81.$3.1/24" dev "pr$$a$3"
	in_ns "$1" ip addr add "fd81:$3::1/64" dev "pr$$a$3" nodad
	in_ns "$1" ip link set "pr$$a$3" up
	in_ns "$2" ip addr add "10.81.$3.2/24" dev "pr$$b$3"
	in_ns "$2" ip addr add "fd81:$3::2/64" dev "pr$$b$3" nodad
	in_ns "$2" ip link set "pr$$b$3" up
}

route()
{
	_n=$1
	in_ns "$_n" ip route add "$2" via "$3" || hard_error "route $*"
	in_ns "$_n" ip -6 route add "$4" via "$5" || hard_error "route6 $*"
}

for n in client r1 r2 server; do
	ns_add "$n"
done
# client .2 on net 1 (r1 .1); r1 .1 on net 2 (r2 .2); r2 .1 on net 3.
link r1 client 1
link r1 r2 2
link r2 server 3
for n in r1 r2; do
	in_ns "$n" sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 || hard_error "forwarding $n"
done
route client default 10.81.1.1 default fd81:1::1
route r1 10.81.3.0/24 10.81.2.2 fd81:3::/64 fd81:2::2
route r2 10.81.1.0/24 10.81.2.1 fd81:1::/64 fd81:2::1
route server default 10.81.3.1 default fd81:3::1

# A TCP listener on the server for SYN-ACKs.  Bounded by 600 s, not by
# the test's usual length: on a busy machine the TCP checks come later than
# a minute, and a listener gone by then answers RST instead of SYN-ACK.
NS=$PFX-server
ns_bg timeout 600 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(64)
print("listening", flush=True)
time.sleep(600)
' "$TCP_OPEN" >"$(tb_tmpfile)"
n=0
until in_ns server ss -Hltn "sport = :$TCP_OPEN" | grep -q .; do
	n=$((n + 1))
	[ "$n" -lt 50 ] || hard_error "tcp listener did not start"
	sleep 0.1
done

# Reachability, once, so a broken chain is a hard error, not 30 FAILs.
in_ns client ping -c 1 -W 2 10.81.3.2 >/dev/null 2>&1 ||
    in_ns client "$tool" --max-ttl 3 10.81.3.2 | grep -q 'echo-reply' ||
    hard_error "chain does not reach the server"

# --- checks -----------------------------------------------------------

out=$(tb_tmpfile)

# run WHO ARGS...: probe_tool in the client as root or nobody.
run()
{
	_who=$1
	shift
	if [ "$_who" = root ]; then
		in_ns client timeout 10 "$tool" --max-ttl 5 "$@" >"$out" 2>&1
	else
		in_ns client setpriv --reuid=nobody --regid=nogroup \
		    --clear-groups --inh-caps=-all timeout 10 "$tool" \
		    --max-ttl 5 "$@" >"$out" 2>&1
	fi
	_rc=$?
	[ "$_rc" -eq 0 ] || tb_log "probe_tool $* exited $_rc"
}

# reply_at TTL: "KIND FROM" of the first reply for that TTL.
reply_at()
{
	awk -v t="$1" '$1 == "reply" && $3 == t { print $4, $5; exit }' "$out"
}

# expect WHAT MODE PROTO HOP1 HOP2 TARGET TARGET_KIND [REASON]
expect()
{
	_what=$1
	_failed_before=$_tb_failed
	check_eq "$_what: mode" \
	    "$(awk '$1 == "mode" { print $2, $4 }' "$out")" \
	    "$2 $3"
	check_eq "$_what: ttl 1" "$(reply_at 1)" "time-exceeded $4"
	check_eq "$_what: ttl 2" "$(reply_at 2)" "time-exceeded $5"
	check_eq "$_what: ttl 3" "$(reply_at 3)" "$7 $6"
	if [ -n "${8:-}" ]; then
		check_eq "$_what: ttl 3 reason" "$(awk '$1 == "reply" &&
		    $3 == 3 { print $7; exit }' "$out")" "$8"
	fi
	if [ "$_tb_failed" -ne "$_failed_before" ]; then
		tb_log "output of $_what:"
		cat "$out" >&2
	fi
}

# --- flow stability (Paris), from a capture on the client's link ------

pcap=$(tb_tmpfile)
dumplog=$(tb_tmpfile)
has_tcpdump=0
command -v tcpdump >/dev/null 2>&1 && has_tcpdump=1
[ "$has_tcpdump" -eq 1 ] || tb_log "no tcpdump: flow stability not checked"

# flows_ok PCAP FAMILY UDPSEQ: every probe of one flow has the same
# hashed fields (addresses, protocol, ports or ICMP type/code/checksum/id,
# IPv6 flow label) whatever its TTL; flows 0 and 1 differ.  UDPSEQ says
# where a UDP probe keeps its seq: "cksum" (raw) or "payload" (recverr).
flows_ok()
{
	python3 - "$@" <<'EOF'
import ipaddress, struct, sys

path, family, udpseq = sys.argv[1:4]
client = {"4": "10.81.1.2", "6": "fd81:1::2"}[family]
client = ipaddress.ip_address(client).packed
keys, ttls = {}, {}
with open(path, "rb") as f:
    data = f.read()
if len(data) < 24:
    print("empty capture")
    sys.exit(0)
endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
off = 24
while off + 16 <= len(data):
    incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(pkt) < 14:
        continue
    et = struct.unpack(">H", pkt[12:14])[0]
    ip = pkt[14:]
    if et == 0x0800 and family == "4" and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        proto, src, dst, ttl, label = ip[9], ip[12:16], ip[16:20], ip[8], 0
        l4 = ip[ihl:]
    elif et == 0x86DD and family == "6" and len(ip) >= 40:
        label = struct.unpack(">I", ip[0:4])[0] & 0xFFFFF
        proto, src, dst, ttl = ip[6], ip[8:24], ip[24:40], ip[7]
        l4 = ip[40:]
    else:
        continue
    if src != client or len(l4) < 10:
        continue
    if proto in (1, 58):
        if l4[0] not in (8, 128):
            continue
        l4key = l4[0:6]         # type, code, checksum, id
        seq = struct.unpack(">H", l4[6:8])[0]
    elif proto == 17:
        l4key = l4[0:4]         # ports
        if udpseq == "cksum":
            seq = (struct.unpack(">H", l4[6:8])[0] - 1) & 0xFFFF
        else:
            seq = ~struct.unpack(">H", l4[8:10])[0] & 0xFFFF
    elif proto == 6 and len(l4) >= 20:
        if l4[13] != 0x02:
            continue
        l4key = l4[0:4]
        seq = struct.unpack(">I", l4[4:8])[0] & 0xFFFF
    else:
        continue
    flow = (seq - 1000) // 100
    keys.setdefault(flow, set()).add((src, dst, proto, label, bytes(l4key)))
    ttls.setdefault(flow, set()).add(ttl)
bad = []
for fl in (0, 1):
    if len(ttls.get(fl, ())) < 3:
        bad.append("flow %d: probes at %d TTLs" % (fl, len(ttls.get(fl, ()))))
    if len(keys.get(fl, ())) != 1:
        bad.append("flow %d: %d different hashed tuples" %
                   (fl, len(keys.get(fl, ()))))
if not bad and keys[0] == keys[1]:
    bad.append("flows 0 and 1 have the same hashed tuple")
print("; ".join(bad) if bad else "stable")
EOF
}

# flow_check WHAT WHO UDPSEQ FAMILY ARGS...: probe flows 0 and 1, capture.
flow_check()
{
	[ "$has_tcpdump" -eq 1 ] || return 0
	_fwhat=$1 _fwho=$2 _udpseq=$3 _fam=$4
	shift 4
	: >"$dumplog"
	NS=$PFX-client
	# -Z root: tcpdump would drop to its own user, who cannot write
	# our temporary file.
	ns_bg tcpdump -Z root --immediate-mode -U -n -i "pr$$b1" \
	    -w "$pcap" ip or ip6 2>"$dumplog"
	_dump=$BG_PID
	wait_for_line "$dumplog" 'listening on' 10 ||
	    hard_error "tcpdump did not start: $(cat "$dumplog")"
	run "$_fwho" --flows 2 "$@"
	sleep 0.2
	kill -INT "$_dump" 2>/dev/null
	wait "$_dump" 2>/dev/null
	_res=$(flows_ok "$pcap" "$_fam" "$_udpseq")
	check_eq "$_fwhat: flows" "$_res" stable
	[ "$_res" = stable ] || cat "$dumplog" "$out" >&2
}

V4="10.81.1.1 10.81.2.2 10.81.3.2"
V6="fd81:1::1 fd81:2::2 fd81:3::2"

# Raw mode (root).
run root -P icmp 10.81.3.2
expect "raw icmp v4" raw icmp $V4 echo-reply
run root -P icmp --flow 5 10.81.3.2
expect "raw icmp v4 flow 5" raw icmp $V4 echo-reply
run root -P udp 10.81.3.2
expect "raw udp v4" raw udp $V4 unreach port
run root -P udp --flow 7 10.81.3.2
expect "raw udp v4 flow 7" raw udp $V4 unreach port
run root -P tcp -p "$TCP_OPEN" 10.81.3.2
expect "raw tcp v4 open" raw tcp $V4 syn-ack
run root -P tcp -p "$TCP_CLOSED" 10.81.3.2
expect "raw tcp v4 closed" raw tcp $V4 rst
run root -6 -P icmp fd81:3::2
expect "raw icmp v6" raw icmp $V6 echo-reply
run root -6 -P icmp --flow 3 fd81:3::2
expect "raw icmp v6 flow 3" raw icmp $V6 echo-reply
run root -6 -P udp fd81:3::2
expect "raw udp v6" raw udp $V6 unreach port
run root -6 -P tcp -p "$TCP_OPEN" fd81:3::2
expect "raw tcp v6 open" raw tcp $V6 syn-ack
run root -6 -P tcp -p "$TCP_CLOSED" fd81:3::2
expect "raw tcp v6 closed" raw tcp $V6 rst
# Two raw tracers at once see every ICMP message: each keeps its own
# replies (5: two hops, three echo replies) and skips the other's (the
# first one lingers, reading for 2 s, while the second runs).
out2=$(tb_tmpfile)
out3=$(tb_tmpfile)
in_ns client timeout 10 "$tool" --linger --max-ttl 5 -P icmp 10.81.3.2 \
    >"$out2" &
_p2=$!
wait_for_line "$out2" '^reply 1005 ' 5 || tb_log "first tracer: no reply"
in_ns client timeout 10 "$tool" --max-ttl 5 -P icmp 10.81.3.2 >"$out3"
wait "$_p2"
check_eq "two tracers: replies of the first" "$(grep -c '^reply' "$out2")" 5
check_eq "two tracers: replies of the second" "$(grep -c '^reply' "$out3")" 5
check_eq "two tracers: foreign replies skipped" \
    "$(cat "$out2" "$out3" | awk '$1 == "skipped" { n += $2 } END {
    print (n > 0) }')" 1

flow_check "raw icmp v4" root - 4 -P icmp 10.81.3.2
flow_check "raw udp v4" root cksum 4 -P udp 10.81.3.2
flow_check "raw tcp v4" root - 4 -P tcp -p "$TCP_OPEN" 10.81.3.2
flow_check "raw icmp v6" root - 6 -6 -P icmp fd81:3::2
flow_check "raw udp v6" root cksum 6 -6 -P udp fd81:3::2
flow_check "raw tcp v6" root - 6 -6 -P tcp -p "$TCP_CLOSED" fd81:3::2

# Ping sockets: nogroup may open them in this namespace.
in_ns client sysctl -qw \
    net.ipv4.ping_group_range="$NOGROUP_GID $NOGROUP_GID" ||
    hard_error "ping_group_range"
run nobody -P icmp 10.81.3.2
expect "dgram icmp v4" icmp-dgram icmp $V4 echo-reply
run nobody -6 -P icmp fd81:3::2
expect "dgram icmp v6" icmp-dgram icmp $V6 echo-reply
run nobody -P udp 10.81.3.2
expect "recverr udp v4" udp-recverr udp $V4 unreach port
run nobody -6 -P udp --flow 2 fd81:3::2
expect "recverr udp v6 flow 2" udp-recverr udp $V6 unreach port
flow_check "dgram icmp v4" nobody - 4 -P icmp 10.81.3.2
flow_check "dgram icmp v6" nobody - 6 -6 -P icmp fd81:3::2
flow_check "recverr udp v4" nobody payload 4 -P udp 10.81.3.2
flow_check "recverr udp v6" nobody payload 6 -6 -P udp fd81:3::2
run nobody -P tcp -p "$TCP_OPEN" 10.81.3.2
expect "connect tcp v4 open" tcp-connect tcp $V4 syn-ack
check_eq "connect tcp v4: note" \
    "$(grep -c '^note no CAP_NET_RAW: TCP probes by connect()' "$out")" 1
run nobody -P tcp -p "$TCP_CLOSED" 10.81.3.2
expect "connect tcp v4 closed" tcp-connect tcp $V4 rst
run nobody -6 -P tcp -p "$TCP_OPEN" fd81:3::2
expect "connect tcp v6 open" tcp-connect tcp $V6 syn-ack
run nobody -6 -P tcp -p "$TCP_CLOSED" fd81:3::2
expect "connect tcp v6 closed" tcp-connect tcp $V6 rst

# No ping sockets for anyone: ICMP falls back to UDP and says so.
in_ns client sysctl -qw net.ipv4.ping_group_range="1 0" ||
    hard_error "ping_group_range"
run nobody -P icmp 10.81.3.2
expect "icmp fallback v4" udp-recverr udp $V4 unreach port
check_eq "icmp fallback v4: note" \
    "$(grep -c '^note .*ping sockets not allowed.*UDP' "$out")" 1
run nobody -6 -P icmp fd81:3::2
expect "icmp fallback v6" udp-recverr udp $V6 unreach port

# Loopback: the target answers at TTL 1, in every mode.
# lo_check WHAT WHO KIND ADDR ARGS...
lo_check()
{
	_lwhat=$1 _lwho=$2 _lkind=$3 _laddr=$4
	shift 4
	run "$_lwho" --max-ttl 2 "$@" "$_laddr"
	check_eq "loopback $_lwhat" "$(reply_at 1)" "$_lkind $_laddr"
}
lo_check "raw icmp v4" root echo-reply 127.0.0.1 -P icmp
lo_check "raw udp v6" root unreach ::1 -6 -P udp
lo_check "raw tcp v4" root rst 127.0.0.1 -P tcp -p "$TCP_CLOSED"
lo_check "recverr udp v4" nobody unreach 127.0.0.1 -P udp
lo_check "connect tcp v6" nobody rst ::1 -6 -P tcp -p "$TCP_CLOSED"
in_ns client sysctl -qw \
    net.ipv4.ping_group_range="$NOGROUP_GID $NOGROUP_GID" ||
    hard_error "ping_group_range"
lo_check "dgram icmp v6" nobody echo-reply ::1 -6 -P icmp

# Path MTU: a 1400-byte probe meets r2's 1300-byte link to the server
# (at TTL 3: with TTL 2 r2 says time exceeded first).
in_ns r2 ip link set "pr$$a3" mtu 1300 &&
    in_ns server ip link set "pr$$b3" mtu 1300 ||
    hard_error "mtu"
for who in root nobody; do
	run "$who" -P udp --size 1400 10.81.3.2
	check_eq "$who udp v4 frag needed" "$(awk '$1 == "reply" && $3 == 3 {
	    print $4, $5, $7, $8; exit }' "$out")" \
	    "unreach 10.81.2.2 frag-needed 1300"
	run "$who" -6 -P udp --size 1400 fd81:3::2
	check_eq "$who udp v6 too big" "$(awk '$1 == "reply" && $3 == 3 {
	    print $4, $5, $8; exit }' "$out")" "too-big fd81:2::2 1300"
done

check_done
