/*
 * The HTTP pane's engine: packets from libpcap (live, or a pcap/pcapng
 * file), decoded (pkt_decode), reassembled (tcp_flow), parsed (http_parse,
 * tls_sni; DNS over UDP and TCP port 53 handed to the DNS engine as
 * passive lookups), kept for views in bounded rings.
 *
 * Live capture is non-blocking, its selectable fd in the event loop, in
 * TPACKET_V3 blocks handed over when full or 20 ms old (not libpcap's
 * immediate mode, whose frames waste the ring; see capture_open_live); a file is read in slices from the loop so the TUI stays
 * responsive.  --dump streams every exchange through the sink as it
 * completes, so a file of any size is reported whole in bounded memory.
 */
#ifndef TUBES_MODEL_CAPTURE_H
#define TUBES_MODEL_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct dns;
struct tb_loop;
struct capture;

#define CAPTURE_RING		10000	/* exchanges kept for views */
#define CAPTURE_TLS_RING	2000	/* TLS connections kept */
#define CAPTURE_SNAPLEN		262144
#define CAPTURE_ADDRSTRLEN	56	/* "[v6]:port" */
#define CAPTURE_SLICE_PKTS	4096	/* file packets per loop pass */
#define CAPTURE_FILE_BUF	(256 * 1024)	/* -r read buffer */

/* capture_open's err starts so when live capture lacks the privilege. */
#define CAPTURE_PERM_PREFIX	"live capture needs CAP_NET_RAW"

#define CAPTURE_KIND_HTTP1	1
#define CAPTURE_KIND_H2C	2

struct capture_conf {
	const char	*iface;		/* NULL: "any" */
	const char	*filter;	/* BPF (tcpdump syntax), or NULL */
	const char	*read_path;	/* -r: a file instead of live */
	const char	*write_path;	/* -w: also save packets, or NULL */
	struct dns	*dns;		/* passive DNS into it, or NULL */
};

/* One exchange as views and dumps read it (strings raw: sanitize). */
struct capture_exchange {
	int		 kind;		/* CAPTURE_KIND_* */
	char		 client[CAPTURE_ADDRSTRLEN];	/* "10.0.0.1:41234" */
	char		 server[CAPTURE_ADDRSTRLEN];
	uint64_t	 started_us;	/* first request byte, capture clock
					   (µs since the epoch) */
	const char	*method, *host, *path, *version, *reason;
	const char	*content_type;
	const char	*req_headers, *resp_headers;	/* raw blocks */
	int		 status;	/* 0: no final response */
	unsigned	 ninterim;
	uint64_t	 req_bytes, resp_bytes;
	double		 latency_ms;	/* first request byte -> first byte
					   of the final response; < 0: none */
	double		 total_ms;	/* -> last response byte; < 0 */
	int		 has_request, has_response;
	int		 is_truncated, is_incomplete;
};

struct capture_tls {
	char		 client[CAPTURE_ADDRSTRLEN];
	char		 server[CAPTURE_ADDRSTRLEN];
	uint64_t	 started_us;
	const char	*sni;		/* raw, or NULL */
	const char	*alpn;		/* "h2,http/1.1", or NULL */
	const char	*version;	/* "TLS 1.3" */
};

struct capture_stats {
	uint64_t	 packets, bytes;
	uint64_t	 dropped;	/* pcap_stats: kernel + interface */
	uint64_t	 skipped;	/* not decoded: truncated, unknown */
	uint64_t	 flows, flows_evicted;
	uint64_t	 exchanges, tls, h2c, dns_passive;
	uint64_t	 exchanges_dropped;	/* past the ring (views) */
	uint64_t	 conns_dropped;	/* parsing stopped: over its memory
					   bound */
};

/* Sink for --dump: called for each exchange / TLS hello as found. */
struct capture_sink {
	void	*arg;
	void	(*on_exchange)(void *arg, const struct capture_exchange *);
	void	(*on_tls)(void *arg, const struct capture_tls *);
};

/*
 * Open the capture (live needs CAP_NET_RAW: call before privileges are
 * dropped).  NULL with err filled with one line naming the cause and the
 * fix (libpcap's own message quoted for a bad filter or file).
 */
struct capture	*capture_open(const struct capture_conf *, char *err,
		    size_t errlen);
void		 capture_set_sink(struct capture *, const struct capture_sink *);
int		 capture_attach(struct capture *, struct tb_loop *);
void		 capture_free(struct capture *);

int		 capture_is_live(const struct capture *);
/* A file was read to its end and every flow flushed. */
int		 capture_is_done(const struct capture *);
const char	*capture_source(const struct capture *);	/* "any", path */
const char	*capture_error(const struct capture *);	/* read error, or NULL */
uint64_t	 capture_generation(const struct capture *);
const struct capture_stats *capture_stats(const struct capture *);
/* End of a live sample: report what is pending (orphans), as at the end
 * of a file. */
void		 capture_flush(struct capture *);

/* Newest CAPTURE_RING exchanges, oldest first. */
size_t		 capture_nexchanges(const struct capture *);
const struct capture_exchange *capture_exchange_at(const struct capture *,
		    size_t);
size_t		 capture_ntls(const struct capture *);
const struct capture_tls *capture_tls_at(const struct capture *, size_t);

#endif
