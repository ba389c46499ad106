/*
 * The trace part of the headless report: a hop table aligned like
 * mtr --report (full IPv6 addresses, several responders per hop on their
 * own lines, notes in words), and the "trace" JSON object of DESIGN.md.
 */
#include "config.h"

#include "dump/dump.h"

#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "sanitize.h"
#include "dump/json.h"
#include "model/icmp_parse.h"
#include "model/trace.h"

#define DT_NAME_MAX	256	/* source bytes of a name shown */
#define DT_CELL		(DT_NAME_MAX * 4 + 128)
#define DT_NOTE		512

static const char *const dt_protos[] = { "icmp", "udp", "tcp" };

static const char *
dt_proto(const struct dump_ctx *ctx)
{
	if (ctx->trace != NULL)
		return trace_protocol_str(ctx->trace);
	if (ctx->opts != NULL && ctx->opts->proto >= 0 &&
	    ctx->opts->proto < 3)
		return dt_protos[ctx->opts->proto];
	return "icmp";
}

/* The responder's words: unreachable, MPLS labels, flows, the target. */
static void
dt_resp_notes(char *buf, size_t len, const struct trace_responder *r,
    int is_ecmp)
{
	const char	*u;
	size_t		 n = 0, i;

	buf[0] = '\0';
	/* A port unreachable from the target is how UDP traces end. */
	if ((u = trace_unreach_str(r->unreach)) != NULL && !r->is_target)
		n += (size_t)snprintf(buf + n, len - n, "%s; ", u);
	else if (u != NULL && r->unreach != ICMP_R_PORT)
		n += (size_t)snprintf(buf + n, len - n, "target: %s; ", u);
	for (i = 0; i < r->nmpls && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%u%s",
		    i == 0 ? "MPLS " : "/", r->mpls[i],
		    i + 1 == r->nmpls ? "; " : "");
	if (is_ecmp && n < len) {
		n += (size_t)snprintf(buf + n, len - n, "flows");
		for (i = 0; i < 64 && n < len; i++)
			if (r->flows_mask & ((uint64_t)1 << i))
				n += (size_t)snprintf(buf + n, len - n,
				    " %zu", i);
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "; ");
	}
	if (n >= 2 && n < len)
		buf[n - 2] = '\0';	/* the last "; " */
}

static void
dt_host(char *buf, size_t len, const struct trace_responder *r)
{
	char	name[DT_NAME_MAX * 4 + 8];

	if (r->name == NULL) {
		snprintf(buf, len, "%s", r->addr_str);
		return;
	}
	tb_sanitize_escaped(name, sizeof(name), r->name, 0);
	snprintf(buf, len, "%s (%s)", r->addr_str, name);
}

struct dt_row {
	char	 host[DT_CELL];
	char	 note[DT_NOTE];
	unsigned ttl;		/* 0: another responder of the hop above */
	unsigned sent;
	double	 loss_pct;
	int	 has_rtt;
	double	 last, avg, best, worst, sd;
};

static void
dt_rows_of_hop(const struct trace_hop *h, int is_ecmp,
    void (*emit)(const struct dt_row *, void *), void *arg)
{
	static struct dt_row	 row;
	const struct trace_responder *r;
	const char		*hn = trace_note_str(h->note);
	size_t			 i;

	if (h->nresponders == 0) {
		memset(&row, 0, sizeof(row));
		row.ttl = h->ttl;
		snprintf(row.host, sizeof(row.host), "???");
		row.sent = h->sent;
		row.loss_pct = h->loss_pct;
		snprintf(row.note, sizeof(row.note), "%s",
		    hn != NULL ? hn : h->sent == 0 ? "waiting" : "");
		emit(&row, arg);
		return;
	}
	for (i = 0; i < h->nresponders; i++) {
		r = &h->responders[i];
		memset(&row, 0, sizeof(row));
		row.ttl = i == 0 ? h->ttl : 0;
		dt_host(row.host, sizeof(row.host), r);
		/* One responder: the hop's counts, which include probes lost
		 * before it ever answered. */
		row.sent = h->nresponders == 1 ? h->sent : r->sent;
		row.loss_pct = h->nresponders == 1 ? h->loss_pct : r->loss_pct;
		row.has_rtt = r->received > 0;
		row.last = r->last_ms;
		row.avg = r->avg_ms;
		row.best = r->best_ms;
		row.worst = r->worst_ms;
		row.sd = r->stddev_ms;
		dt_resp_notes(row.note, sizeof(row.note), r, is_ecmp);
		if (i == 0 && hn != NULL) {
			char	tmp[DT_NOTE];

			snprintf(tmp, sizeof(tmp), "%s%s%s", hn,
			    row.note[0] != '\0' ? "; " : "", row.note);
			memcpy(row.note, tmp, sizeof(row.note));
		}
		if (i + 1 == h->nresponders && h->nresponders_dropped > 0)
			snprintf(row.note + strlen(row.note), sizeof(row.note) -
			    strlen(row.note), "%s%zu answers from more "
			    "responders not kept", row.note[0] ? "; " : "",
			    h->nresponders_dropped);
		emit(&row, arg);
	}
}

struct dt_print {
	FILE	*fp;
	size_t	 host_w;
};

static void
dt_measure(const struct dt_row *row, void *arg)
{
	struct dt_print	*p = arg;
	size_t		 w = strlen(row->host);

	if (w > p->host_w)
		p->host_w = w;
}

static void
dt_ms(FILE *fp, int has, double v)
{
	if (has)
		fprintf(fp, " %7.1f", v);
	else
		fprintf(fp, " %7s", "-");
}

static void
dt_print(const struct dt_row *row, void *arg)
{
	struct dt_print	*p = arg;

	if (row->ttl != 0)
		fprintf(p->fp, "%3u. ", row->ttl);
	else
		fputs("     ", p->fp);
	fprintf(p->fp, "%-*s %6.1f%% %5u", (int)p->host_w, row->host,
	    row->loss_pct, row->sent);
	dt_ms(p->fp, row->has_rtt, row->last);
	dt_ms(p->fp, row->has_rtt, row->avg);
	dt_ms(p->fp, row->has_rtt, row->best);
	dt_ms(p->fp, row->has_rtt, row->worst);
	dt_ms(p->fp, row->has_rtt, row->sd);
	if (row->note[0] != '\0')
		fprintf(p->fp, "  %s", row->note);
	fputc('\n', p->fp);
}

static void
dt_text_head(FILE *fp, const struct dump_ctx *ctx)
{
	const struct trace	*t = ctx->trace;
	unsigned		 n = trace_ncycles(t);

	fprintf(fp, "TRACE to %s, %s probes (%s), %u cycle%s, %llu probes "
	    "sent, %s", trace_target_str(t), trace_protocol_str(t),
	    trace_mode_str(t), n, n == 1 ? "" : "s",
	    (unsigned long long)trace_nprobes(t),
	    trace_is_reached(t) ? "reached" : "not reached");
	if (trace_path_mtu(t) != 0)
		fprintf(fp, ", path MTU %u", trace_path_mtu(t));
	fputc('\n', fp);
	if (trace_mode_note(t) != NULL)
		fprintf(fp, "note: %s\n", trace_mode_note(t));
	if (trace_error(t) != NULL)
		fprintf(fp, "error: %s\n", trace_error(t));
}

void
dump_trace_text(FILE *fp, const struct dump_ctx *ctx)
{
	const struct trace	*t = ctx->trace;
	struct dt_print		 p;
	int			 is_ecmp;
	size_t			 i, n;

	if (t == NULL) {
		char	why[TB_SAN_BOUND(DT_NOTE)];

		tb_sanitize(why, sizeof(why), ctx->trace_why != NULL ?
		    ctx->trace_why : "no target", ctx->trace_why != NULL ?
		    strlen(ctx->trace_why) : 9, DT_NOTE, TB_SAN_UTF8);
		fprintf(fp, "TRACE (%s probes): %s\n", dt_proto(ctx), why);
		return;
	}
	dt_text_head(fp, ctx);
	is_ecmp = ctx->opts != NULL && ctx->opts->is_ecmp;
	n = trace_nhops(t);
	if (n == 0) {
		fputs("no hops\n", fp);
		return;
	}
	p.fp = fp;
	p.host_w = 4;
	for (i = 0; i < n; i++)
		dt_rows_of_hop(trace_hop(t, i), is_ecmp, dt_measure, &p);
	fprintf(fp, "     %-*s %7s %5s %7s %7s %7s %7s %7s\n", (int)p.host_w,
	    "HOST", "Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev");
	for (i = 0; i < n; i++)
		dt_rows_of_hop(trace_hop(t, i), is_ecmp, dt_print, &p);
}

/* --- JSON ------------------------------------------------------------- */

/* An RTT once there is one, else null. */
static void
dt_json_ms(struct json *j, const char *k, int has, double v)
{
	json_key(j, k);
	if (has)
		json_num(j, v, 3);
	else
		json_null(j);
}

static void
dt_json_resp(struct json *j, const struct trace_responder *r)
{
	size_t	i;
	int	has = r->received > 0;

	json_obj_open(j);
	json_kstr(j, "address", r->addr_str);
	json_key(j, "name");
	if (r->name != NULL)
		json_str_escaped(j, r->name);
	else
		json_null(j);
	json_kint(j, "sent", r->sent);
	json_kint(j, "received", r->received);
	json_knum(j, "loss_pct", r->loss_pct, 1);
	dt_json_ms(j, "last_ms", has, r->last_ms);
	dt_json_ms(j, "avg_ms", has, r->avg_ms);
	dt_json_ms(j, "best_ms", has, r->best_ms);
	dt_json_ms(j, "worst_ms", has, r->worst_ms);
	dt_json_ms(j, "stddev_ms", has, r->stddev_ms);
	json_key(j, "is_target");
	json_bool(j, r->is_target);
	json_kstr(j, "unreach", trace_unreach_str(r->unreach));
	json_key(j, "mpls");
	json_arr_open(j);
	for (i = 0; i < r->nmpls; i++)
		json_uint(j, r->mpls[i]);
	json_arr_close(j);
	json_key(j, "flows");
	json_arr_open(j);
	for (i = 0; i < 64; i++)
		if (r->flows_mask & ((uint64_t)1 << i))
			json_uint(j, i);
	json_arr_close(j);
	json_obj_close(j);
}

static void
dt_json_hop(struct json *j, const struct trace_hop *h)
{
	size_t	i;

	json_obj_open(j);
	json_kint(j, "ttl", h->ttl);
	json_key(j, "responders");
	json_arr_open(j);
	for (i = 0; i < h->nresponders; i++)
		dt_json_resp(j, &h->responders[i]);
	json_arr_close(j);
	json_kint(j, "responders_dropped", (int64_t)h->nresponders_dropped);
	json_kint(j, "sent", h->sent);
	json_kint(j, "received", h->received);
	json_knum(j, "loss_pct", h->loss_pct, 1);
	json_kstr(j, "note", trace_note_str(h->note));
	json_obj_close(j);
}

void
dump_trace_json(struct json *j, const struct dump_ctx *ctx)
{
	const struct trace	*t = ctx->trace;
	size_t			 i, n;

	json_obj_open(j);
	json_kstr(j, "target", t != NULL ? trace_target_str(t) : NULL);
	json_kstr(j, "protocol", dt_proto(ctx));
	json_kstr(j, "mode", t != NULL ? trace_mode_str(t) : NULL);
	json_kstr(j, "mode_note", t != NULL ? trace_mode_note(t) : NULL);
	json_key(j, "reached");
	json_bool(j, t != NULL && trace_is_reached(t));
	json_kint(j, "cycles", t != NULL ? trace_ncycles(t) : 0);
	json_kint(j, "probes_sent", t != NULL ? (int64_t)trace_nprobes(t) : 0);
	json_key(j, "path_mtu");
	if (t != NULL && trace_path_mtu(t) != 0)
		json_uint(j, trace_path_mtu(t));
	else
		json_null(j);
	json_kstr(j, "error", t != NULL ? trace_error(t) : ctx->trace_why);
	json_key(j, "hops");
	json_arr_open(j);
	for (i = 0, n = t != NULL ? trace_nhops(t) : 0; i < n; i++)
		dt_json_hop(j, trace_hop(t, i));
	json_arr_close(j);
	json_obj_close(j);
}
