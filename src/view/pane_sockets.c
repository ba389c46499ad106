/*
 * The sockets pane: a header (totals, kernel TIME_WAIT counters, states with
 * rates and sparklines), the model's alerts, then a table of socket groups
 * per remote endpoint.  Everything is read through the model's const
 * accessors; the only external strings (process names, error and alert
 * text) go through tb_sanitize before they reach the screen.
 */
#include "config.h"

#include "view/pane.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "opts.h"
#include "sanitize.h"
#include "model/sockets.h"
#include "view/theme.h"
#include "view/ui.h"
#include "view/widgets.h"

/* A client group is worth a look once it holds this many TIME_WAITs. */
#define SK_TW_HEAVY		100

struct sk_state {
	int		 state;
	const char	*abbr;		/* compact form for narrow panes */
};

/* The states worth watching, in the order a reader scans for trouble. */
static const struct sk_state sk_states[] = {
	{ SOCK_ST_ESTABLISHED,	"EST" },
	{ SOCK_ST_TIME_WAIT,	"TW" },
	{ SOCK_ST_CLOSE_WAIT,	"CW" },
	{ SOCK_ST_FIN_WAIT1,	"FW1" },
	{ SOCK_ST_FIN_WAIT2,	"FW2" },
	{ SOCK_ST_SYN_SENT,	"SYN-S" },
	{ SOCK_ST_SYN_RECV,	"SYN-R" },
	{ SOCK_ST_LISTEN,	"LISTEN" },
	{ SOCK_ST_LAST_ACK,	"LACK" },
	{ SOCK_ST_CLOSING,	"CLOSING" },
};
#define SK_NSTATES	(sizeof(sk_states) / sizeof(sk_states[0]))

/* Group table columns, in display order. */
enum sk_col_id {
	SK_COL_REMOTE, SK_COL_SIDE, SK_COL_TW, SK_COL_EST, SK_COL_CW,
	SK_COL_OTHER, SK_COL_PORTS, SK_COL_PRESS, SK_COL_NEW, SK_COL_FULL,
	SK_COL_PROC, SK_COL_LOCAL, SK_NCOLS
};

/* Sized so that prio 0-3 fill exactly 78 columns (80 minus the border). */
static const struct widgets_col sk_cols[SK_NCOLS] = {
	[SK_COL_REMOTE] = { "REMOTE", 15, 0, WIDGETS_LEFT },
	[SK_COL_SIDE] =	  { "SIDE", 4, 1, WIDGETS_LEFT },
	[SK_COL_TW] =	  { "TW", 6, 0, WIDGETS_RIGHT },
	[SK_COL_EST] =	  { "EST", 5, 2, WIDGETS_RIGHT },
	[SK_COL_CW] =	  { "CW", 5, 2, WIDGETS_RIGHT },
	[SK_COL_OTHER] =  { "OTHER", 5, 4, WIDGETS_RIGHT },
	[SK_COL_PORTS] =  { "PORTS", 6, 3, WIDGETS_RIGHT },
	[SK_COL_PRESS] =  { "PRESS%", 6, 1, WIDGETS_RIGHT },
	[SK_COL_NEW] =	  { "NEW/s", 6, 1, WIDGETS_RIGHT },
	[SK_COL_FULL] =	  { "FULL-IN", 7, 3, WIDGETS_RIGHT },
	[SK_COL_PROC] =	  { "PROCESS", 9, 2, WIDGETS_LEFT },
	[SK_COL_LOCAL] =  { "LOCAL", 15, 5, WIDGETS_LEFT },
};
_Static_assert(SK_NCOLS <= WIDGETS_MAX_COLS, "sk_cols fit a widgets_table");

/* What one frame draws into, top to bottom. */
struct sk_frame {
	struct pane			*p;
	WINDOW				*win;
	const struct theme		*t;
	const struct sockets		*s;
	const struct sockets_summary	*sum;
	const char			*filter;
	int				 x, w;		/* inner columns */
	int				 y, ybot;	/* next row, end */
	int				 reserve;	/* rows for the table */
	struct widgets_table		 tb;
	const struct sockets_group	*g;	/* the group being drawn */
};

static const char *const pane_sockets_help[] = {
	"# Sockets",
	"Every TCP socket on this machine, read from the kernel (sock_diag), "
	"counted per state and grouped per remote endpoint. Rates are changes "
	"per second between refreshes; the sparklines show the last two "
	"minutes.",
	"- ESTABLISHED: open connections carrying data.",
	"- SYN_SENT / SYN_RECV: connections being opened. Many SYN_SENT means "
	"the other side does not answer.",
	"- FIN_WAIT1 / FIN_WAIT2 / CLOSING / LAST_ACK: connections being "
	"closed; they normally pass in milliseconds.",
	"- CLOSE_WAIT: the peer closed but this program never called close(). "
	"A growing count is a bug in the program (a leaked socket).",
	"- TIME_WAIT: the side that closed first keeps the connection's "
	"address and port pair for 60 seconds, so stray late packets cannot "
	"corrupt a new connection. It piles up for short-lived client "
	"connections: 500 new connections per second leave 30,000 sockets in "
	"TIME_WAIT.",
	"- LISTEN: servers waiting for connections.",
	"Port pressure: each TIME_WAIT on the client side holds a local "
	"(ephemeral) port towards one destination address and port. The "
	"default range 32768-60999 gives 28,232 ports per destination; when "
	"they are all held, connect() fails with EADDRNOTAVAIL. PRESS% is the "
	"share of the range a group holds, FULL-IN when it runs out at the "
	"current rate, NEW/s how many connections enter TIME_WAIT per second. "
	"SIDE is cli (this host connects out, holding ports) or srv (peers "
	"connect in to a local service, shown as \":8080 <- peer\": "
	"harmless for ports). A remote address DNS gave a name (tubes' "
	"lookups, DNS seen in the capture) is shown by that name, with the "
	"address when the column is wide enough; the filter matches both.",
	"Kernel settings: net.ipv4.tcp_fin_timeout does NOT shorten TIME_WAIT "
	"(it sets FIN_WAIT2; TIME_WAIT is fixed at 60 s in the kernel). "
	"tcp_tw_recycle no longer exists (removed in Linux 4.12; it broke "
	"clients behind NAT). tcp_tw_reuse lets a new outgoing connection "
	"reuse a port in TIME_WAIT when TCP timestamps make it safe: 1 = on, "
	"2 = loopback only (the default), 0 = off. tcp_max_tw_buckets caps "
	"TIME_WAIT sockets; beyond it the kernel destroys them early and "
	"counts TCPTimeWaitOverflow. TCPAbortOnClose counts connections "
	"closed with unread data (a reset instead of a clean close).",
	"Fixes for TIME_WAIT buildup: reuse connections (HTTP keep-alive, a "
	"bigger idle pool in the client's connection pool); read response "
	"bodies to the end so the connection can go back to the pool; spread "
	"the load over more destination addresses or ports (each pair has "
	"its own 28,232 ports); let the server close first where the "
	"protocol allows it.",
	NULL
};

/* For the names DNS gave the remote addresses. */
static const struct ui_models	*sk_models;

/* The remote's DNS name, sanitized into buf; 0, or -1 when none. */
static int
sk_remote_name(char *buf, size_t len, const struct sockets_group *g)
{
	const char	*name;

	name = pane_name_of_bytes(sk_models, g->family, g->remote_addr);
	if (name == NULL)
		return -1;
	tb_sanitize_escaped(buf, len, name, 255);
	return 0;
}

/* The ":port" of "addr:port" or "[v6]:port", or "". */
static const char *
sk_port_of(const struct sockets_group *g)
{
	char		 str[sizeof(g->remote_str) + 1];
	const char	*c;
	size_t		 n = strnlen(g->remote_str, sizeof(g->remote_str));

	memcpy(str, g->remote_str, n);
	str[n] = '\0';
	c = str[0] == '[' ? strstr(str, "]:") : strrchr(str, ':');
	if (c == NULL)
		return "";
	if (*c == ']')
		c++;
	return g->remote_str + (c - str);
}

/*
 * A client group's remote labeled with its DNS name: "name:port (addr)"
 * when w allows, else "name:port"; the address alone without a name.
 */
static void
sk_fmt_client(char *buf, size_t len, const struct sockets_group *g, int w)
{
	char	name[TB_SAN_BOUND(256)];
	int	n;

	if (sk_remote_name(name, sizeof(name), g) == -1) {
		snprintf(buf, len, "%.*s", (int)strnlen(g->remote_str,
		    sizeof(g->remote_str)), g->remote_str);
		return;
	}
	n = snprintf(buf, len, "%.100s%s (%.*s)", name, sk_port_of(g),
	    (int)strnlen(g->remote_str, sizeof(g->remote_str)), g->remote_str);
	if (n > w)
		snprintf(buf, len, "%.100s%s", name, sk_port_of(g));
}

static const char *
sk_reuse_words(int mode)
{
	switch (mode) {
	case 0:
		return "0 (off)";
	case 1:
		return "1 (on)";
	case 2:
		return "2 (loopback only)";
	default:
		return "unknown";
	}
}

static void
sk_fmt_rate(char *buf, size_t len, int has_rates, double r)
{
	if (!has_rates)
		snprintf(buf, len, "-");
	else if (r > -100 && r < 100)
		snprintf(buf, len, "%+.1f", r);
	else
		snprintf(buf, len, "%+.0f", r);
}

static void
sk_fmt_per_s(char *buf, size_t len, int has_rates, double r)
{
	if (!has_rates)
		snprintf(buf, len, "-");
	else if (r < 100)
		snprintf(buf, len, "%.1f", r);
	else
		snprintf(buf, len, "%.0f", r);
}

static void
sk_fmt_full_in(char *buf, size_t len, int has_rates, double s)
{
	if (!has_rates || s < 0)
		snprintf(buf, len, "-");
	else if (s < 120)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0fm", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.1fh", s / 3600);
	else
		snprintf(buf, len, ">2d");
}

/* A kernel counter, with its rate when it moves. */
static void
sk_fmt_counter(char *buf, size_t len, int64_t v, int has_rates, double r)
{
	if (has_rates && r > 0)
		snprintf(buf, len, "%lld (+%.1f/s)", (long long)v, r);
	else
		snprintf(buf, len, "%lld", (long long)v);
}

/* The process column: "comm (pid)", comm sanitized; narrow: comm alone. */
static void
sk_fmt_proc(char *buf, size_t len, const struct sockets_group *g, int w)
{
	char	comm[TB_SAN_BOUND(sizeof(g->comm))];

	if (g->pid == 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	tb_sanitize(comm, sizeof(comm), g->comm, strnlen(g->comm,
	    sizeof(g->comm)), 0, 0);
	if (snprintf(buf, len, "%s (%d)", comm, g->pid) > w)
		snprintf(buf, len, "%s", comm);
}

/* Server side: the local port first, so clipping keeps what matters. */
static void
sk_fmt_server(char *buf, size_t len, const struct sockets_group *g,
    const struct theme *t)
{
	char	name[TB_SAN_BOUND(256)];
	size_t	n = strnlen(g->remote_str, sizeof(g->remote_str));

	if (n >= 2 && strcmp(g->remote_str + n - 2, ":*") == 0)
		n -= 2;
	if (sk_remote_name(name, sizeof(name), g) == 0)
		snprintf(buf, len, ":%u %s %.100s", g->local_port,
		    t->arrow_left, name);
	else
		snprintf(buf, len, ":%u %s %.*s", g->local_port,
		    t->arrow_left, (int)n, g->remote_str);
}

static int
sk_group_matches(const struct sockets_group *g, const char *filter)
{
	char	proc[sizeof(g->comm) + 16];

	if (*filter == '\0')
		return 1;
	snprintf(proc, sizeof(proc), "%.*s (%d)", (int)strnlen(g->comm,
	    sizeof(g->comm)), g->comm, g->pid);
	return strcasestr(g->remote_str, filter) != NULL ||
	    (pane_name_of_bytes(sk_models, g->family, g->remote_addr) !=
	    NULL && strcasestr(pane_name_of_bytes(sk_models, g->family,
	    g->remote_addr), filter) != NULL) ||
	    strcasestr(g->local_str, filter) != NULL ||
	    strcasestr(g->side == SOCK_SIDE_CLIENT ? "cli client" :
	    "srv server", filter) != NULL ||
	    (g->pid != 0 && strcasestr(proc, filter) != NULL);
}

/* widgets_rows: a group is one line, kept in the frame for sk_rows_draw. */
static size_t
sk_rows_nlines(void *arg, size_t i)
{
	struct sk_frame	*f = arg;

	f->g = sockets_group_at(f->s, i);
	return f->g != NULL && sk_group_matches(f->g, f->filter) ? 1 : 0;
}

static void	sk_rows_draw(void *, size_t, size_t, size_t, int);

/* The table's groups, as the UI scrolls them. */
static const struct widgets_rows sk_rows = {
	.nlines = sk_rows_nlines,
	.draw = sk_rows_draw,
};

static int
pane_sockets_attach(struct pane *p, const struct ui_models *m)
{
	if (m == NULL || m->sockets == NULL)
		return -1;
	p->model = m->sockets;
	sk_models = m;
	return 0;
}

/* Refreshes bump the generation; an error appearing or clearing too. */
static uint64_t
pane_sockets_generation(const struct pane *p)
{
	const struct sockets_summary	*sum = sockets_summary(p->model);
	uint64_t			 gen;

	gen = sum != NULL ? sum->generation : 0;
	/* A name learned later relabels a remote. */
	return (gen * 2 + (*sockets_error(p->model) != '\0')) ^
	    pane_names_generation(sk_models);
}

static size_t
pane_sockets_nrows(const struct pane *p)
{
	struct sk_frame	f;

	memset(&f, 0, sizeof(f));
	f.s = p->model;
	f.filter = p->filter;
	return widgets_rows_count(&sk_rows, &f, sockets_ngroups(f.s));
}

/* Rows left for a section once the table's share is kept back. */
static int
sk_room(const struct sk_frame *f)
{
	return f->ybot - f->reserve - f->y;
}

/*
 * Wrap text into at most maxlines rows starting at column indent; the
 * first row starts with tag.  Returns the rows used.
 */
static int
sk_wrap(struct sk_frame *f, const char *tag, attr_t tattr, const char *text,
    attr_t a, int maxlines)
{
	const char	*s = text, *next;
	size_t		 len;
	char		 line[512];
	int		 n = 0, indent;

	indent = tag != NULL ? widgets_width(tag) + 1 : 0;
	if (indent > f->w / 3)
		indent = 0;
	while (*s != '\0' && n < maxlines && f->y < f->ybot) {
		next = widgets_wrap(s, f->w - indent, &len);
		if (n == maxlines - 1 && *next != '\0') {
			/* Last row we may use: clip with a visible mark. */
			len = strlen(s);
			next = "";
		}
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, s, len);
		line[len] = '\0';
		if (n == 0 && tag != NULL)
			widgets_put(f->win, f->y, f->x, f->w, tattr, tag);
		widgets_cell(f->win, f->t, f->y, f->x + indent, f->w - indent,
		    a, WIDGETS_LEFT, line);
		f->y++;
		n++;
		s = next;
	}
	return n;
}

static void
sk_draw_error(struct sk_frame *f)
{
	const char	*e = sockets_error(f->s);
	char		 buf[TB_SAN_BOUND(256)];

	if (*e == '\0')
		return;
	tb_sanitize(buf, sizeof(buf), e, strlen(e), 256, f->t->is_utf8 ?
	    TB_SAN_UTF8 : 0);
	sk_wrap(f, "error:", theme_attr(f->t, THEME_CRIT), buf,
	    theme_attr(f->t, THEME_CRIT), 2);
}

/*
 * Lay "label value" items left to right, wrapping to a new row when one
 * does not fit; *cx is the next column.  Returns -1 when out of rows.
 */
static int
sk_item(struct sk_frame *f, int *cx, int maxrow, const char *label,
    const char *value, attr_t va)
{
	int	need;

	need = widgets_width(label) + 1 + widgets_width(value);
	if (*cx > f->x && *cx + need > f->x + f->w) {
		if (f->y + 1 >= maxrow)
			return -1;
		f->y++;
		*cx = f->x;
	}
	*cx += widgets_put(f->win, f->y, *cx, f->x + f->w - *cx,
	    theme_attr(f->t, THEME_NORMAL), label);
	*cx += 1;
	*cx += widgets_put(f->win, f->y, *cx, f->x + f->w - *cx, va, value);
	*cx += 2;
	return 0;
}

static void
sk_draw_summary(struct sk_frame *f)
{
	const struct sockets_summary	*m = f->sum;
	attr_t				 b = theme_attr(f->t, THEME_BOLD);
	attr_t				 warn = theme_attr(f->t, THEME_WARN);
	char				 v[9][64];
	int				 cx = f->x, maxrow;

	maxrow = f->y + (sk_room(f) > 3 ? 3 : sk_room(f) > 1 ? 2 : 1);
	snprintf(v[0], sizeof(v[0]), "%u", m->total);
	sk_fmt_per_s(v[1], sizeof(v[1]), m->has_rates, m->tw_new_per_s);
	if (m->tw_max_buckets > 0)
		snprintf(v[2], sizeof(v[2]), "%.1f%% of %ld", m->tw_bucket_pct,
		    m->tw_max_buckets);
	else
		snprintf(v[2], sizeof(v[2]), "unknown");
	snprintf(v[3], sizeof(v[3]), "%u-%u (%u)", m->port_lo, m->port_hi,
	    m->nports);
	if (sk_item(f, &cx, maxrow, "sockets", v[0], b) == -1 ||
	    sk_item(f, &cx, maxrow, "new TIME_WAIT/s", v[1], b) == -1 ||
	    sk_item(f, &cx, maxrow, "TW buckets", v[2], b) == -1 ||
	    sk_item(f, &cx, maxrow, "ephemeral", v[3], b) == -1 ||
	    sk_item(f, &cx, maxrow, "tw_reuse", sk_reuse_words(m->tw_reuse),
	    b) == -1)
		goto out;
	/* Groups and alerts are older than the counters above. */
	if (m->is_budgeted) {
		snprintf(v[8], sizeof(v[8]), "%.1f s (CPU budget)",
		    m->full_interval_ms / 1000.0);
		if (sk_item(f, &cx, maxrow, "table every", v[8],
		    theme_attr(f->t, THEME_DIM)) == -1)
			goto out;
	}
	if (m->tw_overflow >= 0) {
		sk_fmt_counter(v[4], sizeof(v[4]), m->tw_overflow,
		    m->has_rates, m->tw_overflow_per_s);
		if (sk_item(f, &cx, maxrow, "TCPTimeWaitOverflow", v[4],
		    m->tw_overflow_per_s > 0 ? warn : b) == -1)
			goto out;
	}
	if (m->abort_on_close >= 0) {
		sk_fmt_counter(v[5], sizeof(v[5]), m->abort_on_close,
		    m->has_rates, m->abort_on_close_per_s);
		if (sk_item(f, &cx, maxrow, "TCPAbortOnClose", v[5], b) == -1)
			goto out;
	}
	if (m->groups_dropped > 0) {
		snprintf(v[6], sizeof(v[6]), "%u", m->groups_dropped);
		if (sk_item(f, &cx, maxrow, "over group cap", v[6],
		    warn) == -1)
			goto out;
	}
	if (m->parse_errors > 0) {
		snprintf(v[7], sizeof(v[7]), "%u", m->parse_errors);
		sk_item(f, &cx, maxrow, "parse errors", v[7], warn);
	}
out:
	f->y++;
}

/* One state in a grid cell: name, count, rate, sparkline. */
static void
sk_draw_state_cell(struct sk_frame *f, int y, int x, int w,
    const struct sk_state *st)
{
	const struct sockets_summary	*m = f->sum;
	unsigned			 hist[SOCK_HISTORY_LEN];
	size_t				 n;
	char				 count[16], rate[16];
	attr_t				 a;
	int				 used;

	a = theme_attr(f->t, m->count[st->state] ? THEME_NORMAL : THEME_DIM);
	if (st->state == SOCK_ST_TIME_WAIT && sockets_nalerts(f->s) > 0)
		a = theme_attr(f->t, THEME_HILITE);
	snprintf(count, sizeof(count), "%u", m->count[st->state]);
	sk_fmt_rate(rate, sizeof(rate), m->has_rates, m->rate[st->state]);
	widgets_cell(f->win, f->t, y, x, 11, a, WIDGETS_LEFT,
	    sockets_state_name(st->state));
	widgets_cell(f->win, f->t, y, x + 12, 6, m->count[st->state] ?
	    theme_attr(f->t, THEME_BOLD) : a, WIDGETS_RIGHT, count);
	widgets_cell(f->win, f->t, y, x + 19, 7, a, WIDGETS_RIGHT, rate);
	used = 27;
	if (w - used - 1 < 2)
		return;
	n = sockets_history(f->s, st->state, hist, SOCK_HISTORY_LEN);
	widgets_spark(f->win, f->t, y, x + used, w - used - 1,
	    theme_attr(f->t, THEME_BORDER_FOCUS), hist, n);
}

#define SK_CELL_MIN_W	36	/* 27 of text + a 9-sample sparkline */

/* States in columns when there is room, else one compact flow. */
static void
sk_draw_states(struct sk_frame *f)
{
	const struct sockets_summary	*m = f->sum;
	char				 v[16], lab[16];
	size_t				 i;
	int				 ncols, nrows, cw, cx, maxrow;

	ncols = (f->w + 1) / (SK_CELL_MIN_W + 1);
	if (ncols > 3)
		ncols = 3;
	nrows = ncols > 0 ? ((int)SK_NSTATES + ncols - 1) / ncols : 0;
	if (ncols > 0 && nrows <= sk_room(f)) {
		cw = (f->w + 1) / ncols;
		for (i = 0; i < SK_NSTATES; i++)
			sk_draw_state_cell(f, f->y + (int)i % nrows,
			    f->x + (int)i / nrows * cw, cw, &sk_states[i]);
		f->y += nrows;
		return;
	}
	if (sk_room(f) < 1)
		return;
	maxrow = f->y + (sk_room(f) > 1 ? 2 : 1);
	cx = f->x;
	for (i = 0; i < SK_NSTATES; i++) {
		if (m->count[sk_states[i].state] == 0 &&
		    sk_states[i].state != SOCK_ST_TIME_WAIT &&
		    sk_states[i].state != SOCK_ST_ESTABLISHED)
			continue;
		snprintf(lab, sizeof(lab), "%s", sk_states[i].abbr);
		snprintf(v, sizeof(v), "%u", m->count[sk_states[i].state]);
		if (sk_item(f, &cx, maxrow, lab, v,
		    theme_attr(f->t, THEME_BOLD)) == -1)
			break;
	}
	f->y++;
}

static void
sk_draw_alerts(struct sk_frame *f)
{
	const struct sockets_alert	*al;
	char				 msg[TB_SAN_BOUND(sizeof(al->message))];
	char				 ascii[sizeof(al->message)];
	const char			*src, *em;
	size_t				 i, n = sockets_nalerts(f->s);
	attr_t				 a;
	int				 room, each;

	for (i = 0; i < n && (room = sk_room(f)) > 0; i++) {
		al = sockets_alert_at(f->s, i);
		src = al->message;
		/* Alerts may hold a "—": ASCII terminals get "-". */
		if (!f->t->is_utf8 &&
		    (em = strstr(src, "\xe2\x80\x94")) != NULL) {
			snprintf(ascii, sizeof(ascii), "%.*s-%s",
			    (int)(em - src), src, em + 3);
			src = ascii;
		}
		tb_sanitize(msg, sizeof(msg), src, strnlen(src,
		    sizeof(al->message)), 0, f->t->is_utf8 ? TB_SAN_UTF8 : 0);
		a = theme_attr(f->t, al->severity == SOCK_ALERT_CRIT ?
		    THEME_CRIT : THEME_WARN);
		each = room / (int)(n - i);
		if (each > 4)
			each = 4;
		if (each < 1)
			each = 1;
		sk_wrap(f, al->severity == SOCK_ALERT_CRIT ? "CRIT" : "WARN",
		    a, msg, theme_attr(f->t, al->severity == SOCK_ALERT_CRIT ?
		    THEME_WARN : THEME_NORMAL), each);
	}
}

/* Spare width: IPv4 endpoints whole first, then process names. */
static const struct widgets_grow sk_grow[] = {
	{ SK_COL_REMOTE, 22 }, { SK_COL_PROC, 24 },
	{ SK_COL_REMOTE, 46 }, { SK_COL_PROC, 26 },
	{ SK_COL_LOCAL, 46 },
};

/* The text of one cell of group g. */
static void
sk_cell_text(char *buf, size_t len, int col, int w,
    const struct sockets_group *g, const struct theme *t)
{
	unsigned	other;

	switch (col) {
	case SK_COL_REMOTE:
		if (g->side == SOCK_SIDE_SERVER)
			sk_fmt_server(buf, len, g, t);
		else
			sk_fmt_client(buf, len, g, w);
		return;
	case SK_COL_SIDE:
		snprintf(buf, len, "%s", g->side == SOCK_SIDE_CLIENT ?
		    "cli" : "srv");
		return;
	case SK_COL_TW:
		snprintf(buf, len, "%u", g->count[SOCK_ST_TIME_WAIT]);
		return;
	case SK_COL_EST:
		snprintf(buf, len, "%u", g->count[SOCK_ST_ESTABLISHED]);
		return;
	case SK_COL_CW:
		snprintf(buf, len, "%u", g->count[SOCK_ST_CLOSE_WAIT]);
		return;
	case SK_COL_OTHER:
		other = g->total - g->count[SOCK_ST_TIME_WAIT] -
		    g->count[SOCK_ST_ESTABLISHED] -
		    g->count[SOCK_ST_CLOSE_WAIT];
		snprintf(buf, len, "%u", other);
		return;
	case SK_COL_PORTS:
		if (g->side == SOCK_SIDE_CLIENT)
			snprintf(buf, len, "%u", g->ports_used);
		else
			snprintf(buf, len, "-");
		return;
	case SK_COL_PRESS:
		if (g->side == SOCK_SIDE_CLIENT)
			snprintf(buf, len, "%.1f", g->port_pressure_pct);
		else
			snprintf(buf, len, "-");
		return;
	case SK_COL_NEW:
		sk_fmt_per_s(buf, len, g->has_rates, g->new_per_s);
		return;
	case SK_COL_FULL:
		sk_fmt_full_in(buf, len, g->has_rates &&
		    g->side == SOCK_SIDE_CLIENT, g->full_in_s);
		return;
	case SK_COL_PROC:
		sk_fmt_proc(buf, len, g, w);
		return;
	case SK_COL_LOCAL:
		snprintf(buf, len, "%s", g->local_str);
		return;
	}
	buf[0] = '\0';
}

static attr_t
sk_row_attr(const struct sockets_group *g, const struct theme *t)
{
	unsigned	tw = g->count[SOCK_ST_TIME_WAIT];

	if (g->is_alerting)
		return theme_attr(t, THEME_WARN);
	if (g->side == SOCK_SIDE_CLIENT && tw >= SK_TW_HEAVY &&
	    tw * 2 >= g->total)
		return theme_attr(t, THEME_HILITE);
	return theme_attr(t, THEME_NORMAL);
}

static void
sk_draw_row(struct sk_frame *f, int y, const struct sockets_group *g)
{
	char	buf[160];
	attr_t	a = sk_row_attr(g, f->t);
	int	i;

	/* A flagged group is a bar across, blanks between cells too. */
	if (a != A_NORMAL) {
		wattrset(f->win, a);
		mvwhline(f->win, y, f->x, ' ', f->w);
	}
	for (i = 0; i < SK_NCOLS; i++) {
		if (f->tb.cw[i] == 0)
			continue;
		sk_cell_text(buf, sizeof(buf), i, f->tb.cw[i], g, f->t);
		widgets_table_cell(f->win, f->t, &f->tb, y, i, a, buf);
	}
}

/* widgets_rows: the group sk_rows_nlines kept, one line. */
static void
sk_rows_draw(void *arg, size_t i, size_t k, size_t prev, int y)
{
	struct sk_frame	*f = arg;

	(void)i;
	(void)k;
	(void)prev;
	sk_draw_row(f, y, f->g);
}

static void
sk_draw_table(struct sk_frame *f)
{
	struct pane	*p = f->p;
	int		 y;

	if (f->y >= f->ybot) {
		p->body_h = 0;
		return;
	}
	widgets_table_fit(&f->tb, sk_cols, SK_NCOLS, sk_grow,
	    sizeof(sk_grow) / sizeof(sk_grow[0]), f->x, f->w);
	widgets_table_header(f->win, f->t, &f->tb, f->y++,
	    theme_attr(f->t, THEME_HEADER));
	p->body_h = f->ybot - f->y;
	y = widgets_rows_draw(&sk_rows, f, sockets_ngroups(f->s), p->scroll,
	    f->y, f->ybot);
	if (y == f->y && f->y < f->ybot)
		widgets_put(f->win, f->y, f->x + 1, f->w - 1,
		    theme_attr(f->t, THEME_DIM), p->filter[0] != '\0' ?
		    "no group matches the filter" : f->sum->generation == 0 ?
		    "reading sockets..." : "no connected sockets");
}

static void
pane_sockets_draw(struct pane *p, const struct layout_rect *area,
    const struct theme *t)
{
	struct sk_frame	f;

	memset(&f, 0, sizeof(f));
	f.p = p;
	f.win = p->win;
	f.t = t;
	f.s = p->model;
	f.filter = p->filter;
	f.sum = sockets_summary(p->model);
	f.x = area->x;
	f.w = area->w;
	f.y = area->y;
	f.ybot = area->y + area->h;
	/* Keep the table's header and a few rows whatever the header. */
	f.reserve = area->h >= 12 ? 5 : area->h / 3;
	p->body_h = 0;
	if (f.w < 10 || area->h < 1 || f.sum == NULL)
		return;
	sk_draw_error(&f);
	if (sk_room(&f) > 0)
		sk_draw_summary(&f);
	if (sk_room(&f) > 0)
		sk_draw_states(&f);
	sk_draw_alerts(&f);
	sk_draw_table(&f);
}

const struct pane_ops pane_sockets = {
	.name = "sockets",
	.bit = TB_PANE_SOCKETS,
	.help = pane_sockets_help,
	.attach = pane_sockets_attach,
	.generation = pane_sockets_generation,
	.draw = pane_sockets_draw,
	.nrows = pane_sockets_nrows,
	.key = NULL,
};
