/* dns_parse and its helpers over hand-built messages, valid and hostile. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "model/dns_wire.h"
#include "tap.h"
#include "wb.h"

#define QR_AA_RD_RA	(DNS_F_QR | DNS_F_AA | DNS_F_RD | DNS_F_RA)
#define PTR_QNAME	0xc00c		/* the question name, at offset 12 */

static struct dns_msg	m;

/* Dotted name, no escapes, in place ("" is the root). */
static void
putname(const char *s)
{
	const char	*dot;
	size_t		 n;

	while (*s != '\0') {
		dot = strchr(s, '.');
		n = dot != NULL ? (size_t)(dot - s) : strlen(s);
		put8((unsigned)n);
		putbytes(s, n);
		s += n;
		if (*s == '.')
			s++;
	}
	put8(0);
}

static void
hdr(uint16_t id, uint16_t flags, unsigned qd, unsigned an, unsigned ns,
    unsigned ar)
{
	w.n = 0;
	put16(id);
	put16(flags);
	put16(qd);
	put16(an);
	put16(ns);
	put16(ar);
}

static void
question(const char *name, uint16_t type)
{
	putname(name);
	put16(type);
	put16(DNS_C_IN);
}

/* Owner as a pointer, fixed fields; returns where RDLENGTH goes. */
static size_t
rr_ptr(unsigned ptr, uint16_t type, uint16_t class, uint32_t ttl)
{
	size_t	at;

	put16(ptr);
	put16(type);
	put16(class);
	put32(ttl);
	at = w.n;
	put16(0);
	return at;
}

static void
rdlen_fix(size_t at)
{
	size_t	n = w.n - at - 2;

	w.b[at] = (uint8_t)(n >> 8);
	w.b[at + 1] = (uint8_t)n;
}

static int
printable(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int
all_printable(const struct dns_msg *mm)
{
	unsigned	i;

	for (i = 0; i < mm->nq; i++)
		if (!printable(mm->q[i].name))
			return 0;
	for (i = 0; i < mm->nrr; i++)
		if (!printable(mm->rr[i].name) || !printable(mm->rr[i].data))
			return 0;
	return 1;
}

static int
parse(void)
{
	return dns_parse(w.b, w.n, &m);
}

/* www.lab.test A: one answer with everything set. */
static void
build_a(void)
{
	size_t	at;

	hdr(0x1234, QR_AA_RD_RA, 1, 1, 0, 0);
	question("www.lab.test", DNS_T_A);
	at = rr_ptr(PTR_QNAME, DNS_T_A, DNS_C_IN, 300);
	putbytes("\xc6\x33\x64\x0a", 4);
	rdlen_fix(at);
}

static void
test_a(void)
{
	char	buf[64];

	build_a();
	is_int(parse(), DNS_OK, "A answer parses");
	is_int(m.hdr.id, 0x1234, "id");
	ok(m.hdr.is_qr && m.hdr.is_aa && m.hdr.is_rd && m.hdr.is_ra &&
	    !m.hdr.is_tc && !m.hdr.is_ad && !m.hdr.is_cd, "qr aa rd ra only");
	dns_flags_str(m.hdr.flags, buf, sizeof(buf));
	is_str(buf, "qr aa rd ra", "flags string");
	is_str(dns_rcode_name(m.hdr.rcode, buf, sizeof(buf)), "NOERROR",
	    "rcode NOERROR");
	is_int(m.nq, 1, "one question");
	is_str(m.q[0].name, "www.lab.test", "question name, no trailing dot");
	is_int(m.nsec[DNS_SEC_ANSWER], 1, "one answer");
	is_str(m.rr[0].name, "www.lab.test", "compressed owner");
	is_int(m.rr[0].ttl, 300, "ttl");
	is_str(m.rr[0].data, "198.51.100.10", "A data");
	ok(memcmp(m.rr[0].rd.a, "\xc6\x33\x64\x0a", 4) == 0, "A bytes");
	is_int(m.ntrailing, 0, "no trailing bytes");
	ok(!m.is_partial && m.nbad == 0 && m.ndropped == 0, "clean parse");
}

static void
build_types(void)
{
	size_t		 at;
	unsigned	 base;

	hdr(7, DNS_F_QR | DNS_F_RD | DNS_F_RA, 1, 11, 0, 0);
	question("lab.test", DNS_T_ANY);
	at = rr_ptr(PTR_QNAME, DNS_T_AAAA, DNS_C_IN, 60);
	putbytes("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_NS, DNS_C_IN, 60);
	base = (unsigned)w.n;
	put8(3);
	putbytes("ns1", 3);
	put16(PTR_QNAME);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_MX, DNS_C_IN, 60);
	put16(10);
	put8(4);
	putbytes("mail", 4);
	put16(PTR_QNAME);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_TXT, DNS_C_IN, 60);
	putbytes("\x06v=spf1\x05\"a\\b\"\x00", 14);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_SOA, DNS_C_IN, 60);
	put16(0xc000 | base);		/* ns1.lab.test, from the NS rdata */
	put8(10);
	putbytes("hostmaster", 10);
	put16(PTR_QNAME);
	put32(2024010101);
	put32(3600);
	put32(600);
	put32(86400);
	put32(300);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_SRV, DNS_C_IN, 60);
	put16(10);
	put16(5);
	put16(443);
	putname("web.lab.test");
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_CAA, DNS_C_IN, 60);
	put8(128);
	put8(5);
	putbytes("issue", 5);
	putbytes("ca.test", 7);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_PTR, DNS_C_IN, 60);
	put16(0xc000 | base);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, 999, DNS_C_IN, 60);
	putbytes("\x0a\x00\x00\x01", 4);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, 999, DNS_C_IN, 60);
	rdlen_fix(at);
	at = rr_ptr(PTR_QNAME, DNS_T_A, 3, 60);	/* CH A: not IPv4 */
	putbytes("\x0a\x00\x00\x01", 4);
	rdlen_fix(at);
}

static void
test_types(void)
{
	const uint8_t	*p;
	size_t		 len;

	build_types();
	is_int(parse(), DNS_OK, "one record of each type parses");
	is_int(m.nrr, 11, "eleven records");
	is_str(m.rr[0].data, "2001:db8::1", "AAAA");
	is_str(m.rr[1].data, "ns1.lab.test", "NS with a compressed suffix");
	is_str(m.rr[2].data, "10 mail.lab.test", "MX");
	is_int(m.rr[2].rd.mx.pref, 10, "MX preference");
	is_str(m.rr[3].data, "\"v=spf1\" \"\\\"a\\\\b\\\"\" \"\"",
	    "TXT: quoted, escaped, empty string kept");
	is_int(m.rr[3].rd.txt.nstr, 3, "TXT string count");
	ok(dns_txt_string(&m.rr[3], 1, &p, &len) == 0 && len == 5 &&
	    memcmp(p, "\"a\\b\"", 5) == 0, "TXT raw string 1");
	ok(dns_txt_string(&m.rr[3], 3, &p, &len) == -1, "TXT string 3 absent");
	is_str(m.rr[4].data,
	    "ns1.lab.test hostmaster.lab.test 2024010101 3600 600 86400 300",
	    "SOA, mname through a pointer into rdata");
	is_int(m.rr[4].rd.soa.minimum, 300, "SOA minimum");
	is_str(m.rr[5].data, "10 5 443 web.lab.test", "SRV");
	is_int(m.rr[5].rd.srv.port, 443, "SRV port");
	is_str(m.rr[6].data, "128 issue \"ca.test\"", "CAA");
	is_str(m.rr[6].rd.caa.tag, "issue", "CAA tag");
	is_str(m.rr[7].data, "ns1.lab.test", "PTR");
	is_str(m.rr[8].data, "\\# 4 0A000001", "unknown type, RFC 3597");
	is_str(m.rr[9].data, "\\# 0", "unknown type, empty");
	is_str(m.rr[10].data, "\\# 4 0A000001", "A outside IN is generic");
	ok(all_printable(&m), "all printable");
}

/* www -> a -> b -> c, A at c; owners point at earlier rdata names. */
static size_t
build_chain(int loop)
{
	size_t		at, full;
	unsigned	pa, pb, pc;

	hdr(9, QR_AA_RD_RA, 1, 4, 0, 0);
	question("www.lab.test", DNS_T_A);
	at = rr_ptr(PTR_QNAME, DNS_T_CNAME, DNS_C_IN, 100);
	pa = (unsigned)w.n;
	put8(1);
	put8('a');
	put16(0xc010);			/* lab.test inside the question */
	rdlen_fix(at);
	at = rr_ptr(0xc000 | pa, DNS_T_CNAME, DNS_C_IN, 100);
	pb = (unsigned)w.n;
	put8(1);
	put8('B');			/* case differs from the owner */
	put16(0xc010);
	rdlen_fix(at);
	at = rr_ptr(0xc000 | pb, DNS_T_CNAME, DNS_C_IN, 100);
	pc = (unsigned)w.n;
	if (loop)
		put16(0xc000 | pa);
	else {
		put8(1);
		put8('c');
		put16(0xc010);
	}
	rdlen_fix(at);
	at = rr_ptr(0xc000 | pc, DNS_T_A, DNS_C_IN, 100);
	putbytes("\xc6\x33\x64\x0b", 4);
	rdlen_fix(at);
	full = w.n;
	return full;
}

static void
test_chain(void)
{
	const char	*names[8];
	size_t		 n;

	build_chain(0);
	is_int(parse(), DNS_OK, "cname chain parses");
	is_int(dns_cname_chain(&m, names, 8, &n), 0, "chain ends");
	is_int(n, 4, "question + 3 cnames");
	ok(n == 4 && strcmp(names[1], "a.lab.test") == 0 &&
	    strcmp(names[2], "B.lab.test") == 0 &&
	    strcmp(names[3], "c.lab.test") == 0, "chain names");
	is_str(m.rr[3].name, "c.lab.test", "A owner through two pointers");
	is_int(dns_cname_chain(&m, names, 2, &n), DNS_ECHAIN,
	    "chain longer than the room");
	build_chain(1);
	is_int(parse(), DNS_OK, "looping chain parses");
	is_int(dns_cname_chain(&m, names, 8, &n), DNS_ELOOP, "loop detected");
}

static void
test_nxdomain(void)
{
	char		buf[32];
	uint32_t	ttl = 0;
	size_t		at;

	hdr(3, DNS_F_QR | DNS_F_RD | DNS_F_RA | 3, 1, 0, 1, 0);
	question("nope.lab.test", DNS_T_A);
	at = rr_ptr(0xc011, DNS_T_SOA, DNS_C_IN, 3600);
	putname("ns1.lab.test");
	putname("hostmaster.lab.test");
	put32(1);
	put32(2);
	put32(3);
	put32(4);
	put32(300);
	rdlen_fix(at);
	is_int(parse(), DNS_OK, "NXDOMAIN parses");
	is_str(dns_rcode_name(m.hdr.rcode, buf, sizeof(buf)), "NXDOMAIN",
	    "rcode NXDOMAIN");
	is_str(m.rr[0].name, "lab.test", "SOA owner via pointer mid-name");
	ok(dns_negative_ttl(&m, &ttl) == 0 && ttl == 300,
	    "negative ttl is the SOA minimum");
	build_a();
	parse();
	is_int(dns_negative_ttl(&m, &ttl), -1, "no SOA, no negative ttl");
}

static void
test_flags_edns(void)
{
	char	buf[64];
	size_t	at;

	hdr(5, DNS_F_QR | DNS_F_TC | DNS_F_AD | DNS_F_CD | 2, 1, 0, 0, 1);
	question("lab.test", DNS_T_A);
	put8(0);			/* OPT: root owner */
	put16(DNS_T_OPT);
	put16(1232);
	put32(0x01008000);		/* ext-rcode 1, version 0, DO */
	at = w.n;
	put16(0);
	put16(10);			/* cookie */
	put16(8);
	putbytes("12345678", 8);
	put16(12);			/* padding */
	put16(0);
	rdlen_fix(at);
	is_int(parse(), DNS_OK, "OPT parses");
	ok(m.hdr.is_tc && m.hdr.is_ad && m.hdr.is_cd && !m.hdr.is_aa,
	    "tc ad cd");
	dns_flags_str(m.hdr.flags, buf, sizeof(buf));
	is_str(buf, "qr tc ad cd", "flags string");
	ok(m.edns.has_opt && m.edns.udp_size == 1232 && m.edns.is_do &&
	    m.edns.version == 0 && m.edns.noptions == 2, "edns fields");
	is_int(m.hdr.rcode, 1 << 4 | 2, "12-bit rcode with ext bits");
	is_str(dns_rcode_name(m.hdr.rcode, buf, sizeof(buf)), "RCODE18",
	    "unknown rcode name");
	is_str(m.rr[0].data, "version: 0, flags: do; udp: 1232; options: 2",
	    "OPT data");
	is_str(m.rr[0].name, ".", "root owner is .");
}

static void
test_pointers(void)
{
	static const uint8_t	self[] = { 0,1, 0x81,0x80, 0,1, 0,0, 0,0, 0,0,
	    0xc0, 0x0c, 0, 1, 0, 1 };
	static const uint8_t	cycle[] = { 0,1, 0x81,0x80, 0,1, 0,0, 0,0, 0,0,
	    0xc0, 0x0e, 0xc0, 0x0c, 0, 1, 0, 1 };
	static const uint8_t	inname[] = { 0,1, 0x81,0x80, 0,1, 0,0, 0,0, 0,0,
	    1, 'a', 0xc0, 0x0c, 0, 1, 0, 1 };
	static const uint8_t	forward[] = { 0,1, 0x81,0x80, 0,1, 0,0, 0,0,
	    0,0, 0xc0, 0x20, 0, 1, 0, 1, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0 };
	static const uint8_t	lab40[] = { 0,1, 0x81,0x80, 0,1, 0,0, 0,0, 0,0,
	    0x40, 'a', 0, 0, 1, 0, 1 };
	static const uint8_t	lab80[] = { 0,1, 0x81,0x80, 0,1, 0,0, 0,0, 0,0,
	    0x80, 'a', 0, 0, 1, 0, 1 };

	is_int(dns_parse(self, sizeof(self), &m), DNS_EPTR, "self pointer");
	ok(m.is_partial, "self pointer: partial");
	is_int(dns_parse(cycle, sizeof(cycle), &m), DNS_EPTR,
	    "two-pointer cycle");
	is_int(dns_parse(inname, sizeof(inname), &m), DNS_EPTR,
	    "pointer into the name being read");
	is_int(dns_parse(forward, sizeof(forward), &m), DNS_EPTR,
	    "forward pointer");
	is_int(dns_parse(lab40, sizeof(lab40), &m), DNS_ELABEL,
	    "label type 0x40 (length 64)");
	is_int(dns_parse(lab80, sizeof(lab80), &m), DNS_ELABEL,
	    "label type 0x80");
}

/* A chain of pointers, each to the one before: bounded by DNS_MAX_JUMPS. */
static void
build_jumps(unsigned depth)
{
	unsigned	i;

	hdr(1, DNS_F_QR, 1, 2, 0, 0);
	question("", DNS_T_A);		/* the root at 12 */
	put8(0);
	put16(999);
	put16(DNS_C_IN);
	put32(1);
	put16(2 * depth);
	for (i = 0; i < depth; i++)
		put16(0xc000 | (i == 0 ? 12 : (unsigned)(w.n - 2)));
	put16(0xc000 | (unsigned)(w.n - 2));
	put16(DNS_T_A);
	put16(DNS_C_IN);
	put32(1);
	put16(4);
	put32(0x0a000001);
}

static void
test_jumps(void)
{
	build_jumps(DNS_MAX_JUMPS - 1);
	ok(parse() == DNS_OK && m.nrr == 2 && strcmp(m.rr[1].name, ".") == 0,
	    "64 backward jumps resolve");
	build_jumps(DNS_MAX_JUMPS);
	is_int(parse(), DNS_EPTR, "65 backward jumps rejected");
}

static void
test_long_names(void)
{
	char		lab[64];
	unsigned	i, first;

	memset(lab, 'x', 63);
	lab[63] = '\0';
	hdr(1, DNS_F_QR, 1, 0, 0, 0);
	for (i = 0; i < 5; i++) {	/* 5 * 64 + 1 > 255 */
		put8(63);
		putbytes(lab, 63);
	}
	put8(0);
	put32(0x00010001);
	is_int(parse(), DNS_ENAME, "name over 255 bytes in place");

	/* 3 * 64 + 1 = 193 bytes, fine; then 64 + pointer to it: 257. */
	hdr(1, DNS_F_QR, 1, 1, 0, 0);
	first = (unsigned)w.n;
	for (i = 0; i < 3; i++) {
		put8(63);
		putbytes(lab, 63);
	}
	put8(0);
	put32(0x00010001);
	put8(63);
	putbytes(lab, 63);
	rdlen_fix(rr_ptr(0xc000 | first, DNS_T_A, DNS_C_IN, 1));
	is_int(parse(), DNS_ENAME, "name over 255 bytes through a pointer");
}

static void
test_counts(void)
{
	build_a();
	w.b[7] = 100;			/* ANCOUNT 100, one present */
	is_int(parse(), DNS_ECOUNT, "ANCOUNT larger than the packet");
	ok(m.is_partial && m.nrr == 1, "the record present is kept");

	hdr(1, DNS_F_QR, 0, 1, 0, 0);
	putname("a");
	put16(DNS_T_A);
	put16(DNS_C_IN);
	put32(1);
	put16(40);
	putbytes("\1\2\3\4", 4);
	is_int(parse(), DNS_ERDLEN, "RDLENGTH past the end");

	build_a();
	w.b[w.n - 5] = 5;		/* A with RDLENGTH 5 */
	put8(0xee);
	is_int(parse(), DNS_ERDATA, "RDLENGTH not consumed by A");
	ok(m.nrr == 1 && m.rr[0].err == DNS_ERDATA && !m.is_partial &&
	    m.nbad == 1, "bad record kept, walk goes on");
	is_str(m.rr[0].data, "\\# 5 C633640AEE", "bad record shown generic");

	hdr(1, DNS_F_QR, 0, 2, 0, 0);
	putname("a");
	put16(DNS_T_CNAME);
	put16(DNS_C_IN);
	put32(1);
	put16(3);			/* 3 'b' 'c' ... the name runs on */
	put8(3);
	put8('b');
	put8('c');
	putname("a");
	put16(DNS_T_MX);
	put16(DNS_C_IN);
	put32(1);
	put16(5);
	put16(10);
	putname("");			/* MX root, then 2 stray bytes */
	put16(0);
	is_int(parse(), DNS_ERDATA, "name running past RDLENGTH");
	ok(m.nrr == 2 && m.rr[0].err == DNS_ERDATA &&
	    m.rr[1].err == DNS_ERDATA, "both records flagged");
}

static void
test_escapes(void)
{
	size_t	at;

	hdr(1, DNS_F_QR, 1, 1, 0, 0);
	put8(10);
	putbytes("a\x1b" "b\x9b" "c\0d.e", 9);
	put8('\\');
	put8(0);
	put16(DNS_T_TXT);
	put16(DNS_C_IN);
	at = rr_ptr(PTR_QNAME, DNS_T_TXT, DNS_C_IN, 1);
	putbytes("\x05\x1b\x9b\0 \x7f", 6);
	rdlen_fix(at);
	is_int(parse(), DNS_OK, "hostile bytes parse");
	is_str(m.q[0].name, "a\\027b\\155c\\000d\\.e\\\\",
	    "name: ESC, CSI, NUL, dot and backslash escaped");
	is_str(m.rr[0].data, "\"\\027\\155\\000 \\127\"",
	    "TXT: ESC, CSI, NUL, DEL escaped");
	ok(all_printable(&m), "no raw control byte anywhere");

	hdr(1, DNS_F_QR, 1, 0, 0, 0);
	put8(3);
	putbytes("a b", 3);
	put8(0);
	put32(0x00010001);
	parse();
	is_str(m.q[0].name, "a\\032b", "space in a label as \\032");
}

/* Every strict prefix of a message with every type must fail safely. */
static void
test_truncation(void)
{
	uint8_t	full[sizeof(w.b)];
	size_t	n, len;
	int	bad = 0;

	build_types();
	len = w.n;
	memcpy(full, w.b, len);
	for (n = 0; n < len; n++) {
		if (dns_parse(full, n, &m) >= 0 || !all_printable(&m))
			bad++;
	}
	is_int(bad, 0, "every prefix errors, output stays printable");
	ok(dns_parse(NULL, 0, &m) == DNS_ETRUNC, "NULL message");
	memcpy(w.b, full, len);
	w.n = len;
	put8(0);
	put8(0);
	ok(parse() == DNS_OK && m.ntrailing == 2, "trailing bytes counted");
}

static void
test_cap(void)
{
	unsigned	i;
	size_t		at;

	hdr(1, DNS_F_QR, 1, 300, 0, 0);
	question("many.lab.test", DNS_T_A);
	for (i = 0; i < 300; i++) {
		at = rr_ptr(PTR_QNAME, DNS_T_A, DNS_C_IN, i);
		put32(i);
		rdlen_fix(at);
	}
	put8(0);			/* OPT after the cap: ext-rcode 1 */
	put16(DNS_T_OPT);
	put16(512);
	put32(0x01000000);
	put16(0);
	w.b[11] = 1;
	is_int(parse(), DNS_OK, "300 answers parse");
	ok(m.nrr == DNS_MAX_RRS && m.ndropped == 300 - DNS_MAX_RRS + 1,
	    "capped at DNS_MAX_RRS, rest counted as dropped");
	ok(m.edns.has_opt && m.hdr.rcode == 16, "OPT past the cap still read");
}

/* Names of 250 bytes of \001, each 1003 characters: the arena fills. */
static void
test_arena(void)
{
	unsigned	i, k;
	size_t		at;

	hdr(1, DNS_F_QR, 1, 250, 0, 0);
	for (i = 0; i < 4; i++) {
		put8(i < 3 ? 63 : 61);
		for (k = 0; k < (i < 3 ? 63u : 61u); k++)
			put8(1);
	}
	put8(0);
	put32(0x00010001);
	for (i = 0; i < 250; i++) {
		at = rr_ptr(PTR_QNAME, 999, DNS_C_IN, i);
		rdlen_fix(at);
	}
	is_int(parse(), DNS_OK, "arena-filling message parses");
	is_int(strlen(m.q[0].name), 1003, "name of 250 escaped bytes");
	ok(m.nrr > 100 && m.nrr < 250 && m.nrr + m.ndropped == 250 &&
	    m.arena_used <= DNS_ARENA_SIZE && all_printable(&m),
	    "arena full: the rest dropped and counted");
}

static void
test_names(void)
{
	char	err[128], big[300];
	size_t	i;

	ok(dns_name_check("www.lab.test", err, sizeof(err)) == 0, "plain name");
	ok(dns_name_check("www.lab.test.", err, sizeof(err)) == 0,
	    "trailing dot");
	ok(dns_name_check(".", err, sizeof(err)) == 0, "root");
	ok(dns_name_check("a\\.b\\065.c", err, sizeof(err)) == 0, "escapes");
	ok(dns_name_check("a..b", err, sizeof(err)) == -1 &&
	    strstr(err, "empty label") != NULL, "a..b: empty label");
	ok(dns_name_check("", err, sizeof(err)) == -1 &&
	    strcmp(err, "empty name") == 0, "empty name");
	ok(dns_name_check("a.b..", err, sizeof(err)) == -1,
	    "two trailing dots");
	ok(dns_name_check("a b", err, sizeof(err)) == -1, "space");
	ok(dns_name_check("a\\300", err, sizeof(err)) == -1, "escape over 255");
	memset(big, 'x', 64);
	big[64] = '\0';
	ok(dns_name_check(big, err, sizeof(err)) == -1 &&
	    strstr(err, "63") != NULL, "label over 63");
	for (i = 0; i < 253; i++)
		big[i] = i % 64 == 63 ? '.' : 'x';
	big[253] = '\0';
	ok(dns_name_check(big, err, sizeof(err)) == 0, "253 characters");
	big[253] = 'x';
	big[254] = '\0';
	ok(dns_name_check(big, err, sizeof(err)) == -1 &&
	    strstr(err, "253") != NULL, "254 characters");
}

static void
test_mnemonics(void)
{
	char	buf[DNS_TYPE_NAMELEN];

	is_int(dns_type_from_name("A"), 1, "type A");
	is_int(dns_type_from_name("aaaa"), 28, "type aaaa");
	is_int(dns_type_from_name("CAA"), 257, "type CAA");
	is_int(dns_type_from_name("TYPE65"), 65, "TYPE65");
	is_int(dns_type_from_name("type999"), 999, "type999");
	is_int(dns_type_from_name("TYPE65536"), -1, "TYPE65536");
	is_int(dns_type_from_name("TYPE"), -1, "TYPE alone");
	is_int(dns_type_from_name("TYPE1x"), -1, "TYPE1x");
	is_int(dns_type_from_name("BOGUS"), -1, "unknown mnemonic");
	is_str(dns_type_name(28, buf, sizeof(buf)), "AAAA", "AAAA name");
	is_str(dns_type_name(999, buf, sizeof(buf)), "TYPE999", "TYPE999");
	is_str(dns_rcode_name(5, buf, sizeof(buf)), "REFUSED", "REFUSED");
	is_str(dns_rcode_name(11, buf, sizeof(buf)), "RCODE11", "RCODE11");
	is_str(dns_class_name(3, buf, sizeof(buf)), "CH", "class CH");
	is_str(dns_strerror(DNS_EPTR), "bad compression pointer", "strerror");
	is_str(dns_strerror(-99), "unknown error", "strerror unknown");
}

static void
test_build(void)
{
	uint8_t	q[512];
	int	n;

	n = dns_build_query(q, sizeof(q), 0xbeef, "Www.Lab.Test.", DNS_T_AAAA,
	    1, 1232);
	ok(n > 0, "query built");
	is_int(dns_parse(q, (size_t)n, &m), DNS_OK, "query parses");
	ok(m.hdr.id == 0xbeef && m.hdr.is_rd && !m.hdr.is_qr &&
	    m.q[0].type == DNS_T_AAAA, "query header and type");
	is_str(m.q[0].name, "Www.Lab.Test", "query name, case kept");
	ok(m.edns.has_opt && m.edns.udp_size == 1232, "query OPT");
	is_int(dns_build_query(q, 20, 1, "www.lab.test", 1, 1, 0), DNS_ESPACE,
	    "small buffer");
	is_int(dns_build_query(q, sizeof(q), 1, "a..b", 1, 1, 0), DNS_ENAME,
	    "bad name");
	n = dns_build_query(q, sizeof(q), 1, "a\\.b\\000", 1, 0, 0);
	ok(n > 0 && dns_parse(q, (size_t)n, &m) == DNS_OK &&
	    strcmp(m.q[0].name, "a\\.b\\000") == 0, "escapes round trip");
}

int
main(void)
{
	test_a();
	test_types();
	test_chain();
	test_nxdomain();
	test_flags_edns();
	test_pointers();
	test_jumps();
	test_long_names();
	test_counts();
	test_escapes();
	test_truncation();
	test_cap();
	test_arena();
	test_names();
	test_mnemonics();
	test_build();
	return done_testing();
}
