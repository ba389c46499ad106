/*
 * The trace pane: a row per TTL with its responders and their RTT
 * statistics, or (key m) the same path drawn as a map of boxes and arrows,
 * client at the top, target at the bottom, load-balanced branches side by
 * side.  Both views are lists of lines the UI scrolls.
 *
 * A hop's lines: one per responder (the first on the TTL's own line,
 * further ECMP responders indented under it), a line under a responder
 * for its unreachable reason and MPLS labels, and the hop's note in words
 * ("rate limiting ICMP") at the end of the row when it fits, else on a
 * dimmed line under it.
 *
 * Addresses come from inet_ntop and names from the DNS engine; both still
 * go through tb_sanitize before they reach the screen.
 */
#include "config.h"

#include "view/pane.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "opts.h"
#include "sanitize.h"
#include "model/icmp_parse.h"
#include "model/trace.h"
#include "view/theme.h"
#include "view/ui.h"
#include "view/widgets.h"

#define TP_HOST_MAX	(TB_SAN_BOUND(256) + TB_SAN_BOUND(TRACE_ADDRSTRLEN) + 4)
#define TP_TEXT_MAX	(TP_HOST_MAX + 64)	/* one composed line */
#define TP_BOX_MIN	16	/* map box, border included */
#define TP_BOX_MAX	44
#define TP_BOX_GAP	2
#define TP_BOX_LINES	4	/* top, two lines of text, bottom */
#define TP_NO_TARGET	"no target: run tubes HOST or tubes ADDRESS"

enum tp_col_id {
	TP_COL_TTL, TP_COL_HOST, TP_COL_LOSS, TP_COL_SNT, TP_COL_LAST,
	TP_COL_AVG, TP_COL_BEST, TP_COL_WRST, TP_COL_STDEV, TP_COL_HIST,
	TP_NCOLS
};

/* mtr's column names, which users know.  Prio 0-3 fill 76 of 78. */
static const struct widgets_col tp_cols[TP_NCOLS] = {
	[TP_COL_TTL] =	 { "TTL", 3, 0, WIDGETS_RIGHT },
	[TP_COL_HOST] =	 { "Host", 16, 0, WIDGETS_LEFT },
	[TP_COL_LOSS] =	 { "Loss%", 5, 0, WIDGETS_RIGHT },
	[TP_COL_SNT] =	 { "Snt", 5, 0, WIDGETS_RIGHT },
	[TP_COL_LAST] =	 { "Last", 5, 0, WIDGETS_RIGHT },
	[TP_COL_AVG] =	 { "Avg", 5, 0, WIDGETS_RIGHT },
	[TP_COL_BEST] =	 { "Best", 5, 1, WIDGETS_RIGHT },
	[TP_COL_WRST] =	 { "Wrst", 5, 1, WIDGETS_RIGHT },
	[TP_COL_STDEV] = { "StDev", 5, 2, WIDGETS_RIGHT },
	[TP_COL_HIST] =	 { "RTT", 8, 3, WIDGETS_LEFT },
};
_Static_assert(TP_NCOLS <= WIDGETS_MAX_COLS, "tp_cols fit a widgets_table");

/*
 * Spare width: a full IPv6 address (39) first, then the sparkline, then
 * room for names.  What is left over holds the hops' notes.
 */
static const struct widgets_grow tp_grow[] = {
	{ TP_COL_HOST, 39 }, { TP_COL_HIST, 20 }, { TP_COL_HOST, 56 },
	{ TP_COL_HIST, 30 },
};

/* The lines one hop takes, in the order they are drawn. */
struct tp_lines {
	size_t	 nresp;				/* responders drawn */
	int	 has_sub[TRACE_MAX_RESPONDERS];	/* unreachable, MPLS */
	int	 is_note_inline;		/* note at the row's end */
	int	 has_note;			/* note on its own line */
	int	 has_more;			/* responders not kept */
	size_t	 total;
};

enum tp_kind { TP_LINE_RESP, TP_LINE_SUB, TP_LINE_NOTE, TP_LINE_MORE };

/* What one frame draws into. */
struct tp_frame {
	struct pane		*p;
	WINDOW			*win;
	const struct theme	*t;
	const struct trace	*tr;
	const char		*filter;
	int			 x, w;		/* inner columns */
	int			 y, ybot;	/* next row, end */
	struct widgets_table	 tb;
	int			 spare;		/* columns right of the table */
	const struct trace_hop	*h;		/* the hop being drawn */
	struct tp_lines		 l;		/* and its lines */
};

/*
 * One trace pane per UI: its view state lives here, not in the model.
 * The trace itself is read from the UI's models at every use: a hostname
 * target's trace only starts once the name resolves.
 */
static struct {
	const struct ui_models	*models;
	int			 is_map;
} tp_state;

static const char *const pane_trace_help[] = {
	"# Trace",
	"The route to the target, probed continuously: every TTL is probed "
	"at once each cycle, so the whole path appears within a round trip. "
	"A router that gets a probe whose TTL runs out answers with an ICMP "
	"time-exceeded message; that is how each hop is found.",
	"- TTL: the hop's distance. Host: who answered (its reverse DNS "
	"name when known, and for the target the name it was looked up by; "
	"-n shows addresses only). Several answers at one TTL are "
	"load-balanced branches (ECMP), one line each.",
	"- Loss%: probes at this TTL that got no answer. Snt: probes whose "
	"fate is known. Loss% and Snt are per TTL; the RTT columns are per "
	"responder.",
	"- Last / Avg / Best / Wrst / StDev: round-trip times in "
	"milliseconds: the latest, the mean, the lowest, the highest, and "
	"how much they vary. RTT: their history, one mark per cycle.",
	"- (no reply): a hop that never answered. Routers that filter or "
	"never send ICMP are common; the trace goes on past them.",
	"Loss at a hop with no loss after it is not packet loss: routers "
	"answer traceroute probes from their control plane, which limits "
	"ICMP messages (rate limiting, control plane policing) while still "
	"forwarding traffic at full speed. Such hops say \"rate limiting "
	"ICMP, not loss\". Loss that starts at a hop and goes on to the "
	"target is real; loss only at the target is the target's own "
	"limit or real loss to it.",
	"Paris-style probing: load balancers pick a path from a hash of the "
	"packet's flow fields (addresses, ports, ICMP id). tubes keeps those "
	"fields the same for every probe, so one trace follows one path and "
	"never mixes hops of different branches. With --ecmp each cycle "
	"also sends probes of several flows to discover every branch; each "
	"responder keeps its own statistics.",
	"Unreachable answers (net, host, port, administratively prohibited) "
	"and MPLS labels (RFC 4950, from routers inside an MPLS tunnel) show "
	"on a line under the responder. pmtu in the title is the path MTU, "
	"learnt from too-big / fragmentation-needed errors.",
	"Probe modes (in the title): raw sockets send ICMP, UDP or TCP "
	"probes and read every ICMP answer; they need CAP_NET_RAW: sudo "
	"setcap cap_net_raw+ep $(command -v tubes) (or run as root). "
	"Without it tubes uses ICMP datagram sockets (icmp-dgram) where "
	"the sysctl net.ipv4.ping_group_range includes your group, else UDP "
	"probes with IP_RECVERR (udp-recverr), as tracepath does: no "
	"privilege at all.",
	"- m: the hop map: the path drawn as boxes and arrows, this host at "
	"the top, the target at the bottom (a double box), load-balanced "
	"branches side by side, silent hops dashed. m again for the table "
	"(the / filter applies to the table); Enter zooms either.",
	NULL
};

/* --- text ---------------------------------------------------------------- */

static void
tp_san(char *buf, size_t len, const char *s)
{
	tb_sanitize_str(buf, len, s != NULL ? s : "");
}

static void
tp_fmt_loss(char *buf, size_t len, const struct trace_hop *h)
{
	if (h->sent == 0)
		snprintf(buf, len, "-");
	else if (h->loss_pct >= 0 && h->loss_pct <= 100)
		snprintf(buf, len, "%.1f", h->loss_pct);
	else
		snprintf(buf, len, "?");
}

/*
 * The host as shown in w columns: "name (address)" when both fit, the
 * name alone (cut) when not, the address when there is no name.
 */
static const char	*tp_name(const struct trace_responder *);

static void
tp_host_text(char *buf, size_t len, const struct trace_responder *r, int w)
{
	char		 name[TB_SAN_BOUND(256)];
	char		 addr[TB_SAN_BOUND(TRACE_ADDRSTRLEN)];
	const char	*nm = tp_name(r);

	tb_sanitize(addr, sizeof(addr), r->addr_str, strnlen(r->addr_str,
	    sizeof(r->addr_str)), 0, 0);
	if (nm == NULL || nm[0] == '\0') {
		snprintf(buf, len, "%s", addr);
		return;
	}
	tb_sanitize_escaped(name, sizeof(name), nm, 255);
	if (strcmp(name, addr) != 0 && widgets_width(name) +
	    widgets_width(addr) + 3 <= w)
		snprintf(buf, len, "%s (%s)", name, addr);
	else
		snprintf(buf, len, "%s", name);
}

/* Port unreachable from a UDP target is how the trace ends, not news. */
static int
tp_has_unreach(const struct trace_responder *r)
{
	return r->unreach != 0 && !(r->is_target && r->unreach == ICMP_R_PORT);
}

/* Unreachable reason and MPLS labels, "" when the responder has none. */
static void
tp_sub_text(char *buf, size_t len, const struct trace_responder *r)
{
	const char	*reason;
	size_t		 n = 0;
	unsigned	 i, nm = r->nmpls < PROBE_MAX_MPLS ? r->nmpls :
			    PROBE_MAX_MPLS;

	buf[0] = '\0';
	if (tp_has_unreach(r)) {
		reason = trace_unreach_str(r->unreach);
		tp_san(buf, len, reason != NULL ? reason : "unreachable");
		n = strlen(buf);
	}
	/* The label stack, top first, as the text dump writes it. */
	for (i = 0; i < nm && n + 1 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%" PRIu32,
		    i > 0 ? "/" : n > 0 ? "  MPLS " : "MPLS ", r->mpls[i]);
}

static int
tp_has_sub(const struct trace_responder *r)
{
	return tp_has_unreach(r) || r->nmpls > 0;
}

static size_t
tp_nresp(const struct trace_hop *h)
{
	if (h->responders == NULL)
		return 0;
	return h->nresponders < TRACE_MAX_RESPONDERS ? h->nresponders :
	    TRACE_MAX_RESPONDERS;
}

/*
 * The hop's note in words.  The model's trace_note_str() is a label for
 * reports ("rate limiting"); here the reader gets what it means.
 */
static const char *
tp_note_text(const struct trace_hop *h)
{
	switch (h->note) {
	case TRACE_NOTE_SILENT:
		return "silent: this router sends no ICMP (filtered)";
	case TRACE_NOTE_RATELIMIT:
		return "rate limiting ICMP, not loss";
	case TRACE_NOTE_LOSS:
		return "loss from here on";
	case TRACE_NOTE_DEST_LOSS:
		return "target loses probes";
	}
	return NULL;
}

/* Rate limiting is not an alarm; real loss is. */
static attr_t
tp_loss_attr(const struct theme *t, const struct trace_hop *h)
{
	if (h->nresponders == 0 && h->sent > 0)
		return theme_attr(t, THEME_DIM);
	if (h->note == TRACE_NOTE_RATELIMIT)
		return theme_attr(t, THEME_BORDER_FOCUS);
	if (h->sent > 0 && h->loss_pct > 0)
		return theme_attr(t, THEME_WARN);
	return theme_attr(t, THEME_NORMAL);
}

static attr_t
tp_note_attr(const struct theme *t, const struct trace_hop *h)
{
	switch (h->note) {
	case TRACE_NOTE_RATELIMIT:
		return theme_attr(t, THEME_BORDER_FOCUS);
	case TRACE_NOTE_LOSS:
	case TRACE_NOTE_DEST_LOSS:
		return theme_attr(t, THEME_WARN);
	}
	return theme_attr(t, THEME_DIM);
}

/* --- which lines a hop takes --------------------------------------------- */

/* The columns that fit f's width; right of them go the hops' notes. */
static void
tp_fit(struct tp_frame *f)
{
	widgets_table_fit(&f->tb, tp_cols, TP_NCOLS, tp_grow,
	    sizeof(tp_grow) / sizeof(tp_grow[0]), f->x, f->w);
	f->spare = f->x + f->w - f->tb.right;
}

/* The inner width of the pane, as draw will see it. */
static int
tp_inner_w(const struct pane *p)
{
	return p->rect.w - 2;
}

static void
tp_hop_lines(const struct trace_hop *h, int spare, struct tp_lines *l)
{
	const char	*note = tp_note_text(h);
	size_t		 i;

	memset(l, 0, sizeof(*l));
	l->nresp = tp_nresp(h);
	l->total = l->nresp > 0 ? l->nresp : 1;
	for (i = 0; i < l->nresp; i++)
		if ((l->has_sub[i] = tp_has_sub(&h->responders[i])))
			l->total++;
	if (note != NULL) {
		l->is_note_inline = spare >= widgets_width(note) + 2;
		l->has_note = !l->is_note_inline;
		l->total += (size_t)l->has_note;
	}
	l->has_more = h->nresponders_dropped > 0 ||
	    h->nresponders > l->nresp;
	l->total += (size_t)l->has_more;
}

/* Line k of a hop: its kind, and for responder lines the responder. */
static enum tp_kind
tp_line_kind(const struct tp_lines *l, size_t k, size_t *resp)
{
	size_t	i;

	*resp = 0;
	if (l->nresp == 0) {
		if (k == 0)
			return TP_LINE_RESP;
		k--;
	}
	for (i = 0; i < l->nresp; i++) {
		*resp = i;
		if (k-- == 0)
			return TP_LINE_RESP;
		if (l->has_sub[i] && k-- == 0)
			return TP_LINE_SUB;
	}
	if (l->has_note && k-- == 0)
		return TP_LINE_NOTE;
	return TP_LINE_MORE;
}

static int
tp_hop_matches(const struct trace_hop *h, const char *filter)
{
	const struct trace_responder	*r;
	const char			*note = tp_note_text(h);
	char				 ttl[16];
	size_t				 i, n = tp_nresp(h);

	if (*filter == '\0')
		return 1;
	snprintf(ttl, sizeof(ttl), "%u", h->ttl);
	if (strcmp(ttl, filter) == 0 ||
	    (note != NULL && strcasestr(note, filter) != NULL) ||
	    (n == 0 && strcasestr("(no reply)", filter) != NULL))
		return 1;
	for (i = 0; i < n; i++) {
		r = &h->responders[i];
		if (strcasestr(r->addr_str, filter) != NULL ||
		    (r->name != NULL && strcasestr(r->name, filter) != NULL))
			return 1;
	}
	return 0;
}

/* widgets_rows: the lines of hop i, kept in the frame for tp_rows_draw. */
static size_t
tp_rows_nlines(void *arg, size_t i)
{
	struct tp_frame	*f = arg;

	if ((f->h = trace_hop(f->tr, i)) == NULL ||
	    !tp_hop_matches(f->h, f->filter))
		return 0;
	tp_hop_lines(f->h, f->spare, &f->l);
	return f->l.total;
}

static void	tp_rows_draw(void *, size_t, size_t, size_t, int);

/* The table's hops, as the UI scrolls them. */
static const struct widgets_rows tp_rows = {
	.nlines = tp_rows_nlines,
	.draw = tp_rows_draw,
};

/* --- the map's shape --------------------------------------------------- */

/*
 * The map is a column of box rows: this host, one row per hop, and a
 * dashed target box while the target is not reached.  A row is a
 * connector line (arrows) then a box; the first row has no connector.
 */
static size_t
tp_map_nboxrows(const struct trace *tr)
{
	return 1 + trace_nhops(tr) + (trace_is_reached(tr) ? 0 : 1);
}

static size_t
tp_map_nlines(const struct trace *tr)
{
	return TP_BOX_LINES + (tp_map_nboxrows(tr) - 1) * (TP_BOX_LINES + 1);
}

/* Box slots that fit side by side in w columns. */
static size_t
tp_map_slots(int w)
{
	int	n = (w + TP_BOX_GAP) / (TP_BOX_MIN + TP_BOX_GAP);

	return n < 1 ? 1 : (size_t)n;
}

/* Boxes in row (0: this host); *nshown responders, *is_more a "+N" box. */
static size_t
tp_map_nboxes(const struct trace *tr, size_t row, int w, size_t *nshown,
    int *is_more)
{
	const struct trace_hop	*h;
	size_t			 n, slots = tp_map_slots(w);

	*nshown = 0;
	*is_more = 0;
	if (row == 0 || row > trace_nhops(tr) ||
	    (h = trace_hop(tr, row - 1)) == NULL)
		return 1;
	n = tp_nresp(h);
	if (n == 0)
		return 1;
	if (n + (h->nresponders_dropped > 0) <= slots || slots == 1) {
		*nshown = n < slots ? n : slots;
		return *nshown;
	}
	*nshown = slots - 1;
	*is_more = 1;
	return slots;
}

/* Where box i of n starts, and its width, in a map w columns wide at x. */
static void
tp_map_box_at(int x, int w, size_t n, size_t i, int *bx, int *bw)
{
	int	total;

	*bw = (w - (int)(n - 1) * TP_BOX_GAP) / (int)n;
	if (*bw > TP_BOX_MAX)
		*bw = TP_BOX_MAX;
	total = *bw * (int)n + (int)(n - 1) * TP_BOX_GAP;
	*bx = x + (w - total) / 2 + (int)i * (*bw + TP_BOX_GAP);
}

/* --- pane ops ------------------------------------------------------------ */

/* The trace, once there is one. */
static const struct trace *
tp_trace(const struct pane *p)
{
	(void)p;
	return tp_state.models != NULL ? tp_state.models->trace : NULL;
}

/*
 * A responder's name: for the target the name DNS gave its address (what
 * the user asked for, not the PTR's idea of it), else the trace's reverse
 * name, else any name DNS gave the address elsewhere.
 */
static const char *
tp_name(const struct trace_responder *r)
{
	const char	*fwd = pane_name_of_bytes(tp_state.models, r->family,
			    r->addr);

	if (r->is_target && fwd != NULL)
		return fwd;
	if (r->name != NULL && r->name[0] != '\0')
		return r->name;
	return fwd;
}

/* Why there is no trace ("resolving x"), or NULL. */
static const char *
tp_why(void)
{
	const char	*s = tp_state.models != NULL ?
			    tp_state.models->trace_why : NULL;

	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A trace pane with no model still tells how to get one. */
static int
pane_trace_attach(struct pane *p, const struct ui_models *m)
{
	if (m == NULL)
		return -1;
	tp_state.models = m;
	p->model = NULL;	/* read through tp_trace(), it may come later */
	return 0;
}

static uint64_t
pane_trace_generation(const struct pane *p)
{
	const struct trace	*tr = tp_trace(p);
	uint64_t		 g = tr != NULL ? trace_generation(tr) : 0;
	const char		*why = tp_why();

	size_t			 i;

	/* The trace appearing, or the reason it has not, changes the pane:
	 * the reason's FNV-1a hash stands for its generation. */
	if (tr == NULL && why != NULL)
		for (i = 0, g = 0xcbf29ce484222325ULL; why[i] != '\0' &&
		    i < 512; i++)
			g = (g ^ (unsigned char)why[i]) * 0x100000001b3ULL;
	/* A name learned later relabels a hop. */
	return (g * 4 + (uint64_t)(tr != NULL) * 2 +
	    (uint64_t)tp_state.is_map) ^ pane_names_generation(tp_state.models);
}

static size_t
pane_trace_nrows(const struct pane *p)
{
	struct tp_frame	f;

	memset(&f, 0, sizeof(f));
	if ((f.tr = tp_trace(p)) == NULL)
		return 0;
	if (tp_state.is_map)
		return tp_map_nlines(f.tr);
	f.filter = p->filter;
	f.w = tp_inner_w(p);
	tp_fit(&f);
	return widgets_rows_count(&tp_rows, &f, trace_nhops(f.tr));
}

static void
pane_trace_title(const struct pane *p, char *buf, size_t len)
{
	const struct trace	*tr = tp_trace(p);
	char			 tgt[TB_SAN_BOUND(TRACE_ADDRSTRLEN)];
	char			 proto[32], mode[32], err[TB_SAN_BOUND(64)];
	size_t			 n;

	if (tr == NULL) {
		snprintf(buf, len, "%s", tp_why() != NULL ? "waiting" :
		    "no target");
		return;
	}
	tp_san(tgt, sizeof(tgt), trace_target_str(tr));
	tp_san(proto, sizeof(proto), trace_protocol_str(tr));
	tp_san(mode, sizeof(mode), trace_mode_str(tr));
	n = (size_t)snprintf(buf, len, "%s %s %s, %u cycle%s, %s", tgt, proto,
	    mode, trace_ncycles(tr), trace_ncycles(tr) == 1 ? "" : "s",
	    trace_is_reached(tr) ? "reached" : "not reached");
	if (n < len && trace_path_mtu(tr) != 0)
		n += (size_t)snprintf(buf + n, len - n, ", pmtu %" PRIu32,
		    trace_path_mtu(tr));
	if (n < len && trace_error(tr) != NULL) {
		tb_sanitize(err, sizeof(err), trace_error(tr),
		    strlen(trace_error(tr)), 64, 0);
		snprintf(buf + n, len - n, ", error: %s", err);
	}
}

static int
pane_trace_key(struct pane *p, int key)
{
	if (key != 'm' && key != 'M')
		return 0;
	tp_state.is_map = !tp_state.is_map;
	p->scroll = 0;
	return 1;
}

/* --- drawing the table --------------------------------------------------- */

static void
tp_cell(struct tp_frame *f, int y, int col, attr_t a, const char *s)
{
	widgets_table_cell(f->win, f->t, &f->tb, y, col, a, s);
}

/* Text from the host column to the right edge, indent columns in. */
static void
tp_span(struct tp_frame *f, int y, int indent, attr_t a, const char *s)
{
	int	x = f->tb.cx[TP_COL_HOST] + indent;

	if (x < f->x + f->w)
		widgets_cell(f->win, f->t, y, x, f->x + f->w - x, a,
		    WIDGETS_LEFT, s);
}

static void
tp_draw_hist(struct tp_frame *f, int y, size_t hop, size_t resp)
{
	float		 ms[TRACE_HISTORY_LEN];
	unsigned	 us[TRACE_HISTORY_LEN];
	size_t		 i, n;

	if (f->tb.cw[TP_COL_HIST] == 0)
		return;
	n = trace_responder_history(f->tr, hop, resp, ms, TRACE_HISTORY_LEN);
	if (n > TRACE_HISTORY_LEN)
		n = TRACE_HISTORY_LEN;
	/* A lost probe (no sample, or not a positive time) is a gap. */
	for (i = 0; i < n; i++)
		us[i] = !(ms[i] > 0) ? 0 : ms[i] > 4e6 ? 4000000000U :
		    (unsigned)(ms[i] * 1000) + 1;
	widgets_spark(f->win, f->t, y, f->tb.cx[TP_COL_HIST],
	    f->tb.cw[TP_COL_HIST], theme_attr(f->t, THEME_BORDER_FOCUS), us, n);
}

static void
tp_draw_rtts(struct tp_frame *f, int y, const struct trace_responder *r)
{
	char	buf[32];
	attr_t	n = theme_attr(f->t, THEME_NORMAL);
	int	has = r->received > 0;

	widgets_fmt_ms(buf, sizeof(buf), has ? r->last_ms : -1);
	tp_cell(f, y, TP_COL_LAST, n, buf);
	widgets_fmt_ms(buf, sizeof(buf), has ? r->avg_ms : -1);
	tp_cell(f, y, TP_COL_AVG, theme_attr(f->t, THEME_BOLD), buf);
	widgets_fmt_ms(buf, sizeof(buf), has ? r->best_ms : -1);
	tp_cell(f, y, TP_COL_BEST, n, buf);
	widgets_fmt_ms(buf, sizeof(buf), has ? r->worst_ms : -1);
	tp_cell(f, y, TP_COL_WRST, n, buf);
	widgets_fmt_ms(buf, sizeof(buf), has ? r->stddev_ms : -1);
	tp_cell(f, y, TP_COL_STDEV, n, buf);
}

/* The host cell; the target's row says so when there is room. */
static void
tp_draw_host(struct tp_frame *f, int y, const struct trace_responder *r,
    int indent)
{
	char			 buf[TP_HOST_MAX], mark[32];
	int			 w = f->tb.cw[TP_COL_HOST] - indent, x, used;
	attr_t			 a;

	if (w <= 0)
		return;
	a = theme_attr(f->t, r->is_target ? THEME_BOLD : THEME_NORMAL);
	widgets_blank(f->win, y, f->tb.cx[TP_COL_HOST], f->tb.cw[TP_COL_HOST]);
	x = f->tb.cx[TP_COL_HOST] + indent;
	tp_host_text(buf, sizeof(buf), r, w);
	snprintf(mark, sizeof(mark), " %s target", f->t->arrow_left);
	if (!r->is_target || widgets_width(buf) + widgets_width(mark) > w) {
		widgets_cell(f->win, f->t, y, x, w, a, WIDGETS_LEFT, buf);
		return;
	}
	used = widgets_put(f->win, y, x, w, a, buf);
	widgets_put(f->win, y, x + used, w - used, theme_attr(f->t,
	    THEME_HILITE), mark);
}

/* A responder's line; the first one carries the hop's own cells. */
static void
tp_draw_resp(struct tp_frame *f, int y, size_t hi, const struct trace_hop *h,
    size_t ri, const struct tp_lines *l)
{
	char		 buf[TP_TEXT_MAX];
	const char	*note;
	attr_t		 dim = theme_attr(f->t, THEME_DIM);

	if (ri == 0) {
		snprintf(buf, sizeof(buf), "%u", h->ttl);
		tp_cell(f, y, TP_COL_TTL, theme_attr(f->t, THEME_BOLD), buf);
		tp_fmt_loss(buf, sizeof(buf), h);
		tp_cell(f, y, TP_COL_LOSS, tp_loss_attr(f->t, h), buf);
		snprintf(buf, sizeof(buf), "%u", h->sent);
		tp_cell(f, y, TP_COL_SNT, h->sent > 0 ? theme_attr(f->t,
		    THEME_NORMAL) : dim, buf);
		if (l->is_note_inline && (note = tp_note_text(h)) != NULL) {
			tp_san(buf, sizeof(buf), note);
			widgets_put(f->win, y, f->x + f->w - f->spare + 1,
			    f->spare - 1, tp_note_attr(f->t, h), buf);
		}
	}
	if (l->nresp == 0) {
		tp_cell(f, y, TP_COL_HOST, dim, h->sent == 0 ? "waiting" :
		    "(no reply)");
		return;
	}
	tp_draw_host(f, y, &h->responders[ri], ri > 0 ? 2 : 0);
	tp_draw_rtts(f, y, &h->responders[ri]);
	tp_draw_hist(f, y, hi, ri);
}

static void
tp_draw_line(struct tp_frame *f, int y, size_t hi, const struct trace_hop *h,
    const struct tp_lines *l, size_t k)
{
	char	buf[TP_TEXT_MAX];
	size_t	ri, more;

	switch (tp_line_kind(l, k, &ri)) {
	case TP_LINE_RESP:
		tp_draw_resp(f, y, hi, h, ri, l);
		break;
	case TP_LINE_SUB:
		tp_sub_text(buf, sizeof(buf), &h->responders[ri]);
		tp_span(f, y, ri > 0 ? 4 : 2, theme_attr(f->t,
		    tp_has_unreach(&h->responders[ri]) ? THEME_WARN :
		    THEME_DIM), buf);
		break;
	case TP_LINE_NOTE:
		tp_san(buf, sizeof(buf), tp_note_text(h));
		tp_span(f, y, 2, tp_note_attr(f->t, h), buf);
		break;
	case TP_LINE_MORE:
		more = h->nresponders - l->nresp + h->nresponders_dropped;
		snprintf(buf, sizeof(buf), "%s%zu more responders not kept",
		    f->t->ellipsis, more);
		tp_span(f, y, 2, theme_attr(f->t, THEME_DIM), buf);
		break;
	}
}

/* widgets_rows: line k of the hop tp_rows_nlines kept. */
static void
tp_rows_draw(void *arg, size_t i, size_t k, size_t prev, int y)
{
	struct tp_frame	*f = arg;

	(void)prev;
	tp_draw_line(f, y, i, f->h, &f->l, k);
}

static void
tp_draw_table(struct tp_frame *f)
{
	struct pane	*p = f->p;
	int		 y;

	if (f->y >= f->ybot)
		return;
	tp_fit(f);
	widgets_table_header(f->win, f->t, &f->tb, f->y++,
	    theme_attr(f->t, THEME_HEADER));
	p->body_h = f->ybot - f->y;
	y = widgets_rows_draw(&tp_rows, f, trace_nhops(f->tr), p->scroll,
	    f->y, f->ybot);
	if (y == f->y && f->y < f->ybot)
		widgets_put(f->win, f->y, f->x + 1, f->w - 1,
		    theme_attr(f->t, THEME_DIM), p->filter[0] != '\0' ?
		    "no hop matches the filter" : "probing: no answer yet");
}

/* --- drawing the map ----------------------------------------------------- */

enum tp_box_style { TP_BOX_SOLID, TP_BOX_DASHED, TP_BOX_TARGET };

/* Corners and edges: top-left, top, top-right, side, bottom-left,
 * bottom-right, and the bottom edge's joint to the arrow below. */
struct tp_glyphs {
	const char	*tl, *h, *tr, *v, *bl, *br, *joint;
};

static const struct tp_glyphs tp_glyphs_utf8[] = {
	[TP_BOX_SOLID] = { "\xe2\x94\x8c", "\xe2\x94\x80", "\xe2\x94\x90",
	    "\xe2\x94\x82", "\xe2\x94\x94", "\xe2\x94\x98", "\xe2\x94\xac" },
	[TP_BOX_DASHED] = { "\xe2\x94\x8c", "\xe2\x95\x8c", "\xe2\x94\x90",
	    "\xe2\x94\x86", "\xe2\x94\x94", "\xe2\x94\x98", "\xe2\x94\xac" },
	[TP_BOX_TARGET] = { "\xe2\x95\x94", "\xe2\x95\x90", "\xe2\x95\x97",
	    "\xe2\x95\x91", "\xe2\x95\x9a", "\xe2\x95\x9d", "\xe2\x95\xa4" },
};
static const struct tp_glyphs tp_glyphs_ascii[] = {
	[TP_BOX_SOLID] = { "+", "-", "+", "|", "+", "+", "+" },
	[TP_BOX_DASHED] = { "+", " ", "+", ":", "+", "+", "+" },
	[TP_BOX_TARGET] = { "#", "=", "#", "#", "#", "#", "#" },
};

/* What one map box shows. */
struct tp_box {
	int		 style;
	attr_t		 border, a1, a2;
	char		 line1[TP_TEXT_MAX], line2[TP_TEXT_MAX];
};

static const struct tp_glyphs *
tp_glyphs(const struct theme *t, int style)
{
	return t->is_utf8 ? &tp_glyphs_utf8[style] : &tp_glyphs_ascii[style];
}

/* A horizontal edge; dashed ASCII edges alternate '-' and ' '. */
static void
tp_hline(struct tp_frame *f, int y, int x, int n, int style, attr_t a)
{
	const struct tp_glyphs	*g = tp_glyphs(f->t, style);
	int			 i;

	for (i = 0; i < n; i++)
		widgets_put(f->win, y, x + i, 1, a, !f->t->is_utf8 &&
		    style == TP_BOX_DASHED && i % 2 == 0 ? "-" : g->h);
}

static void
tp_box_client(struct tp_frame *f, struct tp_box *b)
{
	char	proto[32], mode[32];

	tp_san(proto, sizeof(proto), trace_protocol_str(f->tr));
	tp_san(mode, sizeof(mode), trace_mode_str(f->tr));
	b->style = TP_BOX_SOLID;
	b->border = theme_attr(f->t, THEME_BORDER);
	b->a1 = theme_attr(f->t, THEME_BOLD);
	snprintf(b->line1, sizeof(b->line1), "this host");
	snprintf(b->line2, sizeof(b->line2), "%s probes, %s", proto, mode);
}

static void
tp_box_unreached(struct tp_frame *f, struct tp_box *b)
{
	char	tgt[TB_SAN_BOUND(TRACE_ADDRSTRLEN)];

	tp_san(tgt, sizeof(tgt), trace_target_str(f->tr));
	b->style = TP_BOX_DASHED;
	b->border = b->a2 = theme_attr(f->t, THEME_DIM);
	b->a1 = theme_attr(f->t, THEME_BOLD);
	snprintf(b->line1, sizeof(b->line1), "? %s target", tgt);
	snprintf(b->line2, sizeof(b->line2), "%s", trace_error(f->tr) !=
	    NULL ? "not reached: error" : trace_is_done(f->tr) ?
	    "not reached" : "not reached yet");
}

/* Notes in a few words, for a box's second line. */
static void
tp_map_note(char *buf, size_t len, const struct trace_hop *h)
{
	switch (h->note) {
	case TRACE_NOTE_RATELIMIT:
		snprintf(buf, len, "ICMP rate limit");
		break;
	case TRACE_NOTE_LOSS:
		snprintf(buf, len, "lossy onwards");
		break;
	default:	/* silent boxes and the target's say it already */
		buf[0] = '\0';
		break;
	}
}

/* Responder ri of hop h, or its silent box, or the "+N more" box. */
static void
tp_box_hop(struct tp_frame *f, const struct trace_hop *h, size_t ri,
    int is_more, int w, struct tp_box *b)
{
	const struct trace_responder	*r;
	char				 host[TP_HOST_MAX], lat[32];
	char				 nt[64];
	size_t				 n = tp_nresp(h);

	b->style = TP_BOX_SOLID;
	b->border = theme_attr(f->t, THEME_BORDER);
	b->a1 = theme_attr(f->t, THEME_NORMAL);
	b->a2 = tp_loss_attr(f->t, h);
	tp_map_note(nt, sizeof(nt), h);
	if (is_more) {
		b->a1 = b->a2 = theme_attr(f->t, THEME_DIM);
		snprintf(b->line1, sizeof(b->line1), "+%zu more", n - ri +
		    h->nresponders_dropped);
		snprintf(b->line2, sizeof(b->line2), "branches");
		return;
	}
	if (n == 0) {
		b->style = TP_BOX_DASHED;
		b->border = b->a1 = b->a2 = theme_attr(f->t, THEME_DIM);
		snprintf(b->line1, sizeof(b->line1), "%u  * * *", h->ttl);
		snprintf(b->line2, sizeof(b->line2), "%s", h->sent == 0 ?
		    "waiting" : "no reply");
		return;
	}
	r = &h->responders[ri];
	tp_host_text(host, sizeof(host), r, w - 4);
	widgets_fmt_ms(lat, sizeof(lat), r->received > 0 ? r->avg_ms : -1);
	snprintf(b->line1, sizeof(b->line1), "%u  %s", h->ttl, host);
	if (r->is_target) {
		b->style = TP_BOX_TARGET;
		b->border = b->a1 = theme_attr(f->t, THEME_BOLD);
	}
	/* Several branches: each one's share of the answers, not loss. */
	if (n > 1)
		snprintf(b->line2, sizeof(b->line2), "%s%u of %u, %s ms",
		    r->is_target ? "target, " : "", r->received, h->sent, lat);
	else
		snprintf(b->line2, sizeof(b->line2), "%s%.0f%% loss, %s ms%s%s",
		    r->is_target ? "target, " : "", h->sent > 0 ?
		    h->loss_pct : 0.0, lat, nt[0] != '\0' ? ", " : "", nt);
}

/* The boxes of map row `row`: n of them, filled into b[0..n). */
static void
tp_map_fill(struct tp_frame *f, size_t row, struct tp_box *b, size_t n,
    size_t nshown, int is_more)
{
	const struct trace_hop	*h;
	size_t			 i;
	int			 bx, bw;

	if (row == 0) {
		tp_box_client(f, &b[0]);
		return;
	}
	if (row > trace_nhops(f->tr) ||
	    (h = trace_hop(f->tr, row - 1)) == NULL) {
		tp_box_unreached(f, &b[0]);
		return;
	}
	for (i = 0; i < n; i++) {
		tp_map_box_at(f->x, f->w, n, i, &bx, &bw);
		tp_box_hop(f, h, i, is_more && i == nshown, bw, &b[i]);
	}
}

/* One line (0 top .. 3 bottom) of a box. */
static void
tp_draw_box_line(struct tp_frame *f, int y, int bx, int bw,
    const struct tp_box *b, int line, int has_next)
{
	const struct tp_glyphs	*g = tp_glyphs(f->t, b->style);
	const char		*s;

	if (bw < 4)
		return;
	if (line == 0 || line == TP_BOX_LINES - 1) {
		widgets_put(f->win, y, bx, 1, b->border, line == 0 ? g->tl :
		    g->bl);
		tp_hline(f, y, bx + 1, bw - 2, b->style, b->border);
		widgets_put(f->win, y, bx + bw - 1, 1, b->border, line == 0 ?
		    g->tr : g->br);
		if (line != 0 && has_next)
			widgets_put(f->win, y, bx + bw / 2, 1, b->border,
			    g->joint);
		return;
	}
	s = line == 1 ? b->line1 : b->line2;
	widgets_put(f->win, y, bx, 1, b->border, g->v);
	widgets_cell(f->win, f->t, y, bx + 2, bw - 4, line == 1 ? b->a1 :
	    b->a2, WIDGETS_LEFT, s);
	widgets_put(f->win, y, bx + bw - 1, 1, b->border, g->v);
}

/*
 * Whether each branch of row - 1 leads straight down to the branch under
 * it: the same number of boxes, and box i's flows met box i below and no
 * other (flows_mask).  Then the connector is plain arrows, no fan.
 */
static int
tp_map_is_straight(const struct trace *tr, size_t row, int w)
{
	const struct trace_hop	*a, *b;
	size_t			 n, i, j, ns;
	int			 is_more;
	uint64_t		 m;

	if (row < 2 || row > trace_nhops(tr) ||
	    (a = trace_hop(tr, row - 2)) == NULL ||
	    (b = trace_hop(tr, row - 1)) == NULL)
		return 0;
	n = tp_map_nboxes(tr, row, w, &ns, &is_more);
	if (n < 2 || is_more || ns != tp_nresp(a) || ns != tp_nresp(b) ||
	    tp_map_nboxes(tr, row - 1, w, &ns, &is_more) != n || is_more)
		return 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			m = a->responders[i].flows_mask &
			    b->responders[j].flows_mask;
			if ((i == j) != (m != 0))
				return 0;
		}
	return 1;
}

/*
 * The connector above row `row`: a horizontal line spanning the centers
 * of the boxes above and below, joints under the boxes above, arrows
 * into the boxes below.
 */
static void
tp_draw_connector(struct tp_frame *f, int y, size_t row, int w)
{
	const char	*h = f->t->is_utf8 ? "\xe2\x94\x80" : "-";
	const char	*join = f->t->is_utf8 ? "\xe2\x94\xb4" : "+";
	const char	*arrow = f->t->is_utf8 ? "\xe2\x86\x93" : "v";
	attr_t		 a = theme_attr(f->t, THEME_BORDER);
	size_t		 np, nn, ns, i;
	int		 bx, bw, lo = INT_MAX, hi = INT_MIN, c, is_more, x;

	np = tp_map_nboxes(f->tr, row - 1, w, &ns, &is_more);
	nn = tp_map_nboxes(f->tr, row, w, &ns, &is_more);
	for (i = 0; i < np + nn; i++) {
		tp_map_box_at(f->x, w, i < np ? np : nn, i < np ? i : i - np,
		    &bx, &bw);
		c = bx + bw / 2;
		lo = c < lo ? c : lo;
		hi = c > hi ? c : hi;
	}
	if (tp_map_is_straight(f->tr, row, w))
		np = 0;
	for (x = lo; x <= hi && np > 0; x++)
		widgets_put(f->win, y, x, 1, a, h);
	for (i = 0; i < np; i++) {
		tp_map_box_at(f->x, w, np, i, &bx, &bw);
		widgets_put(f->win, y, bx + bw / 2, 1, a, join);
	}
	for (i = 0; i < nn; i++) {
		tp_map_box_at(f->x, w, nn, i, &bx, &bw);
		widgets_put(f->win, y, bx + bw / 2, 1, a, arrow);
	}
}

/* Map line k (counted from the top of the whole map) at screen row y. */
static void
tp_draw_map_line(struct tp_frame *f, int y, size_t k, size_t nrows)
{
	struct tp_box	 b[TRACE_MAX_RESPONDERS + 1];
	size_t		 row, line, n, nshown, i;
	int		 is_more, bx, bw;

	if (k < TP_BOX_LINES) {
		row = 0;
		line = k;
	} else {
		row = 1 + (k - TP_BOX_LINES) / (TP_BOX_LINES + 1);
		line = (k - TP_BOX_LINES) % (TP_BOX_LINES + 1);
		if (line-- == 0) {
			tp_draw_connector(f, y, row, f->w);
			return;
		}
	}
	n = tp_map_nboxes(f->tr, row, f->w, &nshown, &is_more);
	if (n > TRACE_MAX_RESPONDERS + 1)
		n = TRACE_MAX_RESPONDERS + 1;
	memset(b, 0, sizeof(b[0]) * n);
	tp_map_fill(f, row, b, n, nshown, is_more);
	for (i = 0; i < n; i++) {
		tp_map_box_at(f->x, f->w, n, i, &bx, &bw);
		tp_draw_box_line(f, y, bx, bw, &b[i], (int)line,
		    row + 1 < nrows);
	}
}

static void
tp_draw_map(struct tp_frame *f)
{
	struct pane	*p = f->p;
	size_t		 k, n = tp_map_nlines(f->tr);
	int		 y;

	p->body_h = f->ybot - f->y;
	if (f->w < TP_BOX_MIN) {
		widgets_put(f->win, f->y, f->x, f->w, theme_attr(f->t,
		    THEME_DIM), "too narrow for the map");
		return;
	}
	for (k = p->scroll, y = f->y; k < n && y < f->ybot; k++, y++)
		tp_draw_map_line(f, y, k, tp_map_nboxrows(f->tr));
}

/* --- the frame ----------------------------------------------------------- */

/* The trace's error, and how to get raw probes when they are not used. */
static void
tp_draw_status(struct tp_frame *f, int has_room)
{
	char		 buf[TP_TEXT_MAX], hint[128];
	const char	*err = trace_error(f->tr);
	const char	*mode = trace_mode_str(f->tr);

	if (err != NULL) {
		tp_san(buf, sizeof(buf), err);
		widgets_put(f->win, f->y, f->x, 7, theme_attr(f->t,
		    THEME_CRIT), "error:");
		widgets_cell(f->win, f->t, f->y++, f->x + 7, f->w - 7,
		    theme_attr(f->t, THEME_NORMAL), WIDGETS_LEFT, buf);
	}
	if (has_room && f->y < f->ybot && mode != NULL &&
	    strcmp(mode, "raw") != 0) {
		tp_san(buf, sizeof(buf), mode);
		snprintf(hint, sizeof(hint), "%.32s probes; raw: sudo setcap "
		    "cap_net_raw+ep $(command -v tubes)", buf);
		widgets_cell(f->win, f->t, f->y++, f->x, f->w,
		    theme_attr(f->t, THEME_DIM), WIDGETS_LEFT, hint);
	}
}

/* No trace: why not ("resolving x", "x: no IPv4 address"), or how. */
static void
tp_draw_no_trace(struct tp_frame *f)
{
	char		 buf[TP_TEXT_MAX];
	const char	*why = tp_why();

	if (why == NULL) {
		widgets_put(f->win, f->y, f->x + 1, f->w - 1, theme_attr(f->t,
		    THEME_NORMAL), TP_NO_TARGET);
		return;
	}
	tb_sanitize(buf, sizeof(buf), why, strlen(why), 256, 0);
	widgets_cell(f->win, f->t, f->y, f->x + 1, f->w - 1, theme_attr(f->t,
	    THEME_NORMAL), WIDGETS_LEFT, buf);
}

static void
pane_trace_draw(struct pane *p, const struct layout_rect *area,
    const struct theme *t)
{
	struct tp_frame	f;

	memset(&f, 0, sizeof(f));
	f.p = p;
	f.win = p->win;
	f.t = t;
	f.tr = tp_trace(p);
	f.filter = p->filter;
	f.x = area->x;
	f.w = area->w;
	f.y = area->y;
	f.ybot = area->y + area->h;
	p->body_h = 0;
	if (f.w < 10 || area->h < 1)
		return;
	if (f.tr == NULL) {
		tp_draw_no_trace(&f);
		return;
	}
	/* The hint costs a row: only when the hops keep a few. */
	tp_draw_status(&f, area->h >= 8);
	if (tp_state.is_map)
		tp_draw_map(&f);
	else
		tp_draw_table(&f);
}

const struct pane_ops pane_trace = {
	.name = "trace",
	.bit = TB_PANE_TRACE,
	.help = pane_trace_help,
	.attach = pane_trace_attach,
	.generation = pane_trace_generation,
	.draw = pane_trace_draw,
	.nrows = pane_trace_nrows,
	.key = pane_trace_key,
	.title = pane_trace_title,
	.keys_hint = "m:map",
};
