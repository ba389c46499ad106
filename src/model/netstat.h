/*
 * Kernel TCP counters and sysctls from /proc: the TcpExt lines of
 * /proc/net/netstat, ip_local_port_range and single-number sysctls.  The
 * parsers are pure functions over text (untrusted, possibly truncated);
 * the readers only fetch the file of the current network namespace.
 */
#ifndef TUBES_MODEL_NETSTAT_H
#define TUBES_MODEL_NETSTAT_H

#include <stddef.h>
#include <stdint.h>

#define NETSTAT_PATH		"/proc/net/netstat"
#define NETSTAT_PORT_RANGE	"/proc/sys/net/ipv4/ip_local_port_range"
#define NETSTAT_TW_BUCKETS	"/proc/sys/net/ipv4/tcp_max_tw_buckets"
#define NETSTAT_TW_REUSE	"/proc/sys/net/ipv4/tcp_tw_reuse"

/* TcpExt counters; a field is -1 when absent or unparsable. */
struct netstat_tcpext {
	int64_t		 tw;		/* TW: TIME_WAITs ended */
	int64_t		 tw_overflow;	/* TCPTimeWaitOverflow */
	int64_t		 abort_on_close;	/* TCPAbortOnClose */
};

/*
 * Parse the "TcpExt:" header line and the value line that follows it.
 * 0 when the pair was found (fields may still be -1), -1 otherwise.
 */
int	netstat_parse(const char *text, size_t len, struct netstat_tcpext *);
/* "32768\t60999\n" -> lo, hi; -1 unless 0 < lo <= hi <= 65535. */
int	netstat_parse_port_range(const char *text, size_t len, uint16_t *lo,
	    uint16_t *hi);
/* One decimal number, optionally negative, surrounded by white space. */
int	netstat_parse_long(const char *text, size_t len, long *);

/* Readers: 0, or -1 with errno set (or EINVAL on bad contents). */
int	netstat_read(const char *path, struct netstat_tcpext *);
int	netstat_read_port_range(const char *path, uint16_t *lo,
	    uint16_t *hi);
int	netstat_read_long(const char *path, long *);

#endif
