/*
 * DNS message parser (RFC 1035, 3597, 6891).  c-ares 1.18 hands us the
 * raw answer but gives no TTL for most types and no AD/CD bits, so the
 * DNS pane decodes the bytes itself.  Input is untrusted: every count,
 * length and compression pointer is checked against the bytes present.
 *
 * Names come out in presentation form without the trailing dot, as the
 * JSON dump wants them ("www.lab.test"); the root is ".".  Label bytes are
 * escaped as dig does: '.' and '\' as "\." and "\\", printable ASCII
 * (0x21-0x7e) as is, anything else (space, controls, 0x80-0xff) as \DDD.
 * Every string this module writes is printable ASCII (0x20-0x7e).
 *
 * The caller owns a struct dns_msg (it is large: keep it static or on the
 * heap, and reuse it).  All strings and raw copies live in its arena, so
 * the record pointers stay valid until the next dns_parse on it; do not
 * copy the struct by value.  Nothing is allocated.
 */
#ifndef TUBES_MODEL_DNS_WIRE_H
#define TUBES_MODEL_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_OK		0
#define DNS_ETRUNC	-1	/* the message ends inside a field */
#define DNS_EPTR	-2	/* compression pointer not strictly backwards,
				   or more than DNS_MAX_JUMPS in one name */
#define DNS_ELABEL	-3	/* reserved label type (0x40, 0x80) */
#define DNS_ENAME	-4	/* name over 255 wire bytes, or bad user name */
#define DNS_ECOUNT	-5	/* counts exceed what the message holds */
#define DNS_ERDLEN	-6	/* RDLENGTH runs past the message */
#define DNS_ERDATA	-7	/* RDATA malformed or not exactly RDLENGTH */
#define DNS_ESPACE	-8	/* output buffer (or the arena) too small */
#define DNS_ELOOP	-9	/* CNAME chain loops */
#define DNS_ECHAIN	-10	/* CNAME chain longer than DNS_MAX_CHAIN */

#define DNS_MAX_QD	4	/* questions kept (QDCOUNT is 1 in practice) */
#define DNS_MAX_RRS	256	/* records kept; more are counted in ndropped */
#define DNS_MAX_JUMPS	64	/* compression pointers followed per name */
#define DNS_MAX_CHAIN	16	/* names in a CNAME chain */
#define DNS_ARENA_SIZE	(128 * 1024)
#define DNS_NAME_WIRE_MAX	255
#define DNS_NAME_PRES_MAX	1024	/* 253 label bytes as \DDD, + NUL */
#define DNS_TYPE_NAMELEN	16	/* "TYPE65535", "CLASS65535", ... */

#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_SOA	6
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28
#define DNS_T_SRV	33
#define DNS_T_OPT	41
#define DNS_T_ANY	255
#define DNS_T_CAA	257
#define DNS_C_IN	1

/* Header flag bits, as in the second 16-bit word of the header. */
#define DNS_F_QR	0x8000
#define DNS_F_AA	0x0400
#define DNS_F_TC	0x0200
#define DNS_F_RD	0x0100
#define DNS_F_RA	0x0080
#define DNS_F_Z		0x0040
#define DNS_F_AD	0x0020
#define DNS_F_CD	0x0010

#define DNS_SEC_QUESTION	0
#define DNS_SEC_ANSWER		1
#define DNS_SEC_AUTHORITY	2
#define DNS_SEC_ADDITIONAL	3

struct dns_hdr {
	uint16_t	 id;
	uint16_t	 flags;		/* DNS_F_* bits */
	uint8_t		 opcode;
	int		 is_qr, is_aa, is_tc, is_rd, is_ra, is_z, is_ad, is_cd;
	uint16_t	 rcode;		/* 12 bits with an OPT, else 4 */
	uint16_t	 qdcount, ancount, nscount, arcount;	/* as sent */
};

struct dns_edns {
	int		 has_opt;	/* OPT in the additional section */
	uint16_t	 udp_size;
	uint8_t		 version;
	uint8_t		 ext_rcode;	/* upper 8 bits of the 12-bit rcode */
	int		 is_do;		/* DNSSEC OK */
	unsigned	 noptions;
};

struct dns_question {
	const char	*name;
	uint16_t	 type, class;
};

struct dns_rr {
	const char	*name;		/* owner, presentation form */
	uint16_t	 type, class;
	uint32_t	 ttl;
	uint16_t	 rdlength;
	uint8_t		 section;	/* DNS_SEC_* */
	int		 err;		/* 0, or why RDATA did not decode */
	/*
	 * RDATA in presentation form: "198.51.100.10", "10 mail.lab.test",
	 * "\"v=spf1\" \"-all\"", "ns1 host 1 2 3 4 5", "10 5 443 web",
	 * "0 issue \"ca.test\"", or RFC 3597 "\# 4 0A000001" for other types
	 * and for records whose RDATA did not decode (err set).
	 */
	const char	*data;
	union {
		uint8_t		 a[4];
		uint8_t		 aaaa[16];
		const char	*target;	/* CNAME, NS, PTR */
		struct {
			uint16_t	 pref;
			const char	*exchange;
		} mx;
		struct {
			const uint8_t	*raw;	/* the character-strings as on
						   the wire: len, bytes, ... */
			size_t		 rawlen;
			unsigned	 nstr;
		} txt;
		struct {
			const char	*mname, *rname;
			uint32_t	 serial, refresh, retry, expire;
			uint32_t	 minimum;
		} soa;
		struct {
			uint16_t	 prio, weight, port;
			const char	*target;
		} srv;
		struct {
			uint8_t		 flags;
			const char	*tag;		/* escaped */
			const uint8_t	*value;		/* raw */
			size_t		 valuelen;
		} caa;
		struct dns_edns	 opt;
	} rd;
};

struct dns_msg {
	struct dns_hdr		 hdr;
	struct dns_edns		 edns;
	struct dns_question	 q[DNS_MAX_QD];
	unsigned		 nq;
	struct dns_rr		 rr[DNS_MAX_RRS];	/* in section order */
	unsigned		 nrr;
	unsigned		 nsec[4];	/* records kept per DNS_SEC_* */
	unsigned		 ndropped;	/* not kept: caps, arena full */
	unsigned		 nbad;		/* kept with rr->err set */
	int			 is_partial;	/* stopped before the end */
	size_t			 ntrailing;	/* bytes after the records */
	size_t			 arena_used;
	char			 arena[DNS_ARENA_SIZE];
};

/*
 * Parse msg into out.  Returns DNS_OK, or the first error: on a framing
 * error (header, name, fixed RR fields, RDLENGTH) parsing stops, out keeps
 * what came before and is_partial is set; a record whose RDATA does not
 * decode is kept with rr->err set and generic data, and parsing goes on.
 */
int	dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);
const char *dns_strerror(int);

/* First record of a section and how many were kept there. */
const struct dns_rr *dns_section(const struct dns_msg *, int sec, unsigned *n);

/* i-th TXT character-string of rr (raw bytes); 0, or -1 past the end. */
int	dns_txt_string(const struct dns_rr *, unsigned i, const uint8_t **p,
	    size_t *len);

/*
 * Names from the question name through the CNAMEs of the answer section
 * (names[0] is the question).  Returns 0, DNS_ELOOP or DNS_ECHAIN (names
 * holds the chain up to the problem); *n is the count filled.
 */
int	dns_cname_chain(const struct dns_msg *, const char **names, size_t max,
	    size_t *n);

/* Negative-caching TTL: min(SOA TTL, SOA minimum) of the authority SOA. */
int	dns_negative_ttl(const struct dns_msg *, uint32_t *ttl);

/* "qr aa tc rd ra z ad cd" for the bits set, dig's order.  Returns strlen. */
size_t	dns_flags_str(uint16_t flags, char *buf, size_t len);

/*
 * Mnemonics: "A", "RCODE11", "CLASS3".  Known names are returned as static
 * strings; others are written to buf (DNS_TYPE_NAMELEN bytes suffice).
 */
const char *dns_type_name(uint16_t, char *buf, size_t len);
const char *dns_rcode_name(uint16_t, char *buf, size_t len);
const char *dns_class_name(uint16_t, char *buf, size_t len);
const char *dns_section_name(int);
/* Type number for "aaaa", "TYPE65", ...; -1 if unknown. */
int	dns_type_from_name(const char *);

/*
 * Check a typed name (escapes \. \\ \DDD allowed, one trailing dot
 * allowed).  0, or -1 with err naming the problem.
 */
int	dns_name_check(const char *name, char *err, size_t errlen);

/*
 * Build a query for name/type into buf: one question, RD if rd, and an
 * OPT advertising edns_udp bytes if edns_udp > 0.  Returns the length, or
 * DNS_ENAME / DNS_ESPACE.
 */
int	dns_build_query(uint8_t *buf, size_t len, uint16_t id,
	    const char *name, uint16_t type, int rd, int edns_udp);

#endif
