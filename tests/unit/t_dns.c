/* The DNS model's pure parts (dns_query) and its engine against a tiny
 * in-process responder on loopback. */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "model/dns.h"
#include "model/dns_query.h"
#include "model/dns_wire.h"
#include "tap.h"

static void
t_parse(void)
{
	char		name[DNS_QUERY_NAMELEN], err[160];
	uint16_t	type;

	ok(dns_query_parse("www.lab.test", name, sizeof(name), &type, err,
	    sizeof(err)) == 0, "plain name");
	is_str(name, "www.lab.test", "name kept");
	is_int(type, DNS_T_A, "A by default");
	ok(dns_query_parse("lab.test/mx", name, sizeof(name), &type, err,
	    sizeof(err)) == 0 && type == DNS_T_MX, "/mx");
	is_str(name, "lab.test", "name before the type");
	ok(dns_query_parse("x.test/TYPE65", name, sizeof(name), &type, err,
	    sizeof(err)) == 0 && type == 65, "TYPE65");
	ok(dns_query_parse("192.0.2.1", name, sizeof(name), &type, err,
	    sizeof(err)) == 0 && type == DNS_T_PTR, "address: PTR");
	is_str(name, "1.2.0.192.in-addr.arpa", "reverse v4");
	ok(dns_query_parse("2001:db8::1/PTR", name, sizeof(name), &type, err,
	    sizeof(err)) == 0 && type == DNS_T_PTR, "v6 /PTR");
	is_str(name, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0."
	    "1.0.0.2.ip6.arpa", "reverse v6");
	ok(dns_query_parse("192.0.2.1/A", name, sizeof(name), &type, err,
	    sizeof(err)) == 0 && type == DNS_T_A, "address with /A asked as is");
	ok(dns_query_parse("a..b", name, sizeof(name), &type, err,
	    sizeof(err)) == -1, "a..b refused");
	is_str(err, "a..b: empty label at offset 2", "a..b: why");
	ok(dns_query_parse("www/FOO", name, sizeof(name), &type, err,
	    sizeof(err)) == -1 && strstr(err, "unknown type 'FOO'") != NULL,
	    "unknown type named");
	ok(dns_query_parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaa.test", name, sizeof(name), &type, err,
	    sizeof(err)) == -1 && strstr(err, "63") != NULL, "label > 63");
	ok(dns_query_parse("/A", name, sizeof(name), &type, err,
	    sizeof(err)) == -1, "empty name refused");
}

static void
t_server(void)
{
	struct dns_server_addr	a;
	char			num[64];

	ok(dns_server_parse("127.0.0.1", &a) == 0, "v4");
	is_str(a.str, "127.0.0.1:53", "v4 default port");
	ok(dns_server_parse("127.0.0.1:5353", &a) == 0 && a.port == 5353,
	    "v4 port");
	ok(dns_server_parse("[::1]:5353", &a) == 0, "[v6]:port");
	is_str(a.str, "[::1]:5353", "v6 string");
	ok(dns_server_parse("2001:db8::53", &a) == 0 && a.port == 53,
	    "bare v6");
	ok(dns_server_parse("[::1]", &a) == 0 && a.port == 53, "[v6]");
	ok(dns_server_parse("ns.lab.test", &a) == -1, "names refused");
	ok(dns_server_parse("1.2.3.4:0", &a) == -1, "port 0 refused");
	ok(dns_server_parse("1.2.3.4:65536", &a) == -1, "port too big");
	ok(dns_server_parse("1.2.3.4:", &a) == -1, "empty port");
	ok(dns_server_parse("[::1]x", &a) == -1, "junk after ]");
	ok(dns_server_parse("", &a) == -1, "empty");
	ok(dns_server_parse("[1.2.3.4]:53", &a) == -1, "v4 in brackets");

	/* Link-local servers name their interface; lo exists everywhere. */
	ok(dns_server_parse("[fe80::53%lo]:5353", &a) == 0 &&
	    a.scope_id == if_nametoindex("lo") && a.port == 5353, "%%scope");
	is_str(a.str, "[fe80::53%lo]:5353", "scoped v6 string");
	ok(dns_server_parse("fe80::53%lo", &a) == 0 && a.scope_id != 0,
	    "bare scoped v6");
	snprintf(num, sizeof(num), "[fe80::53%%%u]", if_nametoindex("lo"));
	ok(dns_server_parse(num, &a) == 0 && a.scope_id ==
	    if_nametoindex("lo"), "numeric scope");
	is_str(a.str, "[fe80::53%lo]:53", "numeric scope shown by name");
	ok(dns_server_parse("[fe80::53%no-such-if0]", &a) == -1,
	    "unknown interface refused");
	ok(dns_server_parse("[fe80::53%]", &a) == -1, "empty scope refused");
	ok(dns_server_parse("127.0.0.1%lo", &a) == -1, "no scope for v4");
	ok(dns_server_parse("[fe80::53%lo%lo]", &a) == -1, "one scope");
}

/* resolv.conf's link-local nameserver keeps its interface. */
static void
t_resolv_scoped(void)
{
	static const char	 text[] = "nameserver 127.0.0.1\n"
	    "nameserver fe80::53%lo\n  nameserver   ::1 # comment\n";
	struct dns_conf		 conf;
	struct dns		*d;
	char			 err[256], resolv[] = "/tmp/t_dns.XXXXXX";
	size_t			 i, nscoped = 0;
	int			 fd;

	if ((fd = mkstemp(resolv)) == -1 ||
	    write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1) {
		ok(0, "resolv.conf");
		return;
	}
	close(fd);
	memset(&conf, 0, sizeof(conf));
	conf.resolv_conf = resolv;
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL) {
		ok(0, "dns_new: %s", err);
		unlink(resolv);
		return;
	}
	for (i = 0; i < dns_nservers(d); i++)
		if (strcmp(dns_server_at(d, i), "[fe80::53%lo]:53") == 0)
			nscoped++;
	is_int(nscoped, 1, "the link-local server once, with its scope");
	is_int(dns_nservers(d), 3, "three servers");
	dns_free(d);
	unlink(resolv);
}

static void
t_search(void)
{
	char	out[64];

	ok(dns_search_applies("www", 1), "no dot, ndots 1");
	ok(!dns_search_applies("www.lab", 1), "one dot, ndots 1");
	ok(dns_search_applies("www.lab", 2), "one dot, ndots 2");
	ok(!dns_search_applies("www.", 1), "trailing dot");
	ok(dns_search_applies("a\\.b", 1), "escaped dot does not count");
	ok(dns_search_applies("a\\.", 1), "escaped trailing dot");
	ok(!dns_search_applies("", 1), "empty");
	ok(dns_search_join("www", "lab.test", out, sizeof(out)) == 0,
	    "join");
	is_str(out, "www.lab.test", "joined");
	ok(dns_search_join("www", "lab.test", out, 8) == -1, "join too long");
}

/* --- the engine against a loopback responder ------------------------ */

struct responder {
	int		 fd, tcp_fd;
	unsigned	 ntcp;
	unsigned	 nqueries;
	int		 is_silent;	/* never answers */
};

/*
 * Answer *.lab.test with 198.51.100.10, TTL 300, AA; TXT with an 804-byte
 * string set (more than 512 bytes over UDP); tc.lab.test over UDP with
 * the TC bit and nothing else (the TXT set comes over TCP); sf.lab.test
 * SERVFAIL; others NXDOMAIN.  The query is in b[0..n); returns the answer's length.
 */
static size_t
responder_answer(uint8_t *b, size_t n, int is_tcp)
{
	static const uint8_t	 rr_a[] = { 0xc0, 0x0c, 0, 1, 0, 1,
	    0, 0, 1, 0x2c, 0, 4, 198, 51, 100, 10 };
	static const uint8_t	 rr_txt[] = { 0xc0, 0x0c, 0, 16, 0, 1,
	    0, 0, 1, 0x2c, 0x03, 0x24 };	/* RDLENGTH 804 */
	size_t			 qend;
	int			 hit, i;

	for (qend = 12; qend < n && b[qend] != 0; qend += b[qend] + 1)
		;
	if ((qend += 5) > n)
		return 0;
	hit = memmem(b + 12, qend, "\003lab\004test\000", 10) != NULL;
	b[2] = 0x85;			/* QR AA RD */
	b[3] = hit ? 0x80 : 0x83;	/* RA, NXDOMAIN */
	b[6] = 0;
	b[7] = hit;
	b[8] = b[9] = b[10] = b[11] = 0;	/* drop the OPT */
	if (hit && memcmp(b + 12, "\002sf", 3) == 0) {
		b[3] = 0x82;		/* RA, SERVFAIL */
		b[7] = hit = 0;
	}
	n = qend;
	if (hit && !is_tcp && memcmp(b + 12, "\002tc", 3) == 0) {
		b[2] |= 0x02;		/* TC */
		b[7] = 0;
	} else if (hit && b[qend - 3] == DNS_T_TXT) {
		memcpy(b + n, rr_txt, sizeof(rr_txt));
		n += sizeof(rr_txt);
		for (i = 0; i < 4; i++) {
			b[n++] = 200;
			memset(b + n, 'x', 200);
			n += 200;
		}
	} else if (hit) {
		memcpy(b + n, rr_a, sizeof(rr_a));
		n += sizeof(rr_a);
	}
	return n;
}

static void
responder_on_io(int fd, short revents, void *arg)
{
	struct responder	*rs = arg;
	struct sockaddr_storage	 from;
	socklen_t		 flen = sizeof(from);
	uint8_t			 b[2048];
	ssize_t			 n;

	(void)revents;
	if ((n = recvfrom(fd, b, 512, 0, (struct sockaddr *)&from,
	    &flen)) < 12)
		return;
	rs->nqueries++;
	if (rs->is_silent || (n = (ssize_t)responder_answer(b, (size_t)n,
	    0)) == 0)
		return;
	sendto(fd, b, (size_t)n, 0, (struct sockaddr *)&from, flen);
}

static struct tb_loop	*test_loop;

/* One query per TCP connection, read at once (loopback, small). */
static void
responder_on_tcp(int fd, short revents, void *arg)
{
	struct responder	*rs = arg;
	uint8_t			 b[2048];
	ssize_t			 n;
	size_t			 len;

	(void)revents;
	tb_loop_io_del(test_loop, fd);
	n = read(fd, b, 2 + 512);
	if (n >= 14) {
		rs->ntcp++;
		len = responder_answer(b + 2, (size_t)n - 2, 1);
		b[0] = (uint8_t)(len >> 8);
		b[1] = (uint8_t)len;
		if (len > 0 && write(fd, b, len + 2) != (ssize_t)len + 2)
			rs->ntcp = 1000;
	}
	close(fd);
}

static void
responder_on_accept(int fd, short revents, void *arg)
{
	int	c;

	(void)revents;
	if ((c = accept(fd, NULL, NULL)) != -1)
		tb_loop_io(test_loop, c, POLLIN, responder_on_tcp, arg);
}


static void
on_check(void *arg)
{
	struct dns	*d = arg;

	if (dns_is_done(d))
		tb_loop_stop(test_loop);
}

static void
on_deadline(void *arg)
{
	(void)arg;
	tb_loop_stop(test_loop);
}

static int
responder_open(struct responder *rs, char *server, size_t len)
{
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof(sin);

	memset(rs, 0, sizeof(*rs));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((rs->fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(rs->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(rs->fd, (struct sockaddr *)&sin, &slen) == -1)
		return -1;
	/* TCP on the same port, for the TC retry. */
	if ((rs->tcp_fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(rs->tcp_fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(rs->tcp_fd, 8) == -1)
		return -1;
	snprintf(server, len, "127.0.0.1:%u", ntohs(sin.sin_port));
	return 0;
}

static struct dns *
engine_new(const char *server, unsigned timeout_ms, unsigned tries,
    const char *resolv)
{
	struct dns_conf		 conf;
	const char		*servers[1];
	char			 err[256];
	struct dns		*d;

	servers[0] = server;
	memset(&conf, 0, sizeof(conf));
	conf.servers = servers;
	conf.nservers = 1;
	conf.timeout_ms = timeout_ms;
	conf.tries = tries;
	conf.resolv_conf = resolv;
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL)
		printf("# dns_new: %s\n", err);
	return d;
}

static void
t_engine(void)
{
	struct responder	 rs;
	const struct dns_row	*row;
	struct dns		*d;
	char			 server[64], resolv[] = "/tmp/t_dns.XXXXXX";
	uint64_t		 t0;
	double			 hist[4];
	int			 fd;

	if (responder_open(&rs, server, sizeof(server)) == -1) {
		ok(0, "responder socket");
		return;
	}
	if ((fd = mkstemp(resolv)) == -1 ||
	    write(fd, "search lab.test\noptions ndots:1\n", 32) != 32) {
		ok(0, "resolv.conf");
		return;
	}
	close(fd);
	test_loop = tb_loop_new();
	tb_loop_io(test_loop, rs.fd, POLLIN, responder_on_io, &rs);
	tb_loop_io(test_loop, rs.tcp_fd, POLLIN, responder_on_accept, &rs);
	if ((d = engine_new(server, 500, 2, resolv)) == NULL) {
		ok(0, "dns_new");
		return;
	}
	is_int(dns_nservers(d), 1, "one server");
	is_str(dns_server_at(d, 0), server, "server string");
	is_int(dns_nsearch_domains(d), 1, "search domain read");
	ok(dns_lookup_add(d, "www.lab.test", DNS_T_A) == 0, "lookup 0");
	ok(dns_lookup_add(d, "www", DNS_T_A) == 1, "lookup 1 (search)");
	ok(dns_lookup_add(d, "nope.test.", DNS_T_A) == 2, "lookup 2");
	ok(dns_lookup_add(d, "a..b", DNS_T_A) == -1, "bad name refused");
	ok(dns_lookup_add(d, "mid.lab.test", DNS_T_TXT) == 3, "lookup 3");
	ok(dns_lookup_add(d, "tc.lab.test", DNS_T_TXT) == 4, "lookup 4");
	ok(dns_lookup_add(d, "sf", DNS_T_A) == 5, "lookup 5 (search, SERVFAIL)");
	ok(!dns_is_done(d), "not done before the loop");
	dns_attach(d, test_loop);
	tb_loop_before_sleep(test_loop, on_check, d);
	tb_loop_timer(test_loop, tb_now_ms() + 5000, on_deadline, NULL);
	tb_loop_run(test_loop);
	ok(dns_is_done(d), "done");
	row = dns_row_at(d, 0);
	is_str(row->status, "NOERROR", "row 0 NOERROR");
	is_int(row->nanswers, 1, "one answer");
	if (row->nanswers == 1) {
		is_str(row->answers[0].data, "198.51.100.10", "answer data");
		is_int(row->answers[0].ttl, 300, "answer TTL");
		is_str(row->answers[0].type_str, "A", "answer type");
	}
	is_str(row->flags, "qr aa rd ra", "flags");
	ok(row->latency_ms >= 0 && row->latency_ms < 1000, "latency %.3f ms",
	    row->latency_ms);
	is_int(dns_row_history(row, hist, 4), 1, "one latency sample");
	ok(dns_row_ttl_left(row, row->answered_at_ms + 1000) == 299,
	    "TTL counts down");
	row = dns_row_at(d, 1);
	is_str(row->status, "NOERROR", "search: found");
	is_int(row->nsearch, 1, "search: first step answered");
	is_str(row->qname, "www.lab.test", "search: expanded");
	is_str(row->search[0].status, "NOERROR", "search step status");
	row = dns_row_at(d, 2);
	is_str(row->status, "NXDOMAIN", "NXDOMAIN");
	is_int(row->nsearch, 0, "trailing dot: no search");
	row = dns_row_at(d, 3);
	is_str(row->status, "NOERROR", "804-byte TXT over UDP");
	ok(row->nanswers == 1 && strlen(row->answers[0].data) == 4 * 203 - 1,
	    "TXT complete (c-ares reads past 512 bytes)");
	row = dns_row_at(d, 5);
	is_int(row->nsearch, 2, "search goes on after SERVFAIL (as glibc)");
	if (row->nsearch == 2) {
		is_str(row->search[0].status, "SERVFAIL", "SERVFAIL step kept");
		is_str(row->search[1].name, "sf", "then the name as is");
	}
	is_str(row->status, "NXDOMAIN", "last step's answer");
	row = dns_row_at(d, 4);
	is_str(row->status, "NOERROR", "TC: answered");
	ok(row->is_truncated && row->used_tcp, "TC seen, asked over TCP");
	is_int(rs.ntcp, 1, "one TCP query");
	ok(row->nanswers == 1 && strlen(row->answers[0].data) == 4 * 203 - 1,
	    "TXT complete over TCP");
	dns_set_requery(d, 1);
	ok(dns_is_requery(d), "requery on");
	dns_set_requery(d, 0);
	ok(!dns_is_requery(d), "requery off");
	dns_free(d);
	tb_loop_free(test_loop);

	/*
	 * A silent server: timeout after exactly tries x timeout, never
	 * sooner (t0 is taken before the first query leaves, so a busy
	 * machine can only make it later), and not after c-ares's own
	 * doubling schedule (200 + 400 + 800 ms).  A new loop: the old one
	 * still holds the freed model's hooks.
	 */
	test_loop = tb_loop_new();
	tb_loop_io(test_loop, rs.fd, POLLIN, responder_on_io, &rs);
	rs.is_silent = 1;
	rs.nqueries = 0;
	d = engine_new(server, 200, 3, resolv);
	dns_lookup_add(d, "www.lab.test", DNS_T_A);
	t0 = tb_now_ms();
	dns_attach(d, test_loop);
	tb_loop_before_sleep(test_loop, on_check, d);
	tb_loop_timer(test_loop, t0 + 5000, on_deadline, NULL);
	tb_loop_run(test_loop);
	t0 = tb_now_ms() - t0;
	row = dns_row_at(d, 0);
	is_str(row->status, "timeout", "silent server: timeout");
	is_int(row->tries, 3, "three tries");
	is_int(rs.nqueries, 3, "three queries sent");
	ok(t0 >= 599, "not before 3 x 200 ms (after %llu ms)",
	    (unsigned long long)t0);
	ok(t0 < 1400, "before c-ares's doubling schedule would end (after "
	    "%llu ms)", (unsigned long long)t0);
	dns_free(d);
	tb_loop_free(test_loop);
	close(rs.fd);
	close(rs.tcp_fd);
	unlink(resolv);
}

/*
 * The tables are capped: lookups past DNS_MAX_LOOKUPS, or rows (lookups x
 * servers) past DNS_MAX_ROWS, are refused and counted.  No loop is
 * attached, so nothing is sent.
 */
static void
t_caps(void)
{
	const char	*servers[3] = { "127.0.0.1:9", "127.0.0.2:9",
			    "127.0.0.3:9" };
	struct dns_conf	 conf;
	struct dns	*d;
	char		 name[64], err[256];
	long		 i, nok;

	memset(&conf, 0, sizeof(conf));
	conf.servers = servers;
	conf.nservers = 1;
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL) {
		ok(0, "dns_new for the caps: %s", err);
		return;
	}
	for (i = 0, nok = 0; i < DNS_MAX_LOOKUPS + 10; i++) {
		snprintf(name, sizeof(name), "n%ld.cap.test", i);
		if (dns_lookup_add(d, name, DNS_T_A) != -1)
			nok++;
	}
	is_int(nok, DNS_MAX_LOOKUPS, "lookups capped at DNS_MAX_LOOKUPS");
	is_int(dns_ndropped(d), 10, "lookups over the cap counted");
	is_int(dns_nrows(d), DNS_MAX_LOOKUPS, "one row per lookup");
	dns_free(d);

	conf.nservers = 3;
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL) {
		ok(0, "dns_new with 3 servers: %s", err);
		return;
	}
	for (i = 0; i < DNS_MAX_ROWS / 3 + 5; i++) {
		snprintf(name, sizeof(name), "r%ld.cap.test", i);
		dns_lookup_add(d, name, DNS_T_A);
	}
	ok(dns_nrows(d) <= DNS_MAX_ROWS && dns_nrows(d) > DNS_MAX_ROWS - 3,
	    "rows capped at DNS_MAX_ROWS (%zu)", dns_nrows(d));
	is_int(dns_ndropped(d), 5, "lookups refused for rows counted");
	dns_free(d);
}

/* Passive rows: answers seen in a capture, kept in a ring. */
static void
t_passive(void)
{
	static const uint8_t	 ans[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		1, 'a', 1, 't', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,
	};
	static const uint8_t	 query[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		1, 'a', 1, 't', 0, 0, 1, 0, 1,
	};
	const struct dns_row	*row;
	struct dns_conf		 conf;
	struct dns		*d;
	const char		*servers[1] = { "127.0.0.1:53" };
	char			 err[256];
	size_t			 i;

	memset(&conf, 0, sizeof(conf));
	conf.servers = servers;
	conf.nservers = 1;
	conf.resolv_conf = "/dev/null";
	if ((d = dns_new(&conf, err, sizeof(err))) == NULL) {
		ok(0, "dns_new: %s", err);
		return;
	}
	dns_passive_add(d, "10.0.0.1:5353", "10.0.0.53:53", ans, sizeof(ans),
	    1.5);
	is_int(dns_npassive(d), 1, "passive: one row");
	row = dns_passive_at(d, 0);
	is_str(row->status, "NOERROR", "passive: status");
	is_str(row->name, "a.t", "passive: the question's name");
	is_str(row->type_str, "A", "passive: type");
	is_str(row->server, "10.0.0.53:53", "passive: the server seen");
	ok(row->nanswers == 1 && strcmp(row->answers[0].data, "192.0.2.1") ==
	    0, "passive: the answer");
	ok(row->latency_ms > 1.49 && row->latency_ms < 1.51,
	    "passive: the latency given");
	ok(row->lookup == SIZE_MAX, "passive: no lookup");
	ok(dns_is_done(d), "passive rows do not hold a dump");
	dns_passive_add(d, "c", "s", ans, 5, -1);
	is_str(dns_passive_at(d, 1)->status, "bad answer", "passive: short");
	dns_passive_add(d, "c", "s", query, sizeof(query), -1);
	is_str(dns_passive_at(d, 2)->status, "bad answer",
	    "passive: a query is not an answer");
	ok(dns_passive_at(d, 0)->latency_ms > 0 &&
	    dns_passive_at(d, 1)->latency_ms < 0, "passive: no query seen");
	for (i = 0; i < DNS_MAX_PASSIVE + 10; i++)
		dns_passive_add(d, "c", "s", ans, sizeof(ans), (double)i);
	is_int(dns_npassive(d), DNS_MAX_PASSIVE, "passive: ring capped");
	ok(dns_passive_at(d, 0)->latency_ms == 10.0,
	    "passive: the oldest kept is the 14th row added");
	ok(dns_passive_at(d, DNS_MAX_PASSIVE) == NULL, "passive: past the end");
	dns_free(d);
}

int
main(void)
{
	t_parse();
	t_server();
	t_search();
	t_resolv_scoped();
	t_passive();
	t_engine();
	t_caps();
	return done_testing();
}
