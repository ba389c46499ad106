/*
 * The arithmetic of the trace engine, kept apart from sockets and timers
 * so unit tests can drive it: per-responder RTT statistics, the words a
 * hop's loss deserves, and how long a probe is given before it is lost.
 */
#ifndef TUBES_MODEL_TRACE_STATS_H
#define TUBES_MODEL_TRACE_STATS_H

#include <stddef.h>

#include "model/trace.h"

/* One responder's RTTs: Welford's running mean and variance (stable over
 * millions of samples), extremes, a smoothed RTT, the last samples. */
struct trace_rtt {
	unsigned	 n;
	double		 last_ms, mean_ms, m2, best_ms, worst_ms;
	double		 srtt_ms;	/* EWMA, gain 1/8 as TCP's (RFC 6298) */
	float		 hist[TRACE_HISTORY_LEN];	/* ring */
	unsigned	 hist_next;	/* slot the next sample goes to */
};

void	 trace_rtt_add(struct trace_rtt *, double rtt_ms);
double	 trace_rtt_stddev(const struct trace_rtt *);	/* population */
/* Samples oldest first; returns how many (<= max). */
size_t	 trace_rtt_history(const struct trace_rtt *, float *out, size_t max);

/* What the classification reads of one hop, in TTL order. */
struct trace_hop_loss {
	unsigned	 sent;		/* probes whose fate is known */
	unsigned	 received;
	int		 is_target;	/* the destination answered here */
};

/* TRACE_NOTE_* of hop i among n (see trace.h for the meanings). */
int	 trace_loss_note(const struct trace_hop_loss *, size_t n, size_t i);

/* The adaptive probe timeout: what the engine knows of the path. */
struct trace_timeout_in {
	int		 has_reply;	/* any RTT seen yet */
	double		 worst_srtt_ms;	/* largest smoothed RTT of a responder */
	int		 is_target_known;	/* the destination answered */
	double		 target_srtt_ms;
};

#define TRACE_TIMEOUT_FLOOR_MS		50
#define TRACE_TIMEOUT_FIRST_MS		1000
#define TRACE_TIMEOUT_CAP_MS		3000
#define TRACE_TIMEOUT_RTT_FACTOR	3
#define TRACE_TIMEOUT_GRACE_MS		100

unsigned trace_timeout_ms(const struct trace_timeout_in *);

#endif
