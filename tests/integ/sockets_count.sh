#!/bin/sh
# The sockets pane counts exactly what ss counts.  In a fresh namespace
# (nothing else runs there), twgen leaves 3000 client-side TIME_WAIT
# sockets toward 127.0.0.1:8080, 1000 toward 127.0.0.1:8081 and 300 toward
# [::1]:8080; tubes --dump --json and ss then run back to back.  TIME_WAIT
# lasts 60 s, so nothing expires in between.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

N8080=3000
N8081=1000
N6=300

need_root
need_tool ip
need_tool ss
need_python
need_binaries

ns_create count
# rfc1337: a stray RST must not kill a TIME_WAIT socket under the count.
nsx sysctl -qw net.ipv4.tcp_tw_reuse=0 net.ipv4.tcp_rfc1337=1 ||
    skip "cannot set net.ipv4.tcp_tw_reuse in a namespace"

has_v6=0
nsx ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128' && has_v6=1
[ "$has_v6" -eq 1 ] || tb_log "no ::1 in the namespace: IPv6 case skipped"

out8080=$(tb_tmpfile)
out8081=$(tb_tmpfile)
out6=$(tb_tmpfile)
json=$(tb_tmpfile)

# --hold keeps the listeners, so there is something in LISTEN as well.
ns_bg "$TWGEN" fill --addr 127.0.0.1 --ports 8080 --count $N8080 \
    --hold --max-seconds 60 >"$out8080"
ns_bg "$TWGEN" fill --addr 127.0.0.1 --ports 8081 --count $N8081 \
    --hold --max-seconds 60 >"$out8081"
if [ "$has_v6" -eq 1 ]; then
	ns_bg "$TWGEN" fill --addr ::1 --ports 8080 --count $N6 \
	    --hold --max-seconds 60 >"$out6"
fi

for f in "$out8080" "$out8081"; do
	wait_for_line "$f" '^twgen fill: done' 20 ||
	    hard_error "twgen fill did not finish: $(cat "$f")"
	tb_log "$(cat "$f")"
done
if [ "$has_v6" -eq 1 ]; then
	wait_for_line "$out6" '^twgen fill: done' 20 ||
	    hard_error "twgen fill ::1 did not finish: $(cat "$out6")"
	tb_log "$(cat "$out6")"
fi
want_tw=$((N8080 + N8081))
[ "$has_v6" -eq 1 ] && want_tw=$((want_tw + N6))

wait_tw "$want_tw"

# Back to back: tubes, then ss.
nsx timeout 30 "$TUBES" --dump --json --panes sockets -t 0 >"$json" ||
    fail "tubes --dump --json --panes sockets -t 0 exited $?"
ss_tw=$(tw_count)
ss_listen=$(nsx ss -Htan state listening | wc -l)
ss_est=$(nsx ss -Htan state established | wc -l)

python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$json" ||
    fail "tubes output is not valid JSON: $(head -c 2000 "$json")"

tb_log "ss: TIME_WAIT=$ss_tw LISTEN=$ss_listen ESTABLISHED=$ss_est"
check_eq "ss TIME_WAIT (sanity)" "$ss_tw" "$want_tw"
check_eq "states.TIME_WAIT vs ss" \
    "$(json_get "$json" 'd["sockets"]["states"].get("TIME_WAIT", 0)')" \
    "$ss_tw"
check_eq "states.LISTEN vs ss" \
    "$(json_get "$json" 'd["sockets"]["states"].get("LISTEN", 0)')" \
    "$ss_listen"
check_eq "states.ESTABLISHED vs ss" \
    "$(json_get "$json" 'd["sockets"]["states"].get("ESTABLISHED", 0)')" \
    "$ss_est"

lo=$(json_get "$json" 'd["sockets"]["ephemeral_range"][0]')
hi=$(json_get "$json" 'd["sockets"]["ephemeral_range"][1]')
set -- $(nsx cat /proc/sys/net/ipv4/ip_local_port_range)
check_eq "ephemeral_range" "$lo-$hi" "$1-$2"
nports=$(($2 - $1 + 1))

# check_group REMOTE COUNT: one client-side group holding COUNT ports.
check_group()
{
	g="grp('$1', 'client')"
	check_eq "$1 side" "$(json_get "$json" "$g['side']")" client
	check_eq "$1 TIME_WAIT" \
	    "$(json_get "$json" "states($g).get('TIME_WAIT', 0)")" "$2"
	check_eq "$1 ephemeral_ports_used" \
	    "$(json_get "$json" "$g['ephemeral_ports_used']")" "$2"
	check_near "$1 port_pressure_pct" \
	    "$(json_get "$json" "$g['port_pressure_pct']")" \
	    "$(python3 -c "print($2 / $nports * 100)")" 0.1
}

check_group 127.0.0.1:8080 $N8080
check_group 127.0.0.1:8081 $N8081
[ "$has_v6" -eq 1 ] && check_group '[::1]:8080' $N6

check_done "$json"
