#!/bin/sh
# A silent hop (tests/netchain.sh --silent: the router drops the ICMP
# time-exceeded it would send): reported with no responder, "silent" when
# the engine says why, and the trace still reaching the target behind it,
# IPv4 and IPv6, ICMP and UDP, one cycle and three.  Two silent routers in
# a row, and a silent last router before the target, too.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/netchain.sh"

need_root
need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"

chain_build 5 --silent 3
trace_need_engine

fams=4
[ "$CHAIN_HAS_V6" = yes ] && fams="4 6"

run_silent()
{
	_what=$1 _fam=$2 _silent=$3
	shift 3
	eval "_server=\$CHAIN_SERVER$_fam"
	out=$TRACE_DIR/$_what.json
	trace_tubes "$out" "-$_fam" "$@" "$_server"
	trace_expect_rc "$_what" 0
	FAM=$_fam SILENT=$_silent trace_check "$_what" "$out" <<'PY'
silent = tuple(int(x) for x in env("SILENT").split())
expect_path(int(env("FAM")), silent=silent)
for t in silent:
    h = hop(t)
    # A silent hop still counts the probes sent to it.
    s = h.get("sent")
    if s is not None:
        check("hop %d: sent counted (%s)" % (t, s), isinstance(s, int) and
              s >= 1, s)
PY
}

for fam in $fams; do
	for proto in icmp udp; do
		run_silent "$proto$fam" "$fam" 3 -P "$proto"
		run_silent "$proto$fam-c3" "$fam" 3 -P "$proto" -c 3
	done
done

chain_set_silent 4
chain_set_silent 5
for fam in $fams; do
	run_silent "three-silent-icmp$fam" "$fam" "3 4 5"
	run_silent "three-silent-udp$fam" "$fam" "3 4 5" -P udp
done

trace_done
