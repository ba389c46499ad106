/*
 * tubes: argv, then either the TUI or a headless --dump, both driven by one
 * event loop over the same models.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "opts.h"
#include "priv.h"
#include "sanitize.h"
#include "dump/dump.h"
#include "model/capture.h"
#include "model/dns.h"
#include "model/dns_query.h"
#include "model/dns_wire.h"
#include "model/fetch.h"
#include "model/journey.h"
#include "model/probe.h"
#include "model/sockets.h"
#include "model/trace.h"
#include "view/ui.h"
#include "lab/lab.h"

/* Extra time a --dump may take past its sample before giving up. */
#define DUMP_GRACE_MS	10000
/* After --fetch ends, the most a --dump waits for the capture and the
 * sockets to see what it did. */
#define DUMP_FETCH_GRACE_MS	1000

struct run {
	const struct tb_opts	*opts;
	struct tb_loop		*loop;
	struct sockets		*sockets;
	struct dns		*dns;		/* the dns pane's, or the target's */
	int			 is_dns_pane;
	/* The target (the first TARGET): one address feeds the trace, the
	 * fetch and the journey.  A literal, or the A/AAAA lookup. */
	const struct tb_target	*target;	/* NULL: none */
	int			 tgt_family;	/* AF_INET, AF_INET6 */
	uint8_t			 tgt_addr[16];
	int			 has_tgt_addr;
	char			 tgt_address[INET6_ADDRSTRLEN];
	long			 tgt_lookup;	/* pending lookup, else -1 */
	long			 tgt_lookup_row;	/* the same, kept: the
						   journey's; -1 */
	char			 tgt_host[TB_SAN_BOUND(256)];	/* shown */
	int			 is_tgt_failed;	/* no address after all */
	char			 tgt_why[TB_SAN_BOUND(256) + 160];
	struct probe		*probe;		/* the trace pane has a target */
	struct trace		*trace;		/* NULL until its address is known */
	char			 trace_why[TB_SAN_BOUND(256) + 160];	/* "" */
	char			 probe_note[256];	/* probe_open's */
	struct capture		*capture;	/* the http pane's */
	char			 capture_why[512];	/* no capture: why */
	struct fetch		*fetch;		/* --fetch, once the address is
						   known */
	int			 is_fetch_failed;	/* could not start */
	char			 fetch_why[512];	/* why, for the TUI */
	uint64_t		 fetch_done_ms;	/* tb_now_ms() it ended, 0 */
	struct journey		 journey;
	struct ui_models	 models;
	uint64_t		 need_gen;	/* refreshes a dump waits for */
	uint64_t		 fetch_sock_gen;	/* a refresh after the fetch */
	int			 is_fetch_grace;	/* waiting for it */
	int			 is_failed;
	int			 is_dns_deadline;	/* -t expired */
	int			 is_capture_deadline;	/* -t expired (live) */
};

static void
run_on_signal(int signo, void *arg)
{
	struct run	*r = arg;

	(void)signo;
	tb_loop_stop(r->loop);
}

/* A file is read to its end whatever -t says. */
static int
run_is_reading(const struct run *r)
{
	return r->capture != NULL && !capture_is_live(r->capture) &&
	    !capture_is_done(r->capture);
}

static void
run_on_deadline(void *arg)
{
	struct run	*r = arg;

	/* Reading a file always ends: the deadline is for the others. */
	if (run_is_reading(r)) {
		tb_loop_timer(r->loop, tb_now_ms() + 1000, run_on_deadline, r);
		return;
	}
	tb_warnx("--dump: sample did not finish in time");
	r->is_failed = 1;
	tb_loop_stop(r->loop);
}

static void
run_on_wake(void *arg)
{
	(void)arg;
}

/* With -t: DNS rows still unanswered are reported as "pending". */
static void
run_on_dns_deadline(void *arg)
{
	struct run	*r = arg;

	r->is_dns_deadline = 1;
}

static void
run_on_capture_deadline(void *arg)
{
	struct run	*r = arg;

	r->is_capture_deadline = 1;
}

/* The fetch's last exchange (or ClientHello) is in the capture. */
static int
dump_capture_has_fetch(const struct run *r)
{
	const struct capture_exchange	*x;
	const struct capture_tls	*t;
	char				 ep[INET6_ADDRSTRLEN + 16];
	size_t				 n;

	if (r->capture == NULL || !capture_is_live(r->capture))
		return 1;
	snprintf(ep, sizeof(ep), r->tgt_family == AF_INET6 ? "[%s]:%d" :
	    "%s:%d", r->tgt_address, r->target->port);
	if (r->target->is_https) {
		n = capture_ntls(r->capture);
		t = n > 0 ? capture_tls_at(r->capture, n - 1) : NULL;
		return t != NULL && strcmp(t->server, ep) == 0;
	}
	n = capture_nexchanges(r->capture);
	x = n > 0 ? capture_exchange_at(r->capture, n - 1) : NULL;
	return x != NULL && strcmp(x->server, ep) == 0 && x->has_response;
}

/*
 * --fetch in a --dump: wait for it to end (its own timeouts bound it),
 * then for the capture to show its exchange and the sockets a refresh
 * after it (its TIME_WAIT), at most DUMP_FETCH_GRACE_MS.
 */
static int
dump_fetch_seen(struct run *r)
{
	if (r->opts->fetch_count == 0 || r->is_fetch_failed ||
	    r->is_tgt_failed || (r->target != NULL && r->dns == NULL &&
	    !r->has_tgt_addr))
		return 1;
	if (r->fetch == NULL || r->fetch_done_ms == 0)
		return 0;
	if (!r->is_fetch_grace) {
		r->is_fetch_grace = 1;
		/* Wakes the loop for the check below. */
		tb_loop_timer(r->loop, r->fetch_done_ms + DUMP_FETCH_GRACE_MS,
		    run_on_wake, r);
		/* Refreshes come soon; the second one from now began after
		 * the closes (one may be half-read at this moment). */
		if (r->sockets != NULL) {
			r->fetch_sock_gen =
			    sockets_summary(r->sockets)->generation + 2;
			sockets_set_interval(r->sockets, 10);
		}
	}
	if (tb_now_ms() >= r->fetch_done_ms + DUMP_FETCH_GRACE_MS)
		return 1;
	if (r->sockets != NULL &&
	    sockets_summary(r->sockets)->generation < r->fetch_sock_gen)
		return 0;
	return dump_capture_has_fetch(r);
}

/* Before-sleep hook of --dump: stop once every pane has what it needs. */
static void
dump_check_done(void *arg)
{
	struct run	*r = arg;
	const char	*e;

	if (r->sockets != NULL && *(e = sockets_error(r->sockets)) != '\0') {
		tb_warnx("sockets: %s", e);
		r->is_failed = 1;
		tb_loop_stop(r->loop);
		return;
	}
	if (r->sockets != NULL &&
	    sockets_summary(r->sockets)->generation < r->need_gen)
		return;
	if (r->dns != NULL && !dns_is_done(r->dns) && !r->is_dns_deadline)
		return;
	if (r->probe != NULL && (r->trace != NULL ? !trace_is_done(r->trace) :
	    r->tgt_lookup >= 0))
		return;
	if (run_is_reading(r) || (r->capture != NULL &&
	    capture_is_live(r->capture) && !r->is_capture_deadline))
		return;
	if (!dump_fetch_seen(r))
		return;
	tb_loop_stop(r->loop);
}

/*
 * Live capture needs privilege: open it while we have it.  Without it the
 * pane (and a --dump of the default panes) says how to grant it and the
 * rest runs; asked for in a --dump (by name, or by -i, -f or -w), it is
 * the error.
 */
static void
open_capture(struct run *r)
{
	const struct tb_opts	*o = r->opts;
	struct capture_conf	 conf;
	char			 err[sizeof(r->capture_why)];

	if (!(o->panes & TB_PANE_HTTP))
		return;
	memset(&conf, 0, sizeof(conf));
	conf.iface = o->iface;
	conf.filter = o->filter;
	conf.read_path = o->read_path;
	conf.write_path = o->write_path;
	conf.dns = r->is_dns_pane ? r->dns : NULL;
	if ((r->capture = capture_open(&conf, err, sizeof(err))) != NULL)
		return;
	/* A report that asked for the capture (the pane by name, or a
	 * capture option) fails without it; otherwise the others report. */
	if (strncmp(err, CAPTURE_PERM_PREFIX,
	    strlen(CAPTURE_PERM_PREFIX)) != 0 ||
	    (o->is_dump && (o->is_panes_given || o->iface != NULL ||
	    o->filter != NULL || o->write_path != NULL)))
		tb_fatalx("%s", err);
	snprintf(r->capture_why, sizeof(r->capture_why), "%s", err);
}

/* The TARGET's host: A and AAAA (as -4/-6 allow), or PTR for an address. */
static void
dns_add_target(struct dns *d, const struct tb_opts *o,
    const struct tb_target *t)
{
	char	rev[DNS_QUERY_NAMELEN];

	if (dns_reverse_name(t->host, rev, sizeof(rev)) == 0) {
		dns_lookup_add(d, rev, DNS_T_PTR);
		return;
	}
	if (dns_name_check(t->host, NULL, 0) == -1) {
		tb_warnx("dns: target host is not a DNS name: not looked up");
		return;
	}
	if (o->family != 6)
		dns_lookup_add(d, t->host, DNS_T_A);
	if (o->family != 4)
		dns_lookup_add(d, t->host, DNS_T_AAAA);
}

static int
is_address(const char *host)
{
	uint8_t	a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/*
 * A DNS engine without the dns pane: a hostname target to resolve for
 * the trace, the fetch or the capture's journey (not with -r: a file's
 * target only filters what it shows), or servers named with -s for the
 * trace's reverse names.
 */
static int
target_needs_dns(const struct tb_opts *o)
{
	if (o->ntargets == 0)
		return 0;
	if (is_address(o->targets[0].host))
		/* Reverse names of the hops: only with servers named
		 * (no lookup the user did not ask for). */
		return (o->panes & TB_PANE_TRACE) && o->nservers > 0 &&
		    !o->is_numeric;
	return (o->panes & TB_PANE_TRACE) || o->fetch_count > 0 ||
	    ((o->panes & TB_PANE_HTTP) && o->read_path == NULL);
}

static struct dns *
open_dns(const struct tb_opts *o)
{
	struct dns_conf	 conf;
	struct dns	*d;
	char		 err[256];
	size_t		 i;

	if (!(o->panes & TB_PANE_DNS) && !target_needs_dns(o))
		return NULL;
	memset(&conf, 0, sizeof(conf));
	conf.servers = o->servers;
	conf.nservers = o->nservers;
	conf.timeout_ms = (unsigned)o->dns_timeout_ms;
	conf.tries = (unsigned)o->dns_tries;
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL)
		tb_fatalx("dns: %s", err);
	if (!(o->panes & TB_PANE_DNS))
		return d;	/* the target adds its own lookup */
	for (i = 0; i < o->ntargets; i++)
		dns_add_target(d, o, &o->targets[i]);
	for (i = 0; i < o->nqueries; i++)
		dns_lookup_add(d, o->queries[i].name, o->queries[i].type);
	return d;
}

/* The longest the DNS schedule can take: every lookup's tries timing out
 * through the whole search list and a TCP retry, in batches. */
static uint64_t
dns_worst_ms(const struct dns *d)
{
	uint64_t	per;

	per = (uint64_t)dns_tries(d) * dns_timeout_ms(d) *
	    (dns_nsearch_domains(d) + 2);
	return per * (1 + dns_nlookups(d) / DNS_MAX_INFLIGHT);
}

static struct sockets *
open_sockets(const struct tb_opts *o)
{
	struct sockets	*s;
	char		 err[256];

	if (!(o->panes & TB_PANE_SOCKETS))
		return NULL;
	if ((s = sockets_new(err, sizeof(err))) == NULL)
		tb_fatalx("sockets: %s", err);
	return s;
}

/* --- the target ----------------------------------------------------- */

/* Addresses no route leads to one host through routers. */
static const char *
trace_unusable(int family, const uint8_t *a)
{
	static const uint8_t	zero[16];

	if (family == AF_INET) {
		if (memcmp(a, zero, 4) == 0)
			return "the unspecified address";
		if ((a[0] & 0xf0) == 0xe0)
			return "a multicast address";
		if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
			return "the broadcast address";
		return NULL;
	}
	if (memcmp(a, zero, 16) == 0)
		return "the unspecified address";
	if (a[0] == 0xff)
		return "a multicast address";
	return NULL;
}

/* The lookup giving the target's address: the dns pane's, or ours. */
static long
target_lookup_find(struct run *r, const char *host, uint16_t type)
{
	const struct dns_row	*row;
	size_t			 i, n;

	for (i = 0, n = dns_nrows(r->dns); i < n; i++) {
		row = dns_row_at(r->dns, i);
		if (row->type == type && strcmp(row->name, host) == 0)
			return (long)row->lookup;
	}
	return dns_lookup_add(r->dns, host, type);
}

/* The path of a URL target ("/" when it has none), for the request. */
static void
target_path(const struct tb_target *t, char *buf, size_t len)
{
	const char	*p = strstr(t->input, "://");
	size_t		 n;

	p = p != NULL ? p + 3 : t->input;
	if ((p = strchr(p, '/')) == NULL)
		p = "/";
	n = strcspn(p, "#");
	snprintf(buf, len, "%.*s", (int)n, p);
}

/* A request line carries the path as is: no blank or control byte. */
static void
fetch_check_path(const struct tb_target *t)
{
	char		 path[4200], shown[TB_SAN_BOUND(64)];
	const char	*p;

	target_path(t, path, sizeof(path));
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			break;
	if (*p == '\0' && strlen(path) <= 4096)
		return;
	tb_sanitize(shown, sizeof(shown), path, strlen(path), 64, 0);
	tb_usage_error("cannot fetch the path %s: percent-encode its blanks "
	    "and control bytes (at most 4096 bytes)", shown);
}

/*
 * The target's family (its literal's, else A, AAAA with -6) and, for a
 * name, the lookup that will give its address.  Before the trace opens
 * its probe sockets: they need the family.
 */
static void
open_target(struct run *r)
{
	const struct tb_opts	*o = r->opts;
	const struct tb_target	*t;
	const char		*why;
	int			 is_trace = (o->panes & TB_PANE_TRACE) != 0;

	r->tgt_lookup = r->tgt_lookup_row = -1;
	if (o->ntargets == 0)
		return;
	r->target = t = &o->targets[0];
	tb_sanitize_str(r->tgt_host, sizeof(r->tgt_host), t->host);
	if (o->fetch_count > 0)
		fetch_check_path(t);
	if (inet_pton(AF_INET, t->host, r->tgt_addr) == 1)
		r->tgt_family = AF_INET;
	else if (inet_pton(AF_INET6, t->host, r->tgt_addr) == 1)
		r->tgt_family = AF_INET6;
	else {
		r->tgt_family = o->family == 6 ? AF_INET6 : AF_INET;
		if (r->dns == NULL)
			return;
		r->tgt_lookup = target_lookup_find(r, t->host,
		    r->tgt_family == AF_INET ? DNS_T_A : DNS_T_AAAA);
		r->tgt_lookup_row = r->tgt_lookup;
		if (r->tgt_lookup == -1 && (is_trace || o->fetch_count > 0))
			tb_usage_error("cannot %s %s: not a DNS name",
			    is_trace ? "trace" : "fetch", r->tgt_host);
		return;
	}
	if ((r->tgt_family == AF_INET && o->family == 6) ||
	    (r->tgt_family == AF_INET6 && o->family == 4))
		tb_usage_error("cannot %s %s with -%d: it is an IPv%d "
		    "address", is_trace ? "trace" : "reach", t->host,
		    o->family, r->tgt_family == AF_INET ? 4 : 6);
	if (is_trace && (why = trace_unusable(r->tgt_family,
	    r->tgt_addr)) != NULL)
		tb_usage_error("cannot trace %s: %s", t->host, why);
	r->has_tgt_addr = 1;
	inet_ntop(r->tgt_family, r->tgt_addr, r->tgt_address,
	    sizeof(r->tgt_address));
	r->models.target_address = r->tgt_address;
}

static void
trace_start(struct run *r, const uint8_t *addr)
{
	const struct tb_opts	*o = r->opts;
	struct trace_conf	 conf;
	char			 err[256];

	memset(&conf, 0, sizeof(conf));
	conf.family = r->tgt_family;
	memcpy(conf.addr, addr, r->tgt_family == AF_INET ? 4 : 16);
	conf.proto = o->proto;
	conf.first_ttl = (unsigned)o->first_ttl;
	conf.max_ttl = (unsigned)o->max_ttl;
	conf.interval_ms = (unsigned)o->refresh_ms;
	conf.cycles = o->is_dump ? (unsigned)o->count : 0;
	conf.is_back_to_back = o->is_dump;
	conf.is_ecmp = o->is_ecmp;
	conf.dns = o->is_numeric ? NULL : r->dns;
	conf.mode_note = r->probe_note;
	if ((r->trace = trace_new(&conf, r->probe, r->loop, err,
	    sizeof(err))) == NULL)
		tb_fatalx("%s", err);
	r->trace_why[0] = '\0';
	r->models.trace = r->trace;
	r->models.trace_why = NULL;
}

/*
 * The trace pane starts over towards another address of the target's
 * family (a DNS answer the user picked), on the probe sockets opened
 * while privileged.  Anything else is refused quietly.
 */
static void
run_retrace(void *arg, const char *address)
{
	struct run	*r = arg;
	uint8_t		 addr[16];

	if (r->probe == NULL || address == NULL ||
	    inet_pton(r->tgt_family, address, addr) != 1 ||
	    trace_unusable(r->tgt_family, addr) != NULL)
		return;
	r->models.trace = NULL;
	trace_free(r->trace);
	r->trace = NULL;
	trace_start(r, addr);
}

/* Open the probe sockets now, while privileged.  An address target
 * starts at once; a hostname once the target has its address. */
static void
open_trace(struct run *r)
{
	const struct tb_opts	*o = r->opts;
	const struct tb_target	*t = r->target;
	char			 err[512];
	uint16_t		 port = 0;

	if (!(o->panes & TB_PANE_TRACE) || t == NULL)
		return;
	if (o->port > 0)
		port = (uint16_t)o->port;
	else if (o->proto == PROBE_P_TCP && t->port > 0)
		port = (uint16_t)t->port;
	if ((r->probe = probe_open(r->tgt_family, o->proto, port, err,
	    sizeof(err), r->probe_note, sizeof(r->probe_note))) == NULL)
		tb_fatalx("trace: %s", err);
	r->models.trace = NULL;
	r->models.retrace = run_retrace;
	r->models.retrace_arg = r;
	if (r->has_tgt_addr) {
		trace_start(r, r->tgt_addr);
		return;
	}
	/* The pane says "resolving x", then why it failed, if it does. */
	snprintf(r->trace_why, sizeof(r->trace_why), "resolving %s",
	    r->tgt_host);
	r->models.trace_why = r->trace_why;
}

/* --fetch: its sockets need no privilege, so it starts after the drop. */
static void
fetch_start(struct run *r)
{
	const struct tb_opts	*o = r->opts;
	struct fetch_conf	 conf;
	char			 path[4200], err[256];

	memset(&conf, 0, sizeof(conf));
	conf.family = r->tgt_family;
	memcpy(conf.addr, r->tgt_addr, sizeof(conf.addr));
	conf.port = (uint16_t)r->target->port;
	conf.host = r->target->host;
	target_path(r->target, path, sizeof(path));
	conf.path = path;
	conf.is_https = r->target->is_https;
	conf.count = o->fetch_count;
	conf.concurrency = o->fetch_concurrency;
	conf.keepalive = o->fetch_keepalive;
	if ((r->fetch = fetch_new(&conf, err, sizeof(err))) == NULL) {
		/* Not on stderr under curses: the journey view says it. */
		if (r->opts->is_dump)
			tb_warnx("%s", err);
		snprintf(r->fetch_why, sizeof(r->fetch_why), "%s", err);
		r->models.fetch_why = r->fetch_why;
		r->is_fetch_failed = 1;
		return;
	}
	r->models.fetch = r->fetch;
	fetch_attach(r->fetch, r->loop);
}

static void
target_found(struct run *r, const uint8_t *addr)
{
	memcpy(r->tgt_addr, addr, r->tgt_family == AF_INET ? 4 : 16);
	r->has_tgt_addr = 1;
	inet_ntop(r->tgt_family, r->tgt_addr, r->tgt_address,
	    sizeof(r->tgt_address));
	r->models.target_address = r->tgt_address;
	if (r->probe != NULL)
		trace_start(r, addr);
}

/* An address from the target's lookup: 1 found, -1 none, 0 waiting. */
static int
target_from_answers(struct run *r)
{
	const struct dns_row	*row;
	uint16_t		 type;
	uint8_t			 addr[16];
	const char		*status = "no answer";
	size_t			 i, k, n, nmine = 0, ndone = 0;

	type = r->tgt_family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	for (i = 0, n = dns_nrows(r->dns); i < n; i++) {
		row = dns_row_at(r->dns, i);
		if (row->lookup != (size_t)r->tgt_lookup)
			continue;
		nmine++;
		if (!row->is_done)
			continue;
		ndone++;
		status = row->status;
		for (k = 0; k < row->nanswers; k++)
			if (row->answers[k].type == type &&
			    inet_pton(r->tgt_family, row->answers[k].data,
			    addr) == 1 && trace_unusable(r->tgt_family,
			    addr) == NULL) {
				target_found(r, addr);
				return 1;
			}
	}
	if (ndone < nmine)
		return 0;
	snprintf(r->tgt_why, sizeof(r->tgt_why), "%s: no IPv%d address "
	    "(%s%s)", r->tgt_host, r->tgt_family == AF_INET ? 4 : 6, status,
	    strcmp(status, "NXDOMAIN") == 0 ? ": the name does not exist; "
	    "check it, or ask another server with -s" :
	    strcmp(status, "NOERROR") == 0 ? r->tgt_family == AF_INET ?
	    ": it has none; try -6" : ": it has none; try -4" : "");
	if (r->probe != NULL)
		snprintf(r->trace_why, sizeof(r->trace_why), "%s",
		    r->tgt_why);
	return -1;
}

/* Before-sleep hook: once the target has an address, the trace and the
 * fetch start. */
static void
target_poll(void *arg)
{
	struct run	*r = arg;

	if (r->tgt_lookup >= 0 && !r->has_tgt_addr &&
	    target_from_answers(r) != 0) {
		r->tgt_lookup = -1;
		if (!r->has_tgt_addr)
			r->is_tgt_failed = 1;
	}
	if (r->has_tgt_addr && r->opts->fetch_count > 0 && r->fetch == NULL &&
	    !r->is_fetch_failed)
		fetch_start(r);
	if (r->fetch != NULL && r->fetch_done_ms == 0 &&
	    fetch_is_done(r->fetch))
		r->fetch_done_ms = tb_now_ms();
}

/* What the journey reads, as the TUI's models carry it too. */
static void
run_journey(struct run *r)
{
	struct journey_src	src;

	memset(&src, 0, sizeof(src));
	src.target = r->target;
	src.dns = r->dns;
	src.lookup = r->tgt_lookup_row;
	src.address = r->has_tgt_addr ? r->tgt_address : NULL;
	src.fetch = r->fetch;
	src.capture = r->capture;
	src.sockets = r->sockets;
	journey_compute(&r->journey, &src, tb_now_us());
}

/* The longest a --dump trace may take: every TTL window of every cycle
 * timing out at the longest timeout. */
static uint64_t
trace_worst_ms(const struct tb_opts *o)
{
	uint64_t	ttls = o->max_ttl != 0 ? (uint64_t)o->max_ttl : 30;

	return (uint64_t)o->count * (ttls / 4 + 2) * 3000;
}

static void
run_signals(struct run *r)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t			 i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (tb_loop_signal(r->loop, sigs[i], run_on_signal, r) == -1)
			tb_fatal("signalfd");
	signal(SIGPIPE, SIG_IGN);
}

/* How long past its sample a --dump may take before giving up. */
static uint64_t
dump_worst_ms(const struct run *r)
{
	const struct tb_opts	*o = r->opts;
	uint64_t		 ms = DUMP_GRACE_MS, lookup_ms = 0;

	if (r->dns != NULL) {
		lookup_ms = (uint64_t)dns_tries(r->dns) *
		    dns_timeout_ms(r->dns) * (dns_nsearch_domains(r->dns) + 2);
		if (o->duration_ms < 0)
			ms += dns_worst_ms(r->dns);
	}
	/* The trace's reverse names are lookups added later: room for one
	 * more batch of them. */
	if (r->probe != NULL)
		ms += trace_worst_ms(o) + lookup_ms;
	/* Each wave of requests may time out; the target's lookup first. */
	if (o->fetch_count > 0)
		ms += lookup_ms + DUMP_FETCH_GRACE_MS + (uint64_t)FETCH_TIMEOUT_MS *
		    (uint64_t)((o->fetch_count + o->fetch_concurrency - 1) /
		    o->fetch_concurrency);
	return ms;
}

/* The report is written: the exit status says what failed. */
static int
dump_status(const struct run *r)
{
	if (r->is_failed)
		return 1;
	if (r->capture != NULL && capture_error(r->capture) != NULL) {
		tb_warnx("%s", capture_error(r->capture));
		return 1;
	}
	/* The report says it too; the exit status is a runtime failure. */
	if (r->is_tgt_failed && (r->probe != NULL || r->opts->fetch_count > 0)) {
		tb_warnx("%s: %s", r->probe != NULL ? "trace" : "fetch",
		    r->tgt_why);
		return 1;
	}
	if (r->trace != NULL && trace_error(r->trace) != NULL) {
		tb_warnx("trace: %s", trace_error(r->trace));
		return 1;
	}
	if (r->is_fetch_failed)
		return 1;
	if (r->fetch != NULL && (fetch_stats(r->fetch)->failed > 0 ||
	    fetch_stats(r->fetch)->done < r->opts->fetch_count)) {
		tb_warnx("fetch: %s", fetch_error(r->fetch) != NULL ?
		    fetch_error(r->fetch) : "not every request finished");
		return 1;
	}
	return 0;
}

static int
run_dump(struct run *r)
{
	static char		 outbuf[1 << 16];
	const struct tb_opts	*o = r->opts;
	struct dump_ctx		 ctx;
	uint64_t		 t0, sample_ms;
	int			 rc;

	sample_ms = o->duration_ms < 0 ? TB_DUMP_DEFAULT_MS :
	    (uint64_t)o->duration_ms;
	/* A report of 10,000 lookups is megabytes: fewer, larger writes
	 * (set before anything is written: a -r report streams).  glibc
	 * ignores the size unless it is given the buffer. */
	(void)setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = o;
	ctx.started = time(NULL);
	t0 = tb_now_ms();
	/* One snapshot with -t 0; otherwise one at each end of the sample. */
	r->need_gen = sample_ms == 0 ? 1 : 2;
	if (r->sockets != NULL)
		sockets_attach(r->sockets, r->loop,
		    sample_ms == 0 ? 1000 : (unsigned)sample_ms);
	if (r->dns != NULL) {
		dns_attach(r->dns, r->loop);
		if (o->duration_ms >= 0)
			tb_loop_timer(r->loop, t0 + sample_ms,
			    run_on_dns_deadline, r);
	}
	if (r->capture != NULL) {
		if (capture_attach(r->capture, r->loop) == -1)
			tb_fatal("capture: poll registration");
		if (capture_is_live(r->capture))
			tb_loop_timer(r->loop, t0 + sample_ms,
			    run_on_capture_deadline, r);
		else {
			/* Every exchange of the file, in bounded memory. */
			ctx.capture = r->capture;
			ctx.sockets = r->sockets;
			ctx.dns = r->is_dns_pane ? r->dns : NULL;
			ctx.stream = dump_stream_begin(stdout, &ctx,
			    r->capture);
		}
	}
	tb_loop_before_sleep(r->loop, target_poll, r);
	tb_loop_before_sleep(r->loop, dump_check_done, r);
	tb_loop_timer(r->loop, t0 + sample_ms + dump_worst_ms(r),
	    run_on_deadline, r);
	if (tb_loop_run(r->loop) == -1)
		tb_fatal("poll");
	if (r->is_failed && ctx.stream == NULL)
		return 1;
	ctx.duration_ms = tb_now_ms() - t0;
	if (r->capture != NULL)
		capture_flush(r->capture);
	ctx.capture = r->capture;
	ctx.capture_why = r->capture == NULL && r->capture_why[0] != '\0' ?
	    r->capture_why : NULL;
	ctx.sockets = r->sockets;
	ctx.dns = r->is_dns_pane ? r->dns : NULL;
	if (r->trace != NULL)
		trace_sync_names(r->trace);
	ctx.trace = r->trace;
	ctx.trace_why = r->trace == NULL && r->trace_why[0] != '\0' ?
	    r->trace_why : NULL;
	ctx.target_address = r->has_tgt_addr ? r->tgt_address : NULL;
	ctx.fetch = r->fetch;
	/* A journey needs something that saw the request: the fetch or
	 * the capture (cli.sh: a sockets-only report has no "journey"). */
	if (r->target != NULL && (o->fetch_count > 0 || r->capture != NULL)) {
		run_journey(r);
		ctx.journey = &r->journey;
	}
	rc = o->is_json ? dump_json(stdout, &ctx) : dump_text(stdout, &ctx);
	if (rc == -1 || fflush(stdout) == EOF || ferror(stdout))
		tb_fatal("writing the report");
	dump_stream_free(ctx.stream);
	return dump_status(r);
}

static int
run_tui(struct run *r)
{
	struct ui		*ui;

	r->models.sockets = r->sockets;
	r->models.dns = r->is_dns_pane ? r->dns : NULL;
	r->models.capture = r->capture;
	r->models.capture_why = r->capture == NULL &&
	    r->capture_why[0] != '\0' ? r->capture_why : NULL;
	r->models.target = r->target;
	r->models.target_dns = r->dns;
	r->models.target_lookup = r->tgt_lookup_row;
	/* A hostname target's trace and fetch start later: models.trace,
	 * models.fetch and models.target_address then. */
	tb_loop_before_sleep(r->loop, target_poll, r);
	ui = ui_new(r->loop, r->opts, &r->models);
	if (r->dns != NULL)
		dns_attach(r->dns, r->loop);
	if (r->capture != NULL && capture_attach(r->capture, r->loop) == -1)
		tb_fatal("capture: poll registration");
	if (r->sockets != NULL) {
		/* Full enumerations under 1.5% of a core (BENCHMARKS.md). */
		sockets_set_budget(r->sockets, 1.5);
		sockets_attach(r->sockets, r->loop, (unsigned)r->opts->refresh_ms);
	}
	if (tb_loop_run(r->loop) == -1)
		tb_fatal("poll");
	ui_free(ui);
	return 0;
}

int
main(int argc, char **argv)
{
	struct tb_opts	 o;
	struct run	 r;
	char		 err[512];
	pid_t		 keeper;
	int		 rc;

	switch (tb_opts_parse(&o, argc, argv, err, sizeof(err))) {
	case TB_OPTS_EXIT_OK:
		return 0;
	case TB_OPTS_USAGE:
		tb_usage_error("%s (try tubes --help)", err);
	case TB_OPTS_RUN:
		break;
	}
	/* The keeper of the lab stays outside and never returns; tubes
	 * goes on in the lab's client namespace. */
	if (o.is_lab && lab_enter(&o, err, sizeof(err)) == -1)
		tb_fatalx("lab: %s", err);
	if (!o.is_dump && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)))
		tb_usage_error("%s is not a terminal: use --dump for a report "
		    "(--dump --json for JSON)",
		    isatty(STDOUT_FILENO) ? "stdin" : "stdout");

	memset(&r, 0, sizeof(r));
	r.opts = &o;
	r.loop = tb_loop_new();
	run_signals(&r);
	r.sockets = open_sockets(&o);
	r.dns = open_dns(&o);
	r.is_dns_pane = (o.panes & TB_PANE_DNS) != 0;
	open_target(&r);
	open_trace(&r);
	open_capture(&r);
	/* Everything privileged is open: raw probe sockets, the capture. */
	keeper = o.is_lab ? getppid() : 0;
	if (tb_priv_drop(err, sizeof(err)) == -1)
		tb_fatalx("%s", err);
	/* A uid change clears the death signal the lab set: set it again,
	 * so that tubes ends with a keeper killed outright. */
	if (o.is_lab && (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
	    getppid() != keeper))
		tb_fatalx("lab: the lab's keeper is gone");
	tb_opts_free(&o);	/* the -q names live in the dns model now */
	rc = o.is_dump ? run_dump(&r) : run_tui(&r);
	fetch_free(r.fetch);
	capture_free(r.capture);	/* before the DNS engine it feeds */
	trace_free(r.trace);
	probe_close(r.probe);
	dns_free(r.dns);
	sockets_free(r.sockets);
	tb_loop_free(r.loop);
	return rc;
}
