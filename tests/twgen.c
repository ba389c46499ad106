/*
 * twgen: loopback TCP load for the sockets tests and benchmarks.
 *
 *   twgen fill --addr A --ports P[,P...] --count N[,N...] [--inflight K]
 *       [--hold]
 *   twgen seed --addr A --port P --clients C --pool K --seconds S [--rate R]
 *
 * fill listens on the ports itself and opens N connections round-robin
 * across them; the client closes first, so each one leaves a client-side
 * TIME_WAIT holding an ephemeral port.  Several counts fill in steps: after
 * each step twgen reports and waits for SIGUSR1 before the next one, with
 * the same listeners (once TIME_WAIT sockets hold ports, a new listener
 * inside the ephemeral range may fail to bind).  seed replays a load tester whose
 * HTTP clients mostly open one connection per request (only --pool of them
 * keep a connection alive), against a tiny keep-alive HTTP server.
 *
 * One thread, one epoll.  Every loop is bounded in count and in time
 * (--max-seconds, default 30).  Use it on loopback inside a namespace.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define TW_MAX_PORTS		8192	/* sockets_cap.sh needs > 4096 destinations */
#define TW_MAX_STEPS		16
#define TW_MAX_CLIENTS		4096
#define TW_MAX_FDS		65536
#define TW_MAX_EVENTS		512
#define TW_MAX_ERRORS		1000	/* fill gives up after this many */
#define TW_BACKLOG		65535	/* capped by net.core.somaxconn */
#define TW_RETRY_MS		10	/* seed: wait when ports run out */

#define MODE_FILL		1
#define MODE_SEED		2

static const char http_request[] =
    "GET / HTTP/1.1\r\nHost: twgen\r\nUser-Agent: twgen\r\n\r\n";
static const char http_response[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

struct opts {
	int			 mode;
	int			 family;
	struct sockaddr_storage	 addr;		/* port filled per use */
	socklen_t		 addrlen;
	uint16_t		 ports[TW_MAX_PORTS];
	size_t			 nports;
	unsigned long		 counts[TW_MAX_STEPS];	/* fill steps */
	size_t			 nsteps;
	unsigned		 inflight;
	int			 is_hold;
	unsigned		 nclients, pool;
	double			 seconds, max_seconds, rate;
};

#define CONN_FREE		0
#define CONN_LISTEN		1
#define CONN_CLIENT		2
#define CONN_SERVER		3

struct conn {
	int		 kind;		/* CONN_* */
	int		 client;	/* seed: owning client, -1 none */
	size_t		 len;
	char		 buf[192];
};

#define CL_IDLE			0	/* needs a request started */
#define CL_CONNECTING		1
#define CL_READING		2
#define CL_WAIT			3	/* no token or no port: retry */

struct client {
	int		 fd;		/* -1 without a connection */
	int		 state;		/* CL_* */
	int		 is_pooled;
	uint64_t	 wake_ms;
};

struct gen {
	const struct opts *o;
	int		 ep;
	struct conn	*conns;		/* indexed by fd */
	size_t		 nconns;
	uint64_t	 start_ms, deadline_ms;
	int		 is_stopping;
	const char	*stop_why;
	unsigned long	 started, connected, accepted, closed, errors;
	unsigned long	 unavail, requests;
	size_t		 step;		/* fill: index into counts */
	unsigned	 inflight, nservers;
	int		 last_errno;
	struct client	*clients;
	double		 tokens;
	uint64_t	 token_ms;
	unsigned	 kick_first;	/* rotates: tokens go round-robin */
};

static volatile sig_atomic_t	 got_signal;
static volatile sig_atomic_t	 got_usr1;

static void
usage(void)
{
	fputs("usage: twgen fill --addr ADDR --ports P[,P...] --count N[,N...] "
	    "[--inflight K] [--hold] [--max-seconds S]\n"
	    "       twgen seed --addr ADDR --port P --clients C --pool K "
	    "--seconds S [--rate R] [--max-seconds S]\n", stderr);
	exit(2);
}

static void
on_signal(int signo)
{
	if (signo == SIGUSR1)
		got_usr1 = 1;
	else
		got_signal = signo;
}

static double
parse_num(const char *s, const char *what, double lo, double hi)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die("bad %s '%s' (%g..%g)", what, s, lo, hi);
	return v;
}

static void
parse_ports(struct opts *o, const char *list)
{
	char	*copy, *tok, *save;

	if ((copy = strdup(list)) == NULL)
		die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (o->nports == TW_MAX_PORTS)
			die("too many ports (max %d)", TW_MAX_PORTS);
		o->ports[o->nports++] = parse_num(tok, "port", 1, 65535);
	}
	free(copy);
}

static void
parse_counts(struct opts *o, const char *list)
{
	char	*copy, *tok, *save;

	if ((copy = strdup(list)) == NULL)
		die("out of memory");
	o->nsteps = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (o->nsteps == TW_MAX_STEPS)
			die("too many counts (max %d)", TW_MAX_STEPS);
		o->counts[o->nsteps++] = parse_num(tok, "count", 1, 10000000);
	}
	free(copy);
	if (o->nsteps == 0)
		die("bad count '%s'", list);
}

static void
parse_addr(struct opts *o, const char *s)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&o->addr;

	memset(&o->addr, 0, sizeof o->addr);
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = o->family = AF_INET;
		o->addrlen = sizeof *sin;
	} else if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = o->family = AF_INET6;
		o->addrlen = sizeof *sin6;
	} else
		die("bad address '%s' (numeric IPv4 or IPv6)", s);
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, 'a' },
		{ "ports", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "inflight", required_argument, NULL, 'i' },
		{ "hold", no_argument, NULL, 'H' },
		{ "clients", required_argument, NULL, 'c' },
		{ "pool", required_argument, NULL, 'k' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "fill") == 0)
		o->mode = MODE_FILL;
	else if (strcmp(argv[1], "seed") == 0)
		o->mode = MODE_SEED;
	else
		usage();
	parse_addr(o, "127.0.0.1");
	o->counts[0] = 1000;
	o->nsteps = 1;
	o->inflight = 256;
	o->nclients = 100;
	o->pool = 2;
	o->seconds = 10;
	o->max_seconds = 30;
	while ((ch = getopt_long(argc - 1, argv + 1, "", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			parse_addr(o, optarg);
			break;
		case 'p':
			parse_ports(o, optarg);
			break;
		case 'n':
			parse_counts(o, optarg);
			break;
		case 'i':
			o->inflight = parse_num(optarg, "inflight", 1, 4096);
			break;
		case 'H':
			o->is_hold = 1;
			break;
		case 'c':
			o->nclients = parse_num(optarg, "clients", 1,
			    TW_MAX_CLIENTS);
			break;
		case 'k':
			o->pool = parse_num(optarg, "pool", 0, TW_MAX_CLIENTS);
			break;
		case 's':
			o->seconds = parse_num(optarg, "seconds", 0, 3600);
			break;
		case 'r':
			o->rate = parse_num(optarg, "rate", 0, 1e7);
			break;
		case 'm':
			o->max_seconds = parse_num(optarg, "max-seconds",
			    0.1, 3600);
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if (o->nports == 0)
		o->ports[o->nports++] = 8080;
	if (o->mode == MODE_SEED && o->nports != 1)
		die("seed takes one --port");
	if (o->pool > o->nclients)
		o->pool = o->nclients;
}

static void
raise_nofile(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static size_t
fd_table_size(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur > TW_MAX_FDS)
		return TW_MAX_FDS;
	return rl.rlim_cur;
}

static struct sockaddr *
addr_with_port(const struct opts *o, struct sockaddr_storage *ss,
    uint16_t port)
{
	*ss = o->addr;
	if (o->family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	return (struct sockaddr *)ss;
}

/* Track fd in epoll; -1 (fd closed) when the table has no room. */
static int
conn_add(struct gen *g, int fd, int kind, uint32_t events)
{
	struct epoll_event	 ev;

	if (fd < 0 || (size_t)fd >= g->nconns) {
		close(fd);
		errno = EMFILE;
		return -1;
	}
	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.fd = fd;
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		close(fd);
		return -1;
	}
	g->conns[fd].kind = kind;
	g->conns[fd].client = -1;
	g->conns[fd].len = 0;
	return 0;
}

static void
conn_mod(struct gen *g, int fd, uint32_t events)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.fd = fd;
	(void)epoll_ctl(g->ep, EPOLL_CTL_MOD, fd, &ev);
}

/* close() also drops the fd from epoll: nothing else holds it. */
static void
conn_close(struct gen *g, int fd)
{
	if (g->conns[fd].kind == CONN_SERVER)
		g->nservers--;
	g->conns[fd].kind = CONN_FREE;
	close(fd);
}

static void
listen_on(struct gen *g, uint16_t port)
{
	struct sockaddr_storage	 ss;
	int			 fd, one = 1;

	fd = socket(g->o->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (g->o->family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof one);
	if (bind(fd, addr_with_port(g->o, &ss, port), g->o->addrlen) == -1)
		die("bind port %u: %s", port, strerror(errno));
	if (listen(fd, TW_BACKLOG) == -1)
		die("listen port %u: %s", port, strerror(errno));
	if (conn_add(g, fd, CONN_LISTEN, EPOLLIN) == -1)
		die("epoll listener: %s", strerror(errno));
}

static void
gen_init(struct gen *g, const struct opts *o)
{
	size_t	 i;

	memset(g, 0, sizeof *g);
	g->o = o;
	raise_nofile();
	g->nconns = fd_table_size();
	if ((g->conns = calloc(g->nconns, sizeof *g->conns)) == NULL)
		die("out of memory");
	if ((g->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	g->start_ms = now_ms();
	g->deadline_ms = g->start_ms + (uint64_t)(o->max_seconds * 1000);
	for (i = 0; i < o->nports; i++)
		listen_on(g, o->ports[i]);
}

static int
gen_is_late(const struct gen *g, uint64_t now)
{
	return got_signal != 0 || now >= g->deadline_ms;
}

static int
gen_timeout_ms(const struct gen *g, int want_ms)
{
	uint64_t	 now = now_ms();

	if (now >= g->deadline_ms)
		return 0;
	if (g->deadline_ms - now < (uint64_t)want_ms)
		return g->deadline_ms - now;
	return want_ms;
}

/* Nonblocking connect to port; the fd, or -1 with errno set. */
static int
connect_start(struct gen *g, uint16_t port, int kind)
{
	struct sockaddr_storage	 ss;
	int			 fd, saved;

	fd = socket(g->o->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (connect(fd, addr_with_port(g->o, &ss, port), g->o->addrlen) ==
	    -1 && errno != EINPROGRESS) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (conn_add(g, fd, kind, EPOLLOUT) == -1)
		return -1;
	return fd;
}

static int
connect_result(int fd)
{
	int		 err = 0;
	socklen_t	 len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return errno;
	return err;
}

static void
accept_all(struct gen *g, int lfd)
{
	int	 fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED) {
				g->errors++;
				g->last_errno = errno;
			}
			return;
		}
		if (conn_add(g, fd, CONN_SERVER, EPOLLIN | EPOLLRDHUP) == -1) {
			g->errors++;
			g->last_errno = errno;
			continue;
		}
		g->accepted++;
		g->nservers++;
	}
}

/* --- fill ------------------------------------------------------------ */

static void
fill_stop(struct gen *g, const char *why)
{
	if (!g->is_stopping) {
		g->is_stopping = 1;
		g->stop_why = why;
	}
}

static void
fill_start_more(struct gen *g)
{
	const struct opts	*o = g->o;
	uint16_t		 port;

	while (!g->is_stopping && g->started < o->counts[g->step] &&
	    g->inflight < o->inflight) {
		port = o->ports[g->started % o->nports];
		if (connect_start(g, port, CONN_CLIENT) == -1) {
			g->last_errno = errno;
			if (errno == EADDRNOTAVAIL) {
				g->unavail++;
				fill_stop(g, "ephemeral_ports_exhausted");
				return;
			}
			if (++g->errors >= TW_MAX_ERRORS)
				fill_stop(g, "too_many_errors");
			return;
		}
		g->started++;
		g->inflight++;
	}
}

/* The client closes first, so it is the side that ends in TIME_WAIT. */
static void
fill_on_client(struct gen *g, int fd)
{
	int	 err;

	if ((err = connect_result(fd)) == 0)
		g->connected++;
	else {
		g->errors++;
		g->last_errno = err;
	}
	conn_close(g, fd);
	g->inflight--;
}

/* Close the server end only after the client's FIN (read returns 0). */
static void
fill_on_server(struct gen *g, int fd)
{
	char	 buf[256];
	ssize_t	 n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		continue;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 0)
		g->closed++;
	conn_close(g, fd);
}

static void
gen_dispatch(struct gen *g, int fd, uint32_t events,
    void (*on_client)(struct gen *, int, uint32_t),
    void (*on_server)(struct gen *, int))
{
	switch (g->conns[fd].kind) {
	case CONN_LISTEN:
		accept_all(g, fd);
		break;
	case CONN_CLIENT:
		on_client(g, fd, events);
		break;
	case CONN_SERVER:
		on_server(g, fd);
		break;
	default:
		break;
	}
}

static void
fill_on_client_ev(struct gen *g, int fd, uint32_t events)
{
	(void)events;
	fill_on_client(g, fd);
}

static int
gen_poll(struct gen *g, int timeout_ms,
    void (*on_client)(struct gen *, int, uint32_t),
    void (*on_server)(struct gen *, int))
{
	struct epoll_event	 evs[TW_MAX_EVENTS];
	int			 i, n;

	n = epoll_wait(g->ep, evs, TW_MAX_EVENTS, timeout_ms);
	if (n == -1 && errno != EINTR)
		die("epoll_wait: %s", strerror(errno));
	for (i = 0; i < n; i++)
		gen_dispatch(g, evs[i].data.fd, evs[i].events, on_client,
		    on_server);
	return n;
}

static int
fill_is_done(const struct gen *g)
{
	if (g->inflight > 0 || g->nservers > 0)
		return 0;
	if (g->accepted < g->connected)
		return 0;
	return g->is_stopping || g->started >= g->o->counts[g->step];
}

/* TIME_WAIT sockets in this network namespace, from /proc/net/sockstat. */
static long
sockstat_tw(void)
{
	FILE	*f;
	char	 line[256];
	long	 tw = -1;

	if ((f = fopen("/proc/net/sockstat", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "TCP:", 4) == 0 &&
		    sscanf(line, "TCP: inuse %*d orphan %*d tw %ld", &tw) != 1)
			tw = -1;
	}
	fclose(f);
	return tw;
}

static void
fill_report(const struct gen *g, uint64_t elapsed_ms)
{
	printf("twgen fill: done step=%zu connections=%lu time_wait=%lu "
	    "errors=%lu unavail=%lu tw_total=%ld elapsed_ms=%llu stop=%s",
	    g->step + 1, g->connected, g->closed, g->errors, g->unavail,
	    sockstat_tw(),
	    (unsigned long long)elapsed_ms,
	    g->stop_why != NULL ? g->stop_why : "complete");
	if (g->last_errno != 0)
		printf(" last_error=\"%s\"", strerror(g->last_errno));
	putchar('\n');
	fflush(stdout);
}

/*
 * Keep the listeners (LISTEN sockets) until a signal or the deadline;
 * with is_step, only until SIGUSR1 asks for the next step.
 */
static void
fill_hold(struct gen *g, int is_step)
{
	while (!gen_is_late(g, now_ms()) && !(is_step && got_usr1))
		gen_poll(g, gen_timeout_ms(g, 1000), fill_on_client_ev,
		    fill_on_server);
	got_usr1 = 0;
}

/* One step: count connections, all closed by the client first. */
static void
fill_step(struct gen *g)
{
	uint64_t	 now, step_ms = now_ms();

	g->started = g->connected = g->accepted = g->closed = 0;
	g->errors = g->unavail = 0;
	g->last_errno = 0;
	for (;;) {
		now = now_ms();
		if (gen_is_late(g, now))
			fill_stop(g, got_signal ? "signal" : "max_seconds");
		fill_start_more(g);
		if (fill_is_done(g) || gen_is_late(g, now))
			break;
		gen_poll(g, gen_timeout_ms(g, 100), fill_on_client_ev,
		    fill_on_server);
	}
	fill_report(g, now_ms() - step_ms);
}

static int
fill_run(const struct opts *o)
{
	struct gen	 g;
	unsigned long	 total = 0;

	gen_init(&g, o);
	for (g.step = 0; g.step < o->nsteps; g.step++) {
		fill_step(&g);
		total += g.connected;
		if (g.is_stopping || g.step + 1 == o->nsteps)
			break;
		fill_hold(&g, 1);
	}
	if (o->is_hold)
		fill_hold(&g, 0);
	return total > 0 ? 0 : 1;
}

/* --- seed ------------------------------------------------------------ */

/* Complete when the headers ended and Content-Length body bytes are in. */
static int
http_is_complete(const char *buf, size_t len)
{
	const char	*end, *cl;
	size_t		 hdr, body;

	if ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return 0;
	hdr = end + 4 - buf;
	cl = memmem(buf, hdr, "Content-Length:", 15);
	body = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0;
	return len >= hdr + body;
}

static void
seed_tokens_refill(struct gen *g, uint64_t now)
{
	double	 burst;

	if (g->o->rate <= 0)
		return;
	burst = g->o->rate / 20 > 1 ? g->o->rate / 20 : 1;
	g->tokens += (now - g->token_ms) * g->o->rate / 1000.0;
	if (g->tokens > burst)
		g->tokens = burst;
	g->token_ms = now;
}

static int
seed_take_token(struct gen *g)
{
	if (g->o->rate <= 0)
		return 1;
	if (g->tokens < 1)
		return 0;
	g->tokens -= 1;
	return 1;
}

static void
seed_client_fail(struct gen *g, struct client *c, int err)
{
	g->errors++;
	g->last_errno = err;
	if (c->fd != -1)
		conn_close(g, c->fd);
	c->fd = -1;
	c->state = CL_WAIT;
	c->wake_ms = now_ms() + TW_RETRY_MS;
}

static void
seed_send(struct gen *g, struct client *c)
{
	ssize_t	 n;

	n = write(c->fd, http_request, sizeof http_request - 1);
	if (n != (ssize_t)(sizeof http_request - 1)) {
		seed_client_fail(g, c, n == -1 ? errno : EIO);
		return;
	}
	g->conns[c->fd].len = 0;
	c->state = CL_READING;
	conn_mod(g, c->fd, EPOLLIN | EPOLLRDHUP);
}

/* Begin one request: on the pooled connection, or a new connection. */
static void
seed_start(struct gen *g, struct client *c, int idx)
{
	if (!seed_take_token(g)) {
		c->state = CL_WAIT;
		c->wake_ms = 0;
		return;
	}
	if (c->fd != -1) {
		seed_send(g, c);
		return;
	}
	if ((c->fd = connect_start(g, g->o->ports[0], CONN_CLIENT)) == -1) {
		if (errno == EADDRNOTAVAIL)
			g->unavail++;
		seed_client_fail(g, c, errno);
		return;
	}
	g->started++;
	g->conns[c->fd].client = idx;
	c->state = CL_CONNECTING;
}

static void
seed_on_connected(struct gen *g, struct client *c)
{
	int	 err;

	if ((err = connect_result(c->fd)) != 0) {
		seed_client_fail(g, c, err);
		return;
	}
	g->connected++;
	seed_send(g, c);
}

/* Response read: short-lived clients close first (client TIME_WAIT). */
static void
seed_on_readable(struct gen *g, struct client *c)
{
	struct conn	*cn = &g->conns[c->fd];
	ssize_t		 n;

	n = read(c->fd, cn->buf + cn->len, sizeof cn->buf - cn->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (cn->len += n) == sizeof cn->buf) {
		seed_client_fail(g, c, n == -1 ? errno : EPIPE);
		return;
	}
	if (!http_is_complete(cn->buf, cn->len))
		return;
	g->requests++;
	if (!c->is_pooled) {
		conn_close(g, c->fd);
		g->closed++;
		c->fd = -1;
	}
	c->state = CL_IDLE;
}

static void
seed_on_client_ev(struct gen *g, int fd, uint32_t events)
{
	struct client	*c = &g->clients[g->conns[fd].client];

	(void)events;
	if (c->state == CL_CONNECTING)
		seed_on_connected(g, c);
	else if (c->state == CL_READING)
		seed_on_readable(g, c);
}

/* Answer every complete request; close after the client's FIN. */
static void
seed_on_server(struct gen *g, int fd)
{
	struct conn	*cn = &g->conns[fd];
	char		*end;
	size_t		 used;
	ssize_t		 n;

	n = read(fd, cn->buf + cn->len, sizeof cn->buf - cn->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(g, fd);
		return;
	}
	cn->len += n;
	while ((end = memmem(cn->buf, cn->len, "\r\n\r\n", 4)) != NULL) {
		if (write(fd, http_response, sizeof http_response - 1) == -1)
			break;
		used = end + 4 - cn->buf;
		memmove(cn->buf, cn->buf + used, cn->len - used);
		cn->len -= used;
	}
	if (cn->len == sizeof cn->buf)
		conn_close(g, fd);
}

/* Start what may start; the epoll timeout that fits what still waits. */
static int
seed_kick(struct gen *g, uint64_t now)
{
	struct client	*c;
	unsigned	 i, k, n = g->o->nclients;
	int		 waiting = 0;

	seed_tokens_refill(g, now);
	g->kick_first = (g->kick_first + 1) % n;
	for (k = 0; k < n; k++) {
		i = (g->kick_first + k) % n;
		c = &g->clients[i];
		if (c->state == CL_WAIT && c->wake_ms <= now)
			c->state = CL_IDLE;
		if (c->state == CL_IDLE)
			seed_start(g, c, i);
		if (c->state == CL_WAIT)
			waiting = 1;
	}
	return waiting ? 1 : 100;
}

static void
seed_report(const struct gen *g, uint64_t elapsed_ms)
{
	printf("twgen seed: done requests=%lu connections=%lu "
	    "client_closes=%lu errors=%lu unavail=%lu tw_total=%ld "
	    "elapsed_ms=%llu", g->requests, g->connected, g->closed,
	    g->errors, g->unavail, sockstat_tw(),
	    (unsigned long long)elapsed_ms);
	if (g->last_errno != 0)
		printf(" last_error=\"%s\"", strerror(g->last_errno));
	putchar('\n');
	fflush(stdout);
}

static int
seed_run(const struct opts *o)
{
	struct gen	 g;
	uint64_t	 now, end_ms;
	unsigned	 i;

	gen_init(&g, o);
	if ((g.clients = calloc(o->nclients, sizeof *g.clients)) == NULL)
		die("out of memory");
	for (i = 0; i < o->nclients; i++) {
		g.clients[i].fd = -1;
		g.clients[i].is_pooled = i < o->pool;
	}
	end_ms = g.start_ms + (uint64_t)(o->seconds * 1000);
	if (end_ms > g.deadline_ms)
		end_ms = g.deadline_ms;
	g.token_ms = g.start_ms;
	while ((now = now_ms()) < end_ms && got_signal == 0)
		gen_poll(&g, gen_timeout_ms(&g, seed_kick(&g, now)),
		    seed_on_client_ev, seed_on_server);
	seed_report(&g, now_ms() - g.start_ms);
	return g.requests > 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct opts		 o;
	struct sigaction	 sa;

	memset(&o, 0, sizeof o);
	parse_args(&o, argc, argv);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (o.mode == MODE_FILL)
		return fill_run(&o);
	return seed_run(&o);
}
