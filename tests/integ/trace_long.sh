#!/bin/sh
# The trace pane along a chain of 15 routers (tests/netchain.sh): every hop
# in order with its address and the target reached, IPv4 and IPv6, one
# cycle (all TTLs at once) and three, with about one probe per hop and
# cycle (at most two: not traceroute's three or more); then the same chain
# with router 8 silent, the trace going on past it to the target.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

need_root
need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

chain_build 15
trace_need_engine

run_path()
{
	_what=$1 _fam=$2 _silent=$3 _cycles=$4
	shift 4
	eval "_server=\$CHAIN_SERVER$_fam"
	out=$TRACE_DIR/$_what.json
	trace_tubes "$out" "-$_fam" -c "$_cycles" "$@" "$_server"
	trace_expect_rc "$_what" 0
	FAM=$_fam SILENT=$_silent CYCLES=$_cycles trace_check "$_what" "$out" \
	    <<'PY'
silent = tuple(int(x) for x in env("SILENT").split())
expect_path(int(env("FAM")), silent=silent)
c = int(env("CYCLES"))
ps = soft(tr, "probes_sent")
if ps is not None and not silent:
    check("probes_sent %s <= 2 per hop and cycle (%d)" % (ps, 2 * (n + 1) * c),
          isinstance(ps, int) and (n + 1) * c <= ps <= 2 * (n + 1) * c, ps)
PY
}

fams=4
[ "$CHAIN_HAS_V6" = yes ] && fams="4 6"
for fam in $fams; do
	run_path "icmp$fam" "$fam" "" 1
	run_path "icmp$fam-c3" "$fam" "" 3
	run_path "udp$fam" "$fam" "" 1 -P udp
	run_path "tcp$fam" "$fam" "" 1 -P tcp
done

chain_set_silent 8
for fam in $fams; do
	run_path "silent-icmp$fam" "$fam" 8 1
	run_path "silent-udp$fam" "$fam" 8 2 -P udp
done

trace_done
