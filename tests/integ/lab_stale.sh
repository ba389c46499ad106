#!/bin/sh
# The lab leaves nothing behind, whatever ends it:
#  1. the keeper killed with SIGKILL (the one way it cannot clean up): the
#     next tubes --lab says "removed a stale lab (keeper pid N is gone)",
#     runs, and leaves nothing;
#  2. SIGINT to a running lab's process group (Ctrl-C): nothing left
#     (and while it runs, a second tubes --lab fails: one at a time);
#  3. not root: one line saying --lab needs root, exit 1, nothing made.
# "Nothing" is: no tubes-lab-* namespace, no lab process, no lock file.

. "$top_srcdir/tests/lib.sh"

need_root
need_tool ip

# One lab at a time, and make -j check runs tests side by side: wait for
# the other lab tests (bounded) rather than fight over the lab.
need_tool flock
exec 9>"${TMPDIR:-/tmp}/tubes-lab-tests.lock"
flock -w 600 9 || skip "another lab test held the lab for 10 minutes"
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
if ip netns list 2>/dev/null | grep -q '^tubes-lab-'; then
	skip "a lab exists already (tubes-lab-* namespaces)"
fi

LAB_NODES="client r1 r2a r2b r3 r4 srv"
# On failure the exit trap removes whatever a lab of ours left.
for _n in $LAB_NODES; do
	_tb_netns="$_tb_netns tubes-lab-$_n"
done
_tb_tmps="$_tb_tmps /run/tubes-lab.pid"
OUT=$(tb_tmpfile)
_tb_tmps="$_tb_tmps $OUT.err $OUT.2 $OUT.2.err $OUT.3 $OUT.3.err"

lab_count()
{
	ip netns list 2>/dev/null | grep -c '^tubes-lab-'
}

lab_gone()
{
	check_eq "$1: tubes-lab-* namespaces left" "$(lab_count)" 0
	check_eq "$1: lab processes left" \
	    "$(pgrep -f -- "$TUBES --lab" 2>/dev/null | wc -l)" 0
	_lg=no
	[ -e /run/tubes-lab.pid ] && _lg=yes
	check_eq "$1: lock file left" "$_lg" no
}

# lab_wait_up: bounded (30 s) until the lab's client runs tubes and the
# traffic (two processes or more in tubes-lab-client).
lab_wait_up()
{
	_n=0
	while [ "$_n" -lt 300 ]; do
		[ "$(ip netns pids tubes-lab-client 2>/dev/null | wc -l)" -ge 2 ] &&
		    return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# --- 1. SIGKILL of the keeper, then a stale lab at the next start -------

"$TUBES" --lab --dump -t 60 >"$OUT" 2>"$OUT.err" &
KEEPER=$!
_tb_pids="$_tb_pids $KEEPER"
lab_wait_up || fail "the lab did not come up in 30 s: $(cat "$OUT.err")"
check_eq "namespaces while the lab runs" "$(lab_count)" 7
kill -9 "$KEEPER"
wait "$KEEPER" 2>/dev/null
[ "$(lab_count)" -gt 0 ] ||
    fail "the killed keeper's namespaces vanished: nothing stale to test"
tb_log "keeper $KEEPER killed; $(lab_count) namespaces left behind"

timeout -s KILL 60 "$TUBES" --lab --dump -t 1 >"$OUT.2" 2>"$OUT.2.err"
rc=$?
tb_log "stderr: $(head -c 2000 "$OUT.2.err")"
tb_sanitizer_report "$OUT.2.err" && _tb_failed=$((_tb_failed + 1))
check_eq "next start after a stale lab: exit status" "$rc" 0
check_eq "the stale-lab line" \
    "$(grep -c "^tubes: removed a stale lab (keeper pid $KEEPER is gone)\$" \
    "$OUT.2.err")" 1
grep -q "^tubes: removed a stale lab" "$OUT.err" &&
    fail "the first lab said it removed a stale lab"
lab_gone "after the stale lab's removal"

# --- 2. Ctrl-C: SIGINT to the lab's whole process group -----------------

# setsid runs tubes as the leader of a new group (it does not fork when
# it is not a group leader itself, which a background job is not).
setsid "$TUBES" --lab --dump -t 60 >"$OUT.3" 2>"$OUT.3.err" &
KEEPER=$!
_tb_pids="$_tb_pids $KEEPER"
lab_wait_up || fail "the second lab did not come up in 30 s"
# One lab at a time: a second one says whose lab runs.
ERR=$(timeout -s KILL 30 "$TUBES" --lab --dump -t 1 2>&1 >/dev/null)
rc=$?
check_eq "a second lab: exit status" "$rc" 1
check_eq "a second lab: the message" "$ERR" \
    "tubes: lab: a lab is already running (keeper pid $KEEPER): one at a time"
check_eq "a second lab: the first one's namespaces" "$(lab_count)" 7
PGID=$(ps -o pgid= -p "$KEEPER" | tr -d ' ')
check_eq "the keeper leads its process group" "$PGID" "$KEEPER"
kill -INT -- "-$PGID"
_n=0
while kill -0 "$KEEPER" 2>/dev/null && [ "$_n" -lt 300 ]; do
	sleep 0.1
	_n=$((_n + 1))
done
kill -0 "$KEEPER" 2>/dev/null && fail "the lab did not end 30 s after SIGINT"
wait "$KEEPER"
rc=$?
tb_log "after SIGINT: exit status $rc; stderr: $(head -c 500 "$OUT.3.err")"
[ "$rc" -ne 137 ] || fail "the keeper died of SIGKILL"
tb_sanitizer_report "$OUT.3.err" && _tb_failed=$((_tb_failed + 1))
lab_gone "after SIGINT"

# --- 3. not root --------------------------------------------------------

if command -v setpriv >/dev/null 2>&1; then
	ERR=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$TUBES" --lab --dump 2>&1 >/dev/null)
	rc=$?
	check_eq "not root: exit status" "$rc" 1
	check_eq "not root: lines on stderr" "$(printf '%s\n' "$ERR" |
	    wc -l)" 1
	case $ERR in
	*"--lab needs root: it builds network namespaces (run: sudo tubes --lab)")
		tb_log "ok: not root: $ERR" ;;
	*)
		tb_log "MISMATCH: not root: $ERR"
		_tb_failed=$((_tb_failed + 1)) ;;
	esac
	check_eq "not root: namespaces made" "$(lab_count)" 0
else
	tb_log "note: no setpriv, the not-root case is skipped"
fi

check_done
