#include "config.h"

#include "dump/dump.h"

#include <arpa/inet.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "opts.h"
#include "sanitize.h"
#include "dump/json.h"
#include "model/capture.h"
#include "model/journey.h"
#include "model/sockets.h"
#include "model/trace.h"

#define DUMP_STR_MAX	512	/* source bytes of one external string shown */

/* --- shared ---------------------------------------------------------- */

static void
dump_iso8601(char *buf, size_t len, time_t t)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

/* Sanitized copy of an external string for the text report. */
static const char *
dump_safe(char *buf, size_t len, const char *s)
{
	tb_sanitize(buf, len, s, strlen(s), DUMP_STR_MAX, TB_SAN_UTF8);
	return buf;
}

/* Terminal columns of UTF-8 text: every byte but continuation bytes. */
static size_t
dump_width(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* s left-aligned in width columns (printf counts bytes, not columns). */
static void
dump_pad(FILE *fp, const char *s, size_t width)
{
	size_t	w;

	fputs(s, fp);
	for (w = dump_width(s); w < width; w++)
		fputc(' ', fp);
}

/* The trace pane ran: a trace, or a reason there is none yet. */
static int
dump_has_trace(const struct dump_ctx *ctx)
{
	return ctx->trace != NULL || ctx->trace_why != NULL;
}

static int
dump_is_address(const char *host)
{
	unsigned char	a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/* --- sockets, text --------------------------------------------------- */

struct dump_col {
	const char	*title;
	int		 width;		/* negative: left-aligned */
};

/* The group table, like mtr --report: widths fit the longest cell. */
enum {
	COL_REMOTE, COL_SIDE, COL_TOTAL, COL_TW, COL_EST, COL_OTHER,
	COL_PORTS, COL_PRESSURE, COL_NEWPS, COL_FULLIN, COL_LOCAL,
	COL_PROCESS, NCOLS
};

static const struct dump_col dump_cols[NCOLS] = {
	[COL_REMOTE] = { "REMOTE", -6 },
	[COL_SIDE] = { "SIDE", -6 },
	[COL_TOTAL] = { "TOTAL", 6 },
	[COL_TW] = { "TW", 6 },
	[COL_EST] = { "EST", 6 },
	[COL_OTHER] = { "OTHER", 6 },
	[COL_PORTS] = { "PORTS", 6 },
	[COL_PRESSURE] = { "PRESSURE", 8 },
	[COL_NEWPS] = { "NEW/S", 8 },
	[COL_FULLIN] = { "FULL-IN", 8 },
	[COL_LOCAL] = { "LOCAL", -5 },
	[COL_PROCESS] = { "PROCESS", -7 },
};

static void
dump_duration(char *buf, size_t len, double s)
{
	if (s < 0 || !isfinite(s))
		snprintf(buf, len, "-");
	else if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.0f d", s / 86400);
}

static void
dump_group_cells(const struct sockets_group *g,
    char cells[NCOLS][DUMP_STR_MAX * 4 + 32])
{
	const size_t	 len = DUMP_STR_MAX * 4 + 32;
	unsigned	 other;

	other = g->total - g->count[SOCK_ST_TIME_WAIT] -
	    g->count[SOCK_ST_ESTABLISHED];
	dump_safe(cells[COL_REMOTE], len, g->remote_str);
	dump_safe(cells[COL_LOCAL], len, g->local_str);
	snprintf(cells[COL_SIDE], len, "%s",
	    g->side == SOCK_SIDE_SERVER ? "server" : "client");
	snprintf(cells[COL_TOTAL], len, "%u", g->total);
	snprintf(cells[COL_TW], len, "%u", g->count[SOCK_ST_TIME_WAIT]);
	snprintf(cells[COL_EST], len, "%u", g->count[SOCK_ST_ESTABLISHED]);
	snprintf(cells[COL_OTHER], len, "%u", other);
	snprintf(cells[COL_PORTS], len, "%u", g->ports_used);
	snprintf(cells[COL_PRESSURE], len, "%.1f%%", g->port_pressure_pct);
	if (g->has_rates)
		snprintf(cells[COL_NEWPS], len, "%.1f", g->new_per_s);
	else
		snprintf(cells[COL_NEWPS], len, "-");
	dump_duration(cells[COL_FULLIN], len,
	    g->has_rates ? g->full_in_s : -1);
	/* TIME_WAIT sockets have no owner left (inode 0). */
	snprintf(cells[COL_PROCESS], len, "unknown");
	if (g->pid > 0) {
		char	comm[sizeof(g->comm) + 1];

		memcpy(comm, g->comm, sizeof(g->comm));
		comm[sizeof(g->comm)] = '\0';
		dump_safe(cells[COL_PROCESS], len - 16, comm);
		snprintf(cells[COL_PROCESS] + strlen(cells[COL_PROCESS]), 16,
		    "[%d]", g->pid);
	}
}

static void
dump_row(FILE *fp, char cells[NCOLS][DUMP_STR_MAX * 4 + 32],
    const int *widths)
{
	size_t	i, w, last;

	/* Pad up to the last non-empty cell only: no trailing blanks. */
	for (last = NCOLS - 1; last > 0 && cells[last][0] == '\0'; last--)
		;
	for (i = 0; i <= last; i++) {
		if (i > 0)
			fputs("  ", fp);
		if (widths[i] < 0)
			dump_pad(fp, cells[i], i == last ? 0 :
			    (size_t)-widths[i]);
		else {
			for (w = dump_width(cells[i]); w < (size_t)widths[i];
			    w++)
				fputc(' ', fp);
			fputs(cells[i], fp);
		}
	}
	fputc('\n', fp);
}

static void
dump_groups_text(FILE *fp, const struct sockets *s)
{
	static char	 cells[NCOLS][DUMP_STR_MAX * 4 + 32];
	int		 widths[NCOLS], w, sign;
	size_t		 i, c, n = sockets_ngroups(s);

	if (n == 0) {
		fputs("no remote groups\n", fp);
		return;
	}
	for (c = 0; c < NCOLS; c++)
		widths[c] = dump_cols[c].width;
	/* First pass sizes the columns, second prints. */
	for (i = 0; i < n; i++) {
		dump_group_cells(sockets_group_at(s, i), cells);
		for (c = 0; c < NCOLS; c++) {
			sign = widths[c] < 0 ? -1 : 1;
			w = (int)dump_width(cells[c]);
			if (w > widths[c] * sign)
				widths[c] = w * sign;
		}
	}
	for (c = 0; c < NCOLS; c++)
		snprintf(cells[c], sizeof(cells[c]), "%s", dump_cols[c].title);
	dump_row(fp, cells, widths);
	for (i = 0; i < n; i++) {
		dump_group_cells(sockets_group_at(s, i), cells);
		dump_row(fp, cells, widths);
	}
}

static void
dump_states_text(FILE *fp, const struct sockets_summary *sum)
{
	int	st;

	fprintf(fp, "%-14s %8s %10s\n", "STATE", "COUNT", "RATE/S");
	for (st = 1; st < SOCK_NSTATES; st++) {
		if (sum->count[st] == 0 &&
		    (!sum->has_rates || sum->rate[st] == 0))
			continue;
		fprintf(fp, "%-14s %8u", sockets_state_name(st),
		    sum->count[st]);
		if (sum->has_rates)
			fprintf(fp, " %+10.1f\n", sum->rate[st]);
		else
			fprintf(fp, " %10s\n", "-");
	}
	fprintf(fp, "%-14s %8u\n", "total", sum->total);
}

static void
dump_counter(FILE *fp, const char *what, int64_t v)
{
	if (v < 0)
		fprintf(fp, ", %s ?", what);
	else
		fprintf(fp, ", %s %lld", what, (long long)v);
}

static void
dump_tw_text(FILE *fp, const struct sockets_summary *sum)
{
	fputs("TIME_WAIT: ", fp);
	if (sum->has_rates)
		fprintf(fp, "new %.1f/s", sum->tw_new_per_s);
	else
		fputs("new ?/s", fp);
	if (sum->tw_max_buckets > 0)
		fprintf(fp, ", buckets %u/%ld (%.1f%%)",
		    sum->count[SOCK_ST_TIME_WAIT], sum->tw_max_buckets,
		    sum->tw_bucket_pct);
	dump_counter(fp, "overflow", sum->tw_overflow);
	dump_counter(fp, "abort-on-close", sum->abort_on_close);
	if (sum->tw_reuse >= 0)
		fprintf(fp, ", tw_reuse %d", sum->tw_reuse);
	fputc('\n', fp);
	fprintf(fp, "ephemeral ports %u-%u (%u)\n", sum->port_lo, sum->port_hi,
	    sum->nports);
}

/* The message names the remote; the kind is there for grep. */
static void
dump_alerts_text(FILE *fp, const struct sockets *s)
{
	const struct sockets_alert	*a;
	char				 kind[64];
	char				 msg[DUMP_STR_MAX * 4 + 32];
	size_t				 i, n = sockets_nalerts(s);

	fputs("ALERTS\n", fp);
	if (n == 0)
		fputs("  none\n", fp);
	for (i = 0; i < n; i++) {
		a = sockets_alert_at(s, i);
		fprintf(fp, "  %-8s  %s: %s\n",
		    a->severity == SOCK_ALERT_CRIT ? "critical" : "warning",
		    dump_safe(kind, sizeof(kind), a->kind),
		    dump_safe(msg, sizeof(msg), a->message));
	}
}

void
dump_sockets_text(FILE *fp, const struct sockets *s)
{
	const struct sockets_summary	*sum = sockets_summary(s);

	dump_states_text(fp, sum);
	fputc('\n', fp);
	dump_tw_text(fp, sum);
	fputc('\n', fp);
	dump_alerts_text(fp, s);
	fputc('\n', fp);
	dump_groups_text(fp, s);
	if (sum->groups_dropped > 0 || sum->parse_errors > 0)
		fprintf(fp, "\n%u sockets in groups over the cap of %d, "
		    "%u malformed netlink messages\n", sum->groups_dropped,
		    SOCK_MAX_GROUPS, sum->parse_errors);
}

/* The http pane ran, or was asked for and could not capture. */
static int
dump_has_http(const struct dump_ctx *ctx)
{
	return ctx->capture != NULL || ctx->capture_why != NULL;
}

void
dump_text_title(FILE *fp, const struct dump_ctx *ctx)
{
	char	started[32], target[256];

	dump_iso8601(started, sizeof(started), ctx->started);
	fprintf(fp, "tubes %s \xe2\x80\x94 %s%s%s%sreport", PACKAGE_VERSION,
	    ctx->dns != NULL ? "dns " : "",
	    dump_has_trace(ctx) ? "trace " : "",
	    dump_has_http(ctx) ? "http " : "",
	    ctx->sockets != NULL ? "sockets " : "");
	if (ctx->opts != NULL && ctx->opts->ntargets > 0)
		fprintf(fp, " for %s", dump_safe(target, sizeof(target),
		    ctx->opts->targets[0].input));
	/* A report of a file is begun before it is read: no duration. */
	if (ctx->capture == NULL || capture_is_live(ctx->capture))
		fprintf(fp, ", started %s, sampled %.1f s\n\n", started,
		    (double)ctx->duration_ms / 1000);
	else
		fprintf(fp, ", started %s\n\n", started);
}

int
dump_text(FILE *fp, const struct dump_ctx *ctx)
{
	/* A streamed report has its title and exchanges out already. */
	if (ctx->stream == NULL)
		dump_text_title(fp, ctx);
	if (dump_has_http(ctx)) {
		dump_http_text(fp, ctx);
		if (ctx->dns != NULL || ctx->sockets != NULL ||
		    dump_has_trace(ctx))
			fputc('\n', fp);
	}
	if (ctx->dns != NULL) {
		dump_dns_text(fp, ctx->dns);
		if (ctx->sockets != NULL || dump_has_trace(ctx))
			fputc('\n', fp);
	}
	if (dump_has_trace(ctx)) {
		dump_trace_text(fp, ctx);
		if (ctx->sockets != NULL)
			fputc('\n', fp);
	}
	if (ctx->sockets != NULL)
		dump_sockets_text(fp, ctx->sockets);
	if (ctx->fetch != NULL) {
		fputc('\n', fp);
		dump_fetch_text(fp, ctx->fetch);
	}
	if (ctx->journey != NULL && ctx->journey->has_target) {
		fputc('\n', fp);
		dump_journey_text(fp, ctx);
	}
	return fflush(fp) == EOF || ferror(fp) ? -1 : 0;
}

/* --- sockets, JSON --------------------------------------------------- */

static void
dump_states_json(struct json *j, const unsigned *count)
{
	int	st;

	json_obj_open(j);
	for (st = 1; st < SOCK_NSTATES; st++)
		if (count[st] > 0)
			json_kint(j, sockets_state_name(st), count[st]);
	json_obj_close(j);
}

/* A number when known, else null. */
static void
dump_knum_if(struct json *j, const char *k, int is_known, double v, int dec)
{
	json_key(j, k);
	if (is_known)
		json_num(j, v, dec);
	else
		json_null(j);
}

static void
dump_group_json(struct json *j, const struct sockets_group *g)
{
	json_obj_open(j);
	json_kstr(j, "remote", g->remote_str);
	json_kstr(j, "local", g->local_str);
	json_kstr(j, "side", g->side == SOCK_SIDE_SERVER ? "server" : "client");
	json_key(j, "states");
	dump_states_json(j, g->count);
	json_kint(j, "total", g->total);
	json_kint(j, "ephemeral_ports_used", g->ports_used);
	json_knum(j, "port_pressure_pct", g->port_pressure_pct, 2);
	dump_knum_if(j, "new_per_s", g->has_rates, g->new_per_s, 1);
	dump_knum_if(j, "growth_per_s", g->has_rates, g->growth_per_s, 1);
	dump_knum_if(j, "full_in_s", g->has_rates && g->full_in_s >= 0,
	    g->full_in_s, 1);
	json_key(j, "process");
	if (g->pid > 0) {
		json_obj_open(j);
		json_kint(j, "pid", g->pid);
		json_key(j, "name");
		json_strn(j, g->comm, strnlen(g->comm, sizeof(g->comm)));
		json_obj_close(j);
	} else
		json_null(j);
	json_obj_close(j);
}

static void
dump_alert_json(struct json *j, const struct sockets_alert *a)
{
	json_obj_open(j);
	json_kstr(j, "kind", a->kind);
	json_kstr(j, "severity",
	    a->severity == SOCK_ALERT_CRIT ? "critical" : "warning");
	json_kstr(j, "remote", a->remote[0] != '\0' ? a->remote : NULL);
	json_kstr(j, "message", a->message);
	json_obj_close(j);
}

/* A kernel counter, or null when it could not be read. */
static void
dump_kcounter(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	if (v < 0)
		json_null(j);
	else
		json_int(j, v);
}

static void
dump_tw_json(struct json *j, const struct sockets_summary *sum)
{
	json_key(j, "time_wait");
	json_obj_open(j);
	json_kint(j, "count", sum->count[SOCK_ST_TIME_WAIT]);
	dump_knum_if(j, "new_per_s", sum->has_rates, sum->tw_new_per_s, 1);
	dump_kcounter(j, "max_buckets", sum->tw_max_buckets);
	dump_knum_if(j, "bucket_pct", sum->tw_max_buckets > 0,
	    sum->tw_bucket_pct, 2);
	dump_kcounter(j, "overflow", sum->tw_overflow);
	dump_knum_if(j, "overflow_per_s", sum->has_rates &&
	    sum->tw_overflow >= 0, sum->tw_overflow_per_s, 1);
	dump_kcounter(j, "abort_on_close", sum->abort_on_close);
	dump_knum_if(j, "abort_on_close_per_s", sum->has_rates &&
	    sum->abort_on_close >= 0, sum->abort_on_close_per_s, 1);
	dump_kcounter(j, "tw_reuse", sum->tw_reuse);
	json_obj_close(j);
}

static void
dump_rates_json(struct json *j, const struct sockets_summary *sum)
{
	int	st;

	json_key(j, "rates_per_s");
	if (!sum->has_rates) {
		json_null(j);
		return;
	}
	json_obj_open(j);
	for (st = 1; st < SOCK_NSTATES; st++)
		if (sum->count[st] > 0 || sum->rate[st] != 0)
			json_knum(j, sockets_state_name(st), sum->rate[st], 1);
	json_obj_close(j);
}

void
dump_sockets_json(struct json *j, const struct sockets *s)
{
	const struct sockets_summary	*sum = sockets_summary(s);
	size_t				 i, n;

	json_obj_open(j);
	json_key(j, "ephemeral_range");
	json_arr_open(j);
	json_int(j, sum->port_lo);
	json_int(j, sum->port_hi);
	json_arr_close(j);
	json_key(j, "states");
	dump_states_json(j, sum->count);
	json_kint(j, "total", sum->total);
	dump_rates_json(j, sum);
	json_key(j, "remotes");
	json_arr_open(j);
	for (i = 0, n = sockets_ngroups(s); i < n; i++)
		dump_group_json(j, sockets_group_at(s, i));
	json_arr_close(j);
	json_key(j, "alerts");
	json_arr_open(j);
	for (i = 0, n = sockets_nalerts(s); i < n; i++)
		dump_alert_json(j, sockets_alert_at(s, i));
	json_arr_close(j);
	dump_tw_json(j, sum);
	json_kint(j, "groups_dropped", sum->groups_dropped);
	json_kint(j, "parse_errors", sum->parse_errors);
	json_knum(j, "refresh_ms", (double)sum->refresh_us / 1000, 3);
	json_obj_close(j);
}

static void
dump_target_json(struct json *j, const struct tb_target *t,
    const struct dump_ctx *ctx)
{
	json_key(j, "target");
	json_obj_open(j);
	json_kstr(j, "input", t->input);
	json_kstr(j, "host", t->host);
	/* A name's address: the one resolved for the journey, else the one
	 * the trace used. */
	json_kstr(j, "address", ctx->target_address != NULL ?
	    ctx->target_address : dump_is_address(t->host) ? t->host :
	    ctx->trace != NULL ? trace_target_str(ctx->trace) : NULL);
	json_key(j, "port");
	if (t->port > 0)
		json_int(j, t->port);
	else
		json_null(j);
	json_obj_close(j);
}

void
dump_json_head(struct json *j, const struct dump_ctx *ctx)
{
	char	started[32];

	dump_iso8601(started, sizeof(started), ctx->started);
	json_kstr(j, "tubes", PACKAGE_VERSION);
	json_kstr(j, "started", started);
}

int
dump_json(FILE *fp, const struct dump_ctx *ctx)
{
	struct json	*j;

	/*
	 * A streamed report (--dump -r) has its head and "http" with its
	 * exchanges out already; the rest follows (key order does not
	 * matter in JSON).
	 */
	if (ctx->stream != NULL) {
		j = dump_stream_json(ctx->stream);
		dump_stream_http_end(ctx->stream);
	} else {
		j = json_new(fp, 1);
		json_obj_open(j);
		dump_json_head(j, ctx);
	}
	json_kint(j, "duration_ms", (int64_t)ctx->duration_ms);
	if (ctx->opts != NULL && ctx->opts->ntargets > 0)
		dump_target_json(j, &ctx->opts->targets[0], ctx);
	if (ctx->dns != NULL) {
		json_key(j, "dns");
		dump_dns_json(j, ctx->dns);
	}
	if (dump_has_trace(ctx)) {
		json_key(j, "trace");
		dump_trace_json(j, ctx);
	}
	if (ctx->stream == NULL && dump_has_http(ctx)) {
		json_key(j, "http");
		dump_http_json(j, ctx);
	}
	if (ctx->sockets != NULL) {
		json_key(j, "sockets");
		dump_sockets_json(j, ctx->sockets);
	}
	if (ctx->fetch != NULL) {
		json_key(j, "fetch");
		dump_fetch_json(j, ctx->fetch);
	}
	if (ctx->journey != NULL && ctx->journey->has_target) {
		json_key(j, "journey");
		dump_journey_json(j, ctx->journey);
	}
	json_obj_close(j);
	return json_free(j);
}
