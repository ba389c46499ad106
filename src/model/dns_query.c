#include "config.h"

#include "model/dns_query.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/dns_wire.h"
#include "sanitize.h"

#define QUERY_SHOW_MAX	32	/* bytes of a bad type echoed */

int
dns_reverse_name(const char *addr, char *out, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 a[16];
	size_t			 n = 0;
	int			 i;

	if (inet_pton(AF_INET, addr, a) == 1) {
		if (snprintf(out, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]) >= (int)len)
			return -1;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) != 1)
		return -1;
	if (len < 16 * 4 + sizeof("ip6.arpa"))
		return -1;
	for (i = 15; i >= 0; i--) {
		out[n++] = hex[a[i] & 0xf];
		out[n++] = '.';
		out[n++] = hex[a[i] >> 4];
		out[n++] = '.';
	}
	memcpy(out + n, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/* The type after the last '/', or A; -1 with err if unknown. */
static int
query_type(const char *arg, size_t *namelen, uint16_t *type, int *has_type,
    char *err, size_t errlen)
{
	const char	*slash = strrchr(arg, '/');
	char		 show[QUERY_SHOW_MAX * 4 + 8];
	int		 t;

	*has_type = 0;
	*type = DNS_T_A;
	*namelen = strlen(arg);
	if (slash == NULL)
		return 0;
	*namelen = (size_t)(slash - arg);
	if ((t = dns_type_from_name(slash + 1)) == -1) {
		tb_sanitize(show, sizeof(show), slash + 1, strlen(slash + 1),
		    QUERY_SHOW_MAX, TB_SAN_UTF8);
		snprintf(err, errlen, "unknown type '%s' (A, AAAA, CNAME, MX, "
		    "TXT, NS, SOA, PTR, SRV, CAA or TYPEnnn)", show);
		return -1;
	}
	*type = (uint16_t)t;
	*has_type = 1;
	return 0;
}

static int
query_parse(const char *arg, char *name, size_t namelen, uint16_t *type,
    char *err, size_t errlen)
{
	size_t	n;
	int	has_type;

	if (query_type(arg, &n, type, &has_type, err, errlen) == -1)
		return -1;
	if (n == 0) {
		snprintf(err, errlen, "empty name");
		return -1;
	}
	if (n >= namelen) {
		snprintf(err, errlen, "name is longer than 253 characters");
		return -1;
	}
	memcpy(name, arg, n);
	name[n] = '\0';
	if (!has_type || *type == DNS_T_PTR) {
		char	rev[DNS_QUERY_NAMELEN];

		if (dns_reverse_name(name, rev, sizeof(rev)) == 0) {
			if (strlen(rev) >= namelen) {
				snprintf(err, errlen, "no room for the "
				    "reverse name");
				return -1;
			}
			memcpy(name, rev, strlen(rev) + 1);
			*type = DNS_T_PTR;
		}
	}
	return dns_name_check(name, err, errlen);
}

int
dns_query_parse(const char *arg, char *name, size_t namelen, uint16_t *type,
    char *err, size_t errlen)
{
	char	why[400], show[QUERY_SHOW_MAX * 8 + 8];

	if (query_parse(arg, name, namelen, type, why, sizeof(why)) == 0)
		return 0;
	tb_sanitize(show, sizeof(show), arg, strlen(arg), QUERY_SHOW_MAX * 2,
	    TB_SAN_UTF8);
	snprintf(err, errlen, "%s: %s", show, why);
	return -1;
}

void
dns_server_format(int family, const void *addr, uint16_t port, char *out,
    size_t len)
{
	char	a[INET6_ADDRSTRLEN];

	if (inet_ntop(family, addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	if (family == AF_INET6)
		snprintf(out, len, "[%s]:%u", a, port);
	else
		snprintf(out, len, "%s:%u", a, port);
}

/*
 * Cut "%SCOPE" off an IPv6 host and resolve it to an interface index
 * (a name, or a number of an existing interface).
 */
static int
server_scope(char *host, struct dns_server_addr *out)
{
	char		*pct, name[IF_NAMESIZE];
	unsigned long	 v;
	char		*end;

	if ((pct = strchr(host, '%')) == NULL)
		return 0;
	*pct++ = '\0';
	if (*pct == '\0' || strlen(pct) >= IF_NAMESIZE)
		return -1;
	if (*pct >= '0' && *pct <= '9') {
		v = strtoul(pct, &end, 10);
		if (*end != '\0' || v == 0 || v > UINT32_MAX ||
		    if_indextoname((unsigned)v, name) == NULL)
			return -1;
		out->scope_id = (uint32_t)v;
	} else if ((out->scope_id = if_nametoindex(pct)) == 0)
		return -1;
	return 0;
}

static void
server_format_scoped(struct dns_server_addr *a)
{
	char	ip[INET6_ADDRSTRLEN], name[IF_NAMESIZE];

	if (a->scope_id == 0) {
		dns_server_format(a->family, a->addr, a->port, a->str,
		    sizeof(a->str));
		return;
	}
	if (inet_ntop(AF_INET6, a->addr, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	if (if_indextoname(a->scope_id, name) == NULL)
		snprintf(name, sizeof(name), "%u", (unsigned)a->scope_id);
	snprintf(a->str, sizeof(a->str), "[%s%%%s]:%u", ip, name, a->port);
}

/* Decimal port 1..65535 in s; -1 if not. */
static int
server_port(const char *s, uint16_t *port)
{
	unsigned long	v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
dns_server_parse(const char *s, struct dns_server_addr *out)
{
	char		 host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char	*end, *colon;
	size_t		 n;

	memset(out, 0, sizeof(*out));
	out->port = 53;
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL ||
		    (n = (size_t)(end - s - 1)) == 0 || n >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (end[1] != '\0' && (end[1] != ':' ||
		    server_port(end + 2, &out->port) == -1))
			return -1;
		out->family = AF_INET6;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') != NULL) {
		if (strlen(s) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%s", s);	/* bare IPv6 */
		out->family = AF_INET6;
	} else {
		n = colon == NULL ? strlen(s) : (size_t)(colon - s);
		if (n == 0 || n >= sizeof(host))
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		if (colon != NULL && server_port(colon + 1, &out->port) == -1)
			return -1;
		out->family = AF_INET;
	}
	if (out->family == AF_INET6 && server_scope(host, out) == -1)
		return -1;
	if (inet_pton(out->family, host, out->addr) != 1)
		return -1;
	server_format_scoped(out);
	return 0;
}

int
dns_search_applies(const char *name, unsigned ndots)
{
	size_t		i;
	unsigned	dots = 0;
	int		is_dot = 0;	/* the last character, unescaped */

	for (i = 0; name[i] != '\0'; i++) {
		is_dot = 0;
		if (name[i] == '\\') {
			if (name[i + 1] == '\0')
				break;
			i++;
		} else if (name[i] == '.') {
			dots++;
			is_dot = 1;
		}
	}
	return i > 0 && !is_dot && dots < ndots;
}

int
dns_search_join(const char *name, const char *domain, char *out, size_t len)
{
	int	n;

	n = snprintf(out, len, "%s.%s", name, domain);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
