/* pkt_decode over hand-built frames of every link type, valid and hostile. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model/pkt_decode.h"
#include "tap.h"
#include "wb.h"

#define SRC4	"192.0.2.1"
#define DST4	"198.51.100.7"
#define SRC6	"2001:db8::1"
#define DST6	"2001:db8:2::7"
#define SPORT	40000
#define DPORT	80
#define SEQ	0x01020304u
#define ACK	0xa0b0c0d0u
#define DATA	"GET / HTTP/1.1\r\n"
#define DATALEN	(sizeof(DATA) - 1)

static struct pkt	k;

static void
set16(size_t off, unsigned v)
{
	w.b[off] = (uint8_t)(v >> 8);
	w.b[off + 1] = (uint8_t)v;
}

static void
putaddr(int family, const char *s)
{
	uint8_t	a[16];

	inet_pton(family, s, a);
	putbytes(a, family == AF_INET ? 4 : 16);
}

static int
addr_is(int family, const uint8_t *got, const char *s)
{
	uint8_t	a[16];

	inet_pton(family, s, a);
	return memcmp(got, a, family == AF_INET ? 4 : 16) == 0;
}

/* Decode w as linktype from an exact-size heap copy (ASan sees past it). */
static int
decode_n(int linktype, size_t caplen, size_t wirelen)
{
	static uint8_t	*copy;
	int		 r;

	free(copy);
	if ((copy = malloc(caplen > 0 ? caplen : 1)) == NULL)
		abort();
	memcpy(copy, w.b, caplen);
	r = pkt_decode(linktype, copy, caplen, wirelen, &k);
	/* Rebase the payload onto w so callers may compare offsets. */
	if (k.payload != NULL)
		k.payload = w.b + (k.payload - copy);
	return r;
}

static int
decode(int linktype)
{
	return decode_n(linktype, w.n, w.n);
}

/* --- builders: each returns where its header began ------------------- */

static void
eth(unsigned type)
{
	putbytes("\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	put16(type);
}

static void
vlan(unsigned tci, unsigned type)
{
	put16(tci);
	put16(type);
}

static void
sll(unsigned proto)
{
	put16(0);		/* packet type: to us */
	put16(1);		/* ARPHRD_ETHER */
	put16(6);
	putbytes("\x02\x00\x00\x00\x00\x01\x00\x00", 8);
	put16(proto);
}

static void
sll2(unsigned proto)
{
	put16(proto);
	put16(0);
	put32(2);		/* ifindex */
	put16(1);
	put8(0);
	put8(6);
	putbytes("\x02\x00\x00\x00\x00\x01\x00\x00", 8);
}

static size_t
ip4(size_t hlen, unsigned frag, unsigned proto)
{
	size_t	off = w.n;

	put8(0x40 | (unsigned)(hlen / 4));
	put8(0);
	put16(0);		/* total length: ip_end() */
	put16(0x1234);
	put16(frag);
	put8(64);
	put8(proto);
	put16(0);
	putaddr(AF_INET, SRC4);
	putaddr(AF_INET, DST4);
	while (w.n - off < hlen)
		put8(1);	/* NOP options */
	return off;
}

static size_t
ip6(unsigned next)
{
	size_t	off = w.n;

	put32(0x60000000);
	put16(0);		/* payload length: ip_end() */
	put8(next);
	put8(64);
	putaddr(AF_INET6, SRC6);
	putaddr(AF_INET6, DST6);
	return off;
}

/* An 8-octet-unit extension header of len bytes (len % 8 == 0). */
static void
ext6(unsigned next, size_t len)
{
	put8(next);
	put8((unsigned)(len / 8 - 1));
	putzero(len - 2);
}

static void
frag6(unsigned next, unsigned off_flags)
{
	put8(next);
	put8(0);
	put16(off_flags);
	put32(0xdeadbeef);
}

static void
tcp(size_t hlen, unsigned flags)
{
	size_t	off = w.n;

	put16(SPORT);
	put16(DPORT);
	put32(SEQ);
	put32(ACK);
	put8((unsigned)(hlen / 4) << 4);
	put8(flags);
	put16(65535);
	put32(0);
	while (w.n - off < hlen)
		put8(1);
}

static void
udp(unsigned len)
{
	put16(5353);
	put16(53);
	put16(len);
	put16(0);
}

/* Set the IP header's length field now that the packet is whole. */
static void
ip_end(size_t ip)
{
	if (w.b[ip] >> 4 == 4)
		set16(ip + 2, (unsigned)(w.n - ip));
	else
		set16(ip + 4, (unsigned)(w.n - ip - 40));
}

static void
data(void)
{
	putbytes(DATA, DATALEN);
}

/* A TCP packet with DATA for family after whatever link header is in w. */
static void
tcp_pkt(int family)
{
	size_t	ip;

	ip = family == AF_INET ? ip4(20, 0x4000, IPPROTO_TCP) :
	    ip6(IPPROTO_TCP);
	tcp(20, PKT_TCP_PSH | PKT_TCP_ACK);
	data();
	ip_end(ip);
}

static int
tcp_ok(int family, const char *what)
{
	int	 good;

	good = k.family == family && k.proto == IPPROTO_TCP &&
	    !k.is_fragment && k.sport == SPORT && k.dport == DPORT &&
	    k.seq == SEQ && k.ack == ACK &&
	    k.tcp_flags == (PKT_TCP_PSH | PKT_TCP_ACK) &&
	    k.payload_len == DATALEN && k.payload_wire_len == DATALEN &&
	    k.payload != NULL && memcmp(k.payload, DATA, DATALEN) == 0 &&
	    addr_is(family, k.src, family == AF_INET ? SRC4 : SRC6) &&
	    addr_is(family, k.dst, family == AF_INET ? DST4 : DST6);
	return ok(good, "%s: tcp fields and payload", what);
}

/* --- link types ------------------------------------------------------- */

static void
test_links(void)
{
	static const struct {
		const char	*name;
		int		 lt;
		uint32_t	 af;
		int		 family;
	} nulls[] = {
		{ "null af 2 little-endian", PKT_DLT_NULL, 0x02000000,
		    AF_INET },
		{ "null af 2 big-endian", PKT_DLT_NULL, 2, AF_INET },
		{ "loop af 2", PKT_DLT_LOOP, 2, AF_INET },
		{ "null af 24", PKT_DLT_NULL, 0x18000000, AF_INET6 },
		{ "null af 28", PKT_DLT_NULL, 28, AF_INET6 },
		{ "loop af 30", PKT_DLT_LOOP, 30, AF_INET6 },
		{ "loop af 30 little-endian", PKT_DLT_LOOP, 0x1e000000,
		    AF_INET6 },
	};
	static const int raws[] = { PKT_DLT_RAW, 14, PKT_LINKTYPE_RAW };
	size_t	 i;
	char	 what[64];

	w.n = 0;
	eth(0x0800);
	tcp_pkt(AF_INET);
	is_int(decode(PKT_DLT_EN10MB), PKT_OK, "en10mb ipv4");
	tcp_ok(AF_INET, "en10mb ipv4");
	is_int(k.nvlans, 0, "no vlan");

	w.n = 0;
	eth(0x86dd);
	tcp_pkt(AF_INET6);
	is_int(decode(PKT_DLT_EN10MB), PKT_OK, "en10mb ipv6");
	tcp_ok(AF_INET6, "en10mb ipv6");

	w.n = 0;
	eth(0x0806);
	putzero(28);
	is_int(decode(PKT_DLT_EN10MB), PKT_EUNSUPP, "arp is skipped");
	w.n = 0;
	eth(0x0100);
	putzero(60);
	is_int(decode(PKT_DLT_EN10MB), PKT_EUNSUPP, "802.3 length frame");

	w.n = 0;
	sll(0x0800);
	tcp_pkt(AF_INET);
	is_int(decode(PKT_DLT_LINUX_SLL), PKT_OK, "linux_sll ipv4");
	tcp_ok(AF_INET, "linux_sll");

	w.n = 0;
	sll2(0x86dd);
	tcp_pkt(AF_INET6);
	is_int(decode(PKT_DLT_LINUX_SLL2), PKT_OK, "linux_sll2 ipv6");
	tcp_ok(AF_INET6, "linux_sll2");

	for (i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		w.n = 0;
		tcp_pkt(AF_INET);
		snprintf(what, sizeof(what), "raw %d ipv4", raws[i]);
		is_int(decode(raws[i]), PKT_OK, what);
		tcp_ok(AF_INET, what);
		w.n = 0;
		tcp_pkt(AF_INET6);
		snprintf(what, sizeof(what), "raw %d ipv6", raws[i]);
		is_int(decode(raws[i]), PKT_OK, what);
		tcp_ok(AF_INET6, what);
	}
	w.n = 0;
	tcp_pkt(AF_INET);
	w.b[0] = 0x55;
	is_int(decode(PKT_DLT_RAW), PKT_EUNSUPP, "raw version 5");

	w.n = 0;
	tcp_pkt(AF_INET);
	is_int(decode(PKT_LINKTYPE_IPV4), PKT_OK, "linktype_ipv4");
	tcp_ok(AF_INET, "linktype_ipv4");
	is_int(decode(PKT_LINKTYPE_IPV6), PKT_EBAD, "ipv4 bytes on ipv6 link");
	w.n = 0;
	tcp_pkt(AF_INET6);
	is_int(decode(PKT_LINKTYPE_IPV6), PKT_OK, "linktype_ipv6");
	tcp_ok(AF_INET6, "linktype_ipv6");
	w.n = 0;
	eth(0x0800);
	tcp_pkt(AF_INET6);
	is_int(decode(PKT_DLT_EN10MB), PKT_EBAD, "ethertype ipv4, ipv6 inside");

	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		w.n = 0;
		put32(nulls[i].af);
		tcp_pkt(nulls[i].family);
		is_int(decode(nulls[i].lt), PKT_OK, nulls[i].name);
		tcp_ok(nulls[i].family, nulls[i].name);
	}
	w.n = 0;
	put32(7);
	tcp_pkt(AF_INET);
	is_int(decode(PKT_DLT_NULL), PKT_EUNSUPP, "null af 7");
	is_int(decode(999), PKT_EUNSUPP, "unknown link type");
}

static void
test_vlans(void)
{
	w.n = 0;
	eth(0x8100);
	vlan(0xe064, 0x0800);		/* priority 7, vid 100 */
	tcp_pkt(AF_INET);
	is_int(decode(PKT_DLT_EN10MB), PKT_OK, "802.1q");
	is_int(k.nvlans, 1, "one tag");
	is_int(k.vlan[0], 100, "vid 100, priority bits dropped");
	tcp_ok(AF_INET, "802.1q");

	w.n = 0;
	eth(0x88a8);
	vlan(200, 0x8100);
	vlan(100, 0x86dd);
	tcp_pkt(AF_INET6);
	is_int(decode(PKT_DLT_EN10MB), PKT_OK, "802.1ad qinq");
	is_int(k.nvlans, 2, "two tags");
	is_int(k.vlan[0], 200, "outer vid");
	is_int(k.vlan[1], 100, "inner vid");
	tcp_ok(AF_INET6, "qinq");

	w.n = 0;
	eth(0x9100);
	vlan(300, 0x0800);
	tcp_pkt(AF_INET);
	is_int(decode(PKT_DLT_EN10MB), PKT_OK, "0x9100 tag");
	is_int(k.vlan[0], 300, "0x9100 vid");

	w.n = 0;
	eth(0x88a8);
	vlan(1, 0x8100);
	vlan(2, 0x8100);
	vlan(3, 0x0800);
	tcp_pkt(AF_INET);
	is_int(decode(PKT_DLT_EN10MB), PKT_EUNSUPP, "three tags");

	w.n = 0;
	sll(0x8100);
	vlan(42, 0x0800);
	tcp_pkt(AF_INET);
	is_int(decode(PKT_DLT_LINUX_SLL), PKT_OK, "tag after sll header");
	is_int(k.vlan[0], 42, "sll vid");
}

/* --- IPv4 ------------------------------------------------------------- */

static void
test_ip4(void)
{
	size_t	 ip;

	w.n = 0;
	eth(0x0800);
	ip = ip4(24, 0, IPPROTO_TCP);
	tcp(20, PKT_TCP_PSH | PKT_TCP_ACK);
	data();
	ip_end(ip);
	is_int(decode(PKT_DLT_EN10MB), PKT_OK, "ipv4 with 4 option bytes");
	tcp_ok(AF_INET, "ihl 6");

	w.n = 0;
	ip = ip4(60, 0, IPPROTO_TCP);
	tcp(20, PKT_TCP_PSH | PKT_TCP_ACK);
	data();
	ip_end(ip);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "ipv4 with 40 option bytes");
	tcp_ok(AF_INET, "ihl 15");

	w.b[0] = 0x44;
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "ihl 4");
	w.b[0] = 0x4f;
	set16(2, 59);
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "total length below ihl");
	set16(2, 19);
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "total length 19");

	/* TSO: 0 in the header, the link's length rules. */
	set16(2, 0);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "total length 0 (tso)");
	tcp_ok(AF_INET, "tso");
	is_int(decode_n(PKT_DLT_RAW, w.n, w.n + 100), PKT_OK,
	    "tso, snaplen cut");
	is_int(k.payload_len, DATALEN, "tso cut: captured payload");
	is_int(k.payload_wire_len, DATALEN + 100, "tso cut: wire payload");

	/* Ethernet pads short frames: the total length rules. */
	w.n = 0;
	eth(0x0800);
	ip = ip4(20, 0, IPPROTO_TCP);
	tcp(20, PKT_TCP_ACK);
	ip_end(ip);
	putzero(6);
	is_int(decode(PKT_DLT_EN10MB), PKT_OK, "padded frame");
	is_int(k.payload_len, 0, "padding is no payload");
	is_int(k.payload_wire_len, 0, "padding is no wire payload");
	ok(k.payload == NULL, "no payload pointer");

	/* Fragments: no transport. */
	w.n = 0;
	ip = ip4(20, 0x2000, IPPROTO_TCP);
	tcp(20, 0);
	data();
	ip_end(ip);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "first fragment");
	ok(k.is_fragment && k.sport == 0 && k.payload_len == 0 &&
	    k.proto == IPPROTO_TCP, "mf: fragment, no transport");
	set16(ip + 6, 0x0003);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "last fragment");
	ok(k.is_fragment && k.dport == 0, "offset 3: fragment");
	set16(ip + 6, 0x4000);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "df only");
	ok(!k.is_fragment && k.sport == SPORT, "df: whole packet");

	/* Another protocol: its bytes are the payload. */
	w.n = 0;
	ip = ip4(20, 0, IPPROTO_ICMP);
	putbytes("\x08\x00\x00\x00\x00\x01\x00\x01", 8);
	ip_end(ip);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "icmp");
	ok(k.proto == IPPROTO_ICMP && k.payload_len == 8 && k.sport == 0,
	    "icmp bytes as payload");
}

/* --- IPv6 ------------------------------------------------------------- */

static void
test_ip6(void)
{
	size_t	 ip, n;

	w.n = 0;
	ip = ip6(0);
	ext6(60, 8);
	ext6(43, 16);
	put8(51);			/* routing header */
	put8(0);
	putzero(6);
	put8(IPPROTO_TCP);		/* AH: 4 + 12-byte ICV */
	put8(4);
	putzero(22);
	tcp(20, PKT_TCP_PSH | PKT_TCP_ACK);
	data();
	ip_end(ip);
	is_int(decode(PKT_LINKTYPE_IPV6), PKT_OK,
	    "hop-by-hop, dstopts, routing, ah");
	tcp_ok(AF_INET6, "four extension headers");

	w.n = 0;
	ip = ip6(44);
	frag6(IPPROTO_TCP, 0);
	tcp(20, PKT_TCP_PSH | PKT_TCP_ACK);
	data();
	ip_end(ip);
	is_int(decode(PKT_LINKTYPE_IPV6), PKT_OK, "atomic fragment");
	tcp_ok(AF_INET6, "atomic fragment is whole");
	set16(ip + 42, 0x0001);
	is_int(decode(PKT_LINKTYPE_IPV6), PKT_OK, "first of fragments");
	ok(k.is_fragment && k.sport == 0 && k.proto == IPPROTO_TCP,
	    "m=1: fragment, no transport");
	set16(ip + 42, 0x0100);
	is_int(decode(PKT_LINKTYPE_IPV6), PKT_OK, "later fragment");
	ok(k.is_fragment && k.payload_len == 0, "offset 32: fragment");

	for (n = PKT_MAX_V6_EXTHDRS; n <= PKT_MAX_V6_EXTHDRS + 1; n++) {
		size_t	i;

		w.n = 0;
		ip = ip6(60);
		for (i = 0; i < n; i++)
			ext6(i + 1 < n ? 60 : IPPROTO_TCP, 8);
		tcp(20, PKT_TCP_PSH | PKT_TCP_ACK);
		data();
		ip_end(ip);
		if (n == PKT_MAX_V6_EXTHDRS) {
			is_int(decode(PKT_DLT_RAW), PKT_OK,
			    "PKT_MAX_V6_EXTHDRS headers");
			tcp_ok(AF_INET6, "max extension headers");
		} else
			is_int(decode(PKT_DLT_RAW), PKT_EUNSUPP,
			    "one extension header too many");
	}

	w.n = 0;
	ip = ip6(60);
	ext6(IPPROTO_TCP, 8);
	tcp(20, 0);
	ip_end(ip);
	w.b[ip + 41] = 200;
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "extension past payload length");
	w.b[ip + 41] = 0;
	set16(ip + 4, 1);
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "payload length 1");

	w.n = 0;
	ip = ip6(59);
	ip_end(ip);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "no next header");
	ok(k.proto == 59 && k.payload_len == 0, "nothing after 59");

	w.n = 0;
	ip = ip6(IPPROTO_TCP);
	tcp(20, PKT_TCP_PSH | PKT_TCP_ACK);
	data();
	is_int(decode(PKT_DLT_RAW), PKT_OK, "payload length 0 (jumbo/gso)");
	tcp_ok(AF_INET6, "jumbo uses the captured length");

	w.n = 0;
	ip = ip6(IPPROTO_TCP);
	tcp(20, 0);
	ip_end(ip);
	w.b[ip] = 0x70;
	is_int(decode(PKT_LINKTYPE_IPV6), PKT_EBAD, "version 7");
}

/* --- TCP and UDP ------------------------------------------------------ */

static void
test_l4(void)
{
	size_t	 ip, th;

	w.n = 0;
	ip = ip4(20, 0, IPPROTO_TCP);
	th = w.n;
	tcp(32, PKT_TCP_SYN);
	data();
	ip_end(ip);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "tcp with 12 option bytes");
	ok(k.payload_len == DATALEN && memcmp(k.payload, DATA, DATALEN) == 0,
	    "payload after options");
	is_int(k.tcp_flags, PKT_TCP_SYN, "syn");
	w.b[th + 12] = 4 << 4;
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "data offset 4");
	w.b[th + 12] = 15 << 4;
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "data offset past the segment");

	w.n = 0;
	ip = ip4(20, 0, IPPROTO_TCP);
	putzero(10);
	ip_end(ip);
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "segment shorter than tcp");

	w.n = 0;
	ip = ip6(IPPROTO_UDP);
	th = w.n;
	udp(8 + 5);
	putbytes("hello", 5);
	ip_end(ip);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "udp");
	ok(k.proto == IPPROTO_UDP && k.sport == 5353 && k.dport == 53 &&
	    k.payload_len == 5 && memcmp(k.payload, "hello", 5) == 0,
	    "udp ports and payload");
	set16(th + 4, 7);
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "udp length 7");
	set16(th + 4, 14);
	is_int(decode(PKT_DLT_RAW), PKT_EBAD, "udp length past ip");
	set16(th + 4, 10);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "udp length short of ip");
	is_int(k.payload_len, 2, "udp length rules");
	set16(th + 4, 0);
	is_int(decode(PKT_DLT_RAW), PKT_OK, "udp length 0 (jumbo)");
	is_int(k.payload_len, 5, "ip length rules");
}

/* --- truncation and snap lengths -------------------------------------- */

/* Every caplen below hdr_len truncates; above, the payload is cut. */
static void
truncate_all(int linktype, size_t hdr_len, const char *what)
{
	size_t	 full = w.n, c;
	int	 bad_trunc = 0, bad_cut = 0, r;

	for (c = 0; c <= full; c++) {
		r = decode_n(linktype, c, full);
		if (c < hdr_len && r != PKT_ETRUNC)
			bad_trunc++;
		if (c >= hdr_len && (r != PKT_OK ||
		    k.payload_len != c - hdr_len ||
		    k.payload_wire_len != full - hdr_len))
			bad_cut++;
	}
	ok(bad_trunc == 0, "%s: every cut in the headers is PKT_ETRUNC", what);
	ok(bad_cut == 0, "%s: every cut in the payload keeps the wire length",
	    what);
}

static void
test_truncation(void)
{
	size_t	 ip;

	w.n = 0;
	eth(0x88a8);
	vlan(2, 0x8100);
	vlan(3, 0x0800);
	ip = ip4(28, 0, IPPROTO_TCP);
	tcp(24, PKT_TCP_ACK);
	data();
	ip_end(ip);
	truncate_all(PKT_DLT_EN10MB, 14 + 8 + 28 + 24, "qinq ipv4 options");

	w.n = 0;
	sll(0x86dd);
	ip = ip6(0);
	ext6(44, 8);
	frag6(51, 0);
	put8(IPPROTO_UDP);
	put8(1);
	putzero(10);
	udp(8 + DATALEN);
	data();
	ip_end(ip);
	truncate_all(PKT_DLT_LINUX_SLL, 16 + 40 + 8 + 8 + 12 + 8,
	    "sll ipv6 extension headers udp");

	w.n = 0;
	sll2(0x0800);
	tcp_pkt(AF_INET);
	truncate_all(PKT_DLT_LINUX_SLL2, 20 + 40, "sll2");

	w.n = 0;
	put32(0x1e000000);
	tcp_pkt(AF_INET6);
	truncate_all(PKT_DLT_NULL, 4 + 60, "null ipv6");

	w.n = 0;
	tcp_pkt(AF_INET);
	truncate_all(PKT_DLT_RAW, 40, "raw ipv4");

	/* A snap length of 96 on a bigger segment. */
	w.n = 0;
	eth(0x0800);
	ip = ip4(20, 0, IPPROTO_TCP);
	tcp(32, PKT_TCP_ACK);
	putzero(500);
	ip_end(ip);
	is_int(decode_n(PKT_DLT_EN10MB, 96, w.n), PKT_OK, "snaplen 96");
	is_int(k.payload_len, 96 - 14 - 20 - 32, "captured payload");
	is_int(k.payload_wire_len, 500, "wire payload from the ip header");
	ok(k.payload_len < k.payload_wire_len,
	    "payload_len < payload_wire_len");

	is_str(pkt_strerror(PKT_OK), "ok", "strerror ok");
	is_str(pkt_strerror(PKT_ETRUNC), "packet truncated", "strerror trunc");
	ok(strlen(pkt_strerror(PKT_EUNSUPP)) > 0 &&
	    strlen(pkt_strerror(PKT_EBAD)) > 0, "strerror unsupp, bad");
	is_str(pkt_strerror(-42), "unknown error", "strerror unknown");
}

/*
 * Every packet of the corpus captures of each link type decodes (a small
 * pcap reader: little-endian files as tcpdump wrote them, us or ns).
 */
static void
corpus_file(const char *top, const char *name, int want_lt, int want_vlan)
{
	char		 path[4096], rel[256];
	uint8_t		 hdr[24], rec[16], *pkt;
	uint32_t	 caplen, wirelen, lt;
	FILE		*fp;
	int		 n = 0, bad = 0, tcp_data = 0;

	(void)top;
	snprintf(rel, sizeof(rel), "http/%s", name);
	tap_corpus_path(path, sizeof(path), rel);
	if ((fp = fopen(path, "rb")) == NULL) {
		printf("ok %d - # SKIP corpus absent: %s\n", ++tap_n, path);
		return;
	}
	if ((pkt = malloc(262144)) == NULL ||
	    fread(hdr, 1, sizeof(hdr), fp) != sizeof(hdr))
		abort();
	memcpy(&lt, hdr + 20, 4);
	is_int(lt, want_lt, name);
	while (fread(rec, 1, sizeof(rec), fp) == sizeof(rec)) {
		memcpy(&caplen, rec + 8, 4);
		memcpy(&wirelen, rec + 12, 4);
		if (caplen > 262144 || fread(pkt, 1, caplen, fp) != caplen)
			break;
		n++;
		if (pkt_decode((int)lt, pkt, caplen, wirelen, &k) != PKT_OK ||
		    k.proto != IPPROTO_TCP ||
		    (want_vlan && (k.nvlans != 1 || k.vlan[0] != want_vlan)))
			bad++;
		else if (k.payload_len > 0)
			tcp_data++;
	}
	fclose(fp);
	free(pkt);
	ok(n > 0 && bad == 0 && tcp_data > 0,
	    "%s: %d packets, %d bad, %d with tcp data", name, n, bad, tcp_data);
}

static void
test_corpus(void)
{
	const char	*top = getenv("top_srcdir");

	if (top == NULL)
		top = ".";
	corpus_file(top, "08-ipv6-nano.pcap", PKT_DLT_EN10MB, 0);
	corpus_file(top, "11-cooked-any-sll2.pcap", PKT_DLT_LINUX_SLL2, 0);
	corpus_file(top, "12-cooked-sll1.pcap", PKT_DLT_LINUX_SLL, 0);
	corpus_file(top, "13-vlan100.pcap", PKT_DLT_EN10MB, 100);
	corpus_file(top, "16-snaplen96.pcap", PKT_DLT_EN10MB, 0);
}

int
main(void)
{
	test_links();
	test_vlans();
	test_ip4();
	test_ip6();
	test_l4();
	test_truncation();
	test_corpus();
	return done_testing();
}
