#!/bin/sh
# A load tester with 100 clients of which only 2 reuse a connection (the
# Go http.Transport MaxIdleConnsPerHost=2 pattern) piles TIME_WAIT up
# toward its one server: tubes must say so, for that destination, on the
# client side, with a rate.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# 1500 new connections/s for 12 s stays under the 28232 ports of the
# default range, so the rate never stalls on exhaustion; the alert fires
# from about 190/s (40% of the range within TIME_WAIT's 60 s).
RATE=1500
SEED_SECONDS=12
WATCH_SECONDS=4

need_root
need_tool ip
need_python
need_binaries

ns_create seed
nsx sysctl -qw net.ipv4.tcp_tw_reuse=0 ||
    skip "cannot set net.ipv4.tcp_tw_reuse in a namespace"

seed_out=$(tb_tmpfile)
json=$(tb_tmpfile)
errf=$(tb_tmpfile)

ns_bg "$TWGEN" seed --addr 127.0.0.1 --port 8080 --clients 100 --pool 2 \
    --seconds $SEED_SECONDS --rate $RATE --max-seconds 20 >"$seed_out"
seed_pid=$BG_PID
# The listener is up within a few ms; start tubes well inside 1 s.
sleep 0.3

start=$(date +%s)
nsx timeout 15 "$TUBES" --dump --json --panes sockets -t $WATCH_SECONDS \
    >"$json" 2>"$errf" || fail "tubes exited $?: $(cat "$errf")"
took=$(($(date +%s) - start))
tb_log "tubes took ${took}s"

python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$json" ||
    fail "tubes output is not valid JSON: $(head -c 2000 "$json")"

g="grp('127.0.0.1:8080', 'client')"
check_true "time_wait_buildup alert for 127.0.0.1:8080" \
    "$(json_get "$json" \
    "alert('time_wait_buildup', '127.0.0.1:8080') != {}")"
check_eq "127.0.0.1:8080 side" "$(json_get "$json" "$g['side']")" client
check_true "127.0.0.1:8080 new_per_s > 0" \
    "$(json_get "$json" "($g['new_per_s'] or 0) > 0")"
check_true "127.0.0.1:8080 TIME_WAIT > 0" \
    "$(json_get "$json" "states($g).get('TIME_WAIT', 0) > 0")"
tb_log "alert: $(json_get "$json" "alert('time_wait_buildup')")"
tb_log "group: $(json_get "$json" "$g")"

# Enough seen: stop the generator early; it reports on SIGTERM.
kill "$seed_pid" 2>/dev/null
wait_for_line "$seed_out" '^twgen seed: done' 5 ||
    tb_log "twgen seed did not report"
tb_log "$(cat "$seed_out")"

check_done "$json"
