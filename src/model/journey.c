#include "config.h"

#include "model/journey.h"

#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "model/capture.h"
#include "model/dns.h"
#include "model/fetch.h"
#include "model/sockets.h"

/* "198.51.100.10:80", "[2001:db8::1]:443": how capture and sockets name a
 * remote endpoint. */
static void
journey_endpoint(char *buf, size_t len, const char *address, int port)
{
	if (strchr(address, ':') != NULL)
		snprintf(buf, len, "[%s]:%d", address, port);
	else
		snprintf(buf, len, "%s:%d", address, port);
}

static int
journey_row_has(const struct dns_row *row, const char *address)
{
	size_t	i;

	for (i = 0; i < row->nanswers; i++)
		if (strcmp(row->answers[i].data, address) == 0)
			return 1;
	return 0;
}

/*
 * The lookup's rows: one per server, side by side from lookup x nservers
 * (dns_lookup_add appends them together); a scan if that ever changes.
 * The row that answered with the address in use wins, else the first
 * that answered at all.
 */
static const struct dns_row *
journey_dns_row(const struct dns *d, size_t lookup, const char *address)
{
	const struct dns_row	*row, *first = NULL;
	size_t			 i, n = dns_nrows(d), ns = dns_nservers(d);
	size_t			 lo = 0, hi = n;

	if (ns > 0 && lookup < n / ns + 1 && lookup * ns < n &&
	    dns_row_at(d, lookup * ns)->lookup == lookup) {
		lo = lookup * ns;
		hi = lo + ns < n ? lo + ns : n;
	}
	for (i = lo; i < hi; i++) {
		row = dns_row_at(d, i);
		if (row->lookup != lookup || !row->is_done ||
		    row->latency_ms < 0)
			continue;
		if (address != NULL && journey_row_has(row, address))
			return row;
		if (first == NULL)
			first = row;
	}
	return first;
}

static double
journey_span_ms(uint64_t from_us, uint64_t to_us)
{
	if (from_us == 0 || to_us == 0 || to_us < from_us)
		return -1;
	return (double)(to_us - from_us) / 1000;
}

/* The first request that finished well, else the first that finished. */
static const struct fetch_req *
journey_fetch_req(const struct fetch *f)
{
	const struct fetch_req	*q, *failed = NULL;
	size_t			 i, n = fetch_nreqs(f);

	for (i = 0; i < n; i++) {
		q = fetch_req_at(f, i);
		if (!q->is_done)
			continue;
		if (q->error == 0)
			return q;
		if (failed == NULL)
			failed = q;
	}
	return failed;
}

/*
 * A pooled connection is closed after a later request on it (or when the
 * fetch ends): that close, by us, is the one its socket waits out.
 */
static uint64_t
journey_closed_us(const struct fetch *f, const struct fetch_req *q)
{
	const struct fetch_req	*o;
	size_t			 i, n = fetch_nreqs(f);

	if (q->closed_us != 0 || q->local[0] == '\0')
		return q->closed_us;
	for (i = 0; i < n; i++) {
		o = fetch_req_at(f, i);
		if (o->seq > q->seq && o->closed_us != 0 &&
		    strcmp(o->local, q->local) == 0)
			return o->closed_us;
	}
	return 0;
}

static void
journey_from_fetch(struct journey *j, const struct fetch *f,
    const struct fetch_req *q, uint64_t now_us)
{
	uint64_t	since_ms, closed_us = journey_closed_us(f, q);

	j->source = "fetch";
	j->status = q->status;
	j->connect_ms = q->is_reused ? 0 :
	    journey_span_ms(q->start_us, q->connected_us);
	j->first_byte_ms = journey_span_ms(q->sent_us, q->first_byte_us);
	j->transfer_ms = journey_span_ms(q->first_byte_us, q->last_byte_us);
	j->close_ms = journey_span_ms(q->last_byte_us, closed_us);
	if (closed_us == 0)
		return;
	since_ms = now_us > closed_us ? (now_us - closed_us) / 1000 : 0;
	j->time_wait_left_ms = since_ms >= JOURNEY_TIME_WAIT_MS ? 0 :
	    (long)(JOURNEY_TIME_WAIT_MS - since_ms);
}

/* Without --fetch: what the capture saw of someone's exchange there. */
static void
journey_from_capture(struct journey *j, const struct capture *c,
    const char *endpoint)
{
	const struct capture_exchange	*x;
	size_t				 i, n = capture_nexchanges(c);

	for (i = 0; i < n; i++) {
		x = capture_exchange_at(c, i);
		if (strcmp(x->server, endpoint) != 0)
			continue;
		j->source = "capture";
		j->status = x->status;
		if (x->latency_ms >= 0)
			j->first_byte_ms = x->latency_ms;
		if (x->latency_ms >= 0 && x->total_ms >= x->latency_ms)
			j->transfer_ms = x->total_ms - x->latency_ms;
		return;
	}
}

static long
journey_time_wait(const struct sockets *s, const char *endpoint)
{
	const struct sockets_group	*g;
	size_t				 i, n = sockets_ngroups(s);
	long				 tw = 0;

	for (i = 0; i < n; i++) {
		g = sockets_group_at(s, i);
		if (g->side == SOCK_SIDE_CLIENT &&
		    strcmp(g->remote_str, endpoint) == 0)
			tw += g->count[SOCK_ST_TIME_WAIT];
	}
	return tw;
}

/* Each step's time, summed: the request's own journey, without the
 * moments tubes itself spent between the answer and the connect. */
static void
journey_total(struct journey *j, int has_lookup)
{
	double	sum = 0;
	int	is_known = 1;

	if (has_lookup) {
		if (j->dns_ms >= 0)
			sum += j->dns_ms;
		else
			is_known = 0;
	}
	if (j->connect_ms >= 0)
		sum += j->connect_ms;
	else if (j->source == NULL || strcmp(j->source, "fetch") == 0)
		is_known = 0;	/* the capture does not time the handshake */
	if (j->first_byte_ms >= 0 && j->transfer_ms >= 0)
		sum += j->first_byte_ms + j->transfer_ms;
	else
		is_known = 0;
	j->total_ms = is_known ? sum : -1;
	j->is_complete = is_known && j->connect_ms >= 0;
}

void
journey_compute(struct journey *j, const struct journey_src *src,
    uint64_t now_us)
{
	const struct dns_row	*row;
	const struct fetch_req	*q;
	char			 endpoint[80];
	int			 has_lookup;

	memset(j, 0, sizeof(*j));
	j->dns_ms = j->connect_ms = j->first_byte_ms = j->transfer_ms = -1;
	j->close_ms = j->total_ms = -1;
	j->time_wait_left_ms = j->time_wait_now = -1;
	j->port = -1;
	if (src == NULL || src->target == NULL)
		return;
	j->has_target = 1;
	snprintf(j->host, sizeof(j->host), "%s", src->target->host);
	j->port = src->target->port;
	if (src->address != NULL)
		snprintf(j->address, sizeof(j->address), "%s", src->address);
	has_lookup = src->lookup >= 0 && src->dns != NULL;
	if (has_lookup && (row = journey_dns_row(src->dns,
	    (size_t)src->lookup, src->address)) != NULL)
		j->dns_ms = row->latency_ms;
	if (src->fetch != NULL) {
		if ((q = journey_fetch_req(src->fetch)) != NULL)
			journey_from_fetch(j, src->fetch, q, now_us);
	} else if (src->capture != NULL && src->address != NULL &&
	    j->port > 0) {
		journey_endpoint(endpoint, sizeof(endpoint), src->address,
		    j->port);
		journey_from_capture(j, src->capture, endpoint);
	}
	if (src->sockets != NULL && src->address != NULL && j->port > 0) {
		journey_endpoint(endpoint, sizeof(endpoint), src->address,
		    j->port);
		j->time_wait_now = journey_time_wait(src->sockets, endpoint);
	}
	journey_total(j, has_lookup);
}
