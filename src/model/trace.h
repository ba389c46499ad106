/*
 * The trace engine: a traceroute hop map, probed in cycles through the
 * event loop.
 *
 * A cycle sends one probe per TTL, all TTLs at once (first_ttl up to
 * max_ttl, then only up to the target once its distance is known), and
 * ends when every probe is answered or has timed out; a probe's timeout
 * is scaled from the RTTs seen (never a fixed grace period).  Probes keep
 * the flow fields load balancers hash constant (Paris traceroute), so one
 * trace follows one path; with is_ecmp each cycle also sends nflows flows
 * per TTL to discover the branches of load-balanced paths, and every
 * responder keeps its own statistics (never merged across branches).
 *
 * Every string a view reads is printable (addresses from inet_ntop; names
 * from the DNS engine, still passed through the sanitizer by views).
 */
#ifndef TUBES_MODEL_TRACE_H
#define TUBES_MODEL_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "model/probe.h"

struct dns;
struct tb_loop;
struct trace;

#define TRACE_MAX_TTL		255
#define TRACE_MAX_TTL_DEFAULT	30
#define TRACE_MAX_RESPONDERS	16	/* per hop; more are counted */
#define TRACE_HISTORY_LEN	60	/* RTT samples per responder */
#define TRACE_INTERVAL_DEFAULT_MS 1000	/* between cycles (TUI) */
#define TRACE_FLOWS_DEFAULT	8	/* ECMP discovery flows per TTL */
#define TRACE_ADDRSTRLEN	46	/* INET6_ADDRSTRLEN */

struct trace_conf {
	int		 family;	/* AF_INET, AF_INET6 */
	uint8_t		 addr[16];	/* the target */
	int		 proto;		/* PROBE_P_* */
	uint16_t	 port;		/* UDP/TCP; 0: PROBE_*_PORT_DEFAULT */
	unsigned	 first_ttl;	/* 0: 1 */
	unsigned	 max_ttl;	/* 0: TRACE_MAX_TTL_DEFAULT */
	unsigned	 interval_ms;	/* 0: TRACE_INTERVAL_DEFAULT_MS */
	unsigned	 cycles;	/* 0: until trace_free (TUI) */
	int		 is_ecmp;	/* discover load-balanced branches */
	unsigned	 nflows;	/* 0: TRACE_FLOWS_DEFAULT */
	struct dns	*dns;		/* reverse names; NULL: numeric */
	int		 is_back_to_back;	/* next cycle at once (--dump),
					   not interval_ms after */
	const char	*mode_note;	/* probe_open's note; copied */
};

/* Why a hop looks the way it does, for views to say in words. */
#define TRACE_NOTE_NONE		0
#define TRACE_NOTE_SILENT	1	/* no responder ever: filtered ICMP */
#define TRACE_NOTE_RATELIMIT	2	/* loses probes, later hops do not:
					   ICMP rate limiting, not loss */
#define TRACE_NOTE_LOSS		3	/* loss here continues to the end */
#define TRACE_NOTE_DEST_LOSS	4	/* the target itself loses probes */

struct trace_responder {
	int		 family;
	uint8_t		 addr[16];
	char		 addr_str[TRACE_ADDRSTRLEN];
	const char	*name;		/* reverse DNS, NULL until known */
	unsigned	 flow;		/* first flow that met it (ECMP) */
	uint64_t	 flows_mask;	/* flows 0..63 that met it */
	unsigned	 received;
	double		 last_ms, avg_ms, best_ms, worst_ms, stddev_ms;
	int		 is_target;	/* the trace's destination */
	int		 unreach;	/* ICMP_R_* last seen, 0: none */
	uint32_t	 mpls[PROBE_MAX_MPLS];
	unsigned	 nmpls;
	unsigned	 sent;		/* probes that met it or were lost on
					   its flows (the hop's without ECMP) */
	double		 loss_pct;
};

struct trace_hop {
	unsigned	 ttl;
	unsigned	 sent;		/* probes whose fate is known */
	unsigned	 received;	/* any responder */
	double		 loss_pct;
	int		 note;		/* TRACE_NOTE_* */
	size_t		 nresponders;
	size_t		 nresponders_dropped;
	const struct trace_responder *responders;
};

/* Open, start probing through loop; NULL with err filled on failure. */
struct trace	*trace_new(const struct trace_conf *, struct probe *,
		    struct tb_loop *, char *err, size_t errlen);
void		 trace_free(struct trace *);

/* Changes whenever anything a view shows changes. */
uint64_t	 trace_generation(const struct trace *);
const char	*trace_target_str(const struct trace *);
const char	*trace_protocol_str(const struct trace *);	/* "icmp" */
const char	*trace_mode_str(const struct trace *);	/* probe_mode_str */
/* What the probe mode cannot do and how to get more, or NULL. */
const char	*trace_mode_note(const struct trace *);
int		 trace_is_reached(const struct trace *);
/* Every configured cycle finished (never with cycles = 0). */
int		 trace_is_done(const struct trace *);
unsigned	 trace_ncycles(const struct trace *);	/* finished */
/* Path MTU learnt from too-big / frag-needed errors; 0: unknown. */
uint32_t	 trace_path_mtu(const struct trace *);
uint64_t	 trace_nprobes(const struct trace *);	/* sent, all cycles */
/* A send error that stopped the trace ("no route to host"), or NULL. */
const char	*trace_error(const struct trace *);
/* Pull reverse names the DNS engine has answered (also on a timer). */
void		 trace_sync_names(struct trace *);
/* Probes not sent for a passing reason (EAGAIN, ENOBUFS). */
uint64_t	 trace_nskipped(const struct trace *);

/* Hops first_ttl..last, in order; a hop past the target is never shown. */
size_t		 trace_nhops(const struct trace *);
const struct trace_hop *trace_hop(const struct trace *, size_t i);
/* A responder's RTT samples, oldest first; returns how many (<= max). */
size_t		 trace_responder_history(const struct trace *, size_t hop,
		    size_t responder, float *out, size_t max);

/* Strings for views. */
const char	*trace_note_str(int note);	/* "rate limiting", NULL */
const char	*trace_unreach_str(int reason);	/* "host unreachable" */

#endif
