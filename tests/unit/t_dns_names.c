/* The address -> name table: reverse names, the bound, rows, and the
 * engine's hook (passive answers built by hand, nothing sent). */
#include "config.h"

#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/dns.h"
#include "model/dns_wire.h"
#include "tap.h"

static void
t_reverse(void)
{
	uint8_t	a[16], want[16];
	int	fam = 0;

	ok(dns_names_parse_reverse("10.2.0.192.in-addr.arpa", &fam, a) == 0 &&
	    fam == AF_INET && a[0] == 192 && a[1] == 0 && a[2] == 2 &&
	    a[3] == 10, "in-addr.arpa");
	ok(dns_names_parse_reverse("10.2.0.192.IN-ADDR.ARPA.", &fam, a) == 0,
	    "case and trailing dot");
	inet_pton(AF_INET6, "2001:db8::1", want);
	ok(dns_names_parse_reverse("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", &fam, a) == 0 &&
	    fam == AF_INET6 && memcmp(a, want, 16) == 0, "ip6.arpa");
	ok(dns_names_parse_reverse("2.0.192.in-addr.arpa", &fam, a) == -1,
	    "three labels refused");
	ok(dns_names_parse_reverse("256.2.0.192.in-addr.arpa", &fam, a) == -1,
	    "256 refused");
	ok(dns_names_parse_reverse("01.2.0.192.in-addr.arpa", &fam, a) == -1,
	    "leading zero refused");
	ok(dns_names_parse_reverse("x.2.0.192.in-addr.arpa", &fam, a) == -1,
	    "letters refused");
	ok(dns_names_parse_reverse("1.0.ip6.arpa", &fam, a) == -1,
	    "short ip6.arpa refused");
	ok(dns_names_parse_reverse("in-addr.arpa", &fam, a) == -1,
	    "bare suffix refused");
	ok(dns_names_parse_reverse("www.lab.test", &fam, a) == -1,
	    "a forward name refused");
}

static void
v4(uint8_t *a, uint32_t n)
{
	a[0] = 10;
	a[1] = (uint8_t)(n >> 16);
	a[2] = (uint8_t)(n >> 8);
	a[3] = (uint8_t)n;
}

static void
t_table(void)
{
	struct dns_names	*t = dns_names_new();
	uint8_t			 a[16] = { 0 }, b[16];
	char			 name[64], longname[DNS_NAMES_NAMELEN + 8];
	uint32_t		 i, nmissing = 0, nwrong = 0;

	v4(a, 1);
	ok(dns_names_find(t, AF_INET, a) == NULL, "empty table");
	ok(dns_names_add(t, AF_INET, a, "one.test", 0) == 0, "add");
	is_str(dns_names_find(t, AF_INET, a), "one.test", "found");
	ok(dns_names_find(t, AF_INET6, a) == NULL, "family is part of key");
	ok(dns_names_add(t, AF_INET, a, "uno.test", 0) == 0, "renamed");
	is_str(dns_names_find(t, AF_INET, a), "uno.test", "newest name wins");
	is_int(dns_names_count(t), 1, "one entry");
	{
		uint64_t	g = dns_names_generation(t);

		dns_names_add(t, AF_INET, a, "uno.test", 0);
		is_int(dns_names_generation(t), g,
		    "the same name again: no new generation");
		dns_names_add(t, AF_INET, a, "un.test", 0);
		ok(dns_names_generation(t) != g, "a new name: a new generation");
		dns_names_add(t, AF_INET, a, "uno.test", 0);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	v4(a, 2);
	ok(dns_names_add(t, AF_INET, a, longname, 0) == -1 &&
	    dns_names_find(t, AF_INET, a) == NULL, "over-long name not kept");
	ok(dns_names_add(t, AF_INET, a, "", 0) == -1, "empty name not kept");
	ok(dns_names_add(t, 99, a, "x", 0) == -1, "bad family refused");

	/* The bound: DNS_NAMES_MAX + 100 addresses, the first 100 go. */
	for (i = 0; i < DNS_NAMES_MAX + 100; i++) {
		v4(a, 1000 + i);
		snprintf(name, sizeof(name), "h%u.test", i);
		dns_names_add(t, AF_INET, a, name, 0);
	}
	is_int(dns_names_count(t), DNS_NAMES_MAX, "count capped");
	ok(dns_names_nforgotten(t) >= 100, "evictions counted");
	for (i = 0; i < DNS_NAMES_MAX + 100; i++) {
		const char	*got;

		v4(a, 1000 + i);
		snprintf(name, sizeof(name), "h%u.test", i);
		got = dns_names_find(t, AF_INET, a);
		if (i < 100 && got != NULL)
			nwrong++;
		else if (i >= 100 && got == NULL)
			nmissing++;
		else if (got != NULL && strcmp(got, name) != 0)
			nwrong++;
	}
	is_int(nwrong, 0, "the oldest were forgotten, the rest exact");
	is_int(nmissing, 0, "the newest DNS_NAMES_MAX are all there");

	/* Learning an old address again makes it the newest. */
	v4(a, 1000 + 100);
	dns_names_add(t, AF_INET, a, "again.test", 0);
	v4(b, 999999);
	dns_names_add(t, AF_INET, b, "new.test", 0);
	is_str(dns_names_find(t, AF_INET, a), "again.test",
	    "relearned survives the next eviction");
	v4(a, 1000 + 101);
	ok(dns_names_find(t, AF_INET, a) == NULL, "the next oldest went");
	ok(dns_names_count(t) <= DNS_NAMES_MAX, "still capped");
	dns_names_free(t);
}

static void
t_row(void)
{
	struct dns_names	*t = dns_names_new();
	struct dns_answer	 ans[3];
	const char		*chain[2] = { "www.lab.test", "web.lab.test" };
	struct dns_row		 r;
	uint8_t			 a[16];

	memset(&r, 0, sizeof(r));
	memset(ans, 0, sizeof(ans));
	ans[0] = (struct dns_answer){ "www.lab.test", DNS_T_CNAME, "CNAME",
	    300, "web.lab.test" };
	ans[1] = (struct dns_answer){ "web.lab.test", DNS_T_A, "A", 300,
	    "198.51.100.10" };
	ans[2] = (struct dns_answer){ "web.lab.test", DNS_T_AAAA, "AAAA", 300,
	    "2001:db8::10" };
	r.name = r.qname = "www.lab.test";
	r.type = DNS_T_A;
	r.rcode = 0;
	r.answers = ans;
	r.nanswers = 3;
	r.cname_chain = chain;
	r.ncname = 2;
	dns_names_add_row(t, &r);
	inet_pton(AF_INET, "198.51.100.10", a);
	is_str(dns_names_find(t, AF_INET, a), "www.lab.test",
	    "A: the name asked, not the alias' target");
	inet_pton(AF_INET6, "2001:db8::10", a);
	is_str(dns_names_find(t, AF_INET6, a), "www.lab.test", "AAAA too");

	memset(&r, 0, sizeof(r));
	ans[0] = (struct dns_answer){ "7.0.0.10.in-addr.arpa", DNS_T_PTR,
	    "PTR", 60, "router.lab.test" };
	r.name = r.qname = "7.0.0.10.in-addr.arpa";
	r.type = DNS_T_PTR;
	r.answers = ans;
	r.nanswers = 1;
	dns_names_add_row(t, &r);
	inet_pton(AF_INET, "10.0.0.7", a);
	is_str(dns_names_find(t, AF_INET, a), "router.lab.test", "PTR");
	inet_pton(AF_INET, "198.51.100.10", a);
	ok(dns_names_add(t, AF_INET, a, "web-10.lab.test", 1) == 0,
	    "a PTR for a named address");
	is_str(dns_names_find(t, AF_INET, a), "www.lab.test",
	    "the forward name stays");
	inet_pton(AF_INET, "10.0.0.7", a);
	ok(dns_names_add(t, AF_INET, a, "fwd.lab.test", 0) == 0 &&
	    strcmp(dns_names_find(t, AF_INET, a), "fwd.lab.test") == 0,
	    "a forward name replaces a PTR name");
	ok(dns_names_add(t, AF_INET, a, "router.lab.test", 1) == 0 &&
	    strcmp(dns_names_find(t, AF_INET, a), "fwd.lab.test") == 0,
	    "and a PTR does not take it back");
	inet_pton(AF_INET, "10.0.0.7", a);

	r.rcode = 3;
	ans[0].data = "other.lab.test";
	dns_names_add_row(t, &r);
	is_str(dns_names_find(t, AF_INET, a), "fwd.lab.test",
	    "NXDOMAIN rows teach nothing");
	dns_names_free(t);
}

/* A response: header, one question, one answer of type/rdata. */
static size_t
msg_build(uint8_t *m, const char *qname, uint16_t type, const uint8_t *rd,
    size_t rdlen)
{
	size_t		 n = 12;
	const char	*s = qname, *dot;
	size_t		 len;

	memset(m, 0, 12);
	m[0] = 0x12;
	m[1] = 0x34;
	m[2] = 0x81;	/* QR RD */
	m[3] = 0x80;	/* RA, NOERROR */
	m[5] = 1;	/* qdcount */
	m[7] = 1;	/* ancount */
	for (;;) {
		dot = strchr(s, '.');
		len = dot != NULL ? (size_t)(dot - s) : strlen(s);
		m[n++] = (uint8_t)len;
		memcpy(m + n, s, len);
		n += len;
		if (dot == NULL)
			break;
		s = dot + 1;
	}
	m[n++] = 0;
	m[n++] = 0;
	m[n++] = (uint8_t)type;
	m[n++] = 0;
	m[n++] = 1;
	m[n++] = 0xc0;	/* the question's name */
	m[n++] = 12;
	m[n++] = 0;
	m[n++] = (uint8_t)type;
	m[n++] = 0;
	m[n++] = 1;
	m[n++] = 0;
	m[n++] = 0;
	m[n++] = 0x0e;
	m[n++] = 0x10;	/* ttl 3600 */
	m[n++] = 0;
	m[n++] = (uint8_t)rdlen;
	memcpy(m + n, rd, rdlen);
	return n + rdlen;
}

static void
t_engine(void)
{
	static const char *const servers[] = { "127.0.0.1:9" };
	static const uint8_t	 ip[4] = { 192, 0, 2, 44 };
	static const uint8_t	 ptr[] = { 4, 'n', 'a', 'm', 'e', 4, 't',
				    'e', 's', 't', 0 };
	struct dns_conf		 conf;
	struct dns		*d;
	uint8_t			 m[512];
	char			 err[256];
	size_t			 n;

	memset(&conf, 0, sizeof(conf));
	conf.servers = servers;
	conf.nservers = 1;
	conf.resolv_conf = "/dev/null";
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL) {
		ok(0, "dns_new: %s", err);
		return;
	}
	ok(dns_names(d) != NULL, "the engine has a table");
	ok(dns_name_of(d, "192.0.2.44") == NULL, "nothing known yet");
	n = msg_build(m, "api.example.test", DNS_T_A, ip, sizeof(ip));
	dns_passive_add(d, "10.0.0.1:5353", "10.0.0.53:53", m, n, 1.5);
	is_str(dns_name_of(d, "192.0.2.44"), "api.example.test",
	    "a passive A answer names its address");
	n = msg_build(m, "9.2.0.192.in-addr.arpa", DNS_T_PTR, ptr,
	    sizeof(ptr));
	dns_passive_add(d, "10.0.0.1:5353", "10.0.0.53:53", m, n, -1);
	is_str(dns_name_of(d, "192.0.2.9"), "name.test",
	    "a passive PTR answer names its address");
	ok(dns_name_of(d, "not an address") == NULL, "not an address");
	ok(dns_name_of(d, "[192.0.2.44") != NULL, "brackets stripped");
	ok(dns_name_of(NULL, "192.0.2.44") == NULL, "no engine");
	dns_free(d);
}

int
main(void)
{
	t_reverse();
	t_table();
	t_row();
	t_engine();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
