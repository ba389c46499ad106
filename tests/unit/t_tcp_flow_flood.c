/*
 * SYN floods against the flow table: 200,000 and 1,000,000 SYNs to
 * distinct 4-tuples, from one /16 to one server port, from one client to
 * every port, and spread over random addresses.  The flow count and the
 * memory must stay under their caps and every eviction be counted; the
 * CPU time per packet is printed (a comment, never asserted) so linearity
 * can be read between the two sizes (CPU, not wall: other jobs on the
 * machine do not count).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "model/tcp_flow.h"
#include "tap.h"

#define LAYOUT_SLASH16	0
#define LAYOUT_PORTS	1
#define LAYOUT_RANDOM	2

static const char *const layout_names[] = {
	"one /16 -> one server port",
	"one client -> every port of a few servers",
	"random addresses",
};

static uint64_t	nclosed, nclosed_evicted;
static int	user_token;

static void *
on_open(void *arg, const struct tcp_flow_info *fi)
{
	(void)arg;
	(void)fi;
	return &user_token;
}

static void
on_close(void *arg, void *user, int how, uint64_t ts)
{
	(void)arg;
	(void)user;
	(void)ts;
	nclosed++;
	if (how == TCP_FLOW_END_EVICTED)
		nclosed_evicted++;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double
cpu_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The i-th SYN of a layout: every one a distinct 4-tuple. */
static void
make_syn(struct pkt *p, int layout, uint32_t i, uint64_t *rng)
{
	uint64_t	r;

	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->proto = IPPROTO_TCP;
	p->tcp_flags = PKT_TCP_SYN;
	p->seq = i * 2654435761U;
	switch (layout) {
	case LAYOUT_SLASH16:	/* 10.1.x.y:1024.. -> 10.0.0.1:80 */
		p->src[0] = 10;
		p->src[1] = 1;
		p->src[2] = (i / 64512) >> 8;
		p->src[3] = (i / 64512) & 0xff;
		p->sport = 1024 + i % 64512;
		inet_pton(AF_INET, "10.0.0.1", p->dst);
		p->dport = 80;
		break;
	case LAYOUT_PORTS:	/* 10.1.0.1:40000 -> 10.0.x.y:every port */
		inet_pton(AF_INET, "10.1.0.1", p->src);
		p->sport = 40000;
		p->dst[0] = 10;
		p->dst[1] = 0;
		p->dst[2] = (i >> 16) >> 8;
		p->dst[3] = (i >> 16) & 0xff;
		p->dport = i & 0xffff;
		break;
	default:		/* distinct by the counter in the address */
		r = xorshift(rng);
		memcpy(p->src, &i, 4);
		p->src[0] ^= (uint8_t)r;
		memcpy(p->dst, (uint8_t *)&r + 2, 4);
		p->sport = (uint16_t)(r >> 48);
		p->dport = (uint16_t)(r >> 32);
		break;
	}
}

static void
flood(int layout, uint32_t n)
{
	static const struct tcp_flow_cb	 cb = {
		NULL, on_open, NULL, on_close,
	};
	struct tcp_flows		*t;
	const struct tcp_flow_stats	*st;
	struct pkt			 p;
	uint64_t			 rng = 0x9e3779b97f4a7c15ULL;
	uint64_t			 max_flows = 0, max_mem = 0;
	uint64_t			 max_table = 0;
	uint64_t			 table_cap;
	double				 t0, dt;
	uint32_t			 i;
	const char			*name = layout_names[layout];

	nclosed = nclosed_evicted = 0;
	t = tcp_flows_new(&cb, NULL);
	st = tcp_flows_stats(t);
	t0 = cpu_s();
	for (i = 0; i < n; i++) {
		make_syn(&p, layout, i, &rng);
		tcp_flows_packet(t, &p, i);
		if (st->nflows > max_flows)
			max_flows = st->nflows;
		if (st->mem_bytes > max_mem)
			max_mem = st->mem_bytes;
		if (st->table_bytes > max_table)
			max_table = st->table_bytes;
	}
	dt = cpu_s() - t0;
	printf("# %s, %u SYNs: %.1f ns/packet, %.2f s CPU, table %.1f MB, "
	    "longest chain %llu\n", name, n, dt * 1e9 / n, dt,
	    max_table / 1048576.0, (unsigned long long)st->max_probe);
	/* The seeded hash: 65,536 flows in 65,536 buckets give chains of
	 * about 8 at most; an address layout that defeated it would give
	 * thousands. */
	ok(st->max_probe <= 32, "%s %u: hash chains stay short", name, n);
	ok(max_flows <= TCP_FLOW_MAX_DEFAULT, "%s %u: flows <= cap (%llu)",
	    name, n, (unsigned long long)max_flows);
	ok(max_mem <= TCP_FLOW_MEM_MAX_DEFAULT, "%s %u: held memory <= cap",
	    name, n);
	/* Entries of a few hundred bytes each, plus the buckets: a bound,
	 * not an exact size, so the struct may grow. */
	table_cap = (uint64_t)TCP_FLOW_MAX_DEFAULT * 512;
	ok(max_table <= table_cap, "%s %u: table memory bounded (%llu)",
	    name, n, (unsigned long long)max_table);
	is_int(st->nopened, n, "  every SYN opened a flow (distinct tuples)");
	is_int(st->nevicted, n - TCP_FLOW_MAX_DEFAULT, "  evictions counted");
	is_int(nclosed_evicted, st->nevicted, "  each eviction closed its "
	    "flow (EVICTED)");
	tcp_flows_free(t);
	is_int(nclosed, n, "  every flow closed once");
}

int
main(void)
{
	static const uint32_t	sizes[] = { 200000, 1000000 };
	size_t			i;
	int			layout;

	for (layout = LAYOUT_SLASH16; layout <= LAYOUT_RANDOM; layout++)
		for (i = 0; i < 2; i++)
			flood(layout, sizes[i]);
	return done_testing();
}
