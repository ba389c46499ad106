/*
 * Kernel TCP counters and sysctls from /proc: the TcpExt lines of
 * /proc/net/netstat, the Tcp lines of /proc/net/snmp, the TCP lines of
 * /proc/net/sockstat{,6}, ip_local_port_range and single-number sysctls.
 * All are O(1) for the kernel whatever the number of sockets.  The parsers
 * are pure functions over text (untrusted, possibly truncated); the
 * readers only fetch the file of the current network namespace.
 */
#ifndef TUBES_MODEL_NETSTAT_H
#define TUBES_MODEL_NETSTAT_H

#include <stddef.h>
#include <stdint.h>

#define NETSTAT_PATH		"/proc/net/netstat"
#define NETSTAT_SNMP		"/proc/net/snmp"
#define NETSTAT_SOCKSTAT	"/proc/net/sockstat"
#define NETSTAT_SOCKSTAT6	"/proc/net/sockstat6"
#define NETSTAT_PORT_RANGE	"/proc/sys/net/ipv4/ip_local_port_range"
#define NETSTAT_TW_BUCKETS	"/proc/sys/net/ipv4/tcp_max_tw_buckets"
#define NETSTAT_TW_REUSE	"/proc/sys/net/ipv4/tcp_tw_reuse"

/* TcpExt counters; a field is -1 when absent or unparsable. */
struct netstat_tcpext {
	int64_t		 tw;		/* TW: TIME_WAITs ended */
	int64_t		 tw_overflow;	/* TCPTimeWaitOverflow */
	int64_t		 abort_on_close;	/* TCPAbortOnClose */
};

/* "Tcp:" counters of /proc/net/snmp; a field is -1 when absent. */
struct netstat_snmp {
	int64_t		 curr_estab;	/* ESTABLISHED + CLOSE_WAIT */
	int64_t		 active_opens;	/* ActiveOpens: connect()s begun */
	int64_t		 passive_opens;	/* PassiveOpens: accepted SYNs */
	int64_t		 attempt_fails;	/* AttemptFails */
	int64_t		 estab_resets;	/* EstabResets */
};

/*
 * The "TCP:" line of /proc/net/sockstat and "TCP6:" of sockstat6; a field
 * is -1 when absent.  tw counts TIME_WAIT of both families (one death row
 * per namespace); inuse counts hashed sockets (listeners, connected, not
 * TIME_WAIT) of one family.
 */
struct netstat_sockstat {
	int64_t		 inuse;		/* TCP: inuse (IPv4) */
	int64_t		 orphan;
	int64_t		 tw;		/* TIME_WAIT sockets, all families */
	int64_t		 alloc;
	int64_t		 mem;		/* pages */
	int64_t		 inuse6;	/* TCP6: inuse */
};

/*
 * Parse the "TcpExt:" header line and the value line that follows it.
 * 0 when the pair was found (fields may still be -1), -1 otherwise.
 */
int	netstat_parse(const char *text, size_t len, struct netstat_tcpext *);
/* The "Tcp:" header and value lines of snmp text; 0 or -1 as above. */
int	netstat_parse_snmp(const char *text, size_t len, struct netstat_snmp *);
/*
 * The "TCP:" line of sockstat text (fills all but inuse6), or with
 * is_v6 the "TCP6:" line of sockstat6 text (fills inuse6 only).
 * 0 when the line was found (fields may still be -1), -1 otherwise.
 */
int	netstat_parse_sockstat(const char *text, size_t len, int is_v6,
	    struct netstat_sockstat *);
/* "32768\t60999\n" -> lo, hi; -1 unless 0 < lo <= hi <= 65535. */
int	netstat_parse_port_range(const char *text, size_t len, uint16_t *lo,
	    uint16_t *hi);
/* One decimal number, optionally negative, surrounded by white space. */
int	netstat_parse_long(const char *text, size_t len, long *);

/* Readers: 0, or -1 with errno set (or EINVAL on bad contents). */
int	netstat_read(const char *path, struct netstat_tcpext *);
int	netstat_read_snmp(const char *path, struct netstat_snmp *);
/* sockstat6 may be missing (no IPv6): inuse6 then stays -1. */
int	netstat_read_sockstat(const char *path, const char *path6,
	    struct netstat_sockstat *);
int	netstat_read_port_range(const char *path, uint16_t *lo,
	    uint16_t *hi);
int	netstat_read_long(const char *path, long *);

#endif
