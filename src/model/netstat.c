#include "config.h"

#include "model/netstat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define NETSTAT_MAX_FILE	16384	/* /proc/net/netstat is ~5 KiB */
#define NETSTAT_MAX_SMALL	256	/* a sysctl file */

/* Carve the next line (without its '\n') off b; -1 at the end. */
static int
netstat_next_line(struct tb_buf *b, struct tb_buf *line)
{
	const uint8_t	*nl;
	size_t		 left = tb_buf_left(b), n;

	if (left == 0)
		return -1;
	nl = memchr(tb_buf_cur(b), '\n', left);
	n = nl == NULL ? left : (size_t)(nl - tb_buf_cur(b));
	if (tb_buf_sub(b, n, line) == -1)
		return -1;
	if (nl != NULL)
		(void)tb_buf_skip(b, 1);
	return 0;
}

static int
netstat_is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Next white-space separated token of b as a sub-buffer; -1 at the end. */
static int
netstat_next_token(struct tb_buf *b, struct tb_buf *tok)
{
	size_t	n = 0, left;

	while (tb_buf_left(b) > 0 && netstat_is_space(*tb_buf_cur(b)))
		(void)tb_buf_skip(b, 1);
	left = tb_buf_left(b);
	if (left == 0)
		return -1;
	while (n < left && !netstat_is_space(tb_buf_cur(b)[n]))
		n++;
	return tb_buf_sub(b, n, tok);
}

static int
netstat_token_is(const struct tb_buf *tok, const char *s)
{
	size_t	n = strlen(s);

	return tb_buf_left(tok) == n && memcmp(tb_buf_cur(tok), s, n) == 0;
}

/* Unsigned decimal, no sign, no overflow: 0 or -1. */
static int
netstat_token_u64(struct tb_buf *tok, uint64_t *v)
{
	uint8_t		c;
	uint64_t	x = 0;

	if (tb_buf_left(tok) == 0)
		return -1;
	while (tb_buf_get_u8(tok, &c) == 0) {
		if (c < '0' || c > '9')
			return -1;
		if (x > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(c - '0');
	}
	*v = x;
	return 0;
}

/* A counter a parser keeps: its name in the file, where it goes. */
struct netstat_field {
	const char	*name;
	size_t		 off;		/* of an int64_t in the struct */
};

static const struct netstat_field netstat_tcpext_fields[] = {
	{ "TW", offsetof(struct netstat_tcpext, tw) },
	{ "TCPTimeWaitOverflow", offsetof(struct netstat_tcpext, tw_overflow) },
	{ "TCPAbortOnClose", offsetof(struct netstat_tcpext, abort_on_close) },
	{ NULL, 0 }
};

static const struct netstat_field netstat_snmp_fields[] = {
	{ "CurrEstab", offsetof(struct netstat_snmp, curr_estab) },
	{ "ActiveOpens", offsetof(struct netstat_snmp, active_opens) },
	{ "PassiveOpens", offsetof(struct netstat_snmp, passive_opens) },
	{ "AttemptFails", offsetof(struct netstat_snmp, attempt_fails) },
	{ "EstabResets", offsetof(struct netstat_snmp, estab_resets) },
	{ NULL, 0 }
};

static const struct netstat_field netstat_sockstat_fields[] = {
	{ "inuse", offsetof(struct netstat_sockstat, inuse) },
	{ "orphan", offsetof(struct netstat_sockstat, orphan) },
	{ "tw", offsetof(struct netstat_sockstat, tw) },
	{ "alloc", offsetof(struct netstat_sockstat, alloc) },
	{ "mem", offsetof(struct netstat_sockstat, mem) },
	{ NULL, 0 }
};

static const struct netstat_field netstat_sockstat6_fields[] = {
	{ "inuse", offsetof(struct netstat_sockstat, inuse6) },
	{ NULL, 0 }
};

static void
netstat_clear(const struct netstat_field *f, void *base)
{
	for (; f->name != NULL; f++)
		*(int64_t *)(void *)((char *)base + f->off) = -1;
}

static int
netstat_line_is(const struct tb_buf *line, const char *tag)
{
	struct tb_buf	l = *line, tok;

	return netstat_next_token(&l, &tok) == 0 &&
	    netstat_token_is(&tok, tag);
}

/* Store val under name if the table wants it; junk values leave -1. */
static void
netstat_take(const struct tb_buf *name, struct tb_buf *val,
    const struct netstat_field *f, void *base)
{
	uint64_t	v;

	for (; f->name != NULL; f++)
		if (netstat_token_is(name, f->name))
			break;
	if (f->name == NULL)
		return;
	if (netstat_token_u64(val, &v) == 0 && v <= INT64_MAX)
		*(int64_t *)(void *)((char *)base + f->off) = (int64_t)v;
}

/* Walk the names and values in step; a short value line leaves -1s. */
static void
netstat_pair(struct tb_buf *names, struct tb_buf *vals,
    const struct netstat_field *f, void *base)
{
	struct tb_buf	n, v;

	(void)netstat_next_token(names, &n);	/* "TcpExt:" */
	(void)netstat_next_token(vals, &v);
	while (netstat_next_token(names, &n) == 0 &&
	    netstat_next_token(vals, &v) == 0)
		netstat_take(&n, &v, f, base);
}

/*
 * /proc/net/netstat and /proc/net/snmp: a "Tag:" line of names, then a
 * "Tag:" line of values in the same order.
 */
static int
netstat_parse_table(const char *text, size_t len, const char *tag,
    const struct netstat_field *f, void *base)
{
	struct tb_buf	b, names, vals;

	netstat_clear(f, base);
	tb_buf_init(&b, text, len);
	while (netstat_next_line(&b, &names) == 0) {
		if (!netstat_line_is(&names, tag))
			continue;
		if (netstat_next_line(&b, &vals) == -1 ||
		    !netstat_line_is(&vals, tag))
			return -1;
		netstat_pair(&names, &vals, f, base);
		return 0;
	}
	return -1;
}

/* /proc/net/sockstat: "Tag: name value name value ..." on one line. */
static int
netstat_parse_keyed(const char *text, size_t len, const char *tag,
    const struct netstat_field *f, void *base)
{
	struct tb_buf	b, line, n, v;

	netstat_clear(f, base);
	tb_buf_init(&b, text, len);
	while (netstat_next_line(&b, &line) == 0) {
		if (!netstat_line_is(&line, tag))
			continue;
		(void)netstat_next_token(&line, &n);	/* the tag */
		while (netstat_next_token(&line, &n) == 0 &&
		    netstat_next_token(&line, &v) == 0)
			netstat_take(&n, &v, f, base);
		return 0;
	}
	return -1;
}

int
netstat_parse(const char *text, size_t len, struct netstat_tcpext *nt)
{
	return netstat_parse_table(text, len, "TcpExt:",
	    netstat_tcpext_fields, nt);
}

int
netstat_parse_snmp(const char *text, size_t len, struct netstat_snmp *sn)
{
	return netstat_parse_table(text, len, "Tcp:", netstat_snmp_fields,
	    sn);
}

int
netstat_parse_sockstat(const char *text, size_t len, int is_v6,
    struct netstat_sockstat *ss)
{
	if (is_v6)
		return netstat_parse_keyed(text, len, "TCP6:",
		    netstat_sockstat6_fields, ss);
	return netstat_parse_keyed(text, len, "TCP:",
	    netstat_sockstat_fields, ss);
}

int
netstat_parse_port_range(const char *text, size_t len, uint16_t *lo,
    uint16_t *hi)
{
	struct tb_buf	b, tok;
	uint64_t	l, h;

	tb_buf_init(&b, text, len);
	if (netstat_next_token(&b, &tok) == -1 ||
	    netstat_token_u64(&tok, &l) == -1 ||
	    netstat_next_token(&b, &tok) == -1 ||
	    netstat_token_u64(&tok, &h) == -1)
		return -1;
	if (netstat_next_token(&b, &tok) == 0)
		return -1;
	if (l == 0 || l > h || h > 65535)
		return -1;
	*lo = (uint16_t)l;
	*hi = (uint16_t)h;
	return 0;
}

int
netstat_parse_long(const char *text, size_t len, long *v)
{
	struct tb_buf	b, tok;
	uint64_t	x;
	int		neg = 0;

	tb_buf_init(&b, text, len);
	if (netstat_next_token(&b, &tok) == -1)
		return -1;
	if (tb_buf_left(&tok) > 1 && *tb_buf_cur(&tok) == '-') {
		neg = 1;
		(void)tb_buf_skip(&tok, 1);
	}
	if (netstat_token_u64(&tok, &x) == -1 || x > (uint64_t)LONG_MAX)
		return -1;
	if (netstat_next_token(&b, &tok) == 0)
		return -1;
	*v = neg ? -(long)x : (long)x;
	return 0;
}

/* Read a whole (small) file into buf; returns its length or -1. */
static ssize_t
netstat_slurp(const char *path, char *buf, size_t size)
{
	ssize_t	n;
	size_t	off = 0;
	int	fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (off < size) {
		n = read(fd, buf + off, size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	return (ssize_t)off;
}

int
netstat_read(const char *path, struct netstat_tcpext *nt)
{
	char	buf[NETSTAT_MAX_FILE];
	ssize_t	n;

	netstat_clear(netstat_tcpext_fields, nt);
	if ((n = netstat_slurp(path, buf, sizeof(buf))) == -1)
		return -1;
	if (netstat_parse(buf, (size_t)n, nt) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
netstat_read_snmp(const char *path, struct netstat_snmp *sn)
{
	char	buf[NETSTAT_MAX_FILE];
	ssize_t	n;

	netstat_clear(netstat_snmp_fields, sn);
	if ((n = netstat_slurp(path, buf, sizeof(buf))) == -1)
		return -1;
	if (netstat_parse_snmp(buf, (size_t)n, sn) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
netstat_read_sockstat(const char *path, const char *path6,
    struct netstat_sockstat *ss)
{
	char	buf[NETSTAT_MAX_SMALL * 4];
	ssize_t	n;

	netstat_clear(netstat_sockstat_fields, ss);
	netstat_clear(netstat_sockstat6_fields, ss);
	if ((n = netstat_slurp(path6, buf, sizeof(buf))) != -1)
		(void)netstat_parse_sockstat(buf, (size_t)n, 1, ss);
	if ((n = netstat_slurp(path, buf, sizeof(buf))) == -1)
		return -1;
	if (netstat_parse_sockstat(buf, (size_t)n, 0, ss) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
netstat_read_port_range(const char *path, uint16_t *lo, uint16_t *hi)
{
	char	buf[NETSTAT_MAX_SMALL];
	ssize_t	n;

	if ((n = netstat_slurp(path, buf, sizeof(buf))) == -1)
		return -1;
	if (netstat_parse_port_range(buf, (size_t)n, lo, hi) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
netstat_read_long(const char *path, long *v)
{
	char	buf[NETSTAT_MAX_SMALL];
	ssize_t	n;

	if ((n = netstat_slurp(path, buf, sizeof(buf))) == -1)
		return -1;
	if (netstat_parse_long(buf, (size_t)n, v) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
