/*
 * The journey of one request to the target, soup to nuts: the DNS lookup
 * that gave its address, the TCP connect, the time to the first response
 * byte, the transfer, the close and the TIME_WAIT left behind.  Computed
 * from the models (it owns nothing): the target's DNS lookup, the first
 * --fetch request (else the first exchange the capture saw with the
 * target's address and port), and the sockets model's TIME_WAIT count
 * for that remote.  The TUI's journey view and the dump's "journey"
 * object show the same struct.
 */
#ifndef TUBES_MODEL_JOURNEY_H
#define TUBES_MODEL_JOURNEY_H

#include <stddef.h>
#include <stdint.h>

struct dns;
struct fetch;
struct capture;
struct sockets;
struct tb_target;

#define JOURNEY_TIME_WAIT_MS	60000	/* Linux's TCP_TIMEWAIT_LEN */

struct journey_src {
	const struct tb_target	*target;	/* NULL: no journey */
	const struct dns	*dns;		/* may be NULL */
	long			 lookup;	/* the target's A/AAAA lookup,
						   -1: an address target */
	const char		*address;	/* the address in use, NULL
						   while unknown */
	const struct fetch	*fetch;		/* NULL without --fetch */
	const struct capture	*capture;	/* may be NULL */
	const struct sockets	*sockets;	/* may be NULL */
};

/* Times in milliseconds, -1 while not known. */
struct journey {
	int		 has_target;
	char		 host[256];	/* raw: views and dumps sanitize */
	char		 address[64];
	int		 port;
	double		 dns_ms;	/* the lookup's latency */
	double		 connect_ms;	/* SYN to established */
	double		 first_byte_ms;	/* request sent to first byte */
	double		 transfer_ms;	/* first byte to last byte */
	double		 close_ms;	/* last byte to our close */
	double		 total_ms;	/* DNS start (or connect) to last byte */
	long		 time_wait_left_ms;	/* of the request's socket,
						   counted from its close; -1 */
	int		 status;	/* HTTP status, 0 none */
	const char	*source;	/* "fetch", "capture" or NULL */
	long		 time_wait_now;	/* TIME_WAIT sockets to the target
					   now (sockets pane), -1 unknown */
	int		 is_complete;	/* every step known */
};

void	journey_compute(struct journey *, const struct journey_src *,
	    uint64_t now_us);

#endif
