#include "config.h"

#include "model/pkt_decode.h"

#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "buf.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define ETH_ADDRS_LEN	12
#define ETHERTYPE_MIN	0x0600	/* below: an 802.3 length, not a type */
#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_8021Q	0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ	0x9100	/* pre-802.1ad QinQ, still seen */
#define VLAN_VID_MASK	0x0fff

#define SLL_PROTO_OFF	14
#define SLL2_HDR_LEN	20

/* BSD AF_ values as written by DLT_NULL/DLT_LOOP, not the host's. */
#define BSD_AF_INET		2
#define BSD_AF_INET6_BSD	24	/* NetBSD, OpenBSD */
#define BSD_AF_INET6_FREEBSD	28
#define BSD_AF_INET6_DARWIN	30

#define IP4_HDR_MIN	20
#define IP4_MF		0x2000
#define IP4_OFFMASK	0x1fff
#define IP6_HDR_LEN	40
#define IP6_FRAG_LEN	8
#define IP6_OFFMASK	0xfff8
#define IP6_MF		0x0001
#define TCP_HDR_MIN	20
#define UDP_HDR_LEN	8

#define PROTO_HOPOPTS	0
#define PROTO_ROUTING	43
#define PROTO_FRAGMENT	44
#define PROTO_AH	51
#define PROTO_DSTOPTS	60

/*
 * b covers the captured bytes; wire_len is how long the frame was on the
 * wire, ip_wire_len the IP datagram's share of it once the link header is
 * peeled: the fallback when the IP header cannot say (TSO, jumbograms).
 */
struct ip_ctx {
	struct tb_buf	 b;
	size_t		 wire_len;
	size_t		 ip_wire_len;
};

static const char *const pkt_errors[] = {
	[-PKT_OK] = "ok",
	[-PKT_ETRUNC] = "packet truncated",
	[-PKT_EUNSUPP] = "unsupported link type or protocol",
	[-PKT_EBAD] = "malformed header",
};

static size_t
min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The transport payload: wire_len bytes said, of which b holds some. */
static void
set_payload(struct pkt *out, const struct tb_buf *b, size_t wire_len)
{
	out->payload_wire_len = wire_len;
	out->payload_len = min_size(tb_buf_left(b), wire_len);
	out->payload = out->payload_len > 0 ? tb_buf_cur(b) : NULL;
}

static int
tcp_decode(struct tb_buf *b, size_t seg_len, struct pkt *out)
{
	uint8_t		 doff, flags;
	size_t		 hlen;

	if (tb_buf_left(b) < TCP_HDR_MIN && seg_len >= TCP_HDR_MIN)
		return PKT_ETRUNC;
	if (seg_len < TCP_HDR_MIN)
		return PKT_EBAD;
	if (tb_buf_get_u16be(b, &out->sport) == -1 ||
	    tb_buf_get_u16be(b, &out->dport) == -1 ||
	    tb_buf_get_u32be(b, &out->seq) == -1 ||
	    tb_buf_get_u32be(b, &out->ack) == -1 ||
	    tb_buf_get_u8(b, &doff) == -1 || tb_buf_get_u8(b, &flags) == -1 ||
	    tb_buf_skip(b, 6) == -1)
		return PKT_ETRUNC;
	out->tcp_flags = flags;
	hlen = (size_t)(doff >> 4) * 4;
	if (hlen < TCP_HDR_MIN || hlen > seg_len)
		return PKT_EBAD;
	if (tb_buf_skip(b, hlen - TCP_HDR_MIN) == -1)
		return PKT_ETRUNC;
	set_payload(out, b, seg_len - hlen);
	return PKT_OK;
}

static int
udp_decode(struct tb_buf *b, size_t dgram_len, struct pkt *out)
{
	uint16_t	 ulen;

	if (tb_buf_left(b) < UDP_HDR_LEN && dgram_len >= UDP_HDR_LEN)
		return PKT_ETRUNC;
	if (dgram_len < UDP_HDR_LEN)
		return PKT_EBAD;
	if (tb_buf_get_u16be(b, &out->sport) == -1 ||
	    tb_buf_get_u16be(b, &out->dport) == -1 ||
	    tb_buf_get_u16be(b, &ulen) == -1 || tb_buf_skip(b, 2) == -1)
		return PKT_ETRUNC;
	/* 0: an RFC 2675 jumbogram, the IP length rules. */
	if (ulen != 0) {
		if (ulen < UDP_HDR_LEN || ulen > dgram_len)
			return PKT_EBAD;
		dgram_len = ulen;
	}
	set_payload(out, b, dgram_len - UDP_HDR_LEN);
	return PKT_OK;
}

/* The transport header of a datagram of l4_len bytes (per IP) at b. */
static int
l4_decode(struct tb_buf *b, size_t l4_len, struct pkt *out)
{
	if (out->is_fragment)
		return PKT_OK;
	switch (out->proto) {
	case IPPROTO_TCP:
		return tcp_decode(b, l4_len, out);
	case IPPROTO_UDP:
		return udp_decode(b, l4_len, out);
	default:
		set_payload(out, b, l4_len);
		return PKT_OK;
	}
}

static int
ip4_decode(struct ip_ctx *c, struct pkt *out)
{
	struct tb_buf	*b = &c->b;
	uint8_t		 vihl, proto;
	uint16_t	 tot_len, frag;
	size_t		 hlen, ip_len;

	if (tb_buf_get_u8(b, &vihl) == -1)
		return PKT_ETRUNC;
	if (vihl >> 4 != 4)
		return PKT_EBAD;
	out->family = AF_INET;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < IP4_HDR_MIN)
		return PKT_EBAD;
	if (tb_buf_skip(b, 1) == -1 || tb_buf_get_u16be(b, &tot_len) == -1 ||
	    tb_buf_skip(b, 2) == -1 || tb_buf_get_u16be(b, &frag) == -1 ||
	    tb_buf_skip(b, 1) == -1 || tb_buf_get_u8(b, &proto) == -1 ||
	    tb_buf_skip(b, 2) == -1 || tb_buf_get_bytes(b, out->src, 4) == -1 ||
	    tb_buf_get_bytes(b, out->dst, 4) == -1)
		return PKT_ETRUNC;
	/* 0 is what TSO/GSO-sized packets carry: the IP header cannot say. */
	if (tot_len == 0)
		ip_len = c->ip_wire_len;
	else if (tot_len < hlen)
		return PKT_EBAD;
	else
		ip_len = tot_len;
	if (ip_len < hlen)
		return PKT_EBAD;
	if (tb_buf_skip(b, hlen - IP4_HDR_MIN) == -1)
		return PKT_ETRUNC;
	out->proto = proto;
	out->is_fragment = (frag & (IP4_MF | IP4_OFFMASK)) != 0;
	return l4_decode(b, ip_len - hlen, out);
}

/* One extension header of ext_len bytes, inside the payload_len left. */
static int
ip6_ext_skip(struct tb_buf *b, size_t ext_len, size_t *payload_len)
{
	if (ext_len > *payload_len)
		return PKT_EBAD;
	if (tb_buf_skip(b, ext_len) == -1)
		return PKT_ETRUNC;
	*payload_len -= ext_len;
	return PKT_OK;
}

static int
ip6_frag(struct tb_buf *b, size_t *payload_len, uint8_t *next,
    struct pkt *out)
{
	struct tb_buf	 h = *b;
	uint16_t	 off_flags;
	int		 r;

	if ((r = ip6_ext_skip(b, IP6_FRAG_LEN, payload_len)) != PKT_OK)
		return r;
	if (tb_buf_get_u8(&h, next) == -1 || tb_buf_skip(&h, 1) == -1 ||
	    tb_buf_get_u16be(&h, &off_flags) == -1)
		return PKT_ETRUNC;
	/* RFC 6946: offset 0 and no more fragments is a whole packet. */
	out->is_fragment = (off_flags & (IP6_OFFMASK | IP6_MF)) != 0;
	return PKT_OK;
}

/* Walk the extension headers; *next ends on the upper-layer protocol. */
static int
ip6_exthdrs(struct tb_buf *b, size_t *payload_len, uint8_t *next,
    struct pkt *out)
{
	struct tb_buf	 h;
	unsigned	 n;
	uint8_t		 nh, len;
	size_t		 ext_len;
	int		 r;

	for (n = 0;; n++) {
		if (*next != PROTO_HOPOPTS && *next != PROTO_ROUTING &&
		    *next != PROTO_FRAGMENT && *next != PROTO_DSTOPTS &&
		    *next != PROTO_AH)
			return PKT_OK;
		if (n == PKT_MAX_V6_EXTHDRS)
			return PKT_EUNSUPP;
		if (*next == PROTO_FRAGMENT) {
			if ((r = ip6_frag(b, payload_len, next, out)) != PKT_OK)
				return r;
			if (out->is_fragment)
				return PKT_OK;
			continue;
		}
		if (*payload_len < 2)
			return PKT_EBAD;
		h = *b;
		if (tb_buf_get_u8(&h, &nh) == -1 ||
		    tb_buf_get_u8(&h, &len) == -1)
			return PKT_ETRUNC;
		/* AH counts 4-octet units minus 2 (RFC 4302), others 8 - 1. */
		if (*next == PROTO_AH)
			ext_len = ((size_t)len + 2) * 4;
		else
			ext_len = ((size_t)len + 1) * 8;
		if ((r = ip6_ext_skip(b, ext_len, payload_len)) != PKT_OK)
			return r;
		*next = nh;
	}
}

static int
ip6_decode(struct ip_ctx *c, struct pkt *out)
{
	struct tb_buf	*b = &c->b;
	uint8_t		 vtc, next;
	uint16_t	 plen;
	size_t		 payload_len;
	int		 r;

	if (tb_buf_get_u8(b, &vtc) == -1)
		return PKT_ETRUNC;
	if (vtc >> 4 != 6)
		return PKT_EBAD;
	out->family = AF_INET6;
	if (tb_buf_skip(b, 3) == -1 || tb_buf_get_u16be(b, &plen) == -1 ||
	    tb_buf_get_u8(b, &next) == -1 || tb_buf_skip(b, 1) == -1 ||
	    tb_buf_get_bytes(b, out->src, 16) == -1 ||
	    tb_buf_get_bytes(b, out->dst, 16) == -1)
		return PKT_ETRUNC;
	/* 0: a jumbogram (RFC 2675) or GSO; the link layer knows better. */
	if (plen == 0)
		payload_len = c->ip_wire_len >= IP6_HDR_LEN ?
		    c->ip_wire_len - IP6_HDR_LEN : 0;
	else
		payload_len = plen;
	if ((r = ip6_exthdrs(b, &payload_len, &next, out)) != PKT_OK)
		return r;
	out->proto = next;
	return l4_decode(b, payload_len, out);
}

/* Dispatch on the IP version nibble (RAW links). */
static int
ip_decode(struct ip_ctx *c, int family, struct pkt *out)
{
	struct tb_buf	 h = c->b;
	uint8_t		 v;

	/* The link header is behind us: what is left on the wire is IP. */
	c->ip_wire_len = c->wire_len - c->b.off;
	if (family == 0) {
		if (tb_buf_get_u8(&h, &v) == -1)
			return PKT_ETRUNC;
		if (v >> 4 == 4)
			family = AF_INET;
		else if (v >> 4 == 6)
			family = AF_INET6;
		else
			return PKT_EUNSUPP;
	}
	return family == AF_INET ? ip4_decode(c, out) : ip6_decode(c, out);
}

/* The rest of the packet is carried under an ethertype: peel VLAN tags. */
static int
ether_payload(struct ip_ctx *c, uint16_t type, struct pkt *out)
{
	uint16_t	 tci;

	while (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD ||
	    type == ETHERTYPE_QINQ) {
		if (out->nvlans == PKT_MAX_VLANS)
			return PKT_EUNSUPP;
		if (tb_buf_get_u16be(&c->b, &tci) == -1 ||
		    tb_buf_get_u16be(&c->b, &type) == -1)
			return PKT_ETRUNC;
		out->vlan[out->nvlans++] = tci & VLAN_VID_MASK;
	}
	if (type == ETHERTYPE_IPV4)
		return ip_decode(c, AF_INET, out);
	if (type == ETHERTYPE_IPV6)
		return ip_decode(c, AF_INET6, out);
	return PKT_EUNSUPP;
}

static int
link_en10mb(struct ip_ctx *c, struct pkt *out)
{
	uint16_t	 type;

	if (tb_buf_skip(&c->b, ETH_ADDRS_LEN) == -1 ||
	    tb_buf_get_u16be(&c->b, &type) == -1)
		return PKT_ETRUNC;
	if (type < ETHERTYPE_MIN)
		return PKT_EUNSUPP;
	return ether_payload(c, type, out);
}

static int
link_sll(struct ip_ctx *c, struct pkt *out)
{
	uint16_t	 type;

	if (tb_buf_skip(&c->b, SLL_PROTO_OFF) == -1 ||
	    tb_buf_get_u16be(&c->b, &type) == -1)
		return PKT_ETRUNC;
	return ether_payload(c, type, out);
}

static int
link_sll2(struct ip_ctx *c, struct pkt *out)
{
	uint16_t	 type;

	if (tb_buf_get_u16be(&c->b, &type) == -1 ||
	    tb_buf_skip(&c->b, SLL2_HDR_LEN - 2) == -1)
		return PKT_ETRUNC;
	return ether_payload(c, type, out);
}

/*
 * DLT_NULL is in the capturing host's byte order, DLT_LOOP in network
 * order, and files move between hosts: the value is small, so whichever
 * order leaves the high half zero is the right one.
 */
static int
link_null(struct ip_ctx *c, struct pkt *out)
{
	uint32_t	 af;

	if (tb_buf_get_u32be(&c->b, &af) == -1)
		return PKT_ETRUNC;
	if ((af & 0xffff) == 0)
		af = (af >> 24 & 0xff) | (af >> 8 & 0xff00);
	switch (af) {
	case BSD_AF_INET:
		return ip_decode(c, AF_INET, out);
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return ip_decode(c, AF_INET6, out);
	default:
		return PKT_EUNSUPP;
	}
}

static int
link_raw(struct ip_ctx *c, struct pkt *out)
{
	return ip_decode(c, 0, out);
}

static int
link_ipv4(struct ip_ctx *c, struct pkt *out)
{
	return ip_decode(c, AF_INET, out);
}

static int
link_ipv6(struct ip_ctx *c, struct pkt *out)
{
	return ip_decode(c, AF_INET6, out);
}

static const struct link_type {
	int	 linktype;
	int	(*decode)(struct ip_ctx *, struct pkt *);
} link_types[] = {
	{ PKT_DLT_NULL, link_null },
	{ PKT_DLT_EN10MB, link_en10mb },
	{ PKT_DLT_RAW, link_raw },
	{ 14, link_raw },			/* OpenBSD's DLT_RAW */
	{ PKT_LINKTYPE_RAW, link_raw },
	{ PKT_DLT_LOOP, link_null },
	{ PKT_DLT_LINUX_SLL, link_sll },
	{ PKT_DLT_LINUX_SLL2, link_sll2 },
	{ PKT_LINKTYPE_IPV4, link_ipv4 },
	{ PKT_LINKTYPE_IPV6, link_ipv6 },
};

int
pkt_decode(int linktype, const uint8_t *p, size_t caplen, size_t wirelen,
    struct pkt *out)
{
	struct ip_ctx	 c;
	size_t		 i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < NITEMS(link_types); i++)
		if (link_types[i].linktype == linktype)
			break;
	if (i == NITEMS(link_types))
		return PKT_EUNSUPP;
	tb_buf_init(&c.b, p, caplen);
	c.wire_len = wirelen > caplen ? wirelen : caplen;
	c.ip_wire_len = 0;
	return link_types[i].decode(&c, out);
}

const char *
pkt_strerror(int e)
{
	if (e > 0 || (size_t)-e >= NITEMS(pkt_errors))
		return "unknown error";
	return pkt_errors[-e];
}
