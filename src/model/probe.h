/*
 * Probe sockets for the trace engine: send one probe with a given TTL and
 * flow, read back what the network said about it.  All the system-specific
 * parts of traceroute live here; trace.c only schedules and counts.
 *
 * Three modes, best first (probe_open picks the best the process may use):
 *   PROBE_MODE_RAW      raw sockets (CAP_NET_RAW): ICMP echo, UDP or TCP
 *                       SYN probes with the flow fields under our control
 *                       (Paris-style), every ICMP error read and parsed by
 *                       icmp_parse (MPLS labels, unreachable codes, MTU).
 *   PROBE_MODE_DGRAM    ICMP datagram sockets ("ping sockets", allowed by
 *                       net.ipv4.ping_group_range): ICMP echo, errors from
 *                       the socket's error queue (IP_RECVERR).
 *   PROBE_MODE_RECVERR  plain UDP sockets with IP_RECVERR / IPV6_RECVERR,
 *                       as tracepath does: no privilege at all.
 *   PROBE_MODE_TCP_CONNECT  TCP without privilege: one non-blocking
 *                       connect() per probe with IP_RECVERR; the source
 *                       port changes with every probe (two sockets cannot
 *                       share one), so load-balanced paths may mix.
 * Sockets are opened before privileges are dropped and kept after.
 */
#ifndef TUBES_MODEL_PROBE_H
#define TUBES_MODEL_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_P_ICMP	0
#define PROBE_P_UDP	1
#define PROBE_P_TCP	2

#define PROBE_MODE_NONE		0
#define PROBE_MODE_RAW		1
#define PROBE_MODE_DGRAM	2
#define PROBE_MODE_RECVERR	3
#define PROBE_MODE_TCP_CONNECT	4

#define PROBE_UDP_PORT_DEFAULT	33434
#define PROBE_TCP_PORT_DEFAULT	80
#define PROBE_MAX_FDS		4
#define PROBE_MAX_MPLS		8
#define PROBE_SEQ_MAX		0xfffe	/* raw UDP carries seq + 1 in the
					   UDP checksum: seq 0xffff -> EINVAL */

/* What a reply says (mirrors icmp_parse's ICMP_K_*, plus TCP answers). */
#define PROBE_K_TIME_EXCEEDED	1	/* a router on the way */
#define PROBE_K_ECHO_REPLY	2	/* the target (ICMP probes) */
#define PROBE_K_UNREACH		3	/* reason says why; port unreachable
					   from the target ends a UDP trace */
#define PROBE_K_PKT_TOO_BIG	4	/* mtu is set */
#define PROBE_K_TCP_SYNACK	5	/* the target, port open */
#define PROBE_K_TCP_RST		6	/* the target, port closed */

struct probe;

struct probe_spec {
	unsigned	 ttl;		/* 1..255 */
	unsigned	 flow;		/* 0: the trace's one flow (Paris);
					   ECMP discovery varies it */
	uint16_t	 seq;		/* unique among probes in flight,
					   0..PROBE_SEQ_MAX */
	size_t		 size;		/* bytes of IP packet; 0: default */
};

struct probe_reply {
	uint16_t	 seq;		/* of the probe it answers */
	int		 family;	/* AF_INET, AF_INET6 */
	uint8_t		 from[16];	/* the responder */
	int		 kind;		/* PROBE_K_* */
	int		 reason;	/* ICMP_R_* of icmp_parse.h for
					   PROBE_K_UNREACH, else 0 */
	uint32_t	 mtu;		/* PROBE_K_PKT_TOO_BIG, frag needed */
	uint32_t	 mpls[PROBE_MAX_MPLS];	/* RFC 4950 label stack */
	unsigned	 nmpls;
	uint64_t	 rx_us;		/* when it arrived (tb_now_us clock) */
};

/*
 * Open probe sockets for family (AF_INET, AF_INET6) and proto
 * (PROBE_P_*), the best mode allowed.  On failure NULL, with err saying
 * what was tried and what would make it work ("setcap cap_net_raw+ep").
 * note is filled (may be "") with what the chosen mode cannot do.
 */
struct probe	*probe_open(int family, int proto, uint16_t port,
		    char *err, size_t errlen, char *note, size_t notelen);
void		 probe_close(struct probe *);
int		 probe_mode(const struct probe *);
/* PROBE_P_*, PROBE_P_UDP when ICMP fell back to UDP (note says so), and
   the destination port in use (UDP, TCP). */
int		 probe_proto(const struct probe *);
uint16_t	 probe_port(const struct probe *);
const char	*probe_mode_str(int mode);	/* "raw", "icmp-dgram",
						   "udp-recverr",
						   "tcp-connect" */
/* fds to poll for POLLIN (error queues signal POLLERR too). */
size_t		 probe_fds(const struct probe *, int *fds, size_t max);
/* Send; 0, or -1 with errno (ENETUNREACH, EHOSTUNREACH, EPERM...). */
int		 probe_send(struct probe *, const uint8_t dst[16],
		    const struct probe_spec *, uint64_t *sent_us);
/*
 * Read one reply from fd (its normal queue, then its error queue).
 * 1: *out filled; 0: nothing (more) to read; replies to other processes'
 * probes and malformed packets are skipped and counted.
 */
int		 probe_read(struct probe *, int fd, struct probe_reply *out);
uint64_t	 probe_nskipped(const struct probe *);

#endif
