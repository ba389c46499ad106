/*
 * The lab's DNS server: authoritative for lab.test and for the reverse
 * names of the lab's addresses, on 198.51.100.53 port 53, UDP and TCP.
 *
 *   www.lab.test	CNAME front.lab.test, CNAME web.lab.test, A
 *   slow.lab.test	answered after LABD_DNS_SLOW_MS
 *   broken.lab.test	SERVFAIL
 *   anything else	NXDOMAIN (REFUSED outside the lab's names)
 *
 * Queries are hostile input: every length is checked against what
 * arrived, compression in a question is refused, and answers are built
 * into a bounded buffer.
 */
#include "config.h"

#include "lab/labd.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "loop.h"
#include "model/dns_wire.h"

#define LABD_DNS_SLOW_MS	800
#define LABD_DNS_MAX_SLOW	64	/* delayed answers held at once */
#define LABD_DNS_MSG_MAX	512	/* no EDNS: classic UDP size */
#define LABD_DNS_TTL		60
#define LABD_DNS_MAX_CHAIN	8
#define LABD_DNS_MAX_TCP	16	/* TCP connections at once */
#define LABD_DNS_TCP_IDLE_MS	10000

#define R_NOERROR	0
#define R_FORMERR	1
#define R_SERVFAIL	2
#define R_NXDOMAIN	3
#define R_NOTIMP	4
#define R_REFUSED	5

/* The forward zone; PTRs and router names come from labd_hosts. */
static const struct zrec {
	const char	*name;
	uint16_t	 type;
	const char	*data;
} zone[] = {
	{ "lab.test",		DNS_T_SOA,	NULL },
	{ "lab.test",		DNS_T_NS,	"ns.lab.test" },
	{ "www.lab.test",	DNS_T_CNAME,	"front.lab.test" },
	{ "front.lab.test",	DNS_T_CNAME,	"web.lab.test" },
	{ "slow.lab.test",	DNS_T_A,	LABD_WEB4 },
};
#define NZONE	(sizeof(zone) / sizeof(zone[0]))

struct msg {
	uint8_t		 b[LABD_DNS_MSG_MAX];
	size_t		 len;
	int		 is_full;
};

struct slow {
	struct sockaddr_in	 to;
	struct msg		 m;
	uint64_t		 due_ms;
	int			 is_used;
};

static struct slow	slows[LABD_DNS_MAX_SLOW];

static void
msg_put(struct msg *m, const void *p, size_t n)
{
	if (m->is_full || n > sizeof(m->b) - m->len) {
		m->is_full = 1;
		return;
	}
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
msg_u16(struct msg *m, uint16_t v)
{
	uint8_t	b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	msg_put(m, b, 2);
}

static void
msg_u32(struct msg *m, uint32_t v)
{
	msg_u16(m, (uint16_t)(v >> 16));
	msg_u16(m, (uint16_t)v);
}

/* A dotted name of ours (plain labels) in wire form. */
static void
msg_name(struct msg *m, const char *name)
{
	const char	*dot;
	size_t		 n;
	uint8_t		 len;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		if (n == 0 || n > 63) {
			m->is_full = 1;
			return;
		}
		len = (uint8_t)n;
		msg_put(m, &len, 1);
		msg_put(m, name, n);
		name += n + (dot != NULL);
	}
	msg_put(m, "", 1);
}

/* Record header, then the RDATA's length filled in once it is known. */
static size_t
rr_begin(struct msg *m, const char *owner, uint16_t type)
{
	msg_name(m, owner);
	msg_u16(m, type);
	msg_u16(m, DNS_C_IN);
	msg_u32(m, LABD_DNS_TTL);
	msg_u16(m, 0);
	return m->len;
}

static void
rr_end(struct msg *m, size_t start)
{
	size_t	n = m->len - start;

	if (m->is_full || start < 2)
		return;
	m->b[start - 2] = (uint8_t)(n >> 8);
	m->b[start - 1] = (uint8_t)n;
}

static void
rr_soa(struct msg *m)
{
	size_t	s = rr_begin(m, LABD_ZONE, DNS_T_SOA);

	msg_name(m, "ns.lab.test");
	msg_name(m, "hostmaster.lab.test");
	msg_u32(m, 2026112701);
	msg_u32(m, 3600);
	msg_u32(m, 600);
	msg_u32(m, 86400);
	msg_u32(m, LABD_DNS_TTL);
	rr_end(m, s);
}

static void
rr_a(struct msg *m, const char *owner, const char *addr)
{
	struct in_addr	a;
	size_t		s;

	if (inet_pton(AF_INET, addr, &a) != 1)
		return;
	s = rr_begin(m, owner, DNS_T_A);
	msg_put(m, &a, 4);
	rr_end(m, s);
}

static void
rr_name(struct msg *m, const char *owner, uint16_t type, const char *target)
{
	size_t	s = rr_begin(m, owner, type);

	msg_name(m, target);
	rr_end(m, s);
}

/* --- answering --------------------------------------------------------- */

struct ans {
	struct msg	*m;
	unsigned	 nan, nns;
	int		 rcode;
};

static int
is_in_zone(const char *name)
{
	size_t	n = strlen(name), z = strlen(LABD_ZONE);

	return strcmp(name, LABD_ZONE) == 0 || (n > z + 1 &&
	    name[n - z - 1] == '.' && strcmp(name + n - z, LABD_ZONE) == 0);
}

/* The name's records of TYPE (0: any) into the answer; how many. */
static unsigned
zone_add(struct msg *m, const char *name, uint16_t type, int *exists)
{
	unsigned	n = 0;
	size_t		i;

	for (i = 0; i < NZONE; i++) {
		if (strcmp(zone[i].name, name) != 0)
			continue;
		*exists = 1;
		if (type != DNS_T_ANY && zone[i].type != type)
			continue;
		if (zone[i].type == DNS_T_SOA)
			rr_soa(m);
		else if (zone[i].type == DNS_T_A)
			rr_a(m, name, zone[i].data);
		else
			rr_name(m, name, zone[i].type, zone[i].data);
		n++;
	}
	/* Hosts: the first address of each name is its A record. */
	for (i = 0; i < labd_nhosts; i++) {
		if (strcmp(labd_hosts[i].name, name) != 0)
			continue;
		*exists = 1;
		if (type == DNS_T_A || type == DNS_T_ANY) {
			rr_a(m, name, labd_hosts[i].addr);
			n++;
		}
		break;
	}
	return n;
}

static const char *
zone_cname(const char *name)
{
	size_t	i;

	for (i = 0; i < NZONE; i++)
		if (zone[i].type == DNS_T_CNAME &&
		    strcmp(zone[i].name, name) == 0)
			return zone[i].data;
	return NULL;
}

static void
answer_forward(struct ans *a, const char *qname, uint16_t qtype)
{
	const char	*cur = qname, *next;
	unsigned	 n;
	int		 exists = 0, i;

	for (i = 0; i < LABD_DNS_MAX_CHAIN && qtype != DNS_T_CNAME &&
	    qtype != DNS_T_ANY && (next = zone_cname(cur)) != NULL; i++) {
		rr_name(a->m, cur, DNS_T_CNAME, next);
		a->nan++;
		cur = next;
	}
	n = zone_add(a->m, cur, qtype, &exists);
	a->nan += n;
	/* The rcode is the last name's (RFC 6604); no data: the SOA. */
	if (!exists)
		a->rcode = R_NXDOMAIN;
	if (n == 0) {
		rr_soa(a->m);
		a->nns++;
	}
}

/* "D.C.B.A.in-addr.arpa" of a lab address: 1 answered, 0 not ours. */
static int
answer_reverse(struct ans *a, const char *qname, uint16_t qtype)
{
	unsigned	o[4];
	char		addr[16], tail[32];
	size_t		i;

	if (sscanf(qname, "%3u.%3u.%3u.%3u.%31s", &o[0], &o[1], &o[2],
	    &o[3], tail) != 5 || strcmp(tail, "in-addr.arpa") != 0 ||
	    o[0] > 255 || o[1] > 255 || o[2] > 255 || o[3] > 255)
		return 0;
	(void)snprintf(addr, sizeof(addr), "%u.%u.%u.%u", o[3], o[2], o[1],
	    o[0]);
	for (i = 0; i < labd_nhosts; i++)
		if (strcmp(labd_hosts[i].addr, addr) == 0)
			break;
	if (i == labd_nhosts) {
		if (strncmp(addr, "203.0.113.", 10) != 0 &&
		    strncmp(addr, "192.0.2.", 8) != 0 &&
		    strncmp(addr, "198.51.100.", 11) != 0)
			return 0;
		a->rcode = R_NXDOMAIN;
		return 1;
	}
	if (qtype == DNS_T_PTR || qtype == DNS_T_ANY) {
		rr_name(a->m, qname, DNS_T_PTR, labd_hosts[i].name);
		a->nan++;
	}
	return 1;
}

/*
 * The question as a lower-case dotted name: -1 (FORMERR) if malformed,
 * 1 if a label holds a byte no lab name has (REFUSED), else 0.  *endp is
 * past QTYPE and QCLASS.
 */
static int
parse_question(const uint8_t *q, size_t len, char *name, size_t namelen,
    uint16_t *qtype, uint16_t *qclass, size_t *endp)
{
	size_t	off = 12, out = 0, n, i;
	int	is_odd = 0;

	for (;;) {
		if (off >= len)
			return -1;
		n = q[off++];
		if (n == 0)
			break;
		if (n > 63 || n > len - off || out + n + 2 > namelen)
			return -1;	/* pointers (0xc0) included */
		if (out > 0)
			name[out++] = '.';
		for (i = 0; i < n; i++) {
			if (!isalnum(q[off + i]) && q[off + i] != '-' &&
			    q[off + i] != '_')
				is_odd = 1;
			name[out++] = (char)tolower(q[off + i]);
		}
		off += n;
	}
	if (out == 0)
		name[out++] = '.';
	name[out] = '\0';
	if (len - off < 4)
		return -1;
	*qtype = (uint16_t)(q[off] << 8 | q[off + 1]);
	*qclass = (uint16_t)(q[off + 2] << 8 | q[off + 3]);
	*endp = off + 4;
	return is_odd;
}

/* Build the reply to Q; 1 if it must wait (slow.lab.test), -1 none. */
static int
dns_reply(const uint8_t *q, size_t len, struct msg *m)
{
	char		 name[DNS_NAME_WIRE_MAX + 2];
	struct ans	 a;
	uint16_t	 flags, qtype = 0, qclass = 0;
	size_t		 qend = 12;
	int		 pr = -1, is_slow = 0;

	if (len < 12 || (q[2] & 0x80))
		return -1;	/* too short for an id, or a response */
	memset(&a, 0, sizeof(a));
	a.m = m;
	m->len = 0;
	m->is_full = 0;
	if (((q[2] >> 3) & 0xf) != 0)
		a.rcode = R_NOTIMP;
	else if ((q[4] << 8 | q[5]) != 1)
		a.rcode = R_FORMERR;
	else if ((pr = parse_question(q, len, name, sizeof(name), &qtype,
	    &qclass, &qend)) == -1)
		a.rcode = R_FORMERR;
	msg_put(m, q, 12);
	if (pr == -1)
		qend = 12;	/* no question echoed */
	else
		msg_put(m, q + 12, qend - 12);
	if (pr == 1 || (pr == 0 && qclass != DNS_C_IN))
		a.rcode = R_REFUSED;
	else if (pr == 0 && strcmp(name, "broken.lab.test") == 0)
		a.rcode = R_SERVFAIL;
	else if (pr == 0 && is_in_zone(name)) {
		answer_forward(&a, name, qtype);
		is_slow = strcmp(name, "slow.lab.test") == 0;
	} else if (pr == 0 && !answer_reverse(&a, name, qtype))
		a.rcode = R_REFUSED;
	if (m->is_full) {
		/* Cannot happen with this zone: say so rather than lie. */
		m->len = qend;
		m->is_full = 0;
		a.nan = a.nns = 0;
		a.rcode = R_SERVFAIL;
	}
	flags = DNS_F_QR | DNS_F_AA | (uint16_t)((q[2] << 8) & DNS_F_RD) |
	    (uint16_t)a.rcode;
	m->b[2] = (uint8_t)(flags >> 8);
	m->b[3] = (uint8_t)flags;
	m->b[4] = 0;
	m->b[5] = pr == -1 ? 0 : 1;
	m->b[6] = (uint8_t)(a.nan >> 8);
	m->b[7] = (uint8_t)a.nan;
	m->b[8] = (uint8_t)(a.nns >> 8);
	m->b[9] = (uint8_t)a.nns;
	m->b[10] = m->b[11] = 0;
	return is_slow;
}

static void
dns_on_query(int fd)
{
	static struct msg	 m;
	struct sockaddr_in	 from;
	socklen_t		 fromlen = sizeof(from);
	uint8_t			 q[LABD_DNS_MSG_MAX];
	ssize_t			 n;
	size_t			 i;
	int			 rc;

	n = recvfrom(fd, q, sizeof(q), MSG_DONTWAIT | MSG_TRUNC,
	    (struct sockaddr *)&from, &fromlen);
	if (n <= 0 || (size_t)n > sizeof(q))
		return;	/* nothing, or larger than any query we answer */
	if ((rc = dns_reply(q, (size_t)n, &m)) == -1)
		return;
	if (rc == 0) {
		(void)sendto(fd, m.b, m.len, MSG_DONTWAIT,
		    (struct sockaddr *)&from, fromlen);
		return;
	}
	for (i = 0; i < LABD_DNS_MAX_SLOW; i++)
		if (!slows[i].is_used) {
			slows[i].is_used = 1;
			slows[i].to = from;
			slows[i].m = m;
			slows[i].due_ms = tb_now_ms() + LABD_DNS_SLOW_MS;
			return;
		}
	/* Too many slow answers waiting: this one is lost, as on a busy
	 * server. */
}

/* Send the slow answers that are due; the poll timeout until the next. */
static int
dns_on_slow(int fd)
{
	uint64_t	now = tb_now_ms(), next = UINT64_MAX;
	size_t		i;

	for (i = 0; i < LABD_DNS_MAX_SLOW; i++) {
		if (!slows[i].is_used)
			continue;
		if (slows[i].due_ms <= now) {
			(void)sendto(fd, slows[i].m.b, slows[i].m.len,
			    MSG_DONTWAIT, (struct sockaddr *)&slows[i].to,
			    sizeof(slows[i].to));
			slows[i].is_used = 0;
		} else if (slows[i].due_ms < next)
			next = slows[i].due_ms;
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

/* --- TCP (RFC 7766): one query at a time per connection ------------- */

struct tconn {
	int		 fd;
	uint8_t		 in[2 + LABD_DNS_MSG_MAX];
	size_t		 nin;
	uint8_t		 out[2 + LABD_DNS_MSG_MAX];
	size_t		 nout, outoff;
	uint64_t	 due_ms;	/* slow.lab.test: not before */
	uint64_t	 active_ms;
};

static struct tconn	tconns[LABD_DNS_MAX_TCP];
static size_t		ntconns;

static void
tcp_close(size_t i)
{
	(void)close(tconns[i].fd);
	tconns[i] = tconns[--ntconns];
}

/* A whole query is in: its answer goes out (when due).  -1 to close. */
static int
tcp_query(struct tconn *c, uint64_t now)
{
	static struct msg	 m;
	size_t			 len;
	int			 rc;

	if (c->nout > 0 || c->nin < 2)
		return 0;
	len = (size_t)c->in[0] << 8 | c->in[1];
	if (len < 12 || len > LABD_DNS_MSG_MAX)
		return -1;
	if (c->nin < 2 + len)
		return 0;
	if ((rc = dns_reply(c->in + 2, len, &m)) == -1)
		return -1;
	c->out[0] = (uint8_t)(m.len >> 8);
	c->out[1] = (uint8_t)m.len;
	memcpy(c->out + 2, m.b, m.len);
	c->nout = 2 + m.len;
	c->outoff = 0;
	c->due_ms = rc == 1 ? now + LABD_DNS_SLOW_MS : 0;
	memmove(c->in, c->in + 2 + len, c->nin - 2 - len);
	c->nin -= 2 + len;
	return 0;
}

static int
tcp_io(struct tconn *c, short revents, uint64_t now)
{
	ssize_t	n;

	if ((revents & (POLLIN | POLLHUP | POLLERR)) &&
	    c->nin < sizeof(c->in)) {
		n = read(c->fd, c->in + c->nin, sizeof(c->in) - c->nin);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n > 0) {
			c->nin += (size_t)n;
			c->active_ms = now;
		}
	}
	if (tcp_query(c, now) == -1)
		return -1;
	if (c->nout == 0 || now < c->due_ms)
		return 0;
	n = write(c->fd, c->out + c->outoff, c->nout - c->outoff);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	c->outoff += (size_t)n;
	if (c->outoff == c->nout) {
		c->nout = 0;
		c->active_ms = now;
		return tcp_query(c, now);	/* a pipelined one */
	}
	return 0;
}

static void
tcp_accept(int lfd, uint64_t now)
{
	int	fd;

	while (ntconns < LABD_DNS_MAX_TCP && (fd = accept4(lfd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		memset(&tconns[ntconns], 0, sizeof(tconns[0]));
		tconns[ntconns].fd = fd;
		tconns[ntconns++].active_ms = now;
	}
}

static int
dns_bind(int type, struct labd_env *e)
{
	struct sockaddr_in	sin;
	int			fd, on = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	(void)inet_pton(AF_INET, LABD_DNS4, &sin.sin_addr);
	if ((fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		labd_fail(e, "%s:53: %s", LABD_DNS4, strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 64) == -1))
		labd_fail(e, "%s:53/%s: %s", LABD_DNS4,
		    type == SOCK_STREAM ? "tcp" : "udp", strerror(errno));
	return fd;
}

void
labd_dns_main(struct labd_env *e)
{
	struct pollfd	 pfds[2 + LABD_DNS_MAX_TCP];
	uint64_t	 now;
	size_t		 i, n;
	int		 ufd, lfd, timeout;

	ufd = dns_bind(SOCK_DGRAM, e);
	lfd = dns_bind(SOCK_STREAM, e);
	labd_drop(e);
	labd_ready(e);
	for (;;) {
		now = tb_now_ms();
		timeout = dns_on_slow(ufd);
		pfds[0].fd = ufd;
		pfds[0].events = POLLIN;
		pfds[1].fd = ntconns < LABD_DNS_MAX_TCP ? lfd : -1;
		pfds[1].events = POLLIN;
		for (i = 0, n = ntconns; i < n; i++) {
			pfds[2 + i].fd = tconns[i].fd;
			pfds[2 + i].events = tconns[i].nout == 0 ? POLLIN :
			    tconns[i].due_ms > now ? 0 : POLLOUT;
			if (tconns[i].nout > 0 && tconns[i].due_ms > now &&
			    (timeout == -1 ||
			    tconns[i].due_ms - now < (uint64_t)timeout))
				timeout = (int)(tconns[i].due_ms - now);
		}
		if (n > 0 && (timeout == -1 || timeout > 1000))
			timeout = 1000;	/* idle connections time out */
		if (poll(pfds, 2 + n, timeout) == -1)
			continue;
		now = tb_now_ms();
		if (pfds[0].revents & POLLIN)
			dns_on_query(ufd);
		/* Backwards: closing moves the last connection here. */
		for (i = n; i-- > 0;)
			if (tcp_io(&tconns[i], pfds[2 + i].revents,
			    now) == -1 ||
			    now - tconns[i].active_ms > LABD_DNS_TCP_IDLE_MS)
				tcp_close(i);
		if (pfds[1].revents & POLLIN)
			tcp_accept(lfd, now);
	}
}
