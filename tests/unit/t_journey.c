/*
 * journey_compute over hand-filled models: the accessors it reads are
 * defined here over plain arrays (journey.c is linked alone), so every
 * input is exactly what the test says.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "model/capture.h"
#include "model/dns.h"
#include "model/fetch.h"
#include "model/journey.h"
#include "model/sockets.h"
#include "tap.h"

struct dns {
	struct dns_row	 rows[8];
	size_t		 nrows, nservers;
};

struct fetch {
	struct fetch_req reqs[8];
	size_t		 nreqs;
};

struct capture {
	struct capture_exchange	x[4];
	size_t			nx;
};

struct sockets {
	struct sockets_group	g[4];
	size_t			ng;
};

size_t
dns_nrows(const struct dns *d)
{
	return d->nrows;
}

size_t
dns_nservers(const struct dns *d)
{
	return d->nservers;
}

const struct dns_row *
dns_row_at(const struct dns *d, size_t i)
{
	return &d->rows[i];
}

size_t
fetch_nreqs(const struct fetch *f)
{
	return f->nreqs;
}

const struct fetch_req *
fetch_req_at(const struct fetch *f, size_t i)
{
	return &f->reqs[i];
}

size_t
capture_nexchanges(const struct capture *c)
{
	return c->nx;
}

const struct capture_exchange *
capture_exchange_at(const struct capture *c, size_t i)
{
	return &c->x[i];
}

size_t
sockets_ngroups(const struct sockets *s)
{
	return s->ng;
}

const struct sockets_group *
sockets_group_at(const struct sockets *s, size_t i)
{
	return &s->g[i];
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

static struct tb_target	tgt;
static struct dns	d;
static struct fetch	f;
static struct capture	cap;
static struct sockets	sk;
static struct dns_answer	ans_other = { "www.lab.test", 1, "A", 300,
			    "198.51.100.99" };
static struct dns_answer	ans_ours = { "www.lab.test", 1, "A", 300,
			    "198.51.100.10" };

static void
setup(void)
{
	memset(&tgt, 0, sizeof(tgt));
	tgt.input = "http://www.lab.test/";
	snprintf(tgt.host, sizeof(tgt.host), "www.lab.test");
	tgt.port = 80;
	tgt.is_url = 1;
	memset(&d, 0, sizeof(d));
	memset(&f, 0, sizeof(f));
	memset(&cap, 0, sizeof(cap));
	memset(&sk, 0, sizeof(sk));
}

/* Lookup 0 (a PTR, say) and lookup 1 (the target's A) on two servers. */
static void
fill_dns(void)
{
	size_t	i;

	d.nservers = 2;
	d.nrows = 4;
	for (i = 0; i < 4; i++) {
		d.rows[i].lookup = i / 2;
		d.rows[i].server_idx = i % 2;
		d.rows[i].is_done = 1;
		d.rows[i].latency_ms = 100 + (double)i;
	}
	/* Server 0 answered another address; server 1 the one in use. */
	d.rows[2].answers = &ans_other;
	d.rows[2].nanswers = 1;
	d.rows[2].latency_ms = 0.7;
	d.rows[3].answers = &ans_ours;
	d.rows[3].nanswers = 1;
	d.rows[3].latency_ms = 0.4;
}

static struct fetch_req *
fill_req(uint64_t t0, int is_closed)
{
	struct fetch_req	*q = &f.reqs[f.nreqs];

	q->seq = f.nreqs++;
	q->start_us = t0;
	q->connected_us = t0 + 200;
	q->sent_us = t0 + 250;
	q->first_byte_us = t0 + 2150;
	q->last_byte_us = t0 + 2450;
	q->closed_us = is_closed ? t0 + 2500 : 0;
	q->is_done = 1;
	q->status = 200;
	return q;
}

static void
test_none(void)
{
	struct journey		j;
	struct journey_src	src;

	memset(&src, 0, sizeof(src));
	journey_compute(&j, &src, 1);
	ok(!j.has_target && j.dns_ms == -1 && j.total_ms == -1 &&
	    j.time_wait_now == -1 && j.source == NULL, "no target: empty");
	journey_compute(&j, NULL, 1);
	ok(!j.has_target, "NULL source: empty");
}

static void
test_fetch(void)
{
	struct journey		j;
	struct journey_src	src;
	struct fetch_req	*q;

	setup();
	fill_dns();
	/* A request still going, then a finished one (the first done). */
	q = fill_req(1000000, 1);
	q->is_done = 0;
	q->last_byte_us = q->closed_us = 0;
	fill_req(2000000, 1);
	memset(&src, 0, sizeof(src));
	src.target = &tgt;
	src.dns = &d;
	src.lookup = 1;
	src.address = "198.51.100.10";
	src.fetch = &f;
	src.sockets = &sk;
	sk.ng = 3;
	sk.g[0].side = SOCK_SIDE_CLIENT;
	snprintf(sk.g[0].remote_str, sizeof(sk.g[0].remote_str),
	    "198.51.100.10:80");
	sk.g[0].count[SOCK_ST_TIME_WAIT] = 18;
	sk.g[1].side = SOCK_SIDE_CLIENT;
	snprintf(sk.g[1].remote_str, sizeof(sk.g[1].remote_str),
	    "198.51.100.10:8080");
	sk.g[1].count[SOCK_ST_TIME_WAIT] = 5;
	sk.g[2].side = SOCK_SIDE_SERVER;
	snprintf(sk.g[2].remote_str, sizeof(sk.g[2].remote_str),
	    "198.51.100.10:80");
	sk.g[2].count[SOCK_ST_TIME_WAIT] = 7;
	journey_compute(&j, &src, 2000000 + 2500 + 10000000);
	ok(j.has_target, "has a target");
	is_str(j.host, "www.lab.test", "host");
	is_str(j.address, "198.51.100.10", "address");
	is_int(j.port, 80, "port");
	ok(near(j.dns_ms, 0.4), "dns_ms from the row that gave the address");
	ok(near(j.connect_ms, 0.2), "connect_ms");
	ok(near(j.first_byte_ms, 1.9), "first_byte_ms: sent to first byte");
	ok(near(j.transfer_ms, 0.3), "transfer_ms");
	ok(near(j.close_ms, 0.05), "close_ms");
	ok(near(j.total_ms, 0.4 + 0.2 + 1.9 + 0.3), "total_ms: the steps");
	is_int(j.time_wait_left_ms, 50000, "TIME_WAIT left: 60 s - 10 s");
	is_int(j.status, 200, "status");
	is_str(j.source, "fetch", "source");
	is_int(j.time_wait_now, 18, "TIME_WAIT now: client groups to :80");
	ok(j.is_complete, "complete");

	journey_compute(&j, &src, 2000000 + 2500 + 70000000);
	is_int(j.time_wait_left_ms, 0, "TIME_WAIT over: 0, not negative");

	/* Pooled: never closed by us; reused: no handshake. */
	f.reqs[1].closed_us = 0;
	f.reqs[1].is_reused = 1;
	f.reqs[1].connected_us = 0;
	journey_compute(&j, &src, 3000000);
	ok(j.close_ms == -1 && j.time_wait_left_ms == -1,
	    "kept open: no close, no countdown");
	ok(near(j.connect_ms, 0), "reused: connect 0");
	/* A later request on the same connection closed it. */
	snprintf(f.reqs[1].local, sizeof(f.reqs[1].local), "127.0.0.1:40000");
	fill_req(3000000, 1);
	snprintf(f.reqs[2].local, sizeof(f.reqs[2].local), "127.0.0.1:40000");
	journey_compute(&j, &src, 3002500 + 1000000);
	ok(near(j.close_ms, 1000.05), "pooled: closed after a later request");
	is_int(j.time_wait_left_ms, 59000, "pooled: counted from that close");
	f.nreqs = 2;
	f.reqs[1].local[0] = '\0';

	/* The answer with the address is missing: the first that answered. */
	d.rows[3].nanswers = 0;
	journey_compute(&j, &src, 3000000);
	ok(near(j.dns_ms, 0.7), "no row with the address: the first answer");
	d.rows[2].is_done = d.rows[3].is_done = 0;
	journey_compute(&j, &src, 3000000);
	ok(j.dns_ms == -1 && j.total_ms == -1 && !j.is_complete,
	    "lookup pending: dns and total unknown");
}

static void
test_fetch_failed(void)
{
	struct journey		j;
	struct journey_src	src;
	struct fetch_req	*q;

	setup();
	q = fill_req(1000000, 0);
	q->connected_us = q->sent_us = q->first_byte_us = 0;
	q->last_byte_us = 0;
	q->status = 0;
	q->error = 111;
	memset(&src, 0, sizeof(src));
	src.target = &tgt;
	src.lookup = -1;
	src.address = "198.51.100.10";
	src.fetch = &f;
	journey_compute(&j, &src, 2000000);
	ok(j.connect_ms == -1 && j.first_byte_ms == -1 && j.total_ms == -1,
	    "refused: nothing timed");
	is_str(j.source, "fetch", "a failed request is still the source");
	ok(j.time_wait_now == -1, "no sockets model: TIME_WAIT unknown");
	f.nreqs = 0;
	journey_compute(&j, &src, 2000000);
	ok(j.source == NULL && j.status == 0, "no request finished yet");
}

static void
test_capture(void)
{
	struct journey		j;
	struct journey_src	src;

	setup();
	snprintf(tgt.host, sizeof(tgt.host), "2001:db8::10");
	tgt.port = 8080;
	cap.nx = 3;
	snprintf(cap.x[0].server, sizeof(cap.x[0].server), "[2001:db8::10]:80");
	cap.x[0].status = 500;
	snprintf(cap.x[1].server, sizeof(cap.x[1].server),
	    "[2001:db8::10]:8080");
	cap.x[1].status = 404;
	cap.x[1].latency_ms = 3.5;
	cap.x[1].total_ms = 4;
	snprintf(cap.x[2].server, sizeof(cap.x[2].server),
	    "[2001:db8::10]:8080");
	cap.x[2].status = 200;
	memset(&src, 0, sizeof(src));
	src.target = &tgt;
	src.lookup = -1;
	src.address = "2001:db8::10";
	src.capture = &cap;
	journey_compute(&j, &src, 1);
	is_str(j.source, "capture", "capture source");
	is_int(j.status, 404, "the first exchange with [addr]:port");
	ok(near(j.first_byte_ms, 3.5) && near(j.transfer_ms, 0.5),
	    "first byte and transfer from the exchange");
	ok(j.connect_ms == -1 && j.dns_ms == -1, "no handshake, no lookup");
	ok(near(j.total_ms, 4) && !j.is_complete,
	    "total without a connect time, not complete");
	src.address = NULL;
	journey_compute(&j, &src, 1);
	ok(j.source == NULL && j.address[0] == '\0',
	    "address not known yet: nothing matched");
}

int
main(void)
{
	test_none();
	test_fetch();
	test_fetch_failed();
	test_capture();
	return done_testing();
}
