/*
 * tubes: argv, then either the TUI or a headless --dump, both driven by one
 * event loop over the same models.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "opts.h"
#include "dump/dump.h"
#include "model/dns.h"
#include "model/dns_query.h"
#include "model/dns_wire.h"
#include "model/sockets.h"
#include "view/ui.h"

/* Extra time a --dump may take past its sample before giving up. */
#define DUMP_GRACE_MS	10000

struct run {
	const struct tb_opts	*opts;
	struct tb_loop		*loop;
	struct sockets		*sockets;
	struct dns		*dns;
	uint64_t		 need_gen;	/* refreshes a dump waits for */
	int			 is_failed;
	int			 is_dns_deadline;	/* -t expired */
};

static void
run_on_signal(int signo, void *arg)
{
	struct run	*r = arg;

	(void)signo;
	tb_loop_stop(r->loop);
}

static void
run_on_deadline(void *arg)
{
	struct run	*r = arg;

	tb_warnx("--dump: sample did not finish in time");
	r->is_failed = 1;
	tb_loop_stop(r->loop);
}

/* With -t: DNS rows still unanswered are reported as "pending". */
static void
run_on_dns_deadline(void *arg)
{
	struct run	*r = arg;

	r->is_dns_deadline = 1;
}

/* Before-sleep hook of --dump: stop once every pane has what it needs. */
static void
dump_check_done(void *arg)
{
	struct run	*r = arg;
	const char	*e;

	if (r->sockets != NULL && *(e = sockets_error(r->sockets)) != '\0') {
		tb_warnx("sockets: %s", e);
		r->is_failed = 1;
		tb_loop_stop(r->loop);
		return;
	}
	if (r->sockets != NULL &&
	    sockets_summary(r->sockets)->generation < r->need_gen)
		return;
	if (r->dns != NULL && !dns_is_done(r->dns) && !r->is_dns_deadline)
		return;
	tb_loop_stop(r->loop);
}

/* The TARGET's host: A and AAAA (as -4/-6 allow), or PTR for an address. */
static void
dns_add_target(struct dns *d, const struct tb_opts *o,
    const struct tb_target *t)
{
	char	rev[DNS_QUERY_NAMELEN];

	if (dns_reverse_name(t->host, rev, sizeof(rev)) == 0) {
		dns_lookup_add(d, rev, DNS_T_PTR);
		return;
	}
	if (dns_name_check(t->host, NULL, 0) == -1) {
		tb_warnx("dns: target host is not a DNS name: not looked up");
		return;
	}
	if (o->family != 6)
		dns_lookup_add(d, t->host, DNS_T_A);
	if (o->family != 4)
		dns_lookup_add(d, t->host, DNS_T_AAAA);
}

static struct dns *
open_dns(const struct tb_opts *o)
{
	struct dns_conf	 conf;
	struct dns	*d;
	char		 err[256];
	size_t		 i;

	if (!(o->panes & TB_PANE_DNS))
		return NULL;
	memset(&conf, 0, sizeof(conf));
	conf.servers = o->servers;
	conf.nservers = o->nservers;
	conf.timeout_ms = (unsigned)o->dns_timeout_ms;
	conf.tries = (unsigned)o->dns_tries;
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL)
		tb_fatalx("dns: %s", err);
	for (i = 0; i < o->ntargets; i++)
		dns_add_target(d, o, &o->targets[i]);
	for (i = 0; i < o->nqueries; i++)
		dns_lookup_add(d, o->queries[i].name, o->queries[i].type);
	return d;
}

/* The longest the DNS schedule can take: every lookup's tries timing out
 * through the whole search list and a TCP retry, in batches. */
static uint64_t
dns_worst_ms(const struct dns *d)
{
	uint64_t	per;

	per = (uint64_t)dns_tries(d) * dns_timeout_ms(d) *
	    (dns_nsearch_domains(d) + 2);
	return per * (1 + dns_nlookups(d) / DNS_MAX_INFLIGHT);
}

static struct sockets *
open_sockets(const struct tb_opts *o)
{
	struct sockets	*s;
	char		 err[256];

	if (!(o->panes & TB_PANE_SOCKETS))
		return NULL;
	if ((s = sockets_new(err, sizeof(err))) == NULL)
		tb_fatalx("sockets: %s", err);
	return s;
}

static void
run_signals(struct run *r)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t			 i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (tb_loop_signal(r->loop, sigs[i], run_on_signal, r) == -1)
			tb_fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);
}

static int
run_dump(struct run *r)
{
	const struct tb_opts	*o = r->opts;
	struct dump_ctx		 ctx;
	uint64_t		 t0, sample_ms;
	int			 rc;

	sample_ms = o->duration_ms < 0 ? TB_DUMP_DEFAULT_MS :
	    (uint64_t)o->duration_ms;
	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = o;
	ctx.started = time(NULL);
	t0 = tb_now_ms();
	/* One snapshot with -t 0; otherwise one at each end of the sample. */
	r->need_gen = sample_ms == 0 ? 1 : 2;
	if (r->sockets != NULL)
		sockets_attach(r->sockets, r->loop,
		    sample_ms == 0 ? 1000 : (unsigned)sample_ms);
	if (r->dns != NULL) {
		dns_attach(r->dns, r->loop);
		if (o->duration_ms >= 0)
			tb_loop_timer(r->loop, t0 + sample_ms,
			    run_on_dns_deadline, r);
	}
	tb_loop_before_sleep(r->loop, dump_check_done, r);
	tb_loop_timer(r->loop, t0 + sample_ms + DUMP_GRACE_MS +
	    (r->dns != NULL && o->duration_ms < 0 ? dns_worst_ms(r->dns) : 0),
	    run_on_deadline, r);
	if (tb_loop_run(r->loop) == -1)
		tb_fatal("poll");
	if (r->is_failed)
		return 1;
	ctx.duration_ms = tb_now_ms() - t0;
	ctx.sockets = r->sockets;
	ctx.dns = r->dns;
	/* A report of 10,000 lookups is megabytes: fewer, larger writes. */
	(void)setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	rc = o->is_json ? dump_json(stdout, &ctx) : dump_text(stdout, &ctx);
	if (rc == -1 || fflush(stdout) == EOF || ferror(stdout))
		tb_fatal("writing the report");
	return 0;
}

static int
run_tui(struct run *r)
{
	struct ui_models	 models;
	struct ui		*ui;

	memset(&models, 0, sizeof(models));
	models.sockets = r->sockets;
	models.dns = r->dns;
	ui = ui_new(r->loop, r->opts, &models);
	if (r->dns != NULL)
		dns_attach(r->dns, r->loop);
	if (r->sockets != NULL) {
		/* Full enumerations under 1.5% of a core (BENCHMARKS.md). */
		sockets_set_budget(r->sockets, 1.5);
		sockets_attach(r->sockets, r->loop, (unsigned)r->opts->refresh_ms);
	}
	if (tb_loop_run(r->loop) == -1)
		tb_fatal("poll");
	ui_free(ui);
	return 0;
}

int
main(int argc, char **argv)
{
	struct tb_opts	 o;
	struct run	 r;
	char		 err[512];
	int		 rc;

	switch (tb_opts_parse(&o, argc, argv, err, sizeof(err))) {
	case TB_OPTS_EXIT_OK:
		return 0;
	case TB_OPTS_USAGE:
		tb_usage_error("%s (try tubes --help)", err);
	case TB_OPTS_RUN:
		break;
	}
	if (!o.is_dump && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)))
		tb_usage_error("%s is not a terminal: use --dump for a report "
		    "(--dump --json for JSON)",
		    isatty(STDOUT_FILENO) ? "stdin" : "stdout");

	memset(&r, 0, sizeof(r));
	r.opts = &o;
	r.loop = tb_loop_new();
	run_signals(&r);
	r.sockets = open_sockets(&o);
	r.dns = open_dns(&o);
	tb_opts_free(&o);	/* the -q names live in the dns model now */
	rc = o.is_dump ? run_dump(&r) : run_tui(&r);
	dns_free(r.dns);
	sockets_free(r.sockets);
	tb_loop_free(r.loop);
	return rc;
}
