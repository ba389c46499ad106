/*
 * The HTTP part of the headless report: one aligned line per exchange and
 * a TLS section in text, the "http" JSON object of DESIGN.md.  With -r the
 * exchanges are streamed as the capture finds them (dump_stream_begin), so
 * a file of any size is reported whole in bounded memory; the same
 * functions write the ring of a live capture at the end.
 */
#include "config.h"

#include "dump/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opts.h"
#include "sanitize.h"
#include "xmalloc.h"
#include "dump/json.h"
#include "model/capture.h"
#include "model/dns.h"

#define DUMP_HTTP_STR_MAX	256	/* source bytes shown per text cell */
#define DUMP_HTTP_BUF		TB_SAN_BOUND(DUMP_HTTP_STR_MAX)

struct dump_stream {
	FILE		*fp;
	struct json	*j;
	int		 is_json;
	struct capture	*capture;
};

/* The DNS engine whose names give "server_name" (the report's, or NULL);
 * one report at a time, as the exchanges' writers take no context. */
static const struct dns	*http_names_dns;

/* "server_name": the name DNS gave the server's address, or null. */
static void
http_kserver_name(struct json *j, const char *server)
{
	char		 addr[CAPTURE_ADDRSTRLEN];
	const char	*p = server, *end;
	const char	*name = NULL;
	size_t		 n;

	if (http_names_dns != NULL && server != NULL) {
		if (*p == '[') {
			p++;
			end = strchr(p, ']');
		} else
			end = strrchr(p, ':');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n < sizeof(addr)) {
			memcpy(addr, p, n);
			addr[n] = '\0';
			name = dns_name_of(http_names_dns, addr);
		}
	}
	json_key(j, "server_name");
	if (name != NULL)
		json_str_escaped(j, name);
	else
		json_null(j);
}

/* "2026-11-27T05:00:00.123Z" from µs since the epoch. */
static void
http_iso8601_ms(char *buf, size_t len, uint64_t us)
{
	struct tm	tm;
	time_t		t = (time_t)(us / 1000000);
	size_t		n;

	if (gmtime_r(&t, &tm) == NULL ||
	    (n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf + n, len - n, ".%03uZ", (unsigned)(us / 1000 % 1000));
}

/* "http/1.1" from the request's "HTTP/1.1"; h2c for the preface. */
static const char *
http_kind_str(const struct capture_exchange *ex)
{
	if (ex->kind == CAPTURE_KIND_H2C)
		return "h2c";
	if (ex->version != NULL && strcmp(ex->version, "HTTP/1.0") == 0)
		return "http/1.0";
	return "http/1.1";
}

/* Which half is missing: a request never answered, or the reverse. */
static const char *
http_orphan(const struct capture_exchange *ex)
{
	if (ex->kind == CAPTURE_KIND_H2C)
		return NULL;
	if (!ex->has_request)
		return "response";
	if (ex->status == 0)
		return "request";
	return NULL;
}

static void
http_knum_or_null(struct json *j, const char *k, double v)
{
	json_key(j, k);
	if (v < 0)
		json_null(j);
	else
		json_num(j, v, 3);
}

/* Sizes are unknown after a gap: null, never a guess. */
static void
http_kbytes(struct json *j, const char *k, int is_known, uint64_t v)
{
	json_key(j, k);
	if (is_known)
		json_uint(j, v);
	else
		json_null(j);
}

void
dump_http_exchange_json(struct json *j, const struct capture_exchange *ex)
{
	char	started[40];

	http_iso8601_ms(started, sizeof(started), ex->started_us);
	json_obj_open(j);
	json_kstr(j, "client", ex->client);
	json_kstr(j, "server", ex->server);
	http_kserver_name(j, ex->server);
	json_kstr(j, "kind", http_kind_str(ex));
	json_kstr(j, "method", ex->method);
	json_kstr(j, "host", ex->host);
	json_kstr(j, "path", ex->path);
	json_kstr(j, "version", ex->version);
	json_key(j, "status");
	if (ex->status != 0)
		json_int(j, ex->status);
	else
		json_null(j);
	json_kstr(j, "reason", ex->reason);
	json_kint(j, "interim", ex->ninterim);
	http_kbytes(j, "request_bytes", ex->has_request &&
	    !ex->is_incomplete && ex->kind != CAPTURE_KIND_H2C, ex->req_bytes);
	http_kbytes(j, "response_bytes", ex->has_response &&
	    !ex->is_incomplete && ex->kind != CAPTURE_KIND_H2C,
	    ex->resp_bytes);
	json_kstr(j, "content_type", ex->content_type);
	http_knum_or_null(j, "latency_ms", ex->latency_ms);
	http_knum_or_null(j, "total_ms", ex->total_ms);
	json_kstr(j, "started", started);
	json_key(j, "truncated");
	json_bool(j, ex->is_truncated);
	json_key(j, "incomplete");
	json_bool(j, ex->is_incomplete);
	json_kstr(j, "orphan", http_orphan(ex));
	json_obj_close(j);
}

void
dump_http_tls_json(struct json *j, const struct capture_tls *t)
{
	char	started[40];

	http_iso8601_ms(started, sizeof(started), t->started_us);
	json_obj_open(j);
	json_kstr(j, "client", t->client);
	json_kstr(j, "server", t->server);
	http_kserver_name(j, t->server);
	json_kstr(j, "sni", t->sni);
	json_kstr(j, "alpn", t->alpn);
	json_kstr(j, "version", t->version);
	json_kstr(j, "started", started);
	json_obj_close(j);
}

/* "http": { ... "exchanges": [ -- left open for the exchanges. */
static void
http_json_begin(struct json *j, const struct capture *c)
{
	json_obj_open(j);
	json_kstr(j, "source", capture_source(c));
	json_key(j, "live");
	json_bool(j, capture_is_live(c));
	json_key(j, "exchanges");
	json_arr_open(j);
}

/*
 * Closes the exchanges and writes the rest.  JSON key order does not
 * matter: with -r the counters come after the streamed exchanges because
 * they are only known at the end.
 */
static void
http_json_end(struct json *j, const struct capture *c)
{
	const struct capture_stats	*st = capture_stats(c);
	size_t				 i, n;

	json_arr_close(j);
	json_key(j, "tls");
	json_arr_open(j);
	for (i = 0, n = capture_ntls(c); i < n; i++)
		dump_http_tls_json(j, capture_tls_at(c, i));
	json_arr_close(j);
	json_key(j, "packets");
	json_uint(j, st->packets);
	json_key(j, "bytes");
	json_uint(j, st->bytes);
	json_key(j, "dropped");
	json_uint(j, st->dropped);
	json_key(j, "skipped");
	json_uint(j, st->skipped);
	json_key(j, "flows");
	json_uint(j, st->flows);
	json_key(j, "flows_evicted");
	json_uint(j, st->flows_evicted);
	json_key(j, "exchanges_total");
	json_uint(j, st->exchanges);
	json_key(j, "exchanges_dropped");
	json_uint(j, st->exchanges_dropped);
	json_key(j, "h2c");
	json_uint(j, st->h2c);
	json_key(j, "tls_total");
	json_uint(j, st->tls);
	json_key(j, "dns_passive");
	json_uint(j, st->dns_passive);
	json_key(j, "conns_dropped");
	json_uint(j, st->conns_dropped);
	json_kstr(j, "error", capture_error(c));
	json_obj_close(j);
}

void
dump_http_json(struct json *j, const struct dump_ctx *ctx)
{
	const struct capture	*c = ctx->capture;
	size_t			 i, n;

	http_names_dns = ctx->dns;
	if (c == NULL) {
		json_obj_open(j);
		json_kstr(j, "error", ctx->capture_why != NULL ?
		    ctx->capture_why : "no capture");
		json_obj_close(j);
		return;
	}
	http_json_begin(j, c);
	for (i = 0, n = capture_nexchanges(c); i < n; i++)
		dump_http_exchange_json(j, capture_exchange_at(c, i));
	http_json_end(j, c);
}

/* --- text ------------------------------------------------------------- */

static const char *
http_safe(char *buf, size_t len, const char *s)
{
	if (s == NULL)
		s = "-";
	tb_sanitize(buf, len, s, strlen(s), DUMP_HTTP_STR_MAX, TB_SAN_UTF8);
	return buf;
}

static void
http_size(char *buf, size_t len, int is_known, uint64_t v)
{
	if (!is_known)
		snprintf(buf, len, "?");
	else if (v < 10000)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else if (v < 10000 * 1024)
		snprintf(buf, len, "%.1fk", (double)v / 1024);
	else
		snprintf(buf, len, "%.1fM", (double)v / (1024 * 1024));
}

static void
http_text_head(FILE *fp)
{
	fprintf(fp, "%-12s  %-47s  %-7s  %-40s  %6s  %10s  %15s  %s\n",
	    "TIME", "CLIENT -> SERVER", "METHOD", "HOST+PATH", "STATUS",
	    "LATENCY", "REQ/RESP", "TYPE");
}

void
dump_http_exchange_text(FILE *fp, const struct capture_exchange *ex)
{
	static char	 host[DUMP_HTTP_BUF], path[DUMP_HTTP_BUF];
	static char	 method[DUMP_HTTP_BUF], ctype[DUMP_HTTP_BUF];
	char		 when[40], ends[2 * CAPTURE_ADDRSTRLEN + 8];
	char		 hp[2 * DUMP_HTTP_BUF], status[32], lat[32];
	char		 req[16], resp[16], sizes[40];
	const char	*orphan = http_orphan(ex);

	http_iso8601_ms(when, sizeof(when), ex->started_us);
	snprintf(ends, sizeof(ends), "%s -> %s", ex->client, ex->server);
	if (ex->kind == CAPTURE_KIND_H2C)
		snprintf(method, sizeof(method), "h2c");
	else
		http_safe(method, sizeof(method), ex->method);
	snprintf(hp, sizeof(hp), "%s%s",
	    ex->host != NULL ? http_safe(host, sizeof(host), ex->host) : "",
	    http_safe(path, sizeof(path), ex->path));
	if (ex->status != 0)
		snprintf(status, sizeof(status), "%d", ex->status);
	else
		snprintf(status, sizeof(status), "-");
	if (ex->latency_ms >= 0)
		snprintf(lat, sizeof(lat), "%.1f ms", ex->latency_ms);
	else
		snprintf(lat, sizeof(lat), "-");
	http_size(req, sizeof(req), ex->has_request && !ex->is_incomplete,
	    ex->req_bytes);
	http_size(resp, sizeof(resp), ex->has_response && !ex->is_incomplete,
	    ex->resp_bytes);
	snprintf(sizes, sizeof(sizes), "%s/%s", req, resp);
	/* The time of day is enough on a line; the date is in the JSON. */
	fprintf(fp, "%-12.12s  %-47s  %-7s  %-40s  %6s  %10s  %15s  %s",
	    when + 11, ends, method, hp, status, lat, sizes,
	    http_safe(ctype, sizeof(ctype), ex->content_type));
	if (ex->ninterim > 0)
		fprintf(fp, "  (%u interim)", ex->ninterim);
	if (ex->is_truncated)
		fputs("  truncated", fp);
	if (ex->is_incomplete)
		fputs("  incomplete", fp);
	if (orphan != NULL)
		fprintf(fp, "  orphan %s", orphan);
	fputc('\n', fp);
}

static void
http_text_end(FILE *fp, const struct capture *c)
{
	const struct capture_stats	*st = capture_stats(c);
	const struct capture_tls	*t;
	char				 sni[DUMP_HTTP_BUF];
	char				 alpn[DUMP_HTTP_BUF];
	char				 ver[DUMP_HTTP_BUF];
	size_t				 i, n;

	if (st->exchanges == 0)
		fputs("no HTTP exchanges\n", fp);
	fputs("\nTLS\n", fp);
	if ((n = capture_ntls(c)) == 0)
		fputs("  none\n", fp);
	for (i = 0; i < n; i++) {
		t = capture_tls_at(c, i);
		fprintf(fp, "  %s -> %s  %-30s  %-8s  alpn %s\n", t->client,
		    t->server, t->sni != NULL ? http_safe(sni, sizeof(sni),
		    t->sni) : "(no SNI)", http_safe(ver, sizeof(ver),
		    t->version),
		    http_safe(alpn, sizeof(alpn), t->alpn));
	}
	fprintf(fp, "\n%s: %llu packets, %llu dropped, %llu skipped, %llu "
	    "flows (%llu evicted), %llu exchanges, %llu TLS, %llu h2c\n",
	    capture_is_live(c) ? "live" : "file",
	    (unsigned long long)st->packets, (unsigned long long)st->dropped,
	    (unsigned long long)st->skipped, (unsigned long long)st->flows,
	    (unsigned long long)st->flows_evicted,
	    (unsigned long long)st->exchanges, (unsigned long long)st->tls,
	    (unsigned long long)st->h2c);
	if (capture_error(c) != NULL)
		fprintf(fp, "error: %s\n", http_safe(sni, sizeof(sni),
		    capture_error(c)));
}

static void
http_text_begin(FILE *fp, const struct capture *c)
{
	char	src[DUMP_HTTP_BUF];

	fprintf(fp, "HTTP (%s %s)\n", capture_is_live(c) ? "interface" :
	    "file", http_safe(src, sizeof(src), capture_source(c)));
	http_text_head(fp);
}

void
dump_http_text(FILE *fp, const struct dump_ctx *ctx)
{
	const struct capture	*c = ctx->capture;
	char			 why[DUMP_HTTP_BUF];
	size_t			 i, n;

	if (ctx->stream != NULL) {
		dump_stream_http_end(ctx->stream);
		http_text_end(fp, c);
		return;
	}
	if (c == NULL) {
		fprintf(fp, "HTTP\n%s\n", http_safe(why, sizeof(why),
		    ctx->capture_why != NULL ? ctx->capture_why :
		    "no capture"));
		return;
	}
	http_text_begin(fp, c);
	for (i = 0, n = capture_nexchanges(c); i < n; i++)
		dump_http_exchange_text(fp, capture_exchange_at(c, i));
	http_text_end(fp, c);
}

/* --- streaming (--dump -r) --------------------------------------------- */

static void
stream_on_exchange(void *arg, const struct capture_exchange *ex)
{
	struct dump_stream	*s = arg;

	if (s->is_json)
		dump_http_exchange_json(s->j, ex);
	else
		dump_http_exchange_text(s->fp, ex);
}

struct dump_stream *
dump_stream_begin(FILE *fp, const struct dump_ctx *ctx, struct capture *c)
{
	struct dump_stream	*s;
	struct capture_sink	 sink;

	s = xcalloc(1, sizeof(*s));
	s->fp = fp;
	s->capture = c;
	s->is_json = ctx->opts != NULL && ctx->opts->is_json;
	http_names_dns = ctx->dns;
	if (s->is_json) {
		s->j = json_new(fp, 1);
		json_obj_open(s->j);
		dump_json_head(s->j, ctx);
		json_key(s->j, "http");
		http_json_begin(s->j, c);
	} else {
		dump_text_title(fp, ctx);
		http_text_begin(fp, c);
	}
	memset(&sink, 0, sizeof(sink));
	sink.arg = s;
	sink.on_exchange = stream_on_exchange;
	capture_set_sink(c, &sink);
	return s;
}

struct json *
dump_stream_json(struct dump_stream *s)
{
	return s->j;
}

/* The exchanges array is closed and the rest of "http" written. */
void
dump_stream_http_end(struct dump_stream *s)
{
	capture_set_sink(s->capture, NULL);
	if (s->is_json)
		http_json_end(s->j, s->capture);
}

void
dump_stream_free(struct dump_stream *s)
{
	free(s);
}
