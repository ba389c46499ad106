/*
 * HTTP/1.x over one TCP connection's two byte streams (not per packet):
 * request and status lines, headers split across any number of segments,
 * Content-Length, chunked bodies both ways, close-delimited responses,
 * HEAD / 204 / 304 / 1xx without bodies, Expect: 100-continue with
 * interim responses counted but never taken as final, keep-alive and
 * pipelining paired in order.  Bounded: a start line or header block past
 * its limit is marked truncated and the connection's parsing stops there
 * (the exchange is still reported).  Pure: bytes in, exchanges out.
 */
#ifndef TUBES_MODEL_HTTP_PARSE_H
#define TUBES_MODEL_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX		8192	/* start line */
#define HTTP_HEADERS_MAX	65536	/* header block, per message */
#define HTTP_NHEADERS_MAX	256	/* header lines, per message */
#define HTTP_PIPELINE_MAX	64	/* requests waiting for responses */
#define HTTP_FIELD_MAX		1024	/* method, path, host... kept */
#define HTTP_HDRS_KEPT_MAX	4096	/* raw header bytes kept for the
					   detail view, per message */
#define HTTP_CONN_MEM_MAX	(1024 * 1024)	/* http_conn_mem never
						   exceeds this */

#define HTTP_NO_ACK		UINT64_MAX

/* What a connection's first client bytes look like. */
#define HTTP_KIND_UNKNOWN	0	/* too few bytes yet */
#define HTTP_KIND_HTTP1		1
#define HTTP_KIND_H2C		2	/* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" */
#define HTTP_KIND_OTHER		3

struct http_exchange {
	/* Request: raw bytes as received (NUL-terminated copies, cut at
	 * HTTP_FIELD_MAX); views and dumps sanitize them. */
	char		*method, *path, *host, *version;
	char		*content_type;		/* of the response */
	char		*req_headers, *resp_headers;	/* raw blocks, cut at
							   HTTP_HDRS_KEPT_MAX */
	int		 status;		/* final status, 0: none */
	char		*reason;
	unsigned	 ninterim;		/* 1xx before the final one */
	uint64_t	 req_bytes;		/* start line + headers + body */
	uint64_t	 resp_bytes;
	uint64_t	 req_body_bytes, resp_body_bytes;	/* decoded */
	uint64_t	 req_first_us, req_last_us;
	uint64_t	 resp_first_us;		/* first byte of the final
						   response (not a 1xx) */
	uint64_t	 resp_last_us;
	int		 has_request, has_response;	/* orphans have one */
	int		 is_truncated;		/* a limit cut a message */
	int		 is_incomplete;		/* a gap (snap length, lost
						   bytes): sizes not known */
	int		 is_chunked_req, is_chunked_resp;
};

struct http_conn;

struct http_conn_cb {
	void	*arg;
	/* An exchange is complete (or the connection ended with it
	 * half done): the pointer is valid during the call only.  The
	 * callback must not call http_conn_* on the same connection. */
	void	(*on_exchange)(void *arg, const struct http_exchange *);
};

struct http_conn *http_conn_new(const struct http_conn_cb *);
/* Bytes of direction dir (0 client, 1 server) in order, after gap lost
 * bytes, the last of them captured at ts_us. */
void		 http_conn_data(struct http_conn *, int dir, const uint8_t *p,
		    size_t n, size_t gap, uint64_t ts_us);
/*
 * Where the next bytes of dir (after their gap) sit: at stream offset off,
 * carried by a segment that acknowledged the other direction's stream up
 * to its offset ack_off (HTTP_NO_ACK: not known).  Optional, and good for
 * the next http_conn_data of dir only.  With it, a response lost in a gap
 * does not make every later response pair with the request before its
 * own: a request the client sent after receiving bytes that no parsed
 * response holds shows the request before it was answered in those bytes.
 * Without it, pairing after lost responses is by order alone.
 */
void		 http_conn_at(struct http_conn *, int dir, uint64_t off,
		    uint64_t ack_off);
/* The connection ended: report what is pending (orphans included). */
void		 http_conn_close(struct http_conn *, uint64_t ts_us);
void		 http_conn_free(struct http_conn *);
/* Bytes held by the parser now (for the engine's memory bound). */
size_t		 http_conn_mem(const struct http_conn *);
/* Bytes not parsed: gaps, bytes skipped looking for a start line after
 * one, everything after the parser stopped (a limit, a framing error, a
 * tunnel). */
uint64_t	 http_conn_nskipped(const struct http_conn *);
/* Requests parsed but not kept: more than HTTP_PIPELINE_MAX waiting. */
uint64_t	 http_conn_ndropped(const struct http_conn *);
/* Requests whose responses were found lost (see http_conn_at). */
uint64_t	 http_conn_nunanswered(const struct http_conn *);

/* Classify a connection by its client's first bytes. */
int		 http_kind(const uint8_t *p, size_t n);

#endif
