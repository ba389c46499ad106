/*
 * The DNS engine: lookups sent to several servers side by side through
 * c-ares 1.18 (one channel per server, so each answer is attributed and
 * timed by us), decoded with dns_wire so every TTL and header flag shows.
 *
 * A lookup (name, type) is asked of every server: one row per (lookup,
 * server).  Short names are expanded through the resolv.conf search list
 * as the resolver does; a truncated UDP answer is asked again over TCP.
 * Retries are ours, not c-ares's (its back-off is exponential): each try
 * waits exactly timeout_ms, so a silent server is reported as "timeout"
 * after tries x timeout_ms.
 *
 * Everything a view reads goes through the const accessors below.  Row
 * pointers stay valid until dns_free (rows are never moved or removed);
 * a row's contents change when an answer arrives (watch dns_generation).
 * Every string that came from the network is printable ASCII as dns_wire
 * wrote it; views still pass it through the sanitizer or JSON writer.
 */
#ifndef TUBES_MODEL_DNS_H
#define TUBES_MODEL_DNS_H

#include <stddef.h>
#include <stdint.h>

struct dns;
struct tb_loop;

#define DNS_TIMEOUT_DEFAULT_MS	2000	/* per try */
#define DNS_TRIES_DEFAULT	2
#define DNS_TIMEOUT_MAX_MS	60000
#define DNS_TRIES_MAX		10
#define DNS_MAX_SERVERS		16
#define DNS_MAX_LOOKUPS		65536	/* = TB_MAX_QUERIES; ~550 bytes a row */
#define DNS_MAX_ROWS		131072	/* lookups x servers: ~72 MB at most */
#define DNS_MAX_INFLIGHT	128	/* per server; the rest wait (FIFO) */
#define DNS_MAX_ANSWERS		64	/* kept per row; more are counted */
#define DNS_MAX_SEARCH		8	/* search expansion steps per row */
#define DNS_HISTORY_LEN		60	/* latency samples per row */
#define DNS_SERVER_STRLEN	72	/* "[ffff:...:ffff%ifname]:65535" */
#define DNS_EDNS_UDP		1232	/* advertised UDP payload size */

struct dns_conf {
	/* -s values, "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6
	 * address.  None: the nameservers of resolv.conf. */
	const char *const *servers;
	size_t		 nservers;
	unsigned	 timeout_ms;	/* per try; 0: the default */
	unsigned	 tries;		/* 0: the default */
	const char	*resolv_conf;	/* NULL: /etc/resolv.conf */
};

struct dns_answer {
	const char	*name;		/* owner, no trailing dot */
	uint16_t	 type;
	const char	*type_str;	/* "A", "TYPE65" */
	uint32_t	 ttl;		/* as received */
	const char	*data;		/* presentation form (dns_wire) */
};

struct dns_search_step {
	const char	*name;		/* name asked at this step */
	const char	*status;	/* "NXDOMAIN", "NOERROR", "timeout"... */
};

struct dns_row {
	size_t		 lookup;	/* rows of one lookup share it */
	size_t		 server_idx;
	const char	*name;		/* as asked (reverse name for PTR of
					   an address); no search expansion */
	const char	*qname;		/* last name actually sent */
	uint16_t	 type;
	uint16_t	 hdr_flags;	/* DNS_F_* of the answer */
	const char	*type_str;
	const char	*server;	/* "127.0.0.53:53" */

	/*
	 * "pending", "NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED",
	 * "FORMERR", "NOTIMP" (or "RCODE11"), "timeout", "network error"
	 * or "bad answer" (did not parse).
	 */
	const char	*status;
	int		 is_done;	/* has a final status (once) */
	int		 rcode;		/* -1 without an answer */
	/*
	 * The exchange that gave the status: from sending the try that was
	 * answered to its answer; a truncated UDP answer plus its TCP retry
	 * count together.  < 0 while pending or without an answer.
	 */
	double		 latency_ms;
	const char	*flags;		/* "qr aa rd ra", "" without answer */
	uint64_t	 answered_at_ms;	/* tb_now_ms() of the answer */
	unsigned	 tries;		/* UDP tries the last query used */
	unsigned	 nqueries;	/* times asked (re-queries count) */
	const char	*error;		/* NULL, or words: "Connection
					   refused", "answer did not parse:
					   ..." */

	const struct dns_answer *answers;	/* answer section, in order */
	size_t		 nanswers;
	size_t		 nanswers_dropped;	/* over DNS_MAX_ANSWERS */

	const char *const *cname_chain;	/* qname, then CNAME targets; */
	size_t		 ncname;	/* 0 unless a CNAME was followed */

	int		 has_negative_ttl;
	uint32_t	 negative_ttl;	/* SOA of an NXDOMAIN/NODATA */

	int		 is_truncated;	/* the UDP answer had TC */
	int		 used_tcp;	/* and was asked again over TCP */

	const struct dns_search_step *search;	/* empty unless expanded */
	size_t		 nsearch;

	int		 has_edns;	/* OPT in the answer */
	uint16_t	 edns_udp;
	uint8_t		 edns_version;
	int		 edns_do;

	/* Status or answer set differs from the same lookup on another
	 * server (both answered: timeouts and errors do not count). */
	int		 is_differs;
	/* Latency samples are kept privately: dns_row_history(). */
};

#define DNS_MAX_PASSIVE		4096	/* passive rows kept (newest) */

/*
 * Read resolv.conf (servers unless conf names some, search, ndots) and
 * open one channel per server.  NULL with err filled on failure.
 */
struct dns	*dns_new(const struct dns_conf *, char *err, size_t errlen);
void		 dns_free(struct dns *);
/* Start sending through the loop; lookups added before wait until then. */
int		 dns_attach(struct dns *, struct tb_loop *);

/*
 * Add one lookup, asked of every server.  name is as typed (checked with
 * dns_name_check; a trailing dot disables the search list).  Returns the
 * lookup index, or -1 (bad name or the caps reached; counted in
 * dns_ndropped).
 */
long		 dns_lookup_add(struct dns *, const char *name, uint16_t type);
/* Re-ask each row when its smallest answer TTL (or negative TTL) expires. */
void		 dns_set_requery(struct dns *, int on);
int		 dns_is_requery(const struct dns *);
/* Every row has a final status (true with no lookups). */
int		 dns_is_done(const struct dns *);
/* Bumped whenever anything a view shows changed. */
uint64_t	 dns_generation(const struct dns *);

size_t		 dns_nservers(const struct dns *);
const char	*dns_server_at(const struct dns *, size_t);
size_t		 dns_nlookups(const struct dns *);
size_t		 dns_nrows(const struct dns *);
const struct dns_row *dns_row_at(const struct dns *, size_t);
/* Lookups refused by the caps. */
size_t		 dns_ndropped(const struct dns *);
/* From resolv.conf. */
unsigned	 dns_ndots(const struct dns *);
size_t		 dns_nsearch_domains(const struct dns *);
const char	*dns_search_domain_at(const struct dns *, size_t);
unsigned	 dns_timeout_ms(const struct dns *);
unsigned	 dns_tries(const struct dns *);

/* Up to max latency samples (ms) of row, oldest first; returns how many. */
size_t		 dns_row_history(const struct dns_row *, double *out,
		    size_t max);
/*
 * Seconds left at now_ms of the smallest answer TTL (of the negative TTL
 * without answers), 0 once expired; -1 when there is neither.
 */
long		 dns_row_ttl_left(const struct dns_row *, uint64_t now_ms);

/*
 * Passive DNS: an answer seen in the capture (UDP or TCP port 53), from
 * server ("addr:port") to client, latency_ms after its query (< 0 when
 * the query was not seen).  Decoded like our own answers into a row kept
 * in a ring of DNS_MAX_PASSIVE, apart from the lookups; bad bytes give a
 * "bad answer" row, never a crash.
 */
void		 dns_passive_add(struct dns *, const char *client,
		    const char *server, const uint8_t *msg, size_t len,
		    double latency_ms);
/* A query seen in a capture that no answer followed (within the capture's
 * wait, or before the capture ended): a row with status "no answer". */
void		 dns_passive_unanswered(struct dns *, const char *client,
		    const char *server, const uint8_t *query, size_t len);
size_t		 dns_npassive(const struct dns *);
/* Oldest first; the row's server is the one seen, lookup is SIZE_MAX. */
const struct dns_row *dns_passive_at(const struct dns *, size_t);

/*
 * Names of addresses, for labels in every pane: a table fed by the
 * engine's answered rows (our lookups and the passive ones).  An A or
 * AAAA answer names its address with the name that was asked (the first
 * name of a CNAME chain: www.lab.test, not the web.lab.test it aliases);
 * a PTR answer names the address its reverse name (in-addr.arpa,
 * ip6.arpa) spells, unless a forward answer named it (what the user
 * asked for beats what the address' owner calls it: the trace's own PTR
 * lookups must not relabel the target).  Bounded: DNS_NAMES_MAX
 * addresses, the newest win (the oldest is forgotten first; a name
 * learned again counts as new);
 * names longer than DNS_NAMES_NAMELEN - 1 bytes are not kept.  Names are
 * as dns_wire wrote them: views still sanitize them.
 */
#define DNS_NAMES_MAX		4096	/* addresses kept; ~1.2 MB */
#define DNS_NAMES_NAMELEN	256	/* a name's bytes with its NUL */

struct dns_names;

struct dns_names *dns_names_new(void);
void		 dns_names_free(struct dns_names *);
/* Learn from one row: its A, AAAA and PTR answers (rcode 0 only). */
void		 dns_names_add_row(struct dns_names *,
		    const struct dns_row *);
/* Learn one address (family AF_INET/AF_INET6), from a PTR answer when
 * is_reverse; -1 when not kept. */
int		 dns_names_add(struct dns_names *, int family,
		    const uint8_t *addr, const char *name, int is_reverse);
/* The name of the address, or NULL; valid until the next add. */
const char	*dns_names_find(const struct dns_names *, int family,
		    const uint8_t *addr);
size_t		 dns_names_count(const struct dns_names *);
/* Names forgotten to keep the bound. */
uint64_t	 dns_names_nforgotten(const struct dns_names *);
/* Bumped when a name is learned or changes (not on the same again), so
 * views relabel only then. */
uint64_t	 dns_names_generation(const struct dns_names *);
/* "4.3.2.1.in-addr.arpa" -> AF_INET 1.2.3.4 (ip6.arpa too); -1: not one. */
int		 dns_names_parse_reverse(const char *name, int *family,
		    uint8_t addr[16]);

/* The engine's table (never NULL after dns_new). */
const struct dns_names *dns_names(const struct dns *);
/* The name DNS gave address ("192.0.2.1", "2001:db8::1", "[::1]"), or
 * NULL (none known, not an address, d NULL). */
const char	*dns_name_of(const struct dns *, const char *address);

#endif
