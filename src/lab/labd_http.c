/*
 * The lab's web server: HTTP/1.1 on 198.51.100.10:80, keep-alive with
 * Content-Length bodies, one request at a time per connection (pipelined
 * requests wait their turn).
 *
 *   /		a small HTML page	/style.css	its style sheet
 *   /slow	after LABD_HTTP_SLOW_MS	/large		1 MiB
 *   /missing and anything else: 404
 *
 * Requests are hostile input: the head is bounded, a request with a body
 * is answered and the connection closed, and so are connections beyond
 * LABD_HTTP_MAX_CONNS (they wait in the backlog).
 */
#include "config.h"

#include "lab/labd.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "loop.h"

#define LABD_HTTP_MAX_CONNS	256
#define LABD_HTTP_HEAD_MAX	8192	/* request head, bytes */
#define LABD_HTTP_OUT_MAX	512	/* response head, bytes */
#define LABD_HTTP_SLOW_MS	500
#define LABD_HTTP_IDLE_MS	30000
#define LABD_HTTP_LARGE_BYTES	(1024 * 1024)

static const char page_index[] =
    "<!doctype html>\n<html><head><title>the tubes lab</title>\n"
    "<link rel=\"stylesheet\" href=\"/style.css\"></head>\n"
    "<body><h1>www.lab.test</h1>\n"
    "<p>Served from 198.51.100.10 in the tubes-lab-srv namespace.</p>\n"
    "<p><a href=\"/slow\">slow</a> <a href=\"/large\">large</a> "
    "<a href=\"/missing\">missing</a></p>\n</body></html>\n";
static const char page_css[] =
    "body { font-family: sans-serif; margin: 2em; }\n"
    "h1 { color: #264; }\n";
static const char page_slow[] = "slow, but here\n";
static const char page_404[] = "not found\n";
static const char page_bad[] = "bad request\n";

struct conn {
	int		 fd;
	char		 in[LABD_HTTP_HEAD_MAX];
	size_t		 nin;
	char		 out[LABD_HTTP_OUT_MAX];
	size_t		 nout, outoff;
	const char	*body;		/* static, after the head */
	size_t		 bodylen, bodyoff;
	uint64_t	 due_ms;	/* a slow answer starts then; 0 */
	uint64_t	 active_ms;
	int		 is_busy;	/* a response is on its way */
	int		 is_close;	/* close once it is sent */
};

static struct conn	*conns[LABD_HTTP_MAX_CONNS];
static size_t		 nconns;
static char		*large;

static void
conn_close(size_t i)
{
	(void)close(conns[i]->fd);
	free(conns[i]);
	conns[i] = conns[--nconns];
	conns[nconns] = NULL;
}

/* The value of header NAME in the head [p, end), or NULL; *len its. */
static const char *
head_value(const char *p, const char *end, const char *name, size_t *len)
{
	const char	*eol, *v;
	size_t		 n = strlen(name);

	for (; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0) {
			for (v = p + n + 1; v < eol && (*v == ' ' ||
			    *v == '\t'); v++)
				;
			*len = (size_t)(eol - v);
			return v;
		}
		if (eol == end)
			break;
	}
	return NULL;
}

static int
has_token(const char *v, size_t len, const char *tok)
{
	size_t	n = strlen(tok), i;

	for (i = 0; v != NULL && i + n <= len; i++)
		if (strncasecmp(v + i, tok, n) == 0)
			return 1;
	return 0;
}

static void
conn_respond(struct conn *c, int code, const char *type, const char *body,
    size_t bodylen, int is_head)
{
	const char	*reason = code == 200 ? "OK" : code == 404 ?
			    "Not Found" : code == 405 ?
			    "Method Not Allowed" : "Bad Request";
	int		 n;

	n = snprintf(c->out, sizeof(c->out), "HTTP/1.1 %d %s\r\n"
	    "Server: tubes-lab\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n%s\r\n", code, reason, type, bodylen,
	    c->is_close ? "Connection: close\r\n" : "");
	c->nout = n > 0 && (size_t)n < sizeof(c->out) ? (size_t)n : 0;
	c->outoff = 0;
	c->body = is_head ? NULL : body;
	c->bodylen = is_head ? 0 : bodylen;
	c->bodyoff = 0;
}

/* The head of the first request is [in, in + headlen): answer it. */
static void
conn_request(struct conn *c, size_t headlen)
{
	const char	*end = c->in + headlen, *sp1, *sp2, *eol, *v;
	char		 path[256];
	size_t		 vlen, plen;
	int		 is_10, is_head, is_get;

	c->is_busy = 1;
	eol = memmem(c->in, headlen, "\r\n", 2);
	sp1 = memchr(c->in, ' ', (size_t)(eol - c->in));
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) :
	    NULL;
	if (sp1 == NULL || sp2 == NULL || eol - sp2 != 9 ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		c->is_close = 1;
		conn_respond(c, 400, "text/plain", page_bad,
		    sizeof(page_bad) - 1, 0);
		return;
	}
	is_10 = sp2[8] == '0';
	v = head_value(eol + 2, end, "Connection", &vlen);
	c->is_close = is_10 ? !has_token(v, vlen, "keep-alive") :
	    has_token(v, vlen, "close");
	/* No request bodies here: answer, then close rather than parse. */
	if (head_value(eol + 2, end, "Content-Length", &vlen) != NULL ||
	    head_value(eol + 2, end, "Transfer-Encoding", &vlen) != NULL)
		c->is_close = 1;
	is_get = sp1 - c->in == 3 && strncmp(c->in, "GET", 3) == 0;
	is_head = sp1 - c->in == 4 && strncmp(c->in, "HEAD", 4) == 0;
	if (!is_get && !is_head) {
		c->is_close = 1;
		conn_respond(c, 405, "text/plain", page_bad,
		    sizeof(page_bad) - 1, 0);
		return;
	}
	plen = (size_t)(sp2 - sp1 - 1);
	if ((v = memchr(sp1 + 1, '?', plen)) != NULL)
		plen = (size_t)(v - sp1 - 1);
	(void)snprintf(path, sizeof(path), "%.*s",
	    (int)(plen < sizeof(path) ? plen : 0), sp1 + 1);
	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
		conn_respond(c, 200, "text/html", page_index,
		    sizeof(page_index) - 1, is_head);
	else if (strcmp(path, "/style.css") == 0)
		conn_respond(c, 200, "text/css", page_css,
		    sizeof(page_css) - 1, is_head);
	else if (strcmp(path, "/large") == 0)
		conn_respond(c, 200, "application/octet-stream", large,
		    LABD_HTTP_LARGE_BYTES, is_head);
	else if (strcmp(path, "/slow") == 0) {
		conn_respond(c, 200, "text/plain", page_slow,
		    sizeof(page_slow) - 1, is_head);
		c->due_ms = tb_now_ms() + LABD_HTTP_SLOW_MS;
	} else
		conn_respond(c, 404, "text/plain", page_404,
		    sizeof(page_404) - 1, is_head);
}

/* The next request, if its head is complete: -1 to close. */
static int
conn_next(struct conn *c)
{
	const char	*e;
	size_t		 headlen;

	if (c->is_busy || c->nin == 0)
		return 0;
	if ((e = memmem(c->in, c->nin, "\r\n\r\n", 4)) == NULL)
		return c->nin == sizeof(c->in) ? -1 : 0;
	headlen = (size_t)(e - c->in) + 4;
	conn_request(c, headlen);
	memmove(c->in, c->in + headlen, c->nin - headlen);
	c->nin -= headlen;
	return 0;
}

/* Write what is due: -1 to close. */
static int
conn_write(struct conn *c, uint64_t now)
{
	struct iovec	 iov[2];
	ssize_t		 n;
	size_t		 k;

	if (!c->is_busy || (c->due_ms != 0 && now < c->due_ms))
		return 0;
	c->due_ms = 0;
	iov[0].iov_base = c->out + c->outoff;
	iov[0].iov_len = c->nout - c->outoff;
	iov[1].iov_base = (void *)(uintptr_t)(c->body + c->bodyoff);
	iov[1].iov_len = c->bodylen - c->bodyoff;
	if ((n = writev(c->fd, iov, 2)) == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	k = (size_t)n < iov[0].iov_len ? (size_t)n : iov[0].iov_len;
	c->outoff += k;
	c->bodyoff += (size_t)n - k;
	if (c->outoff < c->nout || c->bodyoff < c->bodylen)
		return 0;
	c->is_busy = 0;
	if (c->is_close)
		return -1;
	return conn_next(c);
}

static int
conn_read(struct conn *c)
{
	ssize_t	n;

	if (c->nin == sizeof(c->in))
		return c->is_busy ? 0 : -1;
	n = read(c->fd, c->in + c->nin, sizeof(c->in) - c->nin);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		return -1;
	if (n > 0)
		c->nin += (size_t)n;
	return conn_next(c);
}

static void
http_accept(int lfd, uint64_t now)
{
	struct conn	*c;
	int		 fd;

	while (nconns < LABD_HTTP_MAX_CONNS &&
	    (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) !=
	    -1) {
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			(void)close(fd);
			return;
		}
		c->fd = fd;
		c->active_ms = now;
		conns[nconns++] = c;
	}
}

static int
http_listen(void)
{
	struct sockaddr_in	sin;
	int			fd, on = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(80);
	(void)inet_pton(AF_INET, LABD_WEB4, &sin.sin_addr);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 512) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* One round: poll every connection, then serve what is ready. */
static void
http_round(int lfd, struct pollfd *pfds)
{
	struct conn	*c;
	uint64_t	 now = tb_now_ms(), next = now + 1000;
	size_t		 i, n;
	int		 rc;

	pfds[0].fd = nconns < LABD_HTTP_MAX_CONNS ? lfd : -1;
	pfds[0].events = POLLIN;
	for (i = 0; i < nconns; i++) {
		c = conns[i];
		pfds[i + 1].fd = c->fd;
		pfds[i + 1].events = POLLIN;
		if (c->is_busy && c->due_ms == 0)
			pfds[i + 1].events |= POLLOUT;
		else if (c->is_busy && c->due_ms < next)
			next = c->due_ms;
	}
	n = nconns;
	if (poll(pfds, n + 1, (int)(next > now ? next - now : 0)) == -1)
		return;
	now = tb_now_ms();
	/* Backwards: closing moves the last connection into the hole. */
	for (i = n; i-- > 0;) {
		c = conns[i];
		rc = 0;
		if (pfds[i + 1].revents & (POLLIN | POLLERR | POLLHUP))
			rc = conn_read(c);
		if (rc == 0)
			rc = conn_write(c, now);
		if (pfds[i + 1].revents != 0)
			c->active_ms = now;
		if (rc == -1 || (!c->is_busy &&
		    now - c->active_ms > LABD_HTTP_IDLE_MS))
			conn_close(i);
	}
	if (pfds[0].revents & POLLIN)
		http_accept(lfd, now);
}

void
labd_http_main(struct labd_env *e)
{
	static struct pollfd	pfds[LABD_HTTP_MAX_CONNS + 1];
	size_t			i;
	int			lfd;

	if ((lfd = http_listen()) == -1)
		labd_fail(e, "%s:80: %s", LABD_WEB4, strerror(errno));
	if ((large = malloc(LABD_HTTP_LARGE_BYTES)) == NULL)
		labd_fail(e, "out of memory");
	for (i = 0; i < LABD_HTTP_LARGE_BYTES; i++)
		large[i] = (char)('a' + i % 26);
	labd_drop(e);
	labd_ready(e);
	for (;;)
		http_round(lfd, pfds);
}
