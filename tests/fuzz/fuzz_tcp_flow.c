/*
 * tcp_flow over a sequence of segments.  The input is two initial
 * sequence numbers (4 bytes each), then records of four bytes:
 *   ctl:	bit 0 direction, 1 SYN, 2 FIN, 3 RST, 4 ACK, 5 cut by the
 *		snap length (half captured), 6-7 which of four flows
 *		(flow 3's on_open returns NULL)
 *   delta:	signed, the segment's seq relative to the end of the
 *		farthest segment sent so far in that direction; -128 and
 *		127 jump 2^30 + 2^28 ahead and 2^31 + 2^29 away instead
 *   len:	payload bytes (0-63); 255: expire idle flows instead
 *   ack:	signed, the acknowledgement number relative to the end of
 *		the farthest segment the other direction sent (0: all of
 *		it, holes the fuzzer skipped included, so the acked-hole
 *		path runs; below: into a hole); -128: the number 0
 * The payload byte at sequence number s is always s mod 256, so on_data
 * can check that every byte comes in order and once: each delivered byte
 * must be the one after the last, counting the gaps.  Small limits make
 * the bounds, eviction and gap paths run.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "model/tcp_flow.h"

#define NFLOWS		4
#define MAX_FLOWS	2
#define OOO_MAX		400
#define MEM_MAX		600
#define IDLE_US		50

struct trk {
	int		 is_open;
	int		 has_next[2];
	uint8_t		 next[2];	/* the byte expected next */
	uint64_t	 off[2];	/* stream offset delivered */
};

static int	ntrk;

static void *
on_open(void *arg, const struct tcp_flow_info *fi)
{
	struct trk	*k;

	(void)arg;
	if (fi->port[0] == 40003 || fi->port[1] == 40003)
		return NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		abort();
	k->is_open = 1;
	ntrk++;
	return k;
}

static void
on_data(void *arg, void *user, int dir, const uint8_t *p, size_t n,
    size_t gap, const struct tcp_flow_at *at)
{
	struct trk	*k = user;
	size_t		 i;

	(void)arg;
	if (k == NULL || !k->is_open || (dir != 0 && dir != 1))
		abort();
	if ((n > 0 && p == NULL) || (n == 0 && gap == 0))
		abort();
	if (k->off[dir] + gap + n < k->off[dir])
		abort();
	if (at->off != k->off[dir] + gap)
		abort();	/* offsets count every byte, gaps too */
	/* An ack is a 32-bit distance from the other direction's next
	 * byte, which is where that direction's deliveries have come to. */
	if (at->ack_off != TCP_FLOW_NO_ACK &&
	    (at->ack_off > k->off[!dir] + INT32_MAX ||
	    at->ack_off + 0x80000000ULL < k->off[!dir]))
		abort();
	k->off[dir] += gap + n;
	k->next[dir] += (uint8_t)gap;
	for (i = 0; i < n; i++) {
		if (k->has_next[dir] && p[i] != k->next[dir])
			abort();	/* out of order, or twice */
		k->has_next[dir] = 1;
		k->next[dir] = p[i] + 1;
	}
}

static void
on_close(void *arg, void *user, int how, uint64_t ts)
{
	struct trk	*k = user;

	(void)arg;
	(void)ts;
	if (k == NULL || !k->is_open || how < TCP_FLOW_END_FIN ||
	    how > TCP_FLOW_END_REUSED)
		abort();
	k->is_open = 0;
	ntrk--;
	free(k);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
check_stats(const struct tcp_flow_stats *st)
{
	if (st->nflows > MAX_FLOWS || st->mem_bytes > MEM_MAX)
		abort();
	if (st->nflows > st->nopened || st->nevicted + st->nidle >
	    st->nopened)
		abort();
}

static void
feed(struct tcp_flows *t, uint32_t end[NFLOWS][2], uint8_t ctl, int8_t delta,
    uint8_t len, int8_t ack, uint64_t ts)
{
	struct pkt	 p;
	uint8_t		*buf;
	uint32_t	 seq, data_seq;
	int		 dir = ctl & 1, id = ctl >> 6;
	size_t		 i;

	len &= 63;
	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.proto = IPPROTO_TCP;
	p.src[0] = p.dst[0] = 10;
	p.src[3] = dir == 0 ? 1 : 2;
	p.dst[3] = dir == 0 ? 2 : 1;
	p.sport = dir == 0 ? 40000 + id : 80;
	p.dport = dir == 0 ? 80 : 40000 + id;
	p.tcp_flags = ((ctl & 2) ? PKT_TCP_SYN : 0) |
	    ((ctl & 4) ? PKT_TCP_FIN : 0) | ((ctl & 8) ? PKT_TCP_RST : 0) |
	    ((ctl & 16) ? PKT_TCP_ACK : 0);
	if (delta == -128)
		seq = end[id][dir] + 0x50000000U;
	else if (delta == 127)
		seq = end[id][dir] + 0xa0000000U;
	else
		seq = end[id][dir] + (uint32_t)(int32_t)delta;
	data_seq = seq + ((ctl & 2) ? 1 : 0);
	p.seq = seq;
	p.ack = ack == -128 ? 0 : end[id][!dir] + (uint32_t)(int32_t)ack;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	if ((buf = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(data_seq + i);
	p.payload = buf;
	p.payload_wire_len = len;
	p.payload_len = (ctl & 32) ? len / 2 : len;
	if ((int32_t)(data_seq + len - end[id][dir]) > 0 && delta != -128)
		end[id][dir] = data_seq + len;
	tcp_flows_packet(t, &p, ts);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tcp_flow_cb		cb = {
		NULL, on_open, on_data, on_close,
	};
	static const struct tcp_flow_limits	lim = {
		MAX_FLOWS, OOO_MAX, MEM_MAX, IDLE_US,
	};
	struct tcp_flows			*t;
	const struct tcp_flow_stats		*st;
	uint32_t				 end[NFLOWS][2];
	uint64_t				 ts = 1;
	size_t					 i, id;

	if (size < 8)
		return 0;
	for (id = 0; id < NFLOWS; id++) {
		end[id][0] = get32(data) + (uint32_t)id * 1000;
		end[id][1] = get32(data + 4) + (uint32_t)id * 1000;
	}
	ntrk = 0;
	t = tcp_flows_new(&cb, &lim);
	st = tcp_flows_stats(t);
	for (i = 8; i + 4 <= size; i += 4) {
		ts++;
		if (data[i + 2] == 255) {
			ts += (uint8_t)data[i + 1];
			tcp_flows_expire(t, ts);
		} else
			feed(t, end, data[i], (int8_t)data[i + 1],
			    data[i + 2], (int8_t)data[i + 3], ts);
		check_stats(st);
	}
	tcp_flows_flush(t, ts);
	if (st->nflows != 0 || st->mem_bytes != 0 || ntrk != 0)
		abort();
	tcp_flows_free(t);
	return 0;
}
