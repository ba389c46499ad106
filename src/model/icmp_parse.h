/*
 * ICMP and ICMPv6 replies to traceroute probes: echo replies and the error
 * messages (time exceeded, unreachable, packet too big, ...) with the
 * datagram they quote, and RFC 4884 extensions carrying RFC 4950 MPLS
 * label stacks.  A pure parser: no sockets, no allocation, no state.
 *
 * Input is untrusted.  Every length (outer IHL and total length, the quoted
 * IHL, IPv6 extension header lengths, the RFC 4884 length attribute,
 * extension object lengths) is checked against the bytes present.
 */
#ifndef TUBES_MODEL_ICMP_PARSE_H
#define TUBES_MODEL_ICMP_PARSE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define ICMP_OK		0
#define ICMP_ETRUNC	-1	/* ends in the outer IP or ICMP hdr */
#define ICMP_EHDR	-2	/* outer IP header malformed: version, IHL,
				   total length, protocol not ICMP */
#define ICMP_EFAMILY	-3	/* family neither AF_INET nor AF_INET6 */
#define ICMP_EINNER	-4	/* quoted datagram unusable: bad version or
				   IHL, ends inside its IP header, extension
				   headers or first 8 transport bytes */
#define ICMP_EEXT	-5	/* RFC 4884 extension malformed (only ever
				   in ext.err: the message still parses) */

#define ICMP_MAX_MPLS		8	/* label stack entries kept */
#define ICMP_MAX_V6_EXTHDRS	8	/* quoted IPv6 extension headers */

/* What the message means to a traceroute. */
#define ICMP_K_OTHER		0
#define ICMP_K_ECHO_REPLY	1
#define ICMP_K_TIME_EXCEEDED	2
#define ICMP_K_UNREACH		3
#define ICMP_K_PKT_TOO_BIG	4

/* Why a destination is unreachable (ICMP_K_UNREACH only). */
#define ICMP_R_NONE		0
#define ICMP_R_NET		1	/* v4 0 */
#define ICMP_R_HOST		2	/* v4 1 */
#define ICMP_R_PROTO		3	/* v4 2 */
#define ICMP_R_PORT		4	/* v4 3, v6 4 */
#define ICMP_R_FRAG_NEEDED	5	/* v4 4: mtu is the next hop's */
#define ICMP_R_SRC_ROUTE	6	/* v4 5 */
#define ICMP_R_NET_UNKNOWN	7	/* v4 6 */
#define ICMP_R_HOST_UNKNOWN	8	/* v4 7 */
#define ICMP_R_ISOLATED		9	/* v4 8 */
#define ICMP_R_ADMIN		10	/* v4 9, 10, 13; v6 1 */
#define ICMP_R_NET_TOS		11	/* v4 11 */
#define ICMP_R_HOST_TOS		12	/* v4 12 */
#define ICMP_R_PRECEDENCE	13	/* v4 14, 15 */
#define ICMP_R_NO_ROUTE		14	/* v6 0 */
#define ICMP_R_SCOPE		15	/* v6 2: beyond scope of source */
#define ICMP_R_ADDR		16	/* v6 3 */
#define ICMP_R_POLICY		17	/* v6 5: source addr policy */
#define ICMP_R_REJECT_ROUTE	18	/* v6 6 */
#define ICMP_R_SRH		19	/* v6 7: source routing hdr */
#define ICMP_R_HDR_TOO_LONG	20	/* v6 8 */
#define ICMP_R_OTHER		21	/* a code we do not know */

union icmp_addr {
	struct in_addr	 v4;
	struct in6_addr	 v6;
};

struct icmp_mpls {
	uint32_t	 label;		/* 20 bits */
	uint8_t		 tc;		/* 3 bits (was EXP) */
	uint8_t		 is_bos;	/* S: bottom of stack */
	uint8_t		 ttl;
};

/* The datagram an error message quotes: normally our probe. */
struct icmp_inner {
	int		 family;	/* AF_INET, AF_INET6 */
	union icmp_addr	 src, dst;
	uint8_t		 ttl;		/* TTL, hop limit on arrival */
	uint8_t		 proto;		/* transport, past v6 ext hdrs */
	uint16_t	 ip_id;		/* IPv4 */
	uint32_t	 flow;		/* IPv6 flow label, 20 bits */
	uint32_t	 ip_len;	/* total length the header claims */
	unsigned	 nexthdrs;	/* IPv6 extension headers skipped */
	int		 is_fragment;	/* later fragment: no l4 hdr */
	size_t		 quoted;	/* bytes of it carried */
	int		 has_l4;	/* the fields below are valid */
	uint16_t	 sport, dport;	/* UDP, TCP */
	uint16_t	 udp_len, udp_cksum;
	uint32_t	 tcp_seq;
	uint8_t		 icmp_type;	/* ICMP, ICMPv6 */
	uint16_t	 echo_id, echo_seq;
};

/* RFC 4884 extension structure. */
struct icmp_ext {
	int		 err;		/* 0, ICMP_EEXT: partly parsed */
	int		 is_compat;	/* no length attribute */
	int		 is_cksum_bad;
	uint8_t		 version;
	unsigned	 nobjects;
	struct icmp_mpls mpls[ICMP_MAX_MPLS];
	unsigned	 nmpls;
	unsigned	 nmpls_dropped;	/* entries past ICMP_MAX_MPLS */
};

struct icmp_info {
	int		 family;	/* AF_INET, AF_INET6 */
	int		 has_src;	/* an outer IP header was given */
	union icmp_addr	 src;		/* who sent the ICMP */
	uint8_t		 outer_ttl;
	uint8_t		 type, code;
	int		 is_cksum_bad;	/* ICMPv4; the kernel checks v6 */
	int		 kind;		/* ICMP_K_* */
	int		 reason;	/* ICMP_R_* */
	uint32_t	 mtu;		/* frag needed, too big; else 0 */
	uint16_t	 echo_id, echo_seq;	/* ICMP_K_ECHO_REPLY */
	size_t		 payload_len;	/* after the 8-byte header */
	int		 has_inner;	/* inner IP header read */
	struct icmp_inner inner;
	int		 has_ext;
	struct icmp_ext	 ext;
};

/*
 * Parse one message.  family is AF_INET or AF_INET6; has_outer_ip says p
 * starts at the IPv4 header (raw ICMP sockets) or an IPv6 header (captures)
 * rather than at the ICMP header (raw ICMPv6 sockets strip it).  Linux
 * keeps the IPv4 total length in network order; BSDs do not and are not
 * handled here.
 *
 * Returns ICMP_OK, or the first error.  On ICMP_EINNER everything about the
 * ICMP message itself (type, code, kind, reason, mtu, src) is valid, and
 * inner holds what came before the problem (has_inner says the IP header
 * was read, inner.has_l4 the transport fields); an extension the length
 * attribute delimits is still parsed.  A bad extension does not fail the
 * parse: it sets ext.err and keeps the entries decoded.
 */
int	icmp_parse(const uint8_t *p, size_t len, int family,
	    int has_outer_ip, struct icmp_info *out);
const char *icmp_strerror(int);

/*
 * Kind and reason from the type and code alone, for the IP_RECVERR path:
 * there the kernel hands over ee_type, ee_code and ee_info (the MTU) in a
 * struct sock_extended_err and the quoted bytes are our own payload.
 */
void	icmp_classify(int family, uint8_t type, uint8_t code, int *kind,
	    int *reason);

/* "port", "admin-prohibited", ...; "none" and "other" for the rest. */
const char *icmp_reason_name(int reason);
/* "echo-reply", "time-exceeded", "unreachable", "packet-too-big", "other" */
const char *icmp_kind_name(int kind);

#endif
