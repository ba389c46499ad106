#include "config.h"

#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sanitize.h"
#include "xmalloc.h"
#include "model/dns_query.h"

#define OPTS_MAX_DURATION_MS	(7L * 24 * 3600 * 1000)	/* a week */
#define OPTS_MIN_INTERVAL_MS	100
#define OPTS_MAX_INTERVAL_MS	(3600L * 1000)
#define OPTS_MAX_COUNT		1000000
#define OPTS_MAX_FETCH		100000
#define OPTS_MAX_CONCURRENCY	1000
#define OPTS_SHOW_MAX		64	/* argv bytes echoed in a message */
#define OPTS_DNS_TIMEOUT_MAX	60000
#define OPTS_DNS_TRIES_MAX	10
#define OPTS_MAX_TTL		255	/* = TRACE_MAX_TTL */
#define OPTS_MAX_TTL_DEFAULT	30	/* = TRACE_MAX_TTL_DEFAULT */

enum {
	OPT_DUMP = 256,
	OPT_JSON,
	OPT_PANES,
	OPT_INTERVAL,
	OPT_DNS_TIMEOUT,
	OPT_DNS_TRIES,
	OPT_FETCH,
	OPT_CONCURRENCY,
	OPT_KEEPALIVE,
	OPT_LAB,
	OPT_FIRST_TTL,
	OPT_ECMP
};

static const char opts_short[] = ":hVnc:t:p:46i:f:r:w:s:q:P:m:";

static const struct option opts_long[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "dump",	no_argument,		NULL, OPT_DUMP },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "panes",	required_argument,	NULL, OPT_PANES },
	{ "duration",	required_argument,	NULL, 't' },
	{ "interval",	required_argument,	NULL, OPT_INTERVAL },
	{ "count",	required_argument,	NULL, 'c' },
	{ "numeric",	no_argument,		NULL, 'n' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "interface",	required_argument,	NULL, 'i' },
	{ "filter",	required_argument,	NULL, 'f' },
	{ "read",	required_argument,	NULL, 'r' },
	{ "write",	required_argument,	NULL, 'w' },
	{ "server",	required_argument,	NULL, 's' },
	{ "query",	required_argument,	NULL, 'q' },
	{ "protocol",	required_argument,	NULL, 'P' },
	{ "max-ttl",	required_argument,	NULL, 'm' },
	{ "first-ttl",	required_argument,	NULL, OPT_FIRST_TTL },
	{ "ecmp",	no_argument,		NULL, OPT_ECMP },
	{ "dns-timeout", required_argument,	NULL, OPT_DNS_TIMEOUT },
	{ "dns-tries",	required_argument,	NULL, OPT_DNS_TRIES },
	{ "fetch",	optional_argument,	NULL, OPT_FETCH },
	{ "concurrency", required_argument,	NULL, OPT_CONCURRENCY },
	{ "keepalive",	required_argument,	NULL, OPT_KEEPALIVE },
	{ "lab",	no_argument,		NULL, OPT_LAB },
	{ NULL,		0,			NULL, 0 }
};

/* -P values, in PROBE_P_* order. */
static const char *const opts_protos[] = { "icmp", "udp", "tcp" };

static const struct {
	int		 bit;
	const char	*name;
} opts_panes[] = {
	{ TB_PANE_DNS, "dns" },
	{ TB_PANE_TRACE, "trace" },
	{ TB_PANE_HTTP, "http" },
	{ TB_PANE_SOCKETS, "sockets" },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const char opts_help[] =
"usage: tubes [OPTIONS] [TARGET...]\n"
"\n"
"TARGET is a hostname, an IP address ([v6]:port and host:port too) or an\n"
"http:// or https:// URL.\n"
"\n"
"  --dump               print a report to stdout and exit (no terminal)\n"
"  --json               with --dump: one JSON document instead of text\n"
"  --panes LIST         panes to run, from dns,trace,http,sockets\n"
"                       (default: every pane this build has)\n"
"  -t, --duration SECS  with --dump: how long to watch (0: one snapshot;\n"
"                       default 1)\n"
"  -c, --count N        with --dump: trace cycles, back to back (default 1)\n"
"  --interval SECS      TUI refresh and trace cycle interval (default 1, at\n"
"                       least 0.1)\n"
"  -n, --numeric        do not resolve addresses to names\n"
"  -4, -6               IPv4 or IPv6 only\n"
"  -P, --protocol icmp|udp|tcp\n"
"                       trace probe protocol (default icmp)\n"
"  -p, --port PORT      destination port of probes and HTTP port of interest\n"
"  -m, --max-ttl N      trace at most N hops (1 to 255, default 30)\n"
"  --first-ttl N        start the trace at hop N (default 1)\n"
"  --ecmp               trace several flows to find load-balanced branches\n"
"  -q, --query NAME[/TYPE]\n"
"                       add a DNS lookup (repeatable): A, AAAA, CNAME, MX,\n"
"                       TXT, NS, SOA, PTR, SRV, CAA or TYPEnnn; an address\n"
"                       is looked up in reverse (PTR); -q @FILE reads one\n"
"                       NAME[/TYPE] per line\n"
"  -s, --server ADDR[:PORT]\n"
"                       DNS server to ask (repeatable; [v6]:PORT for IPv6;\n"
"                       default: the nameservers of /etc/resolv.conf)\n"
"  --dns-timeout MS     wait per DNS try (default 2000, 1 to 60000)\n"
"  --dns-tries N        DNS tries per lookup (default 2, 1 to 10); a silent\n"
"                       server is a timeout after N x MS\n"
"  -i, --interface IFACE\n"
"                       capture interface (default any; needs CAP_NET_RAW)\n"
"  -f, --filter EXPR    BPF capture filter (tcpdump syntax)\n"
"  -r, --read FILE      read a pcap or pcapng file instead of capturing;\n"
"                       with --dump the whole file is reported\n"
"  -w, --write FILE     also save the captured packets to a pcap file\n"
"  --fetch[=N]          make the request to the URL target itself (N times,\n"
"                       default 1), so it shows up in every pane\n"
"  --concurrency K      with --fetch: K requests at a time (default 1)\n"
"  --keepalive P        with --fetch: reuse up to P connections; the other\n"
"                       requests each open and close their own (default 0)\n"
"  --lab                build a small internet in network namespaces and\n"
"                       explore http://www.lab.test/ in it (root; removed\n"
"                       on exit)\n"
"  -h, --help           this text\n"
"  -V, --version        print the version\n"
"\n"
"Exit status: 0 success, 1 runtime failure, 2 usage error.\n";

static enum tb_opts_result __attribute__((format(printf, 3, 4)))
opts_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return TB_OPTS_USAGE;
}

/* argv text made safe to echo in a one-line message. */
static const char *
opts_show(char *buf, size_t len, const char *s)
{
	tb_sanitize(buf, len, s, strlen(s), OPTS_SHOW_MAX, TB_SAN_UTF8);
	return buf;
}

/* "--duration" for 't', "-4" for '4': how to name an option in errors. */
static const char *
opts_name(char *buf, size_t len, int val)
{
	const struct option	*lo;

	for (lo = opts_long; lo->name != NULL; lo++) {
		if (lo->val == val) {
			snprintf(buf, len, "--%s", lo->name);
			return buf;
		}
	}
	snprintf(buf, len, "-%c", val);
	return buf;
}

const char *
tb_pane_name(int pane_bit)
{
	size_t	i;

	for (i = 0; i < NITEMS(opts_panes); i++)
		if (opts_panes[i].bit == pane_bit)
			return opts_panes[i].name;
	return "?";
}

void
tb_opts_usage(void *fp)
{
	fputs(opts_help, fp);
}

/* Strict integer: digits only (an optional '-'), no junk, in range. */
static int
opts_long_value(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if ((*s < '0' || *s > '9') && *s != '-')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Seconds ("2", "0.5", ".25") to milliseconds: no sign, no exponent. */
static int
opts_secs_value(const char *s, long max_ms, long *out_ms)
{
	unsigned long long	 ms = 0, scale = 100;
	int			 ndigits = 0;

	for (; *s >= '0' && *s <= '9'; s++, ndigits++) {
		ms = ms * 10 + (unsigned long long)(*s - '0');
		if (ms > (unsigned long long)max_ms / 1000 + 1)
			return -1;
	}
	ms *= 1000;
	if (*s == '.') {
		/* Digits past the millisecond are accepted and dropped. */
		for (s++; *s >= '0' && *s <= '9'; s++, ndigits++) {
			ms += (unsigned long long)(*s - '0') * scale;
			scale /= 10;
		}
	}
	if (*s != '\0' || ndigits == 0 || ms > (unsigned long long)max_ms)
		return -1;
	*out_ms = (long)ms;
	return 0;
}

/* "sockets" or "dns,sockets": the panes this build has. */
static const char *
opts_available(char *buf, size_t len)
{
	size_t	i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NITEMS(opts_panes) && n < len; i++) {
		if (!(opts_panes[i].bit & TB_PANE_AVAILABLE))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		    n > 0 ? "," : "", opts_panes[i].name);
	}
	return buf;
}

static enum tb_opts_result
opts_panes_value(struct tb_opts *o, const char *arg, char *err, size_t errlen)
{
	const char	*p = arg;
	char		 show[128], avail[64];
	size_t		 n, i;
	int		 bit;

	o->panes = 0;
	for (;;) {
		n = strcspn(p, ",");
		bit = 0;
		for (i = 0; i < NITEMS(opts_panes); i++)
			if (strlen(opts_panes[i].name) == n &&
			    strncmp(opts_panes[i].name, p, n) == 0)
				bit = opts_panes[i].bit;
		if (bit == 0)
			return opts_fail(err, errlen, "bad --panes '%s': "
			    "choose from dns,trace,http,sockets",
			    opts_show(show, sizeof(show), arg));
		if (!(bit & TB_PANE_AVAILABLE))
			return opts_fail(err, errlen, "the %s pane is not "
			    "built yet (available: %s)", tb_pane_name(bit),
			    opts_available(avail, sizeof(avail)));
		o->panes |= bit;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return TB_OPTS_RUN;
}

/* A host name or address as typed: no spaces, controls or URL syntax. */
static int
opts_host_ok(const char *h, size_t n)
{
	size_t	i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)h[i] <= 0x20 || h[i] == 0x7f ||
		    strchr("/\\@[]?#", h[i]) != NULL)
			return 0;
	}
	return 1;
}

/*
 * host, [v6], [v6]:port, host:port or a bare IPv6 address (two colons or
 * more) in s[0..n).  Fills t->host and, when present, t->port.
 */
static int
opts_hostport(struct tb_target *t, const char *s, size_t n, int is_url)
{
	const char	*colon, *end = s + n;
	char		 port[8];
	long		 v;
	size_t		 hlen, plen;

	if (n > 0 && s[0] == '[') {
		if ((colon = memchr(s, ']', n)) == NULL)
			return -1;
		hlen = (size_t)(colon - s) - 1;
		if (memchr(s + 1, ':', hlen) == NULL)
			return -1;		/* brackets are for IPv6 */
		s++;
		colon++;
		if (colon != end && *colon != ':')
			return -1;
	} else {
		colon = memchr(s, ':', n);
		if (colon != NULL && memchr(colon + 1, ':',
		    (size_t)(end - colon - 1)) != NULL) {
			if (is_url)
				return -1;	/* URLs bracket IPv6 */
			colon = NULL;		/* bare IPv6 address */
		}
		hlen = colon == NULL ? n : (size_t)(colon - s);
		if (!opts_host_ok(s, hlen))
			return -1;
	}
	if (hlen == 0 || hlen >= sizeof(t->host))
		return -1;
	memcpy(t->host, s, hlen);
	t->host[hlen] = '\0';
	if (colon == NULL || colon == end)
		return 0;
	plen = (size_t)(end - colon - 1);
	if (plen == 0 || plen >= sizeof(port))
		return -1;
	memcpy(port, colon + 1, plen);
	port[plen] = '\0';
	if (port[0] == '-' || opts_long_value(port, 1, 65535, &v) == -1)
		return -1;
	t->port = (int)v;
	return 0;
}

static enum tb_opts_result
opts_target(struct tb_opts *o, const char *arg, char *err, size_t errlen)
{
	struct tb_target	*t;
	const char		*p = arg;
	char			 show[128];
	size_t			 n;

	if (o->ntargets == TB_MAX_TARGETS)
		return opts_fail(err, errlen, "too many targets (at most %d)",
		    TB_MAX_TARGETS);
	t = &o->targets[o->ntargets];
	memset(t, 0, sizeof(*t));
	t->input = arg;
	t->port = -1;
	if (strncasecmp(p, "http://", 7) == 0) {
		t->is_url = 1;
		p += 7;
	} else if (strncasecmp(p, "https://", 8) == 0) {
		t->is_url = t->is_https = 1;
		p += 8;
	} else if (strstr(p, "://") != NULL)
		return opts_fail(err, errlen, "bad target '%s': only http:// "
		    "and https:// URLs are supported",
		    opts_show(show, sizeof(show), arg));
	n = strcspn(p, t->is_url ? "/?#" : "");
	if (t->is_url) {
		/* Drop any user:password@ in front of the host. */
		const char *at = memrchr(p, '@', n);

		if (at != NULL) {
			n -= (size_t)(at + 1 - p);
			p = at + 1;
		}
	}
	if (opts_hostport(t, p, n, t->is_url) == -1)
		return opts_fail(err, errlen, "bad target '%s': want a host, "
		    "an address or an http(s):// URL",
		    opts_show(show, sizeof(show), arg));
	o->ntargets++;
	return TB_OPTS_RUN;
}

/* getopt_long returned '?' or ':'. */
static enum tb_opts_result
opts_getopt_error(int c, char **argv, char *err, size_t errlen)
{
	const char	*cur = argv[optind - 1];
	char		 name[32], show[128];
	size_t		 n;

	if (c == ':')
		return opts_fail(err, errlen, "option %s needs a value",
		    opts_name(name, sizeof(name), optopt));
	if (optopt >= 256 ||
	    (optopt != 0 && strchr(opts_short + 1, optopt) != NULL))
		return opts_fail(err, errlen, "option %s takes no value",
		    opts_name(name, sizeof(name), optopt));
	if (optopt != 0)
		snprintf(name, sizeof(name), "-%c", optopt);
	else {
		n = strcspn(cur, "=");
		snprintf(name, sizeof(name), "%.*s", (int)(n < 24 ? n : 24),
		    cur);
	}
	return opts_fail(err, errlen, "unknown option %s",
	    opts_show(show, sizeof(show), name));
}

void
tb_opts_free(struct tb_opts *o)
{
	size_t	i;

	for (i = 0; i < o->nqueries; i++)
		free(o->queries[i].name);
	free(o->queries);
	o->queries = NULL;
	o->nqueries = o->queries_cap = 0;
}

/* One checked NAME[/TYPE]; where says where it came from in errors. */
static enum tb_opts_result
opts_query_one(struct tb_opts *o, const char *arg, const char *where,
    char *err, size_t errlen)
{
	char		name[DNS_QUERY_NAMELEN], why[1024];
	uint16_t	type;

	if (dns_query_parse(arg, name, sizeof(name), &type, why,
	    sizeof(why)) == -1)
		return opts_fail(err, errlen, "%s%s", where, why);
	if (o->nqueries == TB_MAX_QUERIES)
		return opts_fail(err, errlen, "too many DNS lookups (at most "
		    "%d)", TB_MAX_QUERIES);
	if (o->nqueries == o->queries_cap) {
		o->queries_cap = o->queries_cap ? o->queries_cap * 2 : 8;
		o->queries = xreallocarray(o->queries, o->queries_cap,
		    sizeof(*o->queries));
	}
	o->queries[o->nqueries].name = xstrdup(name);
	o->queries[o->nqueries].type = type;
	o->nqueries++;
	return TB_OPTS_RUN;
}

/* -q @FILE: one NAME[/TYPE] per line; blank lines and # comments skipped. */
static enum tb_opts_result
opts_query_file(struct tb_opts *o, const char *path, char *err,
    size_t errlen)
{
	enum tb_opts_result	 r = TB_OPTS_RUN;
	FILE			*fp;
	char			*line = NULL, where[64], show[128];
	size_t			 cap = 0, lineno = 0, n;

	if ((fp = fopen(path, "r")) == NULL)
		return opts_fail(err, errlen, "-q @%s: %s",
		    opts_show(show, sizeof(show), path), strerror(errno));
	while (r == TB_OPTS_RUN && getline(&line, &cap, fp) != -1) {
		lineno++;
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		n = strspn(line, " \t");
		if (line[n] == '\0' || line[n] == '#')
			continue;
		snprintf(where, sizeof(where), "-q @FILE line %zu: ", lineno);
		r = opts_query_one(o, line + n, where, err, errlen);
	}
	if (r == TB_OPTS_RUN && ferror(fp))
		r = opts_fail(err, errlen, "-q @%s: read error",
		    opts_show(show, sizeof(show), path));
	free(line);
	fclose(fp);
	return r;
}

static enum tb_opts_result
opts_server(struct tb_opts *o, const char *arg, char *err, size_t errlen)
{
	struct dns_server_addr	a;
	char			show[128];

	if (dns_server_parse(arg, &a) == -1)
		return opts_fail(err, errlen, "bad value '%s' for --server: "
		    "want an IPv4 or IPv6 address, ADDR:PORT or [V6]:PORT",
		    opts_show(show, sizeof(show), arg));
	if (o->nservers == TB_MAX_SERVERS)
		return opts_fail(err, errlen, "too many DNS servers (at most "
		    "%d)", TB_MAX_SERVERS);
	o->servers[o->nservers++] = arg;
	return TB_OPTS_RUN;
}

static void
opts_defaults(struct tb_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->panes = TB_PANE_ALL & TB_PANE_AVAILABLE;
	o->duration_ms = -1;
	o->count = 1;
	o->refresh_ms = TB_REFRESH_DEFAULT_MS;
	o->port = -1;
	o->fetch_keepalive = -1;
}

/* One option; TB_OPTS_RUN to go on. */
static enum tb_opts_result
opts_one(struct tb_opts *o, int c, const char *arg, char *err, size_t errlen)
{
	char	show[128], name[32];
	long	v;

	switch (c) {
	case 'h':
		tb_opts_usage(stdout);
		return TB_OPTS_EXIT_OK;
	case 'V':
		printf("tubes %s\n", PACKAGE_VERSION);
		return TB_OPTS_EXIT_OK;
	case OPT_DUMP:
		o->is_dump = 1;
		return TB_OPTS_RUN;
	case OPT_JSON:
		o->is_json = 1;
		return TB_OPTS_RUN;
	case OPT_PANES:
		o->is_panes_given = 1;
		return opts_panes_value(o, arg, err, errlen);
	case 'i':
		o->iface = arg;
		return TB_OPTS_RUN;
	case 'f':
		o->filter = arg;
		return TB_OPTS_RUN;
	case 'r':
		o->read_path = arg;
		return TB_OPTS_RUN;
	case 'w':
		o->write_path = arg;
		return TB_OPTS_RUN;
	case 'n':
		o->is_numeric = 1;
		return TB_OPTS_RUN;
	case '4':
	case '6':
		if (o->family != 0 && o->family != c - '0')
			return opts_fail(err, errlen,
			    "options -4 and -6 exclude each other");
		o->family = c - '0';
		return TB_OPTS_RUN;
	case 't':
		if (opts_secs_value(arg, OPTS_MAX_DURATION_MS, &v) == -1)
			break;
		o->duration_ms = v;
		return TB_OPTS_RUN;
	case OPT_INTERVAL:
		if (opts_secs_value(arg, OPTS_MAX_INTERVAL_MS, &v) == -1 ||
		    v < OPTS_MIN_INTERVAL_MS)
			break;
		o->refresh_ms = v;
		return TB_OPTS_RUN;
	case 'c':
		if (opts_long_value(arg, 1, OPTS_MAX_COUNT, &v) == -1)
			break;
		o->count = (int)v;
		return TB_OPTS_RUN;
	case 'p':
		if (opts_long_value(arg, 1, 65535, &v) == -1)
			break;
		o->port = (int)v;
		return TB_OPTS_RUN;
	case 'q':
		if (arg[0] == '@')
			return opts_query_file(o, arg + 1, err, errlen);
		return opts_query_one(o, arg, "-q ", err, errlen);
	case 's':
		return opts_server(o, arg, err, errlen);
	case OPT_DNS_TIMEOUT:
		if (opts_long_value(arg, 1, OPTS_DNS_TIMEOUT_MAX, &v) == -1)
			break;
		o->dns_timeout_ms = v;
		return TB_OPTS_RUN;
	case OPT_DNS_TRIES:
		if (opts_long_value(arg, 1, OPTS_DNS_TRIES_MAX, &v) == -1)
			break;
		o->dns_tries = (int)v;
		return TB_OPTS_RUN;
	case 'P':
		for (v = 0; v < (long)NITEMS(opts_protos); v++)
			if (strcasecmp(arg, opts_protos[v]) == 0) {
				o->proto = (int)v;
				return TB_OPTS_RUN;
			}
		break;
	case 'm':
	case OPT_FIRST_TTL:
		if (opts_long_value(arg, 1, OPTS_MAX_TTL, &v) == -1)
			break;
		*(c == 'm' ? &o->max_ttl : &o->first_ttl) = (int)v;
		return TB_OPTS_RUN;
	case OPT_ECMP:
		o->is_ecmp = 1;
		return TB_OPTS_RUN;
	case OPT_FETCH:
		v = 1;
		if (arg != NULL && opts_long_value(arg, 1, OPTS_MAX_FETCH,
		    &v) == -1)
			break;
		o->fetch_count = v;
		return TB_OPTS_RUN;
	case OPT_CONCURRENCY:
	case OPT_KEEPALIVE:
		if (opts_long_value(arg, c == OPT_KEEPALIVE ? 0 : 1,
		    OPTS_MAX_CONCURRENCY, &v) == -1)
			break;
		*(c == OPT_KEEPALIVE ? &o->fetch_keepalive :
		    &o->fetch_concurrency) = (int)v;
		return TB_OPTS_RUN;
	case OPT_LAB:
		o->is_lab = 1;
		return TB_OPTS_RUN;
	default:
		return opts_fail(err, errlen, "option %s is not supported",
		    opts_name(name, sizeof(name), c));
	}
	return opts_fail(err, errlen, "bad value '%s' for %s: want %s",
	    opts_show(show, sizeof(show), arg),
	    opts_name(name, sizeof(name), c),
	    c == 't' ? "seconds, 0 or more, e.g. 2 or 0.5" :
	    c == OPT_INTERVAL ? "seconds, at least 0.1" :
	    c == 'c' ? "a count, 1 or more" :
	    c == OPT_DNS_TIMEOUT ? "milliseconds, 1 to 60000" :
	    c == OPT_DNS_TRIES ? "a count, 1 to 10" :
	    c == 'P' ? "icmp, udp or tcp" :
	    c == 'm' || c == OPT_FIRST_TTL ? "a TTL, 1 to 255" :
	    c == OPT_FETCH ? "a count, 1 to 100000 (--fetch=N)" :
	    c == OPT_CONCURRENCY ? "a count, 1 to 1000" :
	    c == OPT_KEEPALIVE ? "a count, 0 to 1000" :
	    "a port, 1 to 65535");
}

/* --fetch needs one URL; --lab brings its own target and servers. */
static enum tb_opts_result
opts_check_fetch_lab(const struct tb_opts *o, char *err, size_t errlen)
{
	if ((o->fetch_concurrency > 0 || o->fetch_keepalive >= 0) &&
	    o->fetch_count == 0 && !o->is_lab)
		return opts_fail(err, errlen, "--concurrency and --keepalive "
		    "go with --fetch");
	if (o->is_lab) {
		if (o->ntargets > 0 || o->nservers > 0 || o->read_path != NULL)
			return opts_fail(err, errlen, "--lab brings its own "
			    "target, DNS server and capture: drop the target, "
			    "-s and -r");
		return TB_OPTS_RUN;
	}
	if (o->fetch_count == 0)
		return TB_OPTS_RUN;
	if (o->ntargets != 1 || !o->targets[0].is_url)
		return opts_fail(err, errlen, "--fetch needs one http:// or "
		    "https:// URL target, e.g. tubes --fetch "
		    "http://example.test/");
	if (o->read_path != NULL)
		return opts_fail(err, errlen, "--fetch watches a live capture: "
		    "it excludes -r");
	return TB_OPTS_RUN;
}

/* Ports the targets did not spell out: -p, else the URL scheme's. */
static void
opts_target_ports(struct tb_opts *o)
{
	struct tb_target	*t;
	size_t			 i;

	for (i = 0; i < o->ntargets; i++) {
		t = &o->targets[i];
		if (t->port != -1)
			continue;
		if (o->port != -1)
			t->port = o->port;
		else if (t->is_url)
			t->port = t->is_https ? 443 : 80;
	}
}

enum tb_opts_result
tb_opts_add_target(struct tb_opts *o, const char *arg, char *err,
    size_t errlen)
{
	enum tb_opts_result	r;

	if ((r = opts_target(o, arg, err, errlen)) == TB_OPTS_RUN)
		opts_target_ports(o);
	return r;
}

enum tb_opts_result
tb_opts_parse(struct tb_opts *o, int argc, char **argv, char *err,
    size_t errlen)
{
	enum tb_opts_result	 r;
	int			 c;

	opts_defaults(o);
	if (errlen > 0)
		err[0] = '\0';
	optind = 0;	/* glibc: full reset, so tests can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, opts_short, opts_long,
	    NULL)) != -1) {
		if (c == '?' || c == ':')
			return opts_getopt_error(c, argv, err, errlen);
		if ((r = opts_one(o, c, optarg, err, errlen)) != TB_OPTS_RUN)
			return r;
	}
	for (; optind < argc; optind++)
		if ((r = opts_target(o, argv[optind], err, errlen)) !=
		    TB_OPTS_RUN)
			return r;
	if (o->is_json && !o->is_dump)
		return opts_fail(err, errlen, "--json needs --dump");
	/* The trace resolves its target and names hops through DNS too. */
	if ((!(o->panes & TB_PANE_DNS) && o->nqueries > 0) ||
	    (!(o->panes & (TB_PANE_DNS | TB_PANE_TRACE)) &&
	    o->fetch_count == 0 && (o->nservers > 0 ||
	    o->dns_timeout_ms > 0 || o->dns_tries > 0)))
		return opts_fail(err, errlen, "DNS options need the dns pane "
		    "(add dns to --panes)");
	if (!(o->panes & TB_PANE_TRACE) && (o->proto != 0 || o->max_ttl != 0 ||
	    o->first_ttl != 0 || o->is_ecmp))
		return opts_fail(err, errlen, "trace options need the trace "
		    "pane (add trace to --panes)");
	if (!(o->panes & TB_PANE_HTTP) && (o->iface != NULL ||
	    o->filter != NULL || o->read_path != NULL || o->write_path != NULL))
		return opts_fail(err, errlen, "capture options need the http "
		    "pane (add http to --panes)");
	if (o->iface != NULL && o->read_path != NULL)
		return opts_fail(err, errlen, "options -i and -r exclude each "
		    "other (capture live or read a file)");
	if (o->first_ttl > (o->max_ttl != 0 ? o->max_ttl :
	    OPTS_MAX_TTL_DEFAULT))
		return opts_fail(err, errlen, "--first-ttl %d is past the "
		    "max TTL %d (set -m)", o->first_ttl, o->max_ttl != 0 ?
		    o->max_ttl : OPTS_MAX_TTL_DEFAULT);
	if ((r = opts_check_fetch_lab(o, err, errlen)) != TB_OPTS_RUN)
		return r;
	if (o->fetch_concurrency == 0)
		o->fetch_concurrency = 1;
	if (o->fetch_keepalive < 0)
		o->fetch_keepalive = 0;
	opts_target_ports(o);
	return TB_OPTS_RUN;
}
