/* icmp_parse over hand-built ICMP and ICMPv6 messages, valid and hostile. */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "model/icmp_parse.h"
#include "tap.h"
#include "wb.h"

#define HOP4	"192.0.2.1"
#define ME4	"10.0.0.1"
#define DST4	"198.51.100.7"
#define HOP6	"2001:db8::1"
#define ME6	"2001:db8:1::10"
#define DST6	"2001:db8:2::7"

static struct icmp_info	ii;

static void
putaddr(int family, const char *s)
{
	uint8_t	a[16];

	inet_pton(family, s, a);
	putbytes(a, family == AF_INET ? 4 : 16);
}

static uint16_t
cksum(size_t off, size_t end)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = off; i + 1 < end; i += 2)
		sum += (uint32_t)(w.b[i] << 8 | w.b[i + 1]);
	if (i < end)
		sum += (uint32_t)w.b[i] << 8;
	while (sum > 0xffff)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
set16(size_t off, unsigned v)
{
	w.b[off] = (uint8_t)(v >> 8);
	w.b[off + 1] = (uint8_t)v;
}

/* IPv4 header with hlen bytes (NOP options past 20); returns its offset. */
static size_t
ip4(size_t hlen, unsigned tot_len, unsigned id, unsigned ttl, unsigned proto,
    const char *src, const char *dst)
{
	size_t	off = w.n;

	put8(0x40 | (unsigned)(hlen / 4));
	put8(0);
	put16(tot_len);
	put16(id);
	put16(0);
	put8(ttl);
	put8(proto);
	put16(0);
	putaddr(AF_INET, src);
	putaddr(AF_INET, dst);
	while (w.n - off < hlen)
		put8(1);
	return off;
}

static void
ip4_fix_len(size_t off)
{
	set16(off + 2, (unsigned)(w.n - off));
}

static size_t
ip6(unsigned plen, unsigned nxt, unsigned hlim, uint32_t flow,
    const char *src, const char *dst)
{
	size_t	off = w.n;

	put32(0x60000000u | flow);
	put16(plen);
	put8(nxt);
	put8(hlim);
	putaddr(AF_INET6, src);
	putaddr(AF_INET6, dst);
	return off;
}

static size_t
icmp_hdr(unsigned type, unsigned code, uint32_t word)
{
	size_t	off = w.n;

	put8(type);
	put8(code);
	put16(0);
	put32(word);
	return off;
}

static void
icmp_fix_cksum(size_t off)
{
	set16(off + 2, cksum(off, w.n));
}

static void
udp(unsigned sport, unsigned dport, unsigned len, unsigned ck)
{
	put16(sport);
	put16(dport);
	put16(len);
	put16(ck);
}

/* v4 outer + ICMP header; the caller appends the body and calls end4. */
static size_t
begin4(unsigned type, unsigned code, uint32_t word)
{
	w.n = 0;
	ip4(20, 0, 0, 250, IPPROTO_ICMP, HOP4, ME4);
	return icmp_hdr(type, code, word);
}

static void
end4(size_t icmp_off)
{
	icmp_fix_cksum(icmp_off);
	ip4_fix_len(0);
}

/* Inner IPv4 UDP probe: 28 bytes quoted, 60 claimed. */
static void
probe4_udp(void)
{
	ip4(20, 60, 0x1234, 1, IPPROTO_UDP, ME4, DST4);
	udp(40000, 33435, 40, 0xabcd);
}

static void
probe6_udp(unsigned nxt)
{
	ip6(40, nxt, 1, 0xbeef5, ME6, DST6);
}

static const char *
addr(int family, const union icmp_addr *a)
{
	static char	buf[INET6_ADDRSTRLEN];

	return inet_ntop(family, a, buf, sizeof(buf));
}

static int
parse4(void)
{
	return icmp_parse(w.b, w.n, AF_INET, 1, &ii);
}

static int
parse6(void)
{
	return icmp_parse(w.b, w.n, AF_INET6, 0, &ii);
}

static void
test_echo4(void)
{
	size_t	off;

	off = begin4(0, 0, 0x4d2u << 16 | 7);
	putzero(32);
	end4(off);
	is_int(parse4(), ICMP_OK, "v4 echo reply parses");
	is_int(ii.kind, ICMP_K_ECHO_REPLY, "echo reply kind");
	ok(ii.echo_id == 0x4d2 && ii.echo_seq == 7, "echo id and seq");
	ok(ii.has_src, "outer source present");
	is_str(addr(AF_INET, &ii.src), HOP4, "outer source");
	is_int(ii.payload_len, 32, "echo payload length");
	ok(!ii.is_cksum_bad && !ii.has_inner, "checksum good, no inner");
	w.b[30] ^= 0xff;
	ok(parse4() == ICMP_OK && ii.is_cksum_bad, "bad checksum flagged");
}

static void
test_te4(void)
{
	size_t	off;

	off = begin4(11, 0, 0);
	ip4(20, 84, 0x0101, 1, IPPROTO_ICMP, ME4, DST4);
	icmp_hdr(8, 0, 0x4d2u << 16 | 9);
	end4(off);
	is_int(parse4(), ICMP_OK, "v4 time exceeded (echo) parses");
	is_int(ii.kind, ICMP_K_TIME_EXCEEDED, "time exceeded kind");
	is_str(addr(AF_INET, &ii.inner.dst), DST4, "inner destination");
	ok(ii.inner.has_l4 && ii.inner.icmp_type == 8 &&
	    ii.inner.echo_id == 0x4d2 && ii.inner.echo_seq == 9,
	    "inner echo id and seq");
	ok(ii.inner.ttl == 1 && ii.inner.ip_id == 0x0101 &&
	    ii.inner.ip_len == 84, "inner ttl, id, length");

	off = begin4(11, 0, 0);
	probe4_udp();
	end4(off);
	is_int(parse4(), ICMP_OK, "v4 time exceeded (udp) parses");
	ok(ii.inner.proto == IPPROTO_UDP && ii.inner.sport == 40000 &&
	    ii.inner.dport == 33435 && ii.inner.udp_len == 40 &&
	    ii.inner.udp_cksum == 0xabcd, "inner udp fields");
	is_str(addr(AF_INET, &ii.inner.src), ME4, "inner source");
	is_int(ii.inner.quoted, 28, "quoted bytes");

	off = begin4(11, 0, 0);
	ip4(20, 60, 7, 2, IPPROTO_TCP, ME4, DST4);
	put16(50000);
	put16(443);
	put32(0xdeadbeef);
	end4(off);
	is_int(parse4(), ICMP_OK, "v4 time exceeded (tcp, 8 bytes) parses");
	ok(ii.inner.sport == 50000 && ii.inner.dport == 443 &&
	    ii.inner.tcp_seq == 0xdeadbeef && ii.inner.ttl == 2,
	    "inner tcp ports and seq");
}

static void
test_options4(void)
{
	size_t	off;

	w.n = 0;
	ip4(24, 0, 0, 61, IPPROTO_ICMP, HOP4, ME4);
	off = icmp_hdr(11, 0, 0);
	ip4(24, 64, 0x5555, 1, IPPROTO_UDP, ME4, DST4);
	udp(40001, 33436, 36, 1);
	end4(off);
	is_int(parse4(), ICMP_OK, "ihl 6 outer and inner parse");
	ok(ii.outer_ttl == 61 && ii.inner.ip_id == 0x5555 &&
	    ii.inner.sport == 40001 && ii.inner.dport == 33436,
	    "fields past the options");
}

static void
test_unreach4(void)
{
	size_t		 off;
	unsigned	 i;
	static const unsigned admin[] = { 9, 10, 13 };

	off = begin4(3, 3, 0);
	probe4_udp();
	end4(off);
	is_int(parse4(), ICMP_OK, "port unreachable parses");
	ok(ii.kind == ICMP_K_UNREACH && ii.reason == ICMP_R_PORT,
	    "port unreachable kind and reason");
	is_str(icmp_reason_name(ii.reason), "port", "reason name port");
	for (i = 0; i < 3; i++) {
		off = begin4(3, admin[i], 0);
		probe4_udp();
		end4(off);
		ok(parse4() == ICMP_OK && ii.reason == ICMP_R_ADMIN,
		    "v4 code %u is admin-prohibited", admin[i]);
	}
	is_str(icmp_reason_name(ii.reason), "admin-prohibited",
	    "reason name admin");
	off = begin4(3, 4, 1400);
	probe4_udp();
	end4(off);
	ok(parse4() == ICMP_OK && ii.reason == ICMP_R_FRAG_NEEDED &&
	    ii.mtu == 1400, "frag needed with next-hop mtu 1400");
	off = begin4(3, 0, 0);
	probe4_udp();
	end4(off);
	ok(parse4() == ICMP_OK && ii.reason == ICMP_R_NET, "net unreachable");
}

static void
test_te6(void)
{
	w.n = 0;
	icmp_hdr(3, 0, 0);
	probe6_udp(IPPROTO_UDP);
	udp(40000, 33435, 40, 0x1111);
	is_int(parse6(), ICMP_OK, "v6 time exceeded (udp) parses");
	ok(ii.kind == ICMP_K_TIME_EXCEEDED && !ii.has_src,
	    "v6 kind, no outer source");
	is_str(addr(AF_INET6, &ii.inner.dst), DST6, "v6 inner destination");
	ok(ii.inner.flow == 0xbeef5 && ii.inner.ttl == 1 &&
	    ii.inner.ip_len == 80, "v6 flow label, hop limit, length");
	ok(ii.inner.sport == 40000 && ii.inner.dport == 33435 &&
	    ii.inner.udp_cksum == 0x1111, "v6 inner udp");
}

static void
test_exthdrs6(void)
{
	unsigned	i;

	w.n = 0;
	icmp_hdr(3, 0, 0);
	probe6_udp(IPPROTO_HOPOPTS);
	put8(IPPROTO_DSTOPTS);	/* hop-by-hop, 8 bytes */
	put8(0);
	putzero(6);
	put8(IPPROTO_UDP);	/* destination options, 16 bytes */
	put8(1);
	putzero(14);
	udp(40002, 33437, 40, 2);
	is_int(parse6(), ICMP_OK, "v6 ext header chain parses");
	ok(ii.inner.nexthdrs == 2 && ii.inner.proto == IPPROTO_UDP &&
	    ii.inner.sport == 40002 && ii.inner.dport == 33437,
	    "udp found after hop-by-hop and dstopts");

	w.n = 0;
	icmp_hdr(3, 0, 0);
	probe6_udp(IPPROTO_DSTOPTS);
	for (i = 0; i < ICMP_MAX_V6_EXTHDRS + 1; i++) {
		put8(i == ICMP_MAX_V6_EXTHDRS ? IPPROTO_UDP : IPPROTO_DSTOPTS);
		put8(0);
		putzero(6);
	}
	udp(1, 2, 8, 0);
	ok(parse6() == ICMP_EINNER && ii.kind == ICMP_K_TIME_EXCEEDED,
	    "9 extension headers rejected, kind kept");
}

static void
test_too_big6(void)
{
	unsigned	i;
	static const struct {
		unsigned	 code;
		int		 reason;
	} u[] = {
		{ 0, ICMP_R_NO_ROUTE }, { 1, ICMP_R_ADMIN }, { 3, ICMP_R_ADDR },
		{ 4, ICMP_R_PORT }, { 6, ICMP_R_REJECT_ROUTE },
		{ 200, ICMP_R_OTHER },
	};

	w.n = 0;
	icmp_hdr(2, 0, 1280);
	probe6_udp(IPPROTO_UDP);
	udp(40000, 33435, 1400, 0);
	ok(parse6() == ICMP_OK && ii.kind == ICMP_K_PKT_TOO_BIG &&
	    ii.mtu == 1280, "v6 packet too big, mtu 1280");
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		w.n = 0;
		icmp_hdr(1, u[i].code, 0);
		probe6_udp(IPPROTO_UDP);
		udp(1, 2, 8, 0);
		ok(parse6() == ICMP_OK && ii.kind == ICMP_K_UNREACH &&
		    ii.reason == u[i].reason, "v6 unreachable code %u: %s",
		    u[i].code, icmp_reason_name(u[i].reason));
	}
	w.n = 0;
	icmp_hdr(129, 0, 0x77u << 16 | 3);
	ok(parse6() == ICMP_OK && ii.kind == ICMP_K_ECHO_REPLY &&
	    ii.echo_id == 0x77 && ii.echo_seq == 3, "v6 echo reply");
}

/* Extension header and one MPLS object with n entries. */
static void
mpls_ext(unsigned n, int bad_cksum)
{
	size_t		off = w.n;
	unsigned	i;

	put32(0x20000000);
	put16(4 + 4 * n);
	put8(1);
	put8(1);
	for (i = 0; i < n; i++)
		put32((16000 + i) << 12 | 5 << 9 | (i + 1 == n) << 8 |
		    (unsigned)(250 - i));
	set16(off + 2, cksum(off, w.n) ^ (bad_cksum ? 0x5a : 0));
}

/* v4 time exceeded, quote padded to 128 bytes, RFC 4884 length or not. */
static size_t
build_mpls4(unsigned nlabels, int use_len)
{
	size_t	off;

	off = begin4(11, 0, use_len ? 32u << 16 : 0);
	probe4_udp();
	putzero(128 - 28);
	mpls_ext(nlabels, 0);
	end4(off);
	return off;
}

static void
build_mpls6(unsigned nlabels)
{
	w.n = 0;
	icmp_hdr(3, 0, 16u << 24);
	probe6_udp(IPPROTO_UDP);
	udp(40000, 33435, 40, 0);
	putzero(128 - 48);
	mpls_ext(nlabels, 0);
}

static void
test_mpls(void)
{
	build_mpls4(1, 1);
	is_int(parse4(), ICMP_OK, "v4 one mpls label parses");
	ok(ii.has_ext && !ii.ext.err && !ii.ext.is_compat &&
	    !ii.ext.is_cksum_bad && ii.ext.nmpls == 1, "v4 one label ext");
	ok(ii.ext.mpls[0].label == 16000 && ii.ext.mpls[0].tc == 5 &&
	    ii.ext.mpls[0].is_bos && ii.ext.mpls[0].ttl == 250,
	    "label, tc, s, ttl");
	ok(ii.inner.sport == 40000 && ii.inner.quoted == 128,
	    "inner kept, quote is 128 bytes");

	build_mpls4(2, 0);
	is_int(parse4(), ICMP_OK, "v4 two labels, no length attribute");
	ok(ii.has_ext && ii.ext.is_compat && ii.ext.nmpls == 2 &&
	    !ii.ext.mpls[0].is_bos && ii.ext.mpls[1].is_bos &&
	    ii.ext.mpls[1].label == 16001 && ii.ext.mpls[1].ttl == 249,
	    "v4 compat two labels");

	build_mpls6(1);
	is_int(parse6(), ICMP_OK, "v6 one mpls label parses");
	ok(ii.has_ext && ii.ext.nmpls == 1 && ii.ext.mpls[0].label == 16000,
	    "v6 one label");
	build_mpls6(2);
	ok(parse6() == ICMP_OK && ii.ext.nmpls == 2 &&
	    ii.ext.mpls[1].label == 16001 && ii.inner.dport == 33435,
	    "v6 two labels, inner kept");

	build_mpls4(10, 1);
	ok(parse4() == ICMP_OK && ii.ext.nmpls == ICMP_MAX_MPLS &&
	    ii.ext.nmpls_dropped == 2, "10 labels: 8 kept, 2 dropped");
}

static void
test_ext_lies(void)
{
	size_t	off;

	off = begin4(11, 0, 200u << 16);
	probe4_udp();
	putzero(100);
	mpls_ext(1, 0);
	end4(off);
	ok(parse4() == ICMP_OK && ii.ext.err == ICMP_EEXT &&
	    ii.inner.sport == 40000, "length attribute past the end");

	off = build_mpls4(1, 1);
	set16(20 + 8 + 128 + 4, 0xfff0);
	icmp_fix_cksum(off);
	ok(parse4() == ICMP_OK && ii.ext.err == ICMP_EEXT &&
	    ii.inner.dport == 33435, "object length past the end");

	off = build_mpls4(1, 1);
	set16(20 + 8 + 128 + 4, 2);
	icmp_fix_cksum(off);
	ok(parse4() == ICMP_OK && ii.ext.err == ICMP_EEXT,
	    "object length under 4");

	off = begin4(11, 0, 32u << 16);
	probe4_udp();
	putzero(100);
	mpls_ext(2, 1);
	end4(off);
	ok(parse4() == ICMP_OK && ii.ext.is_cksum_bad && !ii.ext.err &&
	    ii.ext.nmpls == 2, "bad extension checksum flagged, labels kept");

	off = build_mpls4(1, 1);
	w.b[20 + 8 + 128] = 0x10;
	icmp_fix_cksum(off);
	ok(parse4() == ICMP_OK && ii.ext.err == ICMP_EEXT &&
	    ii.ext.nmpls == 0, "extension version 1 rejected");

	/* A long original datagram: its byte 128 is data, not a header. */
	off = begin4(11, 0, 0);
	ip4(20, 400, 1, 1, IPPROTO_UDP, ME4, DST4);
	udp(1, 2, 380, 0);
	putzero(100);
	mpls_ext(1, 0);
	end4(off);
	ok(parse4() == ICMP_OK && !ii.has_ext, "no compat ext in a long quote");
}

static void
test_hostile(void)
{
	size_t	off;

	off = begin4(11, 0, 0);
	probe4_udp();
	end4(off);
	w.b[0] = 0x44;
	is_int(parse4(), ICMP_EHDR, "outer ihl 4");
	w.b[0] = 0x4f;
	is_int(parse4(), ICMP_ETRUNC, "outer ihl 15 past the end");
	w.b[0] = 0x45;
	set16(2, (unsigned)w.n + 1);
	is_int(parse4(), ICMP_ETRUNC, "outer total length past the end");
	set16(2, 12);
	is_int(parse4(), ICMP_EHDR, "outer total length under ihl");
	set16(2, (unsigned)w.n);
	w.b[9] = IPPROTO_UDP;
	is_int(parse4(), ICMP_EHDR, "outer protocol not icmp");
	w.b[9] = IPPROTO_ICMP;
	w.b[28] = 0x43;
	ok(parse4() == ICMP_EINNER && ii.kind == ICMP_K_TIME_EXCEEDED &&
	    !ii.has_inner, "inner ihl 3: einner, kind kept");
	w.b[28] = 0x65;
	is_int(parse4(), ICMP_EINNER, "inner version 6 in icmpv4");
	w.b[28] = 0x45;
	set16(30, 1500);
	ok(parse4() == ICMP_OK && ii.inner.ip_len == 1500 &&
	    ii.inner.quoted == 28, "inner length lies: bytes present win");

	off = begin4(11, 0, 0);
	ip4(20, 60, 1, 1, IPPROTO_UDP, ME4, DST4);
	put16(40000);
	put16(33435);
	end4(off);
	ok(parse4() == ICMP_EINNER && ii.has_inner && !ii.inner.has_l4 &&
	    ii.inner.ttl == 1, "inner udp cut to 4 bytes: addresses kept");

	is_int(icmp_parse(w.b, w.n, AF_UNIX, 1, &ii), ICMP_EFAMILY,
	    "unknown family");
	is_int(icmp_parse(NULL, 0, AF_INET6, 0, &ii), ICMP_ETRUNC,
	    "empty input");
}

/* Every proper prefix of the current packet is an error or partial. */
static void
prefixes(int family, int outer, const char *what)
{
	size_t		full = w.n, n;
	int		r, bad = 0, full_ok;
	unsigned	nmpls;

	full_ok = icmp_parse(w.b, full, family, outer, &ii) == ICMP_OK;
	nmpls = ii.ext.nmpls;
	for (n = 0; n < full; n++) {
		r = icmp_parse(w.b, n, family, outer, &ii);
		if (r == ICMP_OK && ii.inner.has_l4 && ii.has_ext &&
		    ii.ext.err == 0 && ii.ext.nmpls == nmpls)
			bad++;
		if (outer && family == AF_INET && r != ICMP_ETRUNC)
			bad++;
	}
	ok(full_ok && bad == 0, "every prefix of %s is short", what);
}

static void
test_truncation(void)
{
	build_mpls4(2, 1);
	prefixes(AF_INET, 1, "v4 mpls");
	build_mpls6(2);
	prefixes(AF_INET6, 0, "v6 mpls");
	build_mpls6(1);
	w.b[4] = 0;	/* no length attribute: compat */
	prefixes(AF_INET6, 0, "v6 compat mpls");
}

static void
test_v6_outer(void)
{
	w.n = 0;
	ip6(8 + 48, IPPROTO_ICMPV6, 60, 0, HOP6, ME6);
	icmp_hdr(3, 0, 0);
	probe6_udp(IPPROTO_UDP);
	udp(40000, 33435, 40, 0);
	ok(icmp_parse(w.b, w.n, AF_INET6, 1, &ii) == ICMP_OK && ii.has_src &&
	    ii.outer_ttl == 60, "v6 with outer header");
	is_str(addr(AF_INET6, &ii.src), HOP6, "v6 outer source");
	ok(icmp_parse(w.b, w.n - 1, AF_INET6, 1, &ii) == ICMP_ETRUNC,
	    "v6 payload length past the end");
}

static void
test_names(void)
{
	int	kind, reason;

	icmp_classify(AF_INET, 3, 13, &kind, &reason);
	ok(kind == ICMP_K_UNREACH && reason == ICMP_R_ADMIN,
	    "classify v4 3/13 without bytes");
	icmp_classify(AF_INET6, 3, 0, &kind, &reason);
	ok(kind == ICMP_K_TIME_EXCEEDED && reason == ICMP_R_NONE,
	    "classify v6 3/0 without bytes");
	is_str(icmp_strerror(ICMP_EEXT), "malformed icmp extension",
	    "strerror eext");
	is_str(icmp_strerror(-99), "unknown error", "strerror unknown");
	is_str(icmp_reason_name(ICMP_R_NO_ROUTE), "no-route", "no-route name");
	is_str(icmp_reason_name(99), "other", "reason out of range");
	is_str(icmp_kind_name(ICMP_K_PKT_TOO_BIG), "packet-too-big",
	    "kind name");
}

int
main(void)
{
	test_echo4();
	test_te4();
	test_options4();
	test_unreach4();
	test_te6();
	test_exthdrs6();
	test_too_big6();
	test_mpls();
	test_ext_lies();
	test_hostile();
	test_truncation();
	test_v6_outer();
	test_names();
	return done_testing();
}
