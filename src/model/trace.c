/*
 * The trace engine: cycles of probes through the event loop, replies
 * matched by sequence number, statistics per responder (trace_stats.c).
 *
 * A cycle whose destination distance is unknown (the first) opens a
 * window of TRACE_WINDOW TTLs at once and slides it as answers or
 * timeouts come back, so a whole path is probed in a few RTTs with about
 * one probe per hop (all 30 TTLs at once would send twice the probes of
 * a 15-hop path, mostly past the target).  Once the destination's TTL is
 * known every later cycle sends all its TTLs at once.
 */
#include "config.h"

#include "model/trace.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "xmalloc.h"
#include "model/dns.h"
#include "model/dns_query.h"
#include "model/dns_wire.h"
#include "model/icmp_parse.h"
#include "model/trace_stats.h"

/*
 * TTLs in flight ahead of the farthest hop whose fate is known: a reply
 * from hop k sends up to k + 4.  At most 3 probes land past the target
 * (mtr sends about one per hop, and 4 keeps within 1.2x of it from 15
 * hops on); 4 silent hops in a row cost one timeout.
 */
#define TRACE_WINDOW		4
/* Silent TTLs after the farthest answer before a cycle gives up (mtr's
 * default max-unknown). */
#define TRACE_MAX_UNKNOWN	12
#define TRACE_MAX_FLOWS		64	/* flows_mask bits */
/* Each cycle's seqs start a stride on: a late answer from an earlier cycle
 * falls outside this one's slots.  Strides are multiples of 16384 and
 * slots fewer than 16383, so a seq is never 0xffff (PROBE_SEQ_MAX). */
#define TRACE_SEQ_STRIDE	16384	/* > TRACE_MAX_TTL x TRACE_MAX_FLOWS */
#define TRACE_READ_MAX		256	/* replies read per wakeup per fd */
#define TRACE_NAME_POLL_MS	200	/* reverse names pulled this often */
#define TRACE_NAMELEN		256

struct slot {
	uint64_t	 sent_us;
	uint16_t	 seq;
	uint8_t		 ttl;
	uint8_t		 flow;
	uint8_t		 is_live;
};

struct resp_priv {
	struct trace_rtt rtt;
	long		 lookup;	/* DNS lookup of its PTR, -1: none */
	char		 name[TRACE_NAMELEN];
};

struct hop_st {
	struct trace_hop	 pub;
	struct trace_responder	*resp;
	struct resp_priv	*priv;
	size_t			 cap;
	int8_t			 flow_resp[TRACE_MAX_FLOWS];	/* -1 */
};

struct trace {
	struct trace_conf	 conf;
	struct probe		*probe;
	struct tb_loop		*loop;
	char			 target_str[TRACE_ADDRSTRLEN];
	char			 mode_note[256];
	int			 fds[PROBE_MAX_FDS];
	size_t			 nfds;
	struct hop_st		*hops;		/* [ttl - 1], max_ttl */

	struct slot		*slots;		/* this cycle's probes */
	size_t			 nslots;
	size_t			 nlive;
	uint16_t		 seq_base;
	unsigned		 sent_hi;	/* highest TTL sent this cycle */
	unsigned		 fated_hi;	/* highest answered/timed out */
	unsigned		 answered_hi;	/* highest answered */
	int			 is_end_moved;	/* a router where the end was */
	int			 is_cycle_on;
	uint64_t		 cycle_start_ms;

	unsigned		 end_ttl;	/* target or unreachable; 0 */
	int			 is_reached;
	unsigned		 answered_ever_hi;
	unsigned		 ncycles;
	int			 is_done;
	uint32_t		 path_mtu;
	uint64_t		 nprobes, nskipped;
	uint64_t		 nfated;	/* answered or lost, all cycles */
	char			 error[160];
	uint64_t		 gen;

	unsigned		 timeout_timer, cycle_timer, name_timer;
	uint64_t		 dns_gen;
	size_t			 names_pending;
};

static void	trace_on_cycle(void *);
static void	trace_arm(struct trace *);

static unsigned
trace_nflows(const struct trace *t)
{
	return t->conf.is_ecmp ? t->conf.nflows : 1;
}

/* --- DNS -------------------------------------------------------------- */

/* A PTR lookup of addr: one already in the engine (the target's), or new. */
static long
trace_ptr_lookup(struct dns *d, const char *addr)
{
	const struct dns_row	*row;
	char			 rev[DNS_QUERY_NAMELEN];
	size_t			 i, n;

	if (dns_reverse_name(addr, rev, sizeof(rev)) == -1)
		return -1;
	for (i = 0, n = dns_nrows(d); i < n; i++) {
		row = dns_row_at(d, i);
		if (row->type == DNS_T_PTR && strcmp(row->name, rev) == 0)
			return (long)row->lookup;
	}
	return dns_lookup_add(d, rev, DNS_T_PTR);
}

/* 1: named (or given up on), 0: still waiting. */
static int
trace_name_from_dns(struct trace *t, struct trace_responder *r,
    struct resp_priv *p)
{
	const struct dns_row	*row;
	size_t			 i, k, n, ns, nmine = 0, ndone = 0, len;

	ns = dns_nservers(t->conf.dns);
	n = dns_nrows(t->conf.dns);
	for (i = 0; i < ns; i++) {
		/* Rows of one lookup are added together, nservers each. */
		if ((k = (size_t)p->lookup * ns + i) >= n)
			break;
		row = dns_row_at(t->conf.dns, k);
		if (row->lookup != (size_t)p->lookup)
			continue;
		nmine++;
		if (!row->is_done)
			continue;
		ndone++;
		for (k = 0; k < row->nanswers; k++) {
			if (row->answers[k].type != DNS_T_PTR)
				continue;
			snprintf(p->name, sizeof(p->name), "%s",
			    row->answers[k].data);
			len = strlen(p->name);
			if (len > 1 && p->name[len - 1] == '.')
				p->name[len - 1] = '\0';
			r->name = p->name;
			p->lookup = -1;
			t->gen++;
			return 1;
		}
	}
	if (nmine > 0 && ndone < nmine)
		return 0;
	p->lookup = -1;		/* every server answered: no name */
	return 1;
}

void
trace_sync_names(struct trace *t)
{
	struct hop_st	*h;
	size_t		 i, j;

	if (t->conf.dns == NULL || t->names_pending == 0 ||
	    dns_generation(t->conf.dns) == t->dns_gen)
		return;
	t->dns_gen = dns_generation(t->conf.dns);
	for (i = 0; i < t->conf.max_ttl; i++) {
		h = &t->hops[i];
		for (j = 0; j < h->pub.nresponders; j++)
			if (h->priv[j].lookup >= 0 &&
			    trace_name_from_dns(t, &h->resp[j], &h->priv[j]))
				t->names_pending--;
	}
}

static void
trace_on_name_timer(void *arg)
{
	struct trace	*t = arg;

	t->name_timer = 0;
	trace_sync_names(t);
	if (t->names_pending > 0)
		t->name_timer = tb_loop_timer(t->loop,
		    tb_now_ms() + TRACE_NAME_POLL_MS, trace_on_name_timer, t);
}

/* --- hops and responders ---------------------------------------------- */

static void
hop_refresh(struct trace_responder *r, const struct trace_rtt *rtt)
{
	r->last_ms = rtt->last_ms;
	r->avg_ms = rtt->mean_ms;
	r->best_ms = rtt->best_ms;
	r->worst_ms = rtt->worst_ms;
	r->stddev_ms = trace_rtt_stddev(rtt);
	r->loss_pct = r->sent == 0 || r->received >= r->sent ? 0 :
	    100.0 * (r->sent - r->received) / r->sent;
}

static void
hop_grow(struct hop_st *h)
{
	size_t	i;

	h->cap = h->cap == 0 ? 2 : h->cap * 2;
	if (h->cap > TRACE_MAX_RESPONDERS)
		h->cap = TRACE_MAX_RESPONDERS;
	h->resp = xreallocarray(h->resp, h->cap, sizeof(*h->resp));
	h->priv = xreallocarray(h->priv, h->cap, sizeof(*h->priv));
	/* Names point into priv, which just moved. */
	for (i = 0; i < h->pub.nresponders; i++)
		if (h->resp[i].name != NULL)
			h->resp[i].name = h->priv[i].name;
	h->pub.responders = h->resp;
}

/* The responder from at hop h: index, or -1 when the cap is reached. */
static int
hop_responder(struct trace *t, struct hop_st *h, const struct probe_reply *rp)
{
	struct trace_responder	*r;
	struct resp_priv	*p;
	size_t			 i, alen;

	alen = rp->family == AF_INET ? 4 : 16;
	for (i = 0; i < h->pub.nresponders; i++)
		if (h->resp[i].family == rp->family &&
		    memcmp(h->resp[i].addr, rp->from, alen) == 0)
			return (int)i;
	if (h->pub.nresponders == TRACE_MAX_RESPONDERS)
		return -1;
	if (h->pub.nresponders == h->cap)
		hop_grow(h);
	i = h->pub.nresponders++;
	r = &h->resp[i];
	p = &h->priv[i];
	memset(r, 0, sizeof(*r));
	memset(p, 0, sizeof(*p));
	r->family = rp->family;
	memcpy(r->addr, rp->from, alen);
	if (inet_ntop(rp->family, rp->from, r->addr_str,
	    sizeof(r->addr_str)) == NULL)
		snprintf(r->addr_str, sizeof(r->addr_str), "?");
	p->lookup = -1;
	if (t->conf.dns != NULL &&
	    (p->lookup = trace_ptr_lookup(t->conf.dns, r->addr_str)) >= 0) {
		t->names_pending++;
		if (t->name_timer == 0)
			t->name_timer = tb_loop_timer(t->loop, tb_now_ms() +
			    TRACE_NAME_POLL_MS, trace_on_name_timer, t);
	}
	return (int)i;
}

static void
hop_reset(struct trace *t, struct hop_st *h)
{
	size_t	i;

	for (i = 0; i < h->pub.nresponders; i++)
		if (h->priv[i].lookup >= 0 && t->names_pending > 0)
			t->names_pending--;
	h->pub.sent = h->pub.received = 0;
	h->pub.loss_pct = 0;
	h->pub.note = TRACE_NOTE_NONE;
	h->pub.nresponders_dropped = 0;
	h->pub.nresponders = 0;
	memset(h->flow_resp, -1, sizeof(h->flow_resp));
}

static size_t
trace_shown_last(const struct trace *t)
{
	unsigned	last;

	if (t->end_ttl != 0)
		return t->end_ttl;
	last = t->answered_ever_hi + 1;
	if (last < t->conf.first_ttl)
		last = t->conf.first_ttl;
	return last > t->conf.max_ttl ? t->conf.max_ttl : last;
}

/* Loss notes read every shown hop: recomputed after each change. */
static void
trace_notes(struct trace *t)
{
	struct trace_hop_loss	 hl[TRACE_MAX_TTL];
	struct hop_st		*h;
	size_t			 i, n, first = t->conf.first_ttl - 1;

	n = trace_shown_last(t) - first;
	for (i = 0; i < n; i++) {
		h = &t->hops[first + i];
		hl[i].sent = h->pub.sent;
		hl[i].received = h->pub.received;
		hl[i].is_target = t->is_reached && first + i + 1 == t->end_ttl;
	}
	for (i = 0; i < n; i++) {
		h = &t->hops[first + i];
		h->pub.note = trace_loss_note(hl, n, i);
		h->pub.loss_pct = h->pub.sent == 0 ||
		    h->pub.received >= h->pub.sent ? 0 :
		    100.0 * (h->pub.sent - h->pub.received) / h->pub.sent;
	}
}

/* --- replies ---------------------------------------------------------- */

static int
trace_is_from_target(const struct trace *t, const struct probe_reply *rp)
{
	return rp->family == t->conf.family && memcmp(rp->from, t->conf.addr,
	    rp->family == AF_INET ? 4 : 16) == 0;
}

/* Probes and hops past ttl are not part of the path. */
static void
trace_cut(struct trace *t, unsigned ttl)
{
	size_t	i;

	for (i = 0; i < t->nslots; i++) {
		if (t->slots[i].is_live && t->slots[i].ttl > ttl) {
			t->slots[i].is_live = 0;
			t->nlive--;
		}
	}
	for (i = ttl; i < t->conf.max_ttl; i++)
		hop_reset(t, &t->hops[i]);
	if (t->answered_ever_hi > ttl)
		t->answered_ever_hi = ttl;
}

/* The path ends at ttl (the target, or an unreachable); -1: past it. */
static int
trace_end(struct trace *t, unsigned ttl, int is_target)
{
	if (t->end_ttl != 0 && ttl > t->end_ttl)
		return -1;
	if (t->end_ttl == 0 || ttl < t->end_ttl) {
		t->end_ttl = ttl;
		t->is_reached = 0;
		trace_cut(t, ttl);
	}
	if (is_target)
		t->is_reached = 1;
	return 0;
}

static void
trace_record(struct trace *t, const struct slot *s,
    const struct probe_reply *rp, int is_target)
{
	struct hop_st		*h = &t->hops[s->ttl - 1];
	struct trace_responder	*r;
	struct resp_priv	*p;
	int			 i;
	double			 rtt_ms;

	h->pub.sent++;
	h->pub.received++;
	if (s->ttl > t->answered_hi)
		t->answered_hi = s->ttl;
	if (s->ttl > t->answered_ever_hi)
		t->answered_ever_hi = s->ttl;
	if ((i = hop_responder(t, h, rp)) == -1) {
		h->pub.nresponders_dropped++;
		return;
	}
	r = &h->resp[i];
	p = &h->priv[i];
	rtt_ms = rp->rx_us > s->sent_us ?
	    (double)(rp->rx_us - s->sent_us) / 1000 : 0;
	trace_rtt_add(&p->rtt, rtt_ms);
	r->sent++;
	r->received++;
	r->is_target = r->is_target || is_target;
	if (rp->kind == PROBE_K_UNREACH)
		r->unreach = rp->reason;
	r->nmpls = rp->nmpls < PROBE_MAX_MPLS ? rp->nmpls : PROBE_MAX_MPLS;
	memcpy(r->mpls, rp->mpls, r->nmpls * sizeof(r->mpls[0]));
	if (s->flow < TRACE_MAX_FLOWS) {
		if (r->flows_mask == 0)
			r->flow = s->flow;
		r->flows_mask |= (uint64_t)1 << s->flow;
		h->flow_resp[s->flow] = (int8_t)i;
	}
	hop_refresh(r, &p->rtt);
}

static void
trace_on_reply(struct trace *t, const struct probe_reply *rp)
{
	struct slot	*s;
	uint16_t	 idx;
	int		 is_target, is_end;

	idx = (uint16_t)(rp->seq - t->seq_base);
	if (idx >= t->nslots || !(s = &t->slots[idx])->is_live ||
	    s->seq != rp->seq)
		return;		/* late, or past the end already */
	if (rp->kind == PROBE_K_PKT_TOO_BIG || (rp->kind == PROBE_K_UNREACH &&
	    rp->reason == ICMP_R_FRAG_NEEDED)) {
		if (rp->mtu >= 68 && (t->path_mtu == 0 ||
		    rp->mtu < t->path_mtu)) {
			t->path_mtu = rp->mtu;
			t->gen++;
		}
		return;		/* not delivered: it times out */
	}
	s->is_live = 0;
	t->nlive--;
	t->nfated++;
	if (s->ttl > t->fated_hi)
		t->fated_hi = s->ttl;
	is_target = rp->kind == PROBE_K_ECHO_REPLY ||
	    rp->kind == PROBE_K_TCP_SYNACK || rp->kind == PROBE_K_TCP_RST ||
	    (rp->kind == PROBE_K_UNREACH && trace_is_from_target(t, rp));
	is_end = is_target || rp->kind == PROBE_K_UNREACH;
	if (is_end && trace_end(t, s->ttl, is_target) == -1)
		return;
	if (!is_end && t->end_ttl != 0 && s->ttl >= t->end_ttl) {
		if (s->ttl > t->end_ttl)
			return;
		t->is_end_moved = 1;	/* a router where the end was */
	}
	trace_record(t, s, rp, is_target);
	t->gen++;
}

/* --- timeouts and cycles ---------------------------------------------- */

static unsigned
trace_timeout(const struct trace *t)
{
	struct trace_timeout_in	 in;
	const struct hop_st	*h;
	size_t			 i, j;
	double			 srtt;

	memset(&in, 0, sizeof(in));
	for (i = 0; i < t->conf.max_ttl; i++) {
		h = &t->hops[i];
		for (j = 0; j < h->pub.nresponders; j++) {
			if (h->priv[j].rtt.n == 0)
				continue;
			srtt = h->priv[j].rtt.srtt_ms;
			in.has_reply = 1;
			if (srtt > in.worst_srtt_ms)
				in.worst_srtt_ms = srtt;
			if (h->resp[j].is_target && (!in.is_target_known ||
			    srtt > in.target_srtt_ms)) {
				in.is_target_known = 1;
				in.target_srtt_ms = srtt;
			}
		}
	}
	return trace_timeout_ms(&in);
}

static void
trace_lost(struct trace *t, struct slot *s)
{
	struct hop_st	*h = &t->hops[s->ttl - 1];
	int		 r;

	s->is_live = 0;
	t->nlive--;
	t->nfated++;
	if (s->ttl > t->fated_hi)
		t->fated_hi = s->ttl;
	h->pub.sent++;
	if (s->flow < TRACE_MAX_FLOWS && (r = h->flow_resp[s->flow]) >= 0 &&
	    (size_t)r < h->pub.nresponders) {
		h->resp[r].sent++;
		hop_refresh(&h->resp[r], &h->priv[r].rtt);
	}
	t->gen++;
}

static void
trace_on_timeout(void *arg)
{
	struct trace	*t = arg;
	uint64_t	 now_us = tb_now_us(), tmo_us;
	size_t		 i;

	t->timeout_timer = 0;
	tmo_us = (uint64_t)trace_timeout(t) * 1000;
	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].is_live &&
		    t->slots[i].sent_us + tmo_us <= now_us)
			trace_lost(t, &t->slots[i]);
	trace_arm(t);
}

/* The errors that say the target cannot be reached from here at all. */
static int
trace_is_fatal(int e)
{
	return e == ENETUNREACH || e == EHOSTUNREACH || e == ENETDOWN ||
	    e == EPERM || e == EACCES || e == EADDRNOTAVAIL ||
	    e == EAFNOSUPPORT || e == EINVAL || e == EDESTADDRREQ;
}

/* Send TTLs sent_hi + 1 .. hi; -1 after a fatal send error. */
static int
trace_send_upto(struct trace *t, unsigned hi)
{
	struct probe_spec	 spec;
	struct slot		*s;
	unsigned		 ttl, flow, nflows = trace_nflows(t);
	size_t			 idx;

	for (ttl = t->sent_hi + 1; ttl <= hi; ttl++) {
		for (flow = 0; flow < nflows; flow++) {
			idx = (size_t)(ttl - t->conf.first_ttl) * nflows + flow;
			s = &t->slots[idx];
			memset(&spec, 0, sizeof(spec));
			spec.ttl = ttl;
			spec.flow = flow;
			spec.seq = (uint16_t)(t->seq_base + idx);
			if (probe_send(t->probe, t->conf.addr, &spec,
			    &s->sent_us) == -1) {
				if (trace_is_fatal(errno)) {
					snprintf(t->error, sizeof(t->error),
					    "sending to %s: %s%s", t->target_str,
					    strerror(errno), errno == ENETUNREACH ||
					    errno == EHOSTUNREACH ? " (no route "
					    "to it from here: see ip route)" :
					    "");
					t->gen++;
					t->sent_hi = hi;
					return -1;
				}
				/* Lost to us: the window moves past it. */
				t->nskipped++;
				t->fated_hi = ttl;
				continue;
			}
			s->seq = spec.seq;
			s->ttl = (uint8_t)ttl;
			s->flow = (uint8_t)flow;
			s->is_live = 1;
			t->nlive++;
			t->nprobes++;
		}
		t->sent_hi = ttl;
	}
	return 0;
}

/* How far this cycle goes: the end when known, else the window. */
static unsigned
trace_cycle_limit(const struct trace *t, int is_window)
{
	unsigned	lim, base;

	if (t->end_ttl != 0)
		return t->end_ttl;
	lim = t->conf.max_ttl;
	base = t->answered_hi > t->conf.first_ttl - 1 ? t->answered_hi :
	    t->conf.first_ttl - 1;
	if (base + TRACE_MAX_UNKNOWN < lim)
		lim = base + TRACE_MAX_UNKNOWN;
	if (is_window) {
		base = t->fated_hi > t->conf.first_ttl - 1 ? t->fated_hi :
		    t->conf.first_ttl - 1;
		if (base + TRACE_WINDOW < lim)
			lim = base + TRACE_WINDOW;
	}
	return lim;
}

static void
trace_cycle_end(struct trace *t)
{
	uint64_t	next_ms, now_ms = tb_now_ms();

	t->is_cycle_on = 0;
	t->ncycles++;
	trace_notes(t);
	t->gen++;
	if (t->conf.cycles != 0 && (t->ncycles >= t->conf.cycles ||
	    t->error[0] != '\0')) {
		t->is_done = 1;
		return;
	}
	next_ms = t->cycle_start_ms + t->conf.interval_ms;
	if (t->conf.is_back_to_back || next_ms < now_ms)
		next_ms = now_ms;
	t->cycle_timer = tb_loop_timer(t->loop, next_ms, trace_on_cycle, t);
}

/* After any event: send what the window allows, end or time the cycle. */
static void
trace_arm(struct trace *t)
{
	uint64_t	first_us = UINT64_MAX;
	size_t		i;

	if (!t->is_cycle_on)
		return;
	if (t->error[0] == '\0' && t->sent_hi < trace_cycle_limit(t, 1))
		(void)trace_send_upto(t, trace_cycle_limit(t, 1));
	trace_notes(t);
	if (t->nlive == 0 && (t->error[0] != '\0' ||
	    t->sent_hi >= trace_cycle_limit(t, 0))) {
		if (t->timeout_timer != 0)
			tb_loop_timer_cancel(t->loop, t->timeout_timer);
		t->timeout_timer = 0;
		trace_cycle_end(t);
		return;
	}
	for (i = 0; i < t->nslots; i++)
		if (t->slots[i].is_live && t->slots[i].sent_us < first_us)
			first_us = t->slots[i].sent_us;
	if (first_us == UINT64_MAX)	/* nothing live, window blocked */
		first_us = tb_now_us();
	if (t->timeout_timer != 0)
		tb_loop_timer_cancel(t->loop, t->timeout_timer);
	t->timeout_timer = tb_loop_timer(t->loop,
	    first_us / 1000 + trace_timeout(t) + 1, trace_on_timeout, t);
}

static void
trace_on_cycle(void *arg)
{
	struct trace	*t = arg;

	t->cycle_timer = 0;
	if (t->is_end_moved) {
		/* A router answered where the destination was: find it. */
		t->end_ttl = 0;
		t->is_end_moved = 0;
	}
	t->is_cycle_on = 1;
	t->cycle_start_ms = tb_now_ms();
	t->seq_base = (uint16_t)(t->seq_base + TRACE_SEQ_STRIDE);
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	t->nlive = 0;
	t->sent_hi = t->fated_hi = t->answered_hi = t->conf.first_ttl - 1;
	t->error[0] = '\0';
	/* With the end known, every TTL at once; else the first window. */
	(void)trace_send_upto(t, trace_cycle_limit(t, t->end_ttl == 0));
	trace_arm(t);
}

static void
trace_on_readable(int fd, short revents, void *arg)
{
	struct trace		*t = arg;
	struct probe_reply	 rp;
	int			 i;

	(void)revents;
	for (i = 0; i < TRACE_READ_MAX; i++) {
		memset(&rp, 0, sizeof(rp));
		if (probe_read(t->probe, fd, &rp) != 1)
			break;
		if (t->is_cycle_on)
			trace_on_reply(t, &rp);
	}
	trace_sync_names(t);
	trace_arm(t);
}

/* --- life ------------------------------------------------------------- */

static int
trace_conf_check(struct trace_conf *c, char *err, size_t errlen)
{
	if (c->family != AF_INET && c->family != AF_INET6) {
		snprintf(err, errlen, "trace: bad address family");
		return -1;
	}
	if (c->first_ttl == 0)
		c->first_ttl = 1;
	if (c->max_ttl == 0)
		c->max_ttl = TRACE_MAX_TTL_DEFAULT;
	if (c->max_ttl > TRACE_MAX_TTL || c->first_ttl > c->max_ttl) {
		snprintf(err, errlen, "trace: first TTL %u and max TTL %u: "
		    "want 1 <= first <= max <= %d", c->first_ttl, c->max_ttl,
		    TRACE_MAX_TTL);
		return -1;
	}
	if (c->interval_ms == 0)
		c->interval_ms = TRACE_INTERVAL_DEFAULT_MS;
	if (c->nflows == 0)
		c->nflows = TRACE_FLOWS_DEFAULT;
	if (c->nflows > TRACE_MAX_FLOWS) {
		snprintf(err, errlen, "trace: at most %d flows",
		    TRACE_MAX_FLOWS);
		return -1;
	}
	return 0;
}

struct trace *
trace_new(const struct trace_conf *conf, struct probe *probe,
    struct tb_loop *loop, char *err, size_t errlen)
{
	struct trace	*t;
	size_t		 i;

	t = xcalloc(1, sizeof(*t));
	t->conf = *conf;
	if (trace_conf_check(&t->conf, err, errlen) == -1) {
		free(t);
		return NULL;
	}
	t->probe = probe;
	t->loop = loop;
	if (conf->mode_note != NULL)
		snprintf(t->mode_note, sizeof(t->mode_note), "%s",
		    conf->mode_note);
	t->conf.mode_note = NULL;	/* the caller's memory */
	if (inet_ntop(t->conf.family, t->conf.addr, t->target_str,
	    sizeof(t->target_str)) == NULL)
		snprintf(t->target_str, sizeof(t->target_str), "?");
	t->hops = xcalloc(t->conf.max_ttl, sizeof(*t->hops));
	for (i = 0; i < t->conf.max_ttl; i++) {
		t->hops[i].pub.ttl = (unsigned)i + 1;
		memset(t->hops[i].flow_resp, -1, sizeof(t->hops[i].flow_resp));
	}
	t->nslots = (size_t)(t->conf.max_ttl - t->conf.first_ttl + 1) *
	    trace_nflows(t);
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	t->nfds = probe_fds(probe, t->fds, PROBE_MAX_FDS);
	for (i = 0; i < t->nfds; i++)
		if (tb_loop_io(loop, t->fds[i], POLLIN, trace_on_readable,
		    t) == -1) {
			snprintf(err, errlen, "trace: cannot watch probe "
			    "socket");
			t->nfds = i;
			trace_free(t);
			return NULL;
		}
	t->cycle_timer = tb_loop_timer(loop, tb_now_ms(), trace_on_cycle, t);
	return t;
}

void
trace_free(struct trace *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nfds; i++)
		tb_loop_io_del(t->loop, t->fds[i]);
	if (t->timeout_timer != 0)
		tb_loop_timer_cancel(t->loop, t->timeout_timer);
	if (t->cycle_timer != 0)
		tb_loop_timer_cancel(t->loop, t->cycle_timer);
	if (t->name_timer != 0)
		tb_loop_timer_cancel(t->loop, t->name_timer);
	for (i = 0; i < t->conf.max_ttl; i++) {
		free(t->hops[i].resp);
		free(t->hops[i].priv);
	}
	free(t->hops);
	free(t->slots);
	free(t);
}

/* --- accessors -------------------------------------------------------- */

uint64_t
trace_generation(const struct trace *t)
{
	return t->gen;
}

const char *
trace_target_str(const struct trace *t)
{
	return t->target_str;
}

const char *
trace_protocol_str(const struct trace *t)
{
	/* What is sent: without privileges ICMP falls back to UDP. */
	switch (probe_proto(t->probe)) {
	case PROBE_P_UDP:
		return "udp";
	case PROBE_P_TCP:
		return "tcp";
	default:
		return "icmp";
	}
}

const char *
trace_mode_str(const struct trace *t)
{
	return probe_mode_str(probe_mode(t->probe));
}

const char *
trace_mode_note(const struct trace *t)
{
	return t->mode_note[0] != '\0' ? t->mode_note : NULL;
}

int
trace_is_reached(const struct trace *t)
{
	return t->is_reached;
}

int
trace_is_done(const struct trace *t)
{
	return t->is_done;
}

unsigned
trace_ncycles(const struct trace *t)
{
	return t->ncycles;
}

uint32_t
trace_path_mtu(const struct trace *t)
{
	return t->path_mtu;
}

uint64_t
trace_nprobes(const struct trace *t)
{
	return t->nprobes;
}

uint64_t
trace_nskipped(const struct trace *t)
{
	return t->nskipped;
}

const char *
trace_error(const struct trace *t)
{
	return t->error[0] != '\0' ? t->error : NULL;
}

size_t
trace_nhops(const struct trace *t)
{
	/* Nothing to show before the first probe's fate is known. */
	if (t->nfated == 0)
		return 0;
	return trace_shown_last(t) - (t->conf.first_ttl - 1);
}

const struct trace_hop *
trace_hop(const struct trace *t, size_t i)
{
	if (i >= trace_nhops(t))
		return NULL;
	return &t->hops[t->conf.first_ttl - 1 + i].pub;
}

size_t
trace_responder_history(const struct trace *t, size_t hop, size_t responder,
    float *out, size_t max)
{
	const struct hop_st	*h;

	if (hop >= trace_nhops(t))
		return 0;
	h = &t->hops[t->conf.first_ttl - 1 + hop];
	if (responder >= h->pub.nresponders)
		return 0;
	return trace_rtt_history(&h->priv[responder].rtt, out, max);
}

const char *
trace_note_str(int note)
{
	switch (note) {
	case TRACE_NOTE_SILENT:
		return "silent";
	case TRACE_NOTE_RATELIMIT:
		return "rate limiting";
	case TRACE_NOTE_LOSS:
		return "loss";
	case TRACE_NOTE_DEST_LOSS:
		return "destination loss";
	default:
		return NULL;
	}
}

static const char *const trace_unreach_words[] = {
	[ICMP_R_NET] = "network unreachable",
	[ICMP_R_HOST] = "host unreachable",
	[ICMP_R_PROTO] = "protocol unreachable",
	[ICMP_R_PORT] = "port unreachable",
	[ICMP_R_FRAG_NEEDED] = "fragmentation needed",
	[ICMP_R_SRC_ROUTE] = "source route failed",
	[ICMP_R_NET_UNKNOWN] = "network unknown",
	[ICMP_R_HOST_UNKNOWN] = "host unknown",
	[ICMP_R_ISOLATED] = "source host isolated",
	[ICMP_R_ADMIN] = "administratively prohibited",
	[ICMP_R_NET_TOS] = "network unreachable for TOS",
	[ICMP_R_HOST_TOS] = "host unreachable for TOS",
	[ICMP_R_PRECEDENCE] = "precedence violation",
	[ICMP_R_NO_ROUTE] = "no route to destination",
	[ICMP_R_SCOPE] = "beyond scope of source address",
	[ICMP_R_ADDR] = "address unreachable",
	[ICMP_R_POLICY] = "source address failed policy",
	[ICMP_R_REJECT_ROUTE] = "reject route",
	[ICMP_R_SRH] = "source routing header error",
	[ICMP_R_HDR_TOO_LONG] = "headers too long",
	[ICMP_R_OTHER] = "unreachable (unknown code)",
};

const char *
trace_unreach_str(int reason)
{
	if (reason <= 0 || (size_t)reason >= sizeof(trace_unreach_words) /
	    sizeof(trace_unreach_words[0]) ||
	    trace_unreach_words[reason] == NULL)
		return NULL;
	return trace_unreach_words[reason];
}
