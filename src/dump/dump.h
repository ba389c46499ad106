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
struct capture;
struct capture_exchange;
struct capture_tls;
struct dump_stream;
struct fetch;
struct journey;

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
	const struct capture	*capture;	/* NULL: the http pane did not
						   run, or could not (below) */
	const char		*capture_why;	/* no capture: why ("live capture
						   needs CAP_NET_RAW..."); NULL */
	struct dump_stream	*stream;	/* --dump -r: begun already */
	/* The journey (a TARGET): its address once known (else NULL), the
	 * --fetch engine (else NULL), and journey_compute's result (NULL
	 * without a target: no "journey" key). */
	const char		*target_address;
	const struct fetch	*fetch;
	const struct journey	*journey;
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
void	dump_http_text(FILE *, const struct dump_ctx *);
void	dump_http_json(struct json *, const struct dump_ctx *);
void	dump_http_exchange_text(FILE *, const struct capture_exchange *);
void	dump_http_exchange_json(struct json *,
	    const struct capture_exchange *);
void	dump_journey_text(FILE *, const struct dump_ctx *);
void	dump_journey_json(struct json *, const struct journey *);
void	dump_fetch_text(FILE *, const struct fetch *);
void	dump_fetch_json(struct json *, const struct fetch *);
void	dump_http_tls_json(struct json *, const struct capture_tls *);

/* The report's first lines (dump.c), for a report begun early. */
void	dump_text_title(FILE *, const struct dump_ctx *);
void	dump_json_head(struct json *, const struct dump_ctx *);

/*
 * --dump -r: the report is begun before the file is read and each
 * exchange is written as the capture completes it (the capture's sink),
 * so a file of any size is reported whole in bounded memory.  Then set
 * ctx->stream and call dump_text/dump_json as usual; they finish it.
 */
struct dump_stream *dump_stream_begin(FILE *, const struct dump_ctx *,
	    struct capture *);
struct json	*dump_stream_json(struct dump_stream *);
void		 dump_stream_http_end(struct dump_stream *);
void		 dump_stream_free(struct dump_stream *);

#endif
