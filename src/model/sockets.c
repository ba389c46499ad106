#include "config.h"

#include "model/sockets.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "xmalloc.h"
#include "model/diag_parse.h"
#include "model/netstat.h"
#include "model/procmap.h"

#define SOCK_RBUF_LEN		32768	/* the kernel caps dump skbs */
#define SOCK_SO_RCVBUF		(1 << 20)
#define SOCK_DRAIN_MAX		64	/* recv()s per loop wakeup */
#define SOCK_HASH_LEN		8192	/* 2 * SOCK_MAX_GROUPS */
#define SOCK_EVICT_MS		60000	/* group empty this long: gone */
#define SOCK_TW_SLACK_MS	5	/* jiffies rounding of idiag_expires */
#define SOCK_PROCMAP_MIN_MS	2000	/* inode map rebuilt at most */
#define SOCK_STALL_MS		5000	/* a dump this long: given up */
#define SOCK_DEF_PORT_LO	32768
#define SOCK_DEF_PORT_HI	60999
#define SOCK_SERVER_TW_INFO	1000	/* server TIME_WAIT noted */
#define SOCK_MAX_MISSED		256	/* unknown inodes kept */
#define SOCK_TICK_SLACK_MS	10	/* timer lateness a tick tolerates */
#define SOCK_MIN_BUDGET_PCT	0.01	/* keeps the wait finite */
#define SOCK_MAX_BUDGET_PCT	100.0

/*
 * A refresh is one or more dumps run one after the other (one dump at a
 * time per netlink socket), listeners first, so sides are known while
 * counting the rest.  Normally it is a single TCPDIAG_GETSOCK request (the
 * one that takes AF_UNSPEC, as ss uses): each dump walks the kernel's hash
 * tables whatever the number of sockets, and SOCK_DIAG_BY_FAMILY needs one
 * per family.  Kernels refusing it get four SOCK_DIAG_BY_FAMILY dumps.
 */
#define SOCK_PH_IDLE		-1

struct sock_step {
	int		 family;
	uint32_t	 states;
	int		 is_compat;	/* TCPDIAG_GETSOCK, AF_UNSPEC */
};

#define SOCK_STATES_ALL		0x1ffeU		/* bits 1..12 */
#define SOCK_STATES_LISTEN	(1U << SOCK_ST_LISTEN)
#define SOCK_STATES_OTHER	(SOCK_STATES_ALL & ~SOCK_STATES_LISTEN)

/*
 * One dump: inet_diag_dump_icsk() walks the listening hash before the
 * established one, so listeners of both families arrive first and sides
 * are known before the first connected socket.  Every dump costs a walk
 * of the kernel's hash tables (milliseconds even with no socket), so one
 * request instead of three is most of the refresh cost at idle.
 */
static const struct sock_step sock_steps_compat[] = {
	{ AF_UNSPEC, SOCK_STATES_ALL, 1 },
};

static const struct sock_step sock_steps_v2[] = {
	{ AF_INET, SOCK_STATES_LISTEN, 0 },
	{ AF_INET6, SOCK_STATES_LISTEN, 0 },
	{ AF_INET, SOCK_STATES_OTHER, 0 },
	{ AF_INET6, SOCK_STATES_OTHER, 0 },
};

struct sock_key {
	uint8_t		 family;
	uint8_t		 side;
	uint16_t	 port;		/* client: remote; server: local */
	uint32_t	 zero;
	uint8_t		 local[16];
	uint8_t		 remote[16];
};

struct sock_grp {
	struct sockets_group	 pub;		/* what views read */
	struct sock_key		 key;
	/* Counted by the refresh in progress, published when it ends. */
	unsigned		 wcount[SOCK_NSTATES];
	unsigned		 wtotal;
	unsigned		 wports;
	unsigned		 wnew_tw;
	int			 wpid;
	char			 wcomm[16];
	uint64_t		 nonempty_ms;	/* last seen not empty */
};

struct sockets {
	int			 fd;
	uint32_t		 seq;
	int			 phase;		/* step, or SOCK_PH_IDLE */
	const struct sock_step	*steps;
	int			 nsteps;
	unsigned		 phase_socks;	/* sockets this step */
	uint64_t		 begin_us;
	uint64_t		 tw_phase_ms;	/* state dump began */
	int64_t			 tw_new_thresh;	/* expires > it: new */

	struct tb_loop		*loop;
	unsigned		 timer_id;
	unsigned		 interval_ms;
	char			 err[256];

	uint8_t			 listen[65536 / 8]; /* listening ports */
	uint16_t		 port_lo, port_hi;

	struct sock_grp		*groups;	/* SOCK_MAX_GROUPS */
	size_t			 ngroups;	/* slots in use */
	uint16_t		 hash[SOCK_HASH_LEN]; /* index + 1 */
	struct sock_grp		*last;		/* last group hit */
	struct sock_grp		**order;	/* published, sorted */
	size_t			 norder;

	unsigned		 wcount[SOCK_NSTATES];
	unsigned		 wdropped;
	unsigned		 wparse_errors;
	unsigned		 wmiss_n;	/* inodes not in map */
	uint32_t		 wmiss_xor;
	struct {
		uint32_t	 inode;
		uint32_t	 grp;
	}			 missed[SOCK_MAX_MISSED];
	size_t			 nmissed;

	struct procmap		*pm;
	uint64_t		 pm_built_ms;
	int			 pm_is_built;
	unsigned		 unres_n;	/* left by last build */
	uint32_t		 unres_xor;

	int			 has_prev;
	uint64_t		 prev_tw_phase_ms;
	struct netstat_tcpext	 prev_nt;
	struct netstat_snmp	 prev_sn;
	uint64_t		 ctr_ms;	/* counters read, 0 never */
	uint64_t		 tw_ms;		/* count[TIME_WAIT] sampled */

	/*
	 * The CPU budget: a full enumeration starts at a tick once its last
	 * one's CPU time is at most budget_pct of the time since it started.
	 */
	double			 budget_pct;	/* 0: every tick */
	uint64_t		 full_start_ms;	/* tick the last one began */
	uint64_t		 full_cpu_ns;	/* the one in progress so far */

	struct sockets_summary	 sum;
	unsigned		 hist[SOCK_NSTATES][SOCK_HISTORY_LEN];
	size_t			 hist_n, hist_pos;
	struct sockets_alert	 alerts[SOCK_MAX_ALERTS];
	size_t			 nalerts;

	uint8_t			 rbuf[SOCK_RBUF_LEN];
};

static const char *const sock_state_names[SOCK_NSTATES] = {
	[0] = "UNKNOWN",
	[SOCK_ST_ESTABLISHED] = "ESTABLISHED",
	[SOCK_ST_SYN_SENT] = "SYN_SENT",
	[SOCK_ST_SYN_RECV] = "SYN_RECV",
	[SOCK_ST_FIN_WAIT1] = "FIN_WAIT1",
	[SOCK_ST_FIN_WAIT2] = "FIN_WAIT2",
	[SOCK_ST_TIME_WAIT] = "TIME_WAIT",
	[SOCK_ST_CLOSE] = "CLOSE",
	[SOCK_ST_CLOSE_WAIT] = "CLOSE_WAIT",
	[SOCK_ST_LAST_ACK] = "LAST_ACK",
	[SOCK_ST_LISTEN] = "LISTEN",
	[SOCK_ST_CLOSING] = "CLOSING",
	[SOCK_ST_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

static const uint8_t sock_v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

const char *
sockets_state_name(int state)
{
	if (state < 0 || state >= SOCK_NSTATES)
		return "UNKNOWN";
	return sock_state_names[state];
}

/* --- group table ------------------------------------------------------- */

static uint32_t
sock_key_hash(const struct sock_key *k)
{
	uint64_t	w[sizeof(*k) / 8], h = 0;
	size_t		i;

	memcpy(w, k, sizeof(w));
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static void
sock_hash_insert(struct sockets *s, size_t idx)
{
	uint32_t	i;

	i = sock_key_hash(&s->groups[idx].key) & (SOCK_HASH_LEN - 1);
	while (s->hash[i] != 0)
		i = (i + 1) & (SOCK_HASH_LEN - 1);
	s->hash[i] = (uint16_t)(idx + 1);
}

static void
sock_addr_str(int family, const uint8_t *addr, uint16_t port, int has_port,
    int is_wild, char *out, size_t len)
{
	char	a[INET6_ADDRSTRLEN];

	if (inet_ntop(family, addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	if (!has_port)
		snprintf(out, len, "%s", a);
	else if (family == AF_INET6 && is_wild)
		snprintf(out, len, "[%s]:*", a);
	else if (family == AF_INET6)
		snprintf(out, len, "[%s]:%u", a, port);
	else if (is_wild)
		snprintf(out, len, "%s:*", a);
	else
		snprintf(out, len, "%s:%u", a, port);
}

static void
sock_grp_init(struct sock_grp *g, const struct sock_key *k)
{
	struct sockets_group	*p = &g->pub;
	int			 is_server = k->side == SOCK_SIDE_SERVER;

	memset(g, 0, sizeof(*g));
	g->key = *k;
	p->family = k->family;
	p->side = k->side;
	memcpy(p->local_addr, k->local, sizeof(p->local_addr));
	memcpy(p->remote_addr, k->remote, sizeof(p->remote_addr));
	if (is_server) {
		p->local_port = k->port;
		sock_addr_str(k->family, k->local, k->port, 1, 0,
		    p->local_str, sizeof(p->local_str));
		sock_addr_str(k->family, k->remote, 0, 1, 1,
		    p->remote_str, sizeof(p->remote_str));
	} else {
		p->remote_port = k->port;
		sock_addr_str(k->family, k->local, 0, 0, 0,
		    p->local_str, sizeof(p->local_str));
		sock_addr_str(k->family, k->remote, k->port, 1, 0,
		    p->remote_str, sizeof(p->remote_str));
	}
	p->full_in_s = -1;
}

/* Find or create the group for k; NULL when the table is full. */
static struct sock_grp *
sock_grp_get(struct sockets *s, const struct sock_key *k)
{
	struct sock_grp	*g;
	uint32_t	 i;
	size_t		 idx;

	if (s->last != NULL && memcmp(&s->last->key, k, sizeof(*k)) == 0)
		return s->last;
	i = sock_key_hash(k) & (SOCK_HASH_LEN - 1);
	while (s->hash[i] != 0) {
		g = &s->groups[s->hash[i] - 1];
		if (memcmp(&g->key, k, sizeof(*k)) == 0)
			return s->last = g;
		i = (i + 1) & (SOCK_HASH_LEN - 1);
	}
	if (s->ngroups == SOCK_MAX_GROUPS)
		return NULL;
	idx = s->ngroups++;
	sock_grp_init(&s->groups[idx], k);
	s->hash[i] = (uint16_t)(idx + 1);
	return s->last = &s->groups[idx];
}

static int
sock_port_is_listening(const struct sockets *s, uint16_t port)
{
	return (s->listen[port >> 3] >> (port & 7)) & 1;
}

static int
sock_is_ephemeral(const struct sockets *s, uint16_t port)
{
	return port >= s->port_lo && port <= s->port_hi;
}

/*
 * Server side: the local port listens.  A server's TIME_WAIT outlives its
 * listener, so a fixed local port facing an ephemeral peer counts too.
 */
static int
sock_is_server_side(const struct sockets *s, const struct diag_sock *ds)
{
	return sock_port_is_listening(s, ds->sport) ||
	    (!sock_is_ephemeral(s, ds->sport) &&
	    sock_is_ephemeral(s, ds->dport));
}

/* IPv4-mapped IPv6 sockets are grouped (and shown) as IPv4. */
static void
sock_key_make(const struct sockets *s, const struct diag_sock *ds,
    struct sock_key *k)
{
	const uint8_t	*src = ds->src, *dst = ds->dst;
	size_t		 alen = 16;

	memset(k, 0, sizeof(*k));
	k->family = ds->family;
	if (ds->family == AF_INET)
		alen = 4;
	else if (memcmp(src, sock_v4mapped, 12) == 0 &&
	    memcmp(dst, sock_v4mapped, 12) == 0) {
		k->family = AF_INET;
		src += 12;
		dst += 12;
		alen = 4;
	}
	memcpy(k->local, src, alen);
	memcpy(k->remote, dst, alen);
	if (sock_is_server_side(s, ds)) {
		k->side = SOCK_SIDE_SERVER;
		k->port = ds->sport;
	} else {
		k->side = SOCK_SIDE_CLIENT;
		k->port = ds->dport;
	}
}

static void
sock_attribute(struct sockets *s, struct sock_grp *g, uint32_t inode)
{
	const char	*comm;
	int		 pid;

	if (procmap_lookup(s->pm, inode, &pid, &comm) == -1) {
		s->wmiss_n++;
		s->wmiss_xor ^= inode;
		if (s->nmissed < SOCK_MAX_MISSED) {
			s->missed[s->nmissed].inode = inode;
			s->missed[s->nmissed].grp = (uint32_t)(g - s->groups);
			s->nmissed++;
		}
		return;
	}
	if (g->wpid != pid) {
		g->wpid = pid;
		memcpy(g->wcomm, comm, sizeof(g->wcomm));
		g->wcomm[sizeof(g->wcomm) - 1] = '\0';
	}
}

/* The hot path: called once per socket, no allocation, no formatting. */
static void
sock_on_sock(const struct diag_sock *ds, void *arg)
{
	struct sockets	*s = arg;
	struct sock_grp	*g;
	struct sock_key	 k;

	if (ds->state == 0 || ds->state >= SOCK_NSTATES) {
		s->wparse_errors++;
		return;
	}
	s->wcount[ds->state]++;
	if (ds->state == SOCK_ST_LISTEN) {
		s->listen[ds->sport >> 3] |= (uint8_t)(1U << (ds->sport & 7));
		return;
	}
	sock_key_make(s, ds, &k);
	if ((g = sock_grp_get(s, &k)) == NULL) {
		s->wdropped++;
		return;
	}
	g->wcount[ds->state]++;
	g->wtotal++;
	if (k.side == SOCK_SIDE_CLIENT && sock_is_ephemeral(s, ds->sport))
		g->wports++;
	if (ds->state == SOCK_ST_TIME_WAIT &&
	    (int64_t)ds->expires_ms > s->tw_new_thresh)
		g->wnew_tw++;
	if (ds->inode != 0)
		sock_attribute(s, g, ds->inode);
}

/* --- netlink ----------------------------------------------------------- */

static int
sock_send(struct sockets *s, const void *req, size_t len)
{
	struct sockaddr_nl	sa;

	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (sendto(s->fd, req, len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		snprintf(s->err, sizeof(s->err), "sock_diag request: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* idiag_ext = 0: TIME_WAIT replies then carry no attributes at all. */
static int
sock_send_v2(struct sockets *s, const struct sock_step *st)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	r;
	}			req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = ++s->seq;
	req.r.sdiag_family = (uint8_t)st->family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = st->states;
	req.r.idiag_ext = 0;
	return sock_send(s, &req, sizeof(req));
}

static int
sock_send_compat(struct sockets *s, const struct sock_step *st)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req	r;
	}			req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = TCPDIAG_GETSOCK;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = ++s->seq;
	req.r.idiag_family = AF_UNSPEC;
	req.r.idiag_states = st->states;
	req.r.idiag_ext = 0;
	return sock_send(s, &req, sizeof(req));
}

static void
sock_begin_states(struct sockets *s)
{
	int64_t	dt_ms = 0;

	s->tw_phase_ms = tb_now_ms();
	if (s->has_prev)
		dt_ms = (int64_t)(s->tw_phase_ms - s->prev_tw_phase_ms);
	/* Without a previous refresh nothing counts as new. */
	s->tw_new_thresh = s->has_prev ?
	    SOCK_TW_LEN_MS - dt_ms - SOCK_TW_SLACK_MS : INT64_MAX;
}

static int
sock_start_phase(struct sockets *s)
{
	const struct sock_step	*st = &s->steps[s->phase];

	s->phase_socks = 0;
	if ((st->states & SOCK_STATES_OTHER) &&
	    (s->phase == 0 || s->steps[s->phase - 1].states != st->states))
		sock_begin_states(s);
	if (st->is_compat)
		return sock_send_compat(s, st);
	return sock_send_v2(s, st);
}

/* --- a refresh --------------------------------------------------------- */

static void
sock_read_port_range(struct sockets *s)
{
	if (netstat_read_port_range(NETSTAT_PORT_RANGE, &s->port_lo,
	    &s->port_hi) == -1) {
		s->port_lo = SOCK_DEF_PORT_LO;
		s->port_hi = SOCK_DEF_PORT_HI;
	}
}

static void
sock_reset_work(struct sockets *s)
{
	struct sock_grp	*g;
	size_t		 i;

	memset(s->listen, 0, sizeof(s->listen));
	memset(s->wcount, 0, sizeof(s->wcount));
	s->wdropped = s->wparse_errors = 0;
	s->wmiss_n = 0;
	s->wmiss_xor = 0;
	s->nmissed = 0;
	s->last = NULL;
	for (i = 0; i < s->ngroups; i++) {
		g = &s->groups[i];
		memset(g->wcount, 0, sizeof(g->wcount));
		g->wtotal = g->wports = g->wnew_tw = 0;
	}
}

/* CPU time of this thread: what the budget is about (sys time included). */
static uint64_t
sock_cpu_ns(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The kernel fills the first batch of a dump inside sendto(): timed. */
static int
sock_begin(struct sockets *s)
{
	uint64_t	cpu0 = sock_cpu_ns();
	int		rc = 0;

	s->begin_us = tb_now_us();
	sock_read_port_range(s);
	sock_reset_work(s);
	s->phase = 0;
	if (sock_start_phase(s) == -1) {
		s->phase = SOCK_PH_IDLE;
		rc = -1;
	}
	s->full_cpu_ns = sock_cpu_ns() - cpu0;
	return rc;
}

static void
sock_history_push(struct sockets *s)
{
	int	i;

	for (i = 0; i < SOCK_NSTATES; i++)
		s->hist[i][s->hist_pos] = s->sum.count[i];
	s->hist_pos = (s->hist_pos + 1) % SOCK_HISTORY_LEN;
	if (s->hist_n < SOCK_HISTORY_LEN)
		s->hist_n++;
}

static double
sock_rate64(int64_t now, int64_t prev, double dt_s)
{
	if (now < 0 || prev < 0 || now < prev || dt_s <= 0)
		return 0;
	return (double)(now - prev) / dt_s;
}

static void
sock_publish_tw(struct sockets_summary *m)
{
	m->tw_bucket_pct = m->tw_max_buckets > 0 ?
	    100.0 * m->count[SOCK_ST_TIME_WAIT] / m->tw_max_buckets : 0;
}

/* TcpExt and Tcp counters, rates over the time since the last read. */
static void
sock_publish_counters(struct sockets *s)
{
	struct sockets_summary	*m = &s->sum;
	struct netstat_tcpext	 nt;
	struct netstat_snmp	 sn;
	uint64_t		 now = tb_now_ms();
	double			 dt_s = 0;

	if (s->ctr_ms != 0 && now > s->ctr_ms)
		dt_s = (double)(now - s->ctr_ms) / 1000;
	s->ctr_ms = now;
	(void)netstat_read_snmp(NETSTAT_SNMP, &sn);
	m->curr_estab = sn.curr_estab;
	m->active_opens_per_s = sock_rate64(sn.active_opens,
	    s->prev_sn.active_opens, dt_s);
	m->passive_opens_per_s = sock_rate64(sn.passive_opens,
	    s->prev_sn.passive_opens, dt_s);
	s->prev_sn = sn;
	(void)netstat_read(NETSTAT_PATH, &nt);
	m->tw_new_per_s = sock_rate64(nt.tw, s->prev_nt.tw, dt_s);
	m->tw_overflow_per_s = sock_rate64(nt.tw_overflow,
	    s->prev_nt.tw_overflow, dt_s);
	m->abort_on_close_per_s = sock_rate64(nt.abort_on_close,
	    s->prev_nt.abort_on_close, dt_s);
	m->tw_total = nt.tw;
	m->tw_overflow = nt.tw_overflow;
	m->abort_on_close = nt.abort_on_close;
	s->prev_nt = nt;
}

static void
sock_publish_kernel(struct sockets *s)
{
	struct sockets_summary	*m = &s->sum;
	long			 v;

	m->tw_max_buckets = netstat_read_long(NETSTAT_TW_BUCKETS, &v) == 0 ?
	    v : -1;
	m->tw_reuse = netstat_read_long(NETSTAT_TW_REUSE, &v) == 0 ?
	    (int)v : -1;
	sock_publish_tw(m);
	sock_publish_counters(s);
}

/* Seconds between two samples, 0 when there is no earlier one. */
static double
sock_dt_s(uint64_t then_ms, uint64_t now_ms)
{
	if (then_ms == 0 || now_ms <= then_ms)
		return 0;
	return (double)(now_ms - then_ms) / 1000;
}

static void
sock_publish_summary(struct sockets *s, double dt_s)
{
	struct sockets_summary	*m = &s->sum;
	double			 dt, dt_tw;
	int			 i;

	/* count[TIME_WAIT] may be a tick's sample, younger than dt_s. */
	dt_tw = s->has_prev ? sock_dt_s(s->tw_ms, s->tw_phase_ms) : 0;
	m->has_rates = dt_s > 0;
	m->total = 0;
	for (i = 0; i < SOCK_NSTATES; i++) {
		dt = i == SOCK_ST_TIME_WAIT ? dt_tw : dt_s;
		m->rate[i] = m->has_rates && dt > 0 ?
		    ((double)s->wcount[i] - m->count[i]) / dt : 0;
		m->count[i] = s->wcount[i];
		m->total += s->wcount[i];
	}
	s->tw_ms = s->tw_phase_ms;
	sock_history_push(s);
	m->port_lo = s->port_lo;
	m->port_hi = s->port_hi;
	m->nports = (unsigned)s->port_hi - s->port_lo + 1;
	m->groups_dropped = s->wdropped;
	m->parse_errors = s->wparse_errors;
	sock_publish_kernel(s);
}

static void
sock_publish_rates(struct sockets_group *p, unsigned prev_ports,
    unsigned nports, double dt_s)
{
	p->has_rates = dt_s > 0;
	p->full_in_s = -1;
	if (!p->has_rates) {
		p->new_per_s = p->growth_per_s = 0;
		return;
	}
	p->growth_per_s = ((double)p->ports_used - prev_ports) / dt_s;
	if (p->growth_per_s > 0)
		p->full_in_s = p->ports_used >= nports ? 0 :
		    (nports - p->ports_used) / p->growth_per_s;
}

static void
sock_publish_groups(struct sockets *s, double dt_s, uint64_t now)
{
	struct sock_grp		*g;
	struct sockets_group	*p;
	unsigned		 prev_ports, nports = s->sum.nports;
	size_t			 i;

	for (i = 0; i < s->ngroups; i++) {
		g = &s->groups[i];
		p = &g->pub;
		prev_ports = p->ports_used;
		memcpy(p->count, g->wcount, sizeof(p->count));
		p->total = g->wtotal;
		p->ports_used = g->wports;
		p->port_pressure_pct = nports > 0 ?
		    100.0 * g->wports / nports : 0;
		sock_publish_rates(p, prev_ports, nports, dt_s);
		p->new_per_s = dt_s > 0 ? g->wnew_tw / dt_s : 0;
		p->pid = g->wpid;
		memcpy(p->comm, g->wcomm, sizeof(p->comm));
		p->is_alerting = 0;
		if (g->wtotal > 0)
			g->nonempty_ms = now;
	}
}

/* Drop groups empty for a while (sooner when the table fills up). */
static void
sock_evict(struct sockets *s, uint64_t now)
{
	struct sock_grp	*g;
	size_t		 i, j = 0;
	int		 is_crowded = s->ngroups * 4 >= SOCK_MAX_GROUPS * 3;

	for (i = 0; i < s->ngroups; i++) {
		g = &s->groups[i];
		if (g->wtotal == 0 && (is_crowded ||
		    now - g->nonempty_ms >= SOCK_EVICT_MS))
			continue;
		if (i != j)
			s->groups[j] = *g;
		j++;
	}
	if (j == s->ngroups)
		return;
	s->ngroups = j;
	memset(s->hash, 0, sizeof(s->hash));
	for (i = 0; i < j; i++)
		sock_hash_insert(s, i);
	s->last = NULL;
}

static int
sock_cmp_group(const void *a, const void *b)
{
	const struct sock_grp	*ga = *(struct sock_grp *const *)a;
	const struct sock_grp	*gb = *(struct sock_grp *const *)b;
	const struct sockets_group	*x = &ga->pub, *y = &gb->pub;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->side != y->side)
		return x->side < y->side ? -1 : 1;
	return strcmp(x->remote_str, y->remote_str);
}

static void
sock_sort(struct sockets *s)
{
	size_t	i;

	s->norder = 0;
	for (i = 0; i < s->ngroups; i++)
		if (s->groups[i].pub.total > 0)
			s->order[s->norder++] = &s->groups[i];
	qsort(s->order, s->norder, sizeof(*s->order), sock_cmp_group);
	s->sum.ngroups = (unsigned)s->norder;
}

/* --- alerts ------------------------------------------------------------ */

/* The one non-ASCII character messages may hold. */
#define SOCK_EMDASH	"\xe2\x80\x94"

static void __attribute__((format(printf, 3, 4)))
sock_cat(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;
	size_t	used = strlen(buf);

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* 1234567 -> "1,234,567" */
static void
sock_fmt_count(char *out, size_t len, double v)
{
	char		digits[24];
	size_t		n, i, o = 0;
	unsigned long long	x;

	x = v <= 0 ? 0 : v >= 1e18 ? 1000000000000000000ULL :
	    (unsigned long long)(v + 0.5);
	snprintf(digits, sizeof(digits), "%llu", x);
	n = strlen(digits);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static void
sock_fmt_pct(char *out, size_t len, double pct)
{
	if (pct > 0 && pct < 1)
		snprintf(out, len, "%.1f%%", pct);
	else
		snprintf(out, len, "%.0f%%", pct);
}

static void
sock_fmt_secs(char *out, size_t len, double secs)
{
	if (secs < 120)
		snprintf(out, len, "~%.0f s", secs < 1 ? 1 : secs);
	else
		snprintf(out, len, "~%.0f min", secs / 60);
}

static struct sockets_alert *
sock_alert_new(struct sockets *s, const char *kind, int severity,
    const char *remote)
{
	struct sockets_alert	*a;
	size_t			 i, low = 0;

	if (s->nalerts < SOCK_MAX_ALERTS)
		a = &s->alerts[s->nalerts++];
	else {
		for (i = 1; i < s->nalerts; i++)
			if (s->alerts[i].severity < s->alerts[low].severity)
				low = i;
		if (s->alerts[low].severity >= severity)
			return NULL;
		a = &s->alerts[low];
	}
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->severity = severity;
	snprintf(a->remote, sizeof(a->remote), "%s", remote);
	return a;
}

static int
sock_is_buildup(const struct sockets_group *p, unsigned nports)
{
	if (p->side != SOCK_SIDE_CLIENT || nports == 0 ||
	    p->count[SOCK_ST_TIME_WAIT] == 0)
		return 0;
	if (p->port_pressure_pct >= 40)
		return 1;
	if (!p->has_rates)
		return 0;
	/* TIME_WAIT lasts 60 s: new_per_s * 60 is where occupancy heads. */
	return (p->full_in_s >= 0 && p->full_in_s <= 60) ||
	    p->new_per_s * 60 >= 0.4 * nports;
}

static void
sock_alert_buildup(struct sockets *s, struct sockets_group *p)
{
	struct sockets_alert	*a;
	char			 n[32], pct[16], secs[32];
	int			 sev = SOCK_ALERT_WARN;

	if (p->port_pressure_pct >= 80 ||
	    (p->full_in_s >= 0 && p->full_in_s < 10))
		sev = SOCK_ALERT_CRIT;
	if ((a = sock_alert_new(s, "time_wait_buildup", sev,
	    p->remote_str)) == NULL)
		return;
	p->is_alerting = 1;
	sock_cat(a->message, sizeof(a->message), "churn to %s: ",
	    p->remote_str);
	if (p->has_rates) {
		sock_fmt_count(n, sizeof(n), p->new_per_s);
		sock_cat(a->message, sizeof(a->message),
		    "%s new connections/s end in TIME_WAIT, ", n);
	} else {
		sock_fmt_count(n, sizeof(n), p->count[SOCK_ST_TIME_WAIT]);
		sock_cat(a->message, sizeof(a->message),
		    "%s sockets in TIME_WAIT, ", n);
	}
	sock_fmt_pct(pct, sizeof(pct), p->port_pressure_pct);
	sock_cat(a->message, sizeof(a->message), "%s of ports to it in use",
	    pct);
	if (p->full_in_s >= 0) {
		sock_fmt_secs(secs, sizeof(secs), p->full_in_s);
		sock_cat(a->message, sizeof(a->message), ", full in %s", secs);
	}
	sock_cat(a->message, sizeof(a->message), " " SOCK_EMDASH
	    " connections are not being reused (client pool too small,"
	    " or response bodies not drained)");
}

static void
sock_alert_server(struct sockets *s, struct sockets_group *p)
{
	struct sockets_alert	*a;
	char			 n[32];

	if ((a = sock_alert_new(s, "server_time_wait", SOCK_ALERT_INFO,
	    p->remote_str)) == NULL)
		return;
	sock_fmt_count(n, sizeof(n), p->count[SOCK_ST_TIME_WAIT]);
	snprintf(a->message, sizeof(a->message), "%s closes first: %s "
	    "sockets in TIME_WAIT from %s " SOCK_EMDASH " harmless on the "
	    "server side, they hold no ephemeral ports", p->local_str, n,
	    p->remote_str);
}

static void
sock_alert_buckets(struct sockets *s)
{
	const struct sockets_summary	*m = &s->sum;
	struct sockets_alert		*a;
	char				 n[32], max[32], pct[16];

	if (m->tw_max_buckets <= 0 || m->tw_bucket_pct < 50)
		return;
	if ((a = sock_alert_new(s, "tw_buckets_near_limit",
	    m->tw_bucket_pct >= 90 ? SOCK_ALERT_CRIT : SOCK_ALERT_WARN,
	    "")) == NULL)
		return;
	sock_fmt_count(n, sizeof(n), m->count[SOCK_ST_TIME_WAIT]);
	sock_fmt_count(max, sizeof(max), (double)m->tw_max_buckets);
	sock_fmt_pct(pct, sizeof(pct), m->tw_bucket_pct);
	snprintf(a->message, sizeof(a->message), "%s sockets in TIME_WAIT, "
	    "%s of tcp_max_tw_buckets (%s) " SOCK_EMDASH " past the limit "
	    "the kernel drops TIME_WAIT state instead of keeping it",
	    n, pct, max);
}

static void
sock_alert_overflow(struct sockets *s)
{
	const struct sockets_summary	*m = &s->sum;
	struct sockets_alert		*a;
	char				 n[32];

	if (!m->has_rates || m->tw_overflow_per_s <= 0)
		return;
	if ((a = sock_alert_new(s, "tw_bucket_overflow", SOCK_ALERT_CRIT,
	    "")) == NULL)
		return;
	sock_fmt_count(n, sizeof(n), m->tw_overflow_per_s);
	snprintf(a->message, sizeof(a->message), "TCPTimeWaitOverflow is "
	    "growing (%s/s) " SOCK_EMDASH " tcp_max_tw_buckets is reached "
	    "and the kernel is silently dropping TIME_WAIT state; late "
	    "segments may reach new connections", n);
}

/* Insertion sort: stable, by severity, most severe first. */
static void
sock_alerts_sort(struct sockets *s)
{
	struct sockets_alert	t;
	size_t			i, j;

	for (i = 1; i < s->nalerts; i++) {
		t = s->alerts[i];
		for (j = i; j > 0 && s->alerts[j - 1].severity < t.severity;
		    j--)
			s->alerts[j] = s->alerts[j - 1];
		s->alerts[j] = t;
	}
}

static void
sock_alerts(struct sockets *s)
{
	struct sockets_group	*p;
	size_t			 i;

	s->nalerts = 0;
	sock_alert_overflow(s);
	sock_alert_buckets(s);
	for (i = 0; i < s->norder; i++) {
		p = &s->order[i]->pub;
		if (sock_is_buildup(p, s->sum.nports))
			sock_alert_buildup(s, p);
		else if (p->side == SOCK_SIDE_SERVER &&
		    p->count[SOCK_ST_TIME_WAIT] >= SOCK_SERVER_TW_INFO)
			sock_alert_server(s, p);
	}
	sock_alerts_sort(s);
}

/* --- processes --------------------------------------------------------- */

/*
 * The refresh met live sockets the inode map does not know: rebuild it
 * (at most every SOCK_PROCMAP_MIN_MS, and not for exactly the sockets the
 * last build could not see, another user's say) and attribute the ones
 * remembered.  Groups keep the owner after its sockets enter TIME_WAIT.
 */
static void
sock_resolve_missed(struct sockets *s)
{
	struct sock_grp	*g;
	const char	*comm;
	uint64_t	 now = tb_now_ms();
	size_t		 i;
	int		 pid;

	if (s->wmiss_n == 0 || (s->wmiss_n == s->unres_n &&
	    s->wmiss_xor == s->unres_xor))
		return;
	if (s->pm_is_built && now - s->pm_built_ms < SOCK_PROCMAP_MIN_MS)
		return;
	(void)procmap_build(s->pm, "/proc", PROCMAP_MAX_FDS);
	s->pm_is_built = 1;
	s->pm_built_ms = now;
	s->unres_n = s->wmiss_n;
	s->unres_xor = s->wmiss_xor;
	for (i = 0; i < s->nmissed; i++) {
		if (procmap_lookup(s->pm, s->missed[i].inode, &pid,
		    &comm) == -1)
			continue;
		g = &s->groups[s->missed[i].grp];
		g->wpid = pid;
		memcpy(g->wcomm, comm, sizeof(g->wcomm));
		g->wcomm[sizeof(g->wcomm) - 1] = '\0';
		s->unres_n--;
		s->unres_xor ^= s->missed[i].inode;
	}
}

/* --- driving the dumps ------------------------------------------------- */

static void
sock_finish(struct sockets *s)
{
	uint64_t	now = tb_now_ms();
	double		dt_s = 0;

	if (s->has_prev && s->tw_phase_ms > s->prev_tw_phase_ms)
		dt_s = (double)(s->tw_phase_ms - s->prev_tw_phase_ms) / 1000;
	sock_resolve_missed(s);
	sock_publish_summary(s, dt_s);
	sock_publish_groups(s, dt_s, now);
	sock_evict(s, now);
	sock_sort(s);
	sock_alerts(s);
	s->prev_tw_phase_ms = s->tw_phase_ms;
	s->has_prev = 1;
	s->sum.at_ms = now;
	s->sum.refresh_us = tb_now_us() - s->begin_us;
	s->sum.generation++;
	s->sum.full_at_ms = now;
	s->sum.full_generation++;
	s->err[0] = '\0';
	s->phase = SOCK_PH_IDLE;
}

/*
 * A kernel error on a step that reported nothing yet: an IPv6-less kernel
 * refuses AF_INET6 (that family has no sockets); one without the old
 * TCPDIAG_GETSOCK request gets the per-family dumps from now on.
 * Returns 1 if the error was absorbed, 0 if it is fatal.
 */
static int
sock_absorb_error(struct sockets *s, int kerr)
{
	const struct sock_step	*st = &s->steps[s->phase];

	if (s->phase_socks > 0)
		return 0;
	if (st->is_compat) {
		s->steps = sock_steps_v2;
		s->nsteps = (int)(sizeof(sock_steps_v2) /
		    sizeof(sock_steps_v2[0]));
		s->phase--;	/* the caller moves on to the v2 step */
		return 1;
	}
	return st->family == AF_INET6 &&
	    (kerr == ENOENT || kerr == EAFNOSUPPORT);
}

/* Handle one datagram: 1 when the current dump phase is over, -1 error. */
static int
sock_on_datagram(struct sockets *s, size_t len)
{
	unsigned	nbad;
	int		rc, is_done, kerr;

	rc = diag_parse(s->rbuf, len, s->seq, sock_on_sock, s, &is_done,
	    &kerr, &nbad);
	s->wparse_errors += nbad;
	if (rc > 0)
		s->phase_socks += (unsigned)rc;
	if (rc == DIAG_EKERNEL) {
		if (sock_absorb_error(s, kerr))
			return 1;
		snprintf(s->err, sizeof(s->err), "sock_diag dump: %s",
		    strerror(kerr));
		return -1;
	}
	if (rc < 0)
		s->wparse_errors++;
	return is_done;
}

/*
 * Read up to max datagrams (0: until EAGAIN).  Returns 1 when the refresh
 * completed, 0 when more is to come, -1 on failure (s->err set, idle).
 */
static int
sock_drain(struct sockets *s, unsigned max)
{
	ssize_t		n;
	unsigned	i;
	int		rc;

	for (i = 0; max == 0 || i < max; i++) {
		n = recv(s->fd, s->rbuf, sizeof(s->rbuf), MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n == -1) {
			snprintf(s->err, sizeof(s->err), "sock_diag recv: %s",
			    strerror(errno));
			s->phase = SOCK_PH_IDLE;
			return -1;
		}
		if (s->phase == SOCK_PH_IDLE)
			continue;	/* the rest of an abandoned dump */
		if ((rc = sock_on_datagram(s, (size_t)n)) == -1) {
			s->phase = SOCK_PH_IDLE;
			return -1;
		}
		if (rc == 0)
			continue;
		if (++s->phase == s->nsteps) {
			sock_finish(s);
			return 1;
		}
		if (sock_start_phase(s) == -1) {
			s->phase = SOCK_PH_IDLE;
			return -1;
		}
	}
	return 0;
}

/* --- the CPU budget ---------------------------------------------------- */

/* What the budget asks between two full enumerations' starts. */
static uint64_t
sock_full_wait_ms(const struct sockets *s)
{
	double	ms;

	if (s->budget_pct <= 0)
		return s->interval_ms;
	ms = s->sum.full_cpu_ms * 100 / s->budget_pct;
	return ms > s->interval_ms ? (uint64_t)ms : s->interval_ms;
}

/* They start at ticks: the first tick at or past the wait. */
static void
sock_publish_schedule(struct sockets *s)
{
	uint64_t	wait = sock_full_wait_ms(s), k;

	k = wait > SOCK_TICK_SLACK_MS ? (wait - SOCK_TICK_SLACK_MS +
	    s->interval_ms - 1) / s->interval_ms : 1;
	if (k < 1)
		k = 1;
	if (k * s->interval_ms > UINT_MAX)
		k = UINT_MAX / s->interval_ms;
	s->sum.full_interval_ms = (unsigned)(k * s->interval_ms);
	s->sum.is_budgeted = k > 1;
}

static int
sock_full_is_due(const struct sockets *s, uint64_t now)
{
	if (s->budget_pct <= 0 || !s->has_prev)
		return 1;
	return now + SOCK_TICK_SLACK_MS >= s->full_start_ms +
	    sock_full_wait_ms(s);
}

/* sock_drain() with its CPU time charged to the enumeration. */
static int
sock_drain_timed(struct sockets *s, unsigned max)
{
	uint64_t	cpu0 = sock_cpu_ns();
	int		rc;

	rc = sock_drain(s, max);
	s->full_cpu_ns += sock_cpu_ns() - cpu0;
	if (rc == 1) {
		s->sum.full_cpu_ms = (double)s->full_cpu_ns / 1e6;
		sock_publish_schedule(s);
	}
	return rc;
}

/*
 * A tick between full enumerations: only what the O(1) counters know.
 * TIME_WAIT comes from sockstat's tw (both families, this namespace);
 * the other states keep their last enumerated counts.
 */
static void
sock_tick(struct sockets *s)
{
	struct sockets_summary	*m = &s->sum;
	struct netstat_sockstat	 ss;
	uint64_t		 now = tb_now_ms();
	double			 dt_s;
	int			 i;

	if (netstat_read_sockstat(NETSTAT_SOCKSTAT, NETSTAT_SOCKSTAT6,
	    &ss) == 0 && ss.tw >= 0 && ss.tw <= UINT_MAX) {
		dt_s = sock_dt_s(s->tw_ms, now);
		m->rate[SOCK_ST_TIME_WAIT] = dt_s > 0 ? ((double)ss.tw -
		    m->count[SOCK_ST_TIME_WAIT]) / dt_s : 0;
		m->count[SOCK_ST_TIME_WAIT] = (unsigned)ss.tw;
		s->tw_ms = now;
	}
	m->total = 0;
	for (i = 0; i < SOCK_NSTATES; i++)
		m->total += m->count[i];
	sock_publish_tw(m);
	if (sock_dt_s(s->ctr_ms, now) > 0)
		m->has_rates = 1;
	sock_publish_counters(s);
	sock_history_push(s);
	m->at_ms = now;
	m->generation++;
}

/* Run the refresh in progress to its end, waiting in poll(). */
static int
sock_run_sync(struct sockets *s)
{
	struct pollfd	pfd;
	uint64_t	deadline = tb_now_ms() + SOCK_STALL_MS, now;
	int		rc;

	for (;;) {
		if ((rc = sock_drain_timed(s, 0)) != 0)
			return rc == 1 ? 0 : -1;
		if ((now = tb_now_ms()) >= deadline) {
			snprintf(s->err, sizeof(s->err),
			    "sock_diag dump timed out");
			s->phase = SOCK_PH_IDLE;
			return -1;
		}
		pfd.fd = s->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(deadline - now)) == -1 &&
		    errno != EINTR) {
			snprintf(s->err, sizeof(s->err), "poll: %s",
			    strerror(errno));
			s->phase = SOCK_PH_IDLE;
			return -1;
		}
	}
}

static void
sock_on_readable(int fd, short revents, void *arg)
{
	struct sockets	*s = arg;

	(void)fd;
	(void)revents;
	(void)sock_drain_timed(s, SOCK_DRAIN_MAX);
}

static void
sock_on_timer(void *arg)
{
	struct sockets	*s = arg;
	uint64_t	 now = tb_now_ms();

	s->timer_id = tb_loop_timer(s->loop, now + s->interval_ms,
	    sock_on_timer, s);
	if (s->phase != SOCK_PH_IDLE) {
		if (tb_now_us() - s->begin_us < SOCK_STALL_MS * 1000ULL)
			return;
		snprintf(s->err, sizeof(s->err), "sock_diag dump stalled");
		s->phase = SOCK_PH_IDLE;
		(void)sock_drain(s, SOCK_DRAIN_MAX);
	}
	if (!sock_full_is_due(s, now)) {
		sock_tick(s);
		return;
	}
	s->full_start_ms = now;
	if (sock_begin(s) == 0)
		(void)sock_drain_timed(s, SOCK_DRAIN_MAX);
}

/* --- public ------------------------------------------------------------ */

struct sockets *
sockets_new(char *err, size_t errlen)
{
	struct sockets	*s;
	int		 fd, rcvbuf = SOCK_SO_RCVBUF;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_SOCK_DIAG);
	if (fd == -1) {
		snprintf(err, errlen, "sock_diag socket: %s", strerror(errno));
		return NULL;
	}
	/* Best effort: unprivileged, the kernel caps it at rmem_max. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->phase = SOCK_PH_IDLE;
	s->steps = sock_steps_compat;
	s->nsteps = (int)(sizeof(sock_steps_compat) /
	    sizeof(sock_steps_compat[0]));
	s->interval_ms = 1000;
	s->groups = xcalloc(SOCK_MAX_GROUPS, sizeof(*s->groups));
	s->order = xcalloc(SOCK_MAX_GROUPS, sizeof(*s->order));
	s->pm = procmap_new();
	s->prev_nt.tw = s->prev_nt.tw_overflow = -1;
	s->prev_nt.abort_on_close = -1;
	s->prev_sn.active_opens = s->prev_sn.passive_opens = -1;
	s->sum.curr_estab = -1;
	s->sum.full_interval_ms = s->interval_ms;
	s->sum.tw_max_buckets = -1;
	s->sum.tw_reuse = -1;
	s->sum.tw_total = s->sum.tw_overflow = s->sum.abort_on_close = -1;
	s->port_lo = SOCK_DEF_PORT_LO;
	s->port_hi = SOCK_DEF_PORT_HI;
	return s;
}

void
sockets_free(struct sockets *s)
{
	if (s == NULL)
		return;
	if (s->loop != NULL) {
		if (s->timer_id != 0)
			tb_loop_timer_cancel(s->loop, s->timer_id);
		tb_loop_io_del(s->loop, s->fd);
	}
	close(s->fd);
	procmap_free(s->pm);
	free(s->order);
	free(s->groups);
	free(s);
}

int
sockets_attach(struct sockets *s, struct tb_loop *loop, unsigned interval_ms)
{
	if (tb_loop_io(loop, s->fd, POLLIN, sock_on_readable, s) == -1)
		return -1;
	s->loop = loop;
	s->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	sock_publish_schedule(s);
	s->timer_id = tb_loop_timer(loop, tb_now_ms(), sock_on_timer, s);
	return 0;
}

void
sockets_set_interval(struct sockets *s, unsigned interval_ms)
{
	s->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	sock_publish_schedule(s);
	if (s->loop == NULL || s->timer_id == 0)
		return;
	tb_loop_timer_cancel(s->loop, s->timer_id);
	s->timer_id = tb_loop_timer(s->loop, tb_now_ms() + s->interval_ms,
	    sock_on_timer, s);
}

void
sockets_set_budget(struct sockets *s, double pct)
{
	if (!(pct > 0))		/* NaN too */
		pct = 0;
	else if (pct < SOCK_MIN_BUDGET_PCT)
		pct = SOCK_MIN_BUDGET_PCT;
	else if (pct > SOCK_MAX_BUDGET_PCT)
		pct = SOCK_MAX_BUDGET_PCT;
	s->budget_pct = pct;
	sock_publish_schedule(s);
}

int
sockets_refresh(struct sockets *s, char *err, size_t errlen)
{
	/* Finish an asynchronous refresh first: one dump at a time. */
	if (s->phase != SOCK_PH_IDLE && sock_run_sync(s) == -1)
		goto fail;
	s->full_start_ms = tb_now_ms();
	if (sock_begin(s) == -1 || sock_run_sync(s) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s", s->err);
	return -1;
}

const char *
sockets_error(const struct sockets *s)
{
	return s->err;
}

const struct sockets_summary *
sockets_summary(const struct sockets *s)
{
	return &s->sum;
}

size_t
sockets_history(const struct sockets *s, int state, unsigned *out,
    size_t max)
{
	size_t	n, i, start;

	if (state < 0 || state >= SOCK_NSTATES)
		return 0;
	n = s->hist_n < max ? s->hist_n : max;
	start = (s->hist_pos + SOCK_HISTORY_LEN - n) % SOCK_HISTORY_LEN;
	for (i = 0; i < n; i++)
		out[i] = s->hist[state][(start + i) % SOCK_HISTORY_LEN];
	return n;
}

size_t
sockets_ngroups(const struct sockets *s)
{
	return s->norder;
}

const struct sockets_group *
sockets_group_at(const struct sockets *s, size_t i)
{
	if (i >= s->norder)
		return NULL;
	return &s->order[i]->pub;
}

size_t
sockets_nalerts(const struct sockets *s)
{
	return s->nalerts;
}

const struct sockets_alert *
sockets_alert_at(const struct sockets *s, size_t i)
{
	if (i >= s->nalerts)
		return NULL;
	return &s->alerts[i];
}
