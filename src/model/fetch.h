/*
 * tubes' own HTTP client (--fetch): GET the URL target over non-blocking
 * sockets driven by the event loop, count times, concurrency at a time.
 * Up to keepalive connections are kept open and reused (HTTP/1.1
 * keep-alive); a request that finds none idle opens its own connection
 * and closes it after the response, from this side, so that its socket
 * goes ESTABLISHED -> TIME_WAIT here, where the sockets pane shows it.
 * For https only the TLS ClientHello (with SNI) is sent: the connection
 * closes after the server's first bytes, and the HTTP pane lists the SNI.
 * Every request's timings are kept (a bounded ring) for the journey.
 */
#ifndef TUBES_MODEL_FETCH_H
#define TUBES_MODEL_FETCH_H

#include <stddef.h>
#include <stdint.h>

#define FETCH_RING		4096	/* requests kept, newest */
#define FETCH_TIMEOUT_MS	10000	/* per request, connect to last byte */
#define FETCH_BODY_MAX		(64ULL << 20)	/* read and dropped */

struct tb_loop;

struct fetch_conf {
	int		 family;	/* AF_INET, AF_INET6 */
	uint8_t		 addr[16];	/* the target's address */
	uint16_t	 port;
	const char	*host;		/* Host header and SNI (copied) */
	const char	*path;		/* "/..." (copied); NULL: "/" */
	int		 is_https;
	long		 count;		/* requests in all, >= 1 */
	int		 concurrency;	/* at a time, >= 1 */
	int		 keepalive;	/* pooled connections, >= 0 */
	unsigned	 timeout_ms;	/* 0: FETCH_TIMEOUT_MS */
};

/* One request; times are tb_now_us() values, 0: not reached. */
struct fetch_req {
	uint64_t	 seq;		/* 0, 1, ... in start order */
	uint64_t	 start_us;	/* connect() or, reused, the send */
	uint64_t	 connected_us;	/* handshake done; 0 when reused */
	uint64_t	 sent_us;	/* request (or ClientHello) written */
	uint64_t	 first_byte_us;	/* first response byte */
	uint64_t	 last_byte_us;	/* response complete */
	uint64_t	 closed_us;	/* we closed it (not pooled) */
	int		 is_reused;	/* on a pooled connection */
	int		 is_done;
	int		 status;	/* HTTP status, 0 none (https: 0) */
	uint64_t	 resp_bytes;	/* headers and body */
	int		 error;		/* errno (ETIMEDOUT...), 0 ok */
	char		 local[64];	/* our address:port ([v6]:port) */
};

struct fetch_stats {
	long		 started, done, failed;
	long		 conns_opened, conns_reused, conns_closed;
};

struct fetch	*fetch_new(const struct fetch_conf *, char *err, size_t errlen);
void		 fetch_free(struct fetch *);	/* closes what is open */
/* Register with the loop and start the first requests. */
int		 fetch_attach(struct fetch *, struct tb_loop *);
/* Every request finished (done or failed) and the pool is closed. */
int		 fetch_is_done(const struct fetch *);
uint64_t	 fetch_generation(const struct fetch *);
const struct fetch_stats *fetch_stats(const struct fetch *);
/* The newest FETCH_RING requests, oldest first. */
size_t		 fetch_nreqs(const struct fetch *);
const struct fetch_req *fetch_req_at(const struct fetch *, size_t);
/* The first failure, as one line ("connect to 198.51.100.10:80: ..."),
 * or NULL. */
const char	*fetch_error(const struct fetch *);

#endif
