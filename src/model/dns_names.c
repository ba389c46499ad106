/*
 * Address -> name, as DNS gave it: the labels every pane puts on the
 * addresses it shows.  A fixed ring of DNS_NAMES_MAX entries in the
 * order they were learned, with a chained hash over it: learning an
 * address the ring already holds unlinks the old entry (its slot stays
 * empty until the ring comes round), so the oldest name is always the
 * next one forgotten and memory never grows past the ring.
 */
#include "config.h"

#include "model/dns.h"

#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "model/dns_wire.h"

#define DN_NBUCKETS	8192	/* a power of two, twice the ring */
#define DN_NONE		UINT32_MAX

struct dn_entry {
	uint8_t		 addr[16];
	uint8_t		 family;	/* 0: empty slot */
	uint8_t		 is_reverse;	/* from a PTR answer */
	uint32_t	 hnext;		/* next in the bucket, DN_NONE */
	char		 name[DNS_NAMES_NAMELEN];
};

struct dns_names {
	struct dn_entry	 ring[DNS_NAMES_MAX];
	uint32_t	 bucket[DN_NBUCKETS];
	uint32_t	 next;		/* the slot the next name takes */
	size_t		 count;
	uint64_t	 nforgotten;
	uint64_t	 generation;
};

static size_t
dn_addrlen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* FNV-1a over the family and the address bytes. */
static uint32_t
dn_hash(int family, const uint8_t *addr)
{
	uint32_t	h = 2166136261U;
	size_t		i, n = dn_addrlen(family);

	h = (h ^ (uint8_t)family) * 16777619U;
	for (i = 0; i < n; i++)
		h = (h ^ addr[i]) * 16777619U;
	return h & (DN_NBUCKETS - 1);
}

struct dns_names *
dns_names_new(void)
{
	struct dns_names	*t;
	size_t			 i;

	t = xcalloc(1, sizeof(*t));
	for (i = 0; i < DN_NBUCKETS; i++)
		t->bucket[i] = DN_NONE;
	return t;
}

void
dns_names_free(struct dns_names *t)
{
	free(t);
}

static uint32_t
dn_find(const struct dns_names *t, int family, const uint8_t *addr)
{
	uint32_t	i;
	unsigned	guard = 0;

	for (i = t->bucket[dn_hash(family, addr)]; i != DN_NONE &&
	    guard++ < DNS_NAMES_MAX; i = t->ring[i].hnext)
		if (t->ring[i].family == family && memcmp(t->ring[i].addr,
		    addr, dn_addrlen(family)) == 0)
			return i;
	return DN_NONE;
}

/* Take slot i out of its bucket and empty it. */
static void
dn_unlink(struct dns_names *t, uint32_t i)
{
	struct dn_entry	*e = &t->ring[i];
	uint32_t	*pp;
	unsigned	 guard = 0;

	if (e->family == 0)
		return;
	for (pp = &t->bucket[dn_hash(e->family, e->addr)]; *pp != DN_NONE &&
	    guard++ < DNS_NAMES_MAX; pp = &t->ring[*pp].hnext)
		if (*pp == i) {
			*pp = e->hnext;
			break;
		}
	e->family = 0;
	t->count--;
}

int
dns_names_add(struct dns_names *t, int family, const uint8_t *addr,
    const char *name, int is_reverse)
{
	struct dn_entry	*e;
	uint32_t	 i, h;
	size_t		 n;

	if (t == NULL || addr == NULL || name == NULL ||
	    (family != AF_INET && family != AF_INET6))
		return -1;
	n = strlen(name);
	if (n == 0 || n >= DNS_NAMES_NAMELEN)
		return -1;
	if ((i = dn_find(t, family, addr)) != DN_NONE) {
		/* Same answer again (a re-query): nothing to learn. */
		if (strcmp(t->ring[i].name, name) == 0 &&
		    t->ring[i].is_reverse == !!is_reverse)
			return 0;
		if (is_reverse && !t->ring[i].is_reverse)
			return 0;	/* the forward name stays */
		dn_unlink(t, i);
	}
	i = t->next;
	t->next = (t->next + 1) % DNS_NAMES_MAX;
	if (t->ring[i].family != 0) {
		dn_unlink(t, i);
		t->nforgotten++;
	}
	e = &t->ring[i];
	memset(e->addr, 0, sizeof(e->addr));
	memcpy(e->addr, addr, dn_addrlen(family));
	e->family = (uint8_t)family;
	e->is_reverse = is_reverse != 0;
	memcpy(e->name, name, n + 1);
	h = dn_hash(family, addr);
	e->hnext = t->bucket[h];
	t->bucket[h] = i;
	t->count++;
	t->generation++;
	return 0;
}

const char *
dns_names_find(const struct dns_names *t, int family, const uint8_t *addr)
{
	uint32_t	i;

	if (t == NULL || addr == NULL ||
	    (family != AF_INET && family != AF_INET6))
		return NULL;
	i = dn_find(t, family, addr);
	return i != DN_NONE ? t->ring[i].name : NULL;
}

size_t
dns_names_count(const struct dns_names *t)
{
	return t != NULL ? t->count : 0;
}

uint64_t
dns_names_nforgotten(const struct dns_names *t)
{
	return t != NULL ? t->nforgotten : 0;
}

uint64_t
dns_names_generation(const struct dns_names *t)
{
	return t != NULL ? t->generation : 0;
}

/* A decimal label 0-255 of exactly len bytes. */
static int
dn_octet(const char *s, size_t len)
{
	unsigned	v = 0;
	size_t		i;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= 255 ? (int)v : -1;
}

static int
dn_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Labels of s before the suffix, least significant first. */
static int
dn_parse_v4(const char *s, size_t len, uint8_t addr[16])
{
	const char	*dot;
	size_t		 k;
	int		 v;

	for (k = 0; k < 4; k++) {
		dot = memchr(s, '.', len);
		if ((k < 3) != (dot != NULL))
			return -1;
		if ((v = dn_octet(s, dot != NULL ? (size_t)(dot - s) :
		    len)) == -1)
			return -1;
		addr[3 - k] = (uint8_t)v;
		if (dot != NULL) {
			len -= (size_t)(dot - s) + 1;
			s = dot + 1;
		}
	}
	return 0;
}

static int
dn_parse_v6(const char *s, size_t len, uint8_t addr[16])
{
	size_t	k;
	int	v;

	/* 32 one-nibble labels: "x." 31 times, then "x". */
	if (len != 63)
		return -1;
	memset(addr, 0, 16);
	for (k = 0; k < 32; k++) {
		if ((v = dn_nibble(s[2 * k])) == -1 ||
		    (k < 31 && s[2 * k + 1] != '.'))
			return -1;
		addr[15 - k / 2] |= (uint8_t)(k % 2 == 0 ? v : v << 4);
	}
	return 0;
}

static int
dn_has_suffix(const char *s, size_t len, const char *suf, size_t *head)
{
	size_t	n = strlen(suf);

	if (len <= n || strncasecmp(s + len - n, suf, n) != 0)
		return 0;
	*head = len - n;
	return 1;
}

int
dns_names_parse_reverse(const char *name, int *family, uint8_t addr[16])
{
	size_t	len, head;

	if (name == NULL)
		return -1;
	len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len > 128)
		return -1;
	if (dn_has_suffix(name, len, ".in-addr.arpa", &head)) {
		*family = AF_INET;
		return dn_parse_v4(name, head, addr);
	}
	if (dn_has_suffix(name, len, ".ip6.arpa", &head)) {
		*family = AF_INET6;
		return dn_parse_v6(name, head, addr);
	}
	return -1;
}

/* The name an answer's address was asked by. */
static const char *
dn_asked(const struct dns_row *r, const struct dns_answer *a)
{
	if (r->ncname > 0 && r->cname_chain != NULL &&
	    r->cname_chain[0] != NULL)
		return r->cname_chain[0];
	return a->name != NULL ? a->name : r->qname;
}

void
dns_names_add_row(struct dns_names *t, const struct dns_row *r)
{
	const struct dns_answer	*a;
	const char		*owner;
	uint8_t			 addr[16];
	size_t			 i, n;
	int			 family;

	if (t == NULL || r == NULL || r->rcode != 0 || r->answers == NULL)
		return;
	n = r->nanswers < DNS_MAX_ANSWERS ? r->nanswers : DNS_MAX_ANSWERS;
	for (i = 0; i < n; i++) {
		a = &r->answers[i];
		if (a->data == NULL)
			continue;
		if (a->type == DNS_T_A && inet_pton(AF_INET, a->data,
		    addr) == 1)
			dns_names_add(t, AF_INET, addr, dn_asked(r, a), 0);
		else if (a->type == DNS_T_AAAA && inet_pton(AF_INET6,
		    a->data, addr) == 1)
			dns_names_add(t, AF_INET6, addr, dn_asked(r, a), 0);
		else if (a->type == DNS_T_PTR) {
			owner = dn_asked(r, a);
			if (dns_names_parse_reverse(owner, &family,
			    addr) == 0)
				dns_names_add(t, family, addr, a->data, 1);
		}
	}
}

const char *
dns_name_of(const struct dns *d, const char *address)
{
	char		buf[INET6_ADDRSTRLEN + 8];
	uint8_t		addr[16];
	size_t		n;

	if (d == NULL || address == NULL)
		return NULL;
	if (address[0] == '[') {
		address++;
		n = strcspn(address, "]");
	} else
		n = strlen(address);
	if (n == 0 || n >= sizeof(buf))
		return NULL;
	memcpy(buf, address, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		return dns_names_find(dns_names(d), AF_INET, addr);
	if (inet_pton(AF_INET6, buf, addr) == 1)
		return dns_names_find(dns_names(d), AF_INET6, addr);
	return NULL;
}
