/*
 * Probe sockets (Linux).  How a reply finds its probe (spec.seq), per mode:
 *
 *   raw ICMP    echo sequence = seq; echo id = id_base + flow.  Routers
 *               quote the first 8 bytes, id and sequence included.
 *   raw UDP     UDP checksum = seq + 1: two payload bytes are chosen so
 *               that the (valid) checksum comes out so (a checksum is
 *               never 0: seq 0xffff is refused).  Source port =
 *               sport_base + flow, destination port fixed.  We build the
 *               UDP header on a raw socket: a kernel UDP socket may leave
 *               the checksum to the NIC (veth, lo), and what routers
 *               then quote is only the pseudo-header sum.
 *   raw TCP     TCP sequence number = cookie << 16 | seq; a SYN-ACK or
 *               RST acknowledges it + 1.  Source port = base + flow.
 *   icmp-dgram  echo sequence = seq; the kernel sets the id (one per
 *               socket) and gives back our echo header from the error
 *               queue.
 *   udp-recverr seq and a cookie in the payload, handed back by the error
 *               queue; the flow is the destination port (port + flow).
 *               A router quoting only 8 bytes of UDP cannot be matched.
 *   tcp-connect one socket per probe: the socket is the probe.  Its error
 *               queue holds the router's ICMP error, a completed or
 *               refused connect() is the target's SYN-ACK or RST.
 *
 * Paris-style flows: ICMP keeps the checksum constant across sequence
 * numbers with a payload word equal to ~seq (seq + ~seq sums to 0xffff,
 * one's complement zero), and a payload word holding the flow makes the
 * checksum differ between flows.  IPv6 probes carry a flow label leased
 * per flow (IPV6_FLOWLABEL_MGR, up to 32 per socket unprivileged); when
 * the lease fails the kernel's own label is used, constant per socket
 * and addresses.  Ping sockets take no label (the kernel ignores it).
 */
#include "config.h"

#include "model/probe.h"

#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/tcp.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/in6.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "model/icmp_parse.h"
#include "xmalloc.h"

#define PROBE_NFLOWS		64	/* flows kept apart; more wrap */
#define PROBE_PKT_MAX		65000	/* spec.size cap, bytes */
#define PROBE_RX_LEN		4096	/* v4 quotes <= 576, v6 <= 1280 */
#define PROBE_CTL_LEN		512
#define PROBE_READ_MAX		64	/* skipped messages per read call */
#define PROBE_SIZE_DEF4		60	/* bytes of IP packet, as traceroute */
#define PROBE_SIZE_DEF6		80
#define PROBE_PAYLOAD_MIN	8	/* comp/seq, flow, cookie */
#define PROBE_TCP_HLEN		24	/* header and the MSS option */
#define PROBE_LABEL_FAILED	0xffffffffU
#define PROBE_CONNS_MAX		512	/* tcp-connect sockets in flight */
#define PROBE_CONN_LIFE_US	3000000	/* then closed, answered or not */
#define PROBE_CONN_SYNCNT	1	/* SYN retransmits (min 1) */
#define PROBE_SRC_LIFE_US	1000000	/* routes change: ask again */

#define IP4_HLEN		20
#define IP6_HLEN		40
#define L4_HLEN			8	/* ICMP, UDP */

#define ICMP4_ECHO		8
#define ICMP6_ECHO		128
#define TCP_F_RST		0x04
#define TCP_F_SYN		0x02
#define TCP_F_ACK		0x10

/* A tcp-connect probe: the socket, and whom it asked. */
struct probe_conn {
	int		 fd;		/* -1: free slot */
	uint16_t	 seq;
	uint64_t	 sent_us;
	uint8_t		 dst[16];
};

struct probe {
	int		 family;
	int		 proto;
	int		 mode;
	uint16_t	 port;
	int		 icmp_fd;	/* raw ICMP(v6) or ping socket */
	int		 send_fd;	/* raw UDP or TCP; recverr UDP */
	int		 resv_fd;	/* holds sport_base */
	uint16_t	 id_base;	/* raw ICMP echo ids */
	uint16_t	 sport_base;	/* raw UDP, TCP */
	uint16_t	 cookie16;	/* TCP sequence high half */
	uint32_t	 cookie;
	uint32_t	 labels[PROBE_NFLOWS];	/* 0 untried, else leased
					   or PROBE_LABEL_FAILED */
	int		 has_src;
	uint8_t		 src_dst[16], src[16];	/* source for this dst */
	uint64_t	 src_us;		/* when asked */
	uint64_t	 nskipped;
	int		 epoll_fd;	/* tcp-connect: over conns */
	struct probe_conn conns[PROBE_CONNS_MAX];
	size_t		 nconns;
	uint8_t		 pkt[PROBE_PKT_MAX];
	uint8_t		 rx[PROBE_RX_LEN];
};

static const char *const mode_names[] = {
	[PROBE_MODE_NONE] = "none",
	[PROBE_MODE_RAW] = "raw",
	[PROBE_MODE_DGRAM] = "icmp-dgram",
	[PROBE_MODE_RECVERR] = "udp-recverr",
	[PROBE_MODE_TCP_CONNECT] = "tcp-connect",
};

/* --- bytes and checksums ---------------------------------------------- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* One's complement sum of big-endian words; an odd byte is padded. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t
csum_pseudo(int family, const uint8_t *src, const uint8_t *dst,
    uint8_t proto, size_t len)
{
	uint8_t	 tail[8];
	size_t	 alen = family == AF_INET ? 4 : 16;
	uint32_t sum;

	sum = csum_add(0, src, alen);
	sum = csum_add(sum, dst, alen);
	memset(tail, 0, sizeof(tail));
	if (family == AF_INET) {
		tail[1] = proto;
		put16(tail + 2, (uint16_t)len);
		return csum_add(sum, tail, 4);
	}
	put32(tail, (uint32_t)len);
	tail[7] = proto;
	return csum_add(sum, tail, 8);
}

/* --- sockets ------------------------------------------------------------ */

static int
sol_ip(int family)
{
	return family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

static int
sock_set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static int
sock_open(int family, int type, int proto)
{
	return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
}

static void
fd_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

static void
sock_addr(int family, const uint8_t *addr, uint16_t port, uint32_t label,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
		*sslen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_flowinfo = htonl(label);
		memcpy(&sin6->sin6_addr, addr, 16);
		*sslen = sizeof(*sin6);
	}
}

/* The address in ss, if of family and long enough, as a 16-byte slot. */
static int
sock_addr_get(int family, const struct sockaddr_storage *ss, socklen_t len,
    uint8_t out[16])
{
	memset(out, 0, 16);
	if (family == AF_INET && ss->ss_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in)) {
		memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return 0;
	}
	if (family == AF_INET6 && ss->ss_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

/* Send with DF and no local fragmentation: too-big errors come back. */
static void
sock_pmtu_probe(int family, int fd)
{
	if (family == AF_INET)
		sock_set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER,
		    IP_PMTUDISC_PROBE);
	else
		sock_set_int(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
		    IPV6_PMTUDISC_PROBE);
}

/* Keep nothing a raw send-only socket would otherwise queue. */
static int
sock_drop_all(int fd)
{
	struct sock_filter	 drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog	 prog = { 1, &drop };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog));
}

/*
 * Raw TCP sockets see every TCP segment the host receives: keep only
 * those from the target's port.  IPv4 raw filters see the IP header,
 * IPv6 ones start at the TCP header.
 */
static int
sock_tcp_filter(int family, int fd, uint16_t port)
{
	struct sock_filter	 f4[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter	 f6[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog	 prog;

	if (family == AF_INET) {
		prog.len = sizeof(f4) / sizeof(f4[0]);
		prog.filter = f4;
	} else {
		prog.len = sizeof(f6) / sizeof(f6[0]);
		prog.filter = f6;
	}
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog));
}

static int
sock_icmp_filter(int family, int fd)
{
	struct icmp_filter	 f4;
	struct icmp6_filter	 f6;

	if (family == AF_INET) {
		f4.data = ~((1U << ICMP_ECHOREPLY) | (1U << ICMP_DEST_UNREACH) |
		    (1U << ICMP_TIME_EXCEEDED));
		return setsockopt(fd, SOL_RAW, ICMP_FILTER, &f4, sizeof(f4));
	}
	ICMP6_FILTER_SETBLOCKALL(&f6);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f6);
	ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f6);
	return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6));
}

/* A port of ours for the flows' base, held by a bound socket. */
static int
sock_reserve_port(struct probe *p, int type)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	uint16_t		 port;

	if ((p->resv_fd = sock_open(p->family, type, 0)) == -1)
		return -1;
	/* Any address, port 0: the kernel picks a free port. */
	sock_addr(p->family, (const uint8_t *)&in6addr_any, 0, 0, &ss, &len);
	if (bind(p->resv_fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(p->resv_fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	port = ntohs(p->family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port);
	if (port > 65535 - PROBE_NFLOWS)
		port = 65535 - PROBE_NFLOWS;
	p->sport_base = port;
	if (type == SOCK_DGRAM)
		sock_set_int(p->resv_fd, SOL_SOCKET, SO_RCVBUF, 1);
	return 0;
}

/*
 * The source address the kernel will use towards dst, needed for the
 * UDP and TCP checksums we compute: connect a UDP socket (no packet is
 * sent) and ask.  Cached a while for the last dst.
 */
static int
probe_src(struct probe *p, const uint8_t *dst, uint8_t src[16])
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	size_t			 alen = p->family == AF_INET ? 4 : 16;
	int			 fd, saved;

	if (p->has_src && memcmp(p->src_dst, dst, alen) == 0 &&
	    tb_now_us() - p->src_us < PROBE_SRC_LIFE_US) {
		memcpy(src, p->src, 16);
		return 0;
	}
	if ((fd = sock_open(p->family, SOCK_DGRAM, 0)) == -1)
		return -1;
	sock_addr(p->family, dst, p->port, 0, &ss, &len);
	if (connect(fd, (struct sockaddr *)&ss, len) == -1)
		goto fail;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    sock_addr_get(p->family, &ss, len, src) == -1)
		goto fail;
	close(fd);
	memcpy(p->src_dst, dst, alen);
	memcpy(p->src, src, 16);
	p->has_src = 1;
	p->src_us = tb_now_us();
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * The IPv6 flow label of a flow on the sending socket: leased once, so
 * that the kernel accepts it in sin6_flowinfo.  0: let the kernel pick.
 */
static uint32_t
probe_label(struct probe *p, int fd, unsigned flow, const uint8_t *dst)
{
	struct in6_flowlabel_req	 req;
	uint32_t			 label;

	if (p->family != AF_INET6 || p->mode == PROBE_MODE_DGRAM)
		return 0;
	if (p->labels[flow] == PROBE_LABEL_FAILED)
		return 0;
	if (p->labels[flow] != 0)
		return p->labels[flow];
	/* Below 0x80000: the upper half is for stateless labels. */
	label = (p->cookie + flow * 4099U) & 0x7ffff;
	if (label == 0)
		label = 1;
	memset(&req, 0, sizeof(req));
	memcpy(&req.flr_dst, dst, 16);	/* the kernel wants one */
	req.flr_label = htonl(label);
	req.flr_action = IPV6_FL_A_GET;
	req.flr_flags = IPV6_FL_F_CREATE | IPV6_FL_F_EXCL;
	req.flr_share = IPV6_FL_S_EXCL;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, &req,
	    sizeof(req)) == -1) {
		p->labels[flow] = PROBE_LABEL_FAILED;
		return 0;
	}
	p->labels[flow] = label;
	return label;
}

/* --- open --------------------------------------------------------------- */

static int
open_raw_send(struct probe *p, char *err, size_t errlen)
{
	int	 type = p->proto == PROBE_P_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int	 ipproto = p->proto == PROBE_P_TCP ? IPPROTO_TCP : IPPROTO_UDP;

	if ((p->send_fd = sock_open(p->family, SOCK_RAW, ipproto)) == -1) {
		snprintf(err, errlen, "raw %s socket: %s",
		    p->proto == PROBE_P_TCP ? "tcp" : "udp", strerror(errno));
		return -1;
	}
	if ((p->proto == PROBE_P_TCP ?
	    sock_tcp_filter(p->family, p->send_fd, p->port) :
	    sock_drop_all(p->send_fd)) == -1) {
		snprintf(err, errlen, "socket filter: %s", strerror(errno));
		return -1;
	}
	if (sock_reserve_port(p, type) == -1) {
		snprintf(err, errlen, "reserve a source port: %s",
		    strerror(errno));
		return -1;
	}
	sock_pmtu_probe(p->family, p->send_fd);
	if (p->family == AF_INET6)
		sock_set_int(p->send_fd, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, 1);
	return 0;
}

/* 0, or -1 with errno (EPERM, EACCES: not allowed). */
static int
open_raw(struct probe *p, char *err, size_t errlen)
{
	int	 ipproto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if ((p->icmp_fd = sock_open(p->family, SOCK_RAW, ipproto)) == -1) {
		snprintf(err, errlen, "raw icmp socket: %s", strerror(errno));
		return -1;
	}
	if (sock_icmp_filter(p->family, p->icmp_fd) == -1) {
		snprintf(err, errlen, "icmp filter: %s", strerror(errno));
		return -1;
	}
	p->mode = PROBE_MODE_RAW;
	if (p->proto != PROBE_P_ICMP)
		return open_raw_send(p, err, errlen);
	sock_pmtu_probe(p->family, p->icmp_fd);
	if (p->family == AF_INET6)
		sock_set_int(p->icmp_fd, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, 1);
	return 0;
}

static int
sock_recverr(int family, int fd)
{
	if (family == AF_INET)
		return sock_set_int(fd, IPPROTO_IP, IP_RECVERR, 1);
	return sock_set_int(fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
}

/* A datagram socket whose errors (the routers' ICMP) come from its error
 * queue: ping sockets and plain UDP alike.  The fd, or -1 with err. */
static int
open_errq_socket(struct probe *p, int ipproto, const char *what, char *err,
    size_t errlen)
{
	int	fd, e;

	if ((fd = sock_open(p->family, SOCK_DGRAM, ipproto)) == -1) {
		snprintf(err, errlen, "%s socket: %s", what, strerror(errno));
		return -1;
	}
	if (sock_recverr(p->family, fd) == -1) {
		e = errno;	/* the caller falls back on EPERM */
		snprintf(err, errlen, "%s socket recverr: %s", what,
		    strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	sock_pmtu_probe(p->family, fd);
	return fd;
}

static int
open_dgram(struct probe *p, char *err, size_t errlen)
{
	int	 ipproto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if ((p->icmp_fd = open_errq_socket(p, ipproto, "icmp datagram", err,
	    errlen)) == -1)
		return -1;
	p->mode = PROBE_MODE_DGRAM;
	return 0;
}

static int
open_recverr(struct probe *p, char *err, size_t errlen)
{
	if ((p->send_fd = open_errq_socket(p, 0, "udp", err, errlen)) == -1)
		return -1;
	if (p->family == AF_INET6)
		sock_set_int(p->send_fd, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, 1);
	p->mode = PROBE_MODE_RECVERR;
	return 0;
}

static void
conn_close(struct probe *p, struct probe_conn *c, int is_established)
{
	struct linger	 lg = { 1, 0 };

	/* An abortive close: the target gets a RST, not a session. */
	if (is_established)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	fd_close(&c->fd);
	p->nconns--;
}

static void
probe_close_fds(struct probe *p)
{
	size_t	 i;

	for (i = 0; i < PROBE_CONNS_MAX; i++)
		if (p->conns[i].fd != -1)
			conn_close(p, &p->conns[i], 0);
	fd_close(&p->epoll_fd);
	fd_close(&p->icmp_fd);
	fd_close(&p->send_fd);
	fd_close(&p->resv_fd);
	p->mode = PROBE_MODE_NONE;
}

static uint32_t
probe_random(void)
{
	uint32_t	 r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == sizeof(r))
		return r;
	return (uint32_t)getpid() * 2654435761U ^ (uint32_t)time(NULL);
}

static int
is_perm(int e)
{
	return e == EPERM || e == EACCES;
}

static int
open_tcp_connect(struct probe *p, char *err, size_t errlen)
{
	if ((p->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(err, errlen, "TCP probes need CAP_NET_RAW (epoll: "
		    "%s): run as root or `sudo setcap cap_net_raw+ep $(command "
		    "-v tubes)`; UDP probes work without it (-P udp)",
		    strerror(errno));
		return -1;
	}
	p->mode = PROBE_MODE_TCP_CONNECT;
	return 0;
}

/* ICMP without privilege: ping sockets, else UDP probes. */
static int
open_icmp_unpriv(struct probe *p, char *err, size_t errlen, char *note,
    size_t notelen)
{
	if (open_dgram(p, err, errlen) == 0) {
		snprintf(note, notelen, "no CAP_NET_RAW: ICMP through ping "
		    "sockets (no MPLS labels%s); for raw probes run `sudo "
		    "setcap cap_net_raw+ep $(command -v tubes)`",
		    p->family == AF_INET6 ? ", no flow label per flow" : "");
		return 0;
	}
	if (!is_perm(errno))
		return -1;
	probe_close_fds(p);
	p->proto = PROBE_P_UDP;
	p->port = PROBE_UDP_PORT_DEFAULT;
	if (open_recverr(p, err, errlen) == -1)
		return -1;
	snprintf(note, notelen, "no CAP_NET_RAW and ping sockets not allowed "
	    "for this group: tracing with UDP probes (IP_RECVERR); for ICMP "
	    "probes run `sudo setcap cap_net_raw+ep $(command -v tubes)` or "
	    "widen net.ipv4.ping_group_range");
	return 0;
}

static int
probe_open_mode(struct probe *p, char *err, size_t errlen, char *note,
    size_t notelen)
{
	if (open_raw(p, err, errlen) == 0)
		return 0;
	if (!is_perm(errno))
		return -1;
	probe_close_fds(p);
	switch (p->proto) {
	case PROBE_P_ICMP:
		return open_icmp_unpriv(p, err, errlen, note, notelen);
	case PROBE_P_UDP:
		if (open_recverr(p, err, errlen) == -1)
			return -1;
		snprintf(note, notelen, "no CAP_NET_RAW: UDP probes through "
		    "IP_RECVERR (no MPLS labels, routers quoting 8 bytes go "
		    "unmatched); for raw probes run `sudo setcap "
		    "cap_net_raw+ep $(command -v tubes)`");
		return 0;
	default:
		if (open_tcp_connect(p, err, errlen) == -1)
			return -1;
		snprintf(note, notelen, "no CAP_NET_RAW: TCP probes by "
		    "connect() (a new source port per probe: load-balanced "
		    "paths may mix; no MPLS labels); for raw probes run "
		    "`sudo setcap cap_net_raw+ep $(command -v tubes)`");
		return 0;
	}
}

struct probe *
probe_open(int family, int proto, uint16_t port, char *err, size_t errlen,
    char *note, size_t notelen)
{
	struct probe	*p;
	size_t		 i;

	if (notelen > 0)
		note[0] = '\0';
	if ((family != AF_INET && family != AF_INET6) ||
	    (proto != PROBE_P_ICMP && proto != PROBE_P_UDP &&
	    proto != PROBE_P_TCP)) {
		snprintf(err, errlen, "probe: bad family or protocol");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->family = family;
	p->proto = proto;
	p->icmp_fd = p->send_fd = p->resv_fd = p->epoll_fd = -1;
	for (i = 0; i < PROBE_CONNS_MAX; i++)
		p->conns[i].fd = -1;
	if (port == 0)
		port = proto == PROBE_P_TCP ? PROBE_TCP_PORT_DEFAULT :
		    PROBE_UDP_PORT_DEFAULT;
	p->port = port;
	p->cookie = probe_random();
	p->cookie16 = (uint16_t)(p->cookie >> 16);
	p->id_base = (uint16_t)p->cookie;
	if (probe_open_mode(p, err, errlen, note, notelen) == -1) {
		probe_close(p);
		return NULL;
	}
	return p;
}

void
probe_close(struct probe *p)
{
	if (p == NULL)
		return;
	probe_close_fds(p);
	free(p);
}

int
probe_mode(const struct probe *p)
{
	return p->mode;
}

int
probe_proto(const struct probe *p)
{
	return p->proto;
}

uint16_t
probe_port(const struct probe *p)
{
	return p->port;
}

const char *
probe_mode_str(int mode)
{
	if (mode < 0 || (size_t)mode >= sizeof(mode_names) /
	    sizeof(mode_names[0]))
		return "none";
	return mode_names[mode];
}

size_t
probe_fds(const struct probe *p, int *fds, size_t max)
{
	size_t	 n = 0;

	if (p->epoll_fd != -1 && n < max)
		fds[n++] = p->epoll_fd;
	if (p->icmp_fd != -1 && n < max)
		fds[n++] = p->icmp_fd;
	/* The raw UDP socket only sends; the others read too. */
	if (p->send_fd != -1 && n < max &&
	    !(p->mode == PROBE_MODE_RAW && p->proto == PROBE_P_UDP))
		fds[n++] = p->send_fd;
	return n;
}

uint64_t
probe_nskipped(const struct probe *p)
{
	return p->nskipped;
}

/* --- send --------------------------------------------------------------- */

static size_t
probe_l4_len(const struct probe *p, const struct probe_spec *spec)
{
	size_t	 iph = p->family == AF_INET ? IP4_HLEN : IP6_HLEN;
	size_t	 size = spec->size;

	if (size == 0)
		size = p->family == AF_INET ? PROBE_SIZE_DEF4 : PROBE_SIZE_DEF6;
	if (size > PROBE_PKT_MAX)
		size = PROBE_PKT_MAX;
	if (size < iph + L4_HLEN + PROBE_PAYLOAD_MIN)
		size = iph + L4_HLEN + PROBE_PAYLOAD_MIN;
	return size - iph;
}

/* Echo request; the checksum only moves with the flow (see top). */
static size_t
build_echo(struct probe *p, const struct probe_spec *spec, unsigned flow)
{
	uint8_t	*b = p->pkt;
	size_t	 len = probe_l4_len(p, spec);

	memset(b, 0, len);
	b[0] = p->family == AF_INET ? ICMP4_ECHO : ICMP6_ECHO;
	put16(b + 4, (uint16_t)(p->id_base + flow));
	put16(b + 6, spec->seq);
	put16(b + 8, (uint16_t)~spec->seq);
	put16(b + 10, (uint16_t)flow);
	put32(b + 12, p->cookie);
	/* ICMPv6 and ping sockets: the kernel sums (over the same words). */
	if (p->family == AF_INET && p->mode == PROBE_MODE_RAW)
		put16(b + 2, (uint16_t)~csum_add(0, b, len));
	return len;
}

/*
 * UDP header and payload whose checksum is seq + 1: two payload bytes
 * compensate the rest (one's complement subtraction), so the checksum
 * is valid and is the probe's id.  Never 0 on the wire: seq 0xffff
 * cannot be carried (PROBE_SEQ_MAX).
 */
static size_t
build_udp(struct probe *p, const struct probe_spec *spec, unsigned flow,
    const uint8_t *src, const uint8_t *dst)
{
	uint8_t	*b = p->pkt;
	size_t	 len = probe_l4_len(p, spec);
	uint16_t want = (uint16_t)(spec->seq + 1), target, comp;
	uint32_t sum;

	memset(b, 0, len);
	put16(b, (uint16_t)(p->sport_base + flow));
	put16(b + 2, p->port);
	put16(b + 4, (uint16_t)len);
	put16(b + 10, spec->seq);
	put32(b + 12, p->cookie);
	sum = csum_pseudo(p->family, src, dst, IPPROTO_UDP, len);
	sum = csum_add(sum, b, len);
	/* The folded sum must come out as ~want (0xffff for want 0xffff). */
	target = want == 0xffff ? 0xffff : (uint16_t)~want;
	comp = csum_fold((uint32_t)target + (uint16_t)~csum_fold(sum));
	put16(b + 8, comp);
	put16(b + 6, want);
	return len;
}

static size_t
build_tcp(struct probe *p, const struct probe_spec *spec, unsigned flow,
    const uint8_t *src, const uint8_t *dst)
{
	uint8_t	*b = p->pkt;
	uint32_t sum;

	memset(b, 0, PROBE_TCP_HLEN);
	put16(b, (uint16_t)(p->sport_base + flow));
	put16(b + 2, p->port);
	put32(b + 4, (uint32_t)p->cookie16 << 16 | spec->seq);
	b[12] = (PROBE_TCP_HLEN / 4) << 4;
	b[13] = TCP_F_SYN;
	put16(b + 14, 65535);
	b[20] = 2;			/* MSS */
	b[21] = 4;
	put16(b + 22, p->family == AF_INET ? 1460 : 1440);
	sum = csum_pseudo(p->family, src, dst, IPPROTO_TCP, PROBE_TCP_HLEN);
	put16(b + 16, (uint16_t)~csum_add(sum, b, PROBE_TCP_HLEN));
	return PROBE_TCP_HLEN;
}

static int
probe_set_ttl(const struct probe *p, int fd, unsigned ttl)
{
	if (p->family == AF_INET)
		return sock_set_int(fd, IPPROTO_IP, IP_TTL, (int)ttl);
	return sock_set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, (int)ttl);
}

/*
 * An ICMP error for an earlier probe also sets the socket's pending error
 * (even with IP_RECVERR), and the next send returns it instead of
 * sending (on loopback the port unreachable arrives within sendto).  The
 * error queue keeps the details and returning the error cleared it: send
 * once more.  An error of this send itself (no route) comes back again.
 */
static int
probe_sendto(struct probe *p, int fd, size_t len,
    const struct sockaddr_storage *ss, socklen_t sslen, uint64_t *sent_us)
{
	int	 i;

	for (i = 0; i < 2; i++) {
		if (sendto(fd, p->pkt, len, 0, (const struct sockaddr *)ss,
		    sslen) != -1)
			return 0;
		if (p->mode == PROBE_MODE_RAW || errno == EAGAIN ||
		    errno == EMSGSIZE || errno == EINVAL || errno == EPERM ||
		    errno == EACCES || errno == ENOBUFS)
			return -1;
		*sent_us = tb_now_us();
	}
	return -1;
}

/* Close what is answered by now or never will be; make room. */
static void
conn_sweep(struct probe *p, uint64_t now_us)
{
	struct probe_conn	*oldest = NULL, *c;
	size_t			 i;

	for (i = 0; i < PROBE_CONNS_MAX; i++) {
		c = &p->conns[i];
		if (c->fd == -1)
			continue;
		if (now_us - c->sent_us > PROBE_CONN_LIFE_US)
			conn_close(p, c, 0);
		else if (oldest == NULL || c->sent_us < oldest->sent_us)
			oldest = c;
	}
	if (p->nconns == PROBE_CONNS_MAX && oldest != NULL)
		conn_close(p, oldest, 0);
}

static struct probe_conn *
conn_slot(struct probe *p)
{
	size_t	 i;

	for (i = 0; i < PROBE_CONNS_MAX; i++)
		if (p->conns[i].fd == -1)
			return &p->conns[i];
	return NULL;
}

static int
conn_setup(const struct probe *p, int fd, unsigned ttl)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.fd = fd;
	if (probe_set_ttl(p, fd, ttl) == -1 || sock_recverr(p->family, fd) ==
	    -1 || sock_set_int(fd, IPPROTO_TCP, TCP_SYNCNT,
	    PROBE_CONN_SYNCNT) == -1)
		return -1;
	return epoll_ctl(p->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static int
conn_send(struct probe *p, const uint8_t *dst, const struct probe_spec *spec,
    uint64_t *sent_us)
{
	struct sockaddr_storage	 ss;
	struct probe_conn	*c;
	socklen_t		 sslen;
	int			 fd, saved;

	conn_sweep(p, tb_now_us());
	if ((c = conn_slot(p)) == NULL) {
		errno = ENOBUFS;
		return -1;
	}
	if ((fd = sock_open(p->family, SOCK_STREAM, 0)) == -1)
		return -1;
	sock_addr(p->family, dst, p->port, 0, &ss, &sslen);
	if (conn_setup(p, fd, spec->ttl) == -1)
		goto fail;
	*sent_us = tb_now_us();
	if (connect(fd, (struct sockaddr *)&ss, sslen) == -1 &&
	    errno != EINPROGRESS)
		goto fail;
	c->fd = fd;
	c->seq = spec->seq;
	c->sent_us = *sent_us;
	memcpy(c->dst, dst, 16);
	p->nconns++;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
probe_send(struct probe *p, const uint8_t dst[16],
    const struct probe_spec *spec, uint64_t *sent_us)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	uint8_t			 src[16];
	unsigned		 flow = spec->flow % PROBE_NFLOWS;
	uint16_t		 port = 0;
	size_t			 len;
	int			 fd;

	if (spec->ttl < 1 || spec->ttl > 255 || p->mode == PROBE_MODE_NONE) {
		errno = EINVAL;
		return -1;
	}
	if (p->mode == PROBE_MODE_TCP_CONNECT)
		return conn_send(p, dst, spec, sent_us);
	fd = p->proto == PROBE_P_ICMP ? p->icmp_fd : p->send_fd;
	if (p->proto == PROBE_P_ICMP) {
		len = build_echo(p, spec, flow);
	} else if (p->mode == PROBE_MODE_RECVERR) {
		len = build_echo(p, spec, flow);	/* same payload words */
		memmove(p->pkt, p->pkt + L4_HLEN, len - L4_HLEN);
		len -= L4_HLEN;
		port = (uint16_t)(p->port + flow);
	} else {
		if (spec->seq > PROBE_SEQ_MAX && p->proto == PROBE_P_UDP) {
			errno = EINVAL;
			return -1;
		}
		if (probe_src(p, dst, src) == -1)
			return -1;
		len = p->proto == PROBE_P_UDP ?
		    build_udp(p, spec, flow, src, dst) :
		    build_tcp(p, spec, flow, src, dst);
	}
	if (probe_set_ttl(p, fd, spec->ttl) == -1)
		return -1;
	sock_addr(p->family, dst, port, probe_label(p, fd, flow, dst), &ss,
	    &sslen);
	*sent_us = tb_now_us();
	return probe_sendto(p, fd, len, &ss, sslen, sent_us);
}

/* --- read --------------------------------------------------------------- */

/* 1 if the transport header an error quotes is our probe (seq set). */
static int
match_inner(const struct probe *p, const struct icmp_inner *in,
    uint16_t *seq)
{
	uint16_t	 flow;

	if (!in->has_l4)
		return 0;
	switch (in->proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (p->proto != PROBE_P_ICMP || (in->icmp_type != ICMP4_ECHO &&
		    in->icmp_type != ICMP6_ECHO))
			return 0;
		flow = (uint16_t)(in->echo_id - p->id_base);
		if (flow >= PROBE_NFLOWS)
			return 0;
		*seq = in->echo_seq;
		return 1;
	case IPPROTO_UDP:
		flow = (uint16_t)(in->sport - p->sport_base);
		if (p->proto != PROBE_P_UDP || in->dport != p->port ||
		    flow >= PROBE_NFLOWS || in->udp_cksum == 0)
			return 0;
		*seq = (uint16_t)(in->udp_cksum - 1);
		return 1;
	case IPPROTO_TCP:
		flow = (uint16_t)(in->sport - p->sport_base);
		if (p->proto != PROBE_P_TCP || in->dport != p->port ||
		    flow >= PROBE_NFLOWS || in->tcp_seq >> 16 != p->cookie16)
			return 0;
		*seq = (uint16_t)in->tcp_seq;
		return 1;
	}
	return 0;
}

static int
probe_kind(int icmp_kind)
{
	switch (icmp_kind) {
	case ICMP_K_TIME_EXCEEDED:
		return PROBE_K_TIME_EXCEEDED;
	case ICMP_K_ECHO_REPLY:
		return PROBE_K_ECHO_REPLY;
	case ICMP_K_UNREACH:
		return PROBE_K_UNREACH;
	case ICMP_K_PKT_TOO_BIG:
		return PROBE_K_PKT_TOO_BIG;
	}
	return 0;
}

static void
reply_init(const struct probe *p, struct probe_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->family = p->family;
	out->rx_us = tb_now_us();
}

/* Our echo payload (raw and ping sockets echo it back): the cookie. */
static int
echo_payload_is_ours(const struct probe *p, const uint8_t *icmp, size_t len)
{
	return len >= L4_HLEN + PROBE_PAYLOAD_MIN &&
	    get32(icmp + L4_HLEN + 4) == p->cookie;
}

/*
 * Where the quoted probe's transport header starts in p->rx, or 0 when
 * unknown (IPv6 extension headers): then ids and ports decide alone.
 */
static size_t
inner_l4_off(const struct probe *p, size_t n, const struct icmp_info *ii)
{
	size_t	 off;

	if (p->family == AF_INET6)
		return ii->inner.nexthdrs == 0 ? L4_HLEN + IP6_HLEN : 0;
	off = (size_t)(p->rx[0] & 0x0f) * 4 + L4_HLEN;
	if (off >= n)
		return 0;
	return off + (size_t)(p->rx[off] & 0x0f) * 4;
}

/*
 * Routers quoting more than 8 bytes of an echo or UDP probe give back our
 * cookie too: then it must be ours (another tubes may share the ids).
 */
static int
inner_cookie_is_ours(const struct probe *p, size_t n,
    const struct icmp_info *ii)
{
	size_t	 off;

	if (p->proto == PROBE_P_TCP || (off = inner_l4_off(p, n, ii)) == 0 ||
	    off + L4_HLEN + PROBE_PAYLOAD_MIN > n)
		return 1;
	return get32(p->rx + off + L4_HLEN + 4) == p->cookie;
}

/* An ICMP message from a raw socket: 1 ours, 0 skipped. */
static int
read_raw_icmp_msg(struct probe *p, size_t n, const uint8_t *from,
    struct probe_reply *out)
{
	struct icmp_info	 ii;
	size_t			 off = 0;
	unsigned		 i;
	int			 r;

	r = icmp_parse(p->rx, n, p->family, p->family == AF_INET, &ii);
	if ((r != ICMP_OK && r != ICMP_EINNER) || ii.is_cksum_bad)
		return 0;
	if ((out->kind = probe_kind(ii.kind)) == 0)
		return 0;
	if (out->kind == PROBE_K_ECHO_REPLY) {
		if (p->family == AF_INET)
			off = (size_t)(p->rx[0] & 0x0f) * 4;
		if (p->proto != PROBE_P_ICMP || off > n ||
		    (uint16_t)(ii.echo_id - p->id_base) >= PROBE_NFLOWS ||
		    !echo_payload_is_ours(p, p->rx + off, n - off))
			return 0;
		out->seq = ii.echo_seq;
	} else if (!ii.has_inner || !match_inner(p, &ii.inner, &out->seq) ||
	    !inner_cookie_is_ours(p, n, &ii))
		return 0;
	if (p->family == AF_INET && ii.has_src)
		memcpy(out->from, &ii.src.v4, 4);
	else
		memcpy(out->from, from, 16);
	out->reason = out->kind == PROBE_K_UNREACH ? ii.reason : 0;
	out->mtu = ii.mtu;
	for (i = 0; ii.has_ext && i < ii.ext.nmpls && i < PROBE_MAX_MPLS; i++)
		out->mpls[i] = ii.ext.mpls[i].label;
	out->nmpls = i;
	return 1;
}

/* -1 nothing to read, else like the _msg functions. */
static int
read_raw_icmp(struct probe *p, struct probe_reply *out)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	uint8_t			 from[16];
	ssize_t			 n;

	n = recvfrom(p->icmp_fd, p->rx, sizeof(p->rx), MSG_DONTWAIT,
	    (struct sockaddr *)&ss, &len);
	if (n == -1)
		return -1;
	reply_init(p, out);
	if (sock_addr_get(p->family, &ss, len, from) == -1)
		return 0;
	return read_raw_icmp_msg(p, (size_t)n, from, out);
}

/* A segment on the raw TCP socket: the target's SYN-ACK or RST. */
static int
read_raw_tcp(struct probe *p, struct probe_reply *out)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	const uint8_t		*t = p->rx;
	size_t			 tlen, ihl = 0;
	ssize_t			 n;
	uint32_t		 ack;

	n = recvfrom(p->send_fd, p->rx, sizeof(p->rx), MSG_DONTWAIT,
	    (struct sockaddr *)&ss, &len);
	if (n == -1)
		return -1;
	reply_init(p, out);
	if (sock_addr_get(p->family, &ss, len, out->from) == -1)
		return 0;
	if (p->family == AF_INET) {
		/* IPv4 raw sockets keep the IP header. */
		if (n < IP4_HLEN || p->rx[0] >> 4 != 4)
			return 0;
		ihl = (size_t)(p->rx[0] & 0x0f) * 4;
		if (ihl < IP4_HLEN || ihl > (size_t)n ||
		    p->rx[9] != IPPROTO_TCP)
			return 0;
		memcpy(out->from, p->rx + 12, 4);
	}
	t = p->rx + ihl;
	tlen = (size_t)n - ihl;
	if (tlen < 20 || get16(t) != p->port ||
	    (uint16_t)(get16(t + 2) - p->sport_base) >= PROBE_NFLOWS ||
	    !(t[13] & TCP_F_ACK))
		return 0;
	ack = get32(t + 8) - 1;
	if (ack >> 16 != p->cookie16)
		return 0;
	out->seq = (uint16_t)ack;
	if (t[13] & TCP_F_RST)
		out->kind = PROBE_K_TCP_RST;
	else if (t[13] & TCP_F_SYN)
		out->kind = PROBE_K_TCP_SYNACK;
	else
		return 0;
	return 1;
}

/* The normal queue of a ping or recverr socket. */
static int
read_dgram_normal(struct probe *p, struct probe_reply *out)
{
	struct sockaddr_storage	 ss;
	struct icmp_info	 ii;
	socklen_t		 len = sizeof(ss);
	ssize_t			 n;

	n = recvfrom(p->mode == PROBE_MODE_DGRAM ? p->icmp_fd : p->send_fd,
	    p->rx, sizeof(p->rx), MSG_DONTWAIT, (struct sockaddr *)&ss, &len);
	if (n == -1)
		return -1;
	reply_init(p, out);
	/* A recverr socket's target answered from an open port: no kind. */
	if (p->mode != PROBE_MODE_DGRAM ||
	    sock_addr_get(p->family, &ss, len, out->from) == -1)
		return 0;
	if (icmp_parse(p->rx, (size_t)n, p->family, 0, &ii) != ICMP_OK ||
	    ii.kind != ICMP_K_ECHO_REPLY ||
	    !echo_payload_is_ours(p, p->rx, (size_t)n))
		return 0;
	out->kind = PROBE_K_ECHO_REPLY;
	out->seq = ii.echo_seq;
	return 1;
}

/*
 * The extended error and the router or target that sent it (the
 * offender follows the struct in the same control message).
 */
static const struct sock_extended_err *
errqueue_ee(const struct probe *p, struct msghdr *msg, uint8_t from[16])
{
	const struct sock_extended_err	*ee;
	struct cmsghdr			*c;
	struct sockaddr_storage		 ss;
	size_t				 salen;
	int				 level = sol_ip(p->family);
	int				 type = p->family == AF_INET ?
					    IP_RECVERR : IPV6_RECVERR;

	salen = p->family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != level || c->cmsg_type != type ||
		    c->cmsg_len < CMSG_LEN(sizeof(*ee) + salen))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(c);
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, SO_EE_OFFENDER(ee), salen);
		if (sock_addr_get(p->family, &ss, (socklen_t)salen,
		    from) == -1)
			return NULL;
		return ee;
	}
	return NULL;
}

/* Our probe as the error queue gives it back: the seq it carried. */
static int
errqueue_seq(const struct probe *p, size_t n, uint16_t *seq)
{
	const uint8_t	*b = p->rx;

	if (p->mode == PROBE_MODE_DGRAM) {
		/* Our echo header, then what the router quoted of the rest. */
		if (n < L4_HLEN || (b[0] != ICMP4_ECHO && b[0] != ICMP6_ECHO))
			return 0;
		if (n >= L4_HLEN + PROBE_PAYLOAD_MIN &&
		    !echo_payload_is_ours(p, b, n))
			return 0;
		*seq = get16(b + 6);
		return 1;
	}
	/* UDP payload: ~seq, flow, cookie (build_echo's words, no header). */
	if (n < PROBE_PAYLOAD_MIN || get32(b + 4) != p->cookie)
		return 0;
	*seq = (uint16_t)~get16(b);
	return 1;
}

static int
read_errqueue(struct probe *p, int fd, struct probe_reply *out,
    const struct probe_conn *c)
{
	const struct sock_extended_err	*ee;
	struct msghdr			 msg;
	struct iovec			 iov;
	uint64_t			 ctl[PROBE_CTL_LEN / 8];
	ssize_t				 n;
	int				 kind, reason;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = p->rx;
	iov.iov_len = sizeof(p->rx);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	if ((n = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT)) == -1)
		return -1;
	reply_init(p, out);
	if ((ee = errqueue_ee(p, &msg, out->from)) == NULL ||
	    ee->ee_origin != (p->family == AF_INET ? SO_EE_ORIGIN_ICMP :
	    SO_EE_ORIGIN_ICMP6) ||
	    (c == NULL && !errqueue_seq(p, (size_t)n, &out->seq)))
		return 0;
	if (c != NULL)
		out->seq = c->seq;
	icmp_classify(p->family, ee->ee_type, ee->ee_code, &kind, &reason);
	if ((out->kind = probe_kind(kind)) == 0 ||
	    out->kind == PROBE_K_ECHO_REPLY)
		return 0;
	out->reason = out->kind == PROBE_K_UNREACH ? reason : 0;
	if (out->kind == PROBE_K_PKT_TOO_BIG || reason == ICMP_R_FRAG_NEEDED)
		out->mtu = ee->ee_info;
	return 1;
}

/*
 * A tcp-connect socket that moved: a router's ICMP error in its queue,
 * else the connect() result, the target's answer.
 */
static int
read_conn(struct probe *p, struct probe_reply *out)
{
	struct epoll_event	 ev;
	struct probe_conn	*c = NULL;
	socklen_t		 len = sizeof(int);
	size_t			 i;
	int			 e = 0, r;

	conn_sweep(p, tb_now_us());
	if (epoll_wait(p->epoll_fd, &ev, 1, 0) != 1)
		return -1;
	for (i = 0; i < PROBE_CONNS_MAX && c == NULL; i++)
		if (p->conns[i].fd == ev.data.fd)
			c = &p->conns[i];
	if (c == NULL)
		return 0;
	if ((r = read_errqueue(p, c->fd, out, c)) != -1) {
		conn_close(p, c, 0);
		return r;
	}
	reply_init(p, out);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	out->seq = c->seq;
	memcpy(out->from, c->dst, 16);
	out->kind = e == 0 ? PROBE_K_TCP_SYNACK : PROBE_K_TCP_RST;
	conn_close(p, c, e == 0);
	/* Timed out, no route: not an answer from anyone. */
	return e == 0 || e == ECONNREFUSED;
}

static int
read_one(struct probe *p, int fd, struct probe_reply *out)
{
	int	 r;

	if (p->mode == PROBE_MODE_RAW)
		return fd == p->icmp_fd ? read_raw_icmp(p, out) :
		    read_raw_tcp(p, out);
	if (p->mode == PROBE_MODE_TCP_CONNECT)
		return read_conn(p, out);
	if ((r = read_dgram_normal(p, out)) != -1)
		return r;
	return read_errqueue(p, fd, out, NULL);
}

int
probe_read(struct probe *p, int fd, struct probe_reply *out)
{
	int	 i, r;

	if (fd == -1 || (fd != p->icmp_fd && fd != p->send_fd &&
	    fd != p->epoll_fd))
		return 0;
	if (p->mode == PROBE_MODE_RAW && fd == p->send_fd &&
	    p->proto != PROBE_P_TCP)
		return 0;
	for (i = 0; i < PROBE_READ_MAX; i++) {
		if ((r = read_one(p, fd, out)) == -1)
			return 0;
		if (r == 1)
			return 1;
		p->nskipped++;
	}
	return 0;
}
