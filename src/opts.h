/* The command line, parsed.  See DESIGN.md and man/tubes.1. */
#ifndef TUBES_OPTS_H
#define TUBES_OPTS_H

#include <stddef.h>

#define TB_PANE_DNS	0x1
#define TB_PANE_TRACE	0x2
#define TB_PANE_HTTP	0x4
#define TB_PANE_SOCKETS	0x8
#define TB_PANE_ALL	(TB_PANE_DNS | TB_PANE_TRACE | TB_PANE_HTTP | \
			    TB_PANE_SOCKETS)
/* Panes this build can run; --panes naming another is a usage error. */
#define TB_PANE_AVAILABLE	TB_PANE_SOCKETS

#define TB_MAX_TARGETS		8
#define TB_DUMP_DEFAULT_MS	1000	/* default --dump sample */
#define TB_REFRESH_DEFAULT_MS	1000	/* TUI sockets refresh */

struct tb_target {
	const char	*input;		/* as typed (argv, not sanitized) */
	char		 host[256];	/* host part, brackets stripped */
	int		 port;		/* from URL or -p, -1 unknown */
	int		 is_url;	/* http:// or https:// */
	int		 is_https;
};

struct tb_opts {
	int		 panes;		/* TB_PANE_* requested */
	int		 is_dump;
	int		 is_json;
	long		 duration_ms;	/* -t; -1 = default */
	int		 count;		/* -c; trace cycles */
	long		 refresh_ms;	/* --interval: TUI refresh */
	int		 is_numeric;	/* -n */
	int		 family;	/* 0, 4 or 6 */
	int		 port;		/* -p, -1 unset */
	struct tb_target targets[TB_MAX_TARGETS];
	size_t		 ntargets;
};

enum tb_opts_result {
	TB_OPTS_RUN = 0,	/* go on */
	TB_OPTS_EXIT_OK,	/* --help or --version printed */
	TB_OPTS_USAGE		/* usage error: err says what, exit 2 */
};

/* Parse argv into o.  On TB_OPTS_USAGE err holds one line (no "tubes: "
 * prefix, no newline).  --help and --version print to stdout. */
enum tb_opts_result tb_opts_parse(struct tb_opts *o, int argc, char **argv,
		    char *err, size_t errlen);
void		 tb_opts_usage(void *fp);	/* FILE *, for --help */
const char	*tb_pane_name(int pane_bit);

#endif
