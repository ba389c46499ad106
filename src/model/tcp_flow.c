#include "config.h"

#include "model/tcp_flow.h"

#include <sys/types.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

/*
 * The key: family, then the two endpoints in a canonical order (the lower
 * address and port first), so both directions find the same flow.
 */
#define KEY_LEN		37
#define KEY_PORTS	1
#define KEY_ADDRS	5

#define FLOWS_CAP	(1U << 24)	/* max_flows beyond this is a typo */
#define OOO_CAP		(1U << 30)	/* held_bytes fits 32 bits */
#define BUCKETS_MIN	16

struct tcp_seg {
	struct tcp_seg	*prev, *next;
	uint32_t	 seq;
	uint32_t	 len;		/* captured bytes in data */
	uint32_t	 lost;		/* then bytes the snap cut */
	uint32_t	 cost;		/* charged to the bounds */
	uint32_t	 ack;		/* the segment's acknowledgement */
	uint8_t		 has_ack;
	uint8_t		 data[];
};

/* Flows are many (a full default table is ~10 MB): keep them packed. */
struct tcp_dir {
	struct tcp_seg	*head, *tail;	/* waiting: sorted, disjoint */
	uint64_t	 off;		/* stream offset of next_seq */
	uint32_t	 held_bytes;
	uint32_t	 next_seq, fin_seq;
	uint16_t	 nsegs;
	uint8_t		 has_seq:1, has_fin:1, is_done:1;
};

struct tcp_flow {
	struct tcp_flow	*hnext;
	struct tcp_flow	*older, *newer;	/* LRU list */
	void		*user;
	uint64_t	 last_us;
	uint32_t	 hash;		/* its low bits: the bucket */
	uint32_t	 isn;		/* of the SYN that opened it */
	uint8_t		 key[KEY_LEN];
	uint8_t		 client_ep;	/* the client's key endpoint */
	uint8_t		 is_quiet;	/* user NULL: no data kept */
	uint8_t		 has_isn;
	struct tcp_dir	 dir[2];
};

struct tcp_flows {
	struct tcp_flow_cb	 cb;
	struct tcp_flow_limits	 lim;
	struct tcp_flow		**buckets;
	size_t			 nbuckets;	/* a power of two */
	struct tcp_flow		*newest, *oldest;
	uint64_t		 k0, k1;	/* hash key, random per run */
	uint64_t		 last_us;
	uint32_t		 cur_ack;	/* of the packet being read */
	int			 cur_has_ack;
	struct tcp_flow_stats	 st;
};

/* Per-segment bookkeeping dir_data reports in its counters. */
struct seg_acct {
	int	 is_new, is_overlap, is_ooo, is_hit;
};

/* --- keyed hash (SipHash-2-4) ------------------------------------------ */

#define ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL64(v[1], 13); v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3]; v[3] = ROTL64(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL64(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL64(v[1], 17); v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

static uint64_t
load_le64(const uint8_t *p, size_t n)
{
	uint64_t	m = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		m |= (uint64_t)p[i] << (8 * i);
	return m;
}

static uint64_t
siphash(uint64_t k0, uint64_t k1, const uint8_t *p, size_t n)
{
	uint64_t	v[4], m;
	size_t		i;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= n; i += 8) {
		m = load_le64(p + i, 8);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	m = load_le64(p + i, n - i) | (uint64_t)(n & 0xff) << 56;
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void
seed_key(struct tcp_flows *t)
{
	uint64_t	k[2];
	struct timespec	ts;

	if (getrandom(k, sizeof(k), GRND_NONBLOCK) == (ssize_t)sizeof(k)) {
		t->k0 = k[0];
		t->k1 = k[1];
		return;
	}
	/* No entropy yet (early boot): still differs per run and process. */
	clock_gettime(CLOCK_REALTIME, &ts);
	t->k0 = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)ts.tv_sec;
	t->k1 = (uint64_t)getpid() * 0xc2b2ae3d27d4eb4fULL ^
	    (uint64_t)(uintptr_t)t;
}

/* --- the key ------------------------------------------------------------ */

/* Returns the key endpoint (0 or 1) of the packet's source, or -1. */
static int
key_make(const struct pkt *p, uint8_t key[KEY_LEN])
{
	size_t	alen;
	int	c, src_ep;

	if (p->family == AF_INET)
		alen = 4;
	else if (p->family == AF_INET6)
		alen = 16;
	else
		return -1;
	c = memcmp(p->src, p->dst, alen);
	if (c == 0)
		c = (p->sport > p->dport) - (p->sport < p->dport);
	src_ep = c > 0;
	memset(key, 0, KEY_LEN);
	key[0] = alen == 4 ? 4 : 6;
	key[KEY_PORTS + 2 * src_ep] = p->sport >> 8;
	key[KEY_PORTS + 2 * src_ep + 1] = p->sport & 0xff;
	key[KEY_PORTS + 2 * !src_ep] = p->dport >> 8;
	key[KEY_PORTS + 2 * !src_ep + 1] = p->dport & 0xff;
	memcpy(key + KEY_ADDRS + 16 * src_ep, p->src, alen);
	memcpy(key + KEY_ADDRS + 16 * !src_ep, p->dst, alen);
	return src_ep;
}

/* 2: a port HTTP runs on; 1: a system port; 0: likely ephemeral. */
static int
port_rank(uint16_t port)
{
	static const uint16_t	http_ports[] = {
		80, 443, 8080, 8000, 8443, 3128,
	};
	size_t			i;

	for (i = 0; i < sizeof(http_ports) / sizeof(http_ports[0]); i++)
		if (port == http_ports[i])
			return 2;
	return port < 1024;
}

static int
src_is_client(const struct pkt *p)
{
	int	rs, rd;

	if ((p->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN)
		return 1;
	if (p->tcp_flags & PKT_TCP_SYN)
		return 0;	/* SYN+ACK: the server answers */
	rs = port_rank(p->sport);
	rd = port_rank(p->dport);
	if (rs != rd)
		return rs < rd;
	if (p->sport != p->dport)
		return p->sport > p->dport;
	return 1;
}

/* --- segments ----------------------------------------------------------- */

static uint32_t
seg_span(const struct tcp_seg *s)
{
	return s->len + s->lost;
}

static void
seg_free(struct tcp_flows *t, struct tcp_dir *D, struct tcp_seg *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		D->head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	else
		D->tail = s->prev;
	D->held_bytes -= s->cost;
	D->nsegs--;
	t->st.mem_bytes -= s->cost;
	free(s);
}

static int
seg_fits(const struct tcp_flows *t, const struct tcp_dir *D, size_t cost)
{
	return D->nsegs < TCP_FLOW_OOO_SEGS_MAX &&
	    D->held_bytes + cost <= t->lim.ooo_max &&
	    t->st.mem_bytes + cost <= t->lim.mem_max;
}

/* Hold [seq, seq + len + lost) in order, before h (NULL: at the tail). */
static void
seg_hold(struct tcp_flows *t, struct tcp_dir *D, struct tcp_seg *h,
    uint32_t seq, const uint8_t *data, uint32_t len, uint32_t lost)
{
	struct tcp_seg	*s;

	s = xmalloc(sizeof(*s) + len);
	s->seq = seq;
	s->len = len;
	s->lost = lost;
	s->cost = sizeof(*s) + len;
	s->ack = t->cur_ack;
	s->has_ack = (uint8_t)t->cur_has_ack;
	if (len > 0)
		memcpy(s->data, data, len);
	s->next = h;
	s->prev = h != NULL ? h->prev : D->tail;
	if (s->prev != NULL)
		s->prev->next = s;
	else
		D->head = s;
	if (h != NULL)
		h->prev = s;
	else
		D->tail = s;
	D->held_bytes += s->cost;
	D->nsegs++;
	t->st.mem_bytes += s->cost;
}

/* --- delivery ----------------------------------------------------------- */

/* The other direction's offset that ack (of direction d) acknowledged. */
static uint64_t
ack_offset(const struct tcp_flow *f, int d, uint32_t ack, int has_ack)
{
	const struct tcp_dir	*o = &f->dir[!d];
	int32_t			 rel;

	if (!has_ack || !o->has_seq)
		return TCP_FLOW_NO_ACK;
	rel = (int32_t)(ack - o->next_seq);
	if (rel < 0 && (uint64_t)-(int64_t)rel > o->off)
		return TCP_FLOW_NO_ACK;	/* before the stream we know */
	return o->off + (uint64_t)(int64_t)rel;
}

/*
 * gap lost bytes, then len bytes, then lost bytes cut by the snap length,
 * from the direction's next byte on; ack is the acknowledgement of the
 * segment that carried them.  The caller advances the direction.
 */
static void
emit(struct tcp_flows *t, struct tcp_flow *f, int d, uint32_t gap,
    const uint8_t *data, uint32_t len, uint32_t lost, uint64_t ts_us,
    uint32_t ack, int has_ack)
{
	const struct tcp_flow_cb	*cb = &t->cb;
	struct tcp_flow_at		 at;

	if (gap > 0) {
		t->st.ngaps++;
		t->st.gap_bytes += gap;
	}
	if (lost > 0) {
		t->st.ngaps++;
		t->st.gap_bytes += lost;
	}
	if (cb->on_data == NULL)
		return;
	at.ts_us = ts_us;
	at.off = f->dir[d].off + gap;
	at.ack_off = ack_offset(f, d, ack, has_ack);
	if (len > 0) {
		cb->on_data(cb->arg, f->user, d, data, len, gap, &at);
		if (lost > 0) {
			at.off += len + lost;
			cb->on_data(cb->arg, f->user, d, NULL, 0, lost, &at);
		}
	} else if (gap + (uint64_t)lost > 0) {
		at.off += lost;
		cb->on_data(cb->arg, f->user, d, NULL, 0,
		    (size_t)gap + lost, &at);
	}
}

/* The direction's next byte moves by n. */
static void
dir_advance(struct tcp_dir *D, uint32_t n)
{
	D->next_seq += n;
	D->off += n;
}

/* Deliver the held segments that now follow in order. */
static void
dir_drain(struct tcp_flows *t, struct tcp_flow *f, int d, uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];
	struct tcp_seg	*s;

	while ((s = D->head) != NULL && s->seq == D->next_seq) {
		emit(t, f, d, 0, s->data, s->len, s->lost, ts_us, s->ack,
		    s->has_ack);
		dir_advance(D, seg_span(s));
		seg_free(t, D, s);
	}
}

/* Bytes at next_seq + gap of the packet being read, delivered now (the
 * gap is given up). */
static void
dir_deliver(struct tcp_flows *t, struct tcp_flow *f, int d, uint32_t gap,
    const uint8_t *data, uint32_t len, uint32_t lost, uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];

	emit(t, f, d, gap, data, len, lost, ts_us, t->cur_ack,
	    t->cur_has_ack);
	dir_advance(D, gap + len + lost);
	dir_drain(t, f, d, ts_us);
}

/* The hole before the first held segment will not be filled: skip it. */
static void
dir_give_up(struct tcp_flows *t, struct tcp_flow *f, int d, uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];
	struct tcp_seg	*s = D->head;
	uint32_t	 gap = s->seq - D->next_seq;

	emit(t, f, d, gap, s->data, s->len, s->lost, ts_us, s->ack,
	    s->has_ack);
	dir_advance(D, gap + seg_span(s));
	seg_free(t, D, s);
	dir_drain(t, f, d, ts_us);
}

/*
 * The other side sent data acknowledging direction d up to ack: a hole
 * before it reached the receiver, so the capture lost it, not the network,
 * and no retransmission will fill it.  It is given up before that data is
 * delivered, so that what follows the hole comes first (a request before
 * its response), instead of holding everything after it until the bounds
 * are hit (which on a busy keep-alive connection holds hundreds of
 * requests while their responses go by, unpaired).  Pure ACKs do not
 * count, nor a hole without a held segment after it: a capture that
 * reorders (-i any, or a rewritten file) may put them before the data.
 */
static void
dir_acked(struct tcp_flows *t, struct tcp_flow *f, int d, uint32_t ack,
    uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];
	int32_t		 past;

	while (D->head != NULL &&
	    (past = (int32_t)(ack - D->next_seq)) > 0) {
		if ((uint32_t)past >= D->head->seq - D->next_seq) {
			t->st.nacked_gaps++;
			dir_give_up(t, f, d, ts_us);
			continue;
		}
		/* Acknowledged into the hole: its start is lost. */
		t->st.nacked_gaps++;
		emit(t, f, d, (uint32_t)past, NULL, 0, 0, ts_us, 0, 0);
		dir_advance(D, (uint32_t)past);
		break;
	}
}

/*
 * A piece [base + a, base + a + len + lost) that no held segment covers,
 * h the held segment after it.  Delivered at once when it is next; held
 * when it fits the bounds; else the oldest holes of this direction are
 * given up to make room, and at worst the hole in front of the piece
 * itself.  Returns 1 when delivery (and thus the list) moved.
 */
static int
dir_place(struct tcp_flows *t, struct tcp_flow *f, int d, struct tcp_seg *h,
    uint32_t seq, const uint8_t *data, uint32_t len, uint32_t lost,
    struct seg_acct *acct, uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];
	size_t		 cost = sizeof(struct tcp_seg) + len;

	for (;;) {
		if (seq == D->next_seq) {
			dir_deliver(t, f, d, 0, data, len, lost, ts_us);
			return 1;
		}
		if (seg_fits(t, D, cost)) {
			seg_hold(t, D, h, seq, data, len, lost);
			acct->is_ooo = 1;
			return 0;
		}
		acct->is_hit = 1;
		if (D->head == NULL || D->head == h) {
			dir_deliver(t, f, d, seq - D->next_seq, data, len,
			    lost, ts_us);
			return 1;
		}
		dir_give_up(t, f, d, ts_us);
	}
}

/*
 * Bytes [seq, seq + wire) of direction d, the first cap of them captured.
 * Offsets below are relative to base, the next expected byte on entry:
 * held segments all lie ahead of it, so serial arithmetic reduces to
 * plain comparisons of offsets under 2^31.
 */
static void
dir_data(struct tcp_flows *t, struct tcp_flow *f, int d, uint32_t seq,
    const uint8_t *data, uint32_t cap, uint32_t wire, uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];
	struct tcp_seg	*h;
	struct seg_acct	 acct = { 0, 0, 0, 0 };
	uint32_t	 base = D->next_seq;
	int64_t		 off0, a, b, e, capend, done, lim, s_off;
	uint32_t	 dlen;

	off0 = (int32_t)(seq - base);
	if (off0 > (int64_t)TCP_FLOW_WINDOW_MAX) {
		t->st.noutside++;
		return;
	}
	a = off0;
	e = off0 + wire;
	capend = off0 + cap;
	if (D->has_fin) {
		lim = (uint32_t)(D->fin_seq - base);
		if (a >= lim) {
			t->st.noutside++;
			return;
		}
		if (e > lim)
			e = lim;
	}
	if (e <= 0) {
		t->st.nretrans++;
		return;
	}
	if (a < 0) {
		acct.is_overlap = 1;
		a = 0;
	}
	h = D->head;
	if (D->tail != NULL &&
	    (uint32_t)(D->tail->seq - base) + (int64_t)seg_span(D->tail) <= a)
		h = NULL;	/* the usual case: past everything held */
	while (a < e) {
		done = (uint32_t)(D->next_seq - base);
		if (a < done) {
			acct.is_overlap = 1;	/* delivered from held */
			a = done;
			continue;
		}
		while (h != NULL &&
		    (uint32_t)(h->seq - base) + (int64_t)seg_span(h) <= a)
			h = h->next;
		s_off = h != NULL ? (uint32_t)(h->seq - base) : e;
		if (s_off <= a) {
			acct.is_overlap = 1;	/* the first copy wins */
			a = s_off + seg_span(h);
			continue;
		}
		b = s_off < e ? s_off : e;
		dlen = a < capend ? (uint32_t)((b < capend ? b : capend) - a) :
		    0;
		acct.is_new = 1;
		if (dir_place(t, f, d, h, base + (uint32_t)a,
		    dlen > 0 ? data + (a - off0) : NULL, dlen,
		    (uint32_t)(b - a) - dlen, &acct, ts_us))
			h = D->head;
		a = b;
	}
	if (!acct.is_new)
		t->st.nretrans++;
	else if (acct.is_overlap)
		t->st.noverlap++;
	if (acct.is_ooo)
		t->st.nooo++;
	if (acct.is_hit)
		t->st.ndropped++;
}

/* The FIN is at fin: nothing past it is data; drop what waits there. */
static void
dir_fin(struct tcp_flows *t, struct tcp_dir *D, uint32_t fin)
{
	struct tcp_seg	*s;
	uint32_t	 lim, off, keep;

	if (!D->has_seq) {
		D->next_seq = fin;
		D->has_seq = 1;
	}
	if (D->has_fin || (int32_t)(fin - D->next_seq) < 0)
		return;
	D->has_fin = 1;
	D->fin_seq = fin;
	lim = fin - D->next_seq;
	while ((s = D->tail) != NULL) {
		off = s->seq - D->next_seq;
		if (off >= lim) {
			seg_free(t, D, s);
			continue;
		}
		if (off + seg_span(s) > lim) {
			keep = lim - off;
			if (keep <= s->len) {
				s->len = keep;
				s->lost = 0;
			} else
				s->lost = keep - s->len;
		}
		break;
	}
}

static void
dir_segment(struct tcp_flows *t, struct tcp_flow *f, int d,
    const struct pkt *p, uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];
	size_t		 cap, wire;
	uint32_t	 seq = p->seq;

	cap = p->payload != NULL ? p->payload_len : 0;
	wire = p->payload_wire_len > cap ? p->payload_wire_len : cap;
	if (wire > TCP_FLOW_WINDOW_MAX) {
		t->st.noutside++;
		cap = wire = 0;
	}
	if (p->tcp_flags & PKT_TCP_SYN) {
		if (!D->has_seq) {
			D->next_seq = seq + 1;	/* the SYN takes one */
			D->has_seq = 1;
		}
		seq++;
	}
	t->cur_ack = p->ack;
	t->cur_has_ack = (p->tcp_flags & PKT_TCP_ACK) != 0;
	if (f->is_quiet) {
		if (p->tcp_flags & PKT_TCP_FIN)
			D->is_done = 1;
		return;
	}
	if (t->cur_has_ack && wire > 0 && f->dir[!d].has_seq)
		dir_acked(t, f, !d, p->ack, ts_us);
	if (wire > 0) {
		if (!D->has_seq) {	/* picked up mid-stream */
			D->next_seq = seq;
			D->has_seq = 1;
		}
		dir_data(t, f, d, seq, p->payload, (uint32_t)cap,
		    (uint32_t)wire, ts_us);
	}
	if (p->tcp_flags & PKT_TCP_FIN)
		dir_fin(t, D, seq + (uint32_t)wire);
	if (D->has_fin && D->next_seq == D->fin_seq)
		D->is_done = 1;
}

/* Deliver everything held, holes as gaps, up to the FIN when known. */
static void
dir_flush(struct tcp_flows *t, struct tcp_flow *f, int d, uint64_t ts_us)
{
	struct tcp_dir	*D = &f->dir[d];

	while (D->head != NULL)
		dir_give_up(t, f, d, ts_us);
	t->cur_has_ack = 0;	/* no packet carries this gap */
	if (D->has_fin && D->next_seq != D->fin_seq)
		dir_deliver(t, f, d, D->fin_seq - D->next_seq, NULL, 0, 0,
		    ts_us);
}

static void
dir_discard(struct tcp_flows *t, struct tcp_dir *D)
{
	while (D->head != NULL)
		seg_free(t, D, D->head);
}

/* --- the table ---------------------------------------------------------- */

static struct tcp_flow *
flow_find(struct tcp_flows *t, const uint8_t key[KEY_LEN], uint32_t h)
{
	struct tcp_flow	*f;
	uint64_t	 nprobes = 0;

	for (f = t->buckets[h & (t->nbuckets - 1)]; f != NULL; f = f->hnext) {
		nprobes++;
		if (f->hash == h && memcmp(f->key, key, KEY_LEN) == 0)
			break;
	}
	if (nprobes > t->st.max_probe)
		t->st.max_probe = nprobes;
	return f;
}

static void
lru_unlink(struct tcp_flows *t, struct tcp_flow *f)
{
	if (f->older != NULL)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer != NULL)
		f->newer->older = f->older;
	else
		t->newest = f->older;
	f->older = f->newer = NULL;
}

static void
lru_push(struct tcp_flows *t, struct tcp_flow *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
}

/* Out of the table, callbacks made; the caller frees or reuses f. */
static void
flow_detach(struct tcp_flows *t, struct tcp_flow *f, int how, uint64_t ts_us)
{
	struct tcp_flow	**pp;
	int		  d;

	pp = &t->buckets[f->hash & (t->nbuckets - 1)];
	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	lru_unlink(t, f);
	for (d = 0; d < 2; d++) {
		if (how == TCP_FLOW_END_RST)
			dir_discard(t, &f->dir[d]);
		else
			dir_flush(t, f, d, ts_us);
	}
	if (!f->is_quiet && t->cb.on_close != NULL)
		t->cb.on_close(t->cb.arg, f->user, how, ts_us);
	t->st.nflows--;
	t->st.table_bytes -= sizeof(*f);
}

static void
flow_close(struct tcp_flows *t, struct tcp_flow *f, int how, uint64_t ts_us)
{
	flow_detach(t, f, how, ts_us);
	free(f);
}

static struct tcp_flow *
flow_open(struct tcp_flows *t, const struct pkt *p, const uint8_t *key,
    uint32_t h, int src_ep, uint64_t ts_us)
{
	struct tcp_flow		*f;
	struct tcp_flow_info	 info;
	size_t			 alen = key[0] == 4 ? 4 : 16, b;
	int			 is_src_client = src_is_client(p);

	if (t->st.nflows >= t->lim.max_flows && t->oldest != NULL) {
		/* A full table under a flood evicts at every packet: the
		 * evicted entry becomes the new one, no allocator call. */
		t->st.nevicted++;
		f = t->oldest;
		flow_detach(t, f, TCP_FLOW_END_EVICTED, ts_us);
		memset(f, 0, sizeof(*f));
	} else
		f = xcalloc(1, sizeof(*f));
	t->st.table_bytes += sizeof(*f);
	t->st.nflows++;
	t->st.nopened++;
	memcpy(f->key, key, KEY_LEN);
	f->hash = h;
	b = h & (t->nbuckets - 1);
	f->hnext = t->buckets[b];
	t->buckets[b] = f;
	lru_push(t, f);
	f->client_ep = is_src_client ? src_ep : !src_ep;
	f->last_us = ts_us;
	if ((p->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN) {
		f->isn = p->seq;
		f->has_isn = 1;
	}

	memset(&info, 0, sizeof(info));
	info.family = p->family;
	memcpy(info.addr[0], is_src_client ? p->src : p->dst, alen);
	memcpy(info.addr[1], is_src_client ? p->dst : p->src, alen);
	info.port[0] = is_src_client ? p->sport : p->dport;
	info.port[1] = is_src_client ? p->dport : p->sport;
	info.has_syn = (p->tcp_flags & PKT_TCP_SYN) != 0;
	info.first_us = ts_us;
	if (t->cb.on_open != NULL) {
		f->user = t->cb.on_open(t->cb.arg, &info);
		f->is_quiet = f->user == NULL;
	}
	return f;
}

struct tcp_flows *
tcp_flows_new(const struct tcp_flow_cb *cb, const struct tcp_flow_limits *lim)
{
	struct tcp_flows	*t;

	t = xcalloc(1, sizeof(*t));
	if (cb != NULL)
		t->cb = *cb;
	if (lim != NULL)
		t->lim = *lim;
	if (t->lim.max_flows == 0)
		t->lim.max_flows = TCP_FLOW_MAX_DEFAULT;
	if (t->lim.max_flows > FLOWS_CAP)
		t->lim.max_flows = FLOWS_CAP;
	if (t->lim.ooo_max == 0)
		t->lim.ooo_max = TCP_FLOW_OOO_MAX_DEFAULT;
	if (t->lim.ooo_max > OOO_CAP)
		t->lim.ooo_max = OOO_CAP;
	if (t->lim.mem_max == 0)
		t->lim.mem_max = TCP_FLOW_MEM_MAX_DEFAULT;
	if (t->lim.idle_us == 0)
		t->lim.idle_us = TCP_FLOW_IDLE_US_DEFAULT;
	/* A load factor of at most one: chains stay short, the hash keyed. */
	for (t->nbuckets = BUCKETS_MIN; t->nbuckets < t->lim.max_flows;
	    t->nbuckets *= 2)
		;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	t->st.table_bytes = t->nbuckets * sizeof(*t->buckets);
	seed_key(t);
	return t;
}

void
tcp_flows_free(struct tcp_flows *t)
{
	if (t == NULL)
		return;
	tcp_flows_flush(t, t->last_us);
	free(t->buckets);
	free(t);
}

void
tcp_flows_packet(struct tcp_flows *t, const struct pkt *p, uint64_t ts_us)
{
	struct tcp_flow	*f;
	uint8_t		 key[KEY_LEN];
	uint32_t	 h;
	int		 src_ep, d;

	if (p->proto != IPPROTO_TCP || p->is_fragment)
		return;
	if ((src_ep = key_make(p, key)) == -1)
		return;
	t->st.nsegments++;
	if (ts_us > t->last_us)
		t->last_us = ts_us;
	h = (uint32_t)siphash(t->k0, t->k1, key, KEY_LEN);
	if ((f = flow_find(t, key, h)) == NULL) {
		/* Only a SYN or data starts a flow: the last ACKs and
		 * resets after a close must not open a new one. */
		if ((p->tcp_flags & PKT_TCP_RST) ||
		    (!(p->tcp_flags & PKT_TCP_SYN) &&
		    p->payload_wire_len == 0 && p->payload_len == 0))
			return;
		f = flow_open(t, p, key, h, src_ep, ts_us);
	} else if ((p->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) ==
	    PKT_TCP_SYN && !(f->has_isn && f->isn == p->seq)) {
		/* A client reusing its port (after TIME_WAIT, or a flow we
		 * never saw end): a new connection, not more of the old. */
		t->st.nreused++;
		flow_close(t, f, TCP_FLOW_END_REUSED, ts_us);
		f = flow_open(t, p, key, h, src_ep, ts_us);
	} else if (t->newest != f) {
		lru_unlink(t, f);
		lru_push(t, f);
	}
	f->last_us = ts_us;
	d = src_ep == f->client_ep ? 0 : 1;
	dir_segment(t, f, d, p, ts_us);
	if (p->tcp_flags & PKT_TCP_RST)
		flow_close(t, f, TCP_FLOW_END_RST, ts_us);
	else if (f->dir[0].is_done && f->dir[1].is_done)
		flow_close(t, f, TCP_FLOW_END_FIN, ts_us);
}

void
tcp_flows_expire(struct tcp_flows *t, uint64_t now_us)
{
	struct tcp_flow	*f;

	while ((f = t->oldest) != NULL && now_us > f->last_us &&
	    now_us - f->last_us > t->lim.idle_us) {
		t->st.nidle++;
		flow_close(t, f, TCP_FLOW_END_IDLE, now_us);
	}
}

void
tcp_flows_flush(struct tcp_flows *t, uint64_t ts_us)
{
	while (t->oldest != NULL)
		flow_close(t, t->oldest, TCP_FLOW_END_FLUSH, ts_us);
}

const struct tcp_flow_stats *
tcp_flows_stats(const struct tcp_flows *t)
{
	return &t->st;
}
