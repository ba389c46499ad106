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
#include "model/sockets.h"
#include "view/ui.h"

/* Extra time a --dump may take past its sample before giving up. */
#define DUMP_GRACE_MS	10000

struct run {
	const struct tb_opts	*opts;
	struct tb_loop		*loop;
	struct sockets		*sockets;
	uint64_t		 need_gen;	/* refreshes a dump waits for */
	int			 is_failed;
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

/* Before-sleep hook of --dump: stop once every pane has what it needs. */
static void
dump_check_done(void *arg)
{
	struct run	*r = arg;
	const char	*e;

	if (r->sockets == NULL) {
		tb_loop_stop(r->loop);
		return;
	}
	if (*(e = sockets_error(r->sockets)) != '\0') {
		tb_warnx("sockets: %s", e);
		r->is_failed = 1;
		tb_loop_stop(r->loop);
		return;
	}
	if (sockets_summary(r->sockets)->generation >= r->need_gen)
		tb_loop_stop(r->loop);
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
	tb_loop_before_sleep(r->loop, dump_check_done, r);
	tb_loop_timer(r->loop, t0 + sample_ms + DUMP_GRACE_MS,
	    run_on_deadline, r);
	if (tb_loop_run(r->loop) == -1)
		tb_fatal("poll");
	if (r->is_failed)
		return 1;
	ctx.duration_ms = tb_now_ms() - t0;
	ctx.sockets = r->sockets;
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
	ui = ui_new(r->loop, r->opts, &models);
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
	rc = o.is_dump ? run_dump(&r) : run_tui(&r);
	sockets_free(r.sockets);
	tb_loop_free(r.loop);
	return rc;
}
