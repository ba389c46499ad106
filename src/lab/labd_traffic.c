/*
 * The lab's background traffic, from the client's namespace:
 *
 *  - a browser: every LABD_BROWSE_MS, GET /, /style.css, /slow and
 *    /missing one after another over one keep-alive connection (and
 *    /large now and then);
 *  - the seed's load pattern: LABD_LOAD_CLIENTS clients sharing a pool
 *    of LABD_LOAD_POOL keep-alive connections; a client finding the pool
 *    busy opens a connection of its own and closes it after the answer,
 *    so TIME_WAIT piles up here, where tubes' sockets pane sees it (the
 *    clients come in waves, so most of them find the pool busy);
 *  - now and then a DNS query (www, slow, broken) for the DNS pane.
 *
 * Bounded: at most LABD_LOAD_MAX_SHORT short connections open at once and
 * LABD_LOAD_NEW_PER_S new ones a second.
 */
#include "config.h"

#include "lab/labd.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "loop.h"

#define LABD_BROWSE_MS		700
#define LABD_LOAD_CLIENTS	100
#define LABD_LOAD_POOL		2
#define LABD_LOAD_MAX_SHORT	48
#define LABD_LOAD_NEW_PER_S	150
#define LABD_LOAD_WAVE_MS	2000
#define LABD_LOAD_JITTER_MS	50
#define LABD_DNS_EVERY_MS	1500
#define LABD_HEAD_MAX		4096
#define LABD_NCONNS		(1 + LABD_LOAD_POOL + LABD_LOAD_MAX_SHORT)

enum cstate { C_FREE, C_CONNECTING, C_SENDING, C_READING, C_IDLE };

struct tconn {
	int		 fd;
	enum cstate	 state;
	int		 is_short;	/* closed after one answer */
	int		 client;	/* the load client waiting, or -1 */
	char		 req[256];
	size_t		 reqlen, reqoff;
	char		 head[LABD_HEAD_MAX];
	size_t		 nhead;
	int		 is_head_done;
	long long	 body_left;	/* -1: until the server closes */
};

static const char *const browse_paths[] = {
	"/", "/style.css", "/slow", "/missing"
};
#define NBROWSE	(sizeof(browse_paths) / sizeof(browse_paths[0]))

static struct tconn	 tc[LABD_NCONNS];	/* 0 browser, then pool */
/* When each load client asks next; 0 while it waits for an answer. */
static uint64_t		 client_due[LABD_LOAD_CLIENTS];
static struct sockaddr_in web;
static unsigned		 seed = 1;
static size_t		 browse_step = NBROWSE;	/* NBROWSE: idle */
static unsigned		 browse_round;
static double		 tokens = LABD_LOAD_NEW_PER_S;
static uint64_t		 tokens_ms;
static size_t		 nshort;

/* Clients come in waves, as users behind one page view do: all of them
 * at once every LABD_LOAD_WAVE_MS, within LABD_LOAD_JITTER_MS. */
static uint64_t
think_ms(void)
{
	uint64_t	now = tb_now_ms();

	return (now / LABD_LOAD_WAVE_MS + 1) * LABD_LOAD_WAVE_MS - now +
	    (uint64_t)(rand_r(&seed) % LABD_LOAD_JITTER_MS);
}

static void
tconn_close(struct tconn *c)
{
	if (c->fd != -1)
		(void)close(c->fd);
	if (c->is_short && c->state != C_FREE)
		nshort--;
	if (c->client >= 0)	/* the answer never came: try later */
		client_due[c->client] = tb_now_ms() + think_ms();
	c->fd = -1;
	c->state = C_FREE;
	c->client = -1;
}

static void
tconn_request(struct tconn *c, const char *path, const char *who)
{
	int	n;

	n = snprintf(c->req, sizeof(c->req), "GET %s HTTP/1.1\r\n"
	    "Host: www.lab.test\r\nUser-Agent: tubes-lab/1 (%s)\r\n"
	    "Accept: */*\r\n\r\n", path, who);
	c->reqlen = n > 0 && (size_t)n < sizeof(c->req) ? (size_t)n : 0;
	c->reqoff = 0;
	c->nhead = 0;
	c->is_head_done = 0;
	c->body_left = 0;
	c->state = c->fd == -1 ? C_CONNECTING : C_SENDING;
}

/* A new connection for c (state C_CONNECTING): -1 if none could start. */
static int
tconn_connect(struct tconn *c)
{
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->fd == -1)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&web, sizeof(web)) == -1 &&
	    errno != EINPROGRESS) {
		(void)close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/* The answer's head is in: how much body follows. */
static int
tconn_head(struct tconn *c, size_t headlen)
{
	const char	*p, *end = c->head + headlen;
	char		*e;
	long long	 v;

	c->body_left = -1;
	for (p = c->head; p < end; p++) {
		if ((p == c->head || p[-1] == '\n') && end - p > 15 &&
		    strncasecmp(p, "Content-Length:", 15) == 0) {
			v = strtoll(p + 15, &e, 10);
			if (v < 0 || e == p + 15)
				return -1;
			c->body_left = v;
		}
	}
	return 0;
}

/* The answer is complete. */
static void
tconn_done(struct tconn *c)
{
	if (c->client >= 0) {
		client_due[c->client] = tb_now_ms() + think_ms();
		c->client = -1;
	}
	if (c == &tc[0] && ++browse_step == NBROWSE)
		browse_round++;
	if (c->is_short || c->body_left < 0)
		tconn_close(c);	/* the client closes: TIME_WAIT here */
	else
		c->state = C_IDLE;
}

static void
tconn_read(struct tconn *c)
{
	char		 buf[16384], *e;
	ssize_t		 n;
	size_t		 take, headlen;

	if ((n = read(c->fd, buf, sizeof(buf))) == 0 || (n == -1 &&
	    errno != EAGAIN && errno != EINTR)) {
		/* A body without a length ends with the connection. */
		if (c->state == C_READING && c->is_head_done &&
		    c->body_left < 0)
			tconn_done(c);
		else
			tconn_close(c);
		return;
	}
	if (n <= 0 || c->state != C_READING)
		return;
	if (!c->is_head_done) {
		take = sizeof(c->head) - c->nhead;
		take = (size_t)n < take ? (size_t)n : take;
		memcpy(c->head + c->nhead, buf, take);
		c->nhead += take;
		if ((e = memmem(c->head, c->nhead, "\r\n\r\n", 4)) == NULL) {
			if (c->nhead == sizeof(c->head))
				tconn_close(c);
			return;
		}
		headlen = (size_t)(e - c->head) + 4;
		if (tconn_head(c, headlen) == -1) {
			tconn_close(c);
			return;
		}
		c->is_head_done = 1;
		/* What came after the head is body. */
		n = (ssize_t)(c->nhead - headlen) + (n - (ssize_t)take);
	}
	if (c->body_left >= 0) {
		c->body_left -= n;
		if (c->body_left <= 0) {
			c->body_left = 0;
			tconn_done(c);
		}
	}
}

static void
tconn_write(struct tconn *c)
{
	ssize_t	n;
	int	e = 0;
	socklen_t elen = sizeof(e);

	if (c->state == C_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) == -1 ||
		    e != 0) {
			tconn_close(c);
			return;
		}
		c->state = C_SENDING;
	}
	n = write(c->fd, c->req + c->reqoff, c->reqlen - c->reqoff);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			tconn_close(c);
		return;
	}
	c->reqoff += (size_t)n;
	if (c->reqoff == c->reqlen)
		c->state = C_READING;
}

/* Start a request on c (opening it if needed): -1 if it cannot go. */
static int
tconn_start(struct tconn *c, const char *path, const char *who)
{
	tconn_request(c, path, who);
	if (c->fd == -1 && tconn_connect(c) == -1) {
		c->state = C_FREE;
		return -1;
	}
	return 0;
}

static int
take_token(uint64_t now)
{
	tokens += (double)(now - tokens_ms) * LABD_LOAD_NEW_PER_S / 1000.0;
	tokens_ms = now;
	if (tokens > LABD_LOAD_NEW_PER_S)
		tokens = LABD_LOAD_NEW_PER_S;
	if (tokens < 1)
		return 0;
	tokens -= 1;
	return 1;
}

/* Client k is due: the pool if a connection is idle, else its own. */
static int
load_client(int k, uint64_t now)
{
	struct tconn	*c;
	size_t		 i;

	for (i = 1; i <= LABD_LOAD_POOL; i++) {
		c = &tc[i];
		if (c->state == C_IDLE || (c->state == C_FREE &&
		    take_token(now))) {
			c->is_short = 0;
			if (tconn_start(c, "/", "pool") == -1)
				return -1;
			c->client = k;
			return 0;
		}
	}
	if (nshort >= LABD_LOAD_MAX_SHORT)
		return -1;
	for (i = 1 + LABD_LOAD_POOL; i < LABD_NCONNS; i++)
		if (tc[i].state == C_FREE)
			break;
	if (i == LABD_NCONNS || !take_token(now))
		return -1;
	c = &tc[i];
	c->is_short = 1;
	if (tconn_start(c, "/", "overflow") == -1)
		return -1;
	nshort++;
	c->client = k;
	return 0;
}

/* The browser's next page element, the load clients that are due. */
static uint64_t
traffic_due(uint64_t now, uint64_t *browse_at)
{
	uint64_t	next = now + 1000;
	int		k;

	if (browse_step == NBROWSE && now >= *browse_at) {
		browse_step = 0;
		*browse_at = now + LABD_BROWSE_MS;
	}
	if (browse_step < NBROWSE && (tc[0].state == C_IDLE ||
	    tc[0].state == C_FREE)) {
		if (tconn_start(&tc[0], browse_step == 0 &&
		    browse_round % 10 == 9 ? "/large" :
		    browse_paths[browse_step], "browser") == -1)
			browse_step = NBROWSE;
	}
	if (*browse_at < next)
		next = *browse_at;
	for (k = 0; k < LABD_LOAD_CLIENTS; k++) {
		if (client_due[k] == 0)
			continue;
		if (client_due[k] <= now) {
			client_due[k] = 0;
			if (load_client(k, now) == -1) {
				/* Pool busy, limits reached: soon again. */
				client_due[k] = now + 20;
			}
		}
		if (client_due[k] != 0 && client_due[k] < next)
			next = client_due[k];
	}
	return next;
}

static void
dns_query(int fd)
{
	static const char *const names[] = { "www", "slow", "broken" };
	static unsigned		 n;
	uint8_t			 q[64];
	size_t			 len = 0;
	const char		*name = names[n++ % 3];
	size_t			 nl = strlen(name);

	/* Id, RD, one question: NAME.lab.test A IN. */
	q[len++] = (uint8_t)(n >> 8);
	q[len++] = (uint8_t)n;
	q[len++] = 0x01;
	q[len++] = 0;
	memcpy(q + len, "\0\1\0\0\0\0\0\0", 8);
	len += 8;
	q[len++] = (uint8_t)nl;
	memcpy(q + len, name, nl);
	len += nl;
	memcpy(q + len, "\3lab\4test\0\0\1\0\1", 14);
	len += 14;
	(void)send(fd, q, len, MSG_DONTWAIT);
}

static int
dns_socket(void)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	(void)inet_pton(AF_INET, LABD_DNS4, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd != -1 && connect(fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1) {
		(void)close(fd);
		fd = -1;
	}
	return fd;
}

static void
traffic_init(void)
{
	uint64_t	now = tb_now_ms();
	size_t		i;

	memset(&web, 0, sizeof(web));
	web.sin_family = AF_INET;
	web.sin_port = htons(80);
	(void)inet_pton(AF_INET, LABD_WEB4, &web.sin_addr);
	for (i = 0; i < LABD_NCONNS; i++) {
		tc[i].fd = -1;
		tc[i].client = -1;
	}
	seed = (unsigned)getpid() ^ (unsigned)now;
	tokens_ms = now;
	/* The first wave at once. */
	for (i = 0; i < LABD_LOAD_CLIENTS; i++)
		client_due[i] = now + 1 + (uint64_t)(rand_r(&seed) %
		    LABD_LOAD_JITTER_MS);
}

void
labd_traffic_main(struct labd_env *e)
{
	struct pollfd	 pfds[LABD_NCONNS + 1];
	char		 junk[512];
	uint64_t	 now, next, browse_at, dns_at;
	size_t		 i;
	int		 dfd;

	labd_drop(e);
	traffic_init();
	if ((dfd = dns_socket()) == -1)
		labd_fail(e, "DNS socket: %s", strerror(errno));
	labd_ready(e);
	browse_at = dns_at = tb_now_ms();
	for (;;) {
		now = tb_now_ms();
		if (now >= dns_at) {
			dns_query(dfd);
			dns_at = now + LABD_DNS_EVERY_MS;
		}
		next = traffic_due(now, &browse_at);
		if (dns_at < next)
			next = dns_at;
		pfds[0].fd = dfd;
		pfds[0].events = POLLIN;
		for (i = 0; i < LABD_NCONNS; i++) {
			pfds[i + 1].fd = tc[i].fd;
			pfds[i + 1].events = tc[i].state == C_CONNECTING ||
			    tc[i].state == C_SENDING ? POLLOUT : POLLIN;
		}
		now = tb_now_ms();
		if (poll(pfds, LABD_NCONNS + 1, next > now ?
		    (int)(next - now) : 0) <= 0)
			continue;
		if (pfds[0].revents & POLLIN)
			(void)!recv(dfd, junk, sizeof(junk), MSG_DONTWAIT);
		for (i = 0; i < LABD_NCONNS; i++) {
			if (tc[i].fd == -1 || pfds[i + 1].revents == 0)
				continue;
			if (pfds[i + 1].revents & POLLOUT)
				tconn_write(&tc[i]);
			else
				tconn_read(&tc[i]);
		}
	}
}
