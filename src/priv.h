/*
 * Least privilege: open what needs CAP_NET_RAW (raw probe sockets, pcap
 * handles) first, then tb_priv_drop() before the first packet is read.
 */
#ifndef TUBES_PRIV_H
#define TUBES_PRIV_H

#include <stddef.h>

/* The process may open raw sockets now (CAP_NET_RAW effective). */
int	tb_priv_has_net_raw(void);
/*
 * Give up every privilege for good: with sudo, back to the invoking user
 * (SUDO_UID/SUDO_GID) and its groups; every capability cleared (effective,
 * permitted, inheritable, ambient, bounding where allowed);
 * PR_SET_NO_NEW_PRIVS.  Then checked twice, with capget(2) and in
 * /proc/self/status (CapInh, CapPrm, CapEff, CapAmb 0, NoNewPrivs 1, the
 * four uids and gids the target's): -1 with err filled with one line if
 * anything is still held, which the caller treats as fatal.  Call once,
 * after every privileged socket is open and before the first packet.
 */
int	tb_priv_drop(char *err, size_t errlen);

#endif
