/*
 * The sockets engine: TCP sockets per state from NETLINK_SOCK_DIAG
 * (inet_diag, IPv4 and IPv6), grouped per destination while reading, with
 * per-state history and rates, the kernel's TIME_WAIT counters, and alerts
 * that diagnose TIME_WAIT buildup in plain words.
 *
 * No per-socket table is kept: a refresh counts into a capped group table,
 * so memory stays bounded whatever the number of sockets.
 *
 * Refreshes are asynchronous: sockets_attach() registers the netlink fd and
 * a timer with the loop; each refresh runs as a few netlink dumps drained
 * without blocking.  With a CPU budget (sockets_set_budget()) a tick runs
 * the dump (a "full enumeration") only when the budget allows, and
 * otherwise reads the kernel's O(1) counters: TIME_WAIT count, rates and
 * history then move every tick, groups and alerts at full enumerations.
 * sockets_refresh() is the synchronous form for tests, benchmarks and
 * one-shot use (always a full enumeration).  Everything a view reads goes
 * through the const accessors below and stays valid until the next
 * refresh completes.
 */
#ifndef TUBES_MODEL_SOCKETS_H
#define TUBES_MODEL_SOCKETS_H

#include <stddef.h>
#include <stdint.h>

struct sockets;
struct tb_loop;

/* Kernel TCP state numbers (include/net/tcp_states.h); 0 is unused. */
#define SOCK_NSTATES		13	/* index 1..12 */
#define SOCK_ST_ESTABLISHED	1
#define SOCK_ST_SYN_SENT	2
#define SOCK_ST_SYN_RECV	3
#define SOCK_ST_FIN_WAIT1	4
#define SOCK_ST_FIN_WAIT2	5
#define SOCK_ST_TIME_WAIT	6
#define SOCK_ST_CLOSE		7
#define SOCK_ST_CLOSE_WAIT	8
#define SOCK_ST_LAST_ACK	9
#define SOCK_ST_LISTEN		10
#define SOCK_ST_CLOSING		11
#define SOCK_ST_NEW_SYN_RECV	12

#define SOCK_HISTORY_LEN	120	/* samples kept per state */
#define SOCK_MAX_GROUPS		4096	/* cap; extra groups are counted */
#define SOCK_MAX_ALERTS		16
#define SOCK_TW_LEN_MS		60000	/* TCP_TIMEWAIT_LEN, fixed in Linux */

/* "ESTABLISHED", "TIME_WAIT", ... as ss -tan prints them but with '_'. */
const char	*sockets_state_name(int state);

struct sockets_summary {
	uint64_t	 generation;	/* bumped when a refresh completes */
	uint64_t	 at_ms;		/* tb_now_ms() of the last refresh */
	uint64_t	 refresh_us;	/* wall time the last refresh took */
	unsigned	 count[SOCK_NSTATES];	/* sockets per state */
	unsigned	 total;
	int		 has_rates;	/* two refreshes seen: rates valid */
	double		 rate[SOCK_NSTATES];	/* change per second */
	uint16_t	 port_lo, port_hi;	/* ip_local_port_range */
	unsigned	 nports;		/* port_hi - port_lo + 1 */
	long		 tw_max_buckets;	/* -1 unknown */
	int		 tw_reuse;		/* tcp_tw_reuse, -1 unknown */
	double		 tw_bucket_pct;		/* TIME_WAIT / tw_max_buckets */
	/* TcpExt counters from /proc/net/netstat; -1 when unreadable. */
	int64_t		 tw_total;		/* TcpExt: TW */
	int64_t		 tw_overflow;		/* TCPTimeWaitOverflow */
	int64_t		 abort_on_close;	/* TCPAbortOnClose */
	double		 tw_new_per_s;		/* d(TW)/dt, valid if has_rates */
	double		 tw_overflow_per_s;
	double		 abort_on_close_per_s;
	unsigned	 ngroups;		/* groups this refresh */
	unsigned	 groups_dropped;	/* sockets in groups over the cap */
	unsigned	 parse_errors;		/* malformed netlink messages */
	/*
	 * Full enumerations (the dump: groups, alerts, every state count).
	 * Between them a tick bumps generation only: count[TIME_WAIT] from
	 * /proc/net/sockstat, the TcpExt/Tcp rates, one history sample.
	 */
	uint64_t	 full_generation;	/* bumped by full ones only */
	uint64_t	 full_at_ms;		/* tb_now_ms() of the last */
	unsigned	 full_interval_ms;	/* between them now (ticks) */
	double		 full_cpu_ms;		/* thread CPU the last took */
	int		 is_budgeted;		/* full_interval_ms > tick */
	/* Tcp counters from /proc/net/snmp; -1 when unreadable. */
	int64_t		 curr_estab;		/* ESTABLISHED + CLOSE_WAIT */
	double		 active_opens_per_s;	/* valid if has_rates */
	double		 passive_opens_per_s;
};

#define SOCK_SIDE_CLIENT	0	/* local port ephemeral: holds ports */
#define SOCK_SIDE_SERVER	1	/* local port is a listener: harmless */

struct sockets_group {
	int		 family;		/* AF_INET or AF_INET6 */
	int		 side;			/* SOCK_SIDE_* */
	/*
	 * Client side: local address -> remote address:port (the destination).
	 * Server side: local address:port (the service) <- remote address,
	 * and remote_str carries "addr:*" since peers' ports vary.
	 */
	char		 local_str[56];		/* "127.0.0.1" / "[::1]:8080" */
	char		 remote_str[56];	/* "127.0.0.1:8080" / "[::1]:443" */
	uint8_t		 local_addr[16], remote_addr[16];
	uint16_t	 local_port, remote_port;	/* 0 when aggregated */
	unsigned	 count[SOCK_NSTATES];
	unsigned	 total;
	unsigned	 ports_used;	/* client side: ephemeral ports held */
	double		 port_pressure_pct;	/* ports_used / nports * 100 */
	int		 has_rates;
	double		 new_per_s;	/* sockets entering TIME_WAIT per s */
	double		 growth_per_s;	/* change of ports_used per s */
	double		 full_in_s;	/* time to exhaust the range; -1 never */
	int		 pid;		/* owning process seen, 0 unknown */
	char		 comm[16];	/* raw /proc comm: sanitize to show */
	int		 is_alerting;
};

#define SOCK_ALERT_INFO		0	/* harmless, worth knowing */
#define SOCK_ALERT_WARN		1
#define SOCK_ALERT_CRIT		2

struct sockets_alert {
	const char	*kind;		/* "time_wait_buildup", ... (static) */
	int		 severity;	/* SOCK_ALERT_* */
	char		 remote[56];	/* group's remote_str, "" if global */
	char		 message[320];	/* plain words, ASCII + "—" only */
};

struct sockets	*sockets_new(char *err, size_t errlen);
void		 sockets_free(struct sockets *);

/* Refresh every interval_ms through the loop (the first one at once). */
int		 sockets_attach(struct sockets *, struct tb_loop *,
		    unsigned interval_ms);
void		 sockets_set_interval(struct sockets *, unsigned interval_ms);
/*
 * Keep full enumerations under pct percent of one core (their measured
 * CPU time over the time between their starts), never more often than
 * each tick.  0, the default, runs one at every tick.
 */
void		 sockets_set_budget(struct sockets *, double pct);
/* Synchronous refresh; 0 or -1 with err filled. */
int		 sockets_refresh(struct sockets *, char *err, size_t errlen);
/* Non-empty after an asynchronous refresh failed. */
const char	*sockets_error(const struct sockets *);

const struct sockets_summary *sockets_summary(const struct sockets *);
/* Up to max history samples for state, oldest first; returns how many. */
size_t		 sockets_history(const struct sockets *, int state,
		    unsigned *out, size_t max);
/* Groups sorted by total sockets, largest first. */
size_t		 sockets_ngroups(const struct sockets *);
const struct sockets_group *sockets_group_at(const struct sockets *, size_t);
size_t		 sockets_nalerts(const struct sockets *);
const struct sockets_alert *sockets_alert_at(const struct sockets *, size_t);

#endif
