/*
 * probe_tool: drive src/model/probe.c once, for tests/integ/probe_modes.sh.
 *
 *   probe_tool [-6] [-P icmp|udp|tcp] [-p PORT] [--flow N] [--flows N]
 *       [--max-ttl N] [--size BYTES] [--linger] TARGET
 *
 * Opens the probe sockets (best mode allowed), sends one probe per TTL
 * 1..max at once (for flows N..N+flows-1), reads replies for up to 2 s
 * (less once the target and every hop before it answered, every flow,
 * unless --linger) and prints:
 *
 *   mode MODE proto PROTO port PORT
 *   note TEXT                      (when probe_open gave one)
 *   reply SEQ TTL KIND FROM RTT_MS REASON MTU MPLS
 *   skipped N
 *
 * seq = 1000 + 100 * (flow - first flow) + ttl.
 *
 * Use it inside a test namespace only.
 */
#include "config.h"

#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "model/icmp_parse.h"
#include "model/probe.h"
#include "tool.h"

#define PT_SEQ_BASE	1000
#define PT_WAIT_MS	2000
#define PT_MAX_TTL	64
#define PT_SEQ_FLOW	100	/* seq step between flows */
#define PT_MAX_FLOWS	8

static const char *const kind_names[] = {
	[PROBE_K_TIME_EXCEEDED] = "time-exceeded",
	[PROBE_K_ECHO_REPLY] = "echo-reply",
	[PROBE_K_UNREACH] = "unreach",
	[PROBE_K_PKT_TOO_BIG] = "too-big",
	[PROBE_K_TCP_SYNACK] = "syn-ack",
	[PROBE_K_TCP_RST] = "rst",
};

static const char *const proto_names[] = {
	[PROBE_P_ICMP] = "icmp",
	[PROBE_P_UDP] = "udp",
	[PROBE_P_TCP] = "tcp",
};

struct pt_opts {
	int		 family;
	int		 proto;
	uint16_t	 port;
	unsigned	 flow;
	unsigned	 nflows;
	unsigned	 max_ttl;
	size_t		 size;
	int		 is_linger;
	uint8_t		 dst[16];
};

static void
usage(void)
{
	fprintf(stderr, "usage: probe_tool [-6] [-P icmp|udp|tcp] [-p PORT] "
	    "[--flow N] [--flows N] [--max-ttl N] [--size BYTES] [--linger] "
	    "TARGET\n");
	exit(2);
}

static unsigned long
num(const char *s, unsigned long max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v > max)
		die("bad number: %s", s);
	return v;
}

static void
parse_args(int argc, char **argv, struct pt_opts *o)
{
	static const struct option longopts[] = {
		{ "flow", required_argument, NULL, 'f' },
		{ "flows", required_argument, NULL, 'F' },
		{ "max-ttl", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 's' },
		{ "linger", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int	 c;

	memset(o, 0, sizeof(*o));
	o->family = AF_INET;
	o->max_ttl = 8;
	o->nflows = 1;
	while ((c = getopt_long(argc, argv, "6P:p:", longopts, NULL)) != -1) {
		switch (c) {
		case '6':
			o->family = AF_INET6;
			break;
		case 'P':
			if (strcmp(optarg, "icmp") == 0)
				o->proto = PROBE_P_ICMP;
			else if (strcmp(optarg, "udp") == 0)
				o->proto = PROBE_P_UDP;
			else if (strcmp(optarg, "tcp") == 0)
				o->proto = PROBE_P_TCP;
			else
				usage();
			break;
		case 'p':
			o->port = (uint16_t)num(optarg, 65535);
			break;
		case 'f':
			o->flow = (unsigned)num(optarg, 1000);
			break;
		case 'F':
			o->nflows = (unsigned)num(optarg, PT_MAX_FLOWS);
			break;
		case 'm':
			o->max_ttl = (unsigned)num(optarg, PT_MAX_TTL);
			break;
		case 's':
			o->size = num(optarg, 65000);
			break;
		case 'l':
			o->is_linger = 1;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || o->max_ttl == 0 || o->nflows == 0)
		usage();
	if (inet_pton(o->family, argv[optind], o->dst) != 1)
		die("bad address for the family: %s", argv[optind]);
}

/* The flow index (0..nflows-1) and TTL of a seq; 0: not ours. */
static int
seq_split(const struct pt_opts *o, uint16_t seq, unsigned *fi, unsigned *ttl)
{
	unsigned	 off = (unsigned)(uint16_t)(seq - PT_SEQ_BASE);

	*fi = off / PT_SEQ_FLOW;
	*ttl = off % PT_SEQ_FLOW;
	return *fi < o->nflows && *ttl >= 1 && *ttl <= o->max_ttl;
}

static void
print_reply(const struct pt_opts *o, const struct probe_reply *r,
    uint64_t sent_us[][PT_MAX_TTL + 1])
{
	char		 from[INET6_ADDRSTRLEN];
	unsigned	 fi, ttl, i;
	double		 rtt_ms = -1;

	if (!seq_split(o, r->seq, &fi, &ttl))
		fi = ttl = 0;
	else if (sent_us[fi][ttl] != 0)
		rtt_ms = (double)(r->rx_us - sent_us[fi][ttl]) / 1000.0;
	inet_ntop(r->family, r->from, from, sizeof(from));
	printf("reply %u %u %s %s %.3f %s %u ", r->seq, ttl,
	    r->kind > 0 && r->kind <= PROBE_K_TCP_RST ? kind_names[r->kind] :
	    "?", from, rtt_ms, icmp_reason_name(r->reason), r->mtu);
	if (r->nmpls == 0)
		printf("-");
	for (i = 0; i < r->nmpls && i < PROBE_MAX_MPLS; i++)
		printf("%s%u", i ? "," : "", r->mpls[i]);
	printf("\n");
	fflush(stdout);
}

static int
is_target_kind(int kind)
{
	return kind == PROBE_K_ECHO_REPLY || kind == PROBE_K_UNREACH ||
	    kind == PROBE_K_TCP_SYNACK || kind == PROBE_K_TCP_RST;
}

static void
send_all(struct probe *p, const struct pt_opts *o,
    uint64_t sent_us[][PT_MAX_TTL + 1])
{
	struct probe_spec	 spec;
	unsigned		 fi, ttl;

	for (fi = 0; fi < o->nflows; fi++) {
		for (ttl = 1; ttl <= o->max_ttl; ttl++) {
			memset(&spec, 0, sizeof(spec));
			spec.ttl = ttl;
			spec.flow = o->flow + fi;
			spec.seq = (uint16_t)(PT_SEQ_BASE + fi * PT_SEQ_FLOW +
			    ttl);
			spec.size = o->size;
			if (probe_send(p, o->dst, &spec,
			    &sent_us[fi][ttl]) == -1) {
				printf("send-error %u %s\n", ttl,
				    strerror(errno));
				sent_us[fi][ttl] = 0;
			}
		}
	}
}

/* Every flow has its target's answer and every TTL before it. */
static int
is_complete(const struct pt_opts *o, int answered[][PT_MAX_TTL + 1],
    const unsigned *target_ttl)
{
	unsigned	 fi, ttl;

	for (fi = 0; fi < o->nflows; fi++) {
		if (target_ttl[fi] == 0)
			return 0;
		for (ttl = 1; ttl <= target_ttl[fi]; ttl++)
			if (!answered[fi][ttl])
				return 0;
	}
	return 1;
}

static void
read_fd(struct probe *p, const struct pt_opts *o, int fd,
    uint64_t sent_us[][PT_MAX_TTL + 1], int answered[][PT_MAX_TTL + 1],
    unsigned *target_ttl)
{
	struct probe_reply	 r;
	unsigned		 fi, ttl;

	while (probe_read(p, fd, &r) == 1) {
		print_reply(o, &r, sent_us);
		if (!seq_split(o, r.seq, &fi, &ttl))
			continue;
		answered[fi][ttl] = 1;
		if (is_target_kind(r.kind) &&
		    (target_ttl[fi] == 0 || ttl < target_ttl[fi]))
			target_ttl[fi] = ttl;
	}
}

static void
read_all(struct probe *p, const struct pt_opts *o,
    uint64_t sent_us[][PT_MAX_TTL + 1])
{
	struct pollfd	 pfd[PROBE_MAX_FDS];
	int		 fds[PROBE_MAX_FDS];
	int		 answered[PT_MAX_FLOWS][PT_MAX_TTL + 1];
	unsigned	 target_ttl[PT_MAX_FLOWS];
	size_t		 n, i;
	uint64_t	 end = now_ms() + PT_WAIT_MS, now;

	memset(answered, 0, sizeof(answered));
	memset(target_ttl, 0, sizeof(target_ttl));
	n = probe_fds(p, fds, PROBE_MAX_FDS);
	while ((now = now_ms()) < end &&
	    (o->is_linger || !is_complete(o, answered, target_ttl))) {
		for (i = 0; i < n; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, n, (int)(end - now)) == -1 && errno != EINTR)
			die("poll: %s", strerror(errno));
		for (i = 0; i < n; i++)
			if (pfd[i].revents != 0)
				read_fd(p, o, fds[i], sent_us, answered,
				    target_ttl);
	}
}

int
main(int argc, char **argv)
{
	struct pt_opts	 o;
	struct probe	*p;
	char		 err[512], note[512];
	uint64_t	 sent_us[PT_MAX_FLOWS][PT_MAX_TTL + 1];

	parse_args(argc, argv, &o);
	p = probe_open(o.family, o.proto, o.port, err, sizeof(err), note,
	    sizeof(note));
	if (p == NULL) {
		printf("open-error %s\n", err);
		return 1;
	}
	printf("mode %s proto %s port %u\n", probe_mode_str(probe_mode(p)),
	    proto_names[probe_proto(p)], probe_port(p));
	if (note[0] != '\0')
		printf("note %s\n", note);
	fflush(stdout);
	memset(sent_us, 0, sizeof(sent_us));
	send_all(p, &o, sent_us);
	read_all(p, &o, sent_us);
	printf("skipped %llu\n", (unsigned long long)probe_nskipped(p));
	probe_close(p);
	return 0;
}
