/*
 * http_parse over scripted connections.  Every script is fed whole, one
 * byte per call, and split in two at every position: the exchanges must
 * come out the same each time.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/http_parse.h"
#include "tap.h"

struct seg {
	int		 dir;
	const char	*p;
	size_t		 len;
	size_t		 gap;	/* bytes lost before p */
};

#define C(s)		{ 0, s, sizeof(s) - 1, 0 }
#define S(s)		{ 1, s, sizeof(s) - 1, 0 }
#define CG(g, s)	{ 0, s, sizeof(s) - 1, g }
#define SG(g, s)	{ 1, s, sizeof(s) - 1, g }
#define NSEG(a)		(sizeof(a) / sizeof((a)[0]))

#define MAXEX	80

/* What a run saw: exchanges as one text, for comparing runs. */
struct run {
	struct http_exchange	 ex[MAXEX];	/* scalar fields only */
	char			 text[65536];
	size_t			 text_len;
	unsigned		 nex;
	size_t			 max_mem;
	uint64_t		 nskipped, ndropped;
};

static void
put_str(struct run *r, const char *tag, const char *s)
{
	char	*o = r->text + r->text_len;
	size_t	 room = sizeof(r->text) - r->text_len, n = 0;

	n += (size_t)snprintf(o + n, room - n, " %s=", tag);
	if (s == NULL)
		n += (size_t)snprintf(o + n, room - n, "(null)");
	for (; s != NULL && *s != '\0' && n + 8 < room; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			n += (size_t)snprintf(o + n, room - n, "\\x%02x",
			    (unsigned char)*s);
		else
			o[n++] = *s;
	}
	if (n >= room)
		n = room - 1;
	o[n] = '\0';
	r->text_len += n;
}

static void
on_exchange(void *arg, const struct http_exchange *ex)
{
	struct run	*r = arg;
	char		 buf[512];

	if (r->nex < MAXEX) {
		r->ex[r->nex] = *ex;
		r->ex[r->nex].method = r->ex[r->nex].path = NULL;
		r->ex[r->nex].host = r->ex[r->nex].version = NULL;
		r->ex[r->nex].content_type = r->ex[r->nex].reason = NULL;
		r->ex[r->nex].req_headers = r->ex[r->nex].resp_headers = NULL;
	}
	r->nex++;
	if (r->text_len + 4096 > sizeof(r->text))
		return;
	put_str(r, "M", ex->method);
	put_str(r, "P", ex->path);
	put_str(r, "H", ex->host);
	put_str(r, "V", ex->version);
	put_str(r, "R", ex->reason);
	put_str(r, "CT", ex->content_type);
	snprintf(buf, sizeof(buf), " S=%d I=%u QB=%llu SB=%llu QBB=%llu "
	    "SBB=%llu QF=%llu QL=%llu SF=%llu SL=%llu hq=%d hs=%d T=%d X=%d "
	    "CQ=%d CS=%d QH=%zu SH=%zu\n", ex->status, ex->ninterim,
	    (unsigned long long)ex->req_bytes,
	    (unsigned long long)ex->resp_bytes,
	    (unsigned long long)ex->req_body_bytes,
	    (unsigned long long)ex->resp_body_bytes,
	    (unsigned long long)ex->req_first_us,
	    (unsigned long long)ex->req_last_us,
	    (unsigned long long)ex->resp_first_us,
	    (unsigned long long)ex->resp_last_us, ex->has_request,
	    ex->has_response, ex->is_truncated, ex->is_incomplete,
	    ex->is_chunked_req, ex->is_chunked_resp,
	    ex->req_headers ? strlen(ex->req_headers) : 0,
	    ex->resp_headers ? strlen(ex->resp_headers) : 0);
	memcpy(r->text + r->text_len, buf, strlen(buf) + 1);
	r->text_len += strlen(buf);
}

static void
feed(struct http_conn *hc, struct run *r, const struct seg *s, size_t from,
    size_t to, int with_gap, uint64_t ts)
{
	size_t	mem;

	http_conn_data(hc, s->dir, s->p != NULL ?
	    (const uint8_t *)s->p + from : NULL, to - from,
	    with_gap ? s->gap : 0, ts);
	if ((mem = http_conn_mem(hc)) > r->max_mem)
		r->max_mem = mem;
}

/* mode 0: whole segments; 1: a byte per call; 2: split at cut. */
static void
run_script(struct run *r, const struct seg *segs, size_t nsegs, int mode,
    size_t cut)
{
	struct http_conn_cb	 cb = { r, on_exchange };
	struct http_conn	*hc;
	size_t			 i, j, k;
	uint64_t		 ts;

	memset(r, 0, sizeof(*r));
	hc = http_conn_new(&cb);
	for (i = 0; i < nsegs; i++) {
		ts = (i + 1) * 1000;
		if (mode == 0 || segs[i].len == 0)
			feed(hc, r, &segs[i], 0, segs[i].len, 1, ts);
		else if (mode == 1) {
			for (j = 0; j < segs[i].len; j++)
				feed(hc, r, &segs[i], j, j + 1, j == 0, ts);
		} else {
			k = cut < segs[i].len ? cut : segs[i].len;
			feed(hc, r, &segs[i], 0, k, 1, ts);
			if (k < segs[i].len)
				feed(hc, r, &segs[i], k, segs[i].len, 0, ts);
		}
	}
	http_conn_close(hc, (nsegs + 1) * 1000);
	r->nskipped = http_conn_nskipped(hc);
	r->ndropped = http_conn_ndropped(hc);
	http_conn_free(hc);
}

static struct run	ref, alt;
static size_t		peak_mem;	/* of the byte per call run */

/* Runs the script whole into ref, then checks the other feeds match. */
static void
script(const char *name, const struct seg *segs, size_t nsegs, int splits)
{
	size_t	i, maxlen = 0, bad = 0;

	run_script(&ref, segs, nsegs, 0, 0);
	run_script(&alt, segs, nsegs, 1, 0);
	peak_mem = alt.max_mem;
	if (!ok(strcmp(ref.text, alt.text) == 0, "%s: byte per call same",
	    name))
		printf("# whole:\n%s# bytes:\n%s", ref.text, alt.text);
	if (!splits)
		goto out;
	for (i = 0; i < nsegs; i++)
		if (segs[i].len > maxlen)
			maxlen = segs[i].len;
	for (i = 1; i < maxlen && bad == 0; i++) {
		run_script(&alt, segs, nsegs, 2, i);
		if (strcmp(ref.text, alt.text) != 0) {
			bad = i;
			printf("# split at %zu:\n%s", i, alt.text);
		}
	}
	ok(bad == 0, "%s: split at every position same", name);
out:
	/* ref is what the caller checks. */
	run_script(&ref, segs, nsegs, 0, 0);
}

#define HDR_OK	"HTTP/1.1 200 OK\r\n"

static void
t_keepalive(void)
{
	static const struct seg segs[] = {
		C("GET /index.html HTTP/1.1\r\nHost: ka.test\r\n"
		    "User-Agent: corpus-keepalive/1\r\n\r\n"),
		S(HDR_OK "Content-Type: text/html\r\nContent-Length: 5\r\n\r\n"
		    "hello"),
		C("GET /small.txt HTTP/1.1\r\nHost: ka.test\r\n\r\n"),
		S(HDR_OK "Content-Length: 3\r\n\r\nabc"),
		C("\r\nGET /missing HTTP/1.1\r\nHost: ka.test\r\n\r\n"),
		S("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
		C("GET /medium.bin HTTP/1.1\r\nHost: ka.test\r\n"
		    "Connection: close\r\n\r\n"),
		S(HDR_OK "Content-Length: 10\r\n\r\n0123456789"),
	};

	script("keepalive", segs, NSEG(segs), 1);
	is_int(ref.nex, 4, "keepalive: 4 exchanges");
	is_int(ref.ex[0].status, 200, "keepalive: 1st 200");
	is_int(ref.ex[0].resp_body_bytes, 5, "keepalive: 1st body 5");
	is_int(ref.ex[0].resp_bytes, segs[1].len, "keepalive: 1st resp bytes");
	is_int(ref.ex[0].req_bytes, segs[0].len, "keepalive: 1st req bytes");
	is_int(ref.ex[0].req_first_us, 1000, "keepalive: req_first_us");
	is_int(ref.ex[0].resp_first_us, 2000, "keepalive: resp_first_us");
	is_int(ref.ex[0].resp_last_us, 2000, "keepalive: resp_last_us");
	is_int(ref.ex[2].status, 404, "keepalive: 3rd 404");
	is_int(ref.ex[2].req_bytes, segs[4].len - 2,
	    "keepalive: blank line before a request not counted");
	is_int(ref.ex[3].resp_body_bytes, 10, "keepalive: 4th body 10");
	ok(strstr(ref.text, "M=GET P=/index.html H=ka.test V=HTTP/1.1 R=OK "
	    "CT=text/html") != NULL, "keepalive: fields");
	ok(strstr(ref.text, "P=/missing") != NULL &&
	    strstr(ref.text, "P=/medium.bin") != NULL, "keepalive: paths");
	ok(ref.ex[0].has_request && ref.ex[0].has_response &&
	    !ref.ex[0].is_incomplete && !ref.ex[0].is_truncated,
	    "keepalive: complete");
}

static void
t_pipelined(void)
{
	static const struct seg segs[] = {
		C("GET /small.txt HTTP/1.1\r\nHost: pipe.test\r\n\r\n"
		    "GET /missing HTTP/1.1\r\nHost: pipe.test\r\n\r\n"
		    "GET /index.html HTTP/1.1\r\nHost: pipe.test\r\n\r\n"
		    "GET /medium.bin HTTP/1.1\r\nHost: pipe.test\r\n"
		    "Connection: close\r\n\r\n"),
		S(HDR_OK "Content-Length: 1\r\n\r\n1"),
		S("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n22"
		    HDR_OK "Content-Length: 3\r\n\r\n333"),
		S(HDR_OK "Content-Length: 4\r\n\r\n4444"),
	};
	unsigned	i;
	int		good = 1;

	script("pipelined", segs, NSEG(segs), 1);
	is_int(ref.nex, 4, "pipelined: 4 exchanges");
	for (i = 0; i < 4 && i < ref.nex; i++)
		if (ref.ex[i].resp_body_bytes != i + 1)
			good = 0;
	ok(good, "pipelined: each response paired with its request");
	ok(strstr(ref.text, "P=/missing H=pipe.test V=HTTP/1.1 R=Not Found")
	    != NULL, "pipelined: 404 on /missing");
	is_int(ref.ex[0].req_first_us, 1000, "pipelined: req time");
	is_int(ref.ex[3].resp_first_us, 4000, "pipelined: last resp time");
}

static void
t_chunked_resp(void)
{
	static const struct seg segs[] = {
		C("GET /chunked HTTP/1.1\r\nHost: c.test\r\n\r\n"),
		S(HDR_OK "Transfer-Encoding: chunked\r\n"
		    "Content-Type: text/plain\r\n\r\n"),
		S("5;name=val\r\nhello\r\n"),
		S("A ; ext=\"q\"\r\n0123456789\r\n"),
		S("0\r\nX-Trailer: yes\r\nX-Other: 1\r\n\r\n"),
		C("GET /next HTTP/1.1\r\n\r\n"),
		S(HDR_OK "Content-Length: 2\r\n\r\nok"),
	};

	script("chunked response", segs, NSEG(segs), 1);
	is_int(ref.nex, 2, "chunked response: 2 exchanges");
	is_int(ref.ex[0].resp_body_bytes, 15, "chunked response: decoded 15");
	is_int(ref.ex[0].resp_bytes, segs[1].len + segs[2].len + segs[3].len +
	    segs[4].len, "chunked response: bytes with framing");
	is_int(ref.ex[0].is_chunked_resp, 1, "chunked response: flag");
	is_int(ref.ex[0].resp_first_us, 2000, "chunked response: first");
	is_int(ref.ex[0].resp_last_us, 5000, "chunked response: last");
	is_int(ref.ex[1].resp_body_bytes, 2, "chunked response: next framed");
}

static void
t_chunked_req(void)
{
	static const struct seg segs[] = {
		C("POST /upload HTTP/1.1\r\nHost: up.test\r\n"
		    "Transfer-Encoding: gzip, chunked\r\n\r\n"
		    "4\r\nabcd\r\n"),
		C("1f\r\n0123456789012345678901234567890\r\n0\r\n\r\n"),
		S("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
	};

	script("chunked request", segs, NSEG(segs), 1);
	is_int(ref.nex, 1, "chunked request: 1 exchange");
	is_int(ref.ex[0].req_body_bytes, 35, "chunked request: decoded 35");
	is_int(ref.ex[0].req_bytes, segs[0].len + segs[1].len,
	    "chunked request: bytes");
	is_int(ref.ex[0].is_chunked_req, 1, "chunked request: flag");
	is_int(ref.ex[0].status, 201, "chunked request: 201");
	is_int(ref.ex[0].req_last_us, 2000, "chunked request: last byte");
}

static void
t_continue(void)
{
	static const struct seg segs[] = {
		C("POST /upload HTTP/1.1\r\nHost: up.test\r\n"
		    "Content-Length: 9\r\nExpect: 100-continue\r\n\r\n"),
		S("HTTP/1.1 100 Continue\r\n\r\n"),
		C("a=1&b=2&c"),
		S("HTTP/1.1 102 Processing\r\nX: y\r\n\r\n"
		    "HTTP/1.1 201 Created\r\nContent-Length: 7\r\n\r\ncreated"),
	};

	script("100-continue", segs, NSEG(segs), 1);
	is_int(ref.nex, 1, "100-continue: 1 exchange");
	is_int(ref.ex[0].status, 201, "100-continue: final 201");
	is_int(ref.ex[0].ninterim, 2, "100-continue: 2 interim");
	is_int(ref.ex[0].req_body_bytes, 9, "100-continue: request body");
	is_int(ref.ex[0].req_last_us, 3000, "100-continue: request end");
	is_int(ref.ex[0].resp_first_us, 4000, "100-continue: resp first");
	is_int(ref.ex[0].resp_bytes, 50, "100-continue: final response bytes");
	ok(strstr(ref.text, "R=Created") != NULL, "100-continue: reason");
}

static void
t_head_204_304(void)
{
	static const struct seg segs[] = {
		C("HEAD /small.txt HTTP/1.1\r\nHost: h\r\n\r\n"),
		S(HDR_OK "Content-Length: 111\r\n\r\n"),
		C("GET /a HTTP/1.1\r\n\r\n"),
		S("HTTP/1.1 204 No Content\r\n\r\n"),
		C("GET /b HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n"),
		S("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"),
		C("GET /c HTTP/1.1\r\n\r\n"),
		S(HDR_OK "Content-Length: 1\r\n\r\nx"),
	};

	script("head/204/304", segs, NSEG(segs), 1);
	is_int(ref.nex, 4, "head/204/304: 4 exchanges");
	is_int(ref.ex[0].resp_body_bytes, 0, "head: no body");
	is_int(ref.ex[1].status, 204, "204");
	is_int(ref.ex[2].status, 304, "304");
	is_int(ref.ex[2].resp_body_bytes, 0, "304: no body");
	is_int(ref.ex[3].status, 200, "after 304: 200");
	is_int(ref.ex[3].resp_body_bytes, 1, "after 304: framed");
	ok(!ref.ex[3].is_incomplete, "after 304: complete");
}

static void
t_http10(void)
{
	static const struct seg segs[] = {
		C("GET /index.html HTTP/1.0\r\nUser-Agent: x\r\n\r\n"),
		S("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n"
		    "Content-type: text/html\r\n\r\n<html>"),
		S("</html>\n"),
	};

	script("http/1.0 close", segs, NSEG(segs), 1);
	is_int(ref.nex, 1, "http/1.0: 1 exchange");
	is_int(ref.ex[0].resp_body_bytes, 14, "http/1.0: body until FIN");
	is_int(ref.ex[0].resp_last_us, 3000, "http/1.0: last byte");
	ok(!ref.ex[0].is_incomplete, "http/1.0: complete");
	ok(strstr(ref.text, "V=HTTP/1.0 R=OK CT=text/html") != NULL,
	    "http/1.0: fields");
}

static void
t_orphans(void)
{
	static const struct seg orphan[] = {
		S("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct seg lonely[] = {
		C("GET /lonely HTTP/1.1\r\nHost: l\r\n\r\n"),
	};

	script("orphan response", orphan, NSEG(orphan), 1);
	is_int(ref.nex, 1, "orphan: reported");
	ok(!ref.ex[0].has_request && ref.ex[0].has_response &&
	    ref.ex[0].status == 408, "orphan: has_request 0, 408");
	script("request alone", lonely, NSEG(lonely), 1);
	is_int(ref.nex, 1, "request alone: reported at close");
	ok(ref.ex[0].has_request && !ref.ex[0].has_response &&
	    ref.ex[0].status == 0, "request alone: has_response 0");
}

static char	*big;

static void
t_big_line(void)
{
	struct seg	segs[2];
	size_t		n = 0;

	big = malloc(200000);
	n += (size_t)sprintf(big, "GET /big HTTP/1.1\r\nX-Big: ");
	memset(big + n, 'a', 70000);
	n += 70000;
	n += (size_t)sprintf(big + n, "\r\n\r\n");
	segs[0] = (struct seg){ 0, big, n, 0 };
	segs[1] = (struct seg){ 1, HDR_OK "Content-Length: 0\r\n\r\n", 38, 0 };
	script("70 KB header line", segs, 2, 0);
	is_int(ref.nex, 1, "70 KB line: reported");
	ok(ref.ex[0].is_truncated, "70 KB line: truncated");
	ok(strstr(ref.text, "M=GET P=/big") != NULL, "70 KB line: request");
	ok(peak_mem < 3 * HTTP_LINE_MAX + 4 * HTTP_HDRS_KEPT_MAX,
	    "70 KB line: memory %zu bounded", peak_mem);
	ok(ref.nskipped > 0, "70 KB line: skipped counted");

	/* A start line over the limit. */
	n = (size_t)sprintf(big, "GET /");
	memset(big + n, 'p', 9000);
	n += 9000;
	n += (size_t)sprintf(big + n, " HTTP/1.1\r\n\r\n");
	segs[0].len = n;
	script("9 KB start line", segs, 1, 0);
	is_int(ref.nex, 1, "9 KB start line: reported");
	ok(ref.ex[0].is_truncated, "9 KB start line: truncated");
	ok(peak_mem < 3 * HTTP_LINE_MAX + 4 * HTTP_HDRS_KEPT_MAX,
	    "9 KB start line: memory %zu bounded", peak_mem);
}

static void
t_many_headers(void)
{
	struct seg	segs[1];
	size_t		n, i;

	n = (size_t)sprintf(big, "GET /many HTTP/1.1\r\n");
	for (i = 0; i < 10000; i++)
		n += (size_t)sprintf(big + n, "X-H%zu: v\r\n", i);
	n += (size_t)sprintf(big + n, "\r\n");
	segs[0] = (struct seg){ 0, big, n, 0 };
	script("10,000 headers", segs, 1, 0);
	is_int(ref.nex, 1, "10,000 headers: reported");
	ok(ref.ex[0].is_truncated, "10,000 headers: truncated");
	ok(peak_mem < 3 * HTTP_LINE_MAX + 4 * HTTP_HDRS_KEPT_MAX,
	    "10,000 headers: memory %zu bounded", peak_mem);

	/* Header block over HTTP_HEADERS_MAX in lines of 1000 bytes. */
	n = (size_t)sprintf(big, "GET /fat HTTP/1.1\r\n");
	for (i = 0; i < 100; i++) {
		n += (size_t)sprintf(big + n, "X-F: ");
		memset(big + n, 'f', 1000);
		n += 1000;
		n += (size_t)sprintf(big + n, "\r\n");
	}
	segs[0].len = n;
	script("100 KB header block", segs, 1, 0);
	ok(ref.nex == 1 && ref.ex[0].is_truncated,
	    "100 KB header block: truncated");
	free(big);
}

static int	saw_after_nul;

static void
on_ex_nul(void *arg, const struct http_exchange *ex)
{
	(void)arg;
	if (ex->req_headers != NULL &&
	    strstr(ex->req_headers, "Host: a\x7f" "b\r\nX-After: 1") != NULL)
		saw_after_nul = 1;
}

/* A NUL inside a header must not hide the headers after it. */
static void
t_nul_header(void)
{
	static const char	 req[] =
	    "GET / HTTP/1.1\r\nHost: a\0b\r\nX-After: 1\r\n\r\n";
	static const char	 resp[] = HDR_OK "Content-Length: 0\r\n\r\n";
	struct http_conn_cb	 cb = { NULL, on_ex_nul };
	struct http_conn	*hc = http_conn_new(&cb);

	http_conn_data(hc, 0, (const uint8_t *)req, sizeof(req) - 1, 0, 1);
	http_conn_data(hc, 1, (const uint8_t *)resp, sizeof(resp) - 1, 0, 2);
	http_conn_close(hc, 3);
	http_conn_free(hc);
	ok(saw_after_nul, "hostile: a NUL in a header is kept as DEL and "
	    "hides no header after it");
}

static void
t_hostile(void)
{
	static const struct seg segs[] = {
		C("G\x1bT /\x1b]0;evil\x07\x9b\xff\xfe HTTP/1.1\r\n"
		    "Host: a\x1b[31mb\r\nUser-Agent: \xc3\x28\x00z\r\n"
		    "Referer: x\x00y\r\n\r\n"),
		S("HTTP/1.1 200 \x1b[2J\x9bOK\xff\r\n"
		    "Content-Type: text/\x1b]52;c;x\x07html\r\n"
		    "Content-Length: 1\r\n\r\n\x00"),
		C("GET /\x00nul HTTP/1.1\r\nHost: \x00\r\n\r\n"),
		S(HDR_OK "Content-Length: 0\r\n\r\n"),
	};

	script("hostile bytes", segs, NSEG(segs), 1);
	is_int(ref.nex, 2, "hostile: 2 exchanges");
	ok(strstr(ref.text, "M=G\\x1bT P=/\\x1b]0;evil\\x07\\x9b\\xff\\xfe "
	    "H=a\\x1b[31mb") != NULL, "hostile: kept raw");
	ok(strstr(ref.text, "R=\\x1b[2J\\x9bOK\\xff CT=text/\\x1b]52;c;x"
	    "\\x07html") != NULL, "hostile: response kept raw");
	ok(strstr(ref.text, "M=GET P=/ H= V=HTTP/1.1") != NULL,
	    "hostile: NUL ends a field");
	is_int(ref.ex[0].resp_body_bytes, 1, "hostile: NUL body counted");
	t_nul_header();
}

static void
t_gaps(void)
{
	static const struct seg body[] = {
		C("GET /a HTTP/1.1\r\n\r\n"),
		S(HDR_OK "Content-Length: 100\r\n\r\n0123456789"),
		C("GET /b HTTP/1.1\r\n\r\n"),
		SG(60, "012345678901234567890123456789"
		    HDR_OK "Content-Length: 2\r\n\r\nok"),
	};
	static const struct seg hdrs[] = {
		C("GET /a HTTP/1.1\r\nHo"),
		CG(40, "GET /b HTTP/1.1\r\n\r\n"),
		S("HTTP/1.1 200 OK\r\nSer"),
		SG(200, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
	};
	static const struct seg snap[] = {
		C("GET /index.html HTTP/1.1\r\nHost"),
		S("HTTP/1.1 200 OK\r\nServer: nginx"),
		SG(300, "<!DOCTYPE html>\n<html>\n<head>"),
		CG(60, "GET /small.txt HTTP/1.1\r\nHost:"),
		SG(500, "HTTP/1.1 200 OK\r\nServer: nginx"),
		SG(100, "hello small\nline two\nHTTP/2 x"),
		CG(60, "GET /missing HTTP/1.1\r\nHost: l"),
		SG(60, "HTTP/1.1 404 Not Found\r\nServer"),
		{ 1, NULL, 0, 200 },
	};

	script("gap in body", body, NSEG(body), 1);
	is_int(ref.nex, 2, "gap in body: 2 exchanges");
	ok(ref.ex[0].is_incomplete && !ref.ex[1].is_incomplete,
	    "gap in body: first incomplete, second not");
	is_int(ref.ex[0].resp_body_bytes, 100, "gap in body: length kept");
	is_int(ref.ex[1].resp_body_bytes, 2, "gap in body: resynchronised");

	script("gap in headers", hdrs, NSEG(hdrs), 1);
	is_int(ref.nex, 2, "gap in headers: 2 exchanges");
	ok(ref.ex[0].is_incomplete && ref.ex[0].status == 200,
	    "gap in headers: first incomplete, 200");
	ok(!ref.ex[1].is_incomplete && ref.ex[1].status == 404,
	    "gap in headers: second complete, 404");
	ok(strstr(ref.text, "P=/a") != NULL && strstr(ref.text, "P=/b") != NULL,
	    "gap in headers: both paths");

	script("snap length 96", snap, NSEG(snap), 1);
	is_int(ref.nex, 3, "snaplen: 3 exchanges");
	ok(strstr(ref.text, "M=GET P=/index.html") != NULL &&
	    strstr(ref.text, "M=GET P=/small.txt") != NULL &&
	    strstr(ref.text, "M=GET P=/missing") != NULL, "snaplen: paths");
	ok(ref.ex[0].status == 200 && ref.ex[1].status == 200 &&
	    ref.ex[2].status == 404, "snaplen: statuses");
	ok(ref.ex[0].is_incomplete && ref.ex[1].is_incomplete &&
	    ref.ex[2].is_incomplete, "snaplen: all incomplete");
	is_int(ref.ex[0].resp_body_bytes, 0, "snaplen: no invented body");
}

static void
t_limits_and_errors(void)
{
	static const struct seg clen[] = {
		C("GET /a HTTP/1.1\r\n\r\n"),
		S(HDR_OK "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
		C("GET /b HTTP/1.1\r\n\r\n"),
		S(HDR_OK "Content-Length: 0\r\n\r\n"),
	};
	static const struct seg clen_list[] = {
		C("POST /l HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc"),
		S(HDR_OK "Content-Length: x1\r\n\r\n"),
	};
	static const struct seg fold[] = {
		C("GET /f HTTP/1.1\r\nX-Fold: a\r\n  b\r\nHost: f\r\n\r\n"),
		S(HDR_OK "Content-Length: 1\r\n\tcontinued\r\n\r\nz"),
	};
	static const struct seg tunnel[] = {
		C("CONNECT h.test:443 HTTP/1.1\r\nHost: h.test:443\r\n\r\n"),
		S("HTTP/1.1 200 Connection established\r\n\r\n"),
		C("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
		S("\x16\x03\x03\x00\x7a"),
	};
	static const struct seg notttp[] = {
		C("SSH-2.0-OpenSSH_9.2\r\n"),
	};
	static const struct seg midstream[] = {
		C("ody of the last request\r\nGET /x HTTP/1.1\r\n\r\n"),
		S("l>\n</html>\n" HDR_OK "Content-Length: 2\r\n\r\nok"),
	};

	script("conflicting Content-Length", clen, NSEG(clen), 1);
	is_int(ref.nex, 1, "bad CL: one exchange, then stopped");
	ok(ref.ex[0].is_incomplete && ref.ex[0].status == 200,
	    "bad CL: incomplete");
	ok(ref.nskipped > 0, "bad CL: skipped counted");
	script("Content-Length list", clen_list, NSEG(clen_list), 1);
	ok(ref.nex == 1 && ref.ex[0].req_body_bytes == 3 &&
	    ref.ex[0].is_incomplete, "CL list same values; bad CL x1");
	script("obs-fold", fold, NSEG(fold), 1);
	ok(ref.nex == 1 && !ref.ex[0].is_incomplete &&
	    ref.ex[0].resp_body_bytes == 1 && strstr(ref.text, "H=f") != NULL,
	    "obs-fold: tolerated");
	script("CONNECT tunnel", tunnel, NSEG(tunnel), 1);
	ok(ref.nex == 1 && ref.ex[0].status == 200 &&
	    !ref.ex[0].is_incomplete, "CONNECT: one exchange");
	is_int(ref.nskipped, tunnel[2].len + tunnel[3].len,
	    "CONNECT: tunnel bytes skipped");
	script("not HTTP", notttp, NSEG(notttp), 1);
	is_int(ref.nex, 0, "not HTTP: nothing reported");
	is_int(ref.nskipped, notttp[0].len, "not HTTP: skipped");
	script("joined mid-stream", midstream, NSEG(midstream), 1);
	ok(ref.nex == 1 && ref.ex[0].status == 200 &&
	    ref.ex[0].has_request && !ref.ex[0].is_incomplete &&
	    strstr(ref.text, "P=/x") != NULL, "mid-stream: resynchronised");
}

static void
t_pipeline_max(void)
{
	static char	reqs[100 * 32], resps[100 * 48];
	struct seg	segs[2];
	size_t		nq = 0, ns = 0, i;

	for (i = 0; i < HTTP_PIPELINE_MAX + 6; i++) {
		nq += (size_t)sprintf(reqs + nq, "GET /%zu HTTP/1.1\r\n\r\n", i);
		ns += (size_t)sprintf(resps + ns, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 0\r\n\r\n");
	}
	segs[0] = (struct seg){ 0, reqs, nq, 0 };
	segs[1] = (struct seg){ 1, resps, ns, 0 };
	script("pipeline over the max", segs, 2, 0);
	is_int(ref.nex, HTTP_PIPELINE_MAX, "pipeline max: 64 reported");
	is_int(ref.ndropped, 6, "pipeline max: 6 dropped");
	ok(peak_mem <= HTTP_CONN_MEM_MAX && peak_mem > 64 * 100,
	    "pipeline max: memory %zu within bound", peak_mem);
}

static void
t_kind(void)
{
	static const struct {
		const char	*p;
		int		 kind;
	} k[] = {
		{ "GET / HTTP/1.1\r\n", HTTP_KIND_HTTP1 },
		{ "OPTIONS * HTTP/1.1\r\n", HTTP_KIND_HTTP1 },
		{ "CONNECT a:443 HTTP/1.1\r\n", HTTP_KIND_HTTP1 },
		{ "PROPFIND /x HTTP/1.1\r\n", HTTP_KIND_HTTP1 },
		{ "M-SEARCH http://x/ HTTP/1.1", HTTP_KIND_HTTP1 },
		{ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP_KIND_H2C },
		{ "PRI * HTTP/2.0\r\n", HTTP_KIND_UNKNOWN },
		{ "PRI * HTTP/1.1\r\n", HTTP_KIND_OTHER },
		{ "GE", HTTP_KIND_UNKNOWN },
		{ "FOO ", HTTP_KIND_UNKNOWN },
		{ "FOO ht", HTTP_KIND_UNKNOWN },
		{ "FOO x", HTTP_KIND_OTHER },
		{ "\x16\x03\x01\x02\x00", HTTP_KIND_OTHER },
		{ "SSH-2.0-OpenSSH_9.2 Debian\r\n", HTTP_KIND_OTHER },
		{ "SSH-2.0-OpenSSH", HTTP_KIND_UNKNOWN },
		{ "", HTTP_KIND_UNKNOWN },
	};
	size_t	i;
	char	what[64];

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		snprintf(what, sizeof(what), "http_kind %zu", i);
		is_int(http_kind((const uint8_t *)k[i].p, strlen(k[i].p)),
		    k[i].kind, what);
	}
}

/* A script with TCP positions: each segment says which offset of the
 * other stream its sender had received (ack), gaps are lost bytes. */
struct aseg {
	int		 dir;
	const char	*p;
	size_t		 gap;
	uint64_t	 ack;
};

static void
run_acked(struct run *r, const struct aseg *segs, size_t nsegs,
    uint64_t *nunanswered)
{
	struct http_conn_cb	 cb = { r, on_exchange };
	struct http_conn	*hc;
	uint64_t		 off[2] = { 0, 0 };
	size_t			 i, n;

	memset(r, 0, sizeof(*r));
	hc = http_conn_new(&cb);
	for (i = 0; i < nsegs; i++) {
		n = strlen(segs[i].p);
		off[segs[i].dir] += segs[i].gap;
		http_conn_at(hc, segs[i].dir, off[segs[i].dir], segs[i].ack);
		http_conn_data(hc, segs[i].dir, (const uint8_t *)segs[i].p, n,
		    segs[i].gap, (i + 1) * 1000);
		off[segs[i].dir] += n;
	}
	*nunanswered = http_conn_nunanswered(hc);
	http_conn_close(hc, 0);
	http_conn_free(hc);
}

#define R200	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"	/* 40 */
#define R201	"HTTP/1.1 201 A\r\nContent-Length: 0\r\n\r\n"		/* 37 */
#define R202	"HTTP/1.1 202 B\r\nContent-Length: 0\r\n\r\n"		/* 37 */
#define Q(p)	"GET " p " HTTP/1.1\r\n\r\n"				/* 20 */

static void
t_lost_responses(void)
{
	/* Keep-alive: /2's response (40 bytes) is lost in a gap. */
	static const struct aseg serial[] = {
		{ 0, Q("/1"), 0, 0 },
		{ 1, R200, 0, 20 },
		{ 0, Q("/2"), 0, 40 },
		{ 0, Q("/3"), 0, 80 },
		{ 1, R201, 40, 60 },
		{ 0, Q("/4"), 0, 117 },
		{ 1, R202, 0, 80 },
	};
	/* Pipelined: requests sent before the responses, none lost. */
	static const struct aseg piped[] = {
		{ 0, Q("/1"), 0, 0 },
		{ 0, Q("/2"), 0, 0 },
		{ 0, Q("/3"), 0, 0 },
		{ 1, R200, 0, 60 },
		{ 1, R201, 0, 60 },
		{ 1, R202, 0, 60 },
	};
	/* A request sent while the response before it is half received. */
	static const struct aseg midresp[] = {
		{ 0, Q("/1"), 0, 0 },
		{ 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 0, 20 },
		{ 0, Q("/2"), 0, 38 },
		{ 1, "ok", 0, 40 },
		{ 1, R201, 0, 40 },
	};
	/* The lost bytes may hold more than one response. */
	static const struct aseg two_lost[] = {
		{ 0, Q("/1"), 0, 0 },
		{ 0, Q("/2"), 0, 40 },
		{ 0, Q("/3"), 0, 80 },
		{ 1, R201, 80, 60 },
	};
	struct run	r;
	uint64_t	nun;

	run_acked(&r, serial, NSEG(serial), &nun);
	is_int(r.nex, 4, "lost response: 4 exchanges");
	ok(r.ex[0].status == 200 && r.ex[1].status == 0 &&
	    r.ex[2].status == 201 && r.ex[3].status == 202,
	    "lost response: /2 unanswered, the later ones paired with "
	    "their own");
	ok(r.ex[1].has_request && !r.ex[1].has_response &&
	    r.ex[1].is_incomplete, "lost response: /2 marked incomplete");
	is_int(nun, 1, "lost response: counted");

	run_acked(&r, piped, NSEG(piped), &nun);
	ok(r.nex == 3 && r.ex[0].status == 200 && r.ex[1].status == 201 &&
	    r.ex[2].status == 202 && nun == 0,
	    "acks, pipelined: paired in order, nothing taken as lost");

	run_acked(&r, midresp, NSEG(midresp), &nun);
	ok(r.nex == 2 && r.ex[0].status == 200 && r.ex[1].status == 201 &&
	    nun == 0, "acks, request sent mid-response: nothing taken as "
	    "lost");

	run_acked(&r, two_lost, NSEG(two_lost), &nun);
	ok(r.nex == 3 && r.ex[0].status == 0 && r.ex[1].status == 0 &&
	    r.ex[2].status == 201 && nun == 2,
	    "acks, two responses lost together: both unanswered");
}

int
main(void)
{
	t_keepalive();
	t_pipelined();
	t_chunked_resp();
	t_chunked_req();
	t_continue();
	t_head_204_304();
	t_http10();
	t_orphans();
	t_big_line();
	t_many_headers();
	t_hostile();
	t_gaps();
	t_lost_responses();
	t_limits_and_errors();
	t_pipeline_max();
	t_kind();
	return done_testing();
}
