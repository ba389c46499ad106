# Shared helpers for the integration tests and benchmarks (POSIX sh).
#
#	. "$top_srcdir/tests/lib.sh"
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
# Every namespace made here is named tubes-test-NAME-PID, holds only a
# loopback interface, and is deleted on exit, failure or signal: traffic
# from these tests never leaves it.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/tmuxlib.sh"
# make check sets top_builddir; make bench runs in the build directory.
if [ -z "${top_builddir:-}" ]; then
	if [ -x ./tests/twgen ] || [ -x ./src/tubes ]; then
		top_builddir=$(pwd)
	else
		top_builddir=$top_srcdir
	fi
fi
: "${TUBES:=$top_builddir/src/tubes}"
: "${TWGEN:=$top_builddir/tests/twgen}"

TB_NAME=$(basename "$0" .sh)
_tb_netns=
_tb_pids=
_tb_tmps=

tb_log()
{
	printf '%s: %s\n' "$TB_NAME" "$*" >&2
}

skip()
{
	tb_log "SKIP: $*"
	exit 77
}

fail()
{
	tb_log "FAIL: $*"
	exit 1
}

hard_error()
{
	tb_log "ERROR: $*"
	exit 99
}

# tb_sanitizer_report FILE: true (and says so) when tubes' stderr in FILE
# holds an ASan/UBSan report; such a run may still exit as a case expects.
tb_sanitizer_report()
{
	grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$1" || return 1
	tb_log "MISMATCH: sanitizer report from tubes (see stderr above)"
	return 0
}

need_root()
{
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
}

need_tool()
{
	command -v "$1" >/dev/null 2>&1 || skip "needs $1"
}

need_python()
{
	command -v python3 >/dev/null 2>&1 || skip "needs python3 (json_get)"
}

# The binaries under test; a missing one is a build problem, not a skip.
need_binaries()
{
	[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
	[ -x "$TWGEN" ] || hard_error "no twgen at $TWGEN (make tests/twgen)"
}

# A temporary file removed on exit; its name on stdout.
tb_tmpfile()
{
	_f=$(mktemp "${TMPDIR:-/tmp}/tubes-$TB_NAME.XXXXXX") ||
	    hard_error "mktemp failed"
	_tb_tmps="$_tb_tmps $_f"
	echo "$_f"
}

# Create tubes-test-NAME-$$ with lo up; sets NS (and remembers it).
ns_create()
{
	NS=tubes-test-$1-$$
	ip netns add "$NS" || skip "cannot create network namespace $NS"
	_tb_netns="$_tb_netns $NS"
	ip netns exec "$NS" ip link set lo up ||
	    hard_error "cannot bring lo up in $NS"
}

# Run a command inside the test's namespace.
nsx()
{
	ip netns exec "$NS" "$@"
}

# Start a command in the namespace in the background; sets BG_PID.
# ip netns exec execs the command, so the pid is the command's own.
ns_bg()
{
	ip netns exec "$NS" "$@" &
	BG_PID=$!
	_tb_pids="$_tb_pids $BG_PID"
}

# Wait (bounded) until FILE has a line matching the extended regex.
wait_for_line()
{
	_file=$1 _re=$2 _secs=${3:-20}
	_n=$((_secs * 10))
	while [ "$_n" -gt 0 ]; do
		grep -Eq "$_re" "$_file" 2>/dev/null && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# Kill our background processes, then anything left in our namespaces,
# then delete the namespaces.
tb_cleanup_ns()
{
	for _p in $_tb_pids; do
		kill "$_p" 2>/dev/null
	done
	for _p in $_tb_pids; do
		wait "$_p" 2>/dev/null
	done
	for _ns in $_tb_netns; do
		for _p in $(ip netns pids "$_ns" 2>/dev/null); do
			kill -9 "$_p" 2>/dev/null
		done
		ip netns del "$_ns" 2>/dev/null
	done
	_tb_pids= _tb_netns=
}

# Everything above, and the temporary files.  Runs on every exit path.
tb_cleanup()
{
	tb_cleanup_ns
	[ -n "$_tb_tmps" ] && rm -f $_tb_tmps
	_tb_tmps=
}

trap 'tb_cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# tw_count: TIME_WAIT sockets in the test's namespace, as ss counts them.
tw_count()
{
	nsx ss -Htan state time-wait | wc -l
}

# wait_tw N: the client's TIME_WAIT follows the server's FIN, so give the
# last ones a moment (bounded: 2 s) to reach N.
wait_tw()
{
	_n=0
	while [ "$_n" -lt 20 ]; do
		[ "$(tw_count)" -ge "$1" ] && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 0
}

# json_get FILE EXPR: evaluate a Python expression over the document `d'.
# grp(remote, side=None) returns the first group in sockets.remotes with
# that remote (and side), or {}; states(g) returns its states or {}.
# Prints numbers as numbers, None as null, a missing key as "missing".
json_get()
{
	python3 - "$1" "$2" <<'EOF'
import json, sys

with open(sys.argv[1]) as f:
    d = json.load(f)

def grp(remote, side=None):
    for g in d.get("sockets", {}).get("remotes", []):
        if g.get("remote") == remote and (side is None or g.get("side") == side):
            return g
    return {}

def states(g):
    return g.get("states", {})

def alert(kind, remote=None):
    for a in d.get("sockets", {}).get("alerts", []):
        if a.get("kind") == kind and (remote is None or a.get("remote") == remote):
            return a
    return {}

try:
    v = eval(sys.argv[2], {"d": d, "grp": grp, "states": states, "alert": alert})
except (KeyError, IndexError, TypeError):
    print("missing")
    sys.exit(0)
if v is None:
    print("null")
elif isinstance(v, bool):
    print("true" if v else "false")
elif isinstance(v, (dict, list)):
    print(json.dumps(v))
else:
    print(v)
EOF
}

# check_eq WHAT GOT WANT: record a mismatch (see check_done).
_tb_failed=0
check_eq()
{
	if [ "$2" = "$3" ]; then
		tb_log "ok: $1 = $2"
	else
		tb_log "MISMATCH: $1: got $2, want $3"
		_tb_failed=$((_tb_failed + 1))
	fi
}

# check_near WHAT GOT WANT TOLERANCE (numbers, compared in Python).
check_near()
{
	if python3 -c 'import sys; g, w, t = sys.argv[1:4]
sys.exit(0 if abs(float(g) - float(w)) <= float(t) else 1)' \
	    "$2" "$3" "$4" 2>/dev/null; then
		tb_log "ok: $1 = $2 (want $3 +/- $4)"
	else
		tb_log "MISMATCH: $1: got $2, want $3 +/- $4"
		_tb_failed=$((_tb_failed + 1))
	fi
}

# check_true WHAT PYEXPR-RESULT: the result of json_get must be "true".
check_true()
{
	if [ "$2" = "true" ]; then
		tb_log "ok: $1"
	else
		tb_log "MISMATCH: $1 (got $2)"
		_tb_failed=$((_tb_failed + 1))
	fi
}

check_done()
{
	if [ "$_tb_failed" -ne 0 ]; then
		[ -n "${1:-}" ] && [ -f "$1" ] &&
		    { tb_log "tubes output:"; cat "$1" >&2; }
		fail "$_tb_failed check(s) failed"
	fi
	tb_log "PASS"
	exit 0
}
