/*
 * The HTTP pane's engine: libpcap in, exchanges and TLS hellos out.
 *
 * Each TCP flow is classified by its client's first bytes (HTTP/1.x, h2c,
 * TLS, DNS on port 53, anything else ignored) and its reassembled bytes
 * go to the parser that fits.  Everything held is bounded: the flow table
 * (tcp_flow), the parser of each connection (dropped past
 * CAPTURE_CONN_MEM_MAX), the rings and the DNS pending table.
 */
#include "config.h"

#include "model/capture.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "loop.h"
#include "xmalloc.h"
#include "model/dns.h"
#include "model/dns_query.h"
#include "model/http_parse.h"
#include "model/pkt_decode.h"
#include "model/tcp_flow.h"
#include "model/tls_sni.h"

#define CAPTURE_BUFFER_BYTES	(4 * 1024 * 1024) /* kernel ring: blocks
						   of 20 ms at 40,000
						   requests/s take ~1 MB */
#define CAPTURE_BLOCK_MS	20	/* the longest a packet waits in it */
#define CAPTURE_LIVE_BURST	512	/* packets per wakeup */
#define CAPTURE_STATS_MS	1000
#define CAPTURE_CONN_MEM_MAX	(256 * 1024)	/* parser bytes per conn */
#define CAPTURE_CLASSIFY_MAX	4096	/* undecided client bytes kept */
#define CAPTURE_RING_MEM_MAX	(6 * 1024 * 1024) /* the ring's strings:
						     fields and headers */
#define CAPTURE_DNS_PENDING	256	/* queries awaiting answers */
#define CAPTURE_DNS_QUERY_MAX	512	/* bytes of one kept (its question) */
#define CAPTURE_DNS_WAIT_US	(5ULL * 1000000)	/* then "no answer" */
#define CAPTURE_DNS_MSG_MAX	(65535 + 2)	/* TCP framing */
#define CAPTURE_EXPIRE_US	(1000 * 1000)	/* between expiries */
#define CAPTURE_DRAIN_BURSTS	64	/* reads at the end of a sample */

enum cflow_kind {
	CF_NEW,		/* too few client bytes yet */
	CF_HTTP1,
	CF_TLS,
	CF_DNS,
	CF_IGNORE	/* not ours, or done with it */
};

struct capture;

struct cflow {
	struct capture		*c;
	struct tcp_flow_info	 info;
	enum cflow_kind		 kind;
	struct http_conn	*hc;
	uint8_t			*buf[2];	/* first client bytes; DNS */
	size_t			 len[2];
	uint64_t		 first_us;	/* first client byte */
	uint64_t		 first_off, first_ack;	/* of it */
};

struct dns_pending {
	int		 family;
	uint8_t		 cli[16], srv[16];
	uint16_t	 cport, sport, id;
	int		 is_used;
	uint64_t	 ts_us;
	uint8_t		 query[CAPTURE_DNS_QUERY_MAX];
	size_t		 query_len;
};

struct capture {
	pcap_t			*pc;
	char			*file_buf;	/* -r: stdio's buffer */
	pcap_dumper_t		*dumper;
	int			 linktype;
	int			 is_live, is_done;
	int			 fd;
	char			 source[1024];
	char			 error[PCAP_ERRBUF_SIZE + 1100];
	struct tb_loop		*loop;
	unsigned		 read_timer, stats_timer;
	struct tcp_flows	*flows;
	struct dns		*dns;
	struct capture_sink	 sink;
	int			 has_sink;

	struct capture_exchange	*ring;		/* CAPTURE_RING */
	char			**ring_mem;	/* each entry's fields */
	size_t			*ring_memlen;
	char			**ring_hdr;	/* its headers, or NULL */
	size_t			*ring_hdrlen;
	size_t			 ring_head, ring_n, ring_bytes;
	size_t			 ring_hdr_old;	/* the oldest entries whose
						   headers were given up */
	struct capture_tls	*tls;		/* CAPTURE_TLS_RING */
	char			**tls_mem;
	size_t			 tls_head, tls_n;

	struct dns_pending	 pending[CAPTURE_DNS_PENDING];
	size_t			 pending_next;
	uint64_t		 dns_expired_us;	/* last expiry pass */

	struct capture_stats	 st;
	uint64_t		 gen;
	uint64_t		 last_ts_us, expired_us;
};

/* --- the rings -------------------------------------------------------- */

static size_t
capture_slen(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/* Copy s into *p (advancing it); NULL stays NULL. */
static const char *
capture_scopy(char **p, const char *s)
{
	char	*d = *p;
	size_t	 n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	memcpy(d, s, n);
	*p += n;
	return d;
}

/* What to do about a file libpcap or stdio refused, from its message. */
static const char *
capture_file_hint(const char *why)
{
	if (strstr(why, "No such file") != NULL)
		return " (check the path)";
	if (strstr(why, "Is a directory") != NULL)
		return " (give a capture file, not a directory)";
	if (strstr(why, "Permission denied") != NULL)
		return " (make it readable for this user, or copy it)";
	if (strstr(why, "file format") != NULL ||
	    strstr(why, "truncated dump file") != NULL ||
	    strstr(why, "dump file header") != NULL)
		return " (not a pcap or pcapng file, or an empty one: "
		    "tcpdump -w and Wireshark write them)";
	return "";
}

static void
capture_ring_drop_oldest(struct capture *c)
{
	size_t	i = c->ring_head;

	c->ring_bytes -= c->ring_memlen[i] + c->ring_hdrlen[i];
	free(c->ring_mem[i]);
	free(c->ring_hdr[i]);
	c->ring_mem[i] = c->ring_hdr[i] = NULL;
	c->ring_memlen[i] = c->ring_hdrlen[i] = 0;
	c->ring_head = (c->ring_head + 1) % CAPTURE_RING;
	c->ring_n--;
	if (c->ring_hdr_old > 0)
		c->ring_hdr_old--;
	c->st.exchanges_dropped++;
}

/*
 * Room for need more bytes of strings: the oldest entries' headers go
 * first (the newest are the ones a person opens), then, when the fields
 * alone fill the budget (long paths and hosts), the oldest entries.
 */
static void
capture_ring_room(struct capture *c, size_t need)
{
	size_t	k;

	while (c->ring_bytes + need > CAPTURE_RING_MEM_MAX &&
	    c->ring_hdr_old < c->ring_n) {
		k = (c->ring_head + c->ring_hdr_old++) % CAPTURE_RING;
		if (c->ring_hdr[k] == NULL)
			continue;
		c->ring_bytes -= c->ring_hdrlen[k];
		free(c->ring_hdr[k]);
		c->ring_hdr[k] = NULL;
		c->ring_hdrlen[k] = 0;
		c->ring[k].req_headers = c->ring[k].resp_headers = NULL;
	}
	while (c->ring_bytes + need > CAPTURE_RING_MEM_MAX && c->ring_n > 0)
		capture_ring_drop_oldest(c);
}

/* Keep a copy in the ring, within CAPTURE_RING entries and
 * CAPTURE_RING_MEM_MAX bytes of strings. */
static void
capture_ring_add(struct capture *c, const struct capture_exchange *ex)
{
	struct capture_exchange	*slot;
	size_t			 i, need, hdrs;
	char			*p;

	if (c->ring_n == CAPTURE_RING)
		capture_ring_drop_oldest(c);
	need = capture_slen(ex->method) + capture_slen(ex->host) +
	    capture_slen(ex->path) + capture_slen(ex->version) +
	    capture_slen(ex->reason) + capture_slen(ex->content_type);
	/* The --dump sink has the headers already; views want them. */
	hdrs = c->has_sink ? 0 : capture_slen(ex->req_headers) +
	    capture_slen(ex->resp_headers);
	capture_ring_room(c, need + hdrs);
	i = (c->ring_head + c->ring_n) % CAPTURE_RING;
	slot = &c->ring[i];
	*slot = *ex;
	c->ring_mem[i] = p = xmalloc(need > 0 ? need : 1);
	slot->method = capture_scopy(&p, ex->method);
	slot->host = capture_scopy(&p, ex->host);
	slot->path = capture_scopy(&p, ex->path);
	slot->version = capture_scopy(&p, ex->version);
	slot->reason = capture_scopy(&p, ex->reason);
	slot->content_type = capture_scopy(&p, ex->content_type);
	slot->req_headers = slot->resp_headers = NULL;
	if (hdrs > 0) {
		c->ring_hdr[i] = p = xmalloc(hdrs);
		slot->req_headers = capture_scopy(&p, ex->req_headers);
		slot->resp_headers = capture_scopy(&p, ex->resp_headers);
	}
	c->ring_memlen[i] = need;
	c->ring_hdrlen[i] = hdrs;
	c->ring_bytes += need + hdrs;
	c->ring_n++;
}

static void
capture_exchange_emit(struct capture *c, const struct capture_exchange *ex)
{
	c->st.exchanges++;
	if (ex->kind == CAPTURE_KIND_H2C)
		c->st.h2c++;
	if (c->has_sink && c->sink.on_exchange != NULL)
		c->sink.on_exchange(c->sink.arg, ex);
	capture_ring_add(c, ex);
	c->gen++;
}

static void
capture_tls_emit(struct capture *c, const struct capture_tls *t)
{
	struct capture_tls	*slot;
	size_t			 i;
	char			*mem, *p;

	c->st.tls++;
	if (c->has_sink && c->sink.on_tls != NULL)
		c->sink.on_tls(c->sink.arg, t);
	if (c->tls_n == CAPTURE_TLS_RING) {
		free(c->tls_mem[c->tls_head]);
		c->tls_head = (c->tls_head + 1) % CAPTURE_TLS_RING;
		c->tls_n--;
	}
	i = (c->tls_head + c->tls_n) % CAPTURE_TLS_RING;
	mem = p = xmalloc(capture_slen(t->sni) + capture_slen(t->alpn) +
	    capture_slen(t->version) + 1);
	slot = &c->tls[i];
	*slot = *t;
	slot->sni = capture_scopy(&p, t->sni);
	slot->alpn = capture_scopy(&p, t->alpn);
	slot->version = capture_scopy(&p, t->version);
	c->tls_mem[i] = mem;
	c->tls_n++;
	c->gen++;
}

/* --- per-flow parsers ------------------------------------------------ */

static void
cflow_names(const struct cflow *f, char *cli, char *srv)
{
	/* "a.b.c.d:port", "[v6]:port": as DNS servers are written. */
	dns_server_format(f->info.family, f->info.addr[0], f->info.port[0],
	    cli, CAPTURE_ADDRSTRLEN);
	dns_server_format(f->info.family, f->info.addr[1], f->info.port[1],
	    srv, CAPTURE_ADDRSTRLEN);
}

static double
capture_ms(uint64_t from_us, uint64_t to_us)
{
	return to_us >= from_us ? (double)(to_us - from_us) / 1000 : 0;
}

/* http_parse's exchange, as views and dumps read it. */
static void
cflow_on_exchange(void *arg, const struct http_exchange *hx)
{
	struct cflow		*f = arg;
	struct capture_exchange	 ex;

	memset(&ex, 0, sizeof(ex));
	ex.kind = CAPTURE_KIND_HTTP1;
	cflow_names(f, ex.client, ex.server);
	ex.started_us = hx->has_request ? hx->req_first_us :
	    hx->resp_first_us;
	ex.method = hx->method;
	ex.host = hx->host;
	ex.path = hx->path;
	ex.version = hx->version;
	ex.reason = hx->reason;
	ex.content_type = hx->content_type;
	ex.req_headers = hx->req_headers;
	ex.resp_headers = hx->resp_headers;
	ex.status = hx->status;
	ex.ninterim = hx->ninterim;
	ex.req_bytes = hx->req_bytes;
	ex.resp_bytes = hx->resp_bytes;
	ex.latency_ms = ex.total_ms = -1;
	if (hx->has_request && hx->has_response && hx->status != 0) {
		ex.latency_ms = capture_ms(hx->req_first_us,
		    hx->resp_first_us);
		ex.total_ms = capture_ms(hx->req_first_us, hx->resp_last_us);
	}
	ex.has_request = hx->has_request;
	ex.has_response = hx->has_response;
	ex.is_truncated = hx->is_truncated;
	ex.is_incomplete = hx->is_incomplete;
	capture_exchange_emit(f->c, &ex);
}

static void
cflow_h2c(struct cflow *f, uint64_t ts_us)
{
	struct capture_exchange	ex;

	memset(&ex, 0, sizeof(ex));
	ex.kind = CAPTURE_KIND_H2C;
	cflow_names(f, ex.client, ex.server);
	ex.started_us = ts_us;
	ex.version = "HTTP/2.0";
	ex.latency_ms = ex.total_ms = -1;
	ex.has_request = 1;
	capture_exchange_emit(f->c, &ex);
}

static void
cflow_buf_free(struct cflow *f)
{
	free(f->buf[0]);
	free(f->buf[1]);
	f->buf[0] = f->buf[1] = NULL;
	f->len[0] = f->len[1] = 0;
}

/* The client's first bytes, kept while they are classified or parsed as
 * a ClientHello: at most TLS_HELLO_MAX, the rest of n is not kept. */
static void
cflow_hold(struct cflow *f, const uint8_t *p, size_t n)
{
	if (n > TLS_HELLO_MAX - f->len[0])
		n = TLS_HELLO_MAX - f->len[0];
	if (f->buf[0] == NULL)
		f->buf[0] = xmalloc(TLS_HELLO_MAX);
	memcpy(f->buf[0] + f->len[0], p, n);
	f->len[0] += n;
}

static void
cflow_ignore(struct cflow *f)
{
	cflow_buf_free(f);
	f->kind = CF_IGNORE;
}

static void
cflow_stop_http(struct cflow *f, uint64_t ts_us)
{
	if (f->hc == NULL)
		return;
	http_conn_close(f->hc, ts_us);
	http_conn_free(f->hc);
	f->hc = NULL;
}

_Static_assert(HTTP_NO_ACK == TCP_FLOW_NO_ACK, "one 'not known'");

static void
cflow_http_data(struct cflow *f, int dir, const uint8_t *p, size_t n,
    size_t gap, const struct tcp_flow_at *at)
{
	uint64_t	ts_us = at->ts_us;

	/* tcp_flow's offsets and HTTP's have one meaning (HTTP_NO_ACK is
	 * TCP_FLOW_NO_ACK): pairing survives responses lost in gaps. */
	http_conn_at(f->hc, dir, at->off, at->ack_off);
	http_conn_data(f->hc, dir, p, n, gap, ts_us);
	if (http_conn_mem(f->hc) > CAPTURE_CONN_MEM_MAX) {
		/* What it has is reported; the rest of the conn is not. */
		f->c->st.conns_dropped++;
		cflow_stop_http(f, ts_us);
		cflow_ignore(f);
	}
}

static void
cflow_start_http(struct cflow *f)
{
	struct http_conn_cb	cb;

	cb.arg = f;
	cb.on_exchange = cflow_on_exchange;
	f->hc = http_conn_new(&cb);
	f->kind = CF_HTTP1;
}

static void
cflow_tls(struct cflow *f)
{
	struct tls_hello	 h;
	struct capture_tls	 t;
	char			 ver[32];
	int			 r;

	r = tls_client_hello(f->buf[0], f->len[0], &h);
	if (r == 0 && f->len[0] < TLS_HELLO_MAX)
		return;
	if (r == 1) {
		memset(&t, 0, sizeof(t));
		cflow_names(f, t.client, t.server);
		t.started_us = f->first_us;
		t.sni = h.has_sni ? h.sni : NULL;
		t.alpn = h.alpn[0] != '\0' ? h.alpn : NULL;
		t.version = tls_version_str(h.max_version, ver, sizeof(ver));
		capture_tls_emit(f->c, &t);
	}
	cflow_ignore(f);
}

/* The client's first bytes say what the connection speaks. */
static void
cflow_classify(struct cflow *f, const struct tcp_flow_at *at)
{
	int	tls, kind;

	tls = tls_is_handshake(f->buf[0], f->len[0]);
	if (tls == 1) {
		f->kind = CF_TLS;
		cflow_tls(f);
		return;
	}
	kind = http_kind(f->buf[0], f->len[0]);
	if (kind == HTTP_KIND_HTTP1) {
		uint8_t			*b = f->buf[0];
		size_t			 n = f->len[0];
		struct tcp_flow_at	 first;

		first.ts_us = at->ts_us;
		first.off = f->first_off;
		first.ack_off = f->first_ack;
		f->buf[0] = NULL;
		f->len[0] = 0;
		cflow_start_http(f);
		cflow_http_data(f, 0, b, n, 0, &first);
		free(b);
		return;
	}
	if (kind == HTTP_KIND_H2C) {
		cflow_h2c(f, f->first_us);
		cflow_ignore(f);
		return;
	}
	if ((kind == HTTP_KIND_OTHER && tls == 0) ||
	    f->len[0] >= CAPTURE_CLASSIFY_MAX) {
		/*
		 * A flow caught mid-way (no SYN seen) may be in the middle
		 * of a body: its next request starts a later segment.
		 */
		if (!f->info.has_syn) {
			cflow_buf_free(f);
			return;
		}
		cflow_ignore(f);
	}
}

/* A query that no answer followed: a "no answer" row, the slot free. */
static void
capture_dns_unanswered(struct capture *c, struct dns_pending *q)
{
	char	cs[CAPTURE_ADDRSTRLEN], ss[CAPTURE_ADDRSTRLEN];

	q->is_used = 0;
	if (c->dns == NULL)
		return;
	dns_server_format(q->family, q->cli, q->cport, cs, sizeof(cs));
	dns_server_format(q->family, q->srv, q->sport, ss, sizeof(ss));
	c->st.dns_passive++;
	dns_passive_unanswered(c->dns, cs, ss, q->query, q->query_len);
	c->gen++;
}

/* Queries older than the wait (all of them at the end: now 0). */
static void
capture_dns_expire(struct capture *c, uint64_t now_us)
{
	struct dns_pending	*q;
	size_t			 i;

	for (i = 0; i < CAPTURE_DNS_PENDING; i++) {
		q = &c->pending[i];
		if (q->is_used && (now_us == 0 || (now_us > q->ts_us &&
		    now_us - q->ts_us > CAPTURE_DNS_WAIT_US)))
			capture_dns_unanswered(c, q);
	}
	c->dns_expired_us = now_us;
}

/* A DNS message of a flow or a datagram: queries wait for their answers. */
static void
capture_dns_msg(struct capture *c, int family, const uint8_t *cli,
    uint16_t cport, const uint8_t *srv, uint16_t sport, const uint8_t *msg,
    size_t len, uint64_t ts_us)
{
	struct dns_pending	*q;
	char			 cs[CAPTURE_ADDRSTRLEN], ss[CAPTURE_ADDRSTRLEN];
	uint16_t		 id;
	size_t			 alen = family == AF_INET6 ? 16 : 4, i;
	double			 latency = -1;

	if (c->dns == NULL || len < 12)
		return;
	if (ts_us > c->dns_expired_us + 1000000)
		capture_dns_expire(c, ts_us);	/* a pass a second at most */
	id = (uint16_t)(msg[0] << 8 | msg[1]);
	if (!(msg[2] & 0x80)) {
		q = &c->pending[c->pending_next];
		c->pending_next = (c->pending_next + 1) % CAPTURE_DNS_PENDING;
		if (q->is_used)
			capture_dns_unanswered(c, q);	/* out of room */
		memset(q, 0, sizeof(*q));
		q->query_len = len < sizeof(q->query) ? len : sizeof(q->query);
		memcpy(q->query, msg, q->query_len);
		q->is_used = 1;
		q->family = family;
		memcpy(q->cli, cli, alen);
		memcpy(q->srv, srv, alen);
		q->cport = cport;
		q->sport = sport;
		q->id = id;
		q->ts_us = ts_us;
		return;
	}
	for (i = 0; i < CAPTURE_DNS_PENDING; i++) {
		q = &c->pending[i];
		if (q->is_used && q->family == family && q->id == id &&
		    q->cport == cport && q->sport == sport &&
		    memcmp(q->cli, cli, alen) == 0 &&
		    memcmp(q->srv, srv, alen) == 0) {
			latency = capture_ms(q->ts_us, ts_us);
			q->is_used = 0;
			break;
		}
	}
	dns_server_format(family, cli, cport, cs, sizeof(cs));
	dns_server_format(family, srv, sport, ss, sizeof(ss));
	c->st.dns_passive++;
	dns_passive_add(c->dns, cs, ss, msg, len, latency);
	c->gen++;
}

/* DNS over TCP: each message after its 2-byte length. */
static void
cflow_dns_data(struct cflow *f, int dir, const uint8_t *p, size_t n,
    size_t gap, uint64_t ts_us)
{
	struct capture	*c = f->c;
	size_t		 mlen, take;
	uint8_t		*b;

	if (gap > 0) {
		cflow_ignore(f);	/* the framing is lost */
		return;
	}
	while (n > 0) {
		if (f->buf[dir] == NULL)
			f->buf[dir] = xmalloc(CAPTURE_DNS_MSG_MAX);
		b = f->buf[dir];
		take = f->len[dir] < 2 ? 2 - f->len[dir] : 0;
		if (take == 0) {
			mlen = (size_t)(b[0] << 8 | b[1]) + 2;
			take = mlen - f->len[dir];
		}
		if (take > n)
			take = n;
		memcpy(b + f->len[dir], p, take);
		f->len[dir] += take;
		p += take;
		n -= take;
		if (f->len[dir] < 2)
			continue;
		mlen = (size_t)(b[0] << 8 | b[1]) + 2;
		if (f->len[dir] < mlen)
			continue;
		capture_dns_msg(c, f->info.family, f->info.addr[0],
		    f->info.port[0], f->info.addr[1], f->info.port[1], b + 2,
		    mlen - 2, ts_us);
		f->len[dir] = 0;
	}
}

static void *
capture_flow_open(void *arg, const struct tcp_flow_info *info)
{
	struct capture	*c = arg;
	struct cflow	*f;

	f = xcalloc(1, sizeof(*f));
	f->c = c;
	f->info = *info;
	f->kind = CF_NEW;
	if (info->port[0] == 53 || info->port[1] == 53)
		f->kind = c->dns != NULL ? CF_DNS : CF_IGNORE;
	return f;
}

static void
capture_flow_data(void *arg, void *user, int dir, const uint8_t *p, size_t n,
    size_t gap, const struct tcp_flow_at *at)
{
	struct cflow	*f = user;
	uint64_t	 ts_us = at->ts_us;

	(void)arg;
	if (f == NULL)
		return;
	switch (f->kind) {
	case CF_NEW:
		if (dir == 1) {
			/* A response whose request is not in the capture. */
			if (f->len[0] == 0 && gap == 0 && n >= 5 &&
			    memcmp(p, "HTTP/", 5) == 0) {
				cflow_start_http(f);
				cflow_http_data(f, dir, p, n, gap, at);
			}
			/* Else the rest of a response begun before the
			 * capture, or a server that speaks first: the
			 * client's next bytes decide. */
			return;
		}
		if (f->len[0] == 0) {
			f->first_us = ts_us;
			f->first_off = at->off;
			f->first_ack = at->ack_off;
		}
		if (gap > 0 && f->len[0] > 0) {
			cflow_ignore(f);
			return;
		}
		cflow_hold(f, p, n);
		cflow_classify(f, at);
		return;
	case CF_HTTP1:
		cflow_http_data(f, dir, p, n, gap, at);
		return;
	case CF_TLS:
		if (dir != 0)
			return;
		if (gap > 0) {
			cflow_ignore(f);
			return;
		}
		cflow_hold(f, p, n);
		cflow_tls(f);
		return;
	case CF_DNS:
		cflow_dns_data(f, dir, p, n, gap, ts_us);
		return;
	case CF_IGNORE:
		return;
	}
}

static void
capture_flow_close(void *arg, void *user, int how, uint64_t ts_us)
{
	struct cflow	*f = user;

	(void)arg;
	(void)how;
	if (f == NULL)
		return;
	cflow_stop_http(f, ts_us);
	cflow_buf_free(f);
	free(f);
}

/* --- packets --------------------------------------------------------- */

static void
capture_udp(struct capture *c, const struct pkt *k, uint64_t ts_us)
{
	if (k->is_fragment || (k->sport != 53 && k->dport != 53))
		return;
	if (k->payload_len < 12)
		return;
	/* The query's sender is the client, whichever port is 53. */
	if (k->payload[2] & 0x80)
		capture_dns_msg(c, k->family, k->dst, k->dport, k->src,
		    k->sport, k->payload, k->payload_len, ts_us);
	else
		capture_dns_msg(c, k->family, k->src, k->sport, k->dst,
		    k->dport, k->payload, k->payload_len, ts_us);
}

static void
capture_packet(u_char *arg, const struct pcap_pkthdr *h, const u_char *p)
{
	struct capture	*c = (struct capture *)arg;
	struct pkt	 k;
	uint64_t	 ts_us;

	c->st.packets++;
	c->st.bytes += h->len;
	if (c->dumper != NULL)
		pcap_dump((u_char *)c->dumper, h, p);
	ts_us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	if (ts_us > c->last_ts_us)
		c->last_ts_us = ts_us;
	if (pkt_decode(c->linktype, p, h->caplen, h->len, &k) != PKT_OK) {
		c->st.skipped++;
		return;
	}
	if (k.proto == IPPROTO_TCP && !k.is_fragment)
		tcp_flows_packet(c->flows, &k, ts_us);
	else if (k.proto == IPPROTO_UDP)
		capture_udp(c, &k, ts_us);
}

static void
capture_sync_stats(struct capture *c)
{
	const struct tcp_flow_stats	*fs = tcp_flows_stats(c->flows);

	c->st.flows = fs->nopened;
	c->st.flows_evicted = fs->nevicted;
}

/* Idle flows go now and then, by capture time. */
static void
capture_expire(struct capture *c)
{
	if (c->last_ts_us - c->expired_us < CAPTURE_EXPIRE_US)
		return;
	c->expired_us = c->last_ts_us;
	tcp_flows_expire(c->flows, c->last_ts_us);
}

static void
capture_finish(struct capture *c)
{
	tcp_flows_flush(c->flows, c->last_ts_us);
	capture_dns_expire(c, 0);
	capture_sync_stats(c);
	if (c->dumper != NULL)
		pcap_dump_flush(c->dumper);
	c->is_done = 1;
	c->gen++;
}

/* One slice of the file per loop pass, so the loop stays responsive. */
static void
capture_read_slice(void *arg)
{
	struct capture	*c = arg;
	int		 n;

	c->read_timer = 0;
	n = pcap_dispatch(c->pc, CAPTURE_SLICE_PKTS, capture_packet,
	    (u_char *)c);
	capture_expire(c);
	capture_sync_stats(c);
	c->gen++;
	if (n > 0) {
		c->read_timer = tb_loop_timer(c->loop, tb_now_ms(),
		    capture_read_slice, c);
		return;
	}
	if (n == PCAP_ERROR)
		snprintf(c->error, sizeof(c->error), "cannot read %s: %s%s",
		    c->source, pcap_geterr(c->pc),
		    capture_file_hint(pcap_geterr(c->pc)));
	capture_finish(c);
}

static void
capture_live_io(int fd, short revents, void *arg)
{
	struct capture	*c = arg;
	int		 n;

	(void)fd;
	(void)revents;
	n = pcap_dispatch(c->pc, CAPTURE_LIVE_BURST, capture_packet,
	    (u_char *)c);
	if (n == PCAP_ERROR) {
		snprintf(c->error, sizeof(c->error), "capture on %s: %s",
		    c->source, pcap_geterr(c->pc));
		tb_loop_io_del(c->loop, c->fd);
		c->gen++;
		return;
	}
	if (n > 0) {
		capture_expire(c);
		c->gen++;
	}
}

static void
capture_stats_tick(void *arg)
{
	struct capture		*c = arg;
	struct pcap_stat	 ps;

	if (pcap_stats(c->pc, &ps) == 0)
		c->st.dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	capture_sync_stats(c);
	if (c->dumper != NULL)
		pcap_dump_flush(c->dumper);
	c->gen++;
	c->stats_timer = tb_loop_timer(c->loop, tb_now_ms() + CAPTURE_STATS_MS,
	    capture_stats_tick, c);
}

/* --- opening --------------------------------------------------------- */

static int
capture_linktype_ok(int dlt)
{
	switch (dlt) {
	case PKT_DLT_NULL:
	case PKT_DLT_EN10MB:
	case PKT_DLT_RAW:
	case 14:		/* OpenBSD's DLT_RAW */
	case PKT_DLT_LOOP:
	case PKT_DLT_LINUX_SLL:
	case PKT_DLT_LINUX_SLL2:
	case PKT_LINKTYPE_RAW:
	case PKT_LINKTYPE_IPV4:
	case PKT_LINKTYPE_IPV6:
		return 1;
	}
	return 0;
}

static pcap_t *
capture_open_live(const char *iface, char *err, size_t errlen)
{
	char	 ebuf[PCAP_ERRBUF_SIZE];
	pcap_t	*pc;
	int	 rc;

	ebuf[0] = '\0';
	if ((pc = pcap_create(iface, ebuf)) == NULL) {
		snprintf(err, errlen, "cannot capture on %s: %s", iface,
		    ebuf);
		return NULL;
	}
	/*
	 * Not immediate mode: there libpcap uses TPACKET_V2, whose ring is
	 * cut in frames as large as the snap length (64 KB and more on lo
	 * and "any"), so 8 MB held about a hundred packets and a wrk run
	 * lost half of them.  TPACKET_V3 packs packets into blocks and hands
	 * a block over when it is full or CAPTURE_BLOCK_MS old: no drops in
	 * the same run, a sixth of the CPU, and the pane at most that late.
	 */
	(void)pcap_set_snaplen(pc, CAPTURE_SNAPLEN);
	(void)pcap_set_immediate_mode(pc, 0);
	(void)pcap_set_timeout(pc, CAPTURE_BLOCK_MS);
	(void)pcap_set_buffer_size(pc, CAPTURE_BUFFER_BYTES);
	rc = pcap_activate(pc);
	if (rc < 0) {
		if (rc == PCAP_ERROR_PERM_DENIED)
			snprintf(err, errlen, CAPTURE_PERM_PREFIX " "
			    "and CAP_NET_ADMIN: run as root, or `sudo setcap "
			    "cap_net_raw,cap_net_admin+ep $(command -v "
			    "tubes)`; -r FILE needs no privilege");
		else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			snprintf(err, errlen, "no capture interface '%s' (see "
			    "`ip link`): %s", iface, pcap_geterr(pc));
		else
			snprintf(err, errlen, "cannot capture on %s: %s",
			    iface, rc == PCAP_ERROR ? pcap_geterr(pc) :
			    pcap_statustostr(rc));
		pcap_close(pc);
		return NULL;
	}
	if (pcap_setnonblock(pc, 1, ebuf) == -1) {
		snprintf(err, errlen, "cannot capture on %s: %s", iface, ebuf);
		pcap_close(pc);
		return NULL;
	}
	return pc;
}

static int
capture_filter(pcap_t *pc, const char *expr, char *err, size_t errlen)
{
	struct bpf_program	prog;

	if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		snprintf(err, errlen, "bad capture filter '%s': %s", expr,
		    pcap_geterr(pc));
		return -1;
	}
	if (pcap_setfilter(pc, &prog) == -1) {
		snprintf(err, errlen, "cannot set capture filter '%s': %s",
		    expr, pcap_geterr(pc));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* A single line: no newline from libpcap's text in the middle of it. */
static void
capture_one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

/*
 * A file through our own stdio stream with a large buffer: libpcap's own
 * fopen reads 4 KB at a time, and a system call per 4 KB is a fifth of
 * the time of reading a large capture on a virtual machine.
 */
static pcap_t *
capture_open_file(struct capture *c, const char *path, char *ebuf)
{
	pcap_t	*pc;
	FILE	*fp;

	if (strcmp(path, "-") == 0)
		return pcap_open_offline_with_tstamp_precision(path,
		    PCAP_TSTAMP_PRECISION_MICRO, ebuf);
	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(ebuf, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	c->file_buf = xmalloc(CAPTURE_FILE_BUF);
	(void)setvbuf(fp, c->file_buf, _IOFBF, CAPTURE_FILE_BUF);
	/* On success the pcap_t owns fp and closes it. */
	if ((pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, ebuf)) == NULL)
		fclose(fp);
	return pc;
}

static struct capture *
capture_new(void)
{
	struct capture		*c;
	struct tcp_flow_cb	 cb;

	c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->ring = xcalloc(CAPTURE_RING, sizeof(*c->ring));
	c->ring_mem = xcalloc(CAPTURE_RING, sizeof(*c->ring_mem));
	c->ring_memlen = xcalloc(CAPTURE_RING, sizeof(*c->ring_memlen));
	c->ring_hdr = xcalloc(CAPTURE_RING, sizeof(*c->ring_hdr));
	c->ring_hdrlen = xcalloc(CAPTURE_RING, sizeof(*c->ring_hdrlen));
	c->tls = xcalloc(CAPTURE_TLS_RING, sizeof(*c->tls));
	c->tls_mem = xcalloc(CAPTURE_TLS_RING, sizeof(*c->tls_mem));
	memset(&cb, 0, sizeof(cb));
	cb.arg = c;
	cb.on_open = capture_flow_open;
	cb.on_data = capture_flow_data;
	cb.on_close = capture_flow_close;
	c->flows = tcp_flows_new(&cb, NULL);
	return c;
}

struct capture *
capture_open(const struct capture_conf *conf, char *err, size_t errlen)
{
	struct capture	*c;
	char		 ebuf[PCAP_ERRBUF_SIZE];
	const char	*iface = conf->iface != NULL ? conf->iface : "any";

	c = capture_new();
	c->dns = conf->dns;
	ebuf[0] = '\0';
	if (conf->read_path != NULL) {
		snprintf(c->source, sizeof(c->source), "%s", conf->read_path);
		c->pc = capture_open_file(c, conf->read_path, ebuf);
		if (c->pc == NULL)
			snprintf(err, errlen, "cannot read %s: %s%s",
			    conf->read_path, ebuf, capture_file_hint(ebuf));
	} else {
		c->is_live = 1;
		snprintf(c->source, sizeof(c->source), "%s", iface);
		c->pc = capture_open_live(iface, err, errlen);
	}
	if (c->pc == NULL)
		goto fail;
	c->linktype = pcap_datalink(c->pc);
	if (!capture_linktype_ok(c->linktype)) {
		const char *name = pcap_datalink_val_to_name(c->linktype);

		snprintf(err, errlen, "cannot %s %s: link type %s (%d) is not "
		    "supported (Ethernet, Linux cooked, raw IP and loopback "
		    "are)", c->is_live ? "capture on" : "read", c->source,
		    name != NULL ? name : "unknown", c->linktype);
		goto fail;
	}
	if (conf->filter != NULL &&
	    capture_filter(c->pc, conf->filter, err, errlen) == -1)
		goto fail;
	if (conf->write_path != NULL &&
	    (c->dumper = pcap_dump_open(c->pc, conf->write_path)) == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", conf->write_path,
		    pcap_geterr(c->pc));
		goto fail;
	}
	if (c->is_live && (c->fd = pcap_get_selectable_fd(c->pc)) == -1) {
		snprintf(err, errlen, "cannot capture on %s: no selectable "
		    "descriptor", iface);
		goto fail;
	}
	return c;
fail:
	capture_one_line(err);
	capture_free(c);
	return NULL;
}

void
capture_set_sink(struct capture *c, const struct capture_sink *sink)
{
	if (sink == NULL) {
		memset(&c->sink, 0, sizeof(c->sink));
		c->has_sink = 0;
		return;
	}
	c->sink = *sink;
	c->has_sink = 1;
}

int
capture_attach(struct capture *c, struct tb_loop *loop)
{
	c->loop = loop;
	if (!c->is_live) {
		c->read_timer = tb_loop_timer(loop, tb_now_ms(),
		    capture_read_slice, c);
		return 0;
	}
	if (tb_loop_io(loop, c->fd, POLLIN, capture_live_io, c) == -1)
		return -1;
	c->stats_timer = tb_loop_timer(loop, tb_now_ms() + CAPTURE_STATS_MS,
	    capture_stats_tick, c);
	return 0;
}

void
capture_free(struct capture *c)
{
	size_t	i;

	if (c == NULL)
		return;
	if (c->loop != NULL) {
		if (c->read_timer != 0)
			tb_loop_timer_cancel(c->loop, c->read_timer);
		if (c->stats_timer != 0)
			tb_loop_timer_cancel(c->loop, c->stats_timer);
		if (c->fd != -1 && c->is_live)
			tb_loop_io_del(c->loop, c->fd);
	}
	/* No sink past this point: the flush reports to nobody. */
	c->has_sink = 0;
	tcp_flows_free(c->flows);
	if (c->dumper != NULL)
		pcap_dump_close(c->dumper);
	if (c->pc != NULL)
		pcap_close(c->pc);
	free(c->file_buf);	/* after the stream that used it */
	for (i = 0; i < CAPTURE_RING; i++) {
		free(c->ring_mem[i]);
		free(c->ring_hdr[i]);
	}
	for (i = 0; i < CAPTURE_TLS_RING; i++)
		free(c->tls_mem[i]);
	free(c->ring);
	free(c->ring_mem);
	free(c->ring_memlen);
	free(c->ring_hdr);
	free(c->ring_hdrlen);
	free(c->tls);
	free(c->tls_mem);
	free(c);
}

/* --- accessors ------------------------------------------------------- */

int
capture_is_live(const struct capture *c)
{
	return c->is_live;
}

int
capture_is_done(const struct capture *c)
{
	return c->is_done;
}

const char *
capture_source(const struct capture *c)
{
	return c->source;
}

const char *
capture_error(const struct capture *c)
{
	return c->error[0] != '\0' ? c->error : NULL;
}

uint64_t
capture_generation(const struct capture *c)
{
	return c->gen;
}

const struct capture_stats *
capture_stats(const struct capture *c)
{
	return &c->st;
}

static void
capture_drain(struct capture *c)
{
	int	i;

	for (i = 0; i < CAPTURE_DRAIN_BURSTS; i++)
		if (pcap_dispatch(c->pc, CAPTURE_LIVE_BURST, capture_packet,
		    (u_char *)c) <= 0)
			break;
}

void
capture_flush(struct capture *c)
{
	struct pollfd	pfd;

	if (c->is_done)
		return;
	/*
	 * What the kernel holds already belongs to the sample, the block
	 * being filled too: it is handed over when CAPTURE_BLOCK_MS old, so
	 * the last packets of a sample (a DNS answer just before the end)
	 * are waited for, at most twice that.
	 */
	if (c->is_live && c->error[0] == '\0' && c->fd != -1) {
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		capture_drain(c);
		(void)poll(&pfd, 1, 2 * CAPTURE_BLOCK_MS);
		capture_drain(c);
	}
	capture_finish(c);
}

size_t
capture_nexchanges(const struct capture *c)
{
	return c->ring_n;
}

const struct capture_exchange *
capture_exchange_at(const struct capture *c, size_t i)
{
	if (i >= c->ring_n)
		return NULL;
	return &c->ring[(c->ring_head + i) % CAPTURE_RING];
}

size_t
capture_ntls(const struct capture *c)
{
	return c->tls_n;
}

const struct capture_tls *
capture_tls_at(const struct capture *c, size_t i)
{
	if (i >= c->tls_n)
		return NULL;
	return &c->tls[(c->tls_head + i) % CAPTURE_TLS_RING];
}
