# A chain of network namespaces for the trace tests and benchmark (POSIX
# sh), on top of lib.sh:
#
#	. "$top_srcdir/tests/lib.sh"
#	. "$top_srcdir/tests/netchain.sh"
#	chain_build 15 [--silent K] [--ecmp K] [--ratelimit K]
#
# builds  client - r1 - ... - rN - server  as namespaces named
# tubes-test-NAME-PID-c, -r1 ... -rN, -s (an ECMP hop K is the pair -rKa,
# -rKb), joined by veth pairs, dual stack, with forwarding on the routers
# and static routes both ways.  Link L joins position L (0: the client) to
# position L + 1 (N + 1: the server) on 10.200.L.0/24 and fd00:200:L::/64,
# the side nearer the client being .1 / ::1; the second branch of an ECMP
# hop uses link L + 100.  Every address is private and lives only inside
# these namespaces; the client has routes to 10.200.0.0/16 pieces only, so
# any other address is unroutable there.  The namespaces are registered
# with lib.sh, whose exit trap deletes them (and kills what runs in them).
#
# After chain_build:
#	CHAIN_CLIENT_NS, CHAIN_SERVER_NS	namespace names
#	CHAIN_CLIENT4/6, CHAIN_SERVER4/6	their addresses
#	CHAIN_HOP4_T, CHAIN_HOP6_T	the address the router at TTL T answers
#		from (the interface the probe came in by, facing the
#		client); T = N + 1 is the server.  At an ECMP hop K, and at
#		K + 1 (whose two interfaces face the two branches), both
#		branches' addresses, space separated, also as
#		CHAIN_HOP4_T_A / _B (and 6).
#	CHAIN_N, CHAIN_SILENT, CHAIN_ECMP, CHAIN_RATELIMIT (0: none)
#	CHAIN_NOROUTE4/6	addresses the client has no route to
#	CHAIN_HAS_V6		yes or no
#	NS			the client (so lib.sh's nsx runs there)
# Exported, so Python checks can read them from os.environ.
#
# Then: chain_x NODE CMD... runs a command in a node (c, rK, rKa, s);
# chain_set_silent K and chain_set_ratelimit K change a router later;
# chain_hops 4|6 lists the expected path.  For the tests, trace_tubes,
# trace_check, trace_expect_rc, trace_usage_error and trace_done (below)
# run tubes in the client and check its JSON; files go to TRACE_DIR.
#
# Neighbour entries are static (fixed MAC addresses): no ARP or neighbour
# discovery delays the first probes, and no first trace differs.
#
# Routers answer from the interface a probe came in by, in IPv4 too
# (icmp_errors_use_inbound_ifaddr; IPv6 does so by itself), as routers do.
# The ECMP routes hash on L4 (fib_multipath_hash_policy 1): UDP and TCP
# flows with other ports take other branches, while every ICMP echo
# between two addresses takes one branch (Linux hashes no ICMP field).
#
# Every node gets icmp_ratelimit 0 and a high icmp_msgs_per_sec, so no
# router limits its ICMP errors except the --ratelimit one: Linux's
# defaults (6 errors then 1 a second per destination) would make every
# hop look rate limited after a few fast cycles.

CHAIN_PFX=tubes-test-$TB_NAME-$$
CHAIN_N=0
CHAIN_SILENT=0
CHAIN_ECMP=0
CHAIN_RATELIMIT=0
CHAIN_HASH_SEED=${CHAIN_HASH_SEED:-1}
CHAIN_NOROUTE4=10.200.250.1
CHAIN_NOROUTE6=fd00:200:250::1	# links use 0 to 60 and 100 to 160
CHAIN_HAS_V6=no
export CHAIN_N CHAIN_SILENT CHAIN_ECMP CHAIN_RATELIMIT CHAIN_NOROUTE4 \
    CHAIN_NOROUTE6 CHAIN_HAS_V6

# The namespace of a node: c, s, rK, rKa, rKb.
chain_ns()
{
	echo "$CHAIN_PFX-$1"
}

# chain_x NODE CMD...: run a command in a node's namespace.
chain_x()
{
	_cx_node=$1
	shift
	ip netns exec "$CHAIN_PFX-$_cx_node" "$@"
}

# The nodes at position P (0: client, N + 1: server).
_chain_nodes_at()
{
	if [ "$1" -eq 0 ]; then
		echo c
	elif [ "$1" -gt "$CHAIN_N" ]; then
		echo s
	elif [ "$1" -eq "$CHAIN_ECMP" ]; then
		echo "r$1a r$1b"
	else
		echo "r$1"
	fi
}

# _chain_need_router K: K is a router's TTL (1 to N).
_chain_need_router()
{
	case $1 in
	''|*[!0-9]*) hard_error "chain: not a TTL: $1" ;;
	esac
	[ "$1" -ge 1 ] && [ "$1" -le "$CHAIN_N" ] ||
	    hard_error "chain: no router at TTL $1 (1 to $CHAIN_N)"
}

# _chain_a6 L X: address X of link L's IPv6 prefix, as inet_ntop writes
# it (fd00:200:0::1 is fd00:200::1).
_chain_a6()
{
	if [ "$1" -eq 0 ]; then
		echo "fd00:200::$2"
	else
		echo "fd00:200:$1::$2"
	fi
}

# _chain_add NODE TEXT: append one ip -batch line to NODE's commands.
_chain_add()
{
	eval "_chain_cmd_$1=\"\${_chain_cmd_$1}\$2
\""
}

# _chain_link P L LEFT IFL RIGHT IFR: link L between positions P, P + 1.
_chain_link()
{
	_m=02:00:0a:c8:$(printf %02x "$2")
	_chain_root="${_chain_root}link add name $4 address $_m:01 netns $CHAIN_PFX-$3 type veth peer name $6 address $_m:02 netns $CHAIN_PFX-$5
"
	# Static neighbours: no ARP or neighbour discovery on the way (the
	# first IPv6 solicitation on a new veth is often lost, a second's
	# delay in the first trace).
	_chain_add "$3" "neigh replace 10.200.$2.2 lladdr $_m:02 dev $4 nud permanent"
	_chain_add "$5" "neigh replace 10.200.$2.1 lladdr $_m:01 dev $6 nud permanent"
	_chain_add "$3" "neigh replace fd00:200:$2::2 lladdr $_m:02 dev $4 nud permanent"
	_chain_add "$5" "neigh replace fd00:200:$2::1 lladdr $_m:01 dev $6 nud permanent"
	_chain_add "$3" "addr add 10.200.$2.1/24 dev $4"
	_chain_add "$5" "addr add 10.200.$2.2/24 dev $6"
	_chain_add "$3" "addr add fd00:200:$2::1/64 dev $4 nodad"
	_chain_add "$5" "addr add fd00:200:$2::2/64 dev $6 nodad"
	_chain_add "$3" "link set dev $4 up"
	_chain_add "$5" "link set dev $6 up"
	# Right gateways of LEFT, left gateway of RIGHT (the first, "a").
	eval "_chain_rgw_$3=\"\${_chain_rgw_$3} $2:$4\""
	eval "[ -n \"\${_chain_lgw_$5}\" ] || _chain_lgw_$5=$2:$6"
	eval "_chain_links_$3=\"\${_chain_links_$3} $2\""
	eval "_chain_links_$5=\"\${_chain_links_$5} $2\""
	_chain_all_links="$_chain_all_links $2"
}

# _chain_routes NODE P: a route to every link NODE is not on, through its
# left neighbour for links nearer the client, else through its right
# neighbour(s): both branches (multipath) in front of an ECMP hop.
_chain_routes()
{
	eval "_mine=\" \${_chain_links_$1} \" _lgw=\${_chain_lgw_$1:-}" \
	    "_rgw=\${_chain_rgw_$1:-}"
	for _l in $_chain_all_links; do
		case $_mine in *" $_l "*) continue ;; esac
		_q=$((_l % 100))
		if [ "$_q" -lt "$2" ]; then
			_gl=${_lgw%%:*} _gi=${_lgw#*:}
			_chain_add "$1" "route add 10.200.$_l.0/24 via 10.200.$_gl.1 dev $_gi"
			_chain_add "$1" "route add fd00:200:$_l::/64 via fd00:200:$_gl::1 dev $_gi"
			continue
		fi
		_r4= _r6= _nh=0
		for _g in $_rgw; do
			_gl=${_g%%:*} _gi=${_g#*:}
			_r4="$_r4 nexthop via 10.200.$_gl.2 dev $_gi"
			_r6="$_r6 nexthop via fd00:200:$_gl::2 dev $_gi"
			_nh=$((_nh + 1))
		done
		if [ "$_nh" -eq 1 ]; then
			_r4=${_r4# nexthop} _r6=${_r6# nexthop}
		fi
		_chain_add "$1" "route add 10.200.$_l.0/24$_r4"
		_chain_add "$1" "route add fd00:200:$_l::/64$_r6"
	done
}

# chain_set_silent K: router(s) at TTL K drop the time-exceeded errors
# they send (nftables, iptables when nft is missing): a silent hop.
chain_set_silent()
{
	_chain_need_router "$1"
	for _sn in $(_chain_nodes_at "$1"); do
		if command -v nft >/dev/null 2>&1; then
			chain_x "$_sn" nft -f - <<'EOF' && continue
table inet tubes_chain {
	chain out {
		type filter hook output priority filter; policy accept;
		icmp type time-exceeded drop
		icmpv6 type time-exceeded drop
	}
}
EOF
		fi
		command -v iptables >/dev/null 2>&1 ||
		    skip "needs nft or iptables for a silent hop"
		chain_x "$_sn" iptables -A OUTPUT -p icmp \
		    --icmp-type time-exceeded -j DROP &&
		chain_x "$_sn" ip6tables -A OUTPUT -p icmpv6 \
		    --icmpv6-type time-exceeded -j DROP ||
		    hard_error "chain: cannot silence $_sn"
	done
	CHAIN_SILENT=$1
}

# chain_set_ratelimit K: router(s) at TTL K rate-limit their ICMP errors
# (both families) to a few a second, in bursts of 2, with Linux's default
# per-destination limit (6, then one a second) on top, so they lose probes
# that later hops answer.  The burst refills within half a second: a run
# started 0.5 s after the last one gets its first probe answered.
chain_set_ratelimit()
{
	_chain_need_router "$1"
	for _sn in $(_chain_nodes_at "$1"); do
		chain_x "$_sn" sysctl -q -w net.ipv4.icmp_msgs_per_sec=4 \
		    net.ipv4.icmp_msgs_burst=2 net.ipv4.icmp_ratelimit=1000 \
		    net.ipv6.icmp.ratelimit=1000 ||
		    hard_error "chain: cannot rate-limit ICMP on $_sn"
	done
	CHAIN_RATELIMIT=$1
}

# chain_build N [--silent K] [--ecmp K] [--ratelimit K]
chain_build()
{
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
	command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
	[ "$CHAIN_N" -eq 0 ] || hard_error "chain: one chain per test"
	case ${1:-} in
	''|*[!0-9]*) hard_error "chain_build: N must be a number" ;;
	esac
	CHAIN_N=$1
	[ "$CHAIN_N" -ge 1 ] && [ "$CHAIN_N" -le 60 ] ||
	    hard_error "chain_build: 1 to 60 routers"
	shift
	_silent=0 _rl=0
	while [ $# -gt 0 ]; do
		case $1 in
		--silent) _silent=${2:-} ;;
		--ecmp) CHAIN_ECMP=${2:-} ;;
		--ratelimit) _rl=${2:-} ;;
		*) hard_error "chain_build: unknown option $1" ;;
		esac
		case ${2:-} in
		''|*[!0-9]*) hard_error "chain_build: $1 needs a TTL" ;;
		esac
		[ "$2" -le "$CHAIN_N" ] ||
		    hard_error "chain_build: $1 $2: only $CHAIN_N routers"
		shift 2
	done

	# The nodes in order, and their positions.
	_chain_nodes= _chain_root= _chain_all_links=
	_p=0
	while [ "$_p" -le $((CHAIN_N + 1)) ]; do
		for _n in $(_chain_nodes_at "$_p"); do
			_chain_nodes="$_chain_nodes $_n"
			eval "_chain_pos_$_n=$_p _chain_cmd_$_n= _chain_rgw_$_n=" \
			    "_chain_lgw_$_n= _chain_links_$_n="
		done
		_p=$((_p + 1))
	done

	# Namespaces first (registered for cleanup before they exist, so
	# a half-built chain is removed too), with their sysctls set before
	# any interface exists: interfaces take the defaults at creation.
	_b=
	for _n in $_chain_nodes; do
		_tb_netns="$_tb_netns $CHAIN_PFX-$_n"
		_b="${_b}netns add $CHAIN_PFX-$_n
"
	done
	printf '%s' "$_b" | ip -batch - ||
	    skip "cannot create network namespaces ($CHAIN_PFX-*)"
	for _n in $_chain_nodes; do
		eval "_p=\$_chain_pos_$_n"
		_s="net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
		    net.ipv4.icmp_msgs_per_sec=100000
		    net.ipv4.icmp_msgs_burst=10000
		    net.ipv4.icmp_errors_use_inbound_ifaddr=1
		    net.ipv4.conf.all.rp_filter=0
		    net.ipv4.conf.default.rp_filter=0
		    net.ipv4.fib_multipath_hash_policy=1
		    net.ipv6.fib_multipath_hash_policy=1
		    net.ipv6.conf.all.accept_dad=0
		    net.ipv6.conf.default.accept_dad=0"
		if [ "$_p" -ge 1 ] && [ "$_p" -le "$CHAIN_N" ]; then
			_s="$_s net.ipv4.ip_forward=1
			    net.ipv6.conf.all.forwarding=1"
		fi
		# shellcheck disable=SC2086
		chain_x "$_n" sysctl -q -w $_s >/dev/null ||
		    hard_error "chain: sysctl failed in $CHAIN_PFX-$_n"
		# Linux 6.11 and later seed the multipath hash at random per
		# namespace: with 8 flows both branches then show in all but
		# about 1 run in 128.  A fixed seed makes every run the same.
		[ -w /proc/sys/net/ipv4/fib_multipath_hash_seed ] &&
		    chain_x "$_n" sysctl -q -w \
		    net.ipv4.fib_multipath_hash_seed="$CHAIN_HASH_SEED" \
		    >/dev/null
	done

	# Links: position P to P + 1, two links around an ECMP hop.
	_p=0
	while [ "$_p" -le "$CHAIN_N" ]; do
		_r=$((_p + 1))
		if [ "$CHAIN_ECMP" -gt 0 ] && [ "$_p" -eq "$CHAIN_ECMP" ]; then
			_chain_link "$_p" "$_p" "r${_p}a" right \
			    "$(_chain_nodes_at $_r)" lefta
			_chain_link "$_p" $((_p + 100)) "r${_p}b" right \
			    "$(_chain_nodes_at $_r)" leftb
		elif [ "$_r" -eq "$CHAIN_ECMP" ]; then
			_chain_link "$_p" "$_p" "$(_chain_nodes_at $_p)" \
			    righta "r${_r}a" left
			_chain_link "$_p" $((_p + 100)) \
			    "$(_chain_nodes_at $_p)" rightb "r${_r}b" left
		else
			_chain_link "$_p" "$_p" "$(_chain_nodes_at $_p)" \
			    right "$(_chain_nodes_at $_r)" left
		fi
		_p=$((_p + 1))
	done
	printf '%s' "$_chain_root" | ip -batch - ||
	    hard_error "chain: cannot create the veth pairs"

	for _n in $_chain_nodes; do
		eval "_p=\$_chain_pos_$_n"
		_chain_add "$_n" "link set dev lo up"
		_chain_routes "$_n" "$_p"
		eval "printf '%s' \"\$_chain_cmd_$_n\"" |
		    ip -n "$CHAIN_PFX-$_n" -batch - ||
		    hard_error "chain: cannot configure $CHAIN_PFX-$_n"
	done

	CHAIN_CLIENT_NS=$CHAIN_PFX-c
	CHAIN_SERVER_NS=$CHAIN_PFX-s
	NS=$CHAIN_CLIENT_NS
	CHAIN_CLIENT4=10.200.0.1
	CHAIN_CLIENT6=$(_chain_a6 0 1)
	CHAIN_SERVER4=10.200.$CHAIN_N.2
	CHAIN_SERVER6=$(_chain_a6 "$CHAIN_N" 2)
	export CHAIN_CLIENT_NS CHAIN_SERVER_NS CHAIN_CLIENT4 CHAIN_CLIENT6 \
	    CHAIN_SERVER4 CHAIN_SERVER6 CHAIN_N CHAIN_ECMP
	_t=1
	while [ "$_t" -le $((CHAIN_N + 1)) ]; do
		_l=$((_t - 1))
		eval "CHAIN_HOP4_$_t=10.200.$_l.2 CHAIN_HOP6_$_t=$(_chain_a6 $_l 2)"
		# The pair, and the router after it (it answers from the
		# interface the probe came in by); not the server, which
		# answers from the target address.
		if [ "$CHAIN_ECMP" -gt 0 ] && [ "$_t" -le "$CHAIN_N" ] &&
		    { [ "$_t" -eq "$CHAIN_ECMP" ] ||
		    [ "$_t" -eq $((CHAIN_ECMP + 1)) ]; }; then
			_l=$((_l + 100))
			eval "CHAIN_HOP4_${_t}_A=\$CHAIN_HOP4_$_t" \
			    "CHAIN_HOP6_${_t}_A=\$CHAIN_HOP6_$_t" \
			    "CHAIN_HOP4_${_t}_B=10.200.$_l.2" \
			    "CHAIN_HOP6_${_t}_B=fd00:200:$_l::2"
			eval "CHAIN_HOP4_$_t=\"\$CHAIN_HOP4_$_t 10.200.$_l.2\"" \
			    "CHAIN_HOP6_$_t=\"\$CHAIN_HOP6_$_t fd00:200:$_l::2\""
			export "CHAIN_HOP4_${_t}_A" "CHAIN_HOP4_${_t}_B" \
			    "CHAIN_HOP6_${_t}_A" "CHAIN_HOP6_${_t}_B"
		fi
		export "CHAIN_HOP4_$_t" "CHAIN_HOP6_$_t"
		_t=$((_t + 1))
	done

	if ip -n "$CHAIN_CLIENT_NS" -6 addr show 2>/dev/null |
	    grep -q "inet6 $CHAIN_CLIENT6/64"; then
		CHAIN_HAS_V6=yes
	fi

	[ "$_silent" -gt 0 ] && chain_set_silent "$_silent"
	[ "$_rl" -gt 0 ] && chain_set_ratelimit "$_rl"
	tb_log "chain: client - $CHAIN_N routers - server" \
	    "(silent $CHAIN_SILENT, ecmp $CHAIN_ECMP," \
	    "ratelimit $CHAIN_RATELIMIT, IPv6 $CHAIN_HAS_V6):" \
	    "$CHAIN_CLIENT4 -> $CHAIN_SERVER4, $CHAIN_CLIENT6 -> $CHAIN_SERVER6"
	return 0
}

# chain_hops FAMILY: the expected addresses, one TTL per line (1 to
# N + 1), ECMP branches space separated; 4 or 6.
chain_hops()
{
	_t=1
	while [ "$_t" -le $((CHAIN_N + 1)) ]; do
		eval "echo \"\$CHAIN_HOP$1_$_t\""
		_t=$((_t + 1))
	done
}

# --- running tubes in the chain and checking its JSON ----------------------

_trace_failed=0

# Outputs and check scripts live in TRACE_DIR, removed on exit with the
# namespaces.
TRACE_DIR=
chain_cleanup()
{
	tb_cleanup
	[ -n "$TRACE_DIR" ] && rm -rf "$TRACE_DIR"
	TRACE_DIR=
}
trap 'chain_cleanup' EXIT
TRACE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tubes-$TB_NAME.XXXXXX") ||
    hard_error "mktemp -d failed"

# trace_tubes OUT ARGS...: tubes --dump --json --panes trace -n ARGS in the
# client namespace, bounded by 60 s; stdout to OUT, stderr to OUT.err, exit
# status in TUBES_RC.  TRACE_AS (e.g. "setpriv --reuid=nobody ...") runs it
# through a wrapper.
trace_tubes()
{
	_o=$1
	shift
	tb_log "run: ${TRACE_AS:+$TRACE_AS }tubes --dump --json --panes trace -n $*"
	# shellcheck disable=SC2086
	timeout -s KILL 60 ip netns exec "$CHAIN_CLIENT_NS" $TRACE_AS \
	    "$TUBES" --dump --json --panes trace -n "$@" >"$_o" 2>"$_o.err"
	TUBES_RC=$?
	[ -s "$_o.err" ] && tb_log "stderr: $(head -c 2000 "$_o.err")"
	tb_sanitizer_report "$_o.err" && _trace_failed=$((_trace_failed + 1))
	return 0
}

# trace_need_engine: skip (77) while tubes has no trace pane.  Run after
# chain_build: the probe goes to the first router, inside the chain.
trace_need_engine()
{
	trace_tubes "$TRACE_DIR/engine.json" -c 1 "$CHAIN_HOP4_1"
	_e=$(cat "$TRACE_DIR/engine.json.err")
	case $_e in
	*"not built yet"*)
		skip "tubes has no trace pane yet: $(echo "$_e" | head -n 1)" ;;
	esac
}

# trace_expect_rc WHAT OK-LIST: TUBES_RC must be one of the listed codes.
trace_expect_rc()
{
	for _c in $2; do
		if [ "$TUBES_RC" = "$_c" ]; then
			tb_log "[$1] ok: exit $TUBES_RC"
			return 0
		fi
	done
	tb_log "[$1] MISMATCH: exit $TUBES_RC, want one of: $2"
	_trace_failed=$((_trace_failed + 1))
}

# trace_usage_error WHAT FILE: exit 2 and exactly one line on stderr.
trace_usage_error()
{
	trace_expect_rc "$1" 2
	_nl=$(wc -l <"$2.err")
	if [ "$_nl" -eq 1 ] && [ ! -s "$2" ]; then
		tb_log "[$1] ok: one line on stderr, nothing on stdout"
	else
		tb_log "[$1] MISMATCH: want one line on stderr and no stdout," \
		    "got $_nl line(s) and $(wc -c <"$2") bytes"
		_trace_failed=$((_trace_failed + 1))
	fi
}

# trace_check WHAT FILE: run the Python checks read from stdin over the
# JSON in FILE.  Every dump is first checked against the "trace" contract
# of DESIGN.md (fields and types, received <= sent, best <= avg <= worst,
# TTLs increasing); then the body runs with:
#	d, tr		the document and its "trace" object
#	hops()		the hops; hop(ttl): one hop or {}
#	addrs(h)	a hop's responder addresses, in order
#	want(fam, ttl)	the set of addresses the chain expects at ttl
#	n		CHAIN_N (the server is at ttl n + 1)
#	check(desc, cond, got)
#	soft(obj, key, desc)	obj[key], or None when absent: a field
#			the engine may not have yet, listed at the end
#	env(name)	os.environ[name]
#	expect_path(fam, silent=(), exact=True, lossless=True)
#			the whole path to the server, hop by hop
trace_check()
{
	_what=$1 _file=$2
	_body=$TRACE_DIR/check.py
	cat >"$_body"
	TB_NAME=$TB_NAME python3 - "$_file" "$_body" "$_what" <<'EOF'
import json, os, sys

path, body, what = sys.argv[1:4]
name = os.environ.get("TB_NAME", "trace")
failed = 0
absent = set()

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

def soft(obj, key, desc=None):
    if isinstance(obj, dict) and key in obj:
        return obj[key]
    absent.add(key)
    return None

def env(k, default=None):
    return os.environ.get(k, default)

n = int(env("CHAIN_N", "0"))

def want(fam, ttl):
    return set((env("CHAIN_HOP%d_%d" % (fam, ttl)) or "").split())

raw = open(path, "rb").read()
try:
    d = json.loads(raw.decode("utf-8"))
except ValueError as e:
    d = None
    log("stdout is not JSON: %s; first bytes %r" % (e, raw[:300]))

tr = (d or {}).get("trace") if isinstance(d, dict) else None

def hops():
    return (tr or {}).get("hops") or []

def hop(ttl):
    for h in hops():
        if h.get("ttl") == ttl:
            return h
    return {}

def addrs(h):
    return [r.get("address") for r in (h.get("responders") or [])]

NUM = (int, float)

def contract():
    ok = check("a \"trace\" object", isinstance(tr, dict),
               sorted(d) if isinstance(d, dict) else type(d))
    if not ok:
        return False
    for k, t in (("target", str), ("protocol", str), ("reached", bool),
                 ("hops", list)):
        if not isinstance(tr.get(k), t):
            check("trace.%s is a %s" % (k, t.__name__), False, tr.get(k))
            ok = False
    ttls = []
    for h in tr.get("hops") or []:
        if not isinstance(h, dict) or not isinstance(h.get("ttl"), int) \
                or not isinstance(h.get("responders"), list):
            check("hop with an int ttl and a responders list", False, h)
            ok = False
            continue
        ttls.append(h["ttl"])
        for r in h["responders"]:
            bad = [k for k in ("address",) if not isinstance(r.get(k), str)]
            bad += [k for k in ("sent", "received") if
                    not isinstance(r.get(k), int) or r.get(k) < 0]
            bad += [k for k in ("loss_pct", "last_ms", "avg_ms", "best_ms",
                                "worst_ms", "stddev_ms")
                    if not isinstance(r.get(k), NUM) or
                    isinstance(r.get(k), bool) or r.get(k) < 0]
            if "name" not in r or not (r["name"] is None or
                                       isinstance(r["name"], str)):
                bad.append("name")
            if not bad:
                if r["received"] > r["sent"] or r["loss_pct"] > 100:
                    bad.append("received <= sent, loss_pct <= 100")
                elif r["received"] and not (r["best_ms"] <= r["avg_ms"] +
                        1e-6 and r["avg_ms"] <= r["worst_ms"] + 1e-6):
                    bad.append("best <= avg <= worst")
            if bad:
                check("hop %s responder %s: contract fields %s" %
                      (h["ttl"], r.get("address"), bad), False, r)
                ok = False
        nt = h.get("note", None)
        if "note" not in h:
            absent.add("note")
        elif nt not in (None, "silent", "rate limiting", "loss",
                        "destination loss"):
            check("hop %s note is one of the documented values" % h["ttl"],
                  False, nt)
            ok = False
    if ttls != sorted(set(ttls)):
        check("hop TTLs strictly increasing", False, ttls)
        ok = False
    for k in ("mode", "probes_sent"):
        soft(tr, k)
    return ok

def expect_path(fam, silent=(), exact=True, lossless=True):
    """Every TTL from 1 to the server (n + 1), in order, each with the
    address(es) the chain answers from (exact: all of them, else at least
    one and no other); silent TTLs with no responder; reached; the last
    hop is the target."""
    server = env("CHAIN_SERVER%d" % fam)
    check("target %s" % server, tr.get("target") == server, tr.get("target"))
    check("reached", tr.get("reached") is True, tr.get("reached"))
    ttls = [h.get("ttl") for h in hops()]
    check("hops 1 to %d in order, none past the target" % (n + 1),
          ttls == list(range(1, n + 2)), ttls)
    for t in range(1, n + 2):
        h, w = hop(t), want(fam, t)
        got = addrs(h)
        if t in silent:
            check("hop %d silent: no responder" % t, got == [], got)
            nt = soft(h, "note")
            if nt is not None or "note" in h:
                check("hop %d note \"silent\"" % t, nt == "silent", nt)
            continue
        if exact:
            check("hop %d: %s" % (t, " ".join(sorted(w))),
                  sorted(got) == sorted(w), got)
        else:
            check("hop %d: one or more of %s" % (t, " ".join(sorted(w))),
                  got and set(got) <= w and len(got) == len(set(got)), got)
        for r in h.get("responders") or []:
            if lossless:
                check("hop %d %s: received %s of %s, loss 0" %
                      (t, r.get("address"), r.get("received"), r.get("sent")),
                      r.get("received", 0) >= 1 and r.get("loss_pct") == 0,
                      r.get("loss_pct"))
            it = soft(r, "is_target")
            if it is not None:
                check("hop %d %s: is_target %s" % (t, r.get("address"),
                      t == n + 1), it is (t == n + 1), it)
        if lossless and "note" in h:
            check("hop %d: no note" % t, h["note"] is None, h["note"])

if d is None:
    failed += 1
elif contract():
    log("ok: the dump follows the trace contract")
    exec(compile(open(body).read(), body, "exec"))
if absent:
    log("TOLERATED: fields absent from the dump: %s" %
        ", ".join(sorted(absent)))
sys.exit(1 if failed else 0)
EOF
	_rc=$?
	if [ "$_rc" -ne 0 ]; then
		_trace_failed=$((_trace_failed + 1))
		tb_log "[$_what] tubes exit $TUBES_RC; output:"
		head -c 6000 "$_file" >&2
		echo >&2
	fi
	return 0
}

trace_done()
{
	[ "$_trace_failed" -eq 0 ] ||
	    fail "$_trace_failed group(s) of checks failed"
	tb_log "PASS"
	exit 0
}
