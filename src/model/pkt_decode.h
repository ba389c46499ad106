/*
 * Link, network and transport headers of one captured packet, decoded
 * through bounds checks only: the bytes are hostile.  Pure: no state, no
 * allocation.  Link types: EN10MB (with 802.1Q and 802.1ad tags, at most
 * PKT_MAX_VLANS), LINUX_SLL, LINUX_SLL2, RAW (IPv4 or IPv6), NULL and LOOP
 * (BSD loopback, either byte order).  IPv4 with options; IPv6 with at most
 * PKT_MAX_V6_EXTHDRS extension headers; TCP with options; UDP.
 */
#ifndef TUBES_MODEL_PKT_DECODE_H
#define TUBES_MODEL_PKT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define PKT_OK		0
#define PKT_ETRUNC	-1	/* a header ends past the captured bytes */
#define PKT_EUNSUPP	-2	/* link type, ethertype or protocol we skip */
#define PKT_EBAD	-3	/* a header's own fields are impossible */

#define PKT_MAX_VLANS		2
#define PKT_MAX_V6_EXTHDRS	8

/* pcap DLT values (not every libpcap header names them all). */
#define PKT_DLT_NULL		0
#define PKT_DLT_EN10MB		1
#define PKT_DLT_RAW		12	/* OpenBSD's 14 too; LINKTYPE_RAW 101 */
#define PKT_DLT_LOOP		108
#define PKT_DLT_LINUX_SLL	113
#define PKT_DLT_LINUX_SLL2	276
#define PKT_LINKTYPE_RAW	101
#define PKT_LINKTYPE_IPV4	228
#define PKT_LINKTYPE_IPV6	229

#define PKT_TCP_FIN	0x01
#define PKT_TCP_SYN	0x02
#define PKT_TCP_RST	0x04
#define PKT_TCP_PSH	0x08
#define PKT_TCP_ACK	0x10

struct pkt {
	int		 family;	/* AF_INET, AF_INET6 */
	uint8_t		 src[16], dst[16];
	uint8_t		 proto;		/* IPPROTO_TCP, IPPROTO_UDP, other */
	int		 is_fragment;	/* not the first fragment, or more
					   follow: no transport decoded */
	uint16_t	 vlan[PKT_MAX_VLANS];
	unsigned	 nvlans;
	uint16_t	 sport, dport;	/* TCP, UDP */
	uint32_t	 seq, ack;	/* TCP */
	uint8_t		 tcp_flags;	/* PKT_TCP_* */
	/* The transport payload: the bytes captured, and how many the IP
	 * header says there were (more when the snap length cut it). */
	const uint8_t	*payload;
	size_t		 payload_len;
	size_t		 payload_wire_len;
};

/*
 * Decode one packet of linktype (a pcap DLT/LINKTYPE value): caplen bytes
 * at p, wirelen on the wire.  PKT_OK with *out filled (payload points
 * into p), or a PKT_E* code; never reads outside p[0..caplen).
 * On PKT_OK: a fragment has proto set but no ports and no payload; a
 * protocol other than TCP and UDP has its whole datagram as payload (no
 * ports); NULL payload when payload_len is 0.  An IPv4 total length or
 * IPv6 payload length of 0 (TSO/GSO, jumbograms) takes the length from
 * wirelen.  On an error, *out is partly filled (family, vlan tags) and
 * only good for counting.
 */
int		 pkt_decode(int linktype, const uint8_t *p, size_t caplen,
		    size_t wirelen, struct pkt *out);
const char	*pkt_strerror(int);

#endif
