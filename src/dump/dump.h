/* Headless reports: text aligned like mtr --report, or one JSON document. */
#ifndef TUBES_DUMP_DUMP_H
#define TUBES_DUMP_DUMP_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct tb_opts;
struct sockets;
struct dns;
struct trace;

struct dump_ctx {
	const struct tb_opts	*opts;
	time_t			 started;	/* wall clock at start */
	uint64_t		 duration_ms;	/* measured */
	const struct sockets	*sockets;	/* NULL if the pane did not run */
	const struct dns	*dns;		/* NULL if the pane did not run */
	const struct trace	*trace;		/* NULL: not started (see below) */
	/* With the trace pane on but no trace: why ("resolving www.x",
	 * "www.x: no IPv4 address"); NULL with no target (no "trace" key). */
	const char		*trace_why;
};

/* Write the report; 0, or -1 if stdout failed. */
int	dump_text(FILE *, const struct dump_ctx *);
int	dump_json(FILE *, const struct dump_ctx *);

/* Per-pane pieces, used by the above and by tests. */
struct json;
void	dump_sockets_text(FILE *, const struct sockets *);
void	dump_sockets_json(struct json *, const struct sockets *);
void	dump_dns_text(FILE *, const struct dns *);
void	dump_dns_json(struct json *, const struct dns *);
void	dump_trace_text(FILE *, const struct dump_ctx *);
void	dump_trace_json(struct json *, const struct dump_ctx *);

#endif
