#include "config.h"

#include <math.h>
#include <stdio.h>

#include "model/trace_stats.h"
#include "tap.h"

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

static void
test_rtt(void)
{
	struct trace_rtt	r;
	static const double	s[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	float			h[TRACE_HISTORY_LEN];
	size_t			i, n;

	memset(&r, 0, sizeof(r));
	is_int(trace_rtt_history(&r, h, TRACE_HISTORY_LEN), 0,
	    "no samples, no history");
	ok(trace_rtt_stddev(&r) == 0, "no samples: stddev 0");
	trace_rtt_add(&r, 3);
	ok(near(r.mean_ms, 3) && near(r.best_ms, 3) && near(r.worst_ms, 3) &&
	    near(r.srtt_ms, 3) && trace_rtt_stddev(&r) == 0, "one sample");
	memset(&r, 0, sizeof(r));
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		trace_rtt_add(&r, s[i]);
	ok(near(r.mean_ms, 5), "mean of 2 4 4 4 5 5 7 9 is 5");
	ok(near(trace_rtt_stddev(&r), 2), "population stddev is 2");
	ok(near(r.best_ms, 2) && near(r.worst_ms, 9) && near(r.last_ms, 9),
	    "best, worst, last");
	ok(r.srtt_ms > 2 && r.srtt_ms < 9, "srtt between the extremes");
	n = trace_rtt_history(&r, h, TRACE_HISTORY_LEN);
	ok(n == 8 && h[0] == 2 && h[7] == 9, "history oldest first");
	n = trace_rtt_history(&r, h, 3);
	ok(n == 3 && h[0] == 5 && h[2] == 9, "history capped: the newest");

	memset(&r, 0, sizeof(r));
	for (i = 0; i < TRACE_HISTORY_LEN + 5; i++)
		trace_rtt_add(&r, (double)i);
	n = trace_rtt_history(&r, h, TRACE_HISTORY_LEN);
	ok(n == TRACE_HISTORY_LEN && h[0] == 5 &&
	    h[TRACE_HISTORY_LEN - 1] == TRACE_HISTORY_LEN + 4,
	    "ring wraps, oldest kept first");

	/* Welford stays exact where the naive sum of squares cancels. */
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 100000; i++)
		trace_rtt_add(&r, 1e6 + (i % 2 ? 1 : -1));
	ok(fabs(trace_rtt_stddev(&r) - 1) < 1e-6,
	    "stddev 1 around 1e6 over 100000 samples");
	trace_rtt_add(&r, NAN);
	ok(isfinite(r.mean_ms) && r.last_ms == 0, "NaN sample clamped");
	trace_rtt_add(&r, -3);
	ok(r.best_ms == 0, "negative sample clamped to 0");
}

#define H(s, r)		{ (s), (r), 0 }
#define T(s, r)		{ (s), (r), 1 }
#define N(a)		(sizeof(a) / sizeof((a)[0]))

static void
test_notes(void)
{
	static const struct trace_hop_loss clean[] = {
		H(10, 10), H(10, 10), T(10, 10) };
	static const struct trace_hop_loss ratelimit[] = {
		H(10, 10), H(10, 3), H(10, 10), T(10, 10) };
	static const struct trace_hop_loss loss[] = {
		H(10, 10), H(10, 6), H(10, 5), T(10, 6) };
	static const struct trace_hop_loss dest[] = {
		H(10, 10), H(10, 10), T(10, 7) };
	static const struct trace_hop_loss silent[] = {
		H(10, 10), H(10, 0), T(10, 10) };
	static const struct trace_hop_loss mixed[] = {
		H(10, 10), H(10, 1), H(10, 6), H(10, 0), T(10, 6) };
	static const struct trace_hop_loss unreached[] = {
		H(10, 10), H(10, 8), H(0, 0), H(10, 0) };

	is_int(trace_loss_note(clean, N(clean), 1), TRACE_NOTE_NONE,
	    "no loss, no note");
	is_int(trace_loss_note(clean, N(clean), 2), TRACE_NOTE_NONE,
	    "target without loss, no note");
	is_int(trace_loss_note(ratelimit, N(ratelimit), 1),
	    TRACE_NOTE_RATELIMIT, "70% at a hop, 0% after: rate limiting");
	is_int(trace_loss_note(ratelimit, N(ratelimit), 2), TRACE_NOTE_NONE,
	    "the hop after it is clean");
	is_int(trace_loss_note(loss, N(loss), 1), TRACE_NOTE_LOSS,
	    "loss that carries on to the end is loss");
	is_int(trace_loss_note(loss, N(loss), 2), TRACE_NOTE_LOSS,
	    "and so is the next hop's");
	is_int(trace_loss_note(loss, N(loss), 3), TRACE_NOTE_DEST_LOSS,
	    "the target losing is destination loss");
	is_int(trace_loss_note(dest, N(dest), 2), TRACE_NOTE_DEST_LOSS,
	    "only the target loses");
	is_int(trace_loss_note(silent, N(silent), 1), TRACE_NOTE_SILENT,
	    "never an answer: silent");
	is_int(trace_loss_note(mixed, N(mixed), 1), TRACE_NOTE_RATELIMIT,
	    "90% then 40%: mostly rate limiting");
	is_int(trace_loss_note(mixed, N(mixed), 2), TRACE_NOTE_LOSS,
	    "40% carried on to the target: loss");
	is_int(trace_loss_note(mixed, N(mixed), 3), TRACE_NOTE_SILENT,
	    "a silent hop in between does not count as loss after");
	is_int(trace_loss_note(unreached, N(unreached), 1), TRACE_NOTE_LOSS,
	    "loss at the last hop that answers is loss");
	is_int(trace_loss_note(unreached, N(unreached), 2), TRACE_NOTE_NONE,
	    "nothing sent yet: no note");
	is_int(trace_loss_note(unreached, N(unreached), 3), TRACE_NOTE_SILENT,
	    "silent last hop");
	is_int(trace_loss_note(unreached, N(unreached), 9), TRACE_NOTE_NONE,
	    "index out of range");
}

static void
test_timeout(void)
{
	struct trace_timeout_in	in;

	memset(&in, 0, sizeof(in));
	is_int(trace_timeout_ms(&in), TRACE_TIMEOUT_FIRST_MS,
	    "no reply yet: the first timeout");
	in.has_reply = 1;
	in.worst_srtt_ms = 0.1;
	is_int(trace_timeout_ms(&in), TRACE_TIMEOUT_FLOOR_MS,
	    "fast path: the floor");
	in.worst_srtt_ms = 40;
	is_int(trace_timeout_ms(&in), 120, "3 x the worst srtt");
	in.worst_srtt_ms = 5000;
	is_int(trace_timeout_ms(&in), TRACE_TIMEOUT_CAP_MS, "capped");
	in.worst_srtt_ms = NAN;
	is_int(trace_timeout_ms(&in), TRACE_TIMEOUT_FLOOR_MS, "NaN: floor");
	in.worst_srtt_ms = 800;
	in.is_target_known = 1;
	in.target_srtt_ms = 20;
	is_int(trace_timeout_ms(&in), 160,
	    "slow router, target known: 3 x target + grace");
	in.target_srtt_ms = 0.2;
	is_int(trace_timeout_ms(&in), TRACE_TIMEOUT_FLOOR_MS +
	    TRACE_TIMEOUT_GRACE_MS, "fast target: floor + grace");
	in.worst_srtt_ms = 20;
	in.target_srtt_ms = 20;
	is_int(trace_timeout_ms(&in), 60, "grace never lengthens it");
}

int
main(void)
{
	test_rtt();
	test_notes();
	test_timeout();
	return done_testing();
}
