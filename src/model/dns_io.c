/*
 * Batched UDP for c-ares 1.18 (see dns_io.h).  With socket functions set,
 * c-ares leaves every socket option to us (it skips its own
 * configure_socket and TCP_NODELAY), so asocket sets them.
 */
#include "config.h"

#include "model/dns_io.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

struct dns_io_rx {
	struct mmsghdr		 msg[DNS_IO_RX_BATCH];
	struct iovec		 iov[DNS_IO_RX_BATCH];
	struct sockaddr_storage	 from[DNS_IO_RX_BATCH];
	unsigned		 n, next;	/* read, handed out */
	uint8_t			 buf[DNS_IO_RX_BATCH][DNS_IO_RX_LEN];
};

static void
io_drop(struct dns_io *io)
{
	io->ntx_dropped += io->ntx;
	io->ntx = 0;
	if (io->rx != NULL)
		io->rx->n = io->rx->next = 0;
	io->err = 0;
}

static ares_socket_t
io_socket(int domain, int type, int protocol, void *arg)
{
	struct dns_io	*io = arg;
	int		 fd, one = 1;

	fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd == -1)
		return ARES_SOCKET_BAD;
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	else if (type == SOCK_DGRAM && io->udp_fd == -1) {
		io_drop(io);
		io->udp_fd = fd;
	}
	return fd;
}

static int
io_close(ares_socket_t fd, void *arg)
{
	struct dns_io	*io = arg;

	if (fd == io->udp_fd) {
		io_drop(io);
		io->udp_fd = -1;
	}
	return close(fd);
}

static int
io_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len,
    void *arg)
{
	struct dns_io		*io = arg;
	struct sockaddr_in6	 sin6;

	if (io->scope_id == 0 || sa->sa_family != AF_INET6 ||
	    len < sizeof(sin6))
		return connect(fd, sa, len);
	memcpy(&sin6, sa, sizeof(sin6));
	sin6.sin6_scope_id = io->scope_id;
	return connect(fd, (const struct sockaddr *)&sin6, sizeof(sin6));
}

static int
io_rx_fill(struct dns_io *io)
{
	struct dns_io_rx	*rx;
	unsigned		 i;
	int			 n;

	if (io->rx == NULL) {
		io->rx = xcalloc(1, sizeof(*io->rx));
		for (i = 0; i < DNS_IO_RX_BATCH; i++) {
			io->rx->iov[i].iov_base = io->rx->buf[i];
			io->rx->iov[i].iov_len = DNS_IO_RX_LEN;
		}
	}
	rx = io->rx;
	for (i = 0; i < DNS_IO_RX_BATCH; i++) {
		rx->msg[i].msg_hdr.msg_iov = &rx->iov[i];
		rx->msg[i].msg_hdr.msg_iovlen = 1;
		rx->msg[i].msg_hdr.msg_name = &rx->from[i];
		rx->msg[i].msg_hdr.msg_namelen = sizeof(rx->from[i]);
		rx->msg[i].msg_hdr.msg_control = NULL;
		rx->msg[i].msg_hdr.msg_controllen = 0;
		rx->msg[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(io->udp_fd, rx->msg, DNS_IO_RX_BATCH, MSG_DONTWAIT,
	    NULL);
	io->nrecvmmsg++;
	if (n <= 0)
		return -1;	/* errno as recvmmsg left it */
	rx->n = (unsigned)n;
	rx->next = 0;
	return 0;
}

static ares_ssize_t
io_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
    struct sockaddr *from, ares_socklen_t *fromlen, void *arg)
{
	struct dns_io		*io = arg;
	struct dns_io_rx	*rx = io->rx;
	struct msghdr		*h;
	size_t			 n;

	if (fd != io->udp_fd)
		return recvfrom(fd, buf, len, flags, from, fromlen);
	if (io->err != 0) {
		errno = io->err;
		io->err = 0;
		return -1;
	}
	if (rx == NULL || rx->next == rx->n) {
		if (io_rx_fill(io) == -1)
			return -1;
		rx = io->rx;
	}
	h = &rx->msg[rx->next].msg_hdr;
	n = rx->msg[rx->next].msg_len;
	if (n > len)
		n = len;	/* as recvfrom truncates a datagram */
	memcpy(buf, rx->buf[rx->next], n);
	if (from != NULL && fromlen != NULL) {
		if (*fromlen > h->msg_namelen)
			*fromlen = h->msg_namelen;
		memcpy(from, h->msg_name, *fromlen);
	}
	rx->next++;
	return (ares_ssize_t)n;
}

static ares_ssize_t
io_sendv(ares_socket_t fd, const struct iovec *iov, int iovcnt, void *arg)
{
	struct dns_io	*io = arg;
	uint8_t		*slot;
	size_t		 len = 0;
	int		 i;

	for (i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (fd != io->udp_fd || len > DNS_IO_TX_LEN)
		return writev(fd, iov, iovcnt);
	if (io->ntx == DNS_IO_TX_BATCH)
		(void)dns_io_flush(io);
	if (io->tx == NULL)
		io->tx = xcalloc(DNS_IO_TX_BATCH, DNS_IO_TX_LEN);
	slot = io->tx + io->ntx * DNS_IO_TX_LEN;
	for (i = 0; i < iovcnt; i++) {
		memcpy(slot, iov[i].iov_base, iov[i].iov_len);
		slot += iov[i].iov_len;
	}
	io->txlen[io->ntx++] = len;
	return (ares_ssize_t)len;
}

static const struct ares_socket_functions io_funcs = {
	io_socket, io_close, io_connect, io_recvfrom, io_sendv
};

void
dns_io_attach(struct dns_io *io, ares_channel ch, uint32_t scope_id)
{
	memset(io, 0, sizeof(*io));
	io->udp_fd = -1;
	io->scope_id = scope_id;
	ares_set_socket_functions(ch, &io_funcs, io);
}

size_t
dns_io_pending(const struct dns_io *io)
{
	return io->ntx;
}

int
dns_io_flush(struct dns_io *io)
{
	struct mmsghdr	msg[DNS_IO_TX_BATCH];
	struct iovec	iov[DNS_IO_TX_BATCH];
	size_t		i, done = 0;
	int		n;

	if (io->ntx == 0 || io->udp_fd == -1)
		return -1;
	memset(msg, 0, io->ntx * sizeof(msg[0]));
	for (i = 0; i < io->ntx; i++) {
		iov[i].iov_base = io->tx + i * DNS_IO_TX_LEN;
		iov[i].iov_len = io->txlen[i];
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < io->ntx) {
		n = sendmmsg(io->udp_fd, msg + done,
		    (unsigned)(io->ntx - done), MSG_DONTWAIT);
		io->nsendmmsg++;
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		/*
		 * A full socket buffer drops the rest: c-ares times them out
		 * and our retry sends them again, as a lost datagram would
		 * be.  Any other error is the socket's: its next read says.
		 */
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			io->err = errno;
		break;
	}
	io->ntx_dropped += io->ntx - done;
	io->ntx = 0;
	return io->err != 0 ? io->udp_fd : -1;
}

void
dns_io_free(struct dns_io *io)
{
	free(io->tx);
	free(io->rx);
	io->tx = NULL;
	io->rx = NULL;
	io->ntx = 0;
}
