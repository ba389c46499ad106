/*
 * The DNS engine over c-ares 1.18.  c-ares sends and matches; the rest is
 * ours: one channel per server (its callbacks do not say which server
 * answered), our own timing, our own retries (tries=1 in c-ares, whose
 * back-off doubles the timeout per round), our own TCP fallback (IGNTC,
 * then a per-server ARES_FLAG_USEVC channel), and dns_wire to decode.
 */
#include "config.h"

#include "model/dns.h"

#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <ares.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "xmalloc.h"
#include "model/dns_io.h"
#include "model/dns_query.h"
#include "model/dns_wire.h"

#define DNS_QUERY_MAX		(12 + 256 + 4 + 11)
#define DNS_REQUERY_MIN_MS	1000	/* TTL 0 is not a busy loop */
#define DNS_REQUERY_ERR_MS	5000	/* after an error or timeout */
#define DNS_FLAGS_STRLEN	24	/* "qr aa tc rd ra z ad cd" */
#define DNS_UDP_READ_MAX	4096	/* c-ares's UDP read size: more than
					   we advertise, in case */

struct dns_chan {
	struct dns_server	*srv;
	ares_channel		 ch;
	int			 is_tcp;
	unsigned		 nqueries;	/* in c-ares now */
	struct dns_io		 io;		/* UDP: batched sends */
	struct row		*unsent[2 * DNS_MAX_INFLIGHT];
	size_t			 nunsent;	/* held by io, to stamp */
};

struct row;

struct dns_server {
	struct dns		*d;
	size_t			 idx;
	struct dns_server_addr	 addr;
	struct dns_chan		 udp, tcp;
	int			 has_tcp, is_pumping;
	unsigned		 inflight;	/* both channels */
	size_t			 next_lookup;	/* first lookup not started */
	struct row		*fifo_head, *fifo_tail;	/* re-queries */
};

struct lookup {
	char		*name;
	uint16_t	 type;
	int		 is_search;
};

struct row {
	struct dns_row		 pub;	/* first: row_of() casts back */
	struct dns		*d;
	struct row		*next;	/* in a server's FIFO */
	char			*rcode_str;	/* "RCODE11": only if unnamed */
	char			*err;
	void			*block;	/* answers, chain and their strings */
	struct dns_search_step	*steps;
	unsigned		 nsteps, step;
	uint64_t		 sent_us, udp_us;
	unsigned		 try;
	/* 10,000 rows is the benchmark: bits, not ints. */
	unsigned		 is_inflight:1, is_tcp:1, is_queued:1;
	unsigned		 has_sample:1;	/* last_ms is one */
	unsigned		 is_passive:1;	/* seen in the capture */
	char			*passive_strs;	/* its name, type, server */
	double			 last_ms;
	uint64_t		 requery_at_ms;	/* 0: none */
	uint64_t		 answer_hash;
	float			*hist;
};

struct dns {
	struct tb_loop		*loop;
	struct dns_server	*servers;
	size_t			 nservers;
	unsigned		 timeout_ms, tries, ndots;
	char			**domains;
	size_t			 ndomains;
	struct lookup		*lookups;
	size_t			 nlookups, lookups_cap;
	struct row		**rows;
	size_t			 nrows, rows_cap, ndone, ndropped;
	uint64_t		 generation;
	int			 is_requery, is_freeing, is_timer_dirty;
	unsigned		 ares_timer, requery_timer;
	uint64_t		 ares_timer_at, requery_timer_at;
	struct dns_msg		*msg;	/* reused for every answer */
	struct row		**passive;	/* ring of DNS_MAX_PASSIVE */
	size_t			 npassive, passive_next;
	struct dns_names	*names;	/* addresses the answers named */
	/* "qr aa rd ra" for each combination of the 8 flag bits, made the
	 * first time one is seen and shared by the rows. */
	char			 flags_str[256][DNS_FLAGS_STRLEN];
};

static void	server_pump(struct dns_server *);
static void	row_send(struct row *);

static struct row *
row_of(const struct dns_row *r)
{
	return (struct row *)(uintptr_t)r;
}

/* --- c-ares plumbing ---------------------------------------------------- */

static void
chan_on_io(int fd, short revents, void *arg)
{
	struct dns_chan	*c = arg;
	ares_socket_t	 rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

	if (revents & (POLLIN | POLLERR | POLLHUP))
		rfd = fd;
	if (revents & POLLOUT)
		wfd = fd;
	ares_process_fd(c->ch, rfd, wfd);
	c->srv->d->is_timer_dirty = 1;
}

static void
chan_sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct dns_chan	*c = arg;
	struct dns	*d = c->srv->d;
	short		 ev = 0;

	if (d->loop == NULL)
		return;
	if (readable)
		ev |= POLLIN;
	if (writable)
		ev |= POLLOUT;
	if (ev == 0)
		tb_loop_io_del(d->loop, fd);
	else
		tb_loop_io(d->loop, fd, ev, chan_on_io, c);
}

static void
dns_on_ares_timer(void *arg)
{
	struct dns	*d = arg;
	size_t		 i;

	d->ares_timer = 0;
	for (i = 0; i < d->nservers; i++) {
		if (d->servers[i].udp.nqueries > 0)
			ares_process_fd(d->servers[i].udp.ch, ARES_SOCKET_BAD,
			    ARES_SOCKET_BAD);
		if (d->servers[i].has_tcp && d->servers[i].tcp.nqueries > 0)
			ares_process_fd(d->servers[i].tcp.ch, ARES_SOCKET_BAD,
			    ARES_SOCKET_BAD);
	}
	d->is_timer_dirty = 1;
}

/* ms until the channel's next timeout, rounded up; -1 without queries. */
static long
chan_timeout_ms(struct dns_chan *c)
{
	struct timeval	 tv, *t;

	if (c->nqueries == 0)
		return -1;
	if ((t = ares_timeout(c->ch, NULL, &tv)) == NULL)
		return -1;
	return (long)t->tv_sec * 1000 + (t->tv_usec + 999) / 1000;
}

/*
 * Send the queries this pass held, stamping their rows: a latency starts
 * when the query leaves, not when it was queued.  A failed send is read
 * back by c-ares at once, whose callbacks may queue more: a few rounds.
 */
static void
dns_flush(struct dns *d)
{
	struct dns_chan	*c;
	uint64_t	 now_us;
	size_t		 i, j;
	int		 round, fd, is_pending = 1;

	for (round = 0; round < 8 && is_pending; round++) {
		is_pending = 0;
		for (i = 0; i < d->nservers; i++) {
			c = &d->servers[i].udp;
			if (dns_io_pending(&c->io) == 0)
				continue;
			now_us = tb_now_us();
			fd = dns_io_flush(&c->io);
			for (j = 0; j < c->nunsent; j++)
				c->unsent[j]->sent_us = now_us;
			c->nunsent = 0;
			if (fd != -1) {
				ares_process_fd(c->ch, fd, ARES_SOCKET_BAD);
				d->is_timer_dirty = 1;
				is_pending = 1;
			}
		}
	}
}

/* Before sleeping: send, then one loop timer at the earliest timeout. */
static void
dns_on_before_sleep(void *arg)
{
	struct dns	*d = arg;
	long		 ms, best = -1;
	uint64_t	 at;
	size_t		 i;

	dns_flush(d);
	if (!d->is_timer_dirty)
		return;
	d->is_timer_dirty = 0;
	for (i = 0; i < d->nservers; i++) {
		ms = chan_timeout_ms(&d->servers[i].udp);
		if (ms >= 0 && (best < 0 || ms < best))
			best = ms;
		if (!d->servers[i].has_tcp)
			continue;
		ms = chan_timeout_ms(&d->servers[i].tcp);
		if (ms >= 0 && (best < 0 || ms < best))
			best = ms;
	}
	at = best < 0 ? 0 : tb_now_ms() + (uint64_t)best;
	if (d->ares_timer != 0 && d->ares_timer_at == at)
		return;
	if (d->ares_timer != 0)
		tb_loop_timer_cancel(d->loop, d->ares_timer);
	d->ares_timer = 0;
	if (best >= 0) {
		d->ares_timer = tb_loop_timer(d->loop, at, dns_on_ares_timer,
		    d);
		d->ares_timer_at = at;
	}
}

static int
chan_open(struct dns_chan *c, struct dns_server *s, int is_tcp, char *err,
    size_t errlen)
{
	struct ares_options		 o;
	struct ares_addr_port_node	 node;
	int				 rc;

	memset(&o, 0, sizeof(o));
	c->srv = s;
	c->is_tcp = is_tcp;
	/*
	 * EDNS: without it c-ares 1.18 reads 512 bytes of a UDP answer and
	 * cuts the rest.  It adds no OPT to ares_send's bytes (ours carry
	 * one); it drops our OPT, the last 11 bytes, if a server answers
	 * FORMERR without one, as a resolver should.
	 */
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_IGNTC | ARES_FLAG_NOSEARCH |
	    ARES_FLAG_NOALIASES | ARES_FLAG_EDNS |
	    (is_tcp ? ARES_FLAG_USEVC : 0);
	o.ednspsz = DNS_UDP_READ_MAX;
	o.timeout = (int)s->d->timeout_ms;
	o.tries = 1;
	o.sock_state_cb = chan_sock_state;
	o.sock_state_cb_data = c;
	/* No lookups of resolv.conf here: the servers are set below. */
	o.resolvconf_path = (char *)"/dev/null";
	rc = ares_init_options(&c->ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS |
	    ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_RESOLVCONF |
	    ARES_OPT_EDNSPSZ);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return -1;
	}
	dns_io_attach(&c->io, c->ch, s->addr.scope_id);
	memset(&node, 0, sizeof(node));
	node.family = s->addr.family;
	memcpy(&node.addr, s->addr.addr, s->addr.family == AF_INET ? 4 : 16);
	node.udp_port = node.tcp_port = s->addr.port;
	if ((rc = ares_set_servers_ports(c->ch, &node)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: server %s: %s", s->addr.str,
		    ares_strerror(rc));
		ares_destroy(c->ch);
		return -1;
	}
	return 0;
}

/* --- configuration ------------------------------------------------------ */

static int
dns_add_server(struct dns *d, const struct dns_server_addr *a)
{
	struct dns_server	*s;
	size_t			 i;

	for (i = 0; i < d->nservers; i++)
		if (strcmp(d->servers[i].addr.str, a->str) == 0)
			return 0;	/* asked twice: once is enough */
	if (d->nservers == DNS_MAX_SERVERS)
		return -1;
	s = &d->servers[d->nservers];
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->idx = d->nservers++;
	s->addr = *a;
	return 0;
}

/*
 * c-ares 1.18 drops an IPv6 nameserver's "%scope" (or the whole line), so
 * a link-local server would be unreachable: read the nameserver lines
 * that name an interface ourselves.
 */
static void
dns_resolv_scoped(struct dns *d, const char *path)
{
	struct dns_server_addr	 a;
	FILE			*f;
	char			 line[512], *p;
	size_t			 i;
	int			 nlines = 0;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while (nlines++ < 4096 && fgets(line, sizeof(line), f) != NULL) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "nameserver", 10) != 0 ||
		    (p[10] != ' ' && p[10] != '\t'))
			continue;
		p += 10 + strspn(p + 10, " \t");
		p[strcspn(p, " \t\r\n#;")] = '\0';
		if (strchr(p, '%') == NULL || dns_server_parse(p, &a) == -1)
			continue;
		for (i = 0; i < d->nservers; i++)
			if (d->servers[i].addr.family == AF_INET6 &&
			    d->servers[i].addr.scope_id == 0 &&
			    memcmp(d->servers[i].addr.addr, a.addr, 16) == 0)
				break;
		if (i < d->nservers)
			d->servers[i].addr = a;	/* c-ares's, unscoped */
		else
			dns_add_server(d, &a);
	}
	fclose(f);
}

/* resolv.conf through c-ares: its servers (when not given), search, ndots. */
static int
dns_read_resolv(struct dns *d, const struct dns_conf *conf, char *err,
    size_t errlen)
{
	struct ares_options		 o;
	struct ares_addr_port_node	*list = NULL, *n;
	struct dns_server_addr		 a;
	ares_channel			 ch;
	int				 rc, mask = 0, i;

	memset(&o, 0, sizeof(o));
	if (conf->resolv_conf != NULL) {
		o.resolvconf_path = (char *)conf->resolv_conf;
		mask |= ARES_OPT_RESOLVCONF;
	}
	if ((rc = ares_init_options(&ch, &o, mask)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: reading %s: %s",
		    conf->resolv_conf ? conf->resolv_conf : "/etc/resolv.conf",
		    ares_strerror(rc));
		return -1;
	}
	if (conf->nservers == 0 &&
	    ares_get_servers_ports(ch, &list) == ARES_SUCCESS) {
		for (n = list; n != NULL; n = n->next) {
			memset(&a, 0, sizeof(a));
			a.family = n->family;
			memcpy(a.addr, &n->addr, n->family == AF_INET ? 4 : 16);
			a.port = n->udp_port ? (uint16_t)n->udp_port : 53;
			dns_server_format(a.family, a.addr, a.port, a.str,
			    sizeof(a.str));
			dns_add_server(d, &a);
		}
		ares_free_data(list);
	}
	if (conf->nservers == 0)
		dns_resolv_scoped(d, conf->resolv_conf != NULL ?
		    conf->resolv_conf : "/etc/resolv.conf");
	memset(&o, 0, sizeof(o));
	if (ares_save_options(ch, &o, &mask) == ARES_SUCCESS) {
		d->ndots = o.ndots > 0 ? (unsigned)o.ndots : 1;
		d->domains = xcalloc((size_t)o.ndomains + 1, sizeof(char *));
		/* The name as is is the last step. */
		for (i = 0; i < o.ndomains &&
		    d->ndomains < DNS_MAX_SEARCH - 1; i++)
			if (o.domains[i] != NULL &&
			    dns_name_check(o.domains[i], NULL, 0) == 0)
				d->domains[d->ndomains++] =
				    xstrdup(o.domains[i]);
		ares_destroy_options(&o);
	}
	ares_destroy(ch);
	return 0;
}

static int
dns_conf_servers(struct dns *d, const struct dns_conf *conf, char *err,
    size_t errlen)
{
	struct dns_server_addr	a;
	size_t			i;

	for (i = 0; i < conf->nservers; i++) {
		if (dns_server_parse(conf->servers[i], &a) == -1) {
			snprintf(err, errlen, "bad DNS server address");
			return -1;
		}
		if (dns_add_server(d, &a) == -1) {
			snprintf(err, errlen, "too many DNS servers (at most "
			    "%d)", DNS_MAX_SERVERS);
			return -1;
		}
	}
	return 0;
}

struct dns *
dns_new(const struct dns_conf *conf, char *err, size_t errlen)
{
	struct dns	*d;
	size_t		 i;
	int		 rc;

	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->timeout_ms = conf->timeout_ms ? conf->timeout_ms :
	    DNS_TIMEOUT_DEFAULT_MS;
	d->tries = conf->tries ? conf->tries : DNS_TRIES_DEFAULT;
	d->ndots = 1;
	d->servers = xcalloc(DNS_MAX_SERVERS, sizeof(*d->servers));
	d->msg = xmalloc(sizeof(*d->msg));
	d->names = dns_names_new();
	if (dns_conf_servers(d, conf, err, errlen) == -1 ||
	    dns_read_resolv(d, conf, err, errlen) == -1)
		goto fail;
	for (i = 0; i < d->nservers; i++)
		if (chan_open(&d->servers[i].udp, &d->servers[i], 0, err,
		    errlen) == -1)
			goto fail;
	return d;
fail:
	dns_free(d);
	return NULL;
}

int
dns_attach(struct dns *d, struct tb_loop *loop)
{
	size_t	i;

	d->loop = loop;
	tb_loop_before_sleep(loop, dns_on_before_sleep, d);
	for (i = 0; i < d->nservers; i++)
		server_pump(&d->servers[i]);
	return 0;
}

static void
row_free(struct row *r)
{
	size_t	i;

	for (i = 0; i < r->nsteps; i++)
		free((char *)r->steps[i].name);
	free(r->steps);
	free(r->block);
	free(r->rcode_str);
	free(r->passive_strs);
	free(r->err);
	free(r->hist);
	free(r);
}

void
dns_free(struct dns *d)
{
	size_t	i;

	if (d == NULL)
		return;
	d->is_freeing = 1;
	for (i = 0; i < d->nservers; i++) {
		if (d->servers[i].udp.ch != NULL)
			ares_destroy(d->servers[i].udp.ch);
		if (d->servers[i].has_tcp)
			ares_destroy(d->servers[i].tcp.ch);
		dns_io_free(&d->servers[i].udp.io);
		dns_io_free(&d->servers[i].tcp.io);
	}
	if (d->loop != NULL) {
		if (d->ares_timer != 0)
			tb_loop_timer_cancel(d->loop, d->ares_timer);
		if (d->requery_timer != 0)
			tb_loop_timer_cancel(d->loop, d->requery_timer);
	}
	for (i = 0; i < d->nrows; i++)
		row_free(d->rows[i]);
	for (i = 0; i < d->npassive; i++)
		row_free(d->passive[i]);
	free(d->passive);
	for (i = 0; i < d->nlookups; i++)
		free(d->lookups[i].name);
	for (i = 0; i < d->ndomains; i++)
		free(d->domains[i]);
	free(d->domains);
	free(d->rows);
	free(d->lookups);
	free(d->servers);
	free(d->msg);
	dns_names_free(d->names);
	free(d);
	ares_library_cleanup();
}

/* --- lookups and rows --------------------------------------------------- */

long
dns_lookup_add(struct dns *d, const char *name, uint16_t type)
{
	struct lookup	*l;
	struct row	*r;
	char		*tstr;
	size_t		 i;

	if (dns_name_check(name, NULL, 0) == -1 ||
	    d->nlookups == DNS_MAX_LOOKUPS ||
	    d->nrows + d->nservers > DNS_MAX_ROWS) {
		d->ndropped++;
		return -1;
	}
	if (d->nlookups == d->lookups_cap) {
		d->lookups_cap = d->lookups_cap ? d->lookups_cap * 2 : 16;
		d->lookups = xreallocarray(d->lookups, d->lookups_cap,
		    sizeof(*d->lookups));
	}
	if (d->nrows + d->nservers > d->rows_cap) {
		d->rows_cap = d->rows_cap ? d->rows_cap * 2 : 16;
		if (d->rows_cap < d->nrows + d->nservers)
			d->rows_cap = d->nrows + d->nservers;
		d->rows = xreallocarray(d->rows, d->rows_cap,
		    sizeof(*d->rows));
	}
	l = &d->lookups[d->nlookups];
	/* The type's mnemonic lives after the name: rows point at both. */
	l->name = xmalloc(strlen(name) + 1 + DNS_TYPE_NAMELEN);
	memcpy(l->name, name, strlen(name) + 1);
	tstr = l->name + strlen(name) + 1;
	if (dns_type_name(type, tstr, DNS_TYPE_NAMELEN) != tstr)
		snprintf(tstr, DNS_TYPE_NAMELEN, "%s",
		    dns_type_name(type, NULL, 0));
	l->type = type;
	l->is_search = d->ndomains > 0 && dns_search_applies(name, d->ndots);
	for (i = 0; i < d->nservers; i++) {
		r = xcalloc(1, sizeof(*r));
		r->d = d;
		r->pub.lookup = d->nlookups;
		r->pub.server_idx = i;
		r->pub.name = r->pub.qname = l->name;
		r->pub.type = type;
		r->pub.type_str = tstr;
		r->pub.server = d->servers[i].addr.str;
		r->pub.status = "pending";
		r->pub.rcode = -1;
		r->pub.latency_ms = -1;
		r->pub.flags = "";
		d->rows[d->nrows++] = r;
	}
	d->nlookups++;
	d->generation++;
	if (d->loop != NULL)
		for (i = 0; i < d->nservers; i++)
			server_pump(&d->servers[i]);
	return (long)(d->nlookups - 1);
}

/* The names to try: each search domain, then the name as is. */
static void
row_steps(struct row *r)
{
	struct dns	*d = r->d;
	char		 buf[DNS_QUERY_NAMELEN];
	size_t		 i;

	for (i = 0; i < r->nsteps; i++)
		free((char *)r->steps[i].name);
	free(r->steps);
	r->steps = xcalloc(d->ndomains + 1, sizeof(*r->steps));
	r->nsteps = 0;
	for (i = 0; i < d->ndomains; i++) {
		if (dns_search_join(r->pub.name, d->domains[i], buf,
		    sizeof(buf)) == -1 || dns_name_check(buf, NULL, 0) == -1)
			continue;
		r->steps[r->nsteps++].name = xstrdup(buf);
	}
	r->steps[r->nsteps++].name = xstrdup(r->pub.name);
	r->pub.search = r->steps;
}

static void	row_on_answer(void *, int, int, unsigned char *, int);

/* Begin (or begin again) a row's lookup. */
static void
row_start(struct row *r)
{
	if (r->d->lookups[r->pub.lookup].is_search) {
		row_steps(r);
		r->pub.qname = r->steps[0].name;
		r->steps[0].status = "pending";
		r->pub.nsearch = 1;
	}
	r->step = 0;
	r->try = 0;
	r->is_tcp = 0;
	r->pub.is_truncated = r->pub.used_tcp = 0;
	r->pub.nqueries++;
	row_send(r);
}

static void
row_send(struct row *r)
{
	struct dns_server	*s = &r->d->servers[r->pub.server_idx];
	struct dns_chan		*c = &s->udp;
	uint8_t			 q[DNS_QUERY_MAX];
	int			 n;

	if (r->is_tcp)
		c = &s->tcp;
	else
		r->try++;
	n = dns_build_query(q, sizeof(q), 0, r->pub.qname, r->pub.type, 1,
	    DNS_EDNS_UDP);
	r->is_inflight = 1;
	r->sent_us = tb_now_us();
	if (!r->is_tcp && c->nunsent < sizeof(c->unsent) / sizeof(c->unsent[0]))
		c->unsent[c->nunsent++] = r;
	s->inflight++;
	c->nqueries++;
	r->d->is_timer_dirty = 1;
	if (n < 0) {
		/* Names were checked when added: cannot happen. */
		row_on_answer(r, ARES_EBADNAME, 0, NULL, 0);
		return;
	}
	/* The query id is c-ares's: ares_send writes a fresh one. */
	ares_send(c->ch, q, n, row_on_answer, r);
}

/* Send a truncated answer's query again over the server's TCP channel. */
static int
row_retry_tcp(struct row *r)
{
	struct dns_server	*s = &r->d->servers[r->pub.server_idx];
	char			 err[128];

	if (!s->has_tcp) {
		if (chan_open(&s->tcp, s, 1, err, sizeof(err)) == -1)
			return -1;
		s->has_tcp = 1;
	}
	r->udp_us = tb_now_us() - r->sent_us;
	r->is_tcp = 1;
	r->pub.used_tcp = 1;
	row_send(r);
	return 0;
}

static void
row_set_status(struct row *r, const char *status)
{
	free(r->err);
	r->err = NULL;
	r->pub.error = NULL;
	r->pub.status = status;
}

static void __attribute__((format(printf, 3, 4)))
row_set_error(struct row *r, const char *status, const char *fmt, ...)
{
	va_list	ap;
	char	buf[160];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	row_set_status(r, status);
	r->err = xstrdup(buf);
	r->pub.error = r->err;
}

static void
row_history_push(struct row *r, double ms)
{
	unsigned	i;

	/* One sample is latency_ms itself: the ring waits for a second
	 * (re-queries), so a 10,000-name run does not pay for 10,000. */
	if (r->hist == NULL && !r->has_sample) {
		r->has_sample = 1;
		r->last_ms = ms;
		return;
	}
	if (r->hist == NULL) {
		r->hist = xcalloc(DNS_HISTORY_LEN + 2, sizeof(float));
		r->hist[0] = 1;
		r->hist[1] = 1;
		r->hist[2] = (float)r->last_ms;
	}
	r->last_ms = ms;
	/* hist[0]: count, hist[1]: next slot, then the ring. */
	i = (unsigned)r->hist[1];
	r->hist[2 + i] = (float)ms;
	r->hist[1] = (float)((i + 1) % DNS_HISTORY_LEN);
	if (r->hist[0] < DNS_HISTORY_LEN)
		r->hist[0] += 1;
}

static uint64_t
hash_str(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Bytes the answers, their strings and the chain need. */
static size_t
block_size(const struct dns_msg *m, size_t nans, const char **chain,
    size_t nchain)
{
	const struct dns_rr	*rr;
	size_t			 i, need, n = 0;
	unsigned		 nsec;

	need = nans * sizeof(struct dns_answer) + nchain * sizeof(char *);
	rr = dns_section(m, DNS_SEC_ANSWER, &nsec);
	for (i = 0; i < nsec && n < nans; i++) {
		if (rr[i].type == DNS_T_OPT)
			continue;
		need += strlen(rr[i].name) + strlen(rr[i].data) + 2 +
		    DNS_TYPE_NAMELEN;
		n++;
	}
	for (i = 0; i < nchain; i++)
		need += strlen(chain[i]) + 1;
	return need;
}

static char *
block_str(char **p, const char *s)
{
	size_t	n = strlen(s) + 1;
	char	*dst = *p;

	memcpy(dst, s, n);
	*p += n;
	return dst;
}

/* Copy the answer section and the CNAME chain out of the parsed message. */
static void
row_take_answers(struct row *r, const struct dns_msg *m)
{
	const struct dns_rr	*rr;
	const char		*chain[DNS_MAX_CHAIN];
	struct dns_answer	*a;
	const char		**cp;
	size_t			 nchain = 0, nans = 0, i;
	unsigned		 nsec;
	char			*p, tbuf[DNS_TYPE_NAMELEN];
	uint64_t		 h = 0;

	free(r->block);
	r->block = NULL;
	rr = dns_section(m, DNS_SEC_ANSWER, &nsec);
	for (i = 0; i < nsec; i++)
		if (rr[i].type != DNS_T_OPT)
			nans++;
	r->pub.nanswers_dropped = nans > DNS_MAX_ANSWERS ?
	    nans - DNS_MAX_ANSWERS : 0;
	if (nans > DNS_MAX_ANSWERS)
		nans = DNS_MAX_ANSWERS;
	if (dns_cname_chain(m, chain, DNS_MAX_CHAIN, &nchain) != 0 &&
	    r->pub.error == NULL)
		row_set_error(r, r->pub.status, "CNAME chain loops or is "
		    "longer than %d names", DNS_MAX_CHAIN);
	if (nchain < 2)
		nchain = 0;
	r->block = xmalloc(block_size(m, nans, chain, nchain) + 1);
	a = r->block;
	cp = (const char **)(a + nans);
	p = (char *)(cp + nchain);
	for (i = 0, nans = 0; i < nsec && nans < DNS_MAX_ANSWERS; i++) {
		if (rr[i].type == DNS_T_OPT)
			continue;
		a[nans].name = block_str(&p, rr[i].name);
		a[nans].type = rr[i].type;
		a[nans].type_str = block_str(&p, dns_type_name(rr[i].type,
		    tbuf, sizeof(tbuf)));
		a[nans].ttl = rr[i].ttl;
		a[nans].data = block_str(&p, rr[i].data);
		/* Order-free: round-robin servers are not "different". */
		h += hash_str(hash_str(0xcbf29ce484222325ULL ^ rr[i].type,
		    rr[i].name), rr[i].data);
		nans++;
	}
	for (i = 0; i < nchain; i++)
		cp[i] = block_str(&p, chain[i]);
	r->pub.answers = a;
	r->pub.nanswers = nans;
	r->pub.cname_chain = cp;
	r->pub.ncname = nchain;
	r->answer_hash = h;
}

/*
 * Rows of a lookup are contiguous, one per server: compare the answers of
 * those that got one (a timeout is no answer, not a different one).
 */
static void
lookup_differs(struct dns *d, size_t lookup)
{
	struct row	**rs = &d->rows[lookup * d->nservers];
	uint64_t	 ki, kj;
	size_t		 i, j;

	for (i = 0; i < d->nservers; i++) {
		rs[i]->pub.is_differs = 0;
		if (rs[i]->pub.rcode < 0)
			continue;
		ki = hash_str(rs[i]->answer_hash, rs[i]->pub.status);
		for (j = 0; j < d->nservers; j++) {
			if (j == i || rs[j]->pub.rcode < 0)
				continue;
			kj = hash_str(rs[j]->answer_hash, rs[j]->pub.status);
			if (ki != kj)
				rs[i]->pub.is_differs = 1;
		}
	}
}

static void
dns_on_requery(void *);

static void
dns_arm_requery(struct dns *d, uint64_t at)
{
	if (d->loop == NULL)
		return;
	if (d->requery_timer != 0) {
		if (d->requery_timer_at <= at)
			return;
		tb_loop_timer_cancel(d->loop, d->requery_timer);
	}
	d->requery_timer = tb_loop_timer(d->loop, at, dns_on_requery, d);
	d->requery_timer_at = at;
}

/* When to ask a finished row again: its smallest TTL, at least 1 s. */
static void
row_plan_requery(struct row *r)
{
	long		left;
	uint64_t	ms;

	left = dns_row_ttl_left(&r->pub, r->pub.answered_at_ms);
	ms = left < 0 ? DNS_REQUERY_ERR_MS : (uint64_t)left * 1000;
	if (ms < DNS_REQUERY_MIN_MS)
		ms = DNS_REQUERY_MIN_MS;
	r->requery_at_ms = r->pub.answered_at_ms + ms;
	dns_arm_requery(r->d, r->requery_at_ms);
}

static void
row_done(struct row *r)
{
	struct dns	*d = r->d;

	r->pub.answered_at_ms = tb_now_ms();
	if (r->is_passive) {
		r->pub.is_done = 1;
		d->generation++;
		return;
	}
	if (!r->pub.is_done) {
		r->pub.is_done = 1;
		d->ndone++;
	}
	if (r->nsteps > 0)
		r->steps[r->step].status = r->pub.status;
	d->generation++;
	lookup_differs(d, r->pub.lookup);
	if (d->is_requery)
		row_plan_requery(r);
}

/* A final status without an answer: timeout, network error. */
static void
row_fail(struct row *r, const char *status, const char *error)
{
	free(r->block);
	r->block = NULL;
	r->pub.answers = NULL;
	r->pub.nanswers = r->pub.nanswers_dropped = 0;
	r->pub.cname_chain = NULL;
	r->pub.ncname = 0;
	r->pub.has_negative_ttl = 0;
	r->pub.has_edns = 0;
	r->pub.rcode = -1;
	r->pub.hdr_flags = 0;
	r->pub.flags = "";
	r->pub.latency_ms = -1;
	r->pub.tries = r->try;
	r->answer_hash = 0;
	if (error != NULL)
		row_set_error(r, status, "%s", error);
	else
		row_set_status(r, status);
	row_done(r);
}

static const char *
row_rcode_name(struct row *r, uint16_t rcode)
{
	char		 buf[DNS_TYPE_NAMELEN];
	const char	*name;

	if ((name = dns_rcode_name(rcode, buf, sizeof(buf))) != buf)
		return name;
	free(r->rcode_str);
	r->rcode_str = xstrdup(buf);
	return r->rcode_str;
}

static const char *
dns_flags_of(struct dns *d, uint16_t flags)
{
	unsigned	 i;
	char		*s;

	/* QR to bit 7, AA TC RD RA Z AD CD to bits 6..0. */
	i = ((flags & DNS_F_QR) >> 8) | ((flags & 0x07f0) >> 4);
	s = d->flags_str[i];
	if (s[0] == '\0' && i != 0)
		dns_flags_str(flags & (DNS_F_QR | 0x07f0), s, DNS_FLAGS_STRLEN);
	return s;
}

static void
row_finish(struct row *r, const struct dns_msg *m, int rc, double ms)
{
	uint32_t	neg;

	r->pub.rcode = m->hdr.rcode;
	row_set_status(r, row_rcode_name(r, m->hdr.rcode));
	if (rc != DNS_OK && m->is_partial)
		row_set_error(r, "bad answer", "answer did not parse: %s",
		    dns_strerror(rc));
	else if (rc != DNS_OK)
		row_set_error(r, r->pub.status, "some records did not "
		    "decode: %s", dns_strerror(rc));
	r->pub.hdr_flags = m->hdr.flags;
	r->pub.flags = dns_flags_of(r->d, m->hdr.flags);
	r->pub.has_edns = m->edns.has_opt;
	r->pub.edns_udp = m->edns.udp_size;
	r->pub.edns_version = m->edns.version;
	r->pub.edns_do = m->edns.is_do;
	row_history_push(r, ms);
	row_take_answers(r, m);
	dns_names_add_row(r->d->names, &r->pub);
	r->pub.has_negative_ttl = r->pub.nanswers == 0 &&
	    dns_negative_ttl(m, &neg) == 0;
	r->pub.negative_ttl = r->pub.has_negative_ttl ? neg : 0;
	r->pub.latency_ms = ms;
	r->pub.tries = r->try;
	row_done(r);
}

/*
 * Whether the search list goes on after this answer: as glibc's
 * res_nsearch() does, after NXDOMAIN, SERVFAIL and NODATA (NOERROR with no
 * answer), and not after anything else.  Returns the step's status or NULL.
 */
static const char *
row_step_status(const struct dns_msg *m)
{
	if (m->hdr.rcode == 3)
		return "NXDOMAIN";
	if (m->hdr.rcode == 2)
		return "SERVFAIL";
	if (m->hdr.rcode == 0 && m->hdr.ancount == 0)
		return "NODATA";
	return NULL;
}

/* The next search-list name; 0 if there was one. */
static int
row_next_step(struct row *r, const char *status)
{
	if (status == NULL || r->nsteps == 0 || r->step + 1 >= r->nsteps)
		return -1;
	r->steps[r->step].status = status;
	r->step++;
	r->steps[r->step].status = "pending";
	r->pub.nsearch = r->step + 1;
	r->pub.qname = r->steps[r->step].name;
	r->pub.is_truncated = r->pub.used_tcp = 0;
	r->try = 0;
	r->is_tcp = 0;
	r->d->generation++;
	row_send(r);
	return 0;
}

static void
row_on_message(struct row *r, const uint8_t *abuf, size_t alen, double ms)
{
	struct dns_msg	*m = r->d->msg;
	int		 rc;

	rc = dns_parse(abuf, alen, m);
	if (alen < 12) {
		row_fail(r, "bad answer", "answer shorter than a header");
		return;
	}
	if (m->hdr.is_tc && !r->is_tcp) {
		r->pub.is_truncated = 1;
		if (row_retry_tcp(r) == 0)
			return;
	}
	if (row_next_step(r, row_step_status(m)) == 0)
		return;
	row_finish(r, m, rc, ms);
}

static void
row_on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct row		*r = arg;
	struct dns		*d = r->d;
	struct dns_server	*s = &d->servers[r->pub.server_idx];
	struct dns_chan		*c = r->is_tcp ? &s->tcp : &s->udp;
	double			 ms;

	(void)timeouts;
	if (d->is_freeing || status == ARES_EDESTRUCTION)
		return;
	c->nqueries--;
	s->inflight--;
	r->is_inflight = 0;
	ms = (double)(tb_now_us() - r->sent_us) / 1000.0;
	if (r->is_tcp)
		ms += (double)r->udp_us / 1000.0;
	switch (status) {
	case ARES_SUCCESS:
		row_on_message(r, abuf, alen < 0 ? 0 : (size_t)alen, ms);
		break;
	case ARES_ETIMEOUT:
		if (!r->is_tcp && r->try < d->tries)
			row_send(r);
		else
			row_fail(r, "timeout", NULL);
		break;
	case ARES_ECANCELLED:
		row_fail(r, "network error", "cancelled");
		break;
	case ARES_ECONNREFUSED:
		/* c-ares's text, "Could not contact DNS servers", hides why. */
		row_fail(r, "network error", r->is_tcp ? "TCP connection "
		    "refused" : "connection refused (ICMP port unreachable: "
		    "no DNS server on that port?)");
		break;
	default:
		row_fail(r, "network error", ares_strerror(status));
		break;
	}
	server_pump(s);
}

static void
server_pump(struct dns_server *s)
{
	struct dns	*d = s->d;
	struct row	*r;

	/* A send that fails at once calls back here: the outer loop goes on. */
	if (s->is_pumping || d->loop == NULL)
		return;
	s->is_pumping = 1;
	while (s->inflight < DNS_MAX_INFLIGHT) {
		if ((r = s->fifo_head) != NULL) {
			if ((s->fifo_head = r->next) == NULL)
				s->fifo_tail = NULL;
			r->is_queued = 0;
		} else if (s->next_lookup < d->nlookups)
			r = d->rows[s->next_lookup++ * d->nservers + s->idx];
		else
			break;
		row_start(r);
	}
	s->is_pumping = 0;
}

static void
dns_on_requery(void *arg)
{
	struct dns		*d = arg;
	struct dns_server	*s;
	struct row		*r;
	uint64_t		 now = tb_now_ms(), next = 0;
	size_t			 i;

	d->requery_timer = 0;
	for (i = 0; i < d->nrows; i++) {
		r = d->rows[i];
		if (r->requery_at_ms == 0 || r->is_inflight || r->is_queued)
			continue;
		if (r->requery_at_ms > now) {
			if (next == 0 || r->requery_at_ms < next)
				next = r->requery_at_ms;
			continue;
		}
		r->requery_at_ms = 0;
		r->is_queued = 1;
		r->next = NULL;
		s = &d->servers[r->pub.server_idx];
		if (s->fifo_tail != NULL)
			s->fifo_tail->next = r;
		else
			s->fifo_head = r;
		s->fifo_tail = r;
	}
	if (next != 0)
		dns_arm_requery(d, next);
	for (i = 0; i < d->nservers; i++)
		server_pump(&d->servers[i]);
}

void
dns_set_requery(struct dns *d, int on)
{
	size_t	i;

	d->is_requery = on != 0;
	d->generation++;
	if (!d->is_requery) {
		if (d->requery_timer != 0 && d->loop != NULL)
			tb_loop_timer_cancel(d->loop, d->requery_timer);
		d->requery_timer = 0;
		for (i = 0; i < d->nrows; i++)
			d->rows[i]->requery_at_ms = 0;
		return;
	}
	for (i = 0; i < d->nrows; i++)
		if (d->rows[i]->pub.is_done && !d->rows[i]->is_inflight &&
		    !d->rows[i]->is_queued)
			row_plan_requery(d->rows[i]);
}

/* --- accessors ---------------------------------------------------------- */

int
dns_is_requery(const struct dns *d)
{
	return d->is_requery;
}

int
dns_is_done(const struct dns *d)
{
	return d->ndone == d->nrows;
}

uint64_t
dns_generation(const struct dns *d)
{
	return d->generation;
}

const struct dns_names *
dns_names(const struct dns *d)
{
	return d != NULL ? d->names : NULL;
}

size_t
dns_nservers(const struct dns *d)
{
	return d->nservers;
}

const char *
dns_server_at(const struct dns *d, size_t i)
{
	return i < d->nservers ? d->servers[i].addr.str : NULL;
}

size_t
dns_nlookups(const struct dns *d)
{
	return d->nlookups;
}

size_t
dns_nrows(const struct dns *d)
{
	return d->nrows;
}

const struct dns_row *
dns_row_at(const struct dns *d, size_t i)
{
	return i < d->nrows ? &d->rows[i]->pub : NULL;
}

size_t
dns_ndropped(const struct dns *d)
{
	return d->ndropped;
}

unsigned
dns_ndots(const struct dns *d)
{
	return d->ndots;
}

size_t
dns_nsearch_domains(const struct dns *d)
{
	return d->ndomains;
}

const char *
dns_search_domain_at(const struct dns *d, size_t i)
{
	return i < d->ndomains ? d->domains[i] : NULL;
}

unsigned
dns_timeout_ms(const struct dns *d)
{
	return d->timeout_ms;
}

unsigned
dns_tries(const struct dns *d)
{
	return d->tries;
}

size_t
dns_row_history(const struct dns_row *row, double *out, size_t max)
{
	const struct row	*r = row_of(row);
	size_t			 n, next, i, start;

	if (r->hist == NULL) {
		if (!r->has_sample || max == 0)
			return 0;
		out[0] = r->last_ms;
		return 1;
	}
	n = (size_t)r->hist[0];
	next = (size_t)r->hist[1];
	if (n > max)
		n = max;
	start = (next + DNS_HISTORY_LEN - n) % DNS_HISTORY_LEN;
	for (i = 0; i < n; i++)
		out[i] = r->hist[2 + (start + i) % DNS_HISTORY_LEN];
	return n;
}

long
dns_row_ttl_left(const struct dns_row *row, uint64_t now_ms)
{
	uint64_t	ttl = UINT64_MAX, age;
	size_t		i;

	if (!row->is_done || row->answered_at_ms == 0)
		return -1;
	for (i = 0; i < row->nanswers; i++)
		if (row->answers[i].ttl < ttl)
			ttl = row->answers[i].ttl;
	if (row->nanswers == 0 && row->has_negative_ttl)
		ttl = row->negative_ttl;
	if (ttl == UINT64_MAX)
		return -1;
	age = now_ms > row->answered_at_ms ?
	    (now_ms - row->answered_at_ms) / 1000 : 0;
	return age >= ttl ? 0 : (long)(ttl - age);
}

/* --- passive DNS ---------------------------------------------------------- */

/* The ring's next slot, its old row freed. */
static struct row *
passive_slot(struct dns *d)
{
	struct row	*r;

	if (d->passive == NULL)
		d->passive = xcalloc(DNS_MAX_PASSIVE, sizeof(*d->passive));
	if (d->npassive == DNS_MAX_PASSIVE) {
		row_free(d->passive[d->passive_next]);
	} else
		d->npassive++;
	r = xcalloc(1, sizeof(*r));
	d->passive[d->passive_next] = r;
	d->passive_next = (d->passive_next + 1) % DNS_MAX_PASSIVE;
	return r;
}

/* The question's name, its type's mnemonic and the server, in one block. */
static void
passive_strings(struct row *r, const struct dns_msg *m, int is_parsed,
    const char *server)
{
	const char	*name = "?";
	char		 tbuf[DNS_TYPE_NAMELEN];
	const char	*tstr = "?";
	size_t		 nlen, tlen, slen;

	if (is_parsed && m->nq > 0 && m->q[0].name != NULL) {
		name = m->q[0].name;
		r->pub.type = m->q[0].type;
		tstr = dns_type_name(m->q[0].type, tbuf, sizeof(tbuf));
	}
	nlen = strlen(name) + 1;
	tlen = strlen(tstr) + 1;
	slen = strlen(server) + 1;
	r->passive_strs = xmalloc(nlen + tlen + slen);
	memcpy(r->passive_strs, name, nlen);
	memcpy(r->passive_strs + nlen, tstr, tlen);
	memcpy(r->passive_strs + nlen + tlen, server, slen);
	r->pub.name = r->pub.qname = r->passive_strs;
	r->pub.type_str = r->passive_strs + nlen;
	r->pub.server = r->passive_strs + nlen + tlen;
}

void
dns_passive_add(struct dns *d, const char *client, const char *server,
    const uint8_t *msg, size_t len, double latency_ms)
{
	struct dns_msg	*m = d->msg;
	struct row	*r;
	int		 rc;

	(void)client;	/* kept by the capture; a row is per server */
	rc = dns_parse(msg, len, m);
	r = passive_slot(d);
	r->d = d;
	r->is_passive = 1;
	r->pub.lookup = r->pub.server_idx = SIZE_MAX;
	r->pub.rcode = -1;
	r->pub.flags = "";
	r->pub.status = "pending";
	passive_strings(r, m, len >= 12, server != NULL ? server : "?");
	if (len < 12 || !m->hdr.is_qr) {
		row_fail(r, "bad answer", len < 12 ? "answer shorter than a "
		    "header" : "a query, not an answer");
		return;
	}
	row_finish(r, m, rc, latency_ms < 0 ? -1 : latency_ms);
	if (latency_ms < 0)
		r->has_sample = 0;	/* no query seen: no latency */
}

void
dns_passive_unanswered(struct dns *d, const char *client, const char *server,
    const uint8_t *query, size_t len)
{
	struct dns_msg	*m = d->msg;
	struct row	*r;

	(void)client;
	(void)dns_parse(query, len, m);	/* the question is all we need */
	r = passive_slot(d);
	r->d = d;
	r->is_passive = 1;
	r->pub.lookup = r->pub.server_idx = SIZE_MAX;
	passive_strings(r, m, len >= 12,
	    server != NULL ? server : "?");
	row_fail(r, "no answer", "the capture saw the query, no answer");
}

size_t
dns_npassive(const struct dns *d)
{
	return d->npassive;
}

const struct dns_row *
dns_passive_at(const struct dns *d, size_t i)
{
	size_t	first;

	if (i >= d->npassive)
		return NULL;
	first = d->npassive < DNS_MAX_PASSIVE ? 0 : d->passive_next;
	return &d->passive[(first + i) % DNS_MAX_PASSIVE]->pub;
}
