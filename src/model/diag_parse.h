/*
 * Pure parser for NETLINK_SOCK_DIAG inet_diag dump replies.  Input is
 * untrusted: every length is checked against the bytes present.
 */
#ifndef TUBES_MODEL_DIAG_PARSE_H
#define TUBES_MODEL_DIAG_PARSE_H

#include <stddef.h>
#include <stdint.h>

struct diag_sock {
	uint8_t		 family;	/* AF_INET / AF_INET6 */
	uint8_t		 state;		/* kernel TCP state 1..12 */
	uint8_t		 timer;
	uint16_t	 sport, dport;	/* host byte order */
	uint8_t		 src[16], dst[16];	/* IPv4 in the first 4 bytes */
	uint32_t	 expires_ms;
	uint32_t	 uid;
	uint32_t	 inode;
};

typedef void (*diag_sock_fn)(const struct diag_sock *, void *);

#define DIAG_OK		0
#define DIAG_ETRUNC	-1	/* a message runs past the buffer */
#define DIAG_EMSG	-2	/* a malformed message (bad length, type) */
#define DIAG_EKERNEL	-3	/* NLMSG_ERROR from the kernel: *kerr set */

/*
 * Walk the netlink messages in buf.  Calls fn for each SOCK_DIAG_BY_FAMILY
 * message carrying an inet_diag_msg; sets *is_done on NLMSG_DONE.  Messages
 * whose nlmsg_seq differs from seq are skipped.  Returns the number of
 * sockets reported, or a DIAG_E* code (sockets before the error were
 * reported; *nbad counts skipped malformed messages).
 */
int	diag_parse(const void *buf, size_t len, uint32_t seq, diag_sock_fn fn,
	    void *arg, int *is_done, int *kerr, unsigned *nbad);

#endif
