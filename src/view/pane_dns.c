/*
 * The DNS pane: a line of settings (servers, search list, schedule), then
 * a table with a row per (lookup, server).  Rows of one lookup sit
 * together, so the same name asked of several servers reads side by side;
 * continuation lines under a row carry the CNAME chain, the further
 * answers, the search expansion and the error.  TTLs count down live: the
 * generation folds in the seconds elapsed since each answer, and the UI's
 * tick wakes the loop to look at it.
 *
 * Up/Down select a row (highlighted); t traces the selected row's first
 * address through the models' retrace hook, so the trace pane follows a
 * DNS answer the user picked.
 *
 * Every string the model holds came from the network or the user; each
 * goes through tb_sanitize before it reaches the screen.
 */
#include "config.h"

#include "view/pane.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "loop.h"
#include "opts.h"
#include "sanitize.h"
#include "model/dns.h"
#include "model/dns_query.h"
#include "model/dns_wire.h"
#include "model/trace.h"
#include "view/theme.h"
#include "view/ui.h"
#include "view/widgets.h"

#define DP_TICK_MS	250	/* a TTL moves within a quarter second */
#define DP_EXTRA_MAX	2	/* further answers shown unzoomed */
#define DP_GEN_SCAN	4096	/* rows looked at for the TTL clock */
#define DP_TEXT_MAX	2048	/* one line of composed text */

enum dp_col_id {
	DP_COL_NAME, DP_COL_TYPE, DP_COL_STATUS, DP_COL_SERVER, DP_COL_MS,
	DP_COL_TTL, DP_COL_VIA, DP_COL_ANSWER, DP_COL_FLAGS, DP_COL_HIST,
	DP_NCOLS
};

/* Sized so that prio 0-1 fill exactly 78 columns (80 minus the border). */
static const struct widgets_col dp_cols[DP_NCOLS] = {
	[DP_COL_NAME] =	  { "NAME", 12, 0, WIDGETS_LEFT },
	[DP_COL_TYPE] =	  { "TYPE", 5, 0, WIDGETS_LEFT },
	[DP_COL_STATUS] = { "STATUS", 9, 0, WIDGETS_LEFT },
	[DP_COL_SERVER] = { "SERVER", 15, 1, WIDGETS_LEFT },
	[DP_COL_MS] =	  { "MS", 6, 0, WIDGETS_RIGHT },
	[DP_COL_TTL] =	  { "TTL", 6, 0, WIDGETS_RIGHT },
	[DP_COL_VIA] =	  { "VIA", 3, 1, WIDGETS_LEFT },
	[DP_COL_ANSWER] = { "ANSWER", 15, 0, WIDGETS_LEFT },
	[DP_COL_FLAGS] =  { "FLAGS", 11, 2, WIDGETS_LEFT },
	[DP_COL_HIST] =	  { "LATENCY", 10, 3, WIDGETS_LEFT },
};
_Static_assert(DP_NCOLS <= WIDGETS_MAX_COLS, "dp_cols fit a widgets_table");

/* The lines one row takes, in the order they are drawn. */
struct dp_lines {
	size_t	 first;		/* answer on the row's own line, or SIZE_MAX */
	size_t	 nextra;	/* further answers drawn */
	size_t	 nmore;		/* answers not drawn (a "more" line) */
	int	 has_chain, has_search, has_error;
	size_t	 total;
};

enum dp_kind {
	DP_LINE_MAIN, DP_LINE_CHAIN, DP_LINE_ANSWER, DP_LINE_MORE,
	DP_LINE_SEARCH, DP_LINE_ERROR
};

/*
 * One DNS pane per UI: the selection lives here.  sel is a row index
 * (rows never move); top is the first row drawn, where a selection
 * starts.
 */
static struct {
	const struct ui_models	*models;
	size_t			 sel;
	int			 has_sel;
	int			 is_sel_moved;	/* by a key: scroll to it */
	size_t			 top;
	int			 has_top;
} dp_state;

/* What one frame draws into. */
struct dp_frame {
	struct pane		*p;
	WINDOW			*win;
	const struct theme	*t;
	const struct dns	*d;
	const char		*filter;
	uint64_t		 now_ms;
	int			 is_zoom;
	int			 x, w;		/* inner columns */
	int			 y, ybot;	/* next row, end */
	struct widgets_table	 tb;
	const struct dns_row	*r;		/* the row being drawn */
	struct dp_lines		 l;		/* and its lines */
};

static const char *const pane_dns_help[] = {
	"# DNS",
	"Every name is asked of every DNS server (from /etc/resolv.conf, or "
	"each -s), one row per name and server. Rows of one name sit "
	"together so the servers' answers read side by side.",
	"- NAME / TYPE: what was asked. A, AAAA (addresses), CNAME (an "
	"alias), MX (mail), TXT, NS, SOA, PTR (the name of an address), SRV, "
	"CAA. Typing an address looks up its name (PTR).",
	"- STATUS: NOERROR (the server answered; it may still have no record "
	"of that type), NXDOMAIN (the name does not exist), SERVFAIL (the "
	"server could not get an answer, often a broken zone or DNSSEC "
	"failure), REFUSED (the server will not answer you), timeout (no "
	"answer after every try; see --dns-timeout, --dns-tries), network "
	"error (the query could not be sent, or the server's port is "
	"closed), bad answer (the reply did not parse), pending (waiting).",
	"- SERVER: who was asked. MS: how long the answer took, measured "
	"by tubes for this server alone.",
	"- TTL: seconds the answer may still be cached, counting down live. "
	"At 0 a resolver asks again. For NXDOMAIN and empty answers it is "
	"the negative-caching time from the zone's SOA record.",
	"- VIA: udp, or tcp when the UDP answer came back truncated (TC: too "
	"big for one datagram) and was asked again over TCP; cap: an answer "
	"the capture saw (passive DNS, below our own lookups), with the time "
	"its query waited, or \"no answer\" when none came within 5 s.",
	"- ANSWER: the first answer; further answers go on the lines below "
	"(Enter zooms to see them all). Highlighted answers differ from "
	"another server's answers to the same question.",
	"- FLAGS: the answer's header bits. qr: a response; aa: from a "
	"server authoritative for the zone; tc: truncated; rd: recursion "
	"asked; ra: recursion available; ad: DNSSEC-validated by the "
	"server; cd: checking disabled.",
	"- LATENCY: the history of MS for this row (re-queries add to it).",
	"A CNAME chain (www -> web -> address) means the name is an alias: "
	"the server followed each alias to the final name and its records. "
	"It is drawn as a chain under the row.",
	"Search list: a short name (fewer dots than resolv.conf's ndots) is "
	"tried with each search domain first, then as typed, as the system "
	"resolver does; the steps tried are listed under the row. End a name "
	"with a dot to ask exactly that name.",
	"Why two servers answer differently: one may have a cached answer "
	"that is older (a lower TTL, an address since changed), serve a "
	"different view (split DNS, a VPN or corporate resolver), filter "
	"names (ad blocking, parental control), or pick among load-balanced "
	"addresses.",
	"- a: look up a name: type NAME or NAME/TYPE (www.example.com/AAAA, "
	"example.com/MX, 192.0.2.1) and Enter; Esc cancels. A bad name is "
	"named on the status line.",
	"- r: re-query on TTL expiry, on or off (shown in the pane title): "
	"each row is asked again when its shortest TTL runs out.",
	"- Up / Down: select a row (highlighted). t: trace the selected "
	"row's first address (A or AAAA answer): the trace pane starts over "
	"towards it. Without a target to trace, the status line says why.",
	"Addresses in every pane are labeled with the names DNS gave them: "
	"the name asked for an A or AAAA answer (the first name of a CNAME "
	"chain), the name a PTR answer gives, from tubes' own lookups and "
	"from DNS seen in the capture. The newest 4096 addresses are kept.",
	NULL
};

/* --- text ---------------------------------------------------------------- */

/* The pane's rows: our lookups, then the DNS answers the capture saw
 * (passive rows, "cap" in the VIA column). */
static size_t
dp_count(const struct dns *d)
{
	return dns_nrows(d) + dns_npassive(d);
}

static const struct dns_row *
dp_at(const struct dns *d, size_t i)
{
	size_t	n = dns_nrows(d);

	return i < n ? dns_row_at(d, i) : dns_passive_at(d, i - n);
}

static int
dp_is_passive(const struct dns_row *r)
{
	return r->lookup == SIZE_MAX;
}

/* The model's strings are dig-escaped already: see tb_sanitize_escaped. */
static size_t
dp_san(char *buf, size_t len, const char *s)
{
	return tb_sanitize_escaped(buf, len, s, 0);
}

static const char *
dp_arrow(const struct theme *t)
{
	return t->is_utf8 ? " \xe2\x86\x92 " : " -> ";
}

/* Append sanitized s to buf (total len), then sep unless sep is NULL. */
static void
dp_cat(char *buf, size_t len, const char *s, const char *sep)
{
	size_t	n = strlen(buf);

	if (n + 1 >= len)
		return;
	if (s != NULL)
		n += dp_san(buf + n, len - n, s);
	if (sep != NULL && n + 1 < len)
		snprintf(buf + n, len - n, "%s", sep);
}

static void
dp_fmt_ttl(char *buf, size_t len, long s)
{
	if (s < 0)
		buf[0] = '\0';
	else if (s < 100000)
		snprintf(buf, len, "%ld", s);
	else
		snprintf(buf, len, "%ldd", s / 86400);
}

/* Seconds of ttl left at now, counted from the row's answer. */
static long
dp_ttl_left(const struct dns_row *r, uint32_t ttl, uint64_t now_ms)
{
	uint64_t	el;

	el = now_ms > r->answered_at_ms ? (now_ms - r->answered_at_ms) /
	    1000 : 0;
	return el >= ttl ? 0 : (long)(ttl - el);
}

static int
dp_has_answer(const struct dns_row *r)
{
	return r->is_done && r->rcode >= 0;
}

/* Statuses that are not answers with data: red; timeouts yellow. */
static attr_t
dp_status_attr(const struct dns_row *r, const struct theme *t)
{
	const char	*s = r->status != NULL ? r->status : "";

	if (!r->is_done || strcmp(s, "pending") == 0)
		return theme_attr(t, THEME_DIM);
	if (strcmp(s, "NOERROR") == 0)
		return theme_attr(t, THEME_NORMAL);
	if (strcmp(s, "timeout") == 0)
		return theme_attr(t, THEME_WARN);
	return theme_attr(t, THEME_CRIT);
}

/* --- which lines a row takes --------------------------------------------- */

static int
dp_is_zoom(const struct pane *p)
{
	return p->rect.w >= COLS && p->rect.h >= LINES - 1;
}

/* With a chain drawn, the CNAME records are in it, not in the list. */
static int
dp_answer_listed(const struct dns_row *r, size_t i, int has_chain)
{
	return !(has_chain && r->answers[i].type == DNS_T_CNAME &&
	    r->type != DNS_T_CNAME);
}

static void
dp_row_lines(const struct dns_row *r, int is_zoom, struct dp_lines *l)
{
	size_t	i, n = 0;

	memset(l, 0, sizeof(*l));
	l->first = SIZE_MAX;
	l->has_chain = r->ncname > 1;
	l->has_search = r->nsearch > 0;
	l->has_error = r->error != NULL && r->error[0] != '\0';
	for (i = 0; i < r->nanswers; i++) {
		if (!dp_answer_listed(r, i, l->has_chain))
			continue;
		if (l->first == SIZE_MAX)
			l->first = i;
		else
			n++;
	}
	l->nextra = n;
	if (!is_zoom && n > DP_EXTRA_MAX) {
		l->nextra = DP_EXTRA_MAX;
		l->nmore = n - DP_EXTRA_MAX;
	}
	l->nmore += r->nanswers_dropped;
	l->total = 1 + (size_t)l->has_chain + l->nextra + (l->nmore > 0) +
	    (size_t)l->has_search + (size_t)l->has_error;
}

/* Line k of a row: its kind, and for answers the answer index. */
static enum dp_kind
dp_line_kind(const struct dns_row *r, const struct dp_lines *l, size_t k,
    size_t *ans)
{
	size_t	i, seen = 0;

	if (k == 0)
		return DP_LINE_MAIN;
	k--;
	if (l->has_chain && k-- == 0)
		return DP_LINE_CHAIN;
	if (k < l->nextra) {
		for (i = l->first + 1; i < r->nanswers; i++) {
			if (!dp_answer_listed(r, i, l->has_chain))
				continue;
			if (seen++ == k)
				break;
		}
		*ans = i;
		return DP_LINE_ANSWER;
	}
	k -= l->nextra;
	if (l->nmore > 0 && k-- == 0)
		return DP_LINE_MORE;
	if (l->has_search && k-- == 0)
		return DP_LINE_SEARCH;
	return DP_LINE_ERROR;
}

static int
dp_row_matches(const struct dns_row *r, const char *filter)
{
	const char	*f[8];
	size_t		 i;

	if (*filter == '\0')
		return 1;
	f[0] = r->name;
	f[1] = r->qname;
	f[2] = r->type_str;
	f[3] = r->status;
	f[4] = r->server;
	f[5] = r->flags;
	f[6] = r->error;
	f[7] = r->used_tcp ? "tcp" : NULL;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i] != NULL && strcasestr(f[i], filter) != NULL)
			return 1;
	for (i = 0; i < r->nanswers; i++)
		if ((r->answers[i].data != NULL &&
		    strcasestr(r->answers[i].data, filter) != NULL) ||
		    (r->answers[i].name != NULL &&
		    strcasestr(r->answers[i].name, filter) != NULL))
			return 1;
	return 0;
}

/* widgets_rows: the lines of row i, kept in the frame for dp_rows_draw. */
static size_t
dp_rows_nlines(void *arg, size_t i)
{
	struct dp_frame	*f = arg;

	f->r = dp_at(f->d, i);
	if (f->r == NULL || !dp_row_matches(f->r, f->filter))
		return 0;
	dp_row_lines(f->r, f->is_zoom, &f->l);
	return f->l.total;
}

static void	dp_rows_draw(void *, size_t, size_t, size_t, int);

/* The table's rows, as the UI scrolls them. */
static const struct widgets_rows dp_rows = {
	.nlines = dp_rows_nlines,
	.draw = dp_rows_draw,
};

/* --- pane ops ------------------------------------------------------------ */

static int
pane_dns_attach(struct pane *p, const struct ui_models *m)
{
	if (m == NULL || m->dns == NULL)
		return -1;
	p->model = m->dns;
	dp_state.models = m;
	return 0;
}

/*
 * The model's generation, plus the whole seconds elapsed since each
 * answer: a TTL on screen moves exactly when one of those does.
 */
static uint64_t
pane_dns_generation(const struct pane *p)
{
	const struct dns_row	*r;
	uint64_t		 now = tb_now_ms(), sum = 0;
	size_t			 i, n = dp_count(p->model);

	if (n > DP_GEN_SCAN)
		n = DP_GEN_SCAN;
	for (i = 0; i < n; i++) {
		r = dp_at(p->model, i);
		if (dp_has_answer(r) && now > r->answered_at_ms)
			sum += (now - r->answered_at_ms) / 1000;
	}
	return dns_generation(p->model) * 0x9e3779b97f4a7c15ULL + sum;
}

static size_t
pane_dns_nrows(const struct pane *p)
{
	struct dp_frame	f;

	memset(&f, 0, sizeof(f));
	f.d = p->model;
	f.filter = p->filter;
	f.is_zoom = dp_is_zoom(p);
	return widgets_rows_count(&dp_rows, &f, dp_count(f.d));
}

static void
pane_dns_title(const struct pane *p, char *buf, size_t len)
{
	snprintf(buf, len, "requery %s", dns_is_requery(p->model) ? "on" :
	    "off");
}

/* The row t acts on: the selection, else the first one drawn. */
static const struct dns_row *
dp_target_row(const struct pane *p)
{
	if (dp_state.has_sel)
		return dp_at(p->model, dp_state.sel);
	if (dp_state.has_top)
		return dp_at(p->model, dp_state.top);
	return NULL;
}

static const char *
dp_first_address(const struct dns_row *r)
{
	size_t	i;

	for (i = 0; r != NULL && r->answers != NULL && i < r->nanswers &&
	    i < DNS_MAX_ANSWERS; i++)
		if ((r->answers[i].type == DNS_T_A ||
		    r->answers[i].type == DNS_T_AAAA) &&
		    r->answers[i].data != NULL)
			return r->answers[i].data;
	return NULL;
}

/* t: the trace pane starts over towards the row's first address. */
static void
dp_key_trace(struct pane *p)
{
	const struct ui_models	*m = dp_state.models;
	const char		*addr = dp_first_address(dp_target_row(p));
	char			 a[TB_SAN_BOUND(64)];

	if (m == NULL || m->retrace == NULL) {
		snprintf(p->msg, sizeof(p->msg), "cannot trace from here: "
		    "this run has no trace (start tubes with a target, and "
		    "the trace pane on)");
		return;
	}
	if (addr == NULL) {
		snprintf(p->msg, sizeof(p->msg), "nothing to trace: the "
		    "selected row has no A or AAAA answer (Up/Down select)");
		return;
	}
	dp_san(a, sizeof(a), addr);
	pane_trace_to(p, m, addr, a);
}

void
pane_trace_to(struct pane *p, const struct ui_models *m, const char *addr,
    const char *shown)
{
	if (m == NULL || m->retrace == NULL) {
		snprintf(p->msg, sizeof(p->msg), "cannot trace from here: "
		    "this run has no trace (start tubes with a target, and "
		    "the trace pane on)");
		return;
	}
	m->retrace(m->retrace_arg, addr);
	/* The old trace is gone: m->trace is read again. */
	if (m->trace != NULL && trace_target_str(m->trace) != NULL &&
	    strcmp(trace_target_str(m->trace), addr) == 0) {
		snprintf(p->msg, sizeof(p->msg), "tracing %.80s (trace pane)",
		    shown);
		p->is_msg_info = 1;
	} else
		snprintf(p->msg, sizeof(p->msg), "cannot trace %.80s: not the "
		    "target's address family, or not routable", shown);
}

static int
pane_dns_key(struct pane *p, int key)
{
	switch (key) {
	case 'r':
	case 'R':
		dns_set_requery(p->model, !dns_is_requery(p->model));
		return 1;
	case 't':
	case 'T':
		dp_key_trace(p);
		return 1;
	case 27:	/* Esc */
		if (!dp_state.has_sel)
			return 0;
		dp_state.has_sel = 0;
		return 1;
	}
	return 0;
}

/* The next (dir 1) or previous (-1) row the filter keeps, from i. */
static int
dp_step(const struct pane *p, size_t i, int dir, size_t *out)
{
	const struct dns_row	*r;
	size_t			 n = dp_count(p->model);

	while (dir > 0 ? i + 1 < n : i > 0) {
		i = dir > 0 ? i + 1 : i - 1;
		if ((r = dp_at(p->model, i)) != NULL &&
		    dp_row_matches(r, p->filter)) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/* Up/Down move the selection; the first press selects the top row. */
static int
pane_dns_key_first(struct pane *p, int key)
{
	int	dir;

	if (key == KEY_UP)
		dir = -1;
	else if (key == KEY_DOWN)
		dir = 1;
	else
		return 0;
	if (!dp_state.has_sel) {
		if (!dp_state.has_top)
			return 0;
		dp_state.sel = dp_state.top;
		dp_state.has_sel = 1;
	} else
		(void)dp_step(p, dp_state.sel, dir, &dp_state.sel);
	dp_state.is_sel_moved = 1;
	return 1;
}

static int
pane_dns_prompt(struct pane *p, const char *line, char *err, size_t errlen)
{
	char		name[DNS_QUERY_NAMELEN], why[256];
	uint16_t	type;

	why[0] = '\0';
	if (dns_query_parse(line, name, sizeof(name), &type, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "lookup: %s", why[0] != '\0' ? why :
		    "not a name");
		return -1;
	}
	if (dns_lookup_add(p->model, name, type) == -1) {
		snprintf(err, errlen, "lookup %.40s: not added (the limit "
		    "of lookups is reached)", line);
		return -1;
	}
	/* Show the new rows: the UI clamps this to the last page. */
	if (p->filter[0] == '\0')
		p->scroll = SIZE_MAX / 2;
	return 0;
}

/* --- drawing ------------------------------------------------------------- */

/* Spare width to the text columns. */
static const struct widgets_grow dp_grow[] = {
	{ DP_COL_NAME, 20 }, { DP_COL_ANSWER, 24 },
	{ DP_COL_FLAGS, 14 }, { DP_COL_NAME, 28 },
	{ DP_COL_SERVER, 21 }, { DP_COL_ANSWER, 40 },
	{ DP_COL_HIST, 20 }, { DP_COL_NAME, 40 },
	{ DP_COL_FLAGS, 20 }, { DP_COL_ANSWER, INT_MAX },
};

static void
dp_cell(struct dp_frame *f, int y, int col, attr_t a, const char *s)
{
	widgets_table_cell(f->win, f->t, &f->tb, y, col, a, s);
}

/* Narrow status cells get the short words. */
static const char *
dp_status_text(const struct dns_row *r, int w)
{
	const char	*s = r->status != NULL ? r->status : "?";

	if (w < 13 && strcmp(s, "network error") == 0)
		return "net error";
	return s;
}

static void
dp_draw_hist(struct dp_frame *f, int y, const struct dns_row *r)
{
	double		 ms[DNS_HISTORY_LEN];
	unsigned	 us[DNS_HISTORY_LEN];
	size_t		 i, n;

	if (f->tb.cw[DP_COL_HIST] == 0)
		return;
	n = dns_row_history(r, ms, DNS_HISTORY_LEN);
	for (i = 0; i < n; i++)
		us[i] = ms[i] <= 0 ? 1 : ms[i] > 4e6 ? 4000000000U :
		    (unsigned)(ms[i] * 1000) + 1;
	widgets_spark(f->win, f->t, y, f->tb.cx[DP_COL_HIST],
	    f->tb.cw[DP_COL_HIST], theme_attr(f->t, THEME_BORDER_FOCUS), us, n);
}

/* The row's own line: the lookup, the server, the first answer. */
static void
dp_draw_main(struct dp_frame *f, int y, const struct dns_row *r,
    const struct dp_lines *l, int show_name)
{
	char		 buf[TB_SAN_BOUND(DNS_NAME_PRES_MAX)];
	attr_t		 n = theme_attr(f->t, THEME_NORMAL);
	attr_t		 dim = theme_attr(f->t, THEME_DIM);
	const struct dns_answer *a = NULL;

	if (l->first != SIZE_MAX)
		a = &r->answers[l->first];
	dp_san(buf, sizeof(buf), show_name ? r->name : "");
	dp_cell(f, y, DP_COL_NAME, theme_attr(f->t, THEME_BOLD), buf);
	dp_san(buf, sizeof(buf), r->type_str);
	dp_cell(f, y, DP_COL_TYPE, n, show_name ? buf : "");
	dp_san(buf, sizeof(buf), dp_status_text(r, f->tb.cw[DP_COL_STATUS]));
	dp_cell(f, y, DP_COL_STATUS, dp_status_attr(r, f->t), buf);
	dp_san(buf, sizeof(buf), r->server);
	dp_cell(f, y, DP_COL_SERVER, n, buf);
	widgets_fmt_ms(buf, sizeof(buf), r->is_done ? r->latency_ms : -1);
	dp_cell(f, y, DP_COL_MS, n, buf);
	buf[0] = '\0';
	if (a != NULL && dp_has_answer(r))
		dp_fmt_ttl(buf, sizeof(buf), dp_ttl_left(r, a->ttl,
		    f->now_ms));
	else if (r->has_negative_ttl && dp_has_answer(r))
		dp_fmt_ttl(buf, sizeof(buf), dp_ttl_left(r, r->negative_ttl,
		    f->now_ms));
	dp_cell(f, y, DP_COL_TTL, a != NULL ? theme_attr(f->t, THEME_BOLD) :
	    dim, buf);
	dp_cell(f, y, DP_COL_VIA, r->used_tcp || r->is_truncated ?
	    theme_attr(f->t, THEME_HILITE) : dim, dp_is_passive(r) ? "cap" :
	    r->used_tcp ? "tcp" : r->is_truncated ? "TC!" :
	    dp_has_answer(r) ? "udp" : "");
	if (a != NULL)
		dp_san(buf, sizeof(buf), a->data);
	else
		snprintf(buf, sizeof(buf), "%s", !r->is_done ? "waiting" :
		    !dp_has_answer(r) ? "-" : r->rcode == 0 ?
		    "(no records of this type)" : "-");
	dp_cell(f, y, DP_COL_ANSWER, r->is_differs ? theme_attr(f->t,
	    THEME_HILITE) : a != NULL ? n : dim, buf);
	dp_san(buf, sizeof(buf), r->flags);
	/* Every answer has qr: the first thing to go when narrow. */
	if (widgets_width(buf) > f->tb.cw[DP_COL_FLAGS] &&
	    strncmp(buf, "qr ", 3) == 0)
		memmove(buf, buf + 3, strlen(buf + 3) + 1);
	dp_cell(f, y, DP_COL_FLAGS, dim, buf);
	dp_draw_hist(f, y, r);
}

/* A further answer: its TTL and data under the row's columns. */
static void
dp_draw_answer(struct dp_frame *f, int y, const struct dns_row *r,
    size_t i)
{
	const struct dns_answer	*a = &r->answers[i];
	char			 buf[TB_SAN_BOUND(DNS_NAME_PRES_MAX)];

	if (a->type != r->type) {
		dp_san(buf, sizeof(buf), a->type_str);
		dp_cell(f, y, DP_COL_TYPE, theme_attr(f->t, THEME_DIM), buf);
	}
	dp_fmt_ttl(buf, sizeof(buf), dp_ttl_left(r, a->ttl, f->now_ms));
	dp_cell(f, y, DP_COL_TTL, theme_attr(f->t, THEME_BOLD), buf);
	dp_san(buf, sizeof(buf), a->data);
	/* Nothing to the right on these lines: the data may use it all. */
	if (f->tb.cw[DP_COL_ANSWER] > 0)
		widgets_cell(f->win, f->t, y, f->tb.cx[DP_COL_ANSWER],
		    f->x + f->w - f->tb.cx[DP_COL_ANSWER], theme_attr(f->t,
		    r->is_differs ? THEME_HILITE : THEME_NORMAL),
		    WIDGETS_LEFT, buf);
}

/* Text across the row from the name column on, a little indented. */
static void
dp_draw_span(struct dp_frame *f, int y, const char *tag, attr_t ta,
    const char *text, attr_t a)
{
	int	x = f->x + 2, w = f->w - 2;

	x += widgets_put(f->win, y, x, w, ta, tag);
	w = f->x + f->w - x - 1;
	if (w > 0)
		widgets_cell(f->win, f->t, y, x + 1, w, a, WIDGETS_LEFT,
		    text);
}

static void
dp_draw_chain(struct dp_frame *f, int y, const struct dns_row *r,
    const struct dp_lines *l)
{
	char	text[DP_TEXT_MAX];
	size_t	i;

	text[0] = '\0';
	for (i = 0; i < r->ncname; i++)
		dp_cat(text, sizeof(text), r->cname_chain[i],
		    i + 1 < r->ncname || l->first != SIZE_MAX ?
		    dp_arrow(f->t) : NULL);
	if (l->first != SIZE_MAX)
		dp_cat(text, sizeof(text), r->answers[l->first].data, NULL);
	dp_draw_span(f, y, "CNAME chain:", theme_attr(f->t, THEME_DIM), text,
	    theme_attr(f->t, THEME_NORMAL));
}

static void
dp_draw_search(struct dp_frame *f, int y, const struct dns_row *r)
{
	char	text[DP_TEXT_MAX];
	size_t	i;

	text[0] = '\0';
	for (i = 0; i < r->nsearch; i++) {
		dp_cat(text, sizeof(text), r->search[i].name, " ");
		dp_cat(text, sizeof(text), r->search[i].status,
		    i + 1 < r->nsearch ? dp_arrow(f->t) : NULL);
	}
	dp_draw_span(f, y, "search:", theme_attr(f->t, THEME_DIM), text,
	    theme_attr(f->t, THEME_NORMAL));
}

static void
dp_draw_more(struct dp_frame *f, int y, const struct dns_row *r,
    const struct dp_lines *l)
{
	char	text[128];

	if (r->nanswers_dropped > 0 && f->is_zoom)
		snprintf(text, sizeof(text), "%zu more answers not kept",
		    r->nanswers_dropped);
	else
		snprintf(text, sizeof(text), "%s%zu more answers (Enter "
		    "zooms)", f->t->ellipsis, l->nmore);
	if (f->tb.cw[DP_COL_ANSWER] > 0 && f->tb.cw[DP_COL_ANSWER] >=
	    widgets_width(text))
		dp_cell(f, y, DP_COL_ANSWER, theme_attr(f->t, THEME_DIM), text);
	else
		dp_draw_span(f, y, "", A_NORMAL, text,
		    theme_attr(f->t, THEME_DIM));
}

static void
dp_draw_line(struct dp_frame *f, int y, const struct dns_row *r,
    const struct dp_lines *l, size_t k, int show_name)
{
	char	buf[TB_SAN_BOUND(512)];
	size_t	ans = 0;

	switch (dp_line_kind(r, l, k, &ans)) {
	case DP_LINE_MAIN:
		dp_draw_main(f, y, r, l, show_name);
		break;
	case DP_LINE_CHAIN:
		dp_draw_chain(f, y, r, l);
		break;
	case DP_LINE_ANSWER:
		if (ans < r->nanswers)
			dp_draw_answer(f, y, r, ans);
		break;
	case DP_LINE_MORE:
		dp_draw_more(f, y, r, l);
		break;
	case DP_LINE_SEARCH:
		dp_draw_search(f, y, r);
		break;
	case DP_LINE_ERROR:
		dp_san(buf, sizeof(buf), r->error);
		dp_draw_span(f, y, "error:", dp_status_attr(r, f->t), buf,
		    theme_attr(f->t, THEME_NORMAL));
		break;
	}
}

/* The settings line: servers, search list, schedule. */
static void
dp_draw_settings(struct dp_frame *f)
{
	char	text[DP_TEXT_MAX], num[64];
	size_t	i, n = dns_nservers(f->d);
	attr_t	dim = theme_attr(f->t, THEME_DIM);
	int	x = f->x;

	if (n == 0) {
		widgets_put(f->win, f->y++, f->x, f->w, theme_attr(f->t,
		    THEME_CRIT), "no DNS server: /etc/resolv.conf lists none "
		    "(use -s ADDR)");
		return;
	}
	text[0] = '\0';
	for (i = 0; i < n; i++)
		dp_cat(text, sizeof(text), dns_server_at(f->d, i),
		    i + 1 < n ? " " : NULL);
	x += widgets_put(f->win, f->y, x, f->w, dim, "servers ");
	x += widgets_put(f->win, f->y, x, f->x + f->w - x,
	    theme_attr(f->t, THEME_BOLD), text);
	if ((n = dns_nsearch_domains(f->d)) > 0) {
		text[0] = '\0';
		for (i = 0; i < n; i++)
			dp_cat(text, sizeof(text), dns_search_domain_at(f->d,
			    i), i + 1 < n ? " " : NULL);
		x += widgets_put(f->win, f->y, x, f->x + f->w - x, dim,
		    "  search ");
		x += widgets_put(f->win, f->y, x, f->x + f->w - x,
		    theme_attr(f->t, THEME_NORMAL), text);
		snprintf(num, sizeof(num), " (ndots %u)", dns_ndots(f->d));
		x += widgets_put(f->win, f->y, x, f->x + f->w - x, dim, num);
	}
	snprintf(num, sizeof(num), "  %u ms x %u tries", dns_timeout_ms(f->d),
	    dns_tries(f->d));
	x += widgets_put(f->win, f->y, x, f->x + f->w - x, dim, num);
	if (dns_ndropped(f->d) > 0) {
		snprintf(num, sizeof(num), "  %zu lookups over the cap",
		    dns_ndropped(f->d));
		widgets_put(f->win, f->y, x, f->x + f->w - x,
		    theme_attr(f->t, THEME_WARN), num);
	}
	f->y++;
}

/*
 * widgets_rows: line k of the row dp_rows_nlines kept.  A lookup's name
 * shows on its first row only, and again atop the table so a scrolled
 * group still says what it is.
 */
static void
dp_rows_draw(void *arg, size_t i, size_t k, size_t prev, int y)
{
	struct dp_frame		*f = arg;
	const struct dns_row	*pr;

	pr = prev != SIZE_MAX ? dp_at(f->d, prev) : NULL;
	if (!dp_state.has_top) {
		dp_state.top = i;
		dp_state.has_top = 1;
	}
	dp_draw_line(f, y, f->r, &f->l, k, k == 0 && (pr == NULL ||
	    f->r->lookup != pr->lookup || y == f->y));
	if (k == 0 && dp_state.has_sel && i == dp_state.sel &&
	    f->p->is_focused)
		mvwchgat(f->win, y, f->x, f->w, A_REVERSE, 0, NULL);
}

/* Scroll so the selected row's lines are on screen. */
static void
dp_scroll_to_sel(struct dp_frame *f)
{
	struct pane	*p = f->p;
	size_t		 i, line = 0, n = 0, h;

	dp_state.is_sel_moved = 0;
	if (!dp_state.has_sel || p->body_h <= 0)
		return;
	h = (size_t)p->body_h;
	for (i = 0; i < dp_count(f->d); i++) {
		n = dp_rows_nlines(f, i);
		if (i == dp_state.sel)
			break;
		line += n;
	}
	if (i == dp_count(f->d) || n == 0)
		return;	/* filtered away */
	if (line < p->scroll || n > h)
		p->scroll = line;
	else if (line + n > p->scroll + h)
		p->scroll = line + n - h;
}

static void
dp_draw_table(struct dp_frame *f)
{
	struct pane	*p = f->p;
	int		 y;

	if (f->y >= f->ybot)
		return;
	widgets_table_header(f->win, f->t, &f->tb, f->y++,
	    theme_attr(f->t, THEME_HEADER));
	p->body_h = f->ybot - f->y;
	if (dp_state.is_sel_moved)
		dp_scroll_to_sel(f);
	dp_state.has_top = 0;
	y = widgets_rows_draw(&dp_rows, f, dp_count(f->d), p->scroll, f->y,
	    f->ybot);
	if (y == f->y && f->y < f->ybot)
		widgets_put(f->win, f->y, f->x + 1, f->w - 1,
		    theme_attr(f->t, THEME_DIM), p->filter[0] != '\0' ?
		    "no lookup matches the filter" :
		    "no lookup yet: press a to look up a name");
}

static void
pane_dns_draw(struct pane *p, const struct layout_rect *area,
    const struct theme *t)
{
	struct dp_frame	f;

	memset(&f, 0, sizeof(f));
	f.p = p;
	f.win = p->win;
	f.t = t;
	f.d = p->model;
	f.filter = p->filter;
	f.now_ms = tb_now_ms();
	f.is_zoom = dp_is_zoom(p);
	f.x = area->x;
	f.w = area->w;
	f.y = area->y;
	f.ybot = area->y + area->h;
	p->body_h = 0;
	if (f.w < 10 || area->h < 1)
		return;
	/* The settings only when the table keeps a few rows. */
	if (area->h >= 4)
		dp_draw_settings(&f);
	widgets_table_fit(&f.tb, dp_cols, DP_NCOLS, dp_grow,
	    sizeof(dp_grow) / sizeof(dp_grow[0]), f.x, f.w);
	dp_draw_table(&f);
}

const struct pane_ops pane_dns = {
	.name = "dns",
	.bit = TB_PANE_DNS,
	.help = pane_dns_help,
	.attach = pane_dns_attach,
	.generation = pane_dns_generation,
	.draw = pane_dns_draw,
	.nrows = pane_dns_nrows,
	.key = pane_dns_key,
	.key_first = pane_dns_key_first,
	.title = pane_dns_title,
	.keys_hint = "a:lookup r:requery t:trace",
	.prompt_key = 'a',
	.prompt_label = "look up NAME[/TYPE]: ",
	.prompt = pane_dns_prompt,
	.tick_ms = DP_TICK_MS,
};

/* --- names for every pane ------------------------------------------------ */

static int	dp_is_numeric;	/* -n: no labels */

void
pane_names_set_numeric(int is_numeric)
{
	dp_is_numeric = is_numeric;
}

const char *
pane_name_of(const struct ui_models *m, const char *address)
{
	const char	*name = NULL;

	if (m == NULL || address == NULL || dp_is_numeric)
		return NULL;
	if (m->dns != NULL)
		name = dns_name_of(m->dns, address);
	if (name == NULL && m->target_dns != NULL && m->target_dns != m->dns)
		name = dns_name_of(m->target_dns, address);
	return name;
}

const char *
pane_name_of_bytes(const struct ui_models *m, int family,
    const uint8_t *addr)
{
	const char	*name = NULL;

	if (m == NULL || addr == NULL || dp_is_numeric)
		return NULL;
	if (m->dns != NULL)
		name = dns_names_find(dns_names(m->dns), family, addr);
	if (name == NULL && m->target_dns != NULL && m->target_dns != m->dns)
		name = dns_names_find(dns_names(m->target_dns), family, addr);
	return name;
}

uint64_t
pane_names_generation(const struct ui_models *m)
{
	uint64_t	g = 0;

	if (m == NULL)
		return 0;
	if (m->dns != NULL)
		g = dns_names_generation(dns_names(m->dns)) *
		    0x9e3779b97f4a7c15ULL;
	if (m->target_dns != NULL && m->target_dns != m->dns)
		g ^= dns_names_generation(dns_names(m->target_dns));
	return g;
}
