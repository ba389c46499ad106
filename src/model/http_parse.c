/*
 * HTTP/1.x over the two byte streams of one TCP connection.  Each
 * direction is a small state machine fed any number of bytes at a time;
 * lines are gathered in a bounded buffer, bodies are counted, never kept.
 * Requests wait in a FIFO (a list, at most HTTP_PIPELINE_MAX long) until
 * both halves are done, so exchanges come out in request order.
 */
#include "config.h"

#include "model/http_parse.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

enum {
	ST_IDLE,	/* between messages: skip blank lines */
	ST_START,	/* request or status line */
	ST_HDRS,
	ST_BODY,	/* Content-Length body: remain bytes left */
	ST_CLOSE,	/* response body until the server's FIN */
	ST_CSIZE,	/* chunk-size [; ext] line */
	ST_CDATA,
	ST_CCRLF,	/* the CRLF after chunk data */
	ST_TRAILER,
	ST_RESYNC	/* after a gap: looking for a start line */
};

#define ENT_LIST	0
#define ENT_ORPHAN	1	/* response without request */
#define ENT_SCRATCH	2	/* past HTTP_PIPELINE_MAX: parsed, dropped */

/* Room for a start line of HTTP_LINE_MAX, its CR LF and a NUL. */
#define LINE_CAP	(HTTP_LINE_MAX + 3)
#define TOKEN_MAX	32	/* longest method token http_kind accepts */
#define CLEN_MAX	((uint64_t)1 << 62)

struct hentry {
	struct http_exchange	 ex;
	struct hentry		*next;
	uint64_t		 seq;
	int			 kind;
	int			 is_req_done, is_resp_done;
	uint64_t		 cack;	/* server offset the client had
					   acknowledged at the request's
					   first byte */
	uint64_t		 req_end;	/* client offset past it */
	size_t			 reqh_len, reqh_cap, resph_len, resph_cap;
};

struct hdir {
	int		 dir;		/* 0 client, 1 server */
	int		 state;
	struct hentry	*e;		/* message being parsed, or NULL */
	/* Stream offsets: of the bytes being stepped, and the ack of the
	 * segment that carried them (http_conn_at). */
	uint64_t	 pos, ack;
	int		 has_at;
	uint64_t	 msg_off, msg_ack;	/* the message's first byte */
	int		 is_in_gap;	/* pos is past a gap that cuts the
					   message: it may end anywhere up
					   to pos */
	/* The line being gathered: line_total bytes seen, at most LINE_CAP
	 * - 1 of them stored. */
	char		*line;
	size_t		 line_len, line_cap, line_total;
	/* The message. */
	uint64_t	 msg_bytes, body_bytes, first_us, last_us;
	uint64_t	 remain;
	int64_t		 clen;		/* -1: no Content-Length */
	int		 is_clen_bad, has_te, is_te_chunked, is_chunked;
	int		 is_interim, is_incomplete, is_truncated;
	size_t		 hdr_bytes;
	unsigned	 nhdrs;
	/* Resynchronisation after a gap. */
	int		 is_bol;
	uint8_t		 rs[8];
	size_t		 rs_len;
	uint64_t	 rs_first_us, rs_first_ack;
};

struct http_conn {
	struct http_conn_cb	 cb;
	struct hdir		 d[2];
	struct hentry		*head, *tail, *resp_next;
	unsigned		 nqueued;
	uint64_t		 req_seq, resp_seq;
	uint64_t		 nskipped, ndropped, nunanswered;
	uint64_t		 resp_end;	/* server offset past the last
						   response parsed */
	size_t			 mem;
	int			 is_dead;
};

/* Every byte held: the connection, 2 lines, the queue, an orphan and the
 * two scratch entries, each with all its strings and header blocks. */
_Static_assert(sizeof(struct http_conn) + 2 * LINE_CAP +
    (HTTP_PIPELINE_MAX + 3) * (sizeof(struct hentry) + 6 * HTTP_FIELD_MAX +
    2 * HTTP_HDRS_KEPT_MAX) <= HTTP_CONN_MEM_MAX, "HTTP_CONN_MEM_MAX");

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static const char *const methods[] = {
	"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ",
	"CONNECT ", "TRACE "
};
#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

static void	conn_stop(struct http_conn *, int);
static void	resync_begin(struct hdir *);

/* Allocation that keeps http_conn_mem exact. */
static void *
hc_realloc(struct http_conn *c, void *p, size_t old, size_t want)
{
	void	*q;

	q = xreallocarray(p, 1, want);
	c->mem = c->mem - old + want;
	return q;
}

static void
hc_free(struct http_conn *c, void *p, size_t size)
{
	if (p == NULL)
		return;
	c->mem -= size;
	free(p);
}

/* A NUL-terminated copy of at most HTTP_FIELD_MAX bytes, cut at a NUL so
 * that strlen gives its size back. */
static char *
hc_strndup(struct http_conn *c, const char *s, size_t len)
{
	const char	*nul;
	char		*p;
	size_t		 i;

	if (len > HTTP_FIELD_MAX - 1)
		len = HTTP_FIELD_MAX - 1;
	i = (nul = memchr(s, '\0', len)) != NULL ? (size_t)(nul - s) : len;
	p = hc_realloc(c, NULL, 0, i + 1);
	memcpy(p, s, i);
	p[i] = '\0';
	return p;
}

static void
hc_strfree(struct http_conn *c, char **sp)
{
	if (*sp != NULL)
		hc_free(c, *sp, strlen(*sp) + 1);
	*sp = NULL;
}

static int
lc(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* b is lower case. */
static int
ci_equal(const char *a, size_t alen, const char *b)
{
	size_t	i;

	if (strlen(b) != alen)
		return 0;
	for (i = 0; i < alen; i++)
		if (lc((unsigned char)a[i]) != b[i])
			return 0;
	return 1;
}

static int
is_tchar(int ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return 1;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static int
is_ows(int ch)
{
	return ch == ' ' || ch == '\t';
}

int
http_kind(const uint8_t *p, size_t n)
{
	size_t	i, m, plen = sizeof(h2_preface) - 1;

	if (n == 0)
		return HTTP_KIND_UNKNOWN;
	m = n < plen ? n : plen;
	if (memcmp(p, h2_preface, m) == 0)
		return n >= plen ? HTTP_KIND_H2C : HTTP_KIND_UNKNOWN;
	for (i = 0; i < n && i <= TOKEN_MAX && is_tchar(p[i]); i++)
		;
	if (i > TOKEN_MAX)
		return HTTP_KIND_OTHER;
	if (i == n)
		return HTTP_KIND_UNKNOWN;
	if (i == 0 || p[i] != ' ')
		return HTTP_KIND_OTHER;
	for (m = 0; m < NMETHODS; m++)
		if (strlen(methods[m]) == i + 1 &&
		    memcmp(p, methods[m], i + 1) == 0)
			return HTTP_KIND_HTTP1;
	p += i + 1;
	n -= i + 1;
	if (n == 0)
		return HTTP_KIND_UNKNOWN;
	if (p[0] == '/')
		return HTTP_KIND_HTTP1;
	for (i = 0; i < n && i < 4; i++)
		if (lc(p[i]) != "http"[i])
			return HTTP_KIND_OTHER;
	return i == 4 ? HTTP_KIND_HTTP1 : HTTP_KIND_UNKNOWN;
}

/* Entries and the queue. */

static struct hentry *
entry_new(struct http_conn *c, int kind)
{
	struct hentry	*e;

	e = hc_realloc(c, NULL, 0, sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

static void
entry_free(struct http_conn *c, struct hentry *e)
{
	hc_strfree(c, &e->ex.method);
	hc_strfree(c, &e->ex.path);
	hc_strfree(c, &e->ex.host);
	hc_strfree(c, &e->ex.version);
	hc_strfree(c, &e->ex.content_type);
	hc_strfree(c, &e->ex.reason);
	hc_free(c, e->ex.req_headers, e->reqh_cap);
	hc_free(c, e->ex.resp_headers, e->resph_cap);
	hc_free(c, e, sizeof(*e));
}

static void
entry_emit(struct http_conn *c, struct hentry *e)
{
	if (c->cb.on_exchange != NULL)
		c->cb.on_exchange(c->cb.arg, &e->ex);
	entry_free(c, e);
}

static void
queue_pop_emit(struct http_conn *c)
{
	struct hentry	*e = c->head;

	if ((c->head = e->next) == NULL)
		c->tail = NULL;
	if (c->resp_next == e)
		c->resp_next = e->next;
	c->nqueued--;
	entry_emit(c, e);
}

/* Exchanges leave in request order, once both halves are done. */
static void
queue_emit_ready(struct http_conn *c)
{
	while (c->head != NULL && c->head->is_req_done &&
	    c->head->is_resp_done)
		queue_pop_emit(c);
}

static struct hentry *
queue_push(struct http_conn *c)
{
	struct hentry	*e;

	if (c->nqueued >= HTTP_PIPELINE_MAX) {
		c->ndropped++;
		e = entry_new(c, ENT_SCRATCH);
	} else {
		e = entry_new(c, ENT_LIST);
		if (c->tail != NULL)
			c->tail->next = e;
		else
			c->head = e;
		c->tail = e;
		c->nqueued++;
		if (c->resp_next == NULL)
			c->resp_next = e;
	}
	e->seq = c->req_seq++;
	e->ex.has_request = 1;
	e->cack = c->d[0].msg_ack;
	return e;
}

static void
queue_unanswered(struct http_conn *c, struct hentry *h)
{
	h->is_resp_done = 1;
	h->ex.is_incomplete = 1;
	c->resp_next = h->next;
	c->resp_seq++;
	c->nunanswered++;
}

/*
 * Before a response that starts at server offset resp_off, sent when the
 * server had received the client's stream up to resp_ack, pairs: requests
 * whose responses were lost in a gap of the server's stream are answered
 * with nothing (http_conn_at gives the offsets and acks).  Request h was
 * answered in lost bytes when
 * - the client sent the request after it having received more server bytes
 *   than at h (so not in the same pipelined burst), bytes past every
 *   response parsed (so not the tail of one) and before this response (so
 *   not this one);
 * - or h is the last request seen, server bytes were lost before this
 *   response, and the server had received client bytes past h (more than
 *   a stray CRLF) that start no request seen: this answers a request lost
 *   there (or not captured yet).
 * Pipelined requests sent together stay in order.
 */
static void
queue_skip_lost(struct http_conn *c, uint64_t resp_off, uint64_t resp_ack)
{
	struct hentry	*h, *j;
	uint64_t	 seen = c->resp_end;
	int		 cstate = c->d[0].state;

	while ((h = c->resp_next) != NULL && h->seq == c->resp_seq &&
	    (j = h->next) != NULL && h->cack != HTTP_NO_ACK &&
	    j->cack != HTTP_NO_ACK && j->cack > h->cack && j->cack > seen &&
	    j->cack <= resp_off) {
		queue_unanswered(c, h);
		seen = j->cack;
	}
	if ((h = c->resp_next) != NULL && h->seq == c->resp_seq &&
	    h->next == NULL && h->is_req_done && resp_off > seen &&
	    resp_ack != HTTP_NO_ACK && resp_ack > h->req_end + 2 &&
	    (cstate == ST_IDLE || cstate == ST_RESYNC))
		queue_unanswered(c, h);
	queue_emit_ready(c);
}

/* The entry a final response belongs to: the oldest request without one,
 * a scratch one when that request was dropped, or an orphan. */
static struct hentry *
queue_pair(struct http_conn *c)
{
	struct hentry	*e;

	if (c->resp_next != NULL && c->resp_next->seq == c->resp_seq) {
		e = c->resp_next;
		c->resp_next = e->next;
	} else if (c->resp_seq < c->req_seq)
		e = entry_new(c, ENT_SCRATCH);
	else
		return entry_new(c, ENT_ORPHAN);
	c->resp_seq++;
	return e;
}

/* Lines. */

static void
line_store(struct http_conn *c, struct hdir *d, const uint8_t *p, size_t n)
{
	size_t	want;

	d->line_total += n;
	if (d->line_len + n > LINE_CAP - 1)
		n = LINE_CAP - 1 - d->line_len;
	if (n == 0)
		return;
	if (d->line_len + n + 1 > d->line_cap) {
		want = d->line_cap == 0 ? 128 : d->line_cap;
		while (want < d->line_len + n + 1)
			want *= 2;
		if (want > LINE_CAP)
			want = LINE_CAP;
		d->line = hc_realloc(c, d->line, d->line_cap, want);
		d->line_cap = want;
	}
	memcpy(d->line + d->line_len, p, n);
	d->line_len += n;
	d->line[d->line_len] = '\0';
}

static void
line_reset(struct http_conn *c, struct hdir *d, int is_shrink)
{
	d->line_len = d->line_total = 0;
	if (is_shrink && d->line_cap > 1024) {
		hc_free(c, d->line, d->line_cap);
		d->line = NULL;
		d->line_cap = 0;
	}
}

/* Length of the stored line without its LF or CR LF. */
static size_t
line_content(const struct hdir *d)
{
	size_t	len = d->line_len;

	if (len > 0 && d->line[len - 1] == '\n')
		len--;
	if (len > 0 && d->line[len - 1] == '\r')
		len--;
	return len;
}

/* Messages. */

static void
msg_begin(struct hdir *d, uint64_t first_us, uint64_t off, uint64_t ack)
{
	d->state = ST_START;
	d->msg_off = off;
	d->msg_ack = ack;
	d->msg_bytes = d->body_bytes = 0;
	d->first_us = d->last_us = first_us;
	d->remain = 0;
	d->clen = -1;
	d->is_clen_bad = d->has_te = d->is_te_chunked = d->is_chunked = 0;
	d->is_interim = d->is_incomplete = d->is_truncated = 0;
	d->hdr_bytes = 0;
	d->nhdrs = 0;
}

static void
msg_commit(struct hdir *d)
{
	struct http_exchange	*ex;

	if (d->e == NULL)
		return;
	ex = &d->e->ex;
	ex->is_incomplete |= d->is_incomplete;
	ex->is_truncated |= d->is_truncated;
	if (d->is_interim)
		return;
	if (d->dir == 0) {
		ex->req_bytes = d->msg_bytes;
		ex->req_body_bytes = d->body_bytes;
		ex->req_first_us = d->first_us;
		ex->req_last_us = d->last_us;
		ex->is_chunked_req = d->is_chunked;
	} else {
		ex->resp_bytes = d->msg_bytes;
		ex->resp_body_bytes = d->body_bytes;
		ex->resp_first_us = d->first_us;
		ex->resp_last_us = d->last_us;
		ex->is_chunked_resp = d->is_chunked;
	}
}

/* The message is over (whole or not): hand its counts to its entry. */
static void
msg_end(struct http_conn *c, struct hdir *d)
{
	struct hentry	*e = d->e;
	uint64_t	 end;

	msg_commit(d);
	end = d->msg_off + d->msg_bytes;
	if (d->is_in_gap && d->pos > end)
		end = d->pos;
	if (d->dir == 1 && end > c->resp_end)
		c->resp_end = end;
	if (d->dir == 0 && e != NULL)
		e->req_end = end;
	d->e = NULL;
	d->state = ST_IDLE;
	line_reset(c, d, 1);
	if (e == NULL || d->is_interim)
		return;
	if (d->dir == 0)
		e->is_req_done = 1;
	else
		e->is_resp_done = 1;
	if (e->kind == ENT_ORPHAN)
		entry_emit(c, e);
	else if (e->kind == ENT_SCRATCH)
		entry_free(c, e);
	else
		queue_emit_ready(c);
}

static void
hdrs_keep(struct http_conn *c, struct hdir *d)
{
	struct hentry	*e = d->e;
	char		**blk;
	size_t		*len, *cap, n = d->line_len, want, i;

	if (e == NULL || d->is_interim)
		return;
	blk = d->dir == 0 ? &e->ex.req_headers : &e->ex.resp_headers;
	len = d->dir == 0 ? &e->reqh_len : &e->resph_len;
	cap = d->dir == 0 ? &e->reqh_cap : &e->resph_cap;
	if (*len + n > HTTP_HDRS_KEPT_MAX - 1)
		n = HTTP_HDRS_KEPT_MAX - 1 - *len;
	if (n == 0)
		return;
	if (*len + n + 1 > *cap) {
		want = *cap == 0 ? 256 : *cap;
		while (want < *len + n + 1)
			want *= 2;
		if (want > HTTP_HDRS_KEPT_MAX)
			want = HTTP_HDRS_KEPT_MAX;
		*blk = hc_realloc(c, *blk, *cap, want);
		*cap = want;
	}
	memcpy(*blk + *len, d->line, n);
	/* The block is a C string: a NUL would hide every header after it
	 * from the detail view.  It is kept as DEL, shown escaped. */
	for (i = *len; i < *len + n; i++)
		if ((*blk)[i] == '\0')
			(*blk)[i] = 0x7f;
	*len += n;
	(*blk)[*len] = '\0';
}

/* Start lines.  A whole line must be well formed; a partial one (cut by
 * a limit or a gap) gives what it has. */

static size_t
span_to(const char *s, size_t i, size_t len, int ch)
{
	const char	*p;

	if (i >= len || (p = memchr(s + i, ch, len - i)) == NULL)
		return len;
	return (size_t)(p - s);
}

static int
req_line(struct http_conn *c, struct hdir *d, const char *s, size_t len,
    int is_partial)
{
	size_t	sp1, sp2, i;

	sp1 = span_to(s, 0, len, ' ');
	if (sp1 == 0)
		return -1;
	sp2 = sp1 < len ? span_to(s, sp1 + 1, len, ' ') : len;
	if (!is_partial) {
		/* The target ends at the last space: keep spaces it has. */
		for (i = len; i > sp1 + 1 && s[i - 1] != ' '; i--)
			;
		sp2 = i > sp1 + 1 ? i - 1 : len;
		if (sp2 >= len || sp2 == sp1 + 1 || len - sp2 - 1 < 8 ||
		    memcmp(s + sp2 + 1, "HTTP/1.", 7) != 0)
			return -1;
	}
	d->e = queue_push(c);
	d->e->ex.method = hc_strndup(c, s, sp1);
	if (sp1 < len)
		d->e->ex.path = hc_strndup(c, s + sp1 + 1, sp2 - sp1 - 1);
	if (sp2 < len)
		d->e->ex.version = hc_strndup(c, s + sp2 + 1, len - sp2 - 1);
	return 0;
}

static int
status_line(struct http_conn *c, struct hdir *d, const char *s, size_t len)
{
	struct hentry	*e;
	int		 status, i;

	if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[8] != ' ' ||
	    (len > 12 && s[12] != ' '))
		return -1;
	for (status = 0, i = 9; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		status = status * 10 + s[i] - '0';
	}
	if (status < 100)
		return -1;
	queue_skip_lost(c, d->msg_off, d->msg_ack);
	if (status < 200 && status != 101) {
		/* Interim: counted on the request it answers, never final. */
		d->is_interim = 1;
		if (c->resp_next != NULL && c->resp_next->seq == c->resp_seq) {
			d->e = c->resp_next;
			d->e->ex.ninterim++;
		}
		return 0;
	}
	e = d->e = queue_pair(c);
	e->ex.status = status;
	e->ex.has_response = 1;
	e->ex.reason = hc_strndup(c, len > 13 ? s + 13 : "",
	    len > 13 ? len - 13 : 0);
	return 0;
}

static int
start_line(struct http_conn *c, struct hdir *d, int is_partial)
{
	size_t	len = is_partial ? d->line_len : line_content(d);

	if (d->line_len == 0)
		return -1;
	if (d->dir == 0)
		return req_line(c, d, d->line, len, is_partial);
	return status_line(c, d, d->line, len);
}

/* Headers. */

/* Content-Length: digits, or a list of the same digits; anything else,
 * or a second different value, is an error for the message. */
static void
hdr_clen(struct hdir *d, const char *v, size_t len)
{
	size_t		i = 0;
	uint64_t	val;
	int		ndig;

	for (;;) {
		while (i < len && is_ows(v[i]))
			i++;
		for (val = 0, ndig = 0; i < len && v[i] >= '0' && v[i] <= '9';
		    i++, ndig++) {
			val = val * 10 + (uint64_t)(v[i] - '0');
			if (val > CLEN_MAX) {
				d->is_clen_bad = 1;
				return;
			}
		}
		while (i < len && is_ows(v[i]))
			i++;
		if (ndig == 0 || (d->clen != -1 && (uint64_t)d->clen != val)) {
			d->is_clen_bad = 1;
			return;
		}
		d->clen = (int64_t)val;
		if (i == len)
			return;
		if (v[i++] != ',') {
			d->is_clen_bad = 1;
			return;
		}
	}
}

/* Transfer-Encoding: the last coding decides whether it is chunked. */
static void
hdr_te(struct hdir *d, const char *v, size_t len)
{
	size_t	end = len, start;

	while (end > 0 && (is_ows(v[end - 1]) || v[end - 1] == ','))
		end--;
	for (start = end; start > 0 && v[start - 1] != ',' &&
	    !is_ows(v[start - 1]); start--)
		;
	d->has_te = 1;
	d->is_te_chunked = ci_equal(v + start, end - start, "chunked");
}

static void
hdr_line(struct http_conn *c, struct hdir *d)
{
	const char		*s = d->line;
	size_t			 len = line_content(d), colon, nlen, v;
	struct http_exchange	*ex = d->e != NULL ? &d->e->ex : NULL;
	int			 is_cut = d->line_total > d->line_len;

	hdrs_keep(c, d);
	/* An obs-fold continuation carries nothing we read. */
	if (is_ows(s[0]))
		return;
	colon = span_to(s, 0, len, ':');
	if (colon == len)
		return;
	for (nlen = colon; nlen > 0 && is_ows(s[nlen - 1]); nlen--)
		;
	for (v = colon + 1; v < len && is_ows(s[v]); v++)
		;
	while (len > v && is_ows(s[len - 1]))
		len--;
	if (ci_equal(s, nlen, "content-length")) {
		if (is_cut)
			d->is_clen_bad = 1;
		else
			hdr_clen(d, s + v, len - v);
	} else if (ci_equal(s, nlen, "transfer-encoding"))
		hdr_te(d, s + v, len - v);
	else if (ex == NULL || d->is_interim)
		return;
	else if (d->dir == 0 && ex->host == NULL && ci_equal(s, nlen, "host"))
		ex->host = hc_strndup(c, s + v, len - v);
	else if (d->dir == 1 && ex->content_type == NULL &&
	    ci_equal(s, nlen, "content-type"))
		ex->content_type = hc_strndup(c, s + v, len - v);
}

/* A framing error: the message is marked and the connection given up. */
static void
msg_error(struct http_conn *c, struct hdir *d)
{
	d->is_incomplete = 1;
	conn_stop(c, 0);
}

static int
resp_has_no_body(const struct hdir *d)
{
	const struct http_exchange	*ex = &d->e->ex;

	if (ex->status == 204 || ex->status == 304)
		return 1;
	return ex->method != NULL && strcmp(ex->method, "HEAD") == 0;
}

static int
resp_is_tunnel(const struct hdir *d)
{
	const struct http_exchange	*ex = &d->e->ex;

	if (ex->status == 101)
		return 1;
	return ex->status / 100 == 2 && ex->method != NULL &&
	    strcmp(ex->method, "CONNECT") == 0;
}

/* RFC 9112 6.3, in order. */
static void
hdrs_end(struct http_conn *c, struct hdir *d)
{
	if (d->dir == 1 && d->is_interim) {
		msg_end(c, d);
		return;
	}
	if (d->dir == 1 && resp_is_tunnel(d)) {
		/* What follows is not HTTP/1: stop here. */
		msg_end(c, d);
		conn_stop(c, 0);
		return;
	}
	if (d->dir == 1 && resp_has_no_body(d)) {
		msg_end(c, d);
		return;
	}
	if (d->has_te) {
		if (d->is_te_chunked) {
			d->is_chunked = 1;
			d->state = ST_CSIZE;
		} else if (d->dir == 1)
			d->state = ST_CLOSE;
		else
			msg_error(c, d);
		return;
	}
	if (d->is_clen_bad) {
		msg_error(c, d);
		return;
	}
	if (d->clen > 0) {
		d->remain = (uint64_t)d->clen;
		d->state = ST_BODY;
	} else if (d->clen == 0 || d->dir == 0)
		msg_end(c, d);
	else
		d->state = ST_CLOSE;
}

/* Chunk-size [; extensions]: hex digits, nothing else before ';'. */
static void
chunk_size(struct http_conn *c, struct hdir *d)
{
	size_t		len = line_content(d), i;
	uint64_t	size = 0;
	int		ch;

	for (i = 0; i < len; i++) {
		ch = lc((unsigned char)d->line[i]);
		if (ch >= '0' && ch <= '9')
			ch -= '0';
		else if (ch >= 'a' && ch <= 'f')
			ch -= 'a' - 10;
		else
			break;
		if (size > CLEN_MAX >> 4) {
			msg_error(c, d);
			return;
		}
		size = size << 4 | (uint64_t)ch;
	}
	while (i < len && is_ows(d->line[i]))
		i++;
	if (i == 0 || (i < len && d->line[i] != ';')) {
		msg_error(c, d);
		return;
	}
	if (size == 0) {
		d->hdr_bytes = 0;
		d->nhdrs = 0;
		d->state = ST_TRAILER;
	} else {
		d->remain = size;
		d->state = ST_CDATA;
	}
}

/* A whole line has arrived in the current state. */
static void
line_done(struct http_conn *c, struct hdir *d)
{
	size_t	len = line_content(d);

	switch (d->state) {
	case ST_START:
		if (start_line(c, d, 0) == -1) {
			/* Not a start line (a capture joined mid-stream,
			 * or not HTTP/1.x): look for the next one. */
			c->nskipped += d->msg_bytes;
			resync_begin(d);
		} else
			d->state = ST_HDRS;
		break;
	case ST_HDRS:
	case ST_TRAILER:
		d->hdr_bytes += d->line_total;
		if (len == 0 && d->line_total == d->line_len) {
			if (d->state == ST_HDRS)
				hdrs_end(c, d);
			else
				msg_end(c, d);
			break;
		}
		if (++d->nhdrs > HTTP_NHEADERS_MAX) {
			d->is_truncated = 1;
			conn_stop(c, 0);
		} else if (d->state == ST_HDRS)
			hdr_line(c, d);
		break;
	case ST_CSIZE:
		chunk_size(c, d);
		break;
	case ST_CCRLF:
		if (len != 0)
			msg_error(c, d);
		else
			d->state = ST_CSIZE;
		break;
	}
}

/* A line past its limit: keep what the start line gave, then stop. */
static void
line_over(struct http_conn *c, struct hdir *d)
{
	if (d->state == ST_START) {
		(void)start_line(c, d, 1);
		d->state = ST_HDRS;
	}
	d->is_truncated = 1;
	conn_stop(c, 0);
}

/* The most bytes the current line may have, its end included. */
static size_t
line_max(const struct hdir *d)
{
	switch (d->state) {
	case ST_START:
	case ST_CSIZE:
	case ST_CCRLF:
		return HTTP_LINE_MAX + 2;
	default:
		return HTTP_HEADERS_MAX - d->hdr_bytes;
	}
}

/* A limit is crossed at the same byte however the input is split, so
 * counts never depend on segmentation. */
static size_t
step_line(struct http_conn *c, struct hdir *d, const uint8_t *p, size_t n)
{
	const uint8_t	*lf;
	size_t		 k, room = line_max(d) - d->line_total;
	int		 is_over;

	if (n > room + 1)
		n = room + 1;
	lf = memchr(p, '\n', n);
	k = lf != NULL ? (size_t)(lf - p) + 1 : n;
	line_store(c, d, p, k);
	d->msg_bytes += k;
	is_over = d->line_total > line_max(d);
	if (!is_over && lf != NULL && d->state != ST_HDRS &&
	    d->state != ST_TRAILER)
		is_over = line_content(d) > HTTP_LINE_MAX;
	if (is_over) {
		if (d->state == ST_CSIZE || d->state == ST_CCRLF)
			msg_error(c, d);
		else
			line_over(c, d);
		return k;
	}
	if (lf != NULL) {
		line_done(c, d);
		line_reset(c, d, 0);
	}
	return k;
}

static size_t
step_idle(struct http_conn *c, struct hdir *d, const uint8_t *p, size_t n,
    uint64_t ts_us)
{
	size_t	i;

	for (i = 0; i < n && (p[i] == '\r' || p[i] == '\n'); i++)
		;
	c->nskipped += i;
	if (i < n)
		msg_begin(d, ts_us, d->pos + i, d->ack);
	return i;
}

static size_t
step_body(struct hdir *d, size_t n)
{
	size_t	k = n;

	if (k > d->remain)
		k = (size_t)d->remain;
	d->remain -= k;
	d->msg_bytes += k;
	d->body_bytes += k;
	return k;
}

/* 1: rs is a start, 0: it may become one, -1: it is not one. */
static int
rs_match(const struct hdir *d)
{
	static const char *const resp[] = { "HTTP/1." };
	const char *const	*cand = d->dir == 0 ? methods : resp;
	size_t			 ncand = d->dir == 0 ? NMETHODS : 1, i, clen;
	int			 r = -1;

	for (i = 0; i < ncand; i++) {
		clen = strlen(cand[i]);
		if (memcmp(d->rs, cand[i],
		    d->rs_len < clen ? d->rs_len : clen) != 0)
			continue;
		if (d->rs_len >= clen)
			return 1;
		r = 0;
	}
	return r;
}

static size_t
step_resync(struct http_conn *c, struct hdir *d, const uint8_t *p, size_t n,
    uint64_t ts_us)
{
	const uint8_t	*lf;
	size_t		 i;
	int		 m;

	for (i = 0; i < n; i++) {
		if (!d->is_bol) {
			if ((lf = memchr(p + i, '\n', n - i)) == NULL) {
				c->nskipped += n - i;
				return n;
			}
			c->nskipped += (size_t)(lf - p) + 1 - i;
			i = (size_t)(lf - p);
			d->is_bol = 1;
			continue;
		}
		if (p[i] == '\n' || d->rs_len >= sizeof(d->rs)) {
			c->nskipped += d->rs_len + 1;
			d->rs_len = 0;
			continue;
		}
		if (d->rs_len == 0) {
			d->rs_first_us = ts_us;
			d->rs_first_ack = d->ack;
		}
		d->rs[d->rs_len++] = p[i];
		if ((m = rs_match(d)) == -1) {
			c->nskipped += d->rs_len;
			d->rs_len = 0;
			d->is_bol = 0;
		} else if (m == 1) {
			msg_begin(d, d->rs_first_us, d->pos + i + 1 - d->rs_len,
			    d->rs_first_ack);
			line_store(c, d, d->rs, d->rs_len);
			d->msg_bytes = d->rs_len;
			d->rs_len = 0;
			return i + 1;
		}
	}
	return n;
}

static void
resync_begin(struct hdir *d)
{
	d->state = ST_RESYNC;
	d->is_bol = 1;
	d->rs_len = 0;
}

/* The message in progress is cut short: a partial start line still
 * gives an entry, then the message is done and marked. */
static void
msg_abort(struct http_conn *c, struct hdir *d, int is_clean)
{
	if (d->state == ST_IDLE || d->state == ST_RESYNC) {
		d->state = ST_IDLE;
		return;
	}
	if (d->state == ST_START) {
		(void)start_line(c, d, 1);
		d->state = ST_HDRS;
	}
	if (!is_clean)
		d->is_incomplete = 1;
	msg_end(c, d);
}

/* gap bytes were lost before the next ones: skip them inside a body of
 * known length, otherwise give the message up and look for the next. */
static void
dir_gap(struct http_conn *c, struct hdir *d, size_t gap)
{
	c->nskipped += gap;
	switch (d->state) {
	case ST_RESYNC:
		c->nskipped += d->rs_len;
		resync_begin(d);
		return;
	case ST_CLOSE:
		d->is_incomplete = 1;
		d->msg_bytes += gap;
		d->body_bytes += gap;
		return;
	case ST_BODY:
	case ST_CDATA:
		d->is_incomplete = 1;
		if (gap < d->remain || (gap == d->remain &&
		    d->state == ST_CDATA)) {
			/* The chunk's CRLF is still to come. */
			(void)step_body(d, gap);
			if (d->remain == 0)
				d->state = ST_CCRLF;
			return;
		}
		gap -= (size_t)d->remain;
		(void)step_body(d, (size_t)d->remain);
		if (d->state == ST_BODY) {
			msg_end(c, d);
			if (gap == 0)
				return;
		} else
			msg_end(c, d);
		break;
	default:
		msg_abort(c, d, 0);
		break;
	}
	resync_begin(d);
}

static size_t
dir_step(struct http_conn *c, struct hdir *d, const uint8_t *p, size_t n,
    uint64_t ts_us)
{
	size_t	k;

	d->last_us = ts_us;
	switch (d->state) {
	case ST_IDLE:
		return step_idle(c, d, p, n, ts_us);
	case ST_BODY:
		k = step_body(d, n);
		if (d->remain == 0)
			msg_end(c, d);
		return k;
	case ST_CDATA:
		k = step_body(d, n);
		if (d->remain == 0)
			d->state = ST_CCRLF;
		return k;
	case ST_CLOSE:
		d->msg_bytes += n;
		d->body_bytes += n;
		return n;
	case ST_RESYNC:
		return step_resync(c, d, p, n, ts_us);
	default:
		return step_line(c, d, p, n);
	}
}

/* Stop parsing the connection: finish both directions, report every
 * exchange held, free the lines.  At close, a close-delimited body is
 * whole; otherwise whatever was in progress is incomplete. */
static void
conn_stop(struct http_conn *c, int is_close)
{
	int	i;

	if (c->is_dead)
		return;
	c->is_dead = 1;
	for (i = 0; i < 2; i++)
		msg_abort(c, &c->d[i], is_close && c->d[i].state == ST_CLOSE);
	while (c->head != NULL)
		queue_pop_emit(c);
	for (i = 0; i < 2; i++) {
		hc_free(c, c->d[i].line, c->d[i].line_cap);
		c->d[i].line = NULL;
		c->d[i].line_cap = c->d[i].line_len = c->d[i].line_total = 0;
	}
}

struct http_conn *
http_conn_new(const struct http_conn_cb *cb)
{
	struct http_conn	*c;

	c = xcalloc(1, sizeof(*c));
	if (cb != NULL)
		c->cb = *cb;
	c->mem = sizeof(*c);
	c->d[0].dir = 0;
	c->d[1].dir = 1;
	c->d[0].state = c->d[1].state = ST_IDLE;
	c->d[0].ack = c->d[1].ack = HTTP_NO_ACK;
	return c;
}

void
http_conn_data(struct http_conn *c, int dir, const uint8_t *p, size_t n,
    size_t gap, uint64_t ts_us)
{
	struct hdir	*d;
	size_t		 k;

	if (c->is_dead || (dir != 0 && dir != 1)) {
		c->nskipped += n + gap;
		return;
	}
	d = &c->d[dir];
	if (!d->has_at)
		d->pos += gap;
	if (gap > 0) {
		d->is_in_gap = 1;
		dir_gap(c, d, gap);
		d->is_in_gap = 0;
	}
	while (n > 0 && !c->is_dead) {
		k = dir_step(c, d, p, n, ts_us);
		p += k;
		n -= k;
		d->pos += k;
	}
	c->nskipped += n;
	d->pos += n;
	if (d->has_at) {
		d->has_at = 0;
		d->ack = HTTP_NO_ACK;
	}
}

void
http_conn_at(struct http_conn *c, int dir, uint64_t off, uint64_t ack_off)
{
	if (dir != 0 && dir != 1)
		return;
	c->d[dir].pos = off;
	c->d[dir].ack = ack_off;
	c->d[dir].has_at = 1;
}

void
http_conn_close(struct http_conn *c, uint64_t ts_us)
{
	(void)ts_us;
	conn_stop(c, 1);
}

void
http_conn_free(struct http_conn *c)
{
	struct hentry	*e;
	int		 i;

	if (c == NULL)
		return;
	while ((e = c->head) != NULL) {
		c->head = e->next;
		entry_free(c, e);
	}
	for (i = 0; i < 2; i++) {
		if (c->d[i].e != NULL && c->d[i].e->kind != ENT_LIST)
			entry_free(c, c->d[i].e);
		free(c->d[i].line);
	}
	free(c);
}

size_t
http_conn_mem(const struct http_conn *c)
{
	return c->mem;
}

uint64_t
http_conn_nskipped(const struct http_conn *c)
{
	return c->nskipped;
}

uint64_t
http_conn_nunanswered(const struct http_conn *c)
{
	return c->nunanswered;
}

uint64_t
http_conn_ndropped(const struct http_conn *c)
{
	return c->ndropped;
}
