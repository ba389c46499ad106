/*
 * The journey part of the headless report: the request's timeline
 * (journey_compute's struct) and what --fetch did, in text and as the
 * "journey" and "fetch" JSON objects of DESIGN.md.
 */
#include "config.h"

#include "dump/dump.h"

#include <string.h>

#include "opts.h"
#include "sanitize.h"
#include "dump/json.h"
#include "model/fetch.h"
#include "model/journey.h"

#define DUMP_FETCH_REQS		100	/* requests listed; all counted */

static double
span_ms(uint64_t from_us, uint64_t to_us)
{
	if (from_us == 0 || to_us == 0 || to_us < from_us)
		return -1;
	return (double)(to_us - from_us) / 1000;
}

/* --- text ------------------------------------------------------------- */

static void
text_step(FILE *fp, const char *what, double ms)
{
	if (ms < 0)
		fprintf(fp, "  %-12s %10s\n", what, "-");
	else
		fprintf(fp, "  %-12s %7.3f ms\n", what, ms);
}

void
dump_journey_text(FILE *fp, const struct dump_ctx *ctx)
{
	const struct journey	*j = ctx->journey;
	char			 host[TB_SAN_BOUND(256)];
	char			 addr[TB_SAN_BOUND(64)];

	fputs("JOURNEY\n", fp);
	tb_sanitize_str(host, sizeof(host), j->host);
	tb_sanitize_str(addr, sizeof(addr), j->address);
	fprintf(fp, "  %-12s %s -> %s port %d\n", "target", host,
	    addr[0] != '\0' ? addr : "(no address)", j->port);
	text_step(fp, "dns", j->dns_ms);
	text_step(fp, "connect", j->connect_ms);
	text_step(fp, "first byte", j->first_byte_ms);
	text_step(fp, "transfer", j->transfer_ms);
	text_step(fp, "close", j->close_ms);
	text_step(fp, "total", j->total_ms);
	fprintf(fp, "  %-12s ", "TIME_WAIT");
	if (j->time_wait_left_ms >= 0)
		fprintf(fp, "%ld s left", (j->time_wait_left_ms + 999) / 1000);
	else
		fputs("-", fp);
	if (j->time_wait_now >= 0)
		fprintf(fp, " (%ld sockets to the target now)",
		    j->time_wait_now);
	fputc('\n', fp);
	fprintf(fp, "  %-12s %s", "source", j->source != NULL ? j->source :
	    "none yet");
	if (j->status > 0)
		fprintf(fp, ", status %d", j->status);
	fputc('\n', fp);
}

static void
text_ms_cell(FILE *fp, double ms)
{
	if (ms < 0)
		fprintf(fp, "  %10s", "-");
	else
		fprintf(fp, "  %10.3f", ms);
}

static void
text_req(FILE *fp, const struct fetch_req *q)
{
	char	local[TB_SAN_BOUND(64)];
	char	status[32];

	tb_sanitize_str(local, sizeof(local), q->local);
	if (q->error != 0)
		snprintf(status, sizeof(status), "%s", strerror(q->error));
	else if (!q->is_done)
		snprintf(status, sizeof(status), "pending");
	else if (q->status > 0)
		snprintf(status, sizeof(status), "%d", q->status);
	else
		snprintf(status, sizeof(status), "ok");
	fprintf(fp, "%6llu  %-24s  %-6s", (unsigned long long)q->seq,
	    local[0] != '\0' ? local : "-", q->is_reused ? "reused" : "new");
	text_ms_cell(fp, q->is_reused ? 0 : span_ms(q->start_us,
	    q->connected_us));
	text_ms_cell(fp, span_ms(q->sent_us, q->first_byte_us));
	text_ms_cell(fp, span_ms(q->first_byte_us, q->last_byte_us));
	fprintf(fp, "  %10llu  %s\n", (unsigned long long)q->resp_bytes,
	    status);
}

void
dump_fetch_text(FILE *fp, const struct fetch *f)
{
	const struct fetch_stats	*st = fetch_stats(f);
	char				 err[TB_SAN_BOUND(256)];
	size_t				 i, n = fetch_nreqs(f);

	fputs("FETCH\n", fp);
	fprintf(fp, "%ld requests: %ld done, %ld failed; connections %ld "
	    "opened, %ld reused, %ld closed by us\n", st->started, st->done,
	    st->failed, st->conns_opened, st->conns_reused, st->conns_closed);
	if (fetch_error(f) != NULL) {
		tb_sanitize_str(err, sizeof(err), fetch_error(f));
		fprintf(fp, "error: %s\n", err);
	}
	if (n == 0)
		return;
	fprintf(fp, "\n%6s  %-24s  %-6s  %10s  %10s  %10s  %10s  %s\n", "SEQ",
	    "LOCAL", "CONN", "CONNECT", "FIRST-BYTE", "TRANSFER", "BYTES",
	    "STATUS");
	for (i = 0; i < n && i < DUMP_FETCH_REQS; i++)
		text_req(fp, fetch_req_at(f, i));
	if (n > DUMP_FETCH_REQS)
		fprintf(fp, "(%zu more requests not listed)\n",
		    n - DUMP_FETCH_REQS);
}

/* --- JSON ------------------------------------------------------------- */

static void
json_ms(struct json *j, const char *k, double ms)
{
	json_key(j, k);
	if (ms < 0)
		json_null(j);
	else
		json_num(j, ms, 3);
}

void
dump_journey_json(struct json *j, const struct journey *jr)
{
	json_obj_open(j);
	json_ms(j, "dns_ms", jr->dns_ms);
	json_ms(j, "connect_ms", jr->connect_ms);
	json_ms(j, "first_byte_ms", jr->first_byte_ms);
	json_ms(j, "transfer_ms", jr->transfer_ms);
	json_ms(j, "total_ms", jr->total_ms);
	json_ms(j, "close_ms", jr->close_ms);
	json_key(j, "time_wait_left_ms");
	if (jr->time_wait_left_ms >= 0)
		json_int(j, jr->time_wait_left_ms);
	else
		json_null(j);
	json_key(j, "time_wait_now");
	if (jr->time_wait_now >= 0)
		json_int(j, jr->time_wait_now);
	else
		json_null(j);
	json_key(j, "status");
	if (jr->status > 0)
		json_int(j, jr->status);
	else
		json_null(j);
	json_kstr(j, "source", jr->source);
	json_key(j, "complete");
	json_bool(j, jr->is_complete);
	json_obj_close(j);
}

static void
json_req(struct json *j, const struct fetch_req *q)
{
	json_obj_open(j);
	json_kint(j, "seq", (int64_t)q->seq);
	json_kstr(j, "local", q->local[0] != '\0' ? q->local : NULL);
	json_key(j, "reused");
	json_bool(j, q->is_reused);
	json_key(j, "done");
	json_bool(j, q->is_done);
	json_key(j, "status");
	if (q->status > 0)
		json_int(j, q->status);
	else
		json_null(j);
	json_kstr(j, "error", q->error != 0 ? strerror(q->error) : NULL);
	json_ms(j, "connect_ms", q->is_reused ? 0 : span_ms(q->start_us,
	    q->connected_us));
	json_ms(j, "first_byte_ms", span_ms(q->sent_us, q->first_byte_us));
	json_ms(j, "transfer_ms", span_ms(q->first_byte_us, q->last_byte_us));
	json_ms(j, "total_ms", span_ms(q->start_us, q->last_byte_us));
	json_key(j, "response_bytes");
	json_uint(j, q->resp_bytes);
	json_key(j, "closed");
	json_bool(j, q->closed_us != 0);
	json_obj_close(j);
}

void
dump_fetch_json(struct json *j, const struct fetch *f)
{
	const struct fetch_stats	*st = fetch_stats(f);
	size_t				 i, n = fetch_nreqs(f);

	json_obj_open(j);
	json_kint(j, "started", st->started);
	json_kint(j, "done", st->done);
	json_kint(j, "failed", st->failed);
	json_kint(j, "connections_opened", st->conns_opened);
	json_kint(j, "connections_reused", st->conns_reused);
	json_kint(j, "connections_closed", st->conns_closed);
	json_kstr(j, "error", fetch_error(f));
	json_kint(j, "requests_listed", (int64_t)(n < DUMP_FETCH_REQS ? n :
	    DUMP_FETCH_REQS));
	json_key(j, "requests");
	json_arr_open(j);
	for (i = 0; i < n && i < DUMP_FETCH_REQS; i++)
		json_req(j, fetch_req_at(f, i));
	json_arr_close(j);
	json_obj_close(j);
}
