#include "config.h"

#include "model/fetch.h"

#include <sys/random.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "loop.h"
#include "xmalloc.h"

#define FETCH_CONC_MAX		1000
#define FETCH_HDR_MAX		16384	/* response head, status to blank */
#define FETCH_CHUNK_LINE_MAX	256	/* chunk size line, trailer line */
#define FETCH_READ_MAX		65536	/* one read() */
#define FETCH_READS_PER_EVENT	16	/* then back to the loop */
#define FETCH_HELLO_MAX		1024	/* our ClientHello */

enum fconn_state {
	FC_FREE = 0,	/* slot unused */
	FC_CONNECTING,
	FC_SENDING,
	FC_READING,
	FC_IDLE		/* pooled, between requests */
};

enum fbody {
	FB_NONE = 0,	/* reading the head */
	FB_LENGTH,	/* Content-Length bytes left */
	FB_CHUNK_SIZE,	/* chunk size line */
	FB_CHUNK_DATA,
	FB_CHUNK_CRLF,	/* after a chunk's data */
	FB_TRAILER,	/* trailer lines, to the blank one */
	FB_CLOSE	/* to the end of the connection */
};

struct fconn {
	struct fetch	*f;
	int		 fd;
	enum fconn_state state;
	int		 is_pooled;	/* one of the keepalive connections */
	int		 has_req;
	uint64_t	 seq;		/* its request */
	int		 is_retry;	/* a reused one failed: asked again */
	size_t		 sent;
	unsigned	 timer;
	/* The response. */
	char		 head[FETCH_HDR_MAX];
	size_t		 headlen;
	enum fbody	 body;
	uint64_t	 left;		/* FB_LENGTH, FB_CHUNK_DATA */
	uint64_t	 body_bytes;
	char		 line[FETCH_CHUNK_LINE_MAX];
	size_t		 linelen;
	int		 is_keepalive;	/* the server keeps it open */
};

struct fetch {
	int		 family;
	uint8_t		 addr[16];
	uint16_t	 port;
	char		*host, *path;
	char		 endpoint[72];	/* "addr:port" for messages */
	int		 is_https;
	long		 count;
	int		 concurrency, keepalive;
	unsigned	 timeout_ms;
	uint8_t		*req;		/* request or ClientHello */
	size_t		 reqlen;
	struct tb_loop	*loop;
	struct fconn	*conns;
	size_t		 nconns;	/* concurrency + keepalive */
	int		 active;	/* requests in flight */
	int		 npooled;	/* pooled connections open */
	long		 nfinished;
	struct fetch_req ring[FETCH_RING];
	uint64_t	 nstarted;
	struct fetch_stats stats;
	uint64_t	 generation;
	char		 error[256];
	int		 is_pumping, need_pump;
	int		 is_closed;	/* everything done, pool closed */
};

static void	fetch_pump(struct fetch *);
static void	fconn_on_io(int, short, void *);
static void	fconn_send(struct fconn *);

/* --- the bytes we send ------------------------------------------------ */

struct hb {
	uint8_t	*b;
	size_t	 n, cap;
	int	 is_over;
};

static void
hb_put(struct hb *h, const void *p, size_t n)
{
	if (h->is_over || n > h->cap - h->n) {
		h->is_over = 1;
		return;
	}
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

static void
hb_u8(struct hb *h, unsigned v)
{
	uint8_t	b = (uint8_t)v;

	hb_put(h, &b, 1);
}

static void
hb_u16(struct hb *h, unsigned v)
{
	hb_u8(h, v >> 8);
	hb_u8(h, v);
}

static void
hb_random(struct hb *h, size_t n)
{
	uint8_t	r[32];
	size_t	i;

	/* Not a secret: the handshake never completes. */
	if (n > sizeof(r) || getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n)
		for (i = 0; i < sizeof(r); i++)
			r[i] = (uint8_t)(i * 37 + 11);
	hb_put(h, r, n);
}

/* Patch the big-endian length of what follows at (nbytes 2 or 3). */
static void
hb_len_at(struct hb *h, size_t at, int nbytes)
{
	size_t	len = h->n - at - (size_t)nbytes;

	if (h->is_over)
		return;
	if (nbytes == 3)
		h->b[at++] = (uint8_t)(len >> 16);
	h->b[at] = (uint8_t)(len >> 8);
	h->b[at + 1] = (uint8_t)len;
}

static int
fetch_is_literal(const char *host)
{
	uint8_t	a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

static void
hello_extensions(struct hb *h, const char *host)
{
	static const uint16_t	groups[] = { 0x001d, 0x0017, 0x0018 };
	static const uint16_t	sigs[] = { 0x0403, 0x0804, 0x0401, 0x0503,
				    0x0805, 0x0501, 0x0806, 0x0601 };
	size_t			at, at2, i, hlen = strlen(host);

	/* SNI carries DNS names only (RFC 6066 section 3). */
	if (!fetch_is_literal(host) && hlen > 0 && hlen <= 255) {
		hb_u16(h, 0x0000);
		hb_u16(h, hlen + 5);
		hb_u16(h, hlen + 3);
		hb_u8(h, 0);
		hb_u16(h, hlen);
		hb_put(h, host, hlen);
	}
	hb_u16(h, 0x000a);
	hb_u16(h, 2 + sizeof(groups));
	hb_u16(h, sizeof(groups));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		hb_u16(h, groups[i]);
	hb_u16(h, 0x000b);
	hb_u16(h, 2);
	hb_u8(h, 1);
	hb_u8(h, 0);
	hb_u16(h, 0x000d);
	hb_u16(h, 2 + sizeof(sigs));
	hb_u16(h, sizeof(sigs));
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		hb_u16(h, sigs[i]);
	hb_u16(h, 0x0010);		/* ALPN: http/1.1 */
	at = h->n;
	hb_u16(h, 0);
	at2 = h->n;
	hb_u16(h, 0);
	hb_u8(h, 8);
	hb_put(h, "http/1.1", 8);
	hb_len_at(h, at2, 2);
	hb_len_at(h, at, 2);
	hb_u16(h, 0x002b);		/* supported_versions: 1.3, 1.2 */
	hb_u16(h, 5);
	hb_u8(h, 4);
	hb_u16(h, 0x0304);
	hb_u16(h, 0x0303);
	hb_u16(h, 0x002d);		/* psk_key_exchange_modes: dhe */
	hb_u16(h, 2);
	hb_u8(h, 1);
	hb_u8(h, 1);
	hb_u16(h, 0x0033);		/* key_share: one x25519 share */
	hb_u16(h, 2 + 4 + 32);
	hb_u16(h, 4 + 32);
	hb_u16(h, 0x001d);
	hb_u16(h, 32);
	hb_random(h, 32);
}

/* A TLS 1.2 record carrying a ClientHello that offers 1.3 and 1.2. */
static size_t
fetch_hello(uint8_t *buf, size_t len, const char *host)
{
	static const uint16_t	suites[] = { 0x1301, 0x1302, 0x1303, 0xc02b,
				    0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
				    0x009c, 0x009d, 0x002f, 0x0035 };
	struct hb		h = { buf, 0, len, 0 };
	size_t			rec, hs, ext, i;

	hb_u8(&h, 0x16);
	hb_u16(&h, 0x0301);
	rec = h.n;
	hb_u16(&h, 0);
	hb_u8(&h, 0x01);		/* client_hello */
	hs = h.n;
	hb_put(&h, "\0\0\0", 3);
	hb_u16(&h, 0x0303);
	hb_random(&h, 32);
	hb_u8(&h, 32);			/* a session id: middlebox compat */
	hb_random(&h, 32);
	hb_u16(&h, sizeof(suites));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		hb_u16(&h, suites[i]);
	hb_u8(&h, 1);
	hb_u8(&h, 0);
	ext = h.n;
	hb_u16(&h, 0);
	hello_extensions(&h, host);
	hb_len_at(&h, ext, 2);
	hb_len_at(&h, hs, 3);
	hb_len_at(&h, rec, 2);
	return h.is_over ? 0 : h.n;
}

static int
fetch_is_token(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static void
fetch_build_request(struct fetch *f)
{
	char	hostport[300];
	int	is_v6 = f->family == AF_INET6 && strchr(f->host, ':') != NULL;

	if (f->port == (f->is_https ? 443 : 80))
		snprintf(hostport, sizeof(hostport), is_v6 ? "[%s]" : "%s",
		    f->host);
	else
		snprintf(hostport, sizeof(hostport), is_v6 ? "[%s]:%u" :
		    "%s:%u", f->host, f->port);
	f->reqlen = (size_t)xasprintf((char **)&f->req, "GET %s HTTP/1.1\r\n"
	    "Host: %s\r\nUser-Agent: tubes/%s\r\nAccept: */*\r\n\r\n",
	    f->path, hostport, PACKAGE_VERSION);
}

struct fetch *
fetch_new(const struct fetch_conf *c, char *err, size_t errlen)
{
	struct fetch	*f;
	char		 a[INET6_ADDRSTRLEN];
	size_t		 i;

	if ((c->family != AF_INET && c->family != AF_INET6) || c->port == 0 ||
	    c->host == NULL || c->count < 1 || c->concurrency < 1 ||
	    c->concurrency > FETCH_CONC_MAX || c->keepalive < 0 ||
	    c->keepalive > FETCH_CONC_MAX) {
		snprintf(err, errlen, "fetch: bad configuration");
		return NULL;
	}
	if (!fetch_is_token(c->host) || strlen(c->host) > 255 ||
	    (c->path != NULL && (!fetch_is_token(c->path) ||
	    c->path[0] != '/' || strlen(c->path) > 4096))) {
		snprintf(err, errlen, "fetch: the URL has a host or path "
		    "that cannot be sent as is");
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->family = c->family;
	memcpy(f->addr, c->addr, c->family == AF_INET ? 4 : 16);
	f->port = c->port;
	f->host = xstrdup(c->host);
	f->path = xstrdup(c->path != NULL ? c->path : "/");
	f->is_https = c->is_https;
	f->count = c->count;
	f->concurrency = c->concurrency;
	f->keepalive = c->is_https ? 0 : c->keepalive;
	f->timeout_ms = c->timeout_ms != 0 ? c->timeout_ms : FETCH_TIMEOUT_MS;
	inet_ntop(f->family, f->addr, a, sizeof(a));
	snprintf(f->endpoint, sizeof(f->endpoint), f->family == AF_INET6 ?
	    "[%s]:%u" : "%s:%u", a, f->port);
	if (f->is_https) {
		f->req = xmalloc(FETCH_HELLO_MAX);
		if ((f->reqlen = fetch_hello(f->req, FETCH_HELLO_MAX,
		    f->host)) == 0) {
			fetch_free(f);
			snprintf(err, errlen, "fetch: ClientHello too long");
			return NULL;
		}
	} else
		fetch_build_request(f);
	f->nconns = (size_t)f->concurrency + (size_t)f->keepalive;
	f->conns = xcalloc(f->nconns, sizeof(*f->conns));
	for (i = 0; i < f->nconns; i++) {
		f->conns[i].f = f;
		f->conns[i].fd = -1;
	}
	return f;
}

/* --- connections ------------------------------------------------------ */

static struct fetch_req *
fetch_req_of(struct fetch *f, uint64_t seq)
{
	return &f->ring[seq % FETCH_RING];
}

static void
fconn_close(struct fconn *c)
{
	struct fetch	*f = c->f;

	if (c->fd != -1) {
		tb_loop_io_del(f->loop, c->fd);
		close(c->fd);
		f->stats.conns_closed++;
	}
	if (c->timer != 0)
		tb_loop_timer_cancel(f->loop, c->timer);
	if (c->is_pooled)
		f->npooled--;
	c->fd = -1;
	c->timer = 0;
	c->state = FC_FREE;
	c->is_pooled = 0;
	c->has_req = 0;
}

/* One line: "connect to 198.51.100.10:80: Connection refused". */
static void
fetch_set_error(struct fetch *f, int error, int is_connect)
{
	const char	*why = error == ETIMEDOUT ? "no complete response in "
			    "time" : error == EPROTO ? "malformed HTTP/1.x response" :
			    error == EMSGSIZE ? "response head or chunk line "
			    "too long" : error == EFBIG ? "response body over "
			    "the limit" : error == EPIPE ? "connection closed "
			    "before the response ended" : strerror(error);

	if (f->error[0] != '\0')
		return;
	if (is_connect)
		snprintf(f->error, sizeof(f->error), "connect to %s: %s",
		    f->endpoint, why);
	else if (f->is_https)
		snprintf(f->error, sizeof(f->error), "TLS ClientHello to %s: "
		    "%s", f->endpoint, why);
	else
		snprintf(f->error, sizeof(f->error), "GET %s from %s: %s",
		    f->path, f->endpoint, why);
}

static void
fetch_local(struct fconn *c, struct fetch_req *q)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	char			 a[INET6_ADDRSTRLEN];
	unsigned		 port;

	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == -1)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(q->local, sizeof(q->local), "%s:%u", a, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(q->local, sizeof(q->local), "[%s]:%u", a, port);
	}
}

/*
 * The request is over, well or not.  A connection goes back to the pool
 * when it is one of the pool's, or the pool has room, and the server
 * keeps it; every other one is closed here, by us: TIME_WAIT on our side.
 */
static void
fconn_finish(struct fconn *c, int error)
{
	struct fetch		*f = c->f;
	struct fetch_req	*q = fetch_req_of(f, c->seq);
	int			 is_keep;

	if (c->timer != 0) {
		tb_loop_timer_cancel(f->loop, c->timer);
		c->timer = 0;
	}
	q->is_done = 1;
	q->error = error;
	if (error == 0) {
		f->stats.done++;
		q->last_byte_us = tb_now_us();
	} else {
		f->stats.failed++;
		fetch_set_error(f, error, q->connected_us == 0 &&
		    !q->is_reused && error != ETIMEDOUT);
	}
	c->has_req = 0;
	f->active--;
	f->nfinished++;
	f->generation++;
	/* Kept while requests are left to start; else closed now. */
	is_keep = error == 0 && c->is_keepalive && !f->is_https &&
	    (c->is_pooled || f->npooled < f->keepalive) &&
	    (long)f->nstarted < f->count;
	if (is_keep) {
		if (!c->is_pooled) {
			c->is_pooled = 1;
			f->npooled++;
		}
		c->state = FC_IDLE;
		/* Idle: a close from the server shows as readable. */
		tb_loop_io(f->loop, c->fd, POLLIN, fconn_on_io, c);
	} else {
		fconn_close(c);
		/* A refused connect leaves no TIME_WAIT to count down. */
		if (q->connected_us != 0 || q->is_reused)
			q->closed_us = tb_now_us();
	}
	fetch_pump(f);
}

static void
fconn_on_timeout(void *arg)
{
	struct fconn	*c = arg;

	c->timer = 0;
	fconn_finish(c, ETIMEDOUT);
}

static void
fconn_reset_response(struct fconn *c)
{
	c->headlen = 0;
	c->body = FB_NONE;
	c->left = 0;
	c->body_bytes = 0;
	c->linelen = 0;
	c->is_keepalive = 0;
	c->sent = 0;
}

/* Bind the next request to c and arm its timeout. */
static struct fetch_req *
fetch_req_begin(struct fetch *f, struct fconn *c)
{
	struct fetch_req	*q;

	c->seq = f->nstarted++;
	q = fetch_req_of(f, c->seq);
	memset(q, 0, sizeof(*q));
	q->seq = c->seq;
	q->start_us = tb_now_us();
	c->has_req = 1;
	c->is_retry = 0;
	f->active++;
	f->stats.started++;
	f->generation++;
	fconn_reset_response(c);
	c->timer = tb_loop_timer(f->loop, tb_now_ms() + f->timeout_ms,
	    fconn_on_timeout, c);
	return q;
}

static int
fconn_open(struct fconn *c)
{
	struct fetch		*f = c->f;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;

	memset(&ss, 0, sizeof(ss));
	if (f->family == AF_INET) {
		struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(f->port);
		memcpy(&s4->sin_addr, f->addr, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(f->port);
		memcpy(&s6->sin6_addr, f->addr, 16);
		sl = sizeof(*s6);
	}
	c->fd = socket(f->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->fd == -1)
		return errno;
	f->stats.conns_opened++;
	c->state = FC_CONNECTING;
	if (connect(c->fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS)
		return errno;
	tb_loop_io(f->loop, c->fd, POLLOUT, fconn_on_io, c);
	return 0;
}

/* Start one request: on an idle pooled connection, else a new one. */
static void
fetch_start_one(struct fetch *f)
{
	struct fconn		*c, *fresh = NULL;
	struct fetch_req	*q;
	size_t			 i;
	int			 error;

	for (i = 0; i < f->nconns; i++) {
		c = &f->conns[i];
		if (c->state == FC_IDLE) {
			q = fetch_req_begin(f, c);
			q->is_reused = 1;
			f->stats.conns_reused++;
			c->state = FC_SENDING;
			fetch_local(c, q);
			tb_loop_io(f->loop, c->fd, POLLOUT, fconn_on_io, c);
			/* The socket is writable: no loop pass to wait for. */
			fconn_send(c);
			return;
		}
		if (c->state == FC_FREE && fresh == NULL)
			fresh = c;
	}
	if (fresh == NULL)
		return;		/* cannot happen: slots = active + pool */
	c = fresh;
	fetch_req_begin(f, c);
	if ((error = fconn_open(c)) != 0) {
		/* Finish closes the half-open socket too. */
		c->is_keepalive = 0;
		fconn_finish(c, error);
	}
}

static void
fetch_close_pool(struct fetch *f)
{
	struct fetch_req	*q;
	size_t			 i;

	for (i = 0; i < f->nconns; i++) {
		if (f->conns[i].state != FC_IDLE)
			continue;
		/* Its last request's socket closes now, by us. */
		q = fetch_req_of(f, f->conns[i].seq);
		if (q->seq == f->conns[i].seq)
			q->closed_us = tb_now_us();
		fconn_close(&f->conns[i]);
		f->generation++;
	}
}

/* Start what the limits allow; re-entered from a finish: loop instead. */
static void
fetch_pump(struct fetch *f)
{
	if (f->is_pumping) {
		f->need_pump = 1;
		return;
	}
	f->is_pumping = 1;
	do {
		f->need_pump = 0;
		while (f->active < f->concurrency &&
		    (long)f->nstarted < f->count)
			fetch_start_one(f);
	} while (f->need_pump);
	f->is_pumping = 0;
	if (f->nfinished == f->count && !f->is_closed) {
		fetch_close_pool(f);
		f->is_closed = 1;
		f->generation++;
	}
}

/* --- the response ----------------------------------------------------- */

/* Value of header name in the head (CRLF lines), or NULL; len set. */
static const char *
head_value(const char *head, size_t n, const char *name, size_t *len)
{
	const char	*p = head, *end = head + n, *eol, *v;
	size_t		 nl = strlen(name);

	/* Skip the status line. */
	if ((p = memchr(p, '\n', n)) == NULL)
		return NULL;
	for (p++; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		if ((size_t)(eol - p) > nl && strncasecmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			for (v = p + nl + 1; v < eol && (*v == ' ' ||
			    *v == '\t'); v++)
				;
			*len = (size_t)(eol - v);
			while (*len > 0 && (v[*len - 1] == '\r' ||
			    v[*len - 1] == ' ' || v[*len - 1] == '\t'))
				(*len)--;
			return v;
		}
	}
	return NULL;
}

static int
value_has(const char *v, size_t len, const char *token)
{
	size_t	tl = strlen(token), i;

	for (i = 0; i + tl <= len; i++)
		if (strncasecmp(v + i, token, tl) == 0)
			return 1;
	return 0;
}

/*
 * The head is complete: status, framing (RFC 9112 section 6.3) and
 * whether the server keeps the connection.  0, 1 for an interim
 * response to skip, or an errno.
 */
static int
fconn_parse_head(struct fconn *c, struct fetch_req *q)
{
	const char	*v;
	size_t		 len;
	int		 minor, status;
	char		 digits[24];
	char		*end;
	unsigned long long cl;

	if (c->headlen < 12 || memcmp(c->head, "HTTP/1.", 7) != 0 ||
	    (c->head[7] != '0' && c->head[7] != '1') || c->head[8] != ' ')
		return EPROTO;
	minor = c->head[7] - '0';
	if (c->head[9] < '1' || c->head[9] > '5' || c->head[10] < '0' ||
	    c->head[10] > '9' || c->head[11] < '0' || c->head[11] > '9')
		return EPROTO;
	status = (c->head[9] - '0') * 100 + (c->head[10] - '0') * 10 +
	    (c->head[11] - '0');
	if (status >= 100 && status < 200 && status != 101)
		return 1;
	q->status = status;
	c->is_keepalive = minor == 1;
	if ((v = head_value(c->head, c->headlen, "Connection", &len)) != NULL) {
		if (value_has(v, len, "close"))
			c->is_keepalive = 0;
		else if (value_has(v, len, "keep-alive"))
			c->is_keepalive = 1;
	}
	if (status == 204 || status == 304) {
		c->body = FB_LENGTH;
		c->left = 0;
	} else if ((v = head_value(c->head, c->headlen, "Transfer-Encoding",
	    &len)) != NULL && value_has(v, len, "chunked"))
		c->body = FB_CHUNK_SIZE;
	else if ((v = head_value(c->head, c->headlen, "Content-Length",
	    &len)) != NULL) {
		if (len == 0 || len >= sizeof(digits))
			return EPROTO;
		memcpy(digits, v, len);
		digits[len] = '\0';
		errno = 0;
		cl = strtoull(digits, &end, 10);
		if (*end != '\0' || digits[0] == '-' || errno != 0)
			return EPROTO;
		c->body = FB_LENGTH;
		c->left = cl;
	} else {
		c->body = FB_CLOSE;
		c->is_keepalive = 0;
	}
	return 0;
}

/* Bytes of the head; returns how many of p were used, or -1 (errno). */
static ssize_t
fconn_head_bytes(struct fconn *c, struct fetch_req *q, const char *p,
    size_t n, int *error)
{
	size_t	i;
	int	rc;

	for (i = 0; i < n; i++) {
		if (c->headlen == sizeof(c->head)) {
			*error = EMSGSIZE;
			return -1;
		}
		c->head[c->headlen++] = p[i];
		if (c->headlen >= 4 && memcmp(c->head + c->headlen - 4,
		    "\r\n\r\n", 4) == 0)
			break;
	}
	if (i == n)
		return (ssize_t)n;
	if ((rc = fconn_parse_head(c, q)) == 1) {
		c->headlen = 0;		/* 100 Continue and friends */
		return (ssize_t)(i + 1);
	}
	if (rc != 0) {
		*error = rc;
		return -1;
	}
	return (ssize_t)(i + 1);
}

/* A chunk-size or trailer line, complete: what comes next. */
static int
fconn_chunk_line(struct fconn *c)
{
	char			*end;
	unsigned long long	 size;

	c->line[c->linelen] = '\0';
	c->linelen = 0;
	if (c->body == FB_TRAILER) {
		if (c->line[0] == '\0')
			c->body = FB_LENGTH;	/* done: left is 0 */
		return 0;
	}
	if (!((c->line[0] >= '0' && c->line[0] <= '9') ||
	    (c->line[0] >= 'a' && c->line[0] <= 'f') ||
	    (c->line[0] >= 'A' && c->line[0] <= 'F')))
		return EPROTO;
	errno = 0;
	size = strtoull(c->line, &end, 16);
	if (errno != 0 || (*end != '\0' && *end != ';' && *end != ' ' &&
	    *end != '\t'))
		return EPROTO;
	c->left = size;
	c->body = size == 0 ? FB_TRAILER : FB_CHUNK_DATA;
	return 0;
}

/* Body bytes: 0, or an errno.  *is_end once the response is whole. */
static int
fconn_body_bytes(struct fconn *c, const char *p, size_t n, int *is_end)
{
	size_t	i = 0, take;

	while (i < n) {
		switch (c->body) {
		case FB_LENGTH:
		case FB_CHUNK_DATA:
			take = n - i;
			if (take > c->left)
				take = (size_t)c->left;
			c->left -= take;
			c->body_bytes += take;
			i += take;
			if (c->left == 0 && c->body == FB_CHUNK_DATA)
				c->body = FB_CHUNK_CRLF;
			break;
		case FB_CHUNK_CRLF:
			if (p[i] == '\n')
				c->body = FB_CHUNK_SIZE;
			else if (p[i] != '\r')
				return EPROTO;
			i++;
			break;
		case FB_CHUNK_SIZE:
		case FB_TRAILER:
			if (p[i] == '\n') {
				if (c->linelen > 0 &&
				    c->line[c->linelen - 1] == '\r')
					c->linelen--;
				i++;
				if (fconn_chunk_line(c) != 0)
					return EPROTO;
				break;
			}
			if (c->linelen == sizeof(c->line) - 1)
				return EMSGSIZE;
			c->line[c->linelen++] = p[i++];
			break;
		case FB_CLOSE:
			c->body_bytes += n - i;
			i = n;
			break;
		case FB_NONE:
			return EPROTO;
		}
		if (c->body == FB_LENGTH && c->left == 0)
			break;
	}
	if (c->body_bytes > FETCH_BODY_MAX)
		return EFBIG;
	if (c->body == FB_LENGTH && c->left == 0) {
		/* Bytes past the response on a connection we keep: the
		 * server is out of step, do not reuse it. */
		if (i < n)
			c->is_keepalive = 0;
		*is_end = 1;
	}
	return 0;
}

/* Bytes of the response, as read.  0, or an errno. */
static int
fconn_input(struct fconn *c, const char *p, size_t n, int *is_end)
{
	struct fetch_req	*q = fetch_req_of(c->f, c->seq);
	ssize_t			 used;
	int			 error = 0;

	q->resp_bytes += n;
	if (c->f->is_https) {
		*is_end = 1;	/* the server's first bytes: enough */
		return 0;
	}
	while (n > 0 && c->body == FB_NONE) {
		if ((used = fconn_head_bytes(c, q, p, n, &error)) == -1)
			return error;
		p += used;
		n -= (size_t)used;
	}
	if (c->body == FB_NONE)
		return 0;
	if (c->body == FB_LENGTH && c->left == 0) {
		*is_end = 1;
		if (n > 0)
			c->is_keepalive = 0;
		return 0;
	}
	return n > 0 ? fconn_body_bytes(c, p, n, is_end) : 0;
}

/* The peer closed: the end of a close-delimited body, else too soon. */
static void
fconn_on_eof(struct fconn *c)
{
	struct fetch		*f = c->f;
	struct fetch_req	*q = fetch_req_of(f, c->seq);
	int			 error;

	if (c->body == FB_CLOSE || (f->is_https && q->resp_bytes > 0)) {
		c->is_keepalive = 0;
		fconn_finish(c, 0);
		return;
	}
	/* A pooled connection the server had closed meanwhile: ask again
	 * on a new one (once), as browsers do. */
	if (q->is_reused && q->resp_bytes == 0 && !c->is_retry) {
		tb_loop_io_del(f->loop, c->fd);
		close(c->fd);
		f->stats.conns_closed++;
		c->fd = -1;
		c->is_pooled = 0;
		f->npooled--;
		q->is_reused = 0;
		q->start_us = tb_now_us();
		fconn_reset_response(c);
		c->is_retry = 1;
		if ((error = fconn_open(c)) != 0)
			fconn_finish(c, error);
		return;
	}
	c->is_keepalive = 0;
	fconn_finish(c, q->resp_bytes == 0 ? ECONNRESET : EPIPE);
}

static void
fconn_read(struct fconn *c)
{
	static char		 buf[FETCH_READ_MAX];
	struct fetch_req	*q = fetch_req_of(c->f, c->seq);
	ssize_t			 n;
	int			 i, error, is_end = 0;

	for (i = 0; i < FETCH_READS_PER_EVENT; i++) {
		n = read(c->fd, buf, sizeof(buf));
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n == -1) {
			error = errno;
			c->is_keepalive = 0;
			if (error == ECONNRESET && q->is_reused &&
			    q->resp_bytes == 0 && !c->is_retry) {
				fconn_on_eof(c);
				return;
			}
			fconn_finish(c, error);
			return;
		}
		if (n == 0) {
			fconn_on_eof(c);
			return;
		}
		if (q->first_byte_us == 0)
			q->first_byte_us = tb_now_us();
		if ((error = fconn_input(c, buf, (size_t)n, &is_end)) != 0) {
			c->is_keepalive = 0;
			fconn_finish(c, error);
			return;
		}
		if (is_end) {
			fconn_finish(c, 0);
			return;
		}
	}
}

static void
fconn_send(struct fconn *c)
{
	struct fetch		*f = c->f;
	struct fetch_req	*q = fetch_req_of(f, c->seq);
	ssize_t			 n;

	n = send(c->fd, f->req + c->sent, f->reqlen - c->sent, MSG_NOSIGNAL);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (q->is_reused && !c->is_retry && (errno == EPIPE ||
		    errno == ECONNRESET)) {
			fconn_on_eof(c);
			return;
		}
		c->is_keepalive = 0;
		fconn_finish(c, errno);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent < f->reqlen)
		return;
	q->sent_us = tb_now_us();
	c->state = FC_READING;
	tb_loop_io(f->loop, c->fd, POLLIN, fconn_on_io, c);
}

static void
fconn_connected(struct fconn *c)
{
	struct fetch_req	*q = fetch_req_of(c->f, c->seq);
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	int			 error = 0;
	socklen_t		 el = sizeof(error);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &el) == -1)
		error = errno;
	if (error == 0 && getpeername(c->fd, (struct sockaddr *)&ss,
	    &sl) == -1) {
		/* Not yet: an event meant for an fd number reused. */
		if (errno == ENOTCONN)
			return;
		error = errno;
	}
	if (error != 0) {
		c->is_keepalive = 0;
		fconn_finish(c, error);
		return;
	}
	q->connected_us = tb_now_us();
	fetch_local(c, q);
	c->state = FC_SENDING;
	fconn_send(c);
}

static void
fconn_on_io(int fd, short revents, void *arg)
{
	struct fconn	*c = arg;
	struct fetch	*f = c->f;
	char		 b;

	(void)revents;
	if (fd != c->fd)
		return;
	switch (c->state) {
	case FC_CONNECTING:
		fconn_connected(c);
		break;
	case FC_SENDING:
		fconn_send(c);
		break;
	case FC_READING:
		fconn_read(c);
		break;
	case FC_IDLE:
		/* The server closed (or spoke out of turn): drop it. */
		if (recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == -1 &&
		    (errno == EAGAIN || errno == EINTR))
			break;
		fconn_close(c);
		f->generation++;
		fetch_pump(f);
		break;
	case FC_FREE:
		break;
	}
}

/* --- the API ---------------------------------------------------------- */

int
fetch_attach(struct fetch *f, struct tb_loop *loop)
{
	f->loop = loop;
	fetch_pump(f);
	return 0;
}

void
fetch_free(struct fetch *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; f->conns != NULL && i < f->nconns; i++)
		if (f->conns[i].fd != -1 || f->conns[i].timer != 0)
			fconn_close(&f->conns[i]);
	free(f->conns);
	free(f->req);
	free(f->host);
	free(f->path);
	free(f);
}

int
fetch_is_done(const struct fetch *f)
{
	return f->is_closed;
}

uint64_t
fetch_generation(const struct fetch *f)
{
	return f->generation;
}

const struct fetch_stats *
fetch_stats(const struct fetch *f)
{
	return &f->stats;
}

size_t
fetch_nreqs(const struct fetch *f)
{
	return f->nstarted < FETCH_RING ? (size_t)f->nstarted : FETCH_RING;
}

const struct fetch_req *
fetch_req_at(const struct fetch *f, size_t i)
{
	uint64_t	first = f->nstarted < FETCH_RING ? 0 :
			    f->nstarted - FETCH_RING;

	return &f->ring[(first + i) % FETCH_RING];
}

const char *
fetch_error(const struct fetch *f)
{
	return f->error[0] != '\0' ? f->error : NULL;
}
