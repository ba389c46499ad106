#include "config.h"

#include "model/icmp_parse.h"

#include <string.h>
#include <sys/socket.h>

#include "buf.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define IP4_HDR_MIN	20
#define IP6_HDR_LEN	40
#define L4_QUOTED_MIN	8	/* RFC 792: first 64 bits of data */
#define EXT_COMPAT_OFF	128	/* RFC 4884 5.5: legacy offset */
#define EXT_HDR_LEN	4
#define EXT_OBJ_HDR_LEN	4
#define EXT_VERSION	2
#define EXT_CLASS_MPLS	1	/* RFC 4950 */
#define EXT_CTYPE_MPLS	1

/* ip4_hdr and ip6_hdr results, mapped to outer or inner codes. */
#define HDR_TRUNC	-1
#define HDR_BAD		-2

struct icmp_type_map {
	uint8_t		 type;
	int		 kind;
	int		 is_error;	/* quotes the offending datagram */
	unsigned	 len_unit;	/* RFC 4884 length attribute units */
};

struct ip_hdr {
	size_t		 hlen;
	uint32_t	 tot_len;
	uint16_t	 id;
	uint32_t	 flow;
	uint8_t		 ttl, proto;
	int		 is_fragment;
	unsigned	 nexthdrs;
	union icmp_addr	 src, dst;
};

static const struct icmp_type_map icmp4_types[] = {
	{ 0, ICMP_K_ECHO_REPLY, 0, 0 },
	{ 3, ICMP_K_UNREACH, 1, 4 },
	{ 4, ICMP_K_OTHER, 1, 0 },		/* source quench */
	{ 5, ICMP_K_OTHER, 1, 0 },		/* redirect */
	{ 11, ICMP_K_TIME_EXCEEDED, 1, 4 },
	{ 12, ICMP_K_OTHER, 1, 4 },		/* parameter problem */
};

static const struct icmp_type_map icmp6_types[] = {
	{ 1, ICMP_K_UNREACH, 1, 8 },
	{ 2, ICMP_K_PKT_TOO_BIG, 1, 0 },
	{ 3, ICMP_K_TIME_EXCEEDED, 1, 8 },
	{ 4, ICMP_K_OTHER, 1, 0 },		/* parameter problem */
	{ 129, ICMP_K_ECHO_REPLY, 0, 0 },
};

static const int icmp4_reasons[] = {
	ICMP_R_NET, ICMP_R_HOST, ICMP_R_PROTO, ICMP_R_PORT,
	ICMP_R_FRAG_NEEDED, ICMP_R_SRC_ROUTE, ICMP_R_NET_UNKNOWN,
	ICMP_R_HOST_UNKNOWN, ICMP_R_ISOLATED, ICMP_R_ADMIN, ICMP_R_ADMIN,
	ICMP_R_NET_TOS, ICMP_R_HOST_TOS, ICMP_R_ADMIN, ICMP_R_PRECEDENCE,
	ICMP_R_PRECEDENCE,
};

static const int icmp6_reasons[] = {
	ICMP_R_NO_ROUTE, ICMP_R_ADMIN, ICMP_R_SCOPE, ICMP_R_ADDR,
	ICMP_R_PORT, ICMP_R_POLICY, ICMP_R_REJECT_ROUTE, ICMP_R_SRH,
	ICMP_R_HDR_TOO_LONG,
};

static const char *const icmp_reason_names[] = {
	[ICMP_R_NONE] = "none",
	[ICMP_R_NET] = "net",
	[ICMP_R_HOST] = "host",
	[ICMP_R_PROTO] = "protocol",
	[ICMP_R_PORT] = "port",
	[ICMP_R_FRAG_NEEDED] = "frag-needed",
	[ICMP_R_SRC_ROUTE] = "source-route-failed",
	[ICMP_R_NET_UNKNOWN] = "net-unknown",
	[ICMP_R_HOST_UNKNOWN] = "host-unknown",
	[ICMP_R_ISOLATED] = "host-isolated",
	[ICMP_R_ADMIN] = "admin-prohibited",
	[ICMP_R_NET_TOS] = "net-tos",
	[ICMP_R_HOST_TOS] = "host-tos",
	[ICMP_R_PRECEDENCE] = "precedence",
	[ICMP_R_NO_ROUTE] = "no-route",
	[ICMP_R_SCOPE] = "beyond-scope",
	[ICMP_R_ADDR] = "address",
	[ICMP_R_POLICY] = "policy",
	[ICMP_R_REJECT_ROUTE] = "reject-route",
	[ICMP_R_SRH] = "source-route-header",
	[ICMP_R_HDR_TOO_LONG] = "header-too-long",
	[ICMP_R_OTHER] = "other",
};

static const char *const icmp_kind_names[] = {
	[ICMP_K_OTHER] = "other",
	[ICMP_K_ECHO_REPLY] = "echo-reply",
	[ICMP_K_TIME_EXCEEDED] = "time-exceeded",
	[ICMP_K_UNREACH] = "unreachable",
	[ICMP_K_PKT_TOO_BIG] = "packet-too-big",
};

static const char *const icmp_errors[] = {
	[0] = "ok",
	[-ICMP_ETRUNC] = "message truncated",
	[-ICMP_EHDR] = "malformed outer ip header",
	[-ICMP_EFAMILY] = "unknown address family",
	[-ICMP_EINNER] = "quoted datagram malformed or truncated",
	[-ICMP_EEXT] = "malformed icmp extension",
};

/* RFC 1071 over what is left of b; b itself is not moved. */
static int
cksum_is_ok(const struct tb_buf *b)
{
	struct tb_buf	 c = *b;
	uint32_t	 sum = 0;
	uint16_t	 w;
	uint8_t		 last;

	while (tb_buf_get_u16be(&c, &w) == 0)
		sum += w;
	if (tb_buf_get_u8(&c, &last) == 0)
		sum += (uint32_t)last << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static int
ip4_hdr(struct tb_buf *b, struct ip_hdr *h)
{
	uint8_t		 vihl, ttl, proto;
	uint16_t	 tot_len, id, frag;

	if (tb_buf_get_u8(b, &vihl) == -1)
		return HDR_TRUNC;
	h->hlen = (size_t)(vihl & 0x0f) * 4;
	if (vihl >> 4 != 4 || h->hlen < IP4_HDR_MIN)
		return HDR_BAD;
	if (tb_buf_skip(b, 1) == -1 || tb_buf_get_u16be(b, &tot_len) == -1 ||
	    tb_buf_get_u16be(b, &id) == -1 ||
	    tb_buf_get_u16be(b, &frag) == -1 || tb_buf_get_u8(b, &ttl) == -1 ||
	    tb_buf_get_u8(b, &proto) == -1 || tb_buf_skip(b, 2) == -1 ||
	    tb_buf_get_bytes(b, &h->src.v4, 4) == -1 ||
	    tb_buf_get_bytes(b, &h->dst.v4, 4) == -1 ||
	    tb_buf_skip(b, h->hlen - IP4_HDR_MIN) == -1)
		return HDR_TRUNC;
	h->tot_len = tot_len;
	h->id = id;
	h->ttl = ttl;
	h->proto = proto;
	h->is_fragment = (frag & 0x1fff) != 0;
	return 0;
}

/* One extension header: its length in bytes, or -1 if b is short. */
static int
ip6_ext_skip(struct tb_buf *b, uint8_t *nxt, int *is_fragment)
{
	uint8_t		 next, hlen;
	uint16_t	 off;
	size_t		 n;

	if (tb_buf_get_u8(b, &next) == -1 || tb_buf_get_u8(b, &hlen) == -1)
		return -1;
	switch (*nxt) {
	case IPPROTO_FRAGMENT:
		if (tb_buf_get_u16be(b, &off) == -1 || tb_buf_skip(b, 4) == -1)
			return -1;
		if ((off & 0xfff8) != 0)
			*is_fragment = 1;
		break;
	case IPPROTO_AH:
		n = ((size_t)hlen + 2) * 4;
		if (tb_buf_skip(b, n - 2) == -1)
			return -1;
		break;
	default:
		n = ((size_t)hlen + 1) * 8;
		if (tb_buf_skip(b, n - 2) == -1)
			return -1;
		break;
	}
	*nxt = next;
	return 0;
}

static int
ip6_is_ext(uint8_t nxt)
{
	return nxt == IPPROTO_HOPOPTS || nxt == IPPROTO_ROUTING ||
	    nxt == IPPROTO_FRAGMENT || nxt == IPPROTO_DSTOPTS ||
	    nxt == IPPROTO_AH;
}

/* Fixed header, then the extension chain (bounded) to the transport. */
static int
ip6_hdr(struct tb_buf *b, struct ip_hdr *h)
{
	uint32_t	 vtcfl;
	uint16_t	 plen;
	uint8_t		 nxt, hlim;

	if (tb_buf_get_u32be(b, &vtcfl) == -1)
		return HDR_TRUNC;
	if (vtcfl >> 28 != 6)
		return HDR_BAD;
	if (tb_buf_get_u16be(b, &plen) == -1 || tb_buf_get_u8(b, &nxt) == -1 ||
	    tb_buf_get_u8(b, &hlim) == -1 ||
	    tb_buf_get_bytes(b, &h->src.v6, 16) == -1 ||
	    tb_buf_get_bytes(b, &h->dst.v6, 16) == -1)
		return HDR_TRUNC;
	h->hlen = IP6_HDR_LEN;
	h->tot_len = (uint32_t)plen + IP6_HDR_LEN;
	h->flow = vtcfl & 0xfffff;
	h->ttl = hlim;
	while (ip6_is_ext(nxt) && !h->is_fragment) {
		if (h->nexthdrs == ICMP_MAX_V6_EXTHDRS)
			return HDR_BAD;
		if (ip6_ext_skip(b, &nxt, &h->is_fragment) == -1)
			return HDR_TRUNC;
		h->nexthdrs++;
	}
	h->proto = nxt;
	return 0;
}

/* Leaves b at the ICMP header, cut to the IPv4 total length. */
static int
outer4(struct tb_buf *b, struct icmp_info *out)
{
	struct ip_hdr	 h;
	struct tb_buf	 icmp;
	int		 r;

	memset(&h, 0, sizeof(h));
	if ((r = ip4_hdr(b, &h)) != 0)
		return r == HDR_TRUNC ? ICMP_ETRUNC : ICMP_EHDR;
	if (h.tot_len < h.hlen || h.proto != IPPROTO_ICMP)
		return ICMP_EHDR;
	if (tb_buf_sub(b, h.tot_len - h.hlen, &icmp) == -1)
		return ICMP_ETRUNC;
	*b = icmp;
	out->has_src = 1;
	out->src = h.src;
	out->outer_ttl = h.ttl;
	return ICMP_OK;
}

static int
outer6(struct tb_buf *b, struct icmp_info *out)
{
	struct ip_hdr	 h;
	struct tb_buf	 all = *b, icmp;
	int		 r;

	memset(&h, 0, sizeof(h));
	if ((r = ip6_hdr(b, &h)) != 0)
		return r == HDR_TRUNC ? ICMP_ETRUNC : ICMP_EHDR;
	/* Jumbograms (payload length 0) never answer a traceroute. */
	if (h.tot_len == IP6_HDR_LEN || h.is_fragment ||
	    h.proto != IPPROTO_ICMPV6 || b->off > h.tot_len)
		return ICMP_EHDR;
	if (tb_buf_skip(&all, b->off) == -1 ||
	    tb_buf_sub(&all, h.tot_len - b->off, &icmp) == -1)
		return ICMP_ETRUNC;
	*b = icmp;
	out->has_src = 1;
	out->src = h.src;
	out->outer_ttl = h.ttl;
	return ICMP_OK;
}

/* RFC 792, 4443: only the first 8 transport bytes are guaranteed. */
static int
inner_l4(struct tb_buf *b, struct icmp_inner *in)
{
	uint8_t	 type;

	switch (in->proto) {
	case IPPROTO_UDP:
	case IPPROTO_TCP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		break;
	default:
		return ICMP_OK;
	}
	if (tb_buf_left(b) < L4_QUOTED_MIN)
		return ICMP_EINNER;
	if (in->proto == IPPROTO_UDP) {
		(void)tb_buf_get_u16be(b, &in->sport);
		(void)tb_buf_get_u16be(b, &in->dport);
		(void)tb_buf_get_u16be(b, &in->udp_len);
		(void)tb_buf_get_u16be(b, &in->udp_cksum);
	} else if (in->proto == IPPROTO_TCP) {
		(void)tb_buf_get_u16be(b, &in->sport);
		(void)tb_buf_get_u16be(b, &in->dport);
		(void)tb_buf_get_u32be(b, &in->tcp_seq);
	} else {
		(void)tb_buf_get_u8(b, &type);
		(void)tb_buf_skip(b, 3);
		(void)tb_buf_get_u16be(b, &in->echo_id);
		(void)tb_buf_get_u16be(b, &in->echo_seq);
		in->icmp_type = type;
	}
	in->has_l4 = 1;
	return ICMP_OK;
}

static int
inner_parse(struct tb_buf q, struct icmp_info *out)
{
	struct icmp_inner	*in = &out->inner;
	struct ip_hdr		 h;

	memset(&h, 0, sizeof(h));
	in->quoted = tb_buf_left(&q);
	if ((out->family == AF_INET ? ip4_hdr(&q, &h) : ip6_hdr(&q, &h)) != 0)
		return ICMP_EINNER;
	out->has_inner = 1;
	in->family = out->family;
	in->src = h.src;
	in->dst = h.dst;
	in->ttl = h.ttl;
	in->proto = h.proto;
	in->ip_id = h.id;
	in->flow = h.flow;
	in->ip_len = h.tot_len;
	in->nexthdrs = h.nexthdrs;
	in->is_fragment = h.is_fragment;
	if (in->is_fragment)
		return ICMP_OK;
	/* ICMP inside ICMPv6 (or the reverse) is not an echo we sent. */
	if ((in->proto == IPPROTO_ICMP && in->family != AF_INET) ||
	    (in->proto == IPPROTO_ICMPV6 && in->family != AF_INET6))
		return ICMP_OK;
	return inner_l4(&q, in);
}

static int
ext_mpls(struct tb_buf *ob, struct icmp_ext *e)
{
	struct icmp_mpls	*m;
	uint32_t		 v;

	while (tb_buf_get_u32be(ob, &v) == 0) {
		if (e->nmpls == ICMP_MAX_MPLS) {
			e->nmpls_dropped++;
			continue;
		}
		m = &e->mpls[e->nmpls++];
		m->label = v >> 12;
		m->tc = (v >> 9) & 0x7;
		m->is_bos = (v >> 8) & 0x1;
		m->ttl = v & 0xff;
	}
	return tb_buf_left(ob) == 0 ? 0 : -1;
}

static int
ext_object(struct tb_buf *b, struct icmp_ext *e)
{
	struct tb_buf	 ob;
	uint16_t	 olen;
	uint8_t		 class, ctype;

	if (tb_buf_get_u16be(b, &olen) == -1 ||
	    tb_buf_get_u8(b, &class) == -1 || tb_buf_get_u8(b, &ctype) == -1)
		return -1;
	if (olen < EXT_OBJ_HDR_LEN ||
	    tb_buf_sub(b, olen - EXT_OBJ_HDR_LEN, &ob) == -1)
		return -1;
	e->nobjects++;
	if (class == EXT_CLASS_MPLS && ctype == EXT_CTYPE_MPLS)
		return ext_mpls(&ob, e);
	return 0;
}

/* RFC 4884 7: a bad checksum is flagged, not fatal. */
static void
ext_parse(struct tb_buf *b, struct icmp_ext *e)
{
	uint8_t	 v;

	e->is_cksum_bad = !cksum_is_ok(b);
	if (tb_buf_get_u8(b, &v) == -1 || tb_buf_skip(b, 3) == -1) {
		e->err = ICMP_EEXT;
		return;
	}
	e->version = v >> 4;
	if (e->version != EXT_VERSION) {
		e->err = ICMP_EEXT;
		return;
	}
	while (tb_buf_left(b) > 0)
		if (ext_object(b, e) == -1) {
			e->err = ICMP_EEXT;
			return;
		}
}

/*
 * RFC 4884 5.5: a sender without the length attribute puts the extension
 * at offset 128.  Believe it only when the quoted datagram says it ends
 * there, else its own bytes at 128 could pass for a version 2 header.
 */
static int
ext_is_compat(const struct tb_buf *b, const struct icmp_info *out)
{
	struct tb_buf	 c = *b;
	uint8_t		 v;

	if (!out->has_inner || out->inner.ip_len > EXT_COMPAT_OFF ||
	    tb_buf_left(&c) < EXT_COMPAT_OFF + EXT_HDR_LEN)
		return 0;
	if (tb_buf_skip(&c, EXT_COMPAT_OFF) == -1 ||
	    tb_buf_get_u8(&c, &v) == -1)
		return 0;
	return v >> 4 == EXT_VERSION;
}

static int
icmp_error_body(struct tb_buf *b, struct icmp_info *out, unsigned unit,
    uint8_t lenattr)
{
	struct tb_buf	 q;
	size_t		 qlen;
	int		 r;

	if (unit != 0 && lenattr != 0) {
		qlen = (size_t)lenattr * unit;
		if (qlen > tb_buf_left(b)) {
			/* The length lies: the rest is all quote. */
			out->has_ext = 1;
			out->ext.err = ICMP_EEXT;
			qlen = tb_buf_left(b);
		}
		(void)tb_buf_sub(b, qlen, &q);
		r = inner_parse(q, out);
		if (tb_buf_left(b) > 0) {
			out->has_ext = 1;
			ext_parse(b, &out->ext);
		}
		return r;
	}
	r = inner_parse(*b, out);
	if (unit != 0 && ext_is_compat(b, out)) {
		out->inner.quoted = EXT_COMPAT_OFF;
		(void)tb_buf_skip(b, EXT_COMPAT_OFF);
		out->has_ext = 1;
		out->ext.is_compat = 1;
		ext_parse(b, &out->ext);
	}
	return r;
}

static const struct icmp_type_map *
icmp_type_find(int family, uint8_t type)
{
	const struct icmp_type_map	*t;
	size_t				 i, n;

	t = family == AF_INET ? icmp4_types : icmp6_types;
	n = family == AF_INET ? NITEMS(icmp4_types) : NITEMS(icmp6_types);
	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

static int
icmp_reason_of(int family, uint8_t code)
{
	if (family == AF_INET && code < NITEMS(icmp4_reasons))
		return icmp4_reasons[code];
	if (family == AF_INET6 && code < NITEMS(icmp6_reasons))
		return icmp6_reasons[code];
	return ICMP_R_OTHER;
}

void
icmp_classify(int family, uint8_t type, uint8_t code, int *kind,
    int *reason)
{
	const struct icmp_type_map	*tm;

	*kind = ICMP_K_OTHER;
	*reason = ICMP_R_NONE;
	if ((tm = icmp_type_find(family, type)) == NULL)
		return;
	*kind = tm->kind;
	if (tm->kind == ICMP_K_UNREACH)
		*reason = icmp_reason_of(family, code);
}

/* MTU and echo ids from the second header word. */
static void
icmp_word(struct icmp_info *out, const uint8_t rest[4])
{
	if (out->kind == ICMP_K_ECHO_REPLY) {
		out->echo_id = (uint16_t)(rest[0] << 8 | rest[1]);
		out->echo_seq = (uint16_t)(rest[2] << 8 | rest[3]);
	} else if (out->kind == ICMP_K_PKT_TOO_BIG) {
		out->mtu = (uint32_t)rest[0] << 24 | (uint32_t)rest[1] << 16 |
		    (uint32_t)rest[2] << 8 | rest[3];
	} else if (out->reason == ICMP_R_FRAG_NEEDED) {
		/* RFC 1191: next-hop MTU in the low half of the word. */
		out->mtu = (uint32_t)(rest[2] << 8 | rest[3]);
	}
}

static int
icmp_body(struct tb_buf *b, struct icmp_info *out)
{
	const struct icmp_type_map	*tm;
	uint8_t				 rest[4];

	/* The kernel checks ICMPv6 checksums before a raw socket sees them. */
	if (out->family == AF_INET)
		out->is_cksum_bad = !cksum_is_ok(b);
	if (tb_buf_get_u8(b, &out->type) == -1 ||
	    tb_buf_get_u8(b, &out->code) == -1 || tb_buf_skip(b, 2) == -1 ||
	    tb_buf_get_bytes(b, rest, sizeof(rest)) == -1)
		return ICMP_ETRUNC;
	out->payload_len = tb_buf_left(b);
	if ((tm = icmp_type_find(out->family, out->type)) == NULL)
		return ICMP_OK;
	icmp_classify(out->family, out->type, out->code, &out->kind,
	    &out->reason);
	icmp_word(out, rest);
	if (!tm->is_error)
		return ICMP_OK;
	/* The length attribute: byte 5 of ICMP, byte 4 of ICMPv6. */
	return icmp_error_body(b, out, tm->len_unit,
	    out->family == AF_INET ? rest[1] : rest[0]);
}

int
icmp_parse(const uint8_t *p, size_t len, int family, int has_outer_ip,
    struct icmp_info *out)
{
	struct tb_buf	 b;
	int		 r;

	memset(out, 0, sizeof(*out));
	out->family = family;
	if (family != AF_INET && family != AF_INET6)
		return ICMP_EFAMILY;
	tb_buf_init(&b, p, len);
	if (has_outer_ip) {
		r = family == AF_INET ? outer4(&b, out) : outer6(&b, out);
		if (r != ICMP_OK)
			return r;
	}
	return icmp_body(&b, out);
}

const char *
icmp_strerror(int err)
{
	if (err > 0 || (size_t)-err >= NITEMS(icmp_errors) ||
	    icmp_errors[-err] == NULL)
		return "unknown error";
	return icmp_errors[-err];
}

const char *
icmp_reason_name(int reason)
{
	if (reason < 0 || (size_t)reason >= NITEMS(icmp_reason_names))
		return "other";
	return icmp_reason_names[reason];
}

const char *
icmp_kind_name(int kind)
{
	if (kind < 0 || (size_t)kind >= NITEMS(icmp_kind_names))
		return "other";
	return icmp_kind_names[kind];
}
