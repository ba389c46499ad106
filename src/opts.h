/* The command line, parsed.  See DESIGN.md and man/tubes.1. */
#ifndef TUBES_OPTS_H
#define TUBES_OPTS_H

#include <stddef.h>
#include <stdint.h>

#define TB_PANE_DNS	0x1
#define TB_PANE_TRACE	0x2
#define TB_PANE_HTTP	0x4
#define TB_PANE_SOCKETS	0x8
#define TB_PANE_ALL	(TB_PANE_DNS | TB_PANE_TRACE | TB_PANE_HTTP | \
			    TB_PANE_SOCKETS)
/* Panes this build can run; --panes naming another is a usage error. */
#define TB_PANE_AVAILABLE	(TB_PANE_DNS | TB_PANE_TRACE | TB_PANE_HTTP | \
			    TB_PANE_SOCKETS)

#define TB_MAX_TARGETS		8
#define TB_DUMP_DEFAULT_MS	1000	/* default --dump sample */
#define TB_REFRESH_DEFAULT_MS	1000	/* TUI sockets refresh */
#define TB_MAX_SERVERS		16	/* -s given */
#define TB_MAX_QUERIES		65536	/* -q, with -q @FILE names; = DNS_MAX_LOOKUPS */

struct tb_target {
	const char	*input;		/* as typed (argv, not sanitized) */
	char		 host[256];	/* host part, brackets stripped */
	int		 port;		/* from URL or -p, -1 unknown */
	int		 is_url;	/* http:// or https:// */
	int		 is_https;
};

/* A -q lookup, checked: an address is already its reverse name/PTR. */
struct tb_query {
	char		*name;
	uint16_t	 type;
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
	const char	*servers[TB_MAX_SERVERS];	/* -s, argv strings */
	size_t		 nservers;
	struct tb_query	*queries;	/* -q in order; tb_opts_free() */
	size_t		 nqueries, queries_cap;
	long		 dns_timeout_ms;	/* --dns-timeout; 0 default */
	int		 dns_tries;		/* --dns-tries; 0 default */
	int		 proto;		/* -P: PROBE_P_* (0 icmp, 1 udp, 2 tcp) */
	int		 max_ttl;	/* -m, 1..255; 0 default */
	int		 first_ttl;	/* --first-ttl, 1..max; 0 default */
	int		 is_ecmp;	/* --ecmp: discover ECMP branches */
	int		 is_panes_given;	/* --panes was on the line */
	const char	*iface;		/* -i, argv string, or NULL ("any") */
	const char	*filter;	/* -f BPF expression, or NULL */
	const char	*read_path;	/* -r FILE, or NULL: live */
	const char	*write_path;	/* -w FILE, or NULL */
	long		 fetch_count;	/* --fetch[=N]: requests; 0 none */
	int		 fetch_concurrency;	/* --concurrency, >= 1 */
	int		 fetch_keepalive;	/* --keepalive: pooled conns */
	int		 is_lab;	/* --lab */
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
void		 tb_opts_free(struct tb_opts *);
/* Add a TARGET as if typed (the lab's URL); its port filled in too.
 * arg must outlive o. */
enum tb_opts_result tb_opts_add_target(struct tb_opts *o, const char *arg,
		    char *err, size_t errlen);	/* the -q lookups */
void		 tb_opts_usage(void *fp);	/* FILE *, for --help */
const char	*tb_pane_name(int pane_bit);

#endif
