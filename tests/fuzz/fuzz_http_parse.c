/*
 * http_parse over arbitrary chunks of both directions.  Each chunk starts
 * with a control byte: bit 0 the direction, bit 1 a gap (its size in the
 * next byte), bits 2-7 the length (63: the rest of the input; 62: the
 * previous chunk again, REPEAT times, so short inputs reach the limits).
 * Aborts when an exchange disagrees with itself or memory leaves its
 * bound.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model/http_parse.h"

#define REPEAT	1024

struct fz {
	unsigned	nex;
	uint64_t	in_bytes[2];	/* data and gaps fed, per direction */
	uint64_t	out_bytes[2];	/* counted in exchanges */
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
		if (len == 62) {
			for (r = 0; r < REPEAT && lastlen > 0; r++)
				feed(hc, &fz, dir, data + last, lastlen, 0,
				    ts++);
			continue;
		}
		if (len == 63 || len > size - i)
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
	http_conn_free(hc);
	return 0;
}
