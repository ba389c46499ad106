/* diag_parse over crafted netlink dump replies. */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>

#include "model/diag_parse.h"
#include "tap.h"

#define SEQ	42

static uint8_t	buf[4096];
static size_t	blen;

struct seen {
	int			n;
	struct diag_sock	last;
	struct diag_sock	first;
};

static void
on_sock(const struct diag_sock *ds, void *arg)
{
	struct seen	*s = arg;

	if (s->n == 0)
		s->first = *ds;
	s->last = *ds;
	s->n++;
}

static void
put_hdr(uint32_t len, uint16_t type, uint32_t seq)
{
	struct nlmsghdr	h;

	memset(&h, 0, sizeof(h));
	h.nlmsg_len = len;
	h.nlmsg_type = type;
	h.nlmsg_flags = NLM_F_MULTI;
	h.nlmsg_seq = seq;
	memcpy(buf + blen, &h, sizeof(h));
	blen += sizeof(h);
}

/* One SOCK_DIAG_BY_FAMILY message; extra bytes of attributes appended. */
static void
put_sock(int family, int state, const char *src, uint16_t sport,
    const char *dst, uint16_t dport, uint32_t expires, uint32_t inode,
    size_t extra, uint32_t seq)
{
	struct inet_diag_msg	m;
	size_t			len = NLMSG_LENGTH(sizeof(m) + extra);

	memset(&m, 0, sizeof(m));
	m.idiag_family = (uint8_t)family;
	m.idiag_state = (uint8_t)state;
	m.id.idiag_sport = htons(sport);
	m.id.idiag_dport = htons(dport);
	inet_pton(family, src, m.id.idiag_src);
	inet_pton(family, dst, m.id.idiag_dst);
	m.idiag_expires = expires;
	m.idiag_uid = 1000;
	m.idiag_inode = inode;
	put_hdr((uint32_t)len, SOCK_DIAG_BY_FAMILY, seq);
	memcpy(buf + blen, &m, sizeof(m));
	blen += sizeof(m);
	memset(buf + blen, 0, NLMSG_ALIGN(len) - NLMSG_HDRLEN - sizeof(m));
	blen += NLMSG_ALIGN(len) - NLMSG_HDRLEN - sizeof(m);
}

static void
put_int_msg(uint16_t type, int32_t v, uint32_t seq)
{
	put_hdr(NLMSG_LENGTH(sizeof(v)), type, seq);
	memcpy(buf + blen, &v, sizeof(v));
	blen += sizeof(v);
}

static void
put_error(int32_t err, uint32_t seq)
{
	struct nlmsgerr	e;

	memset(&e, 0, sizeof(e));
	e.error = err;
	put_hdr(NLMSG_LENGTH(sizeof(e)), NLMSG_ERROR, seq);
	memcpy(buf + blen, &e, sizeof(e));
	blen += sizeof(e);
}

static int
parse(struct seen *s, int *is_done, int *kerr, unsigned *nbad)
{
	memset(s, 0, sizeof(*s));
	return diag_parse(buf, blen, SEQ, on_sock, s, is_done, kerr, nbad);
}

static void
test_v4(void)
{
	struct seen	s;
	unsigned	nbad;
	int		rc, done, kerr;
	uint8_t		want[4] = { 127, 0, 0, 1 };

	blen = 0;
	put_sock(AF_INET, 1, "127.0.0.1", 40000, "10.0.0.2", 8080, 0, 777, 8,
	    SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	is_int(rc, 1, "v4: one socket");
	is_int(done, 0, "v4: not done");
	is_int(s.last.family, AF_INET, "v4: family");
	is_int(s.last.state, 1, "v4: state");
	is_int(s.last.sport, 40000, "v4: sport host order");
	is_int(s.last.dport, 8080, "v4: dport host order");
	ok(memcmp(s.last.src, want, 4) == 0, "v4: src address");
	ok(s.last.src[4] == 0 && s.last.dst[15] == 0, "v4: rest zeroed");
	is_int(s.last.inode, 777, "v4: inode");
	is_int(s.last.uid, 1000, "v4: uid");
}

static void
test_v6_and_tw(void)
{
	struct seen	s;
	unsigned	nbad;
	int		rc, done, kerr;

	blen = 0;
	put_sock(AF_INET6, 1, "::1", 50000, "2001:db8::1", 443, 0, 9, 0, SEQ);
	put_sock(AF_INET, 6, "127.0.0.1", 41000, "127.0.0.1", 8080, 59000, 0,
	    0, SEQ);
	put_int_msg(NLMSG_DONE, 0, SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	is_int(rc, 2, "two messages in one buffer");
	is_int(done, 1, "NLMSG_DONE seen");
	is_int(s.first.family, AF_INET6, "v6: family");
	is_int(s.first.src[15], 1, "v6: ::1");
	is_int(s.first.dst[0], 0x20, "v6: 2001:db8::1");
	is_int(s.last.state, 6, "TIME_WAIT without attributes");
	is_int(s.last.expires_ms, 59000, "TIME_WAIT expires");
	is_int(s.last.inode, 0, "TIME_WAIT inode 0");
}

static void
test_errors(void)
{
	struct seen	s;
	unsigned	nbad;
	int		rc, done, kerr;

	blen = 0;
	put_sock(AF_INET, 1, "1.2.3.4", 1, "5.6.7.8", 2, 0, 1, 0, SEQ);
	put_error(-EPERM, SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	is_int(rc, DIAG_EKERNEL, "NLMSG_ERROR is a kernel error");
	is_int(kerr, EPERM, "errno from NLMSG_ERROR");
	is_int(s.n, 1, "sockets before the error reported");

	blen = 0;
	put_error(0, SEQ);
	put_sock(AF_INET, 1, "1.2.3.4", 1, "5.6.7.8", 2, 0, 1, 0, SEQ);
	is_int(parse(&s, &done, &kerr, &nbad), 1, "an ACK is skipped");

	/* Found by the fuzzer: -INT_MIN is undefined; it is clamped. */
	blen = 0;
	put_error(INT_MIN, SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	ok(rc == DIAG_EKERNEL && kerr == INT_MAX, "NLMSG_ERROR INT_MIN: "
	    "a kernel error, clamped");
	blen = 0;
	put_int_msg(NLMSG_DONE, INT_MIN, SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	ok(rc == DIAG_EKERNEL && kerr == INT_MAX, "NLMSG_DONE INT_MIN: "
	    "clamped");

	blen = 0;
	put_int_msg(NLMSG_DONE, -ENOENT, SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	ok(rc == DIAG_EKERNEL && kerr == ENOENT && done == 1,
	    "NLMSG_DONE carrying an error");

	blen = 0;
	put_sock(AF_INET, 1, "1.2.3.4", 1, "5.6.7.8", 2, 0, 1, 0, SEQ + 1);
	put_sock(AF_INET, 6, "1.2.3.4", 3, "5.6.7.8", 4, 0, 0, 0, SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	ok(rc == 1 && s.last.sport == 3, "wrong seq skipped");
}

static void
test_malformed(void)
{
	struct seen	s;
	unsigned	nbad;
	int		rc, done, kerr;
	uint32_t	len;

	blen = 0;
	put_sock(AF_INET, 1, "1.2.3.4", 1, "5.6.7.8", 2, 0, 1, 0, SEQ);
	blen -= 80;		/* leave 8 bytes: a truncated header */
	is_int(parse(&s, &done, &kerr, &nbad), DIAG_ETRUNC,
	    "truncated netlink header");

	blen = 0;
	put_hdr(8, SOCK_DIAG_BY_FAMILY, SEQ);
	is_int(parse(&s, &done, &kerr, &nbad), DIAG_EMSG,
	    "nlmsg_len smaller than the header");

	blen = 0;
	put_sock(AF_INET, 1, "1.2.3.4", 1, "5.6.7.8", 2, 0, 1, 0, SEQ);
	len = 4000;
	memcpy(buf, &len, sizeof(len));
	is_int(parse(&s, &done, &kerr, &nbad), DIAG_ETRUNC,
	    "nlmsg_len past the buffer");

	blen = 0;
	put_hdr(NLMSG_LENGTH(20), SOCK_DIAG_BY_FAMILY, SEQ);
	memset(buf + blen, 0, 20);
	blen += 20;
	put_sock(AF_INET, 6, "1.2.3.4", 3, "5.6.7.8", 4, 0, 0, 0, SEQ);
	rc = parse(&s, &done, &kerr, &nbad);
	is_int(rc, 1, "truncated inet_diag_msg skipped");
	is_int(nbad, 1, "and counted as bad");

	blen = 0;
	put_sock(AF_INET, 1, "1.2.3.4", 1, "5.6.7.8", 2, 0, 1, 0, SEQ);
	buf[NLMSG_HDRLEN] = 99;	/* idiag_family */
	rc = parse(&s, &done, &kerr, &nbad);
	ok(rc == 0 && nbad == 1 && s.n == 0, "unknown family skipped");

	is_int(diag_parse(NULL, 0, SEQ, on_sock, &s, NULL, NULL, NULL), 0,
	    "empty input, NULL out pointers");
}

static void
test_compat_type(void)
{
	struct seen	s;
	unsigned	nbad;
	int		done, kerr;

	blen = 0;
	put_sock(AF_INET, 6, "1.2.3.4", 3, "5.6.7.8", 4, 0, 0, 0, SEQ);
	memcpy(buf + 4, &(uint16_t){ TCPDIAG_GETSOCK }, 2);
	is_int(parse(&s, &done, &kerr, &nbad), 1,
	    "TCPDIAG_GETSOCK replies parse too");
}

int
main(void)
{
	test_v4();
	test_v6_and_tw();
	test_errors();
	test_malformed();
	test_compat_type();
	return done_testing();
}
