#!/bin/sh
# Command-line contract of tubes: exit codes, one-line usage errors,
# --version, --help and the --dump outputs.  $TUBES is the binary.
: "${TUBES:=./src/tubes}"

fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tubes-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

pass() {
	echo "ok: $*"
}

# run ARGS...: stdout to $tmp/out, stderr to $tmp/err, status in $rc.
# stdin is /dev/null and stdout a file, so tubes never sees a terminal.
run() {
	"$TUBES" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

# usage_error WHAT ARGS...: exit 2, one stderr line "tubes: ...", no stdout.
usage_error() {
	what=$1
	shift
	run "$@"
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -ne 2 ]; then
		fail "$what: exit $rc, want 2"
	elif [ "$lines" -ne 1 ]; then
		fail "$what: $lines lines on stderr, want 1"
	elif ! head -n 1 "$tmp/err" | grep -q '^tubes: '; then
		fail "$what: stderr does not start with 'tubes: '"
	elif [ -s "$tmp/out" ]; then
		fail "$what: output on stdout"
	else
		pass "$what: $(cat "$tmp/err")"
	fi
}

if [ ! -x "$TUBES" ]; then
	echo "tubes binary not found: $TUBES"
	exit 1
fi

run --version
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "tubes 0.1.0" ]; then
	pass "--version"
else
	fail "--version: exit $rc, output '$(cat "$tmp/out")'"
fi

run --help
if [ "$rc" -ne 0 ]; then
	fail "--help: exit $rc"
elif [ -s "$tmp/err" ]; then
	fail "--help: wrote on stderr"
else
	missing=
	for opt in --dump --json --panes --duration --count --interval \
	    --numeric --port --help --version --interface --filter --read \
	    --write --server --query --protocol --max-ttl --dns-timeout \
	    --dns-tries --fetch --lab --first-ttl --ecmp; do
		grep -q -- "$opt" "$tmp/out" || missing="$missing $opt"
	done
	if [ -n "$missing" ]; then
		fail "--help does not list:$missing"
	else
		pass "--help lists every option"
	fi
fi

usage_error "unknown flag" --bogus-flag
usage_error "unknown short flag" -Z
usage_error "--json without --dump" --json
usage_error "--panes bogus" --dump --panes bogus
usage_error "-m 0" --dump --panes trace -m 0 127.0.0.1
usage_error "-m 256" --dump --panes trace -m 256 127.0.0.1
usage_error "-P bogus" --dump --panes trace -P bogus 127.0.0.1
usage_error "--first-ttl past -m" --dump --panes trace --first-ttl 5 -m 4 \
    127.0.0.1
usage_error "-4 with an IPv6 target" --dump --panes trace -n -4 ::1
usage_error "-6 with an IPv4 target" --dump --panes trace -n -6 127.0.0.1
usage_error "multicast target" --dump --panes trace -n 224.0.0.1
usage_error "unspecified target" --dump --panes trace -n 0.0.0.0
usage_error "trace option without the trace pane" --dump --panes dns --ecmp
usage_error "-t -1" --dump -t -1
usage_error "-t junk" --dump -t 1s
usage_error "--fetch without a URL" --dump --fetch
usage_error "--lab with a target" --dump --lab 127.0.0.1
usage_error "capture option without the http pane" --dump --panes dns -i lo
usage_error "-i with -r" --dump -i lo -r x.pcap
usage_error "bad target" --dump 'ftp://example.com/'

run
if [ "$rc" -ne 2 ]; then
	fail "no terminal, no --dump: exit $rc, want 2"
elif ! grep -q '^tubes: .*not a terminal.*--dump' "$tmp/err"; then
	fail "no terminal, no --dump: message '$(cat "$tmp/err")'"
else
	pass "no terminal, no --dump: $(cat "$tmp/err")"
fi

run --dump --panes sockets -t 0
if [ "$rc" -ne 0 ]; then
	fail "--dump -t 0: exit $rc: $(cat "$tmp/err")"
elif ! grep -q -E 'LISTEN|ESTABLISHED|TIME_WAIT|total' "$tmp/out"; then
	fail "--dump -t 0: no state in the report"
elif ! head -n 1 "$tmp/out" |
    grep -q '^tubes 0.1.0 .* started .*, sampled '; then
	fail "--dump -t 0: header line '$(head -n 1 "$tmp/out")'"
else
	pass "--dump --panes sockets -t 0"
fi

run --dump --json -t 0 --panes sockets
if [ "$rc" -ne 0 ]; then
	fail "--dump --json: exit $rc: $(cat "$tmp/err")"
elif ! grep -q '"tubes": "0.1.0"' "$tmp/out" ||
    ! grep -q '"sockets": {' "$tmp/out"; then
	fail "--dump --json: no \"tubes\" or \"sockets\" key"
elif grep -q '"dns"' "$tmp/out"; then
	fail "--dump --json: a \"dns\" key for a pane that did not run"
else
	pass "--dump --json keys"
fi
if [ "$rc" -eq 0 ]; then
	if command -v python3 >/dev/null 2>&1; then
		if python3 -m json.tool "$tmp/out" >/dev/null \
		    2>"$tmp/jerr"; then
			pass "--dump --json is valid JSON"
		else
			fail "--dump --json: bad JSON: $(cat "$tmp/jerr")"
		fi
		# Exactly the keys of the contract that apply, and a target.
		run --dump --json -t 0 --panes sockets http://127.0.0.1:8080/x
		if [ "$rc" -eq 0 ] && python3 - "$tmp/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["sockets"]
assert d["tubes"] == "0.1.0" and isinstance(d["duration_ms"], int)
assert d["started"].endswith("Z")
assert d["target"] == {"input": "http://127.0.0.1:8080/x",
    "host": "127.0.0.1", "address": "127.0.0.1", "port": 8080}
assert all(k not in d for k in ("dns", "trace", "http", "journey"))
lo, hi = s["ephemeral_range"]
assert 0 < lo <= hi
assert all(isinstance(v, int) and v > 0 for v in s["states"].values())
assert s["rates_per_s"] is None
for r in s["remotes"]:
    for k in ("remote", "states", "ephemeral_ports_used",
        "port_pressure_pct", "new_per_s", "side", "process"):
        assert k in r, k
    assert r["new_per_s"] is None
for a in s["alerts"]:
    assert "kind" in a and "remote" in a and "message" in a
EOF
		then
			pass "--dump --json matches the contract"
		else
			fail "--dump --json does not match the contract"
		fi
	else
		echo "skip: python3 missing, JSON not validated"
	fi
fi

# A trace of loopback: allowed from any namespace, with or without
# CAP_NET_RAW (unprivileged, UDP probes with IP_RECVERR).
run --dump --panes trace -n -c 2 127.0.0.1
if [ "$rc" -ne 0 ]; then
	fail "trace 127.0.0.1: exit $rc: $(cat "$tmp/err")"
elif ! grep -q '^TRACE to 127.0.0.1, .* 2 cycles, .* reached' "$tmp/out" ||
    ! grep -q '^  1\. 127\.0\.0\.1  *0\.0%  *2 ' "$tmp/out"; then
	fail "trace 127.0.0.1: report '$(cat "$tmp/out")'"
else
	pass "trace 127.0.0.1 (text)"
fi
if command -v python3 >/dev/null 2>&1; then
	run --dump --json --panes trace -n -c 3 127.0.0.1
	if [ "$rc" -eq 0 ] && python3 - "$tmp/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["trace"]
assert all(k not in d for k in ("dns", "sockets", "http"))
assert d["target"]["address"] == "127.0.0.1"
assert t["target"] == "127.0.0.1" and t["reached"] is True
assert t["protocol"] in ("icmp", "udp") and t["cycles"] == 3
assert t["error"] is None and t["path_mtu"] is None
assert t["probes_sent"] >= 3 and isinstance(t["mode"], str)
assert len(t["hops"]) == 1
h = t["hops"][0]
assert h["ttl"] == 1 and h["sent"] == 3 and h["received"] == 3
assert h["loss_pct"] == 0 and h["note"] is None
r = h["responders"][0]
assert r["address"] == "127.0.0.1" and r["name"] is None
assert r["is_target"] is True and r["sent"] == 3 and r["received"] == 3
for k in ("last_ms", "avg_ms", "best_ms", "worst_ms", "stddev_ms"):
    assert isinstance(r[k], (int, float)) and r[k] >= 0, k
assert r["best_ms"] <= r["avg_ms"] <= r["worst_ms"]
assert r["mpls"] == [] and r["flows"] == [0]
EOF
	then
		pass "trace 127.0.0.1 --json matches the contract"
	else
		fail "trace 127.0.0.1 --json: exit $rc: $(cat "$tmp/err")"
	fi
fi

if [ "$fails" -ne 0 ]; then
	echo "$fails check(s) failed"
	exit 1
fi
exit 0
