/*
 * What a DNS lookup is made of before it is sent, as pure functions (no
 * c-ares, no I/O): "NAME[/TYPE]" as typed on the command line or at the
 * TUI prompt, reverse names for addresses, server addresses, and the
 * resolver's search-list rule.
 */
#ifndef TUBES_MODEL_DNS_QUERY_H
#define TUBES_MODEL_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define DNS_QUERY_NAMELEN	1025	/* typed names: \DDD escapes fit */

/*
 * "www.lab.test", "lab.test/MX", "x/TYPE65", "192.0.2.1" (a PTR lookup of
 * 1.2.0.192.in-addr.arpa), "2001:db8::1/PTR".  Without /TYPE a name is
 * asked for A.  0, or -1 with err naming the argument (sanitized) and
 * the problem: "a..b: empty label at offset 2", "x/FOO: unknown type
 * 'FOO' (...)".
 */
int	dns_query_parse(const char *arg, char *name, size_t namelen,
	    uint16_t *type, char *err, size_t errlen);

/* "1.2.0.192.in-addr.arpa" / nibbles ".ip6.arpa"; -1 if not an address. */
int	dns_reverse_name(const char *addr, char *out, size_t len);

struct dns_server_addr {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];
	uint16_t	 port;
	uint32_t	 scope_id;	/* IPv6 link-local: the interface */
	char		 str[72];	/* "127.0.0.1:53", "[::1]:5353",
					   "[fe80::1%eth0]:53" */
};

/*
 * "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address; port
 * 53 unless given.  An IPv6 address may name its interface ("%eth0" or
 * "%2"), as link-local servers need.  0, or -1 if s is not one of those
 * (or names no interface here).
 */
int	dns_server_parse(const char *s, struct dns_server_addr *out);
/* The canonical string for family/addr/port into out (56 bytes). */
void	dns_server_format(int family, const void *addr, uint16_t port,
	    char *out, size_t len);

/*
 * The resolver's rule: a name with fewer than ndots dots (escaped "\."
 * does not count) and no trailing dot is tried with each search domain,
 * then as is.  1 if the search list applies.
 */
int	dns_search_applies(const char *name, unsigned ndots);
/* name "." domain into out; -1 if it does not fit. */
int	dns_search_join(const char *name, const char *domain, char *out,
	    size_t len);

#endif
