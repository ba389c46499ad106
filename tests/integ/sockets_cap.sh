#!/bin/sh
# The group table is capped (SOCK_MAX_GROUPS, 4096 destinations): with
# more destinations than that, tubes keeps 4096 groups, counts the sockets
# it could not group in groups_dropped, and its state counts stay exact.
# In a fresh namespace twgen leaves one TIME_WAIT socket toward each of
# 5000 ports (5000 destinations), below the ephemeral range.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

NDEST=5000
CAP=4096
FIRST=20000

need_root
need_tool ip
need_tool ss
need_python
need_binaries

# One listener per destination port: raise the fd limit for twgen.
ulimit -n 16384 2>/dev/null || skip "cannot raise the open-file limit"

ns_create cap
nsx sysctl -qw net.ipv4.tcp_tw_reuse=0 net.ipv4.tcp_rfc1337=1 ||
    skip "cannot set sysctls in a namespace"

ports=$(seq -s , "$FIRST" $((FIRST + NDEST - 1)))
out=$(tb_tmpfile)
json=$(tb_tmpfile)
ns_bg "$TWGEN" fill --addr 127.0.0.1 --ports "$ports" --count "$NDEST" \
    --hold --max-seconds 60 >"$out"
wait_for_line "$out" '^twgen fill: done' 30 ||
    hard_error "twgen fill did not finish: $(cat "$out")"
tb_log "$(cat "$out")"

wait_tw "$NDEST"

nsx timeout 30 "$TUBES" --dump --json --panes sockets -t 0 >"$json" ||
    fail "tubes --dump --json --panes sockets -t 0 exited $?"
ss_tw=$(tw_count)

check_eq "ss TIME_WAIT (sanity)" "$ss_tw" "$NDEST"
check_eq "states.TIME_WAIT stays exact over the cap" \
    "$(json_get "$json" 'd["sockets"]["states"].get("TIME_WAIT", 0)')" \
    "$ss_tw"
check_eq "groups kept" \
    "$(json_get "$json" 'len(d["sockets"]["remotes"])')" "$CAP"
check_eq "sockets counted as dropped" \
    "$(json_get "$json" 'd["sockets"]["groups_dropped"]')" \
    $((NDEST - CAP))
check_done "$json"
