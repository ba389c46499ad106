#!/bin/sh
# Benchmark of the sockets pane against ss, with the kernel's TIME_WAIT
# table full (tcp_max_tw_buckets, 131072 in a fresh namespace).
#
#	make bench				(root, in the build directory)
#	TUBES=src/tubes TWGEN=tests/twgen sh tests/bench/sockets.sh
#
# Phase A fills TIME_WAIT in steps (16k, 32k, 64k, 128k) and at each size
# times `tubes --dump --panes sockets -t 0' and `ss -tan', interleaved,
# RUNS rounds, medians.  Phase B refills a fresh namespace and measures
# the TUI's CPU at its default 1 s refresh in a private tmux server, and
# how often its CPU budget lets it rebuild the table.
# TIME_WAIT lasts 60 s: each phase must end well inside that, and the
# script checks that nothing expired while it measured.
#
# Environment: RUNS (7), TUI_SECONDS (20), BENCH_OUT (also write the
# Markdown report there).  Exit 77 when not root or a tool is missing.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

RUNS=${RUNS:-7}
TUI_SECONDS=${TUI_SECONDS:-20}
# Listeners below the ephemeral range: a listener port inside it gets
# TIME_WAIT sockets killed by stray RSTs on loopback (seen on 6.x).
PORTS=901,902,903,904,905,906,907,908
STEPS=16384,16384,32768,65536
TW_CAP=131072
TIMEIT=$top_srcdir/tests/bench/timeit.py
TMUX_SOCK=bench-$$

need_root
need_tool ip
need_tool ss
need_tool tmux
need_python
need_binaries

report=$(tb_tmpfile)
fillout=$(tb_tmpfile)
tw_t0=0

out()
{
	printf '%s\n' "$*" >>"$report"
}

now_s()
{
	date +%s
}

bench_cleanup()
{
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	tb_cleanup
}
trap 'bench_cleanup' EXIT

# A namespace with the full port range and no TIME_WAIT reuse.
bench_ns()
{
	ns_create "$1"
	# rfc1337: stray RSTs (seen under load) must not kill TIME_WAIT.
	nsx sysctl -qw net.ipv4.ip_local_port_range="1024 65535" \
	    net.ipv4.tcp_tw_reuse=0 net.ipv4.tcp_rfc1337=1 >/dev/null ||
	    skip "cannot set sysctls in a namespace"
	cap=$(nsx cat /proc/sys/net/ipv4/tcp_max_tw_buckets)
	[ "$cap" -ge "$TW_CAP" ] 2>/dev/null ||
	    tb_log "tcp_max_tw_buckets is $cap: sizes are capped there"
}

# Start twgen fill --hold with COUNTS (comma list of steps).
start_fill()
{
	: >"$fillout"
	tw_t0=$(now_s)
	ns_bg "$TWGEN" fill --addr 127.0.0.1 --ports "$PORTS" --count "$1" \
	    --hold --max-seconds 150 >"$fillout"
	FILL_PID=$BG_PID
}

wait_step()
{
	wait_for_line "$fillout" "^twgen fill: done step=$1 " 60 ||
	    hard_error "fill step $1 did not finish: $(cat "$fillout")"
	grep "step=$1 " "$fillout" | grep -q "stop=complete" ||
	    tb_log "fill step $1: $(grep "step=$1 " "$fillout")"
}

tw_age_check()
{
	[ "$tw_t0" -eq 0 ] && return 0
	age=$(($(now_s) - tw_t0))
	[ "$age" -lt 55 ] ||
	    tb_log "WARNING: ${age}s since the fill began: TIME_WAIT expiring"
}

# The median of tubes' own refresh_ms over a few JSON dumps.
refresh_ms()
{
	j=$(tb_tmpfile)
	for i in 1 2 3 4 5; do
		nsx "$TUBES" --dump --json --panes sockets -t 0 >"$j" ||
		    hard_error "tubes --dump --json failed"
		json_get "$j" 'd["sockets"].get("refresh_ms")'
	done | python3 -c 'import sys, statistics
v = [float(x) for x in sys.stdin.read().split() if x not in ("null", "missing")]
print("%.2f" % statistics.median(v) if v else "n/a")'
}

# One size: RUNS interleaved rounds; appends a row to $rows.
measure_size()
{
	n_before=$(tw_count)
	t=$(nsx python3 "$TIMEIT" "$RUNS" \
	    "tubes=$TUBES --dump --panes sockets -t 0" \
	    "ss=ss -tan" \
	    "sswc=ss -tan | wc -l") || hard_error "timeit failed"
	r=$(refresh_ms)
	rss=$(peak_rss_kb)
	n_after=$(tw_count)
	[ "$n_after" -eq "$n_before" ] ||
	    tb_log "TIME_WAIT moved during the runs: $n_before -> $n_after"
	tw_age_check
	printf '%s\n' "$t" | awk -v n="$n_before" -v r="$r" -v rss="$rss" '
	    { med[$1] = $2 }
	    END {
		printf "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", n, med["tubes"],
		    r, med["ss"], med["sswc"], med["tubes"] / med["ss"], rss
	    }' >>"$rows"
}

# Peak RSS of one snapshot.  /usr/bin/time's own image (about 1 MB) is the
# floor: the high-water mark survives execve.
peak_rss_kb()
{
	if [ -x /usr/bin/time ]; then
		nsx /usr/bin/time -f %M "$TUBES" --dump --panes sockets -t 0 \
		    2>&1 >/dev/null | tail -1
	else
		echo n/a
	fi
}

phase_sizes()
{
	bench_ns bench
	tb_log "empty namespace; measuring"
	measure_size
	start_fill "$STEPS"
	step=1
	for _ in $(echo "$STEPS" | tr , ' '); do
		wait_step $step
		tb_log "step $step: $(tw_count) TIME_WAIT; measuring"
		measure_size
		kill -USR1 "$FILL_PID" 2>/dev/null
		step=$((step + 1))
	done
	fill_ms=$(sed -n 's/.* elapsed_ms=\([0-9]*\).*/\1/p' "$fillout" |
	    awk '{ s += $1 } END { print s }')
	kill "$FILL_PID" 2>/dev/null
}

# TUI CPU: utime+stime over TUI_SECONDS at the default 1 s refresh.
phase_tui()
{
	bench_ns tui
	start_fill "$TW_CAP"
	wait_step 1
	tui_fill_ms=$(sed -n 's/.* elapsed_ms=\([0-9]*\).*/\1/p' "$fillout")
	tui_tw=$(tw_count)
	tmux -L "$TMUX_SOCK" -f /dev/null new -d -x 120 -y 40 \
	    "ip netns exec $NS $TUBES" || hard_error "tmux failed"
	sleep 3
	tpid=
	for p in $(ip netns pids "$NS"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = tubes ] && tpid=$p
	done
	[ -n "$tpid" ] || hard_error "tubes did not start in tmux: $(tmux \
	    -L "$TMUX_SOCK" capture-pane -p 2>&1 | head -5)"
	hz=$(getconf CLK_TCK)
	# Stop before the first TIME_WAIT sockets expire (60 s after the fill
	# began), whatever TUI_SECONDS asks.
	tui_secs=$((57 - ($(now_s) - tw_t0)))
	[ "$tui_secs" -gt "$TUI_SECONDS" ] && tui_secs=$TUI_SECONDS
	[ "$tui_secs" -ge 5 ] ||
	    hard_error "the fill took too long to leave a TUI window"
	c0=$(awk '{print $14 + $15}' /proc/"$tpid"/stat)
	s0=$(date +%s.%N)
	sleep "$tui_secs"
	c1=$(awk '{print $14 + $15}' /proc/"$tpid"/stat)
	s1=$(date +%s.%N)
	tui_hwm=$(awk '/^VmHWM/ {print $2}' /proc/"$tpid"/status)
	tui_tw_end=$(tw_count)
	tui_cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v s0="$s0" \
	    -v s1="$s1" 'BEGIN { printf "%.2f", (b - a) / hz / (s1 - s0) * 100 }')
	tui_screen=$(tmux -L "$TMUX_SOCK" capture-pane -p | head -12)
	# The CPU budget's note: how often the table is rebuilt (1 s if absent).
	tui_table=$(printf '%s\n' "$tui_screen" |
	    sed -n 's/.*table every \([0-9.]* s\).*/\1/p' | head -1)
	[ -n "$tui_table" ] || tui_table="1.0 s"
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	tw_age_check
	kill "$FILL_PID" 2>/dev/null
}

# fit COLUMN LABEL: intercept, slope per 1k sockets and r^2 of a column.
fit()
{
	awk -F'\t' -v c="$1" -v label="$2" '$c != "n/a" {
		x = $1 / 1000; y = $c; n++
		sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y
	} END {
		d = n * sxx - sx * sx
		if (n < 3 || d == 0) { printf "- %s: n/a\n", label; exit }
		b = (n * sxy - sx * sy) / d; a = (sy - b * sx) / n
		r = (n * sxy - sx * sy) / sqrt(d * (n * syy - sy * sy))
		printf "- %s: %.1f ms + %.3f ms per 1k sockets (r^2 %.3f)\n",
		    label, a, b, r * r
	}' "$rows" >>"$report"
}

write_report()
{
	out "### sockets pane vs ss ($(date -u +%Y-%m-%dT%H:%MZ))"
	out ""
	out "Machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' \
	    /proc/cpuinfo | head -1), Linux $(uname -r);" \
	    "load average $load0 at the start, $(cut -d' ' -f1-3 \
	    /proc/loadavg) at the end."
	out "Each size: $RUNS interleaved rounds after one warm-up, medians;" \
	    "refresh_ms is tubes' own figure (median of 5 JSON dumps);" \
	    "RSS from /usr/bin/time -f %M (about 1 MB of it is time's own)."
	out "Filling took ${fill_ms} ms (all sizes) and ${tui_fill_ms} ms" \
	    "(TUI phase)."
	out ""
	out "| TIME_WAIT sockets | tubes --dump -t 0 (ms) | tubes refresh_ms" \
	    "| ss -tan (ms) | ss -tan \\| wc -l (ms) | tubes / ss" \
	    "| tubes peak RSS (KB) |"
	out "|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'\t' '{ printf "| %d | %.1f | %s | %.1f | %.1f | %.2f | %d |\n",
	    $1, $2, $3, $4, $5, $6, $7 }' "$rows" >>"$report"
	out ""
	out "Per 1000 sockets (linearity):"
	out ""
	out "| TIME_WAIT sockets | tubes wall ms/1k | tubes refresh ms/1k | ss ms/1k |"
	out "|---:|---:|---:|---:|"
	awk -F'\t' '$1 > 0 { printf "| %d | %.3f | %s | %.3f |\n", $1,
	    $2 / $1 * 1000,
	    ($3 == "n/a" ? "n/a" : sprintf("%.3f", $3 / $1 * 1000)),
	    $4 / $1 * 1000 }' "$rows" >>"$report"
	out ""
	out "Least-squares fits over all sizes (ms = fixed + per-1k x N/1000):"
	out ""
	fit 2 "tubes --dump -t 0"
	fit 3 "tubes refresh_ms"
	fit 4 "ss -tan"
	out ""
	out "TUI: $tui_secs s at the default 1 s refresh with" \
	    "$tui_tw TIME_WAIT sockets ($tui_tw_end at the end):" \
	    "**$tui_cpu% of one core**, VmHWM $tui_hwm KB;" \
	    "the table (full enumeration) every $tui_table."
}

rows=$(tb_tmpfile)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
phase_sizes
tb_cleanup_ns
phase_tui
write_report
tb_log "TUI screen at the end:"
printf '%s\n' "$tui_screen" >&2
cat "$report"
[ -n "${BENCH_OUT:-}" ] && cp "$report" "$BENCH_OUT"
exit 0
