/*
 * tcp_flow over hand-built struct pkt values: the bytes each direction
 * delivers are recorded as text, gaps written "<N>", and compared whole.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "model/tcp_flow.h"
#include "tap.h"

#define NRECS	8
#define OUTMAX	4096

#define F_SYN	PKT_TCP_SYN
#define F_ACK	PKT_TCP_ACK
#define F_FIN	PKT_TCP_FIN
#define F_RST	PKT_TCP_RST

struct rec {
	int			 is_open, how, ncalls;
	struct tcp_flow_info	 info;
	char			 out[2][OUTMAX];
	size_t			 n[2];
	uint64_t		 off[2];	/* stream offset delivered */
	uint64_t		 ack_off[2];	/* of the last delivery */
};

static struct rec	 recs[NRECS];
static int		 nrecs, quiet;
static int		 bad_calls;	/* after close, or NULL user */

/* Endpoints of the test flows: client c, server s (flow k varies c). */
static int		 fam = AF_INET;
static uint16_t		 cport = 40000, sport = 80;
static int		 cidx;
static uint32_t		 seg_ack;	/* the next segment's ack field */

static void *
on_open(void *arg, const struct tcp_flow_info *fi)
{
	struct rec	*r;

	(void)arg;
	if (quiet || nrecs == NRECS)
		return NULL;
	r = &recs[nrecs++];
	memset(r, 0, sizeof(*r));
	r->is_open = 1;
	r->info = *fi;
	return r;
}

static void
put(struct rec *r, int dir, const char *s, size_t n)
{
	if (n > OUTMAX - 1 - r->n[dir])
		n = OUTMAX - 1 - r->n[dir];
	if (n == 0)
		return;
	memcpy(r->out[dir] + r->n[dir], s, n);
	r->n[dir] += n;
	r->out[dir][r->n[dir]] = '\0';
}

static void
on_data(void *arg, void *user, int dir, const uint8_t *p, size_t n,
    size_t gap, const struct tcp_flow_at *at)
{
	struct rec	*r = user;
	char		 g[32];

	(void)arg;
	if (r == NULL || !r->is_open || (n > 0 && p == NULL) ||
	    (n == 0 && gap == 0)) {
		bad_calls++;
		return;
	}
	r->ncalls++;
	if (at->off != r->off[dir] + gap)
		bad_calls++;	/* offsets count every byte, gaps too */
	r->off[dir] += gap + n;
	r->ack_off[dir] = at->ack_off;
	if (gap > 0) {
		snprintf(g, sizeof(g), "<%zu>", gap);
		put(r, dir, g, strlen(g));
	}
	put(r, dir, (const char *)p, n);
}

static void
on_close(void *arg, void *user, int how, uint64_t ts)
{
	struct rec	*r = user;

	(void)arg;
	(void)ts;
	if (r == NULL || !r->is_open) {
		bad_calls++;
		return;
	}
	r->is_open = 0;
	r->how = how;
}

static const struct tcp_flow_cb	cb = {
	NULL, on_open, on_data, on_close,
};

static struct tcp_flows *
flows(size_t max_flows, size_t ooo_max, size_t mem_max)
{
	struct tcp_flow_limits	lim;

	lim.max_flows = max_flows;
	lim.ooo_max = ooo_max;
	lim.mem_max = mem_max;
	lim.idle_us = 1000;

	nrecs = 0;
	quiet = 0;
	bad_calls = 0;
	memset(recs, 0, sizeof(recs));
	return tcp_flows_new(&cb, &lim);
}

static void
addr(uint8_t a[16], int is_client)
{
	memset(a, 0, 16);
	if (fam == AF_INET)
		inet_pton(AF_INET, is_client ? "10.1.0.1" : "10.0.0.2", a);
	else
		inet_pton(AF_INET6, is_client ? "2001:db8::1" : "2001:db8::2",
		    a);
	if (is_client)
		a[fam == AF_INET ? 3 : 15] += cidx;
}

/* A segment from the client (dir 0) or the server, wire bytes on the
 * wire of which the string's were captured (wire 0: all of them). */
static void
seg_cut(struct tcp_flows *t, int dir, uint32_t seq, uint8_t flags,
    const char *data, size_t wire)
{
	struct pkt	p;
	size_t		n = data != NULL ? strlen(data) : 0;

	memset(&p, 0, sizeof(p));
	p.family = fam;
	p.proto = IPPROTO_TCP;
	addr(dir == 0 ? p.src : p.dst, 1);
	addr(dir == 0 ? p.dst : p.src, 0);
	p.sport = dir == 0 ? cport : sport;
	p.dport = dir == 0 ? sport : cport;
	p.seq = seq;
	p.ack = seg_ack;
	p.tcp_flags = flags;
	p.payload = (const uint8_t *)data;
	p.payload_len = n;
	p.payload_wire_len = wire > n ? wire : n;
	tcp_flows_packet(t, &p, 1000);
}

static void
seg(struct tcp_flows *t, int dir, uint32_t seq, uint8_t flags,
    const char *data)
{
	seg_cut(t, dir, seq, flags, data, 0);
}

/* SYN, SYN+ACK: client data starts at 1001, server data at 5001. */
static void
handshake(struct tcp_flows *t)
{
	seg(t, 0, 1000, F_SYN, NULL);
	seg(t, 1, 5000, F_SYN | F_ACK, NULL);
	seg(t, 0, 1001, F_ACK, NULL);
}

static void
test_in_order(void)
{
	struct tcp_flows		*t = flows(0, 0, 0);
	const struct tcp_flow_stats	*st = tcp_flows_stats(t);

	handshake(t);
	is_int(nrecs, 1, "in order: one flow opened");
	ok(recs[0].info.has_syn, "in order: handshake seen");
	is_int(recs[0].info.port[0], 40000, "in order: client port");
	is_int(recs[0].info.port[1], 80, "in order: server port");
	seg(t, 0, 1001, F_ACK, "GET / ");
	seg(t, 0, 1007, F_ACK, "HTTP/1.1\r\n");
	seg(t, 1, 5001, F_ACK, "HTTP/1.1 200 OK\r\n");
	is_str(recs[0].out[0], "GET / HTTP/1.1\r\n", "in order: request");
	is_str(recs[0].out[1], "HTTP/1.1 200 OK\r\n", "in order: response");
	seg(t, 0, 1017, F_FIN | F_ACK, NULL);
	ok(recs[0].is_open, "in order: one FIN keeps the flow");
	seg(t, 1, 5018, F_FIN | F_ACK, NULL);
	ok(!recs[0].is_open && recs[0].how == TCP_FLOW_END_FIN,
	    "in order: both FINs close it (FIN)");
	is_int(st->nflows, 0, "in order: no flow left");
	is_int(st->nooo + st->nretrans + st->noverlap + st->ngaps, 0,
	    "in order: nothing out of order, retransmitted or lost");
	seg(t, 0, 1018, F_ACK, NULL);
	is_int(st->nopened, 1, "in order: the last ACK opens no flow");
	tcp_flows_free(t);
	is_int(bad_calls, 0, "in order: callbacks consistent");
}

/* Each delivery says which offset of the other stream its segment had
 * acknowledged, also when it waited out of order. */
static void
test_acks(void)
{
	struct tcp_flows	*t = flows(0, 0, 0);

	seg_ack = 0;
	seg(t, 0, 1000, F_SYN, NULL);
	seg_ack = 1001;
	seg(t, 1, 5000, F_SYN | F_ACK, NULL);
	seg_ack = 5001;
	seg(t, 0, 1001, F_ACK, "GET /");
	is_int(recs[0].ack_off[0], 0, "acks: the request acknowledged none "
	    "of the server's bytes");
	seg_ack = 1006;
	seg(t, 1, 5001, F_ACK, "HTTP/1.1 200");
	is_int(recs[0].ack_off[1], 5, "acks: the response acknowledged the "
	    "5 request bytes");
	seg_ack = 5013;
	seg(t, 0, 1009, F_ACK, "late");	/* waits for [1006, 1009) */
	seg_ack = 5009;
	seg(t, 0, 1006, F_ACK, "abc");
	is_str(recs[0].out[0], "GET /abclate", "acks: reordered stream");
	is_int(recs[0].ack_off[0], 12, "acks: the held segment keeps its "
	    "own ack (12, not the 8 of the segment that completed it)");
	seg(t, 0, 1013, F_ACK, "x");
	is_int(recs[0].ack_off[0], 8, "acks: in order again (8)");
	seg(t, 0, 1014, 0, "y");
	ok(recs[0].ack_off[0] == TCP_FLOW_NO_ACK,
	    "acks: a segment without ACK: not known");
	seg_ack = 4000;
	seg(t, 0, 1015, F_ACK, "z");
	ok(recs[0].ack_off[0] == TCP_FLOW_NO_ACK,
	    "acks: an ack before the stream's start: not known");
	seg_ack = 0;
	tcp_flows_free(t);
	is_int(bad_calls, 0, "acks: callbacks consistent, offsets exact");
}

/* A hole the other side acknowledged was lost by the capture: given up
 * at once, not held until the bounds are hit. */
static void
test_acked_hole(void)
{
	struct tcp_flows		*t = flows(0, 0, 0);
	const struct tcp_flow_stats	*st = tcp_flows_stats(t);

	handshake(t);
	seg_ack = 5001;
	seg(t, 0, 1001, F_ACK, "GET /1 ");
	seg(t, 0, 1015, F_ACK, "GET /3 ");	/* [1008, 1015) missed */
	is_str(recs[0].out[0], "GET /1 ", "acked hole: held while unknown");
	seg_ack = 1022;
	seg(t, 1, 5001, F_ACK, NULL);
	is_str(recs[0].out[0], "GET /1 ", "acked hole: a pure ACK past it "
	    "may come before the data in a reordered capture: still held");
	seg_ack = 1010;
	seg(t, 1, 5001, F_ACK, "R1");
	is_str(recs[0].out[0], "GET /1 <2>", "acked hole: acknowledged part "
	    "given up");
	seg_ack = 1022;
	seg(t, 1, 5003, F_ACK, "R2");
	is_str(recs[0].out[0], "GET /1 <2><5>GET /3 ", "acked hole: the "
	    "rest given up once acknowledged past the held segment");
	is_int(st->nacked_gaps, 2, "acked hole: counted");
	is_int(st->mem_bytes, 0, "acked hole: nothing waits");
	seg_ack = 5005;
	seg(t, 0, 1030, F_ACK, "late");	/* hole [1022, 1030), not acked */
	is_str(recs[0].out[0], "GET /1 <2><5>GET /3 ", "acked hole: a hole "
	    "not acknowledged still waits");
	seg(t, 0, 1022, F_ACK, "retrans!");
	is_str(recs[0].out[0], "GET /1 <2><5>GET /3 retrans!late",
	    "acked hole: and is filled when the bytes come");
	seg_ack = 0;
	tcp_flows_free(t);
	is_int(bad_calls, 0, "acked hole: callbacks consistent");
}

static int
next_perm(int *a, int n)
{
	int	i, j, k, x;

	for (i = n - 2; i >= 0 && a[i] > a[i + 1]; i--)
		;
	if (i < 0)
		return 0;
	for (j = n - 1; a[j] < a[i]; j--)
		;
	x = a[i]; a[i] = a[j]; a[j] = x;
	for (j = i + 1, k = n - 1; j < k; j++, k--) {
		x = a[j]; a[j] = a[k]; a[k] = x;
	}
	return 1;
}

static void
test_permutations(void)
{
	static const char *const	 parts[4] = {
		"aaaa", "bbbbbb", "c", "ddd",
	};
	static const uint32_t		 offs[4] = { 0, 4, 10, 11 };
	int				 perm[4] = { 0, 1, 2, 3 };
	int				 nperm = 0, ngood = 0, i;
	struct tcp_flows		*t;

	do {
		t = flows(0, 0, 0);
		handshake(t);
		for (i = 0; i < 4; i++)
			seg(t, 0, 1001 + offs[perm[i]], F_ACK, parts[perm[i]]);
		if (strcmp(recs[0].out[0], "aaaabbbbbbcddd") == 0 &&
		    tcp_flows_stats(t)->mem_bytes == 0 &&
		    recs[0].ncalls <= 4)
			ngood++;
		else
			printf("# perm %d%d%d%d: \"%s\"\n", perm[0], perm[1],
			    perm[2], perm[3], recs[0].out[0]);
		nperm++;
		tcp_flows_free(t);
	} while (next_perm(perm, 4));
	is_int(nperm, 24, "permutations: all 24 tried");
	is_int(ngood, 24, "permutations: each delivers the stream once, "
	    "in order, nothing left waiting");
}

static void
test_duplicates(void)
{
	struct tcp_flows		*t = flows(0, 0, 0);
	const struct tcp_flow_stats	*st = tcp_flows_stats(t);

	handshake(t);
	seg(t, 0, 1005, F_ACK, "efgh");
	seg(t, 0, 1005, F_ACK, "EFGH");		/* duplicate, held */
	seg(t, 0, 1001, F_ACK, "abcd");
	seg(t, 0, 1001, F_ACK, "ABCD");		/* after delivery */
	seg(t, 0, 1003, F_ACK, "CDEF");		/* spans both, all old */
	is_str(recs[0].out[0], "abcdefgh", "duplicates: delivered once, first "
	    "copy wins");
	is_int(st->nretrans, 3, "duplicates: three retransmits counted");
	is_int(st->nooo, 1, "duplicates: one out of order");
	tcp_flows_free(t);
}

static void
test_overlaps(void)
{
	struct tcp_flows		*t;
	const struct tcp_flow_stats	*st;

	/* Partial: the held copy wins where a later one overlaps it. */
	t = flows(0, 0, 0);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 0, 1005, F_ACK, "EFGH");
	seg(t, 0, 1007, F_ACK, "xxijkl");
	seg(t, 0, 1001, F_ACK, "abcd");
	is_str(recs[0].out[0], "abcdEFGHijkl", "overlap partial: first copy "
	    "wins");
	is_int(st->noverlap, 1, "overlap partial: counted");
	tcp_flows_free(t);

	/* Contained: a segment inside a held one adds nothing. */
	t = flows(0, 0, 0);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 0, 1003, F_ACK, "CDEFGHIJ");
	seg(t, 0, 1005, F_ACK, "xx");
	seg(t, 0, 1001, F_ACK, "ab");
	is_str(recs[0].out[0], "abCDEFGHIJ", "overlap contained: dropped");
	is_int(st->nretrans, 1, "overlap contained: a retransmit");
	tcp_flows_free(t);

	/* Spanning: a segment over a held one fills both sides of it. */
	t = flows(0, 0, 0);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 0, 1005, F_ACK, "EF");
	seg(t, 0, 1009, F_ACK, "IJ");
	seg(t, 0, 1003, F_ACK, "cdxxghxxkl");
	seg(t, 0, 1001, F_ACK, "ab");
	is_str(recs[0].out[0], "abcdEFghIJkl", "overlap spanning: holes "
	    "filled around the held copies");
	is_int(st->noverlap, 1, "overlap spanning: counted once");
	is_int(st->mem_bytes, 0, "overlap spanning: nothing waits");

	/* Over delivered bytes: only the new tail goes out. */
	seg(t, 0, 1011, F_ACK, "xxmnop");
	is_str(recs[0].out[0], "abcdEFghIJklmnop", "overlap delivered: new "
	    "tail only");
	is_int(st->noverlap, 2, "overlap delivered: counted");
	tcp_flows_free(t);

	/* In order, but it runs into a held copy. */
	t = flows(0, 0, 0);
	handshake(t);
	seg(t, 0, 1004, F_ACK, "DEF");
	seg(t, 0, 1001, F_ACK, "abcdefgh");
	is_str(recs[0].out[0], "abcDEFgh", "overlap: in-order segment "
	    "yields to the held copy");
	tcp_flows_free(t);
}

static void
test_wraparound(void)
{
	struct tcp_flows		*t = flows(0, 0, 0);
	const struct tcp_flow_stats	*st = tcp_flows_stats(t);

	seg(t, 0, 0xfffffff9U, F_SYN, NULL);
	seg(t, 1, 0xffffffffU, F_SYN | F_ACK, NULL);
	/* Client data: 0xfffffffa ... 0x00000009, out of order. */
	seg(t, 0, 0x00000004U, F_ACK, "KLMNOP");
	seg(t, 0, 0xfffffffeU, F_ACK, "efgh");
	seg(t, 0, 0x00000002U, F_ACK, "IJ");
	is_str(recs[0].out[0], "", "wrap: nothing before the hole");
	seg(t, 0, 0xfffffffaU, F_ACK, "abcd");
	is_str(recs[0].out[0], "abcdefghIJKLMNOP", "wrap: in order across "
	    "2^32");
	/* Server ISN 0xffffffff: data at 0. */
	seg(t, 1, 0, F_ACK, "srv");
	seg(t, 1, 0xfffffff0U, F_ACK, "old");
	is_str(recs[0].out[1], "srv", "wrap: server data at 0, old seq "
	    "ignored");
	is_int(st->nretrans, 1, "wrap: the old one is a retransmit");
	seg(t, 0, 0x0000000aU, F_FIN | F_ACK, NULL);
	seg(t, 1, 0x00000003U, F_FIN | F_ACK, NULL);
	is_int(recs[0].how, TCP_FLOW_END_FIN, "wrap: FINs after the wrap "
	    "close it");
	tcp_flows_free(t);
}

static void
test_fin_rst(void)
{
	struct tcp_flows		*t;
	const struct tcp_flow_stats	*st;

	/* The FIN arrives before the last data. */
	t = flows(0, 0, 0);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 1, 5001, F_ACK | F_FIN, "one");	/* server: data + FIN */
	seg(t, 0, 1005, F_ACK | F_FIN, "efg");
	seg(t, 0, 1012, F_ACK, "after");	/* past the FIN */
	ok(recs[0].is_open, "fin: waits for the hole before the FIN");
	seg(t, 0, 1001, F_ACK, "abcd");
	is_str(recs[0].out[0], "abcdefg", "fin: bytes before the FIN");
	is_str(recs[0].out[1], "one", "fin: data with the FIN");
	ok(!recs[0].is_open && recs[0].how == TCP_FLOW_END_FIN,
	    "fin: closed once both ends delivered");
	is_int(st->noutside, 1, "fin: data past the FIN ignored");
	tcp_flows_free(t);

	/* RST: what is in order was delivered, the rest is discarded. */
	t = flows(0, 0, 0);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 0, 1001, F_ACK, "abcd");
	seg(t, 0, 1009, F_ACK, "ijkl");
	seg(t, 1, 5001, F_RST, NULL);
	is_str(recs[0].out[0], "abcd", "rst: in-order bytes only");
	ok(!recs[0].is_open && recs[0].how == TCP_FLOW_END_RST,
	    "rst: closed (RST)");
	is_int(st->mem_bytes, 0, "rst: nothing left waiting");
	is_int(st->nflows, 0, "rst: flow gone");
	seg(t, 0, 1013, F_RST, NULL);
	is_int(st->nopened, 1, "rst: a late RST opens no flow");
	tcp_flows_free(t);

	/* A new SYN on the same 4-tuple: a new connection. */
	t = flows(0, 0, 0);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 0, 1001, F_ACK, "first");
	seg(t, 0, 1000, F_SYN, NULL);		/* retransmitted SYN */
	is_int(nrecs, 1, "reuse: the same SYN again is the same flow");
	seg(t, 0, 90000, F_SYN, NULL);
	seg(t, 1, 70000, F_SYN | F_ACK, NULL);
	seg(t, 0, 90001, F_ACK, "second");
	is_int(nrecs, 2, "reuse: a new ISN opens a new flow");
	is_int(recs[0].how, TCP_FLOW_END_REUSED, "reuse: the old one closed "
	    "(REUSED)");
	is_str(recs[0].out[0], "first", "reuse: old stream");
	is_str(recs[1].out[0], "second", "reuse: new stream");
	is_int(st->nreused, 1, "reuse: counted");
	tcp_flows_free(t);

	/* A SYN with data (TCP Fast Open): data at ISN + 1. */
	t = flows(0, 0, 0);
	seg(t, 0, 7000, F_SYN, "tfo");
	seg(t, 0, 7004, F_ACK, "!");
	is_str(recs[0].out[0], "tfo!", "syn: data on the SYN after ISN + 1");
	tcp_flows_free(t);
}

static void
test_midstream(void)
{
	struct tcp_flows		*t = flows(0, 0, 0);

	/* The server speaks first, no SYN seen. */
	seg(t, 1, 777, F_ACK, "rest of a body");
	seg(t, 0, 123456, F_ACK, "GET /next");
	seg(t, 1, 791, F_ACK, "!");
	seg(t, 1, 700, F_ACK, "earlier");	/* before the pickup */
	is_int(nrecs, 1, "midstream: one flow");
	ok(!recs[0].info.has_syn, "midstream: no handshake");
	is_int(recs[0].info.port[0], 40000, "midstream: the client is the "
	    "ephemeral side");
	is_str(recs[0].out[1], "rest of a body!", "midstream: server stream "
	    "from its first segment");
	is_str(recs[0].out[0], "GET /next", "midstream: client stream");
	tcp_flows_free(t);
}

static void
test_snaplen(void)
{
	struct tcp_flows		*t = flows(0, 0, 0);
	const struct tcp_flow_stats	*st = tcp_flows_stats(t);

	handshake(t);
	seg_cut(t, 1, 5001, F_ACK, "HTTP/1.1 200", 20);
	is_str(recs[0].out[1], "HTTP/1.1 200<8>", "snaplen: captured bytes, "
	    "then the cut at once");
	seg(t, 1, 5021, F_ACK, "more");
	is_str(recs[0].out[1], "HTTP/1.1 200<8>more", "snaplen: next segment "
	    "follows the cut");
	/* Held out of order, cut, then completed. */
	seg_cut(t, 1, 5030, F_ACK, "xy", 6);
	seg(t, 1, 5025, F_ACK, "abcde");
	seg(t, 1, 5036, F_ACK, "z");
	is_str(recs[0].out[1], "HTTP/1.1 200<8>moreabcdexy<4>z",
	    "snaplen: a held cut segment keeps its gap");
	/* A retransmit cannot fill a cut: those bytes were delivered. */
	seg(t, 1, 5032, F_ACK, "QQQQ");
	is_str(recs[0].out[1], "HTTP/1.1 200<8>moreabcdexy<4>z",
	    "snaplen: the cut is final");
	is_int(st->ngaps, 2, "snaplen: two gaps");
	is_int(st->gap_bytes, 12, "snaplen: twelve bytes lost");
	/* Only headers captured: a gap-only call. */
	seg_cut(t, 1, 5037, F_ACK, "", 100);
	is_str(recs[0].out[1], "HTTP/1.1 200<8>moreabcdexy<4>z<100>",
	    "snaplen: nothing captured, all a gap");
	tcp_flows_free(t);
}

/* The cost of holding one n-byte segment, as mem_bytes counts it. */
static size_t
hold_cost(size_t n)
{
	struct tcp_flows	*t = flows(0, 0, 0);
	char			 buf[64];
	size_t			 cost;

	memset(buf, 'x', n);
	buf[n] = '\0';
	handshake(t);
	seg(t, 0, 1002, F_ACK, buf);
	cost = tcp_flows_stats(t)->mem_bytes;
	tcp_flows_free(t);
	return cost;
}

static void
test_bounds(void)
{
	struct tcp_flows		*t;
	const struct tcp_flow_stats	*st;
	size_t				 cost = hold_cost(4);

	ok(cost > 4 && cost < 256, "bounds: holding 4 bytes costs %zu", cost);
	/* Per direction: room for two segments; the third gives up the
	 * hole in front of them. */
	t = flows(0, 2 * cost, 0);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 0, 1005, F_ACK, "bbbb");
	seg(t, 0, 1009, F_ACK, "cccc");
	is_int(st->mem_bytes, 2 * cost, "bounds: two held, counted exactly");
	seg(t, 0, 1017, F_ACK, "eeee");
	is_str(recs[0].out[0], "<4>bbbbcccc", "bounds: the hole is given up "
	    "as a gap");
	is_int(st->mem_bytes, cost, "bounds: the new segment is held");
	is_int(st->ndropped, 1, "bounds: the hit is counted");
	seg(t, 0, 1013, F_ACK, "dddd");
	is_str(recs[0].out[0], "<4>bbbbccccddddeeee", "bounds: then the "
	    "stream goes on");
	is_int(st->mem_bytes, 0, "bounds: nothing waits");
	seg(t, 0, 1001, F_ACK, "aaaa");
	is_int(st->nretrans, 1, "bounds: the late hole is a retransmit");
	tcp_flows_free(t);

	/* In total: one flow holds the memory, the other one then cannot
	 * hold anything and delivers with a gap. */
	t = flows(0, 0, 2 * cost);
	st = tcp_flows_stats(t);
	handshake(t);
	seg(t, 0, 1005, F_ACK, "bbbb");
	seg(t, 0, 1013, F_ACK, "dddd");
	cidx = 1;
	handshake(t);
	seg(t, 0, 1005, F_ACK, "BBBB");
	cidx = 0;
	is_str(recs[1].out[0], "<4>BBBB", "bounds: total reached, a flow "
	    "holding nothing skips its hole");
	is_int(st->mem_bytes, 2 * cost, "bounds: the first flow keeps its "
	    "segments");
	ok(st->mem_bytes <= 2 * cost, "bounds: under mem_max");
	tcp_flows_flush(t, 2000);
	is_str(recs[0].out[0], "<4>bbbb<4>dddd", "flush: holes as gaps");
	is_int(recs[0].how, TCP_FLOW_END_FLUSH, "flush: closed (FLUSH)");
	is_int(st->mem_bytes, 0, "flush: mem_bytes back to 0");
	is_int(st->nflows, 0, "flush: no flow left");
	tcp_flows_free(t);

	/* Flush with a FIN past a hole: the missing bytes are known. */
	t = flows(0, 0, 0);
	handshake(t);
	seg(t, 1, 5001, F_ACK, "ab");
	seg(t, 1, 5010, F_ACK | F_FIN, NULL);
	tcp_flows_flush(t, 2000);
	is_str(recs[0].out[1], "ab<7>", "flush: bytes before the FIN lost");
	tcp_flows_free(t);
}

static void
test_evict(void)
{
	struct tcp_flows		*t = flows(2, 0, 0);
	const struct tcp_flow_stats	*st = tcp_flows_stats(t);

	cidx = 0;
	handshake(t);
	seg(t, 0, 1005, F_ACK, "late");
	cidx = 1;
	handshake(t);
	seg(t, 0, 1005, F_ACK, "late");
	cidx = 0;
	seg(t, 1, 5001, F_ACK, "x");	/* flow 1 is now the oldest */
	cidx = 2;
	handshake(t);
	is_int(st->nevicted, 1, "evict: counted");
	is_int(recs[1].how, TCP_FLOW_END_EVICTED, "evict: least recently "
	    "used closed (EVICTED)");
	is_str(recs[1].out[0], "<4>late", "evict: what waited is delivered");
	cidx = 0;
	seg(t, 1, 5002, F_ACK, "y");
	cidx = 1;
	handshake(t);
	cidx = 0;
	is_int(st->nflows, 2, "evict: the cap holds");
	is_int(st->nevicted, 2, "evict: evictions counted");
	is_int(recs[2].how, TCP_FLOW_END_EVICTED, "evict: then the next "
	    "oldest");
	ok(recs[0].is_open, "evict: the recently used flow stays");
	is_str(recs[0].out[1], "xy", "evict: its bytes intact");
	is_int(nrecs, 4, "evict: the evicted 4-tuple reopens as a new flow");
	tcp_flows_expire(t, 1000 + 999);
	is_int(st->nflows, 2, "idle: not yet");
	tcp_flows_expire(t, 1000 + 1001);
	is_int(st->nflows, 0, "idle: expired");
	is_int(st->nidle, 2, "idle: counted");
	is_int(recs[0].how, TCP_FLOW_END_IDLE, "idle: closed (IDLE)");
	tcp_flows_free(t);
	is_int(bad_calls, 0, "evict: callbacks consistent");
}

struct dir_case {
	uint16_t	 src, dst;
	uint8_t		 flags;
	uint16_t	 client;
	const char	*what;
};

static void
test_direction(void)
{
	static const struct dir_case	cases[] = {
		{ 80, 40000, F_ACK, 40000, "the port 80 side serves" },
		{ 40000, 80, F_ACK, 40000, "either way" },
		{ 6000, 5000, F_ACK, 6000, "no known port: higher is client" },
		{ 5000, 6000, F_ACK, 6000, "either way (higher port)" },
		{ 22, 443, F_ACK, 22, "443 over a system port" },
		{ 50000, 8080, F_ACK, 50000, "8080 serves" },
		{ 3128, 1023, F_ACK, 1023, "3128 serves" },
		{ 999, 30000, F_ACK, 30000, "a system port serves" },
		{ 80, 40000, F_SYN, 80, "the SYN sender is the client" },
		{ 40000, 80, F_SYN | F_ACK, 80, "the SYN+ACK sender serves" },
		{ 7000, 7000, F_ACK, 7000, "same ports: the sender" },
	};
	struct tcp_flows		*t;
	struct pkt			 p;
	size_t				 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = flows(0, 0, 0);
		memset(&p, 0, sizeof(p));
		p.family = AF_INET;
		p.proto = IPPROTO_TCP;
		inet_pton(AF_INET, "192.0.2.1", p.src);
		inet_pton(AF_INET, "192.0.2.2", p.dst);
		p.sport = cases[i].src;
		p.dport = cases[i].dst;
		p.tcp_flags = cases[i].flags;
		p.payload = (const uint8_t *)"x";
		p.payload_len = p.payload_wire_len = 1;
		tcp_flows_packet(t, &p, 1);
		if (is_int(nrecs, 1, cases[i].what))
			is_int(recs[0].info.port[0], cases[i].client,
			    "  client port");
		if (nrecs == 1 && cases[i].client == cases[i].src)
			ok(memcmp(recs[0].info.addr[0], p.src, 4) == 0,
			    "  client address");
		tcp_flows_free(t);
	}
}

static void
test_v6_quiet(void)
{
	struct tcp_flows		*t;
	const struct tcp_flow_stats	*st;

	fam = AF_INET6;
	t = flows(0, 0, 0);
	handshake(t);
	seg(t, 0, 1001, F_ACK, "v6");
	seg(t, 1, 5001, F_ACK, "ok");
	is_str(recs[0].out[0], "v6", "v6: client bytes");
	is_str(recs[0].out[1], "ok", "v6: server bytes, same flow");
	is_int(recs[0].info.family, AF_INET6, "v6: family");
	tcp_flows_free(t);
	fam = AF_INET;

	t = flows(0, 0, 0);
	st = tcp_flows_stats(t);
	quiet = 1;
	handshake(t);
	seg(t, 0, 1005, F_ACK, "held?");
	is_int(st->mem_bytes, 0, "quiet: a NULL user holds nothing");
	seg(t, 0, 1010, F_FIN, NULL);
	seg(t, 1, 5001, F_FIN, NULL);
	is_int(st->nflows, 0, "quiet: FINs still close it");
	tcp_flows_free(t);
	is_int(bad_calls, 0, "quiet: no callback with a NULL user");
}

int
main(void)
{
	test_in_order();
	test_acks();
	test_acked_hole();
	test_permutations();
	test_duplicates();
	test_overlaps();
	test_wraparound();
	test_fin_rst();
	test_midstream();
	test_snaplen();
	test_bounds();
	test_evict();
	test_direction();
	test_v6_quiet();
	return done_testing();
}
