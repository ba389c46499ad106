#include "config.h"

#include "model/diag_parse.h"

#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <limits.h>
#include <string.h>

#include "buf.h"

#define DIAG_NLHDR_LEN	16	/* sizeof(struct nlmsghdr): ABI */
#define DIAG_MSG_LEN	72	/* sizeof(struct inet_diag_msg): ABI */

struct diag_nlhdr {
	uint32_t	 len;
	uint16_t	 type;
	uint16_t	 flags;
	uint32_t	 seq;
	uint32_t	 pid;
};

static int
diag_get_nlhdr(struct tb_buf *b, struct diag_nlhdr *h)
{
	if (tb_buf_get_u32ne(b, &h->len) == -1 ||
	    tb_buf_get_u16ne(b, &h->type) == -1 ||
	    tb_buf_get_u16ne(b, &h->flags) == -1 ||
	    tb_buf_get_u32ne(b, &h->seq) == -1 ||
	    tb_buf_get_u32ne(b, &h->pid) == -1)
		return -1;
	return 0;
}

static uint16_t
diag_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
diag_ne32(const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * struct inet_diag_msg, 72 bytes, copied out through the bounds check
 * once and decoded at its fixed offsets: family, state, timer, retrans;
 * the sockid (ports and addresses big endian, interface and cookie host
 * order) at 4; then expires, rqueue, wqueue, uid, inode in host order at
 * 52.  Attributes after it are ignored.
 */
static int
diag_get_msg(struct tb_buf *b, struct diag_sock *ds)
{
	uint8_t	m[DIAG_MSG_LEN];

	if (tb_buf_get_bytes(b, m, sizeof(m)) == -1)
		return -1;
	if (m[0] != AF_INET && m[0] != AF_INET6)
		return -1;
	ds->family = m[0];
	ds->state = m[1];
	ds->timer = m[2];
	ds->sport = diag_be16(m + 4);
	ds->dport = diag_be16(m + 6);
	memset(ds->src, 0, sizeof(ds->src));
	memset(ds->dst, 0, sizeof(ds->dst));
	memcpy(ds->src, m + 8, ds->family == AF_INET ? 4 : 16);
	memcpy(ds->dst, m + 24, ds->family == AF_INET ? 4 : 16);
	ds->expires_ms = diag_ne32(m + 52);
	ds->uid = diag_ne32(m + 64);
	ds->inode = diag_ne32(m + 68);
	return 0;
}

/* The payload of NLMSG_ERROR, or of NLMSG_DONE for dumps: an int errno. */
static int
diag_get_errno(struct tb_buf *b, int *err)
{
	uint32_t	v;

	if (tb_buf_get_u32ne(b, &v) == -1)
		return -1;
	/* The kernel sends -errno; a hostile INT_MIN would not negate. */
	*err = v == 0x80000000U ? -INT_MAX : (int)v;
	return 0;
}

int
diag_parse(const void *buf, size_t len, uint32_t seq, diag_sock_fn fn,
    void *arg, int *is_done, int *kerr, unsigned *nbad)
{
	struct tb_buf		b, pl;
	struct diag_nlhdr	h;
	struct diag_sock	ds;
	size_t			pad;
	int			n = 0, e, dummy_done, dummy_kerr;
	unsigned		dummy_bad;

	if (is_done == NULL)
		is_done = &dummy_done;
	if (kerr == NULL)
		kerr = &dummy_kerr;
	if (nbad == NULL)
		nbad = &dummy_bad;
	*is_done = 0;
	*kerr = 0;
	*nbad = 0;
	tb_buf_init(&b, buf, len);
	while (tb_buf_left(&b) > 0) {
		if (diag_get_nlhdr(&b, &h) == -1)
			return DIAG_ETRUNC;
		if (h.len < DIAG_NLHDR_LEN)
			return DIAG_EMSG;
		if (tb_buf_sub(&b, h.len - DIAG_NLHDR_LEN, &pl) == -1)
			return DIAG_ETRUNC;
		/* The last message of a datagram may lack its padding. */
		pad = NLMSG_ALIGN(h.len) - h.len;
		if (tb_buf_skip(&b, pad) == -1)
			(void)tb_buf_skip(&b, tb_buf_left(&b));
		if (h.seq != seq)
			continue;
		switch (h.type) {
		case NLMSG_DONE:
			*is_done = 1;
			if (diag_get_errno(&pl, &e) == 0 && e < 0) {
				*kerr = -e;
				return DIAG_EKERNEL;
			}
			return n;
		case NLMSG_ERROR:
			if (diag_get_errno(&pl, &e) == -1) {
				(*nbad)++;
				return DIAG_EMSG;
			}
			if (e == 0)
				continue;	/* an ACK */
			*kerr = e < 0 ? -e : e;
			return DIAG_EKERNEL;
		case SOCK_DIAG_BY_FAMILY:
		case TCPDIAG_GETSOCK:	/* answers the AF_UNSPEC dump */
			if (diag_get_msg(&pl, &ds) == -1) {
				(*nbad)++;
				continue;
			}
			if (fn != NULL)
				fn(&ds, arg);
			n++;
			continue;
		default:
			continue;	/* NLMSG_NOOP, NLMSG_OVERRUN, ... */
		}
	}
	return n;
}
