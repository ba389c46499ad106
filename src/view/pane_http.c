/*
 * The HTTP pane: a row per exchange the capture found (and a row per
 * HTTPS connection, by its TLS server name), oldest at the top, newest at
 * the bottom.  Follow mode keeps the newest rows in view until the user
 * moves up; a selected row opens a detail view with its headers.
 *
 * The rows are the capture's two rings (exchanges, TLS hellos) merged by
 * start time and filtered once per capture generation into an index, so
 * drawing and scrolling cost only the rows on screen.  Every string from
 * the capture is raw network bytes: it goes through tb_sanitize (without
 * TB_SAN_UTF8, so the detail view is plain ASCII and one byte is one
 * column) before it reaches the screen.
 */
#include "config.h"

#include "view/pane.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "opts.h"
#include "sanitize.h"
#include "xmalloc.h"
#include "model/capture.h"
#include "model/dns.h"
#include "model/sockets.h"
#include "model/trace.h"
#include "view/theme.h"
#include "view/ui.h"
#include "view/widgets.h"

#define HP_NIDX		(CAPTURE_RING + CAPTURE_TLS_RING)
#define HP_IDX_TLS	0x80000000U	/* index entry is a TLS connection */
#define HP_CELL_MAX	256		/* source bytes shown in a cell */
#define HP_LINE_MAX	2048		/* source bytes of one header line */
#define HP_DETAIL_LINES	4000		/* detail lines kept */
#define HP_SLOW_MS	1000.0		/* latency worth a highlight */
#define HP_DNS_SCAN	8192		/* DNS rows searched for a lookup */
#define HP_DNS_TYPE_A		1
#define HP_DNS_TYPE_AAAA	28

enum hp_col_id {
	HP_COL_TIME, HP_COL_CLIENT, HP_COL_SERVER, HP_COL_METHOD,
	HP_COL_HOST, HP_COL_PATH, HP_COL_STATUS, HP_COL_LAT, HP_COL_REQ,
	HP_COL_RESP, HP_COL_TYPE, HP_NCOLS
};

/* Prio 0-1 fill 68 of 78 columns; the rest widen host and path. */
static const struct widgets_col hp_cols[HP_NCOLS] = {
	[HP_COL_TIME] =	  { "Time", 12, 1, WIDGETS_LEFT },
	[HP_COL_CLIENT] = { "Client", 15, 4, WIDGETS_LEFT },
	[HP_COL_SERVER] = { "Server", 15, 2, WIDGETS_LEFT },
	[HP_COL_METHOD] = { "Method", 7, 0, WIDGETS_LEFT },
	[HP_COL_HOST] =	  { "Host", 12, 0, WIDGETS_LEFT },
	[HP_COL_PATH] =	  { "Path", 13, 0, WIDGETS_LEFT },
	[HP_COL_STATUS] = { "Status", 6, 0, WIDGETS_RIGHT },
	[HP_COL_LAT] =	  { "Lat ms", 6, 0, WIDGETS_RIGHT },
	[HP_COL_REQ] =	  { "Req", 5, 3, WIDGETS_RIGHT },
	[HP_COL_RESP] =	  { "Resp", 5, 1, WIDGETS_RIGHT },
	[HP_COL_TYPE] =	  { "Type", 10, 3, WIDGETS_LEFT },
};
_Static_assert(HP_NCOLS <= WIDGETS_MAX_COLS, "hp_cols fit a widgets_table");

static const struct widgets_grow hp_grow[] = {
	{ HP_COL_HOST, 16 }, { HP_COL_PATH, 24 }, { HP_COL_HOST, 20 },
	{ HP_COL_SERVER, 21 },
	{ HP_COL_CLIENT, 21 }, { HP_COL_TYPE, 24 }, { HP_COL_PATH, 60 },
	{ HP_COL_HOST, 40 }, { HP_COL_SERVER, 47 }, { HP_COL_CLIENT, 47 },
	{ HP_COL_PATH, 400 },
};

/* Which row the detail view shows, found again after the rings move. */
struct hp_key {
	int		 is_tls;
	uint64_t	 started_us;
	char		 client[CAPTURE_ADDRSTRLEN];
	char		 server[CAPTURE_ADDRSTRLEN];
};

/* A detail line: ASCII only, so one byte is one column. */
struct hp_line {
	char		*s;
	int		 role;		/* THEME_* */
};

struct hp_text {
	struct hp_line	*v;
	size_t		 n, cap;
	size_t		 nskipped;	/* over HP_DETAIL_LINES */
};

/*
 * One HTTP pane per UI; its view state lives here, not in the model.
 * The capture is read from the UI's models at every use.
 */
static struct {
	const struct ui_models	*models;

	/* The filtered rows, oldest first: exchange i, or HP_IDX_TLS | i. */
	uint32_t		 idx[HP_NIDX];
	size_t			 nidx;
	int			 has_idx;
	const struct capture	*idx_cap;
	uint64_t		 idx_gen;
	char			 idx_filter[PANE_FILTER_MAX];

	int			 is_follow;
	size_t			 sel;		/* selected row, in idx */
	int			 is_sel_moved;	/* by a key: scroll to it */

	int			 is_detail;
	size_t			 table_scroll;	/* restored on leaving */
	struct hp_key		 key;
	struct hp_text		 text;
	uint64_t		 text_gen;
	uint64_t		 links_gen;	/* DNS, trace, sockets shown */
	int			 is_gone;	/* left the capture's ring */
	int			 is_final;	/* will not change: no refresh */
} hp_state = { .is_follow = 1 };

static const char *const pane_http_help[] = {
	"# HTTP",
	"Every HTTP/1.x exchange the capture sees, one row each, oldest at "
	"the top and newest at the bottom. Packets come from libpcap, live "
	"(-i IFACE, default any, -f for a BPF filter) or from a pcap/pcapng "
	"file (-r FILE); TCP is reassembled per direction before HTTP is "
	"parsed, so out-of-order, retransmitted and split segments count "
	"once.",
	"- Time: when the first request byte was captured. Client, Server: "
	"the connection's addresses and ports. Method, Host (the Host "
	"header; without one, the name DNS gave the server's address when "
	"the DNS pane saw it), Path: the request line. Status: the final "
	"response's code, - while there is none.",
	"- Lat ms: latency in milliseconds, from the first byte of the "
	"request to the first byte of the final response: the server's "
	"think time plus the network's round trip. Over a second it is "
	"highlighted. Req, Resp: bytes of the request and the response, "
	"headers and body (K and M are 1024 and 1024x1024). Type: the "
	"response's Content-Type.",
	"- Colors: 4xx (client errors) in the warning color, 5xx (server "
	"errors) as an alarm.",
	"Interim responses (1xx, such as 100 Continue after Expect: "
	"100-continue) are counted in the detail view, never taken as the "
	"final status. Pipelined requests (sent before the previous "
	"response arrived) are paired with their responses in order, as "
	"HTTP/1.1 requires, one row each.",
	"HTTPS: the exchange is encrypted, so only the TLS ClientHello can "
	"be read: the row shows TLS as the method, the server name the "
	"client asked for (SNI) as the host, and the offered protocols "
	"(ALPN: h2, http/1.1) and TLS version. Paths, statuses and headers "
	"are not visible without the keys. HTTP/2 in cleartext (prior "
	"knowledge) is marked h2c.",
	"The line above the table: packets seen, drops (the kernel or the "
	"interface lost them: the capture was too slow), TCP flows, flows "
	"evicted from the capped flow table, and the capture source.",
	"Live capture needs CAP_NET_RAW (and CAP_NET_ADMIN for some "
	"interfaces): sudo setcap cap_net_raw,cap_net_admin+ep "
	"$(command -v tubes), or run as root. Without it the pane says so "
	"and every other pane keeps working; reading a file (-r) needs no "
	"privilege.",
	"- Keys: Up/Down select a row; Enter or d opens its detail "
	"(the sanitized request and response headers; arrows scroll it, "
	"Esc or d goes back, Enter there zooms). f toggles follow mode: "
	"new rows scroll into view until you move up; G or End follows "
	"again. / filters on host, path or status (4 keeps every 4xx).",
	"The detail view links the exchange to the other panes: its DNS "
	"lookup (the name that gave the server's address, from which server, "
	"how fast), its route (the trace's hops, whether it reached the "
	"server, the worst loss, when the trace goes to that address) and "
	"its socket (the sockets pane's states for that address and port), "
	"each \"not known\" when no pane saw it. t there traces the "
	"server's address.",
	NULL
};

/* --- small helpers ----------------------------------------------------- */

static struct capture *
hp_capture(void)
{
	return hp_state.models != NULL ? hp_state.models->capture : NULL;
}

static const char *
hp_why(void)
{
	const char	*s = hp_state.models != NULL ?
			    hp_state.models->capture_why : NULL;

	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Raw network text into buf, cut at HP_CELL_MAX source bytes. */
static void
hp_san(char *buf, size_t len, const char *s)
{
	if (s == NULL)
		s = "";
	tb_sanitize(buf, len, s, strnlen(s, HP_CELL_MAX + 1), HP_CELL_MAX, 0);
}

/* An address from the capture's fixed-size fields. */
static void
hp_san_addr(char *buf, size_t len, const char *ep)
{
	tb_sanitize(buf, len, ep, strnlen(ep, CAPTURE_ADDRSTRLEN),
	    CAPTURE_ADDRSTRLEN, 0);
}

static void
hp_fmt_time(char *buf, size_t len, uint64_t us)
{
	struct tm	tm;
	time_t		s = (time_t)(us / 1000000);

	if (us == 0 || localtime_r(&s, &tm) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (unsigned)(us % 1000000 / 1000));
}

/* Bytes in five columns: exact below 100000, then K, M, G (binary). */
static void
hp_fmt_bytes(char *buf, size_t len, uint64_t n, int has)
{
	if (!has)
		snprintf(buf, len, "-");
	else if (n < 100000)
		snprintf(buf, len, "%" PRIu64, n);
	else if (n < 10000ULL * 1024)
		snprintf(buf, len, "%" PRIu64 "K", n / 1024);
	else if (n < 10000ULL * 1024 * 1024)
		snprintf(buf, len, "%" PRIu64 "M", n / (1024 * 1024));
	else
		snprintf(buf, len, "%" PRIu64 "G", n / ((uint64_t)1 << 30));
}

/* The content type without its parameters ("; charset=..."). */
static void
hp_fmt_type(char *buf, size_t len, const char *ct)
{
	size_t	n;

	if (ct == NULL || ct[0] == '\0') {
		snprintf(buf, len, "-");
		return;
	}
	n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	tb_sanitize(buf, len, ct, n, 64, 0);
}

/* The address part of "1.2.3.4:80" or "[::1]:80". */
static void
hp_addr_of(char *buf, size_t len, const char *ep)
{
	const char	*end;
	size_t		 n;

	if (ep[0] == '[') {
		ep++;
		end = strchr(ep, ']');
	} else
		end = strrchr(ep, ':');
	n = end != NULL ? (size_t)(end - ep) : strlen(ep);
	if (n >= len)
		n = len - 1;
	memcpy(buf, ep, n);
	buf[n] = '\0';
}

static int
hp_row_has(const struct dns_row *r, const char *addr)
{
	const struct dns_answer	*a;
	size_t			 i;

	if (r == NULL || r->answers == NULL || r->rcode != 0)
		return 0;
	for (i = 0; i < r->nanswers && i < DNS_MAX_ANSWERS; i++) {
		a = &r->answers[i];
		if ((a->type == HP_DNS_TYPE_A || a->type == HP_DNS_TYPE_AAAA) &&
		    a->data != NULL && strcmp(a->data, addr) == 0)
			return 1;
	}
	return 0;
}

/* The newest row of d whose answers hold addr: passive, then ours. */
static const struct dns_row *
hp_dns_row_in(const struct dns *d, const char *addr, size_t *budget)
{
	const struct dns_row	*r;
	size_t			 i;

	for (i = dns_npassive(d); i > 0 && *budget > 0; i--, (*budget)--)
		if (hp_row_has(r = dns_passive_at(d, i - 1), addr))
			return r;
	for (i = dns_nrows(d); i > 0 && *budget > 0; i--, (*budget)--)
		if (hp_row_has(r = dns_row_at(d, i - 1), addr))
			return r;
	return NULL;
}

/* The lookup that gave addr, for the detail view; bounded scan. */
static const struct dns_row *
hp_dns_row(const char *addr)
{
	const struct ui_models	*m = hp_state.models;
	const struct dns_row	*r = NULL;
	size_t			 budget = HP_DNS_SCAN;

	if (m == NULL)
		return NULL;
	if (m->dns != NULL)
		r = hp_dns_row_in(m->dns, addr, &budget);
	if (r == NULL && m->target_dns != NULL && m->target_dns != m->dns)
		r = hp_dns_row_in(m->target_dns, addr, &budget);
	return r;
}

/* The name DNS gave the server's address (the engines' name tables). */
static const char *
hp_dns_name(const char *server)
{
	char	addr[CAPTURE_ADDRSTRLEN];

	hp_addr_of(addr, sizeof(addr), server);
	return pane_name_of(hp_state.models, addr);
}

/* --- the rows and the filter ------------------------------------------- */

static int
hp_has(const char *s, const char *filter)
{
	return s != NULL && strcasestr(s, filter) != NULL;
}

/* Host or path contain it, the status starts with it ("4": any 4xx),
 * or it is the method. */
static int
hp_ex_matches(const struct capture_exchange *e, const char *filter)
{
	char	st[16];
	size_t	n = strlen(filter);

	if (n == 0)
		return 1;
	snprintf(st, sizeof(st), "%d", e->status);
	return hp_has(e->host, filter) || hp_has(e->path, filter) ||
	    (e->status > 0 && strncmp(st, filter, n) == 0) ||
	    (e->method != NULL && strcasecmp(e->method, filter) == 0);
}

static int
hp_tls_matches(const struct capture_tls *t, const char *filter)
{
	if (filter[0] == '\0')
		return 1;
	return hp_has(t->sni, filter) || hp_has(t->alpn, filter) ||
	    hp_has(t->version, filter) || strcasecmp(filter, "tls") == 0;
}

static size_t
hp_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Merge the two rings by start time into the index, filtered. */
static void
hp_index_build(const struct capture *c, const char *filter)
{
	const struct capture_exchange	*e;
	const struct capture_tls	*t;
	size_t				 ne, nt, i = 0, j = 0, n = 0;

	ne = hp_min(capture_nexchanges(c), CAPTURE_RING);
	nt = hp_min(capture_ntls(c), CAPTURE_TLS_RING);
	while ((i < ne || j < nt) && n < HP_NIDX) {
		e = i < ne ? capture_exchange_at(c, i) : NULL;
		t = j < nt ? capture_tls_at(c, j) : NULL;
		if (e != NULL && (t == NULL || e->started_us <= t->started_us)) {
			if (hp_ex_matches(e, filter))
				hp_state.idx[n++] = (uint32_t)i;
			i++;
		} else if (t != NULL) {
			if (hp_tls_matches(t, filter))
				hp_state.idx[n++] = HP_IDX_TLS | (uint32_t)j;
			j++;
		} else if (i < ne)
			i++;	/* NULL from the model: skip, never loop */
		else
			j++;
	}
	hp_state.nidx = n;
}

/* The index, rebuilt when the capture or the filter moved. */
static size_t
hp_index(const char *filter)
{
	const struct capture	*c = hp_capture();
	uint64_t		 gen;

	if (c == NULL) {
		hp_state.has_idx = 0;
		hp_state.nidx = 0;
		return 0;
	}
	gen = capture_generation(c);
	if (hp_state.has_idx && hp_state.idx_cap == c &&
	    hp_state.idx_gen == gen &&
	    strcmp(hp_state.idx_filter, filter) == 0)
		return hp_state.nidx;
	hp_index_build(c, filter);
	hp_state.has_idx = 1;
	hp_state.idx_cap = c;
	hp_state.idx_gen = gen;
	snprintf(hp_state.idx_filter, sizeof(hp_state.idx_filter), "%s",
	    filter);
	return hp_state.nidx;
}

/* Row k of the index: one of *e and *t is set. */
static int
hp_row_at(size_t k, const struct capture_exchange **e,
    const struct capture_tls **t)
{
	const struct capture	*c = hp_capture();
	uint32_t		 v;

	*e = NULL;
	*t = NULL;
	if (c == NULL || k >= hp_state.nidx)
		return -1;
	v = hp_state.idx[k];
	if (v & HP_IDX_TLS)
		*t = capture_tls_at(c, v & ~HP_IDX_TLS);
	else
		*e = capture_exchange_at(c, v);
	return *e != NULL || *t != NULL ? 0 : -1;
}

/* --- the detail view's text -------------------------------------------- */

static void
hp_text_free(struct hp_text *x)
{
	size_t	i;

	for (i = 0; i < x->n; i++)
		free(x->v[i].s);
	free(x->v);
	memset(x, 0, sizeof(*x));
}

static void
hp_text_add(struct hp_text *x, int role, const char *s)
{
	if (x->n >= HP_DETAIL_LINES) {
		x->nskipped++;
		return;
	}
	if (x->n == x->cap) {
		x->cap = x->cap == 0 ? 64 : x->cap * 2;
		x->v = xreallocarray(x->v, x->cap, sizeof(x->v[0]));
	}
	x->v[x->n].s = xstrdup(s);
	x->v[x->n++].role = role;
}

/* Our own words with sanitized values in them (the format is ours). */
static void __attribute__((format(printf, 3, 4)))
hp_text_addf(struct hp_text *x, int role, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hp_text_add(x, role, buf);
}

/* A raw header block, one sanitized line per header line. */
static void
hp_text_block(struct hp_text *x, const char *title, const char *raw)
{
	char		 buf[TB_SAN_BOUND(HP_LINE_MAX) + 2];
	const char	*nl;
	size_t		 n;

	hp_text_add(x, THEME_HEADER, title);
	if (raw == NULL || raw[0] == '\0') {
		hp_text_add(x, THEME_DIM, "  (none captured)");
		return;
	}
	while (*raw != '\0') {
		nl = strchr(raw, '\n');
		n = nl != NULL ? (size_t)(nl - raw) : strlen(raw);
		if (n > 0 && raw[n - 1] == '\r')
			n--;
		/* Past the cap lines are only counted, not sanitized. */
		if (n > 0 && x->n >= HP_DETAIL_LINES)
			x->nskipped++;
		else if (n > 0) {
			buf[0] = buf[1] = ' ';
			tb_sanitize(buf + 2, sizeof(buf) - 2, raw, n,
			    HP_LINE_MAX, 0);
			hp_text_add(x, THEME_NORMAL, buf);
		}
		if (nl == NULL)
			break;
		raw = nl + 1;
	}
}

static void
hp_text_conn(struct hp_text *x, const char *client, const char *server,
    uint64_t started_us)
{
	char	c[TB_SAN_BOUND(CAPTURE_ADDRSTRLEN)];
	char	s[TB_SAN_BOUND(CAPTURE_ADDRSTRLEN)], tm[32];

	hp_san_addr(c, sizeof(c), client);
	hp_san_addr(s, sizeof(s), server);
	hp_fmt_time(tm, sizeof(tm), started_us);
	hp_text_addf(x, THEME_NORMAL, "%s -> %s, started %s", c, s, tm);
}

/* The DNS lookup that gave the server's address. */
static void
hp_text_link_dns(struct hp_text *x, const char *addr)
{
	const struct dns_row	*r = hp_dns_row(addr);
	char			 name[TB_SAN_BOUND(HP_CELL_MAX)];
	char			 srv[TB_SAN_BOUND(64)], a[TB_SAN_BOUND(64)];
	char			 ms[32];
	const char		*asked;

	hp_san_addr(a, sizeof(a), addr);
	if (r == NULL && (asked = pane_name_of(hp_state.models, addr))) {
		/* A PTR answer, or a lookup row no longer kept. */
		tb_sanitize_escaped(name, sizeof(name), asked, HP_CELL_MAX);
		hp_text_addf(x, THEME_NORMAL, "  DNS: %s is %s (no lookup of "
		    "it seen)", a, name);
		return;
	}
	if (r == NULL) {
		hp_text_addf(x, THEME_DIM, "  DNS: not known (no lookup seen "
		    "answered %s)", a);
		return;
	}
	asked = r->ncname > 0 && r->cname_chain != NULL ? r->cname_chain[0] :
	    r->qname != NULL ? r->qname : r->name;
	tb_sanitize_escaped(name, sizeof(name), asked, HP_CELL_MAX);
	tb_sanitize_escaped(srv, sizeof(srv), r->server, 64);
	widgets_fmt_ms(ms, sizeof(ms), r->latency_ms);
	hp_text_addf(x, THEME_NORMAL, "  DNS: %s -> %s (%s from %s, %s ms%s)",
	    name, a, r->lookup == SIZE_MAX ? "seen in the capture" :
	    "looked up", srv, ms, r->ncname > 1 ? ", via a CNAME chain" : "");
}

/* The trace, when it goes to the server's address. */
static void
hp_text_link_route(struct hp_text *x, const char *addr)
{
	const struct trace	*tr = hp_state.models != NULL ?
				    hp_state.models->trace : NULL;
	const struct trace_hop	*h;
	char			 tgt[TB_SAN_BOUND(64)];
	double			 worst = -1;
	size_t			 i, n, worst_ttl = 0;

	if (tr == NULL || trace_target_str(tr) == NULL) {
		hp_text_add(x, THEME_DIM, "  route: not known (no trace; t "
		    "traces the server)");
		return;
	}
	if (strcmp(trace_target_str(tr), addr) != 0) {
		hp_san(tgt, sizeof(tgt), trace_target_str(tr));
		hp_text_addf(x, THEME_DIM, "  route: not known (the trace "
		    "goes to %s; t traces the server)", tgt);
		return;
	}
	n = trace_nhops(tr);
	for (i = 0; i < n; i++)
		if ((h = trace_hop(tr, i)) != NULL && h->sent > 0 &&
		    h->loss_pct > worst) {
			worst = h->loss_pct;
			worst_ttl = h->ttl;
		}
	if (worst < 0)
		hp_text_addf(x, THEME_NORMAL, "  route: %zu hop%s, %s, no "
		    "probe answered yet", n, n == 1 ? "" : "s",
		    trace_is_reached(tr) ? "reached" : "not reached yet");
	else
		hp_text_addf(x, worst > 0 ? THEME_WARN : THEME_NORMAL,
		    "  route: %zu hop%s, %s, worst loss %.1f%% (hop %zu)", n,
		    n == 1 ? "" : "s", trace_is_reached(tr) ? "reached" :
		    "not reached", worst, worst_ttl);
}

/* "2 ESTABLISHED, 5 TIME_WAIT" of a sockets group. */
static void
hp_fmt_states(char *buf, size_t len, const struct sockets_group *g)
{
	const char	*name;
	size_t		 n = 0;
	int		 st;

	buf[0] = '\0';
	for (st = 0; st < SOCK_NSTATES && n + 1 < len; st++) {
		if (g->count[st] == 0 || (name = sockets_state_name(st)) == NULL)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%u %s", n > 0 ?
		    ", " : "", g->count[st], name);
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "none now");
}

/* Whether g holds this exchange's sockets: our connections to the
 * server (pass 0) or, the server being here, the client's on its port. */
static int
hp_group_is(const struct sockets_group *g, int pass, const char *server,
    const char *client_pat, int port)
{
	if (pass == 0)
		return g->side == SOCK_SIDE_CLIENT && strncmp(g->remote_str,
		    server, sizeof(g->remote_str)) == 0;
	return g->side == SOCK_SIDE_SERVER && port > 0 &&
	    g->local_port == (unsigned)port && strncmp(g->remote_str,
	    client_pat, sizeof(g->remote_str)) == 0;
}

/* The sockets pane's group for the exchange, with its state counts. */
static void
hp_text_link_socket(struct hp_text *x, const char *client,
    const char *server)
{
	const struct sockets		*s = hp_state.models != NULL ?
					    hp_state.models->sockets : NULL;
	const struct sockets_group	*g;
	char				 caddr[CAPTURE_ADDRSTRLEN], pat[80];
	char				 st[256], ep[TB_SAN_BOUND(64)];
	const char			*colon = strrchr(server, ':');
	size_t				 i, n;
	int				 pass, port = colon != NULL ?
					    atoi(colon + 1) : 0;

	if (s == NULL) {
		hp_text_add(x, THEME_DIM, "  socket: not known (no sockets "
		    "pane)");
		return;
	}
	hp_addr_of(caddr, sizeof(caddr), client);
	snprintf(pat, sizeof(pat), "%s:*", caddr);
	n = sockets_ngroups(s);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			if ((g = sockets_group_at(s, i)) == NULL ||
			    !hp_group_is(g, pass, server, pat, port))
				continue;
			hp_fmt_states(st, sizeof(st), g);
			tb_sanitize(ep, sizeof(ep), g->remote_str,
			    strnlen(g->remote_str, sizeof(g->remote_str)), 64,
			    0);
			if (pass == 0)
				hp_text_addf(x, THEME_NORMAL, "  socket: to %s: "
				    "%s", ep, st);
			else
				hp_text_addf(x, THEME_NORMAL, "  socket: on "
				    ":%d from %s: %s", port, ep, st);
			return;
		}
	hp_text_add(x, THEME_DIM, "  socket: not known (no socket to it on "
	    "this machine now)");
}

static void
hp_text_links(struct hp_text *x, const char *client, const char *server)
{
	char	addr[CAPTURE_ADDRSTRLEN];

	hp_addr_of(addr, sizeof(addr), server);
	hp_text_add(x, THEME_NORMAL, "");
	hp_text_add(x, THEME_HEADER, "Journey (DNS, route, socket)");
	hp_text_link_dns(x, addr);
	hp_text_link_route(x, addr);
	hp_text_link_socket(x, client, server);
}

static void
hp_text_exchange(struct hp_text *x, const struct capture_exchange *e)
{
	char	m[TB_SAN_BOUND(HP_CELL_MAX)], path[TB_SAN_BOUND(HP_CELL_MAX)];
	char	ver[64], host[TB_SAN_BOUND(HP_CELL_MAX)], reason[128];
	char	lat[32], tot[32], ct[TB_SAN_BOUND(64)];

	hp_san(m, sizeof(m), e->method != NULL ? e->method : "?");
	hp_san(path, sizeof(path), e->path);
	tb_sanitize(ver, sizeof(ver), e->version != NULL ? e->version : "",
	    e->version != NULL ? strnlen(e->version, 16) : 0, 16, 0);
	hp_san(host, sizeof(host), e->host);
	hp_text_addf(x, THEME_BOLD, "%s%s %s %s", e->kind ==
	    CAPTURE_KIND_H2C ? "h2c " : "", m, path, ver);
	if (e->status > 0) {
		tb_sanitize(reason, sizeof(reason), e->reason != NULL ?
		    e->reason : "", e->reason != NULL ? strnlen(e->reason,
		    24) : 0, 24, 0);
		hp_text_addf(x, e->status >= 500 ? THEME_CRIT :
		    e->status >= 400 ? THEME_WARN : THEME_BOLD, "-> %d %s",
		    e->status, reason);
	} else
		hp_text_add(x, THEME_DIM, e->has_response ?
		    "-> no final response" : "-> no response seen");
	hp_text_addf(x, THEME_NORMAL, "Host: %s", host[0] != '\0' ? host :
	    "(none)");
	hp_text_conn(x, e->client, e->server, e->started_us);
	widgets_fmt_ms(lat, sizeof(lat), e->latency_ms);
	widgets_fmt_ms(tot, sizeof(tot), e->total_ms);
	hp_text_addf(x, e->latency_ms > HP_SLOW_MS ? THEME_HILITE :
	    THEME_NORMAL, "latency %s ms (first request byte -> first "
	    "response byte), total %s ms", lat, tot);
	hp_fmt_type(ct, sizeof(ct), e->content_type);
	hp_text_addf(x, THEME_NORMAL, "request %" PRIu64 " bytes, response "
	    "%" PRIu64 " bytes, type %s", e->req_bytes, e->resp_bytes, ct);
	if (e->ninterim > 0)
		hp_text_addf(x, THEME_NORMAL, "interim responses (1xx): %u",
		    e->ninterim);
	if (e->is_truncated)
		hp_text_add(x, THEME_WARN, "truncated: headers over the "
		    "size limit, or the capture's snaplen cut the packets");
	if (e->is_incomplete)
		hp_text_add(x, THEME_WARN, "incomplete: the connection ended "
		    "or the capture stopped before the exchange did");
	hp_text_add(x, THEME_NORMAL, "");
	hp_text_block(x, "Request headers", e->req_headers);
	hp_text_add(x, THEME_NORMAL, "");
	hp_text_block(x, "Response headers", e->resp_headers);
	hp_text_links(x, e->client, e->server);
}

static void
hp_text_tls(struct hp_text *x, const struct capture_tls *t)
{
	char	sni[TB_SAN_BOUND(HP_CELL_MAX)], alpn[TB_SAN_BOUND(HP_CELL_MAX)];
	char	ver[TB_SAN_BOUND(32)];

	hp_san(sni, sizeof(sni), t->sni);
	hp_san(alpn, sizeof(alpn), t->alpn);
	tb_sanitize(ver, sizeof(ver), t->version != NULL ? t->version : "",
	    t->version != NULL ? strnlen(t->version, 32) : 0, 32, 0);
	hp_text_add(x, THEME_BOLD, "TLS connection (HTTPS)");
	hp_text_conn(x, t->client, t->server, t->started_us);
	hp_text_addf(x, THEME_NORMAL, "server name (SNI): %s", sni[0] !=
	    '\0' ? sni : "(none sent)");
	hp_text_addf(x, THEME_NORMAL, "ALPN offered: %s", alpn[0] != '\0' ?
	    alpn : "(none)");
	hp_text_addf(x, THEME_NORMAL, "version: %s", ver[0] != '\0' ? ver :
	    "?");
	hp_text_links(x, t->client, t->server);
	hp_text_add(x, THEME_NORMAL, "");
	hp_text_add(x, THEME_DIM, "The rest of the connection is encrypted: "
	    "only the ClientHello can be read.");
}

static int
hp_key_is(const struct hp_key *k, int is_tls, uint64_t started_us,
    const char *client, const char *server)
{
	return k->is_tls == is_tls && k->started_us == started_us &&
	    strncmp(k->client, client, sizeof(k->client)) == 0 &&
	    strncmp(k->server, server, sizeof(k->server)) == 0;
}

/* The detail's row again, newest first; 0 and the text, -1 when gone. */
static int
hp_detail_find(void)
{
	const struct capture		*c = hp_capture();
	const struct capture_exchange	*e;
	const struct capture_tls	*t;
	const struct hp_key		*k = &hp_state.key;
	size_t				 i;

	if (c == NULL)
		return -1;
	if (k->is_tls) {
		for (i = hp_min(capture_ntls(c), CAPTURE_TLS_RING); i > 0; i--)
			if ((t = capture_tls_at(c, i - 1)) != NULL &&
			    hp_key_is(k, 1, t->started_us, t->client,
			    t->server)) {
				hp_text_tls(&hp_state.text, t);
				hp_state.is_final = 1;
				return 0;
			}
		return -1;
	}
	for (i = hp_min(capture_nexchanges(c), CAPTURE_RING); i > 0; i--)
		if ((e = capture_exchange_at(c, i - 1)) != NULL &&
		    hp_key_is(k, 0, e->started_us, e->client, e->server)) {
			hp_text_exchange(&hp_state.text, e);
			/* Once whole, an exchange no longer changes. */
			hp_state.is_final = e->status > 0 && e->total_ms >= 0 &&
			    !e->is_incomplete;
			return 0;
		}
	return -1;
}

/* What the detail's journey lines read: DNS, the trace, the sockets. */
static uint64_t
hp_links_gen(void)
{
	const struct ui_models	*m = hp_state.models;
	uint64_t		 g = 0xcbf29ce484222325ULL;

	if (m == NULL)
		return 0;
#define HP_MIX(v)	(g = (g ^ (uint64_t)(v)) * 0x100000001b3ULL)
	HP_MIX(m->dns != NULL ? dns_generation(m->dns) : 0);
	HP_MIX(m->target_dns != NULL ? dns_generation(m->target_dns) : 0);
	HP_MIX((uintptr_t)m->trace);
	HP_MIX(m->trace != NULL ? trace_generation(m->trace) : 0);
	HP_MIX(m->sockets != NULL && sockets_summary(m->sockets) != NULL ?
	    sockets_summary(m->sockets)->generation : 0);
#undef HP_MIX
	return g;
}

/* Rebuild the detail text when the capture moved (a response came) or
 * what its journey lines show did. */
static void
hp_detail_refresh(void)
{
	const struct capture	*c = hp_capture();
	uint64_t		 gen = c != NULL ? capture_generation(c) : 0;
	uint64_t		 lg = hp_links_gen();

	if (hp_state.text.v != NULL && (hp_state.is_gone ||
	    ((hp_state.is_final || gen == hp_state.text_gen) &&
	    lg == hp_state.links_gen)))
		return;
	hp_state.links_gen = lg;
	/* Keep the old text when the row left the ring. */
	if (hp_state.text.v != NULL) {
		struct hp_text	old = hp_state.text;

		memset(&hp_state.text, 0, sizeof(hp_state.text));
		if (hp_detail_find() == -1) {
			hp_text_free(&hp_state.text);
			hp_state.text = old;
			hp_state.is_gone = 1;
		} else
			hp_text_free(&old);
	} else if (hp_detail_find() == -1)
		hp_state.is_gone = 1;
	hp_state.text_gen = gen;
}

static void
hp_key_set(struct hp_key *k, int is_tls, uint64_t started_us,
    const char *client, const char *server)
{
	memset(k, 0, sizeof(*k));
	k->is_tls = is_tls;
	k->started_us = started_us;
	snprintf(k->client, sizeof(k->client), "%s", client);
	snprintf(k->server, sizeof(k->server), "%s", server);
}

static int
hp_detail_open(struct pane *p)
{
	const struct capture_exchange	*e;
	const struct capture_tls	*t;

	if (hp_index(p->filter) == 0 || hp_state.sel >= hp_state.nidx ||
	    hp_row_at(hp_state.sel, &e, &t) == -1)
		return 0;
	if (e != NULL)
		hp_key_set(&hp_state.key, 0, e->started_us, e->client,
		    e->server);
	else
		hp_key_set(&hp_state.key, 1, t->started_us, t->client,
		    t->server);
	hp_text_free(&hp_state.text);
	hp_state.is_gone = 0;
	hp_state.is_final = 0;
	hp_state.is_detail = 1;
	hp_state.table_scroll = p->scroll;
	p->scroll = 0;
	hp_detail_refresh();
	return 1;
}

static void
hp_detail_close(struct pane *p)
{
	hp_text_free(&hp_state.text);
	hp_state.is_detail = 0;
	hp_state.is_gone = 0;
	p->scroll = hp_state.table_scroll;
}

/* Screen lines of detail line s in w columns (ASCII: bytes = columns). */
static size_t
hp_wrapped(const char *s, int w)
{
	size_t	n = strlen(s);

	if (w < 1 || n == 0)
		return 1;
	return (n + (size_t)w - 1) / (size_t)w;
}

/* --- drawing ----------------------------------------------------------- */

struct hp_frame {
	struct pane		*p;
	WINDOW			*win;
	const struct theme	*t;
	const struct capture	*c;
	int			 x, w;
	int			 y, ybot;
	struct widgets_table	 tb;
	size_t			 first;		/* index row atop the table */
};

static void
hp_cell(struct hp_frame *f, int y, int col, attr_t a, const char *s)
{
	widgets_table_cell(f->win, f->t, &f->tb, y, col, a, s);
}

static attr_t
hp_status_attr(const struct theme *t, int status)
{
	if (status >= 500)
		return theme_attr(t, THEME_CRIT);
	if (status >= 400)
		return theme_attr(t, THEME_WARN);
	if (status <= 0)
		return theme_attr(t, THEME_DIM);
	return theme_attr(t, THEME_NORMAL);
}

/* Host: the Host header, else the DNS name of the server (dimmed). */
static void
hp_draw_host(struct hp_frame *f, int y, attr_t a, const char *host,
    const char *server, const char *none)
{
	char		 buf[TB_SAN_BOUND(HP_CELL_MAX)];
	const char	*name;

	if (host != NULL && host[0] != '\0') {
		hp_san(buf, sizeof(buf), host);
		hp_cell(f, y, HP_COL_HOST, a, buf);
		return;
	}
	if (f->tb.cw[HP_COL_HOST] > 0 && (name = hp_dns_name(server))) {
		tb_sanitize_escaped(buf, sizeof(buf), name, HP_CELL_MAX);
		hp_cell(f, y, HP_COL_HOST, a | theme_attr(f->t, THEME_DIM),
		    buf);
	} else
		hp_cell(f, y, HP_COL_HOST, a | theme_attr(f->t, THEME_DIM),
		    none);
}

static void
hp_draw_conn(struct hp_frame *f, int y, attr_t a, uint64_t started_us,
    const char *client, const char *server)
{
	char	buf[TB_SAN_BOUND(CAPTURE_ADDRSTRLEN)];

	hp_fmt_time(buf, sizeof(buf), started_us);
	hp_cell(f, y, HP_COL_TIME, a, buf);
	hp_san_addr(buf, sizeof(buf), client);
	hp_cell(f, y, HP_COL_CLIENT, a, buf);
	hp_san_addr(buf, sizeof(buf), server);
	hp_cell(f, y, HP_COL_SERVER, a, buf);
}

static void
hp_draw_exchange(struct hp_frame *f, int y, attr_t a,
    const struct capture_exchange *e)
{
	char	buf[TB_SAN_BOUND(HP_CELL_MAX)], m[TB_SAN_BOUND(16)];
	attr_t	sa = hp_status_attr(f->t, e->status) | a;

	hp_draw_conn(f, y, a, e->started_us, e->client, e->server);
	tb_sanitize(m, sizeof(m), e->method != NULL ? e->method : "",
	    e->method != NULL ? strnlen(e->method, 12) : 0, 12, 0);
	if (e->kind == CAPTURE_KIND_H2C)
		snprintf(buf, sizeof(buf), "h2c%s%s", m[0] != '\0' ? " " : "",
		    m);
	else
		snprintf(buf, sizeof(buf), "%s", m[0] != '\0' ? m : "?");
	hp_cell(f, y, HP_COL_METHOD, a, buf);
	hp_draw_host(f, y, a, e->host, e->server, "-");
	hp_san(buf, sizeof(buf), e->path != NULL && e->path[0] != '\0' ?
	    e->path : "-");
	hp_cell(f, y, HP_COL_PATH, e->status >= 400 ? sa : a, buf);
	if (e->status > 0)
		snprintf(buf, sizeof(buf), "%d", e->status);
	else
		snprintf(buf, sizeof(buf), "-");
	hp_cell(f, y, HP_COL_STATUS, sa, buf);
	widgets_fmt_ms(buf, sizeof(buf), e->latency_ms);
	hp_cell(f, y, HP_COL_LAT, a | theme_attr(f->t, e->latency_ms >
	    HP_SLOW_MS ? THEME_HILITE : THEME_NORMAL), buf);
	hp_fmt_bytes(buf, sizeof(buf), e->req_bytes, e->has_request);
	hp_cell(f, y, HP_COL_REQ, a, buf);
	hp_fmt_bytes(buf, sizeof(buf), e->resp_bytes, e->has_response);
	hp_cell(f, y, HP_COL_RESP, a, buf);
	hp_fmt_type(buf, sizeof(buf), e->content_type);
	hp_cell(f, y, HP_COL_TYPE, a, buf);
}

/* An HTTPS connection: TLS, its SNI as the host, ALPN and version. */
static void
hp_draw_tls(struct hp_frame *f, int y, attr_t a, const struct capture_tls *t)
{
	char	buf[TB_SAN_BOUND(HP_CELL_MAX) + 64];
	char	alpn[TB_SAN_BOUND(64)], ver[TB_SAN_BOUND(32)];

	hp_draw_conn(f, y, a, t->started_us, t->client, t->server);
	hp_cell(f, y, HP_COL_METHOD, a | theme_attr(f->t, THEME_BOLD), "TLS");
	hp_draw_host(f, y, a, t->sni, t->server, "(no SNI)");
	tb_sanitize(alpn, sizeof(alpn), t->alpn != NULL ? t->alpn : "",
	    t->alpn != NULL ? strnlen(t->alpn, 64) : 0, 64, 0);
	tb_sanitize(ver, sizeof(ver), t->version != NULL ? t->version : "",
	    t->version != NULL ? strnlen(t->version, 32) : 0, 32, 0);
	/* The version has its own cell (Type); the path is encrypted. */
	snprintf(buf, sizeof(buf), "%s%s", alpn[0] != '\0' ? "ALPN " :
	    "(encrypted)", alpn);
	hp_cell(f, y, HP_COL_PATH, a | theme_attr(f->t, THEME_DIM), buf);
	hp_cell(f, y, HP_COL_STATUS, a | theme_attr(f->t, THEME_DIM), "-");
	hp_cell(f, y, HP_COL_TYPE, a | theme_attr(f->t, THEME_DIM),
	    ver[0] != '\0' ? ver : "-");
}

static void
hp_draw_row(struct hp_frame *f, int y, size_t k)
{
	const struct capture_exchange	*e;
	const struct capture_tls	*t;
	attr_t				 a = 0;

	if (hp_row_at(k, &e, &t) == -1)
		return;
	if (k == hp_state.sel && f->p->is_focused) {
		a = A_REVERSE;
		widgets_printf(f->win, y, f->x, f->w, a, "%*s", f->w, "");
	}
	if (e != NULL)
		hp_draw_exchange(f, y, a, e);
	else
		hp_draw_tls(f, y, a, t);
}

/* Packets, drops, flows, evictions, the source: one line. */
static void
hp_draw_stats(struct hp_frame *f)
{
	const struct capture_stats	*s = capture_stats(f->c);
	const char			*src = capture_source(f->c);
	const char			*base;
	char				 buf[512], name[TB_SAN_BOUND(64)];
	attr_t				 n = theme_attr(f->t, THEME_NORMAL);
	int				 x = f->x, r = f->w;

	if (s == NULL)
		return;
	base = src != NULL && strrchr(src, '/') != NULL ?
	    strrchr(src, '/') + 1 : src;
	if (base == NULL)
		base = "?";
	tb_sanitize(name, sizeof(name), base, strnlen(base, 64), 64, 0);
	snprintf(buf, sizeof(buf), "%" PRIu64 " packets  ", s->packets);
	x += widgets_put(f->win, f->y, x, r - (x - f->x), n, buf);
	snprintf(buf, sizeof(buf), "%" PRIu64 " drops", s->dropped);
	x += widgets_put(f->win, f->y, x, r - (x - f->x), theme_attr(f->t,
	    s->dropped > 0 ? THEME_CRIT : THEME_NORMAL), buf);
	snprintf(buf, sizeof(buf), "  %" PRIu64 " flows  %" PRIu64
	    " evicted  %s %s%s", s->flows, s->flows_evicted,
	    capture_is_live(f->c) ? "live" : "file", name,
	    !capture_is_live(f->c) && capture_is_done(f->c) ? " (read)" : "");
	widgets_put(f->win, f->y, x, r - (x - f->x), s->flows_evicted > 0 ?
	    theme_attr(f->t, THEME_WARN) : n, buf);
	f->y++;
}

/* widgets_rows: index row first + i, one line each. */
static size_t
hp_rows_nlines(void *arg, size_t i)
{
	(void)arg;
	(void)i;
	return 1;
}

static void
hp_rows_draw(void *arg, size_t i, size_t k, size_t prev, int y)
{
	struct hp_frame	*f = arg;

	(void)k;
	(void)prev;
	hp_draw_row(f, y, f->first + i);
}

/* The table's rows from the first on screen, so drawing costs only them. */
static const struct widgets_rows hp_rows = {
	.nlines = hp_rows_nlines,
	.draw = hp_rows_draw,
};

/* The index's window on screen: follow, or keep the selection in it. */
static void
hp_place(struct pane *p, size_t n)
{
	size_t	h = p->body_h > 0 ? (size_t)p->body_h : 1;

	if (hp_state.is_follow) {
		p->scroll = n > h ? n - h : 0;
		hp_state.sel = n > 0 ? n - 1 : 0;
	} else if (hp_state.is_sel_moved) {
		if (hp_state.sel < p->scroll)
			p->scroll = hp_state.sel;
		else if (hp_state.sel >= p->scroll + h)
			p->scroll = hp_state.sel - h + 1;
	} else {
		if (hp_state.sel < p->scroll)
			hp_state.sel = p->scroll;
		else if (hp_state.sel >= p->scroll + h)
			hp_state.sel = p->scroll + h - 1;
	}
	if (n > 0 && hp_state.sel >= n)
		hp_state.sel = n - 1;
	if (p->scroll > (n > h ? n - h : 0))
		p->scroll = n > h ? n - h : 0;
	hp_state.is_sel_moved = 0;
}

static void
hp_draw_table(struct hp_frame *f)
{
	struct pane	*p = f->p;
	size_t		 n = hp_index(p->filter);
	const char	*err = capture_error(f->c);
	char		 buf[TB_SAN_BOUND(256)];

	hp_draw_stats(f);
	if (err != NULL && f->y < f->ybot) {
		hp_san(buf, sizeof(buf), err);
		widgets_put(f->win, f->y, f->x, 7, theme_attr(f->t,
		    THEME_CRIT), "error:");
		widgets_cell(f->win, f->t, f->y++, f->x + 7, f->w - 7,
		    theme_attr(f->t, THEME_NORMAL), WIDGETS_LEFT, buf);
	}
	if (f->y >= f->ybot)
		return;
	widgets_table_fit(&f->tb, hp_cols, HP_NCOLS, hp_grow,
	    sizeof(hp_grow) / sizeof(hp_grow[0]), f->x, f->w);
	widgets_table_header(f->win, f->t, &f->tb, f->y++,
	    theme_attr(f->t, THEME_HEADER));
	p->body_h = f->ybot - f->y;
	hp_place(p, n);
	f->first = p->scroll < n ? p->scroll : n;
	widgets_rows_draw(&hp_rows, f, n - f->first, 0, f->y, f->ybot);
	if (n == 0 && f->y < f->ybot)
		widgets_put(f->win, f->y, f->x + 1, f->w - 1,
		    theme_attr(f->t, THEME_DIM), p->filter[0] != '\0' ?
		    "no exchange matches the filter" : capture_is_live(f->c) ?
		    "capturing: no HTTP exchange seen yet" :
		    capture_is_done(f->c) ? "no HTTP exchange in this file" :
		    "reading the file");
}

/* widgets_rows: detail line i wrapped to the frame's width; then "more". */
static size_t
hp_detail_rows_nlines(void *arg, size_t i)
{
	const struct hp_frame	*f = arg;

	if (i >= hp_state.text.n)
		return 1;
	return hp_wrapped(hp_state.text.v[i].s, f->w);
}

static void
hp_detail_rows_draw(void *arg, size_t i, size_t k, size_t prev, int y)
{
	struct hp_frame		*f = arg;
	const struct hp_line	*l;
	char			 more[64];

	(void)prev;
	if (i >= hp_state.text.n) {
		snprintf(more, sizeof(more), "... %zu more lines not shown",
		    hp_state.text.nskipped);
		widgets_put(f->win, y, f->x, f->w, theme_attr(f->t,
		    THEME_DIM), more);
		return;
	}
	l = &hp_state.text.v[i];
	if (k * (size_t)f->w < strlen(l->s))
		widgets_put(f->win, y, f->x, f->w, theme_attr(f->t, l->role),
		    l->s + k * (size_t)f->w);
}

static const struct widgets_rows hp_detail_rows = {
	.nlines = hp_detail_rows_nlines,
	.draw = hp_detail_rows_draw,
};

/* The detail's lines and the "more" line after them, if any. */
static size_t
hp_detail_nrows(void)
{
	return hp_state.text.n + (hp_state.text.nskipped > 0);
}

static size_t
hp_detail_nlines(int w)
{
	struct hp_frame	f;

	memset(&f, 0, sizeof(f));
	f.w = w;
	return widgets_rows_count(&hp_detail_rows, &f, hp_detail_nrows());
}

static void
hp_draw_detail(struct hp_frame *f)
{
	struct pane	*p = f->p;

	hp_detail_refresh();
	if (hp_state.is_gone && f->y < f->ybot)
		widgets_put(f->win, f->y++, f->x, f->w, theme_attr(f->t,
		    THEME_DIM), "(this row left the capture's ring: "
		    "last known state)");
	p->body_h = f->ybot - f->y;
	widgets_rows_draw(&hp_detail_rows, f, hp_detail_nrows(), p->scroll,
	    f->y, f->ybot);
}

/* No capture: why (no privilege: the setcap line), wrapped. */
static void
hp_draw_why(struct hp_frame *f)
{
	char		 buf[TB_SAN_BOUND(1024)], line[TB_SAN_BOUND(1024)];
	const char	*why = hp_why(), *s, *next;
	size_t		 len;

	if (why == NULL) {
		widgets_put(f->win, f->y, f->x + 1, f->w - 1, theme_attr(f->t,
		    THEME_DIM), "no capture");
		return;
	}
	tb_sanitize(buf, sizeof(buf), why, strnlen(why, 1024), 1024, 0);
	for (s = buf; *s != '\0' && f->y < f->ybot; s = next) {
		next = widgets_wrap(s, f->w - 1, &len);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, s, len);
		line[len] = '\0';
		widgets_put(f->win, f->y++, f->x + 1, f->w - 1,
		    theme_attr(f->t, THEME_WARN), line);
		if (next == s)
			break;	/* no progress: never spin */
	}
}

static void
pane_http_draw(struct pane *p, const struct layout_rect *area,
    const struct theme *t)
{
	struct hp_frame	f;

	memset(&f, 0, sizeof(f));
	f.p = p;
	f.win = p->win;
	f.t = t;
	f.c = hp_capture();
	f.x = area->x;
	f.w = area->w;
	f.y = area->y;
	f.ybot = area->y + area->h;
	p->body_h = 0;
	if (f.w < 10 || area->h < 1)
		return;
	if (f.c == NULL) {
		hp_draw_why(&f);
		return;
	}
	if (hp_state.is_detail)
		hp_draw_detail(&f);
	else
		hp_draw_table(&f);
}

/* --- pane ops ---------------------------------------------------------- */

static int
pane_http_attach(struct pane *p, const struct ui_models *m)
{
	if (m == NULL)
		return -1;
	hp_state.models = m;
	p->model = NULL;	/* read through hp_capture() */
	return 0;
}

static uint64_t
pane_http_generation(const struct pane *p)
{
	const struct capture	*c = hp_capture();
	const char		*why = hp_why();
	uint64_t		 g = c != NULL ? capture_generation(c) : 0;
	size_t			 i;

	(void)p;
	/* Without a capture, the reason's FNV-1a hash stands for it. */
	if (c == NULL && why != NULL)
		for (i = 0, g = 0xcbf29ce484222325ULL; why[i] != '\0' &&
		    i < 1024; i++)
			g = (g ^ (unsigned char)why[i]) * 0x100000001b3ULL;
	if (hp_state.is_detail)
		g ^= hp_links_gen();
	else	/* a name learned later labels a host cell */
		g ^= pane_names_generation(hp_state.models);
	return g * 8 + (uint64_t)(c != NULL) * 4 +
	    (uint64_t)hp_state.is_detail * 2 + (uint64_t)hp_state.is_follow;
}

static size_t
pane_http_nrows(const struct pane *p)
{
	if (hp_capture() == NULL)
		return 0;
	if (hp_state.is_detail)
		return hp_detail_nlines(p->rect.w - 2);
	return hp_index(p->filter);
}

static void
pane_http_title(const struct pane *p, char *buf, size_t len)
{
	(void)p;
	if (hp_capture() == NULL)
		snprintf(buf, len, "%s", hp_why() != NULL ? "no capture" :
		    "off");
	else if (hp_state.is_detail)
		snprintf(buf, len, "detail  Esc:back");
	else
		snprintf(buf, len, "%s", hp_state.is_follow ? "following" :
		    "scrolled (f: follow)");
}

/* Keys before the UI's: Enter opens a row; Up/Down move the selection. */
static int
pane_http_key_first(struct pane *p, int key)
{
	size_t	n;

	if (hp_state.is_detail || hp_capture() == NULL)
		return 0;
	n = hp_index(p->filter);
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return hp_detail_open(p);
	case KEY_UP:
	case 'k':
		if (n == 0)
			return 0;
		hp_state.is_follow = 0;
		if (hp_state.sel > 0)
			hp_state.sel--;
		hp_state.is_sel_moved = 1;
		return 1;
	case KEY_DOWN:
		if (n == 0)
			return 0;
		if (hp_state.sel + 1 < n)
			hp_state.sel++;
		hp_state.is_sel_moved = 1;
		return 1;
	case KEY_PPAGE:
	case KEY_HOME:
	case 'g':
		hp_state.is_follow = 0;
		return 0;	/* the UI scrolls */
	case KEY_END:
	case 'G':
		hp_state.is_follow = 1;
		return 0;
	}
	return 0;
}

/* t in the detail view: the trace pane starts over towards the server. */
static void
hp_key_trace(struct pane *p)
{
	const struct ui_models	*m = hp_state.models;
	char			 addr[CAPTURE_ADDRSTRLEN], a[TB_SAN_BOUND(64)];

	hp_addr_of(addr, sizeof(addr), hp_state.key.server);
	hp_san_addr(a, sizeof(a), addr);
	pane_trace_to(p, m, addr, a);
}

static int
pane_http_key(struct pane *p, int key)
{
	switch (key) {
	case 't':
	case 'T':
		if (!hp_state.is_detail)
			return 0;
		hp_key_trace(p);
		return 1;
	case 'f':
	case 'F':
		if (hp_state.is_detail)
			return 0;
		hp_state.is_follow = !hp_state.is_follow;
		return 1;
	case 'd':
	case 'D':
		if (hp_state.is_detail) {
			hp_detail_close(p);
			return 1;
		}
		return hp_capture() != NULL ? hp_detail_open(p) : 0;
	case 27:	/* Esc */
		if (!hp_state.is_detail)
			return 0;
		hp_detail_close(p);
		return 1;
	}
	return 0;
}

const struct pane_ops pane_http = {
	.name = "http",
	.bit = TB_PANE_HTTP,
	.help = pane_http_help,
	.attach = pane_http_attach,
	.generation = pane_http_generation,
	.draw = pane_http_draw,
	.nrows = pane_http_nrows,
	.key = pane_http_key,
	.key_first = pane_http_key_first,
	.title = pane_http_title,
	.keys_hint = "f:follow d:detail t:trace",
};
