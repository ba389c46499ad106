#!/bin/sh
# Terminal safety: hostile bytes from the network never reach the terminal
# or a dump as they came.  Inputs:
#   - a capture from tests/pcapgen.py hostile: an HTTP request line, Host,
#     path, header names and values, a response reason and Content-Type,
#     a TLS SNI, and passive DNS answers (CNAME, PTR, TXT and owner names),
#     all carrying ESC [ 2 J, OSC 52 (clipboard), OSC 0 (title), 0x9b,
#     C1 bytes 0x80-0x9f raw and as UTF-8, the bidi controls U+202E,
#     U+2066-U+2069 and U+200F, invalid UTF-8 and NUL;
#   - tests/dnsd's hostile.t: the same in a CNAME target, a TXT string and
#     a PTR target, asked for by the DNS pane.
# The dumps (text and JSON) must be valid UTF-8 with no C0 (but newline
# and tab), DEL, C1 or bidi control code point, and show the escapes
# instead (JSON strings checked after decoding too).  The TUI, in tmux
# (capture-pane -e keeps escapes): no ESC but tmux's own SGR colours, no
# U+009B, no OSC, no C1 or bidi code point; the pane title and tmux's
# paste buffers (set-clipboard on) untouched by OSC 0 and OSC 52; the
# escaped text on the screen.  The TUI part is left out without tmux.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/dnslib.sh"

need_python
need_tool timeout
[ -x "$TUBES" ] || hard_error "no tubes binary at $TUBES"
PCAPGEN=$top_srcdir/tests/pcapgen.py
D=$DNS_DIR
SOCKS=
T=:
term_cleanup()
{
	for _s in $SOCKS; do
		tb_tmux_kill "$_s"
	done
	dns_cleanup
}
trap term_cleanup EXIT

python3 "$PCAPGEN" -o "$D/hostile.pcap" hostile || hard_error "pcapgen failed"
dnsd_start 127.0.0.1
S=127.0.0.1:$DNSD_PORT

# clean WHAT FILE KIND [MUST-SHOW...]: FILE (a dump, or a tmux capture
# when KIND is "screen") holds no dangerous code point and shows each
# MUST-SHOW text (the escaped form of the payload).
clean()
{
	python3 - "$@" <<'EOF' || _tb_failed=$((_tb_failed + 1))
import json, re, sys

what, path, kind = sys.argv[1:4]
must = sys.argv[4:]
raw = open(path, "rb").read()
bad = []


def danger(cp):
    return ((cp < 0x20 and cp not in (0x0a, 0x09)) or 0x7f <= cp <= 0x9f or
            cp == 0x061c or 0x200e <= cp <= 0x200f or
            0x2028 <= cp <= 0x202e or 0x2066 <= cp <= 0x2069)


def scan(where, text, allow_sgr=False):
    if allow_sgr:
        # tmux's own colours and attributes: ESC [ params m, nothing else.
        text = re.sub("\x1b\\[[0-9;:]*m", "", text)
    for i, ch in enumerate(text):
        if danger(ord(ch)):
            bad.append("%s: U+%04X at %d: %r" % (where, ord(ch), i,
                       text[max(0, i - 20):i + 20]))
            if len(bad) > 5:
                return


try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    bad.append("not valid UTF-8: %s" % e)
    text = raw.decode("utf-8", "replace")
scan("raw", text, allow_sgr=(kind == "screen"))
if kind == "json":
    def walk(v, where):
        if isinstance(v, str):
            scan(where, v)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, "%s[%d]" % (where, i))
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k, where + " key")
                walk(x, "%s.%s" % (where, k))
    try:
        walk(json.loads(text), "json")
    except ValueError as e:
        bad.append("not valid JSON: %s" % e)
for m in must:
    if m not in text:
        bad.append("does not show %r" % m)
name = "term_safety"
if bad:
    for b in bad:
        sys.stderr.write("%s: MISMATCH: %s: %s\n" % (name, what, b))
    sys.exit(1)
sys.stderr.write("%s: ok: %s: clean (%d bytes)\n" % (name, what, len(raw)))
EOF
}

# dump WHAT KIND ARGS...: tubes --dump [--json] ARGS into a file; exit 0.
dump()
{
	_w=$1 _k=$2
	shift 2
	_j=
	[ "$_k" = json ] && _j=--json
	timeout -s KILL 60 "$TUBES" --dump $_j "$@" >"$D/$_w" 2>"$D/$_w.err" \
	    </dev/null
	check_eq "$_w: exit" $? 0
	tb_sanitizer_report "$D/$_w.err" && _tb_failed=$((_tb_failed + 1))
}

# --- the dumps ------------------------------------------------------------
for k in text json; do
	dump "pcap.$k" $k --panes http,dns -r "$D/hostile.pcap"
	if [ $k = json ]; then
		clean "pcap.$k" "$D/pcap.$k" $k '\\x1b[2J' '\\xe2\\x80\\xae' \
		    '\\027[2J'
	else
		clean "pcap.$k" "$D/pcap.$k" $k '\x1b[2J' '\xe2\x80\xae' \
		    '\027[2J'
	fi
	dump "dns.$k" $k --panes dns -s "$S" -q hostile.t -q hostile.t/TXT \
	    -q hostile.t/PTR
	if [ $k = json ]; then
		clean "dns.$k" "$D/dns.$k" $k '\\027[2J' '\\226\\128\\174'
	else
		clean "dns.$k" "$D/dns.$k" $k '\027[2J' '\226\128\174'
	fi
done
check_true "pcap.json: the exchange, the TLS hello and 3 DNS answers" \
    "$(json_get "$D/pcap.json" 'len(d["http"]["exchanges"]) >= 1 and len(d["http"]["tls"]) == 1 and len(d["dns"]["passive"]) == 3')"
check_true "dns.json: the three hostile answers" \
    "$(json_get "$D/dns.json" 'all(r["status"] == "NOERROR" and r["answers"] for r in d["dns"]["lookups"])')"

# --- the TUI --------------------------------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
	tb_log "tmux missing: the TUI part is not run"
	check_done
fi

# session NAME CMD: a new tmux server running CMD in a 200x50 window,
# clipboard escapes accepted into paste buffers (so a leak would show).
session()
{
	# A new server each time: one on the socket of a server still
	# shutting down fails with "server exited unexpectedly".
	[ -n "$SOCKS" ] && tb_tmux_kill "${SOCKS##* }"
	SOCKS="$SOCKS tubes-term-$$-$1"
	T="tmux -L tubes-term-$$-$1 -f /dev/null"
	$T set-option -g set-clipboard on \; new -d -x 200 -y 50 \
	    "env LANG=C.UTF-8 LC_ALL=C.UTF-8 $2; sleep 60" ||
	    hard_error "cannot start tmux"
	SESSION=$1
}

# shot TAG WAIT-TEXT: once the screen shows WAIT-TEXT (10 s at most), the
# screen with its escapes into a file, checked by clean.
shot()
{
	_tag=$1 _n=0
	while ! $T capture-pane -p 2>/dev/null | grep -qF -- "$2"; do
		_n=$((_n + 1))
		if [ "$_n" -gt 100 ]; then
			tb_log "MISMATCH: $SESSION $1: no \"$2\" on the screen:"
			$T capture-pane -p >&2
			_tb_failed=$((_tb_failed + 1))
			return
		fi
		sleep 0.1
	done
	sleep 0.3	# the rest of the frame
	$T capture-pane -p -e >"$D/screen.$SESSION.$1" ||
	    hard_error "capture-pane failed"
	shift 2
	clean "tui $SESSION $_tag" "$D/screen.$SESSION.$_tag" screen "$@"
	_t=$($T display -p '#{pane_title}')
	case $_t in
	*title*) tb_log "MISMATCH: $SESSION: OSC 0 set the title to '$_t'"
		_tb_failed=$((_tb_failed + 1)) ;;
	esac
	if [ -n "$($T list-buffers 2>/dev/null)" ]; then
		tb_log "MISMATCH: $SESSION: OSC 52 reached tmux's buffers"
		_tb_failed=$((_tb_failed + 1))
	fi
}

keys()
{
	$T send-keys "$@" || hard_error "send-keys $*"
}

session http "'$TUBES' --panes http -r '$D/hostile.pcap'"
shot table "404" '\x1b[2J'
# The last row (selected while following) is the TLS hello: its SNI.
keys d
shot tls "server name (SNI)" '\x1b[2J' '\xe2\x80\xae'
keys Escape Up d
shot detail "Request headers" '\x1b[2J' '\xe2\x80\xae'

session dnsq "'$TUBES' --panes dns -s $S -q hostile.t -q hostile.t/TXT \
    -q hostile.t/PTR"
shot table "NOERROR" '[2J'
keys Enter
shot enter "NOERROR" '[2J'
# Passive DNS answers are not shown by the TUI's DNS pane (yet): their
# escaping is checked in the dumps above.
check_done
