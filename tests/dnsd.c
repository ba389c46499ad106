/*
 * dnsd: a DNS responder for the faults a real server will not produce on
 * demand.  The query name picks the behaviour ("KIND.t", or any name
 * ending in ".KIND.t", case-insensitive):
 *
 *   servfail.t  SERVFAIL              refused.t  REFUSED
 *   silent.t    never answers         slow.t     A, sent --delay-ms later
 *   ad.t        A with the AD bit     loop.t     owner name loops on a
 *                                                backwards pointer
 *   long.t      owner name > 255      count.t    ANCOUNT larger than the
 *                                                records present
 *   esc.t       ESC, BEL and 0x9b in a CNAME target (and its owner) and,
 *               asked for TXT, in a TXT string
 *   nul.t       NUL and ESC in a TXT string
 *   hostile.t   every byte a terminal acts on (ESC [ 2 J, OSC 52 and OSC
 *               0, 0x9b, NUL, C1 raw and as UTF-8, the bidi controls
 *               U+202E and U+2066-U+2069, invalid UTF-8): a CNAME to a
 *               label of them (then its A), or asked for TXT a string of
 *               them, or asked for PTR a PTR to that label
 *   ttl1.t      A with TTL 1 whose address changes on every query
 *               (192.0.2.100, .101, ...): re-queries show
 *   PTR of any address: a name made of the address, 10.200.1.2 ->
 *               h-10-200-1-2.rev.t, fd00::2 -> h6-fd00...0002.rev.t
 *   anything else NXDOMAIN (SOA "t." in the authority section, minimum 77)
 *
 *   dnsd [--addr A] [--port P] [--delay-ms MS] [--max-seconds S]
 *
 * UDP and TCP on the same port (0: any free one).  Prints the port on
 * stdout when both are listening.  One thread, one poll(); a delayed
 * answer waits on a timer, never blocking other queries.  Exits after
 * --max-seconds (default 60) or on SIGTERM/SIGINT.
 */
#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define DD_MAX_MSG		4096	/* answers we build stay small */
#define DD_MAX_TCP		32	/* TCP clients at once */
#define DD_MAX_DELAYED		256	/* slow.t answers waiting */
#define DD_TCP_IDLE_MS		10000
#define DD_HDR			12

#define DNS_T_A			1
#define DNS_T_CNAME		5
#define DNS_T_SOA		6
#define DNS_T_TXT		16
#define DNS_T_PTR		12

#define RC_NOERROR		0
#define RC_SERVFAIL		2
#define RC_NXDOMAIN		3
#define RC_REFUSED		5

#define F_QR			0x8000
#define F_AA			0x0400
#define F_RD			0x0100
#define F_RA			0x0080
#define F_AD			0x0020

struct tcpc {
	int		 fd;		/* -1: free slot */
	uint64_t	 idle_ms;	/* closed when idle past this */
	size_t		 len;
	uint8_t		 buf[2 + 512];	/* queries are small */
};

struct delayed {
	int		 is_used;
	uint64_t	 due_ms;
	int		 tcp_fd;	/* -1: answer over UDP */
	struct sockaddr_storage	 peer;
	socklen_t	 peerlen;
	size_t		 len;
	uint8_t		 msg[DD_MAX_MSG];
};

/* The answer being built. */
struct out {
	uint8_t		 b[DD_MAX_MSG];
	size_t		 len;
	int		 is_silent;
	int		 is_delayed;
};

struct query {
	uint16_t	 id, flags, qtype;
	const uint8_t	*q;		/* question as sent: name, type, class */
	size_t		 qlen;
	char		 name[256];	/* lower case, dotted, no trailing dot */
};

static volatile sig_atomic_t	 got_signal;
static unsigned			 delay_ms = 300;
static unsigned long		 nqueries;
static struct tcpc		 tcp[DD_MAX_TCP];
static struct delayed		 delayed[DD_MAX_DELAYED];

static void
usage(void)
{
	fputs("usage: dnsd [--addr A] [--port P] [--delay-ms MS] "
	    "[--max-seconds S]\n", stderr);
	exit(2);
}

static void
on_signal(int signo)
{
	got_signal = signo;
}

static unsigned long
parse_num(const char *s, const char *what, unsigned long lo,
    unsigned long hi)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die("bad %s '%s' (%lu..%lu)", what, s, lo, hi);
	return v;
}

/* --- building answers ------------------------------------------------ */

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > sizeof(o->b))
		die("answer too large (bug)");
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

static void
put16(struct out *o, uint16_t v)
{
	uint8_t	 b[2] = { v >> 8, v & 0xff };

	put(o, b, 2);
}

static void
put32(struct out *o, uint32_t v)
{
	put16(o, v >> 16);
	put16(o, v & 0xffff);
}

static void
set16(struct out *o, size_t at, uint16_t v)
{
	o->b[at] = v >> 8;
	o->b[at + 1] = v & 0xff;
}

/* Header and the question echoed byte for byte (c-ares compares it). */
static void
answer_start(struct out *o, const struct query *q, int rcode,
    uint16_t extra, uint16_t an, uint16_t ns)
{
	o->len = 0;
	put16(o, q->id);
	put16(o, F_QR | F_AA | F_RA | (q->flags & (F_RD | 0x7800)) | extra |
	    rcode);
	put16(o, 1);
	put16(o, an);
	put16(o, ns);
	put16(o, 0);
	put(o, q->q, q->qlen);
}

/* The question name, as a compression pointer. */
static void
put_qname_ptr(struct out *o)
{
	put16(o, 0xc000 | DD_HDR);
}

/* A dotted name of printable labels, uncompressed. */
static void
put_name(struct out *o, const char *name)
{
	const char	*dot;
	uint8_t		 n;

	while (*name != '\0') {
		dot = strchr(name, '.');
		n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		put(o, &n, 1);
		put(o, name, n);
		name += n;
		if (*name == '.')
			name++;
	}
	put(o, "", 1);
}

static void
put_rr_head(struct out *o, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	put16(o, type);
	put16(o, 1);
	put32(o, ttl);
	put16(o, rdlen);
}

static void
put_a(struct out *o, uint32_t ttl, const uint8_t addr[4])
{
	put_rr_head(o, DNS_T_A, ttl, 4);
	put(o, addr, 4);
}

/* One TXT record holding one character-string of n raw bytes. */
static void
put_txt(struct out *o, uint32_t ttl, const void *s, uint8_t n)
{
	put_rr_head(o, DNS_T_TXT, ttl, 1 + n);
	put(o, &n, 1);
	put(o, s, n);
}

static void
put_soa_t(struct out *o)
{
	size_t	 rdstart;

	put_name(o, "t");
	put_rr_head(o, DNS_T_SOA, 3600, 0);
	rdstart = o->len;
	put_name(o, "ns.t");
	put_name(o, "hostmaster.t");
	put32(o, 1);
	put32(o, 7200);
	put32(o, 900);
	put32(o, 1209600);
	put32(o, 77);
	set16(o, rdstart - 2, o->len - rdstart);
}

/* --- the behaviours -------------------------------------------------- */

static const uint8_t	 addr_slow[4] = { 192, 0, 2, 1 };
static const uint8_t	 addr_ad[4] = { 192, 0, 2, 2 };
static const uint8_t	 addr_esc[4] = { 192, 0, 2, 3 };

/* 01 'x' C0 <itself - 2>: a backwards pointer that leads back to it. */
static void
make_loop(struct out *o, const struct query *q)
{
	size_t	 at;

	answer_start(o, q, RC_NOERROR, 0, 1, 0);
	at = o->len;
	put(o, "\001x", 2);
	put16(o, 0xc000 | at);
	put_a(o, 60, addr_ad);
}

/* Five 63-byte labels: 321 wire bytes, over the 255 limit. */
static void
make_long(struct out *o, const struct query *q)
{
	uint8_t	 label[64];
	int	 i;

	answer_start(o, q, RC_NOERROR, 0, 1, 0);
	label[0] = 63;
	memset(label + 1, 'l', 63);
	for (i = 0; i < 5; i++)
		put(o, label, sizeof(label));
	put_qname_ptr(o);
	put_a(o, 60, addr_ad);
}

/* ANCOUNT 50 with one record present. */
static void
make_count(struct out *o, const struct query *q)
{
	answer_start(o, q, RC_NOERROR, 0, 50, 0);
	put_qname_ptr(o);
	put_a(o, 60, addr_ad);
}

/*
 * A CNAME to a label holding ESC ] 0 ; (set the window title), BEL, ESC [
 * 2 J (clear screen) and 0x9b (CSI), then the A record of that name; asked
 * for TXT, the same bytes in a TXT string.
 */
static void
make_esc(struct out *o, const struct query *q)
{
	static const uint8_t	 bad[] = "\033]0;pwned\007\033[2J\2331m";
	uint8_t			 n = sizeof(bad) - 1;
	size_t			 target;

	if (q->qtype == DNS_T_TXT) {
		answer_start(o, q, RC_NOERROR, 0, 1, 0);
		put_qname_ptr(o);
		put_txt(o, 60, bad, n);
		return;
	}
	answer_start(o, q, RC_NOERROR, 0, 2, 0);
	put_qname_ptr(o);
	put_rr_head(o, DNS_T_CNAME, 60, 1 + n + 2);
	target = o->len;
	put(o, &n, 1);
	put(o, bad, n);
	put_qname_ptr(o);
	put16(o, 0xc000 | target);
	put_a(o, 60, addr_esc);
}

static void
make_nul(struct out *o, const struct query *q)
{
	static const uint8_t	 bad[] = "a\0b\033[31mc";

	answer_start(o, q, RC_NOERROR, 0, 1, 0);
	put_qname_ptr(o);
	put_txt(o, 60, bad, sizeof(bad) - 1);
}

/*
 * The terminal-safety payload: 60 bytes, so it fits one label.  What a
 * display must never pass on raw, in one place.
 */
static const uint8_t	 hostile[] =
    "<\033[2J\033]52;c;cHduZWQ=\007\033]0;t\007\2331m\000"
    "\200\205\237\302\205\302\233"
    "\342\200\256\342\201\246\342\201\247\342\201\250\342\201\251"
    "\300\257\355\240\200\377>";

static void
put_hostile_label_name(struct out *o)
{
	uint8_t	n = sizeof(hostile) - 1;

	put(o, &n, 1);
	put(o, hostile, n);
	put_name(o, "hostile.t");
}

static void
make_hostile(struct out *o, const struct query *q)
{
	uint8_t	n = sizeof(hostile) - 1;
	size_t	at;

	if (q->qtype == DNS_T_TXT) {
		answer_start(o, q, RC_NOERROR, 0, 1, 0);
		put_qname_ptr(o);
		put_txt(o, 60, hostile, n);
		return;
	}
	if (q->qtype == DNS_T_PTR) {
		answer_start(o, q, RC_NOERROR, 0, 1, 0);
		put_qname_ptr(o);
		put_rr_head(o, DNS_T_PTR, 60, 1 + n + 11);
		put_hostile_label_name(o);
		return;
	}
	answer_start(o, q, RC_NOERROR, 0, 2, 0);
	put_qname_ptr(o);
	put_rr_head(o, DNS_T_CNAME, 60, 1 + n + 11);
	at = o->len;
	put_hostile_label_name(o);
	put16(o, 0xc000 | at);
	put_a(o, 60, addr_esc);
}

/* Is name "KIND.t" or "*.KIND.t"? */
static int
is_kind(const char *name, const char *kind)
{
	char	 want[64];
	size_t	 n, w;

	snprintf(want, sizeof(want), "%s.t", kind);
	n = strlen(name);
	w = strlen(want);
	if (n == w)
		return strcmp(name, want) == 0;
	return n > w && name[n - w - 1] == '.' &&
	    strcmp(name + n - w, want) == 0;
}

/* Reverse-name labels, last to first, joined by sep: the address. */
static int
ptr_digits(const char *name, const char *suffix, char sep, char *out,
    size_t len)
{
	size_t	n = strlen(name), w = strlen(suffix), k = 0, end;
	size_t	i;

	if (n <= w || strcmp(name + n - w, suffix) != 0)
		return -1;
	end = n - w;	/* name[0..end) is "2.1.200.10" */
	while (end > 0) {
		for (i = end; i > 0 && name[i - 1] != '.'; i--)
			;
		if (k + (end - i) + 2 >= len)
			return -1;
		if (k > 0 && sep != '\0')
			out[k++] = sep;
		memcpy(out + k, name + i, end - i);
		k += end - i;
		end = i > 0 ? i - 1 : 0;
	}
	out[k] = '\0';
	return 0;
}

static int
make_ptr(struct out *o, const struct query *q)
{
	char	digits[80], target[100];

	if (ptr_digits(q->name, ".in-addr.arpa", '-', digits,
	    sizeof(digits)) == 0)
		snprintf(target, sizeof(target), "h-%s.rev.t", digits);
	else if (ptr_digits(q->name, ".ip6.arpa", '\0', digits,
	    sizeof(digits)) == 0)
		snprintf(target, sizeof(target), "h6-%s.rev.t", digits);
	else
		return -1;
	answer_start(o, q, RC_NOERROR, 0, 1, 0);
	put_qname_ptr(o);
	put_rr_head(o, DNS_T_PTR, 60, (uint16_t)(strlen(target) + 2));
	put_name(o, target);
	return 0;
}

static const uint8_t *
next_ttl1_addr(uint8_t addr[4])
{
	static unsigned	n;

	addr[0] = 192;
	addr[1] = 0;
	addr[2] = 2;
	addr[3] = (uint8_t)(100 + n++ % 100);
	return addr;
}

static void
respond(const struct query *q, struct out *o)
{
	uint8_t	addr[4];

	o->is_silent = o->is_delayed = 0;
	if (q->qtype == DNS_T_PTR && make_ptr(o, q) == 0) {
		/* answered */
	} else if (is_kind(q->name, "silent")) {
		o->is_silent = 1;
	} else if (is_kind(q->name, "servfail")) {
		answer_start(o, q, RC_SERVFAIL, 0, 0, 0);
	} else if (is_kind(q->name, "refused")) {
		answer_start(o, q, RC_REFUSED, 0, 0, 0);
	} else if (is_kind(q->name, "slow")) {
		answer_start(o, q, RC_NOERROR, 0, 1, 0);
		put_qname_ptr(o);
		put_a(o, 60, addr_slow);
		o->is_delayed = 1;
	} else if (is_kind(q->name, "ttl1")) {
		answer_start(o, q, RC_NOERROR, 0, 1, 0);
		put_qname_ptr(o);
		put_a(o, 1, next_ttl1_addr(addr));
	} else if (is_kind(q->name, "ad")) {
		answer_start(o, q, RC_NOERROR, F_AD, 1, 0);
		put_qname_ptr(o);
		put_a(o, 60, addr_ad);
	} else if (is_kind(q->name, "loop"))
		make_loop(o, q);
	else if (is_kind(q->name, "long"))
		make_long(o, q);
	else if (is_kind(q->name, "count"))
		make_count(o, q);
	else if (is_kind(q->name, "esc"))
		make_esc(o, q);
	else if (is_kind(q->name, "nul"))
		make_nul(o, q);
	else if (is_kind(q->name, "hostile"))
		make_hostile(o, q);
	else {
		answer_start(o, q, RC_NXDOMAIN, 0, 0, 1);
		put_soa_t(o);
	}
}

/* --- queries --------------------------------------------------------- */

/* Header and first question; -1 if this is not a query we can answer. */
static int
query_parse(const uint8_t *m, size_t len, struct query *q)
{
	size_t	 at = DD_HDR, out = 0, n, i;

	if (len < DD_HDR)
		return -1;
	q->id = m[0] << 8 | m[1];
	q->flags = m[2] << 8 | m[3];
	if ((q->flags & F_QR) || (m[4] << 8 | m[5]) < 1)
		return -1;
	while (at < len && m[at] != 0) {
		n = m[at];
		if (n > 63 || at + 1 + n > len || out + n + 1 >= sizeof(q->name))
			return -1;
		if (out > 0)
			q->name[out++] = '.';
		for (i = 0; i < n; i++)
			q->name[out++] = tolower(m[at + 1 + i]);
		at += 1 + n;
	}
	q->name[out] = '\0';
	if (at + 5 > len)
		return -1;
	q->qtype = m[at + 1] << 8 | m[at + 2];
	q->q = m + DD_HDR;
	q->qlen = at + 5 - DD_HDR;
	return 0;
}

static int
delay_add(const struct out *o, int tcp_fd, const struct sockaddr_storage *ss,
    socklen_t sslen)
{
	struct delayed	*d;
	size_t		 i;

	for (i = 0; i < DD_MAX_DELAYED; i++) {
		d = &delayed[i];
		if (d->is_used)
			continue;
		d->is_used = 1;
		d->due_ms = now_ms() + delay_ms;
		d->tcp_fd = tcp_fd;
		if (ss != NULL)
			memcpy(&d->peer, ss, sslen);
		d->peerlen = sslen;
		memcpy(d->msg, o->b, o->len);
		d->len = o->len;
		return 0;
	}
	return -1;
}

static void
tcp_send(int fd, const uint8_t *msg, size_t len)
{
	uint8_t	 b[2 + DD_MAX_MSG];

	b[0] = len >> 8;
	b[1] = len & 0xff;
	memcpy(b + 2, msg, len);
	/* Small answers to a client that reads: a short write is its loss. */
	(void)send(fd, b, len + 2, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void
on_udp(int fd)
{
	static struct out	 o;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct query		 q;
	uint8_t			 m[1500];
	ssize_t			 r;
	int			 i;

	for (i = 0; i < 64; i++) {
		sslen = sizeof(ss);
		r = recvfrom(fd, m, sizeof(m), MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &sslen);
		if (r < 0)
			return;
		if (query_parse(m, r, &q) == -1)
			continue;
		nqueries++;
		respond(&q, &o);
		if (o.is_silent)
			continue;
		if (o.is_delayed && delay_add(&o, -1, &ss, sslen) == 0)
			continue;
		(void)sendto(fd, o.b, o.len, 0, (struct sockaddr *)&ss, sslen);
	}
}

static void
tcp_close(struct tcpc *c)
{
	size_t	 i;

	for (i = 0; i < DD_MAX_DELAYED; i++)
		if (delayed[i].is_used && delayed[i].tcp_fd == c->fd)
			delayed[i].is_used = 0;
	close(c->fd);
	c->fd = -1;
}

static void
on_tcp_accept(int lfd)
{
	size_t	 i;
	int	 fd;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		return;
	for (i = 0; i < DD_MAX_TCP; i++) {
		if (tcp[i].fd != -1)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		tcp[i].fd = fd;
		tcp[i].len = 0;
		tcp[i].idle_ms = now_ms() + DD_TCP_IDLE_MS;
		return;
	}
	close(fd);
}

static void
on_tcp_data(struct tcpc *c)
{
	static struct out	 o;
	struct query		 q;
	size_t			 need;
	ssize_t			 r;

	r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (r <= 0) {
		if (r == 0 || (errno != EAGAIN && errno != EINTR))
			tcp_close(c);
		return;
	}
	c->len += r;
	c->idle_ms = now_ms() + DD_TCP_IDLE_MS;
	while (c->len >= 2) {
		need = (size_t)(c->buf[0] << 8 | c->buf[1]);
		if (need + 2 > sizeof(c->buf)) {
			tcp_close(c);
			return;
		}
		if (c->len < need + 2)
			return;
		if (query_parse(c->buf + 2, need, &q) == 0) {
			nqueries++;
			respond(&q, &o);
			if (o.is_delayed)
				(void)delay_add(&o, c->fd, NULL, 0);
			else if (!o.is_silent)
				tcp_send(c->fd, o.b, o.len);
		}
		memmove(c->buf, c->buf + need + 2, c->len - need - 2);
		c->len -= need + 2;
	}
}

/* Send what is due; returns ms until the next one (or limit). */
static int
delay_run(int udp_fd, int limit)
{
	struct delayed	*d;
	uint64_t	 now = now_ms();
	size_t		 i;
	int		 wait = limit;

	for (i = 0; i < DD_MAX_DELAYED; i++) {
		d = &delayed[i];
		if (!d->is_used)
			continue;
		if (d->due_ms <= now) {
			if (d->tcp_fd == -1)
				(void)sendto(udp_fd, d->msg, d->len, 0,
				    (struct sockaddr *)&d->peer, d->peerlen);
			else
				tcp_send(d->tcp_fd, d->msg, d->len);
			d->is_used = 0;
		} else if ((int)(d->due_ms - now) < wait)
			wait = d->due_ms - now;
	}
	return wait;
}

/* --- setup ----------------------------------------------------------- */

static socklen_t
make_addr(const char *s, unsigned port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	die("bad address '%s' (numeric IPv4 or IPv6)", s);
}

static int
bind_one(int type, struct sockaddr_storage *ss, socklen_t len)
{
	int	 fd, one = 1;

	if ((fd = socket(ss->ss_family, type | SOCK_NONBLOCK, 0)) == -1)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, len) == -1) {
		close(fd);
		return -1;
	}
	if (type == SOCK_STREAM && listen(fd, 64) == -1)
		die("listen: %s", strerror(errno));
	return fd;
}

static unsigned
port_of(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		die("getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* UDP and TCP on one port; with port 0, retry until both bind. */
static void
listen_both(const char *addr, unsigned port, int *ufd, int *tfd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 i;

	for (i = 0; i < 50; i++) {
		len = make_addr(addr, port, &ss);
		if ((*ufd = bind_one(SOCK_DGRAM, &ss, len)) == -1)
			die("bind udp %s port %u: %s", addr, port,
			    strerror(errno));
		len = make_addr(addr, port_of(*ufd), &ss);
		if ((*tfd = bind_one(SOCK_STREAM, &ss, len)) != -1)
			return;
		if (port != 0)
			die("bind tcp %s port %u: %s", addr, port,
			    strerror(errno));
		close(*ufd);
	}
	die("no free port for both UDP and TCP on %s", addr);
}

static void
serve(int ufd, int tfd, uint64_t deadline_ms)
{
	struct pollfd	 pfd[2 + DD_MAX_TCP];
	int		 map[2 + DD_MAX_TCP];
	uint64_t	 now;
	int		 n, i, wait;

	while (!got_signal && (now = now_ms()) < deadline_ms) {
		wait = delay_run(ufd, (int)(deadline_ms - now));
		pfd[0].fd = ufd;
		pfd[1].fd = tfd;
		pfd[0].events = pfd[1].events = POLLIN;
		n = 2;
		for (i = 0; i < DD_MAX_TCP; i++) {
			if (tcp[i].fd == -1)
				continue;
			if (tcp[i].idle_ms <= now) {
				tcp_close(&tcp[i]);
				continue;
			}
			pfd[n].fd = tcp[i].fd;
			pfd[n].events = POLLIN;
			map[n++] = i;
		}
		if (poll(pfd, n, wait) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd[0].revents & POLLIN)
			on_udp(ufd);
		if (pfd[1].revents & POLLIN)
			on_tcp_accept(tfd);
		for (i = 2; i < n; i++)
			if (pfd[i].revents != 0 && tcp[map[i]].fd != -1)
				on_tcp_data(&tcp[map[i]]);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "addr",	 required_argument, NULL, 'a' },
		{ "port",	 required_argument, NULL, 'p' },
		{ "delay-ms",	 required_argument, NULL, 'd' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*addr = "127.0.0.1";
	unsigned		 port = 0, max_seconds = 60;
	struct sigaction	 sa;
	int			 ch, ufd, tfd, i;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = parse_num(optarg, "port", 0, 65535);
			break;
		case 'd':
			delay_ms = parse_num(optarg, "delay-ms", 0, 60000);
			break;
		case 'm':
			max_seconds = parse_num(optarg, "max-seconds", 1, 3600);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < DD_MAX_TCP; i++)
		tcp[i].fd = -1;

	listen_both(addr, port, &ufd, &tfd);
	printf("%u\n", port_of(ufd));
	fflush(stdout);
	serve(ufd, tfd, now_ms() + (uint64_t)max_seconds * 1000);
	fprintf(stderr, "dnsd: %lu queries, stopping (%s)\n", nqueries,
	    got_signal ? "signal" : "max-seconds");
	return 0;
}
