/*
 * Batched UDP for a c-ares 1.18 channel, through ares_set_socket_functions.
 *
 * c-ares sends each query with its own sendto(2) and reads each answer
 * with its own recvfrom(2).  On a virtual machine a system call costs
 * more than the packet it carries, so a channel with dns_io holds its
 * queries until dns_io_flush (once per loop pass, before sleeping) and
 * sends them with one sendmmsg(2); answers are read up to
 * DNS_IO_RX_BATCH at a time with recvmmsg(2) and handed to c-ares one by
 * one.  TCP sockets pass straight through.
 *
 * An error from a batched send (ECONNREFUSED from an earlier ICMP port
 * unreachable, ENETUNREACH) is kept and returned by the socket's next
 * read, as the kernel would have returned it to c-ares: dns_io_flush
 * says so, and the caller then lets c-ares read the socket.
 *
 * TCP channels use it too, only to connect to link-local servers with
 * their scope.
 */
#ifndef TUBES_MODEL_DNS_IO_H
#define TUBES_MODEL_DNS_IO_H

#include <stddef.h>
#include <stdint.h>

#include <ares.h>

#define DNS_IO_TX_BATCH	128	/* held before a forced flush: a server's
				   DNS_MAX_INFLIGHT, so one batch a pass */
#define DNS_IO_TX_LEN	288	/* a query we build is at most 283 bytes */
#define DNS_IO_RX_BATCH	16	/* answers read per recvmmsg */
#define DNS_IO_RX_LEN	4096	/* c-ares's own UDP read size */

struct dns_io_rx;

struct dns_io {
	int		 udp_fd;	/* the channel's UDP socket, or -1 */
	uint32_t	 scope_id;	/* link-local server: its interface
					   (c-ares 1.18 drops the scope) */
	int		 err;		/* errno of a failed batched send */
	uint8_t		*tx;		/* DNS_IO_TX_BATCH x DNS_IO_TX_LEN */
	size_t		 txlen[DNS_IO_TX_BATCH];
	size_t		 ntx;
	struct dns_io_rx *rx;		/* read ring, allocated on first use */
	uint64_t	 nsendmmsg, nrecvmmsg, ntx_dropped;
};

/*
 * Make ch use io's socket functions (before its first query); scope_id,
 * when not 0, is put into every IPv6 address the channel connects to.
 */
void	dns_io_attach(struct dns_io *io, ares_channel ch, uint32_t scope_id);
/* Queries held now, not yet sent. */
size_t	dns_io_pending(const struct dns_io *io);
/*
 * Send what is held.  Returns the UDP socket when a send failed and its
 * error waits to be read (call ares_process_fd with it as readable),
 * else -1.
 */
int	dns_io_flush(struct dns_io *io);
void	dns_io_free(struct dns_io *io);

#endif
