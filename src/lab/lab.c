/*
 * tubes --lab: build the lab's namespaces with ip(8), start its daemons,
 * fork tubes into the client, and keep the lab until tubes exits.
 *
 *   client - r1 =< r2a, r2b >= r3 - r4 - srv
 *
 * r1 spreads flows over the ECMP pair r2a, r2b (hashing on L4); r3
 * forwards but never answers (policy routing sends whatever it makes
 * itself to an unreachable table); r4 keeps Linux's default ICMP rate
 * limit, every other node has none.  srv holds web (198.51.100.10) and
 * ns (198.51.100.53).  The links use 203.0.113.0/24 and 192.0.2.0/24 in
 * /30s; the client routes those three documentation ranges only.
 *
 * A lock file holds the keeper's pid under flock(2): a second lab fails
 * while the keeper lives; a SIGKILLed keeper's lab is removed by the next
 * start (its daemons die with it: PR_SET_PDEATHSIG).
 */
#include "config.h"

#include "lab/lab.h"
#include "lab/labd.h"

#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "opts.h"

#define LAB_LOCK_PATH	"/run/tubes-lab.pid"
#define LAB_NETNS_DIR	"/run/netns"
#define LAB_MAX_NS	64		/* tubes-lab-* looked at, at most */
#define LAB_MAX_DAEMONS	4
#define LAB_READY_MS	5000		/* a daemon's start, at most */
#define LAB_BATCH_MAX	8192

static const char *const lab_nodes[] = {
	"client", "r1", "r2a", "r2b", "r3", "r4", "srv"
};
#define LAB_NNODES	(sizeof(lab_nodes) / sizeof(lab_nodes[0]))

/* A veth pair, a /30: in each namespace the interface is named after
 * the node at its other end. */
static const struct lab_link {
	const char	*a, *b;
	const char	*addr_a, *addr_b;
} lab_links[] = {
	{ "client",	"r1",	"203.0.113.1",	"203.0.113.2" },
	{ "r1",	"r2a",	"203.0.113.5",	"203.0.113.6" },
	{ "r1",	"r2b",	"203.0.113.9",	"203.0.113.10" },
	{ "r2a",	"r3",	"203.0.113.13",	"203.0.113.14" },
	{ "r2b",	"r3",	"203.0.113.17",	"203.0.113.18" },
	{ "r3",	"r4",	"203.0.113.21",	"203.0.113.22" },
	{ "r4",		"srv",	"192.0.2.1",	"192.0.2.2" },
};
#define LAB_NLINKS	(sizeof(lab_links) / sizeof(lab_links[0]))

#define LAB_ECMP(net, a, b) \
	"route add " net " nexthop via 203.0.113." a " dev r2a " \
	"nexthop via 203.0.113." b " dev r2b"

/* Routes and the rest, one ip -batch line each. */
static const struct lab_conf {
	const char	*node;
	const char	*line;
} lab_confs[] = {
	{ "client",	"route add 203.0.113.0/24 via 203.0.113.2" },
	{ "client",	"route add 192.0.2.0/24 via 203.0.113.2" },
	{ "client",	"route add 198.51.100.0/24 via 203.0.113.2" },
	{ "r1",	LAB_ECMP("203.0.113.0/24", "6", "10") },
	{ "r1",	LAB_ECMP("192.0.2.0/24", "6", "10") },
	{ "r1",	LAB_ECMP("198.51.100.0/24", "6", "10") },
	{ "r2a",	"route add 203.0.113.0/30 via 203.0.113.5" },
	{ "r2a",	"route add 203.0.113.8/30 via 203.0.113.5" },
	{ "r2a",	"route add 203.0.113.0/24 via 203.0.113.14" },
	{ "r2a",	"route add 192.0.2.0/24 via 203.0.113.14" },
	{ "r2a",	"route add 198.51.100.0/24 via 203.0.113.14" },
	{ "r2b",	"route add 203.0.113.0/30 via 203.0.113.9" },
	{ "r2b",	"route add 203.0.113.4/30 via 203.0.113.9" },
	{ "r2b",	"route add 203.0.113.0/24 via 203.0.113.18" },
	{ "r2b",	"route add 192.0.2.0/24 via 203.0.113.18" },
	{ "r2b",	"route add 198.51.100.0/24 via 203.0.113.18" },
	{ "r3",	LAB_ECMP("203.0.113.0/28", "13", "17") },
	{ "r3",		"route add 192.0.2.0/24 via 203.0.113.22" },
	{ "r3",		"route add 198.51.100.0/24 via 203.0.113.22" },
	/* Silent: what r3 sends itself (iif lo) finds no route; what it
	 * forwards uses main.  Only iproute2 needed, no firewall. */
	{ "r3",		"route add unreachable default table 100" },
	{ "r3",		"rule add iif lo lookup 100 pref 100" },
	{ "r4",		"route add 203.0.113.0/24 via 203.0.113.21" },
	{ "r4",		"route add 198.51.100.0/24 via 192.0.2.2" },
	{ "srv",	"addr add " LABD_WEB4 "/32 dev lo" },
	{ "srv",	"addr add " LABD_DNS4 "/32 dev lo" },
	{ "srv",	"route add 203.0.113.0/24 via 192.0.2.1" },
};
#define LAB_NCONFS	(sizeof(lab_confs) / sizeof(lab_confs[0]))

#define LAB_S_ALL	0x1
#define LAB_S_ROUTER	0x2
#define LAB_S_NOT_R4	0x4
#define LAB_S_OPTIONAL	0x8	/* IPv6 may be off in the kernel */

/* Set in each namespace before any interface exists (they take the
 * defaults at creation).  No rate limit but r4's, as netchain.sh. */
static const struct lab_sysctl {
	const char	*key;	/* under /proc/sys/net/ */
	const char	*value;
	int		 flags;
} lab_sysctls[] = {
	{ "ipv4/icmp_ratelimit",		"0",	LAB_S_NOT_R4 },
	{ "ipv4/icmp_msgs_per_sec",		"100000", LAB_S_NOT_R4 },
	{ "ipv4/icmp_msgs_burst",		"10000", LAB_S_NOT_R4 },
	{ "ipv4/icmp_errors_use_inbound_ifaddr", "1",	LAB_S_ALL },
	{ "ipv4/conf/all/rp_filter",		"0",	LAB_S_ALL },
	{ "ipv4/conf/default/rp_filter",	"0",	LAB_S_ALL },
	{ "ipv4/fib_multipath_hash_policy",	"1",	LAB_S_ALL },
	{ "ipv4/ip_forward",			"1",	LAB_S_ROUTER },
	{ "ipv6/conf/all/disable_ipv6",	"1",	LAB_S_OPTIONAL },
	{ "ipv6/conf/default/disable_ipv6",	"1",	LAB_S_OPTIONAL },
};
#define LAB_NSYSCTLS	(sizeof(lab_sysctls) / sizeof(lab_sysctls[0]))

struct lab {
	char		 ip_path[PATH_MAX];
	int		 lock_fd;
	int		 orig_ns_fd;	/* the keeper's own namespace */
	sigset_t	 orig_mask;
	pid_t		 keeper;
	pid_t		 ui;
	pid_t		 daemons[LAB_MAX_DAEMONS];
	size_t		 ndaemons;
	uid_t		 nobody_uid;
	gid_t		 nobody_gid;
};

static struct lab	lab_state = { .lock_fd = -1, .orig_ns_fd = -1 };

/* --- ip(8) ------------------------------------------------------------- */

/* ip from iproute2: on PATH, or where Debian puts it (sbin may be off a
 * user's PATH under sudo -E). */
static int
lab_find_ip(char *path, size_t len)
{
	static const char	*const fallback =
				    "/usr/sbin:/sbin:/usr/bin:/bin";
	const char		*env, *p, *end;
	char			 dirs[4096];
	int			 n;

	env = getenv("PATH");
	n = snprintf(dirs, sizeof(dirs), "%s:%s", env != NULL ? env : "",
	    fallback);
	if (n < 0 || (size_t)n >= sizeof(dirs))
		(void)snprintf(dirs, sizeof(dirs), "%s", fallback);
	for (p = dirs; *p != '\0'; p = *end == ':' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		if (end == p || *p != '/')
			continue;
		n = snprintf(path, len, "%.*s/ip", (int)(end - p), p);
		if (n > 0 && (size_t)n < len && access(path, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* Run "ip [-n NS] [-force] -batch -" over BATCH; 0 if it succeeded. */
static int
lab_ip(const struct lab *l, const char *ns, const char *batch, int is_quiet,
    char *err, size_t errlen)
{
	const char	*argv[8];
	size_t		 n = 0, len, off;
	ssize_t		 w;
	pid_t		 pid;
	int		 p[2], st, fd;

	argv[n++] = "ip";
	if (ns != NULL) {
		argv[n++] = "-n";
		argv[n++] = ns;
	}
	if (is_quiet)
		argv[n++] = "-force";
	argv[n++] = "-batch";
	argv[n++] = "-";
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	if (pid == 0) {
		(void)dup2(p[0], STDIN_FILENO);
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			(void)dup2(fd, STDOUT_FILENO);
			if (is_quiet)
				(void)dup2(fd, STDERR_FILENO);
		}
		execv(l->ip_path, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	(void)close(p[0]);
	for (off = 0, len = strlen(batch); off < len;)
		if ((w = write(p[1], batch + off, len - off)) > 0)
			off += (size_t)w;
		else if (w == 0 || errno != EINTR)
			break;	/* ip died: its status says so */
	(void)close(p[1]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	snprintf(err, errlen, "%s%s%s -batch failed (%s %d)", l->ip_path,
	    ns != NULL ? " -n " : "", ns != NULL ? ns : "",
	    WIFEXITED(st) ? "exit" : "signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -1;
}

/* Append one line to a batch. */
static int
lab_line(char *batch, size_t len, char *err, size_t errlen,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
lab_line(char *batch, size_t len, char *err, size_t errlen,
    const char *fmt, ...)
{
	size_t	used = strlen(batch);
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(batch + used, len - used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 1 >= len - used) {
		snprintf(err, errlen, "ip batch too long");
		return -1;
	}
	batch[used + (size_t)n] = '\n';
	batch[used + (size_t)n + 1] = '\0';
	return 0;
}

/* --- namespaces -------------------------------------------------------- */

static int
lab_setns(const char *ns)
{
	char	path[PATH_MAX];
	int	fd, rc;

	(void)snprintf(path, sizeof(path), LAB_NETNS_DIR "/%s", ns);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	(void)close(fd);
	return rc;
}

static int
lab_setns_node(const char *node)
{
	char	ns[64];

	(void)snprintf(ns, sizeof(ns), LAB_PREFIX "%s", node);
	return lab_setns(ns);
}

/* The tubes-lab-* namespaces that exist; their count. */
static size_t
lab_ns_list(char names[][NAME_MAX + 1], size_t max)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	if ((d = opendir(LAB_NETNS_DIR)) == NULL)
		return 0;
	while (n < max && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, LAB_PREFIX, strlen(LAB_PREFIX)) == 0)
			(void)snprintf(names[n++], NAME_MAX + 1, "%s",
			    de->d_name);
	(void)closedir(d);
	return n;
}

/* SIGKILL every process in namespace NS (what `ip netns pids` lists). */
static void
lab_ns_kill(const char *ns)
{
	char		 path[PATH_MAX];
	struct stat	 nst, pst;
	DIR		*d;
	struct dirent	*de;
	char		*end;
	long		 pid;

	(void)snprintf(path, sizeof(path), LAB_NETNS_DIR "/%s", ns);
	if (stat(path, &nst) == -1 || (d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 1 || pid == (long)getpid())
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (stat(path, &pst) == 0 && pst.st_ino == nst.st_ino &&
		    pst.st_dev == nst.st_dev)
			(void)kill((pid_t)pid, SIGKILL);
	}
	(void)closedir(d);
}

/* Kill what runs in the lab's namespaces and delete them: how many
 * there were, or -1 if some are left (err says which). */
static int
lab_ns_remove_all(const struct lab *l, char *err, size_t errlen)
{
	static char	 names[LAB_MAX_NS][NAME_MAX + 1];
	char		 batch[LAB_BATCH_MAX], e[256];
	size_t		 i, n, left;

	n = lab_ns_list(names, LAB_MAX_NS);
	if (n == 0)
		return 0;
	batch[0] = '\0';
	for (i = 0; i < n; i++) {
		lab_ns_kill(names[i]);
		if (lab_line(batch, sizeof(batch), e, sizeof(e),
		    "netns del %s", names[i]) == -1)
			break;
	}
	(void)lab_ip(l, NULL, batch, 1, e, sizeof(e));
	if ((left = lab_ns_list(names, LAB_MAX_NS)) > 0) {
		snprintf(err, errlen, "could not delete %zu namespace(s), "
		    "e.g. %s: run ip netns del %s", left, names[0], names[0]);
		return -1;
	}
	return (int)n;
}

/* --- the lock ---------------------------------------------------------- */

static pid_t
lab_lock_pid(int fd)
{
	char	buf[32];
	ssize_t	n;
	long	v;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 && v < INT_MAX ? (pid_t)v : 0;
}

/* The lock, held: a live keeper holds it, and we may not. */
static int
lab_lock(char *err, size_t errlen)
{
	int	fd;

	fd = open(LAB_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", LAB_LOCK_PATH,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "a lab is already running "
			    "(keeper pid %ld): one at a time",
			    (long)lab_lock_pid(fd));
		else
			snprintf(err, errlen, "%s: flock: %s", LAB_LOCK_PATH,
			    strerror(errno));
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* With the lock held: remove what a dead keeper left. */
static int
lab_stale(const struct lab *l, int lock_fd, char *err, size_t errlen)
{
	static char	 names[LAB_MAX_NS][NAME_MAX + 1];
	pid_t		 old;
	int		 n;

	old = lab_lock_pid(lock_fd);
	if (old == 0 && lab_ns_list(names, LAB_MAX_NS) == 0)
		return 0;
	if ((n = lab_ns_remove_all(l, err, errlen)) == -1)
		return -1;
	if (old != 0)
		fprintf(stderr, "tubes: removed a stale lab (keeper pid %ld "
		    "is gone)\n", (long)old);
	else
		fprintf(stderr, "tubes: removed a stale lab (%d namespace%s "
		    "without a keeper)\n", n, n == 1 ? "" : "s");
	if (ftruncate(lock_fd, 0) == -1) {
		snprintf(err, errlen, "%s: %s", LAB_LOCK_PATH, strerror(errno));
		return -1;
	}
	return 1;
}

int
lab_cleanup_stale(char *err, size_t errlen)
{
	struct lab	*l = &lab_state;
	int		 fd, rc;

	if (l->ip_path[0] == '\0' &&
	    lab_find_ip(l->ip_path, sizeof(l->ip_path)) == -1) {
		snprintf(err, errlen, "needs ip from iproute2 "
		    "(apt install iproute2)");
		return -1;
	}
	if ((fd = lab_lock(err, errlen)) == -1)
		return -1;
	rc = lab_stale(l, fd, err, errlen);
	(void)close(fd);
	return rc;
}

/* --- building ---------------------------------------------------------- */

static int
lab_node_flags(const char *node)
{
	int	f = LAB_S_ALL | LAB_S_OPTIONAL;

	if (node[0] == 'r')
		f |= LAB_S_ROUTER;
	if (strcmp(node, "r4") != 0)
		f |= LAB_S_NOT_R4;
	return f;
}

/* Write the node's sysctls from inside its namespace: /proc/sys/net is
 * the opener's namespace. */
static int
lab_sysctl_node(const struct lab *l, const char *node, char *err,
    size_t errlen)
{
	const struct lab_sysctl	*s;
	char			 path[256];
	size_t			 i;
	int			 fd, rc = 0, flags = lab_node_flags(node);
	ssize_t			 w;

	if (lab_setns_node(node) == -1) {
		snprintf(err, errlen, "setns %s%s: %s", LAB_PREFIX, node,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < LAB_NSYSCTLS && rc == 0; i++) {
		s = &lab_sysctls[i];
		if (!(s->flags & flags))
			continue;
		(void)snprintf(path, sizeof(path), "/proc/sys/net/%s", s->key);
		w = -1;
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) != -1) {
			w = write(fd, s->value, strlen(s->value));
			(void)close(fd);
		}
		if (w == -1 && !(s->flags & LAB_S_OPTIONAL)) {
			snprintf(err, errlen, "sysctl net/%s in %s%s: %s",
			    s->key, LAB_PREFIX, node, strerror(errno));
			rc = -1;
		}
	}
	if (setns(l->orig_ns_fd, CLONE_NEWNET) == -1) {
		/* Cannot happen; if it did, nothing after may run here. */
		fprintf(stderr, "tubes: lab: setns back: %s\n",
		    strerror(errno));
		_exit(1);
	}
	return rc;
}

/* A link end's MAC: locally administered, link and side in the last two
 * bytes, so the static neighbour entries are known in advance. */
static void
lab_mac(char *buf, size_t len, size_t link, int side)
{
	(void)snprintf(buf, len, "02:74:62:00:%02zx:%02x", link, side);
}

static int
lab_build_links(const struct lab *l, char *err, size_t errlen)
{
	static char	 batch[LAB_BATCH_MAX];
	const struct lab_link	*k;
	char		 ma[32], mb[32];
	size_t		 i;

	batch[0] = '\0';
	for (i = 0; i < LAB_NLINKS; i++) {
		k = &lab_links[i];
		lab_mac(ma, sizeof(ma), i, 1);
		lab_mac(mb, sizeof(mb), i, 2);
		if (lab_line(batch, sizeof(batch), err, errlen,
		    "link add name %s address %s netns " LAB_PREFIX "%s type "
		    "veth peer name %s address %s netns " LAB_PREFIX "%s",
		    k->b, ma, k->a, k->a, mb, k->b) == -1)
			return -1;
	}
	return lab_ip(l, NULL, batch, 0, err, errlen);
}

/* One end of link I in NODE's batch: address, static neighbour, up. */
static int
lab_build_end(char *batch, size_t len, size_t i, int side, char *err,
    size_t errlen)
{
	const struct lab_link	*k = &lab_links[i];
	const char		*ifn = side == 1 ? k->b : k->a;
	char			 peer_mac[32];

	lab_mac(peer_mac, sizeof(peer_mac), i, side == 1 ? 2 : 1);
	if (lab_line(batch, len, err, errlen, "addr add %s/30 dev %s",
	    side == 1 ? k->addr_a : k->addr_b, ifn) == -1 ||
	    lab_line(batch, len, err, errlen, "neigh replace %s lladdr %s "
	    "dev %s nud permanent", side == 1 ? k->addr_b : k->addr_a,
	    peer_mac, ifn) == -1)
		return -1;
	return lab_line(batch, len, err, errlen, "link set dev %s up", ifn);
}

static int
lab_build_node(const struct lab *l, const char *node, char *err,
    size_t errlen)
{
	static char	 batch[LAB_BATCH_MAX];
	char		 ns[64];
	size_t		 i;

	batch[0] = '\0';
	if (lab_line(batch, sizeof(batch), err, errlen,
	    "link set dev lo up") == -1)
		return -1;
	for (i = 0; i < LAB_NLINKS; i++)
		if ((strcmp(lab_links[i].a, node) == 0 &&
		    lab_build_end(batch, sizeof(batch), i, 1, err,
		    errlen) == -1) || (strcmp(lab_links[i].b, node) == 0 &&
		    lab_build_end(batch, sizeof(batch), i, 2, err,
		    errlen) == -1))
			return -1;
	for (i = 0; i < LAB_NCONFS; i++)
		if (strcmp(lab_confs[i].node, node) == 0 &&
		    lab_line(batch, sizeof(batch), err, errlen, "%s",
		    lab_confs[i].line) == -1)
			return -1;
	(void)snprintf(ns, sizeof(ns), LAB_PREFIX "%s", node);
	return lab_ip(l, ns, batch, 0, err, errlen);
}

static int
lab_build(const struct lab *l, char *err, size_t errlen)
{
	char	batch[LAB_BATCH_MAX];
	size_t	i;

	batch[0] = '\0';
	for (i = 0; i < LAB_NNODES; i++)
		if (lab_line(batch, sizeof(batch), err, errlen,
		    "netns add " LAB_PREFIX "%s", lab_nodes[i]) == -1)
			return -1;
	if (lab_ip(l, NULL, batch, 0, err, errlen) == -1)
		return -1;
	for (i = 0; i < LAB_NNODES; i++)
		if (lab_sysctl_node(l, lab_nodes[i], err, errlen) == -1)
			return -1;
	if (lab_build_links(l, err, errlen) == -1)
		return -1;
	for (i = 0; i < LAB_NNODES; i++)
		if (lab_build_node(l, lab_nodes[i], err, errlen) == -1)
			return -1;
	return 0;
}

/* --- processes --------------------------------------------------------- */

/* In every child of the keeper: none of the keeper's state. */
static void
lab_child_reset(const struct lab *l)
{
	if (l->lock_fd != -1)
		(void)close(l->lock_fd);
	if (l->orig_ns_fd != -1)
		(void)close(l->orig_ns_fd);
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGQUIT, SIG_DFL);
	(void)sigprocmask(SIG_SETMASK, &l->orig_mask, NULL);
}

/* Fork a daemon into NODE and wait until it says it is up. */
static int
lab_spawn(struct lab *l, const char *node, void (*fn)(struct labd_env *),
    const char *what, char *err, size_t errlen)
{
	struct labd_env	 env;
	struct pollfd	 pfd;
	char		 msg[256];
	ssize_t		 n = 0;
	pid_t		 pid;
	int		 p[2];

	if (l->ndaemons == LAB_MAX_DAEMONS || pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "%s: pipe: %s", what, strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "%s: fork: %s", what, strerror(errno));
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	if (pid == 0) {
		(void)close(p[0]);
		lab_child_reset(l);
		/* Ctrl-C and Ctrl-Z are for tubes: the daemons serve on
		 * until the keeper stops them. */
		(void)signal(SIGINT, SIG_IGN);
		(void)signal(SIGQUIT, SIG_IGN);
		(void)signal(SIGTSTP, SIG_IGN);
		memset(&env, 0, sizeof(env));
		env.uid = l->nobody_uid;
		env.gid = l->nobody_gid;
		env.keeper = l->keeper;
		env.ready_fd = p[1];
		/* ps and top show which daemon is which. */
		(void)prctl(PR_SET_NAME, what, 0, 0, 0);
		if (lab_setns_node(node) == -1)
			labd_fail(&env, "setns: %s", strerror(errno));
		fn(&env);
	}
	(void)close(p[1]);
	l->daemons[l->ndaemons++] = pid;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (poll(&pfd, 1, LAB_READY_MS) == -1 && errno == EINTR)
		;
	if (pfd.revents != 0)
		n = read(p[0], msg, sizeof(msg) - 1);
	(void)close(p[0]);
	if (n >= 1 && msg[0] == 'R')
		return 0;
	msg[n > 0 ? n : 0] = '\0';
	snprintf(err, errlen, "%s (the lab's daemon) did not start: %s", what,
	    n > 0 ? msg : "no word from it");
	return -1;
}

static void
lab_daemons_stop(struct lab *l)
{
	size_t	i;

	for (i = 0; i < l->ndaemons; i++)
		if (l->daemons[i] > 0)
			(void)kill(l->daemons[i], SIGKILL);
	for (i = 0; i < l->ndaemons; i++)
		if (l->daemons[i] > 0)
			while (waitpid(l->daemons[i], NULL, 0) == -1 &&
			    errno == EINTR)
				;
	l->ndaemons = 0;
}

/* Everything goes; the lock file last.  0, or -1 if something stayed. */
static int
lab_teardown(struct lab *l)
{
	char	err[256];
	int	rc = 0;

	lab_daemons_stop(l);
	if (lab_ns_remove_all(l, err, sizeof(err)) == -1) {
		fprintf(stderr, "tubes: lab: %s\n", err);
		rc = -1;
	}
	if (l->lock_fd != -1) {
		(void)unlink(LAB_LOCK_PATH);
		(void)close(l->lock_fd);
		l->lock_fd = -1;
	}
	return rc;
}

static void
lab_nobody(struct lab *l)
{
	struct passwd	*pw;

	l->nobody_uid = 65534;
	l->nobody_gid = 65534;
	if ((pw = getpwnam("nobody")) != NULL) {
		l->nobody_uid = pw->pw_uid;
		l->nobody_gid = pw->pw_gid;
	}
}

/* The keeper: wait for tubes, pass it SIGTERM and SIGHUP, clean up. */
static void __attribute__((noreturn))
lab_keep(struct lab *l)
{
	sigset_t	 set;
	siginfo_t	 si;
	pid_t		 pid;
	size_t		 i;
	int		 st, status = 1, nasked = 0;

	/* Ctrl-C reaches the whole group: tubes exits, then we clean. */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	for (;;) {
		if (sigwaitinfo(&set, &si) == -1)
			continue;
		if (si.si_signo != SIGCHLD) {
			/* Asked twice: tubes does not listen, stop it. */
			(void)kill(l->ui, nasked++ == 0 ? si.si_signo :
			    SIGKILL);
			continue;
		}
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid == l->ui)
				goto done;
			for (i = 0; i < l->ndaemons; i++)
				if (l->daemons[i] == pid)
					l->daemons[i] = 0;
		}
	}
done:
	if (WIFEXITED(st))
		status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		status = 128 + WTERMSIG(st);
	if (lab_teardown(l) == -1 && status == 0)
		status = 1;
	_exit(status);
}

/* The child becomes tubes in the client's namespace, pointed at the lab. */
static int
lab_ui(struct lab *l, struct tb_opts *o, char *err, size_t errlen)
{
	lab_child_reset(l);
	l->lock_fd = l->orig_ns_fd = -1;
	if (lab_setns_node("client") == -1) {
		snprintf(err, errlen, "setns %sclient: %s", LAB_PREFIX,
		    strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1 ||
	    getppid() != l->keeper) {
		snprintf(err, errlen, "the lab's keeper is gone");
		return -1;
	}
	if (tb_opts_add_target(o, LAB_URL, err, errlen) != TB_OPTS_RUN)
		return -1;
	if (o->nservers < TB_MAX_SERVERS)
		o->servers[o->nservers++] = LAB_DNS;
	if (o->fetch_count == 0) {
		o->fetch_count = 1;
		o->fetch_concurrency = 1;
		o->fetch_keepalive = 0;
	}
	if (o->is_dump && o->duration_ms == -1)
		o->duration_ms = 3000;
	return 0;
}

/* Signals that would stop the keeper while it builds: held until the
 * lab is up (or torn down). */
static int
lab_pending_signal(void)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	sigset_t		 p;
	size_t			 i;

	if (sigpending(&p) == -1)
		return 0;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&p, sigs[i]))
			return sigs[i];
	return 0;
}

static int
lab_start(struct lab *l, char *err, size_t errlen)
{
	if (lab_build(l, err, errlen) == -1 ||
	    lab_spawn(l, "srv", labd_dns_main, "lab-dns", err,
	    errlen) == -1 ||
	    lab_spawn(l, "srv", labd_http_main, "lab-web", err,
	    errlen) == -1 ||
	    lab_spawn(l, "client", labd_traffic_main, "lab-traffic", err,
	    errlen) == -1)
		return -1;
	return 0;
}

int
lab_enter(struct tb_opts *o, char *err, size_t errlen)
{
	struct lab	*l = &lab_state;
	sigset_t	 block;
	pid_t		 pid;
	int		 sig, rc;

	if (geteuid() != 0) {
		snprintf(err, errlen, "--lab needs root: it builds network "
		    "namespaces (run: sudo tubes --lab)");
		return -1;
	}
	if (lab_find_ip(l->ip_path, sizeof(l->ip_path)) == -1) {
		snprintf(err, errlen, "--lab needs ip from iproute2 "
		    "(apt install iproute2)");
		return -1;
	}
	lab_nobody(l);
	l->keeper = getpid();
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGCHLD);
	(void)sigprocmask(SIG_BLOCK, &block, &l->orig_mask);
	(void)signal(SIGPIPE, SIG_IGN);
	if ((l->orig_ns_fd = open("/proc/self/ns/net", O_RDONLY |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "/proc/self/ns/net: %s",
		    strerror(errno));
		goto fail_mask;
	}
	if ((l->lock_fd = lab_lock(err, errlen)) == -1)
		goto fail_mask;
	if (lab_stale(l, l->lock_fd, err, errlen) == -1)
		goto fail_lock;
	if (dprintf(l->lock_fd, "%ld\n", (long)l->keeper) < 0) {
		snprintf(err, errlen, "%s: %s", LAB_LOCK_PATH, strerror(errno));
		goto fail_lock;
	}
	rc = lab_start(l, err, errlen);
	if ((sig = lab_pending_signal()) != 0) {
		(void)lab_teardown(l);
		_exit(128 + sig);
	}
	if (rc == -1 || (pid = fork()) == -1) {
		if (rc != -1)
			snprintf(err, errlen, "fork: %s", strerror(errno));
		(void)lab_teardown(l);
		goto fail_mask;
	}
	if (pid == 0)
		return lab_ui(l, o, err, errlen);
	l->ui = pid;
	lab_keep(l);

fail_lock:
	(void)close(l->lock_fd);
	l->lock_fd = -1;
fail_mask:
	if (l->orig_ns_fd != -1)
		(void)close(l->orig_ns_fd);
	l->orig_ns_fd = -1;
	(void)sigprocmask(SIG_SETMASK, &l->orig_mask, NULL);
	return -1;
}
