/*
 * Trace arithmetic: RTT statistics, loss notes, the probe timeout.
 */
#include "config.h"

#include "model/trace_stats.h"

#include <math.h>
#include <string.h>

void
trace_rtt_add(struct trace_rtt *r, double rtt_ms)
{
	double	delta;

	if (!isfinite(rtt_ms) || rtt_ms < 0)
		rtt_ms = 0;	/* clock oddities never poison the sums */
	r->n++;
	r->last_ms = rtt_ms;
	delta = rtt_ms - r->mean_ms;
	r->mean_ms += delta / r->n;
	r->m2 += delta * (rtt_ms - r->mean_ms);
	if (r->n == 1) {
		r->best_ms = r->worst_ms = r->srtt_ms = rtt_ms;
	} else {
		if (rtt_ms < r->best_ms)
			r->best_ms = rtt_ms;
		if (rtt_ms > r->worst_ms)
			r->worst_ms = rtt_ms;
		r->srtt_ms += (rtt_ms - r->srtt_ms) / 8;
	}
	r->hist[r->hist_next] = (float)rtt_ms;
	r->hist_next = (r->hist_next + 1) % TRACE_HISTORY_LEN;
}

double
trace_rtt_stddev(const struct trace_rtt *r)
{
	if (r->n < 2 || r->m2 <= 0)
		return 0;
	return sqrt(r->m2 / r->n);
}

size_t
trace_rtt_history(const struct trace_rtt *r, float *out, size_t max)
{
	size_t	n, i, start;

	n = r->n < TRACE_HISTORY_LEN ? r->n : TRACE_HISTORY_LEN;
	if (n > max)
		n = max;
	/* The newest n samples, oldest of them first. */
	start = (r->hist_next + TRACE_HISTORY_LEN - n) % TRACE_HISTORY_LEN;
	for (i = 0; i < n; i++)
		out[i] = r->hist[(start + i) % TRACE_HISTORY_LEN];
	return n;
}

static double
hop_loss(const struct trace_hop_loss *h)
{
	if (h->sent == 0 || h->received >= h->sent)
		return 0;
	return 1.0 - (double)h->received / h->sent;
}

/*
 * Routers answer TTL-expired probes from their slow path and rate limit
 * those answers (Linux: icmp_ratelimit, 1 per second per peer after a
 * burst of 6); packets they forward are not limited.  So loss at a hop is
 * real only if it carries on: when a later hop that answers at all loses
 * less than half as much, the difference is the router declining to
 * answer, not the path dropping packets.  A hop that never answered is
 * filtering ICMP (silent), which says nothing about loss either.
 */
int
trace_loss_note(const struct trace_hop_loss *h, size_t n, size_t i)
{
	double	loss, after, l;
	size_t	j;

	if (i >= n || h[i].sent == 0)
		return TRACE_NOTE_NONE;
	if (h[i].received == 0)
		return TRACE_NOTE_SILENT;
	if ((loss = hop_loss(&h[i])) == 0)
		return TRACE_NOTE_NONE;
	if (h[i].is_target)
		return TRACE_NOTE_DEST_LOSS;
	after = 2;	/* none */
	for (j = i + 1; j < n; j++) {
		if (h[j].sent == 0 || h[j].received == 0)
			continue;
		if ((l = hop_loss(&h[j])) < after)
			after = l;
	}
	if (after <= 1 && after < loss / 2)
		return TRACE_NOTE_RATELIMIT;
	return TRACE_NOTE_LOSS;
}

/*
 * How long a probe may take before it counts as lost.
 *
 * Before any answer nothing is known of the path: 1 s covers every
 * terrestrial path and geostationary satellite hops (~600 ms RTT) while
 * keeping the first cycle short (traceroute waits 5 s, mtr's report a
 * fixed grace of seconds).  Once RTTs are seen, 3 x the worst smoothed RTT
 * of any responder: TCP's RTO (RFC 6298) is srtt + 4 rttvar, and with the
 * variation of a sane path (rttvar <= srtt / 2) that is at most 3 x srtt.
 * Never under 50 ms: routers answer from their slow path (control-plane
 * punts add milliseconds to tens of them) and the loop wakes late under
 * load; 50 ms is still below what a person notices.  Never over 3 s.
 * Once the destination answered, the path's true RTT is known: a router
 * nearer than the destination that is still silent after 3 x the
 * destination's RTT plus 100 ms of slow-path grace is rate limiting or
 * filtering, so one slow router does not hold every cycle for seconds.
 */
unsigned
trace_timeout_ms(const struct trace_timeout_in *in)
{
	double	t, g;

	if (!in->has_reply)
		return TRACE_TIMEOUT_FIRST_MS;
	t = TRACE_TIMEOUT_RTT_FACTOR * in->worst_srtt_ms;
	if (!(t >= TRACE_TIMEOUT_FLOOR_MS))	/* NaN too */
		t = TRACE_TIMEOUT_FLOOR_MS;
	if (t > TRACE_TIMEOUT_CAP_MS)
		t = TRACE_TIMEOUT_CAP_MS;
	if (in->is_target_known) {
		g = TRACE_TIMEOUT_RTT_FACTOR * in->target_srtt_ms;
		if (!(g >= TRACE_TIMEOUT_FLOOR_MS))
			g = TRACE_TIMEOUT_FLOOR_MS;
		g += TRACE_TIMEOUT_GRACE_MS;
		if (g < t)
			t = g;
	}
	return (unsigned)ceil(t);
}
