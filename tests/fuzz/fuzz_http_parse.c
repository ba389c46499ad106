/*
 * http_parse over arbitrary chunks of both directions.  Each chunk starts
 * with a control byte: bit 0 the direction, bit 1 a gap (its size in the
 * next byte), bits 2-7 the length (63: the rest of the input; 62: the
 * previous chunk again, REPEAT times, so short inputs reach the limits;
 * 61: no bytes but an http_conn_at record, below).
 *
 * An at record is two bytes, m and a, against pos, the bytes (and gaps)
 * fed to a direction so far:
 *   m bits 0-1	the offset: pos, pos + a, pos - a (backwards, below zero
 *		wraps to huge values), UINT64_MAX - a
 *   m bits 2-3	the ack: HTTP_NO_ACK, the other direction's pos - a
 *		(wraps too), its pos + a (bytes it never sent: lost), or
 *		UINT64_MAX - a
 *   m bit 4	toggles announcing every chunk as the capture does: at
 *		pos + gap, acking the other direction's pos minus m >> 5
 *		(7: HTTP_NO_ACK); an at record still wins for its chunk
 * so the paths that pair responses after losses run with sane offsets and
 * with hostile ones.
 *
 * Aborts when an exchange disagrees with itself, when exchanges count more
 * bytes than were fed (one reported twice), when requests come out of
 * order, when more requests are said unanswered than were reported so, or
 * when memory leaves its bound.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model/http_parse.h"

#define REPEAT		1024
#define LEN_AT		61
#define LEN_REPEAT	62
#define LEN_REST	63

struct fz {
	unsigned	nex;
	uint64_t	in_bytes[2];	/* data and gaps fed, per direction */
	uint64_t	out_bytes[2];	/* counted in exchanges */
	uint64_t	nunanswered;	/* requests reported without a
					   response, incomplete */
	uint64_t	last_req_us;	/* of the last request reported */
	int		is_auto;	/* announce every chunk */
	unsigned	lag;		/* its acks: the other pos - lag */
	int		has_at[2];	/* an at record waits for dir */
};

static void
check_str(const char *s, size_t max)
{
	if (s != NULL && strnlen(s, max) >= max)
		abort();
}

static void
on_exchange(void *arg, const struct http_exchange *ex)
{
	struct fz	*fz = arg;

	fz->nex++;
	check_str(ex->method, HTTP_FIELD_MAX);
	check_str(ex->path, HTTP_FIELD_MAX);
	check_str(ex->host, HTTP_FIELD_MAX);
	check_str(ex->version, HTTP_FIELD_MAX);
	check_str(ex->content_type, HTTP_FIELD_MAX);
	check_str(ex->reason, HTTP_FIELD_MAX);
	check_str(ex->req_headers, HTTP_HDRS_KEPT_MAX);
	check_str(ex->resp_headers, HTTP_HDRS_KEPT_MAX);
	if (!ex->has_request && !ex->has_response)
		abort();
	if (!ex->has_request && (ex->method != NULL || ex->req_bytes != 0))
		abort();
	if (!ex->has_response && (ex->status != 0 || ex->resp_bytes != 0))
		abort();
	if (ex->has_request && ex->method == NULL)
		abort();
	if (ex->has_response && (ex->status < 200 || ex->status > 999) &&
	    ex->status != 101)
		abort();
	if (ex->req_body_bytes > ex->req_bytes ||
	    ex->resp_body_bytes > ex->resp_bytes)
		abort();
	if (ex->req_first_us > ex->req_last_us ||
	    ex->resp_first_us > ex->resp_last_us)
		abort();
	if (ex->has_request) {
		/* Pipelined requests pair in order: they are reported in
		 * the order they came (timestamps only grow here). */
		if (ex->req_first_us < fz->last_req_us)
			abort();
		fz->last_req_us = ex->req_first_us;
		if (!ex->has_response && ex->is_incomplete)
			fz->nunanswered++;
	}
	fz->out_bytes[0] += ex->req_bytes;
	fz->out_bytes[1] += ex->resp_bytes;
}

static void
feed(struct http_conn *hc, struct fz *fz, int dir, const uint8_t *p,
    size_t len, size_t gap, uint64_t ts)
{
	uint8_t	*copy;
	int	 kind;

	/* An exact-size heap copy, so ASan sees any read past it. */
	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(copy, p, len);
	if (fz->is_auto && !fz->has_at[dir])
		http_conn_at(hc, dir, fz->in_bytes[dir] + gap, fz->lag == 7 ?
		    HTTP_NO_ACK : fz->in_bytes[!dir] - fz->lag);
	fz->has_at[dir] = 0;
	if (dir == 0) {
		kind = http_kind(copy, len);
		if (kind < HTTP_KIND_UNKNOWN || kind > HTTP_KIND_OTHER)
			abort();
	}
	http_conn_data(hc, dir, len > 0 ? copy : NULL, len, gap, ts);
	free(copy);
	fz->in_bytes[dir] += len + gap;
	if (http_conn_mem(hc) > HTTP_CONN_MEM_MAX)
		abort();
}

/* An at record for dir's next chunk; returns the bytes it used. */
static size_t
at_record(struct http_conn *hc, struct fz *fz, int dir, const uint8_t *p,
    size_t n)
{
	uint64_t	pos = fz->in_bytes[dir], other = fz->in_bytes[!dir];
	uint64_t	off, ack;
	uint8_t		m, a;

	m = n > 0 ? p[0] : 0;
	a = n > 1 ? p[1] : 0;
	switch (m & 3) {
	case 0:
		off = pos;
		break;
	case 1:
		off = pos + a;
		break;
	case 2:
		off = pos - a;
		break;
	default:
		off = UINT64_MAX - a;
		break;
	}
	switch (m >> 2 & 3) {
	case 0:
		ack = HTTP_NO_ACK;
		break;
	case 1:
		ack = other - a;
		break;
	case 2:
		ack = other + a;
		break;
	default:
		ack = UINT64_MAX - a;
		break;
	}
	if (m & 16) {
		fz->is_auto = !fz->is_auto;
		fz->lag = m >> 5;
	}
	http_conn_at(hc, dir, off, ack);
	fz->has_at[dir] = 1;
	if (http_conn_mem(hc) > HTTP_CONN_MEM_MAX)
		abort();
	return n < 2 ? n : 2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz		 fz;
	struct http_conn_cb	 cb = { &fz, on_exchange };
	struct http_conn	*hc;
	size_t			 i = 0, len, gap, mem0, last = 0, lastlen = 0, r;
	uint64_t		 ts = 1;
	int			 dir;

	memset(&fz, 0, sizeof(fz));
	hc = http_conn_new(&cb);
	mem0 = http_conn_mem(hc);
	while (i < size) {
		dir = data[i] & 1;
		gap = 0;
		len = data[i] >> 2;
		if (data[i++] & 2 && i < size)
			gap = data[i++];
		if (len == LEN_AT) {
			i += at_record(hc, &fz, dir, data + i, size - i);
			continue;
		}
		if (len == LEN_REPEAT) {
			for (r = 0; r < REPEAT && lastlen > 0; r++)
				feed(hc, &fz, dir, data + last, lastlen, 0,
				    ts++);
			continue;
		}
		if (len == LEN_REST || len > size - i)
			len = size - i;
		last = i;
		lastlen = len;
		feed(hc, &fz, dir, data + i, len, gap, ts);
		i += len;
		ts += 7;
	}
	http_conn_close(hc, ts);
	/* Everything reported; nothing held but the connection itself. */
	if (http_conn_mem(hc) != mem0)
		abort();
	if (fz.out_bytes[0] > fz.in_bytes[0] || fz.out_bytes[1] > fz.in_bytes[1])
		abort();
	if (http_conn_nunanswered(hc) > fz.nunanswered)
		abort();
	if (http_conn_nskipped(hc) > fz.in_bytes[0] + fz.in_bytes[1])
		abort();
	http_conn_free(hc);
	return 0;
}
