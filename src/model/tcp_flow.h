/*
 * TCP flows and their reassembly, per direction, for the HTTP pane.
 *
 * A capped flow table keyed by the full 4-tuple through a hash seeded at
 * start (no address layout makes it degrade), LRU eviction when full
 * (counted).  Each direction delivers its bytes in order, once:
 * out-of-order segments wait (bounded per flow and in total), retransmits
 * and overlaps are delivered once (the first copy wins), sequence numbers
 * wrap, FIN and RST end a direction.  A hole that will never be filled
 * (snap length, acknowledged by the other side but never captured,
 * missing segments past the bounds, the end of a file) is
 * reported as a gap of N bytes, never invented.
 *
 * Direction 0 is the client (the side that sent the SYN; without a SYN,
 * the side whose port is higher, or not well known).
 */
#ifndef TUBES_MODEL_TCP_FLOW_H
#define TUBES_MODEL_TCP_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "model/pkt_decode.h"

#define TCP_FLOW_MAX_DEFAULT		65536	/* flows */
#define TCP_FLOW_OOO_MAX_DEFAULT	(256 * 1024)	/* bytes waiting per
							   direction */
#define TCP_FLOW_MEM_MAX_DEFAULT	(8 * 1024 * 1024)	/* waiting, all
								   flows */
#define TCP_FLOW_IDLE_US_DEFAULT	(300ULL * 1000000)	/* then evictable */
#define TCP_FLOW_OOO_SEGS_MAX	1024	/* segments waiting, per
						   direction */
#define TCP_FLOW_WINDOW_MAX	(1U << 30)	/* farther ahead: ignored
						   (RFC 7323's largest
						   window) */

#define TCP_FLOW_END_FIN	1
#define TCP_FLOW_END_RST	2
#define TCP_FLOW_END_EVICTED	3	/* the table was full */
#define TCP_FLOW_END_IDLE	4
#define TCP_FLOW_END_FLUSH	5	/* end of input (tcp_flows_flush) */
#define TCP_FLOW_END_REUSED	6	/* a new SYN on the same 4-tuple */

struct tcp_flows;

struct tcp_flow_info {
	int		 family;
	uint8_t		 addr[2][16];	/* [0] client, [1] server */
	uint16_t	 port[2];
	int		 has_syn;	/* the handshake was seen */
	uint64_t	 first_us;
};

#define TCP_FLOW_NO_ACK		UINT64_MAX

/* Where delivered bytes sit in their stream. */
struct tcp_flow_at {
	uint64_t	 ts_us;		/* of the segment that completed them */
	uint64_t	 off;		/* stream offset of the first byte
					   (after the gap): 0 is the byte after
					   the SYN, or the first byte seen */
	uint64_t	 ack_off;	/* the other direction's stream offset
					   that the segment carrying the first
					   byte acknowledged; TCP_FLOW_NO_ACK:
					   not known */
};

struct tcp_flow_cb {
	void	*arg;
	/* A new flow: returns the caller's per-flow pointer (may be NULL:
	 * then the flow is still tracked but nothing is delivered; a NULL
	 * on_open delivers every flow with user NULL). */
	void	*(*on_open)(void *arg, const struct tcp_flow_info *);
	/* In-order bytes of direction dir (0 client, 1 server), after
	 * gap bytes that are lost for good; at says where they sit.  A gap is reported as soon as it is known: a
	 * segment cut by the snap length delivers its captured bytes, then
	 * at once a gap-only call (p NULL, n 0, gap the bytes cut); a hole
	 * given up (bounds, flush, eviction) comes as the gap of the call
	 * delivering the bytes after it, or gap-only when nothing follows.
	 * Callbacks must not call back into tcp_flows_*. */
	void	 (*on_data)(void *arg, void *user, int dir, const uint8_t *p,
		    size_t n, size_t gap, const struct tcp_flow_at *at);
	/* The flow is gone (TCP_FLOW_END_*); user is not used again. */
	void	 (*on_close)(void *arg, void *user, int how, uint64_t ts_us);
};

struct tcp_flow_limits {
	size_t		 max_flows;	/* 0: TCP_FLOW_MAX_DEFAULT */
	size_t		 ooo_max;	/* 0: TCP_FLOW_OOO_MAX_DEFAULT */
	size_t		 mem_max;	/* 0: TCP_FLOW_MEM_MAX_DEFAULT */
	uint64_t	 idle_us;	/* 0: TCP_FLOW_IDLE_US_DEFAULT */
};

struct tcp_flow_stats {
	uint64_t	 nflows;	/* now */
	uint64_t	 nopened, nevicted, nidle;
	uint64_t	 nsegments, nretrans, noverlap, nooo;
	uint64_t	 ngaps, gap_bytes;
	uint64_t	 mem_bytes;	/* waiting out of order, now: each
					   segment's bytes plus its header */
	uint64_t	 ndropped;	/* segments that met the bounds: the
					   oldest hole was given up (a gap)
					   to make room */
	uint64_t	 noutside;	/* segments beyond any window, or
					   after the FIN: ignored */
	uint64_t	 table_bytes;	/* flow entries and buckets, now */
	uint64_t	 max_probe;	/* longest hash chain walked, ever */
	uint64_t	 nreused;	/* flows ended by a new SYN */
	uint64_t	 nacked_gaps;	/* holes given up at once: the peer
					   acknowledged past them, so the
					   capture lost them */
};

struct tcp_flows *tcp_flows_new(const struct tcp_flow_cb *,
		    const struct tcp_flow_limits *);	/* NULL: defaults */
void		 tcp_flows_free(struct tcp_flows *);	/* closes all: FLUSH */
/* One decoded TCP packet (pkt->proto == IPPROTO_TCP), captured at ts_us. */
void		 tcp_flows_packet(struct tcp_flows *, const struct pkt *,
		    uint64_t ts_us);
/* Close flows idle for longer than the limit (call now and then). */
void		 tcp_flows_expire(struct tcp_flows *, uint64_t now_us);
/* End of input: deliver what waits (with its gaps), close every flow. */
void		 tcp_flows_flush(struct tcp_flows *, uint64_t ts_us);
const struct tcp_flow_stats *tcp_flows_stats(const struct tcp_flows *);

#endif
