/*
 * The DNS part of the headless report: dig-like text grouped per lookup and
 * server, and the "dns" JSON object of DESIGN.md.
 */
#include "config.h"

#include "dump/dump.h"

#include <stdio.h>
#include <string.h>

#include "sanitize.h"
#include "dump/json.h"
#include "model/dns.h"

#define DUMP_DNS_STR_MAX	1024	/* source bytes shown per string */
#define DUMP_DNS_BUF		(DUMP_DNS_STR_MAX * 4 + 32)

/* dns_wire's dig-escaped text as it is; anything else sanitized. */
static const char *
dns_safe(char *buf, size_t len, const char *s)
{
	tb_sanitize_escaped(buf, len, s, 0);
	return buf;
}

/* "www.lab.test." as dig prints owners; the root stays ".". */
static void
dns_text_owner(FILE *fp, const char *name)
{
	char	buf[DUMP_DNS_BUF];
	size_t	n;

	dns_safe(buf, sizeof(buf), name);
	n = strlen(buf);
	fprintf(fp, "%s%s", buf, n > 0 && buf[n - 1] == '.' ? "" : ".");
}

static void
dns_text_head(FILE *fp, const struct dns_row *r)
{
	char	name[DUMP_DNS_BUF];

	fprintf(fp, ";; %s %s @%s  %s", dns_safe(name, sizeof(name), r->name),
	    r->type_str, r->server, r->status);
	if (r->latency_ms >= 0)
		fprintf(fp, "  %.2f ms", r->latency_ms);
	if (r->flags[0] != '\0')
		fprintf(fp, "  flags: %s", r->flags);
	if (r->is_differs)
		fputs("  (differs from another server)", fp);
	fputc('\n', fp);
}

static void
dns_text_notes(FILE *fp, const struct dns *d, const struct dns_row *r)
{
	char	buf[DUMP_DNS_BUF];
	size_t	i;

	if (r->nsearch > 0) {
		fputs(";;   search:", fp);
		for (i = 0; i < r->nsearch; i++)
			fprintf(fp, "%s %s (%s)", i > 0 ? "," : "",
			    dns_safe(buf, sizeof(buf), r->search[i].name),
			    r->search[i].status);
		fputc('\n', fp);
	}
	if (r->is_truncated)
		fprintf(fp, ";;   truncated over UDP, %s\n", r->used_tcp ?
		    "asked again over TCP" : "TCP retry failed");
	if (r->ncname > 0) {
		fputs(";;   cname:", fp);
		for (i = 0; i < r->ncname; i++)
			fprintf(fp, "%s %s", i > 0 ? " ->" : "",
			    dns_safe(buf, sizeof(buf), r->cname_chain[i]));
		fputc('\n', fp);
	}
	if (r->has_negative_ttl)
		fprintf(fp, ";;   negative TTL %u s\n", r->negative_ttl);
	if (strcmp(r->status, "timeout") == 0)
		fprintf(fp, ";;   no answer after %u tries of %u ms\n",
		    r->tries, dns_timeout_ms(d));
	else if (strcmp(r->status, "pending") == 0)
		fputs(";;   no answer yet when the report was taken\n", fp);
	if (r->error != NULL)
		fprintf(fp, ";;   error: %s\n", dns_safe(buf, sizeof(buf),
		    r->error));
	if (r->nanswers_dropped > 0)
		fprintf(fp, ";;   %zu more answers not kept\n",
		    r->nanswers_dropped);
}

static void
dns_text_row(FILE *fp, const struct dns *d, const struct dns_row *r)
{
	char	data[DUMP_DNS_BUF];
	size_t	i;

	dns_text_head(fp, r);
	dns_text_notes(fp, d, r);
	for (i = 0; i < r->nanswers; i++) {
		dns_text_owner(fp, r->answers[i].name);
		fprintf(fp, "  %u  IN  %s  %s\n", r->answers[i].ttl,
		    r->answers[i].type_str, dns_safe(data, sizeof(data),
		    r->answers[i].data));
	}
}

void
dump_dns_text(FILE *fp, const struct dns *d)
{
	const struct dns_row	*r;
	size_t			 i;

	fputs("DNS servers:", fp);
	for (i = 0; i < dns_nservers(d); i++)
		fprintf(fp, " %s", dns_server_at(d, i));
	if (dns_nservers(d) == 0)
		fputs(" none", fp);
	fprintf(fp, " (%u ms per try, %u tries)\n", dns_timeout_ms(d),
	    dns_tries(d));
	if (dns_nrows(d) == 0)
		fputs("no lookups\n", fp);
	for (i = 0; i < dns_nrows(d); i++) {
		r = dns_row_at(d, i);
		if (r->server_idx == 0)
			fputc('\n', fp);
		dns_text_row(fp, d, r);
	}
	if (dns_ndropped(d) > 0)
		fprintf(fp, "\n%zu lookups not made (over the caps)\n",
		    dns_ndropped(d));
	if (dns_npassive(d) > 0)
		fprintf(fp, "\nDNS answers seen in the capture: %zu\n",
		    dns_npassive(d));
	for (i = 0; i < dns_npassive(d); i++) {
		fputc('\n', fp);
		dns_text_row(fp, d, dns_passive_at(d, i));
	}
}

/* --- JSON -------------------------------------------------------------- */

static void
dns_json_kstr(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str_escaped(j, v);
}

static void
dns_json_flags(struct json *j, const char *flags)
{
	size_t	n;

	json_key(j, "flags");
	json_arr_open(j);
	while (*flags != '\0') {
		n = strcspn(flags, " ");
		if (n > 0)
			json_strn(j, flags, n);
		flags += n;
		flags += strspn(flags, " ");
	}
	json_arr_close(j);
}

static void
dns_json_answers(struct json *j, const struct dns_row *r)
{
	size_t	i;

	json_key(j, "answers");
	json_arr_open(j);
	for (i = 0; i < r->nanswers; i++) {
		json_obj_open(j);
		dns_json_kstr(j, "name", r->answers[i].name);
		json_kstr(j, "type", r->answers[i].type_str);
		json_kint(j, "ttl", r->answers[i].ttl);
		dns_json_kstr(j, "data", r->answers[i].data);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void
dns_json_lists(struct json *j, const struct dns_row *r)
{
	size_t	i;

	json_key(j, "cname_chain");
	json_arr_open(j);
	for (i = 0; i < r->ncname; i++)
		json_str_escaped(j, r->cname_chain[i]);
	json_arr_close(j);
	json_key(j, "search");
	json_arr_open(j);
	for (i = 0; i < r->nsearch; i++) {
		json_obj_open(j);
		dns_json_kstr(j, "name", r->search[i].name);
		json_kstr(j, "status", r->search[i].status);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void
dns_json_extra(struct json *j, const struct dns_row *r)
{
	dns_json_kstr(j, "qname", r->qname);
	json_key(j, "rcode");
	if (r->rcode >= 0)
		json_int(j, r->rcode);
	else
		json_null(j);
	json_kint(j, "tries", r->tries);
	json_key(j, "truncated");
	json_bool(j, r->is_truncated);
	json_key(j, "used_tcp");
	json_bool(j, r->used_tcp);
	json_key(j, "negative_ttl");
	if (r->has_negative_ttl)
		json_int(j, r->negative_ttl);
	else
		json_null(j);
	json_key(j, "edns");
	if (r->has_edns) {
		json_obj_open(j);
		json_kint(j, "udp_size", r->edns_udp);
		json_kint(j, "version", r->edns_version);
		json_key(j, "do");
		json_bool(j, r->edns_do);
		json_obj_close(j);
	} else
		json_null(j);
	json_key(j, "differs");
	json_bool(j, r->is_differs);
	json_kint(j, "answers_dropped", (int64_t)r->nanswers_dropped);
}

static void
dns_json_row(struct json *j, const struct dns_row *r)
{
	json_obj_open(j);
	dns_json_kstr(j, "name", r->name);
	json_kstr(j, "type", r->type_str);
	json_kstr(j, "server", r->server);
	json_kstr(j, "status", r->status);
	json_key(j, "latency_ms");
	if (r->latency_ms >= 0)
		json_num(j, r->latency_ms, 3);
	else
		json_null(j);
	dns_json_flags(j, r->flags);
	dns_json_lists(j, r);
	dns_json_answers(j, r);
	json_kstr(j, "error", r->error);
	dns_json_extra(j, r);
	json_obj_close(j);
}

void
dump_dns_json(struct json *j, const struct dns *d)
{
	size_t	i;

	json_obj_open(j);
	json_key(j, "servers");
	json_arr_open(j);
	for (i = 0; i < dns_nservers(d); i++)
		json_str(j, dns_server_at(d, i));
	json_arr_close(j);
	json_kint(j, "timeout_ms", dns_timeout_ms(d));
	json_kint(j, "tries", dns_tries(d));
	json_kint(j, "ndots", dns_ndots(d));
	json_key(j, "search_domains");
	json_arr_open(j);
	for (i = 0; i < dns_nsearch_domains(d); i++)
		json_str(j, dns_search_domain_at(d, i));
	json_arr_close(j);
	json_kint(j, "lookups_dropped", (int64_t)dns_ndropped(d));
	json_key(j, "lookups");
	json_arr_open(j);
	for (i = 0; i < dns_nrows(d); i++)
		dns_json_row(j, dns_row_at(d, i));
	json_arr_close(j);
	/* Answers seen in the capture: the same row shape, the server seen. */
	json_key(j, "passive");
	json_arr_open(j);
	for (i = 0; i < dns_npassive(d); i++)
		dns_json_row(j, dns_passive_at(d, i));
	json_arr_close(j);
	json_obj_close(j);
}
