/*
 * The --fetch engine against a server in this process, on 127.0.0.1,
 * driven by the same loop: the request bytes it sends, every framing
 * (Content-Length, chunked with extensions and trailers, interim
 * responses, close-delimited) fed a byte per segment, keep-alive reuse
 * and its limits, a pooled connection the server closed, hostile heads
 * and chunks, a timeout, a refused connect, and the ClientHello read back
 * by our own TLS parser.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "model/fetch.h"
#include "model/tls_sni.h"
#include "tap.h"

#define SRV_CONNS	8

struct sconn {
	int	 fd;
	char	 in[32768];
	size_t	 n;
	size_t	 wpos;		/* bytes of the response written */
	int	 is_writing;
};

static struct {
	struct tb_loop	*loop;
	int		 lfd;
	uint16_t	 port;
	const char	*resp;
	size_t		 resp_len;
	size_t		 step;		/* bytes per write, 0: all */
	int		 is_close_after;	/* close once answered */
	int		 is_silent;
	int		 is_tls;	/* any bytes are a request */
	int		 naccepted, nrequests;
	char		 first_req[4096];
	size_t		 first_len;
	struct sconn	 c[SRV_CONNS];
	struct fetch	*f;
	int		 is_timed_out;
} S;

static void	srv_on_conn(int, short, void *);

static void
srv_close(struct sconn *c)
{
	tb_loop_io_del(S.loop, c->fd);
	close(c->fd);
	c->fd = -1;
}

static void
srv_write_more(void *arg)
{
	struct sconn	*c = arg;
	size_t		 n;
	ssize_t		 w;

	if (c->fd == -1)
		return;
	n = S.resp_len - c->wpos;
	if (S.step > 0 && n > S.step)
		n = S.step;
	if ((w = write(c->fd, S.resp + c->wpos, n)) > 0)
		c->wpos += (size_t)w;
	if (c->wpos < S.resp_len) {
		tb_loop_timer(S.loop, tb_now_ms(), srv_write_more, c);
		return;
	}
	c->is_writing = 0;
	if (S.is_close_after)
		srv_close(c);
}

/* One request read (its head, or any bytes for TLS): answer it. */
static void
srv_request(struct sconn *c)
{
	char	*end;
	size_t	 used;

	if (S.is_tls)
		used = c->n;
	else if ((end = memmem(c->in, c->n, "\r\n\r\n", 4)) != NULL)
		used = (size_t)(end - c->in) + 4;
	else
		return;
	if (S.nrequests++ == 0) {
		S.first_len = used < sizeof(S.first_req) ? used :
		    sizeof(S.first_req);
		memcpy(S.first_req, c->in, S.first_len);
	}
	memmove(c->in, c->in + used, c->n - used);
	c->n -= used;
	if (S.is_silent)
		return;
	c->wpos = 0;
	c->is_writing = 1;
	srv_write_more(c);
}

static void
srv_on_conn(int fd, short revents, void *arg)
{
	struct sconn	*c = arg;
	ssize_t		 n;

	(void)revents;
	if (fd != c->fd)
		return;
	n = read(fd, c->in + c->n, sizeof(c->in) - c->n);
	if (n <= 0) {
		if (n == 0 || errno != EAGAIN)
			srv_close(c);
		return;
	}
	c->n += (size_t)n;
	if (!c->is_writing)
		srv_request(c);
}

static void
srv_on_accept(int fd, short revents, void *arg)
{
	int	cfd, one = 1, i;

	(void)revents;
	(void)arg;
	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (i = 0; i < SRV_CONNS; i++)
		if (S.c[i].fd == -1)
			break;
	if (i == SRV_CONNS) {
		close(cfd);
		return;
	}
	memset(&S.c[i], 0, sizeof(S.c[i]));
	S.c[i].fd = cfd;
	S.naccepted++;
	tb_loop_io(S.loop, cfd, POLLIN, srv_on_conn, &S.c[i]);
}

static void
srv_start(const char *resp, size_t len)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);
	int			i, one = 1;

	memset(&S, 0, sizeof(S));
	S.loop = tb_loop_new();
	S.resp = resp;
	S.resp_len = len;
	for (i = 0; i < SRV_CONNS; i++)
		S.c[i].fd = -1;
	S.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(S.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(S.lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(S.lfd, 64) == -1 ||
	    getsockname(S.lfd, (struct sockaddr *)&sin, &sl) == -1) {
		printf("Bail out! cannot listen on 127.0.0.1\n");
		exit(99);
	}
	S.port = ntohs(sin.sin_port);
	tb_loop_io(S.loop, S.lfd, POLLIN, srv_on_accept, NULL);
}

static void
srv_stop(void)
{
	int	i;

	fetch_free(S.f);
	S.f = NULL;
	for (i = 0; i < SRV_CONNS; i++)
		if (S.c[i].fd != -1)
			srv_close(&S.c[i]);
	tb_loop_io_del(S.loop, S.lfd);
	close(S.lfd);
	tb_loop_free(S.loop);
}

static void
on_done_check(void *arg)
{
	(void)arg;
	if (S.f != NULL && fetch_is_done(S.f))
		tb_loop_stop(S.loop);
}

static void
on_deadline(void *arg)
{
	(void)arg;
	S.is_timed_out = 1;
	tb_loop_stop(S.loop);
}

/* Fetch count times from our server; 0 once it is done. */
static int
run_fetch(const char *host, const char *path, int is_https, long count,
    int concurrency, int keepalive, unsigned timeout_ms)
{
	struct fetch_conf	conf;
	char			err[256];

	memset(&conf, 0, sizeof(conf));
	conf.family = AF_INET;
	conf.addr[0] = 127;
	conf.addr[3] = 1;
	conf.port = S.port;
	conf.host = host;
	conf.path = path;
	conf.is_https = is_https;
	conf.count = count;
	conf.concurrency = concurrency;
	conf.keepalive = keepalive;
	conf.timeout_ms = timeout_ms;
	if ((S.f = fetch_new(&conf, err, sizeof(err))) == NULL) {
		printf("# fetch_new: %s\n", err);
		return -1;
	}
	tb_loop_before_sleep(S.loop, on_done_check, NULL);
	tb_loop_timer(S.loop, tb_now_ms() + 10000, on_deadline, NULL);
	fetch_attach(S.f, S.loop);
	tb_loop_run(S.loop);
	return S.is_timed_out ? -1 : 0;
}

#define RESP(s)	s, sizeof(s) - 1

static void
test_length(void)
{
	static const char	r[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
				    "\r\nhello";
	const struct fetch_stats *st;
	const struct fetch_req	*q;
	char			 want[256];

	srv_start(RESP(r));
	S.step = 1;
	ok(run_fetch("example.test", "/a?b=c", 0, 3, 1, 1, 0) == 0,
	    "length: done in time");
	st = fetch_stats(S.f);
	ok(st->done == 3 && st->failed == 0, "length: 3 done");
	ok(st->conns_opened == 1 && st->conns_reused == 2 &&
	    st->conns_closed == 1, "length: one connection, reused twice, "
	    "closed at the end");
	snprintf(want, sizeof(want), "GET /a?b=c HTTP/1.1\r\nHost: "
	    "example.test:%u\r\nUser-Agent: tubes/%s\r\nAccept: */*\r\n\r\n",
	    S.port, PACKAGE_VERSION);
	ok(S.first_len == strlen(want) &&
	    memcmp(S.first_req, want, S.first_len) == 0,
	    "length: the request bytes");
	q = fetch_req_at(S.f, 0);
	ok(q->status == 200 && q->resp_bytes == sizeof(r) - 1 &&
	    q->connected_us >= q->start_us && q->sent_us >= q->connected_us &&
	    q->first_byte_us >= q->sent_us &&
	    q->last_byte_us >= q->first_byte_us && !q->is_reused,
	    "length: the first request's times in order");
	ok(strncmp(q->local, "127.0.0.1:", 10) == 0, "length: local address");
	q = fetch_req_at(S.f, 2);
	ok(q->is_reused && q->connected_us == 0 && q->closed_us != 0,
	    "length: the last reused, closed by us with the pool");
	is_int(fetch_nreqs(S.f), 3, "length: 3 requests kept");
	ok(fetch_error(S.f) == NULL, "length: no error");
	srv_stop();
}

static void
test_framing(const char *what, const char *r, size_t len, int is_close,
    int want_reused, int want_status)
{
	const struct fetch_stats *st;
	char			 msg[128];

	srv_start(r, len);
	S.step = 1;
	S.is_close_after = is_close;
	run_fetch("example.test", NULL, 0, 2, 1, 1, 0);
	st = fetch_stats(S.f);
	snprintf(msg, sizeof(msg), "%s: 2 done, %d reused, status %d", what,
	    want_reused, want_status);
	if (!ok(st->done == 2 && st->failed == 0 &&
	    st->conns_reused == want_reused &&
	    fetch_req_at(S.f, 1)->status == want_status, "%s", msg))
		printf("#   done %ld failed %ld reused %ld status %d error %s\n",
		    st->done, st->failed, st->conns_reused,
		    fetch_req_at(S.f, 1)->status, fetch_error(S.f) ?
		    fetch_error(S.f) : "-");
	srv_stop();
}

static void
test_error(const char *what, const char *r, size_t len, int is_silent,
    const char *want)
{
	char	msg[128];

	srv_start(r, len);
	S.is_silent = is_silent;
	run_fetch("example.test", "/x", 0, 1, 1, 0, 300);
	snprintf(msg, sizeof(msg), "%s: failed, one line", what);
	ok(fetch_stats(S.f)->failed == 1 && fetch_error(S.f) != NULL &&
	    strstr(fetch_error(S.f), want) != NULL &&
	    strchr(fetch_error(S.f), '\n') == NULL, "%s", msg);
	if (fetch_error(S.f) != NULL)
		printf("#   %s\n", fetch_error(S.f));
	srv_stop();
}

static void
test_big_head(void)
{
	static char	r[20100];
	size_t		n;

	n = (size_t)snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\nX-Pad: ");
	memset(r + n, 'a', 20000);
	n += 20000;
	memcpy(r + n, "\r\n\r\n", 4);
	test_error("head over 16 KiB", r, n + 4, 0, "too long");
}

static void
test_long_chunk_line(void)
{
	static char	r[1024];
	size_t		n;

	n = (size_t)snprintf(r, sizeof(r), "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;");
	memset(r + n, 'a', 300);
	n += 300;
	memcpy(r + n, "\r\n", 2);
	test_error("chunk line over 256 bytes", r, n + 2, 0, "too long");
}

static void
test_https(void)
{
	static const char	r[] = "\x15\x03\x03\x00\x02\x02\x28";
	struct tls_hello	h;

	srv_start(RESP(r));
	S.is_tls = 1;
	ok(run_fetch("www.example.test", "/", 1, 1, 1, 3, 0) == 0 &&
	    fetch_stats(S.f)->done == 1, "https: done at the first bytes");
	ok(tls_client_hello((const uint8_t *)S.first_req, S.first_len,
	    &h) == 1, "https: our ClientHello parses");
	is_str(h.sni, "www.example.test", "https: SNI");
	is_str(h.alpn, "http/1.1", "https: ALPN");
	is_int(h.max_version, 0x0304, "https: offers TLS 1.3");
	ok(fetch_stats(S.f)->conns_reused == 0 &&
	    fetch_req_at(S.f, 0)->closed_us != 0, "https: closed by us");
	srv_stop();

	srv_start(RESP(r));
	S.is_tls = 1;
	run_fetch("127.0.0.1", "/", 1, 1, 1, 0, 0);
	ok(tls_client_hello((const uint8_t *)S.first_req, S.first_len,
	    &h) == 1 && !h.has_sni, "https: no SNI for an address");
	srv_stop();
}

/* The server closes each connection after answering, though HTTP/1.1:
 * the next request on the pooled one is asked again on a new one. */
static void
test_pool_closed(void)
{
	static const char	r[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				    "\r\nok";
	const struct fetch_stats *st;

	srv_start(RESP(r));
	S.is_close_after = 1;
	run_fetch("example.test", "/", 0, 4, 1, 1, 0);
	st = fetch_stats(S.f);
	ok(st->done == 4 && st->failed == 0, "pool closed by the server: "
	    "every request done");
	ok(S.naccepted == 4, "pool closed by the server: a new connection "
	    "each time");
	srv_stop();
}

static void
test_refused(void)
{
	uint16_t	port;

	srv_start(RESP("x"));
	port = S.port;
	tb_loop_io_del(S.loop, S.lfd);
	close(S.lfd);
	S.lfd = socket(AF_INET, SOCK_STREAM, 0);	/* for srv_stop */
	S.port = port;
	run_fetch("example.test", "/", 0, 3, 2, 0, 0);
	ok(fetch_stats(S.f)->failed == 3 && fetch_is_done(S.f),
	    "refused: every request failed, done");
	ok(fetch_error(S.f) != NULL && strncmp(fetch_error(S.f),
	    "connect to 127.0.0.1:", 21) == 0 && strstr(fetch_error(S.f),
	    "refused") != NULL, "refused: one line naming the connect");
	ok(fetch_req_at(S.f, 0)->closed_us == 0,
	    "refused: no close of ours to count down");
	srv_stop();
}

static void
test_ring(void)
{
	static const char	r[] = "HTTP/1.1 204 No Content\r\n\r\n";
	long			n = FETCH_RING + 10;

	srv_start(RESP(r));
	run_fetch("example.test", "/", 0, n, 4, 4, 0);
	ok(fetch_stats(S.f)->done == n, "ring: every request done");
	is_int(fetch_nreqs(S.f), FETCH_RING, "ring: the newest kept");
	is_int(fetch_req_at(S.f, 0)->seq, 10, "ring: oldest first");
	is_int(fetch_req_at(S.f, FETCH_RING - 1)->seq, n - 1, "ring: newest");
	srv_stop();
}

static void
test_conf(void)
{
	struct fetch_conf	c;
	char			err[256];

	memset(&c, 0, sizeof(c));
	c.family = AF_INET;
	c.port = 80;
	c.host = "example.test";
	c.count = 1;
	c.concurrency = 1;
	c.path = "/a b";
	ok(fetch_new(&c, err, sizeof(err)) == NULL, "a space in the path: "
	    "refused");
	c.path = "/";
	c.host = "a\r\nX-Evil: 1";
	ok(fetch_new(&c, err, sizeof(err)) == NULL, "CRLF in the host: "
	    "refused");
	c.host = "example.test";
	c.concurrency = 1001;
	ok(fetch_new(&c, err, sizeof(err)) == NULL, "concurrency over 1000: "
	    "refused");
}

int
main(void)
{
	test_conf();
	test_length();
	test_framing("chunked, extension and trailer", RESP("HTTP/1.1 200 OK"
	    "\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n"
	    "A\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n"), 0, 1, 200);
	test_framing("interim 100 then 204", RESP("HTTP/1.1 100 Continue\r\n"
	    "\r\nHTTP/1.1 204 No Content\r\n\r\n"), 0, 1, 204);
	test_framing("close-delimited", RESP("HTTP/1.0 200 OK\r\n\r\n"
	    "until the end"), 1, 0, 200);
	test_framing("Connection: close", RESP("HTTP/1.1 404 Not Found\r\n"
	    "Connection: close\r\nContent-Length: 3\r\n\r\nno!"), 0, 0, 404);
	test_framing("HTTP/1.0 keep-alive", RESP("HTTP/1.0 200 OK\r\n"
	    "Connection: keep-alive\r\nContent-Length: 2\r\n\r\nok"), 0, 1,
	    200);
	test_error("bad chunk size", RESP("HTTP/1.1 200 OK\r\nTransfer-"
	    "Encoding: chunked\r\n\r\nzz\r\n"), 0, "malformed");
	test_error("bad status line", RESP("HTTP/1.1 2x0 OK\r\n\r\n"), 0,
	    "malformed");
	test_error("negative length", RESP("HTTP/1.1 200 OK\r\n"
	    "Content-Length: -1\r\n\r\n"), 0, "malformed");
	test_error("huge length", RESP("HTTP/1.1 200 OK\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n"), 0, "malformed");
	test_long_chunk_line();
	test_big_head();
	test_error("silent server", RESP("x"), 1, "no complete response in "
	    "time");
	test_https();
	test_pool_closed();
	test_refused();
	test_ring();
	return done_testing();
}
