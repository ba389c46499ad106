/* tls_client_hello over hand-built ClientHellos, whole, split and lying. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/pkt_decode.h"
#include "model/tls_sni.h"
#include "tap.h"
#include "wb.h"

#define GREASE		0x3a3a
#define REC_MAX		(16384 + 2048)

/* The handshake message of the hello being built, before framing. */
static uint8_t		hs[WB_SIZE];
static size_t		hs_len;
static struct tls_hello	th;

struct hello_spec {
	const char	*sni;		/* NULL: no server_name */
	size_t		 sni_len;	/* 0: strlen */
	const char	*alpn[40];	/* NULL-terminated */
	uint16_t	 versions[4];	/* 0-terminated; none: no ext */
	int		 no_exts;	/* SSL 3.0 style: no block at all */
	int		 sid_len;
};

static void
set16(size_t off, unsigned v)
{
	w.b[off] = (uint8_t)(v >> 8);
	w.b[off + 1] = (uint8_t)v;
}

static void
set24(size_t off, size_t v)
{
	w.b[off] = (uint8_t)(v >> 16);
	set16(off + 1, (unsigned)(v & 0xffff));
}

static size_t
ext_begin(unsigned type)
{
	put16(type);
	put16(0);
	return w.n;
}

static void
ext_end(size_t start)
{
	set16(start - 2, (unsigned)(w.n - start));
}

static void
put_sni(const struct hello_spec *s)
{
	size_t	 e, len = s->sni_len ? s->sni_len : strlen(s->sni);

	e = ext_begin(0);
	put16((unsigned)len + 3);
	put8(0);
	put16((unsigned)len);
	putbytes(s->sni, len);
	ext_end(e);
}

static void
put_alpn(const struct hello_spec *s)
{
	size_t	 e, list;
	int	 i;

	e = ext_begin(16);
	put16(0);
	list = w.n;
	for (i = 0; s->alpn[i] != NULL; i++) {
		put8((unsigned)strlen(s->alpn[i]));
		putbytes(s->alpn[i], strlen(s->alpn[i]));
	}
	set16(list - 2, (unsigned)(w.n - list));
	ext_end(e);
}

static void
put_versions(const struct hello_spec *s)
{
	size_t	 e;
	int	 i;

	e = ext_begin(43);
	put8(0);
	for (i = 0; s->versions[i] != 0; i++)
		put16(s->versions[i]);
	w.b[e] = (uint8_t)(w.n - e - 1);
	ext_end(e);
}

/* A ClientHello handshake message into hs[], laid out as OpenSSL does. */
static void
build_hello(const struct hello_spec *s)
{
	size_t	 exts;
	int	 i;

	w.n = 0;
	put8(1);
	put8(0);
	put16(0);
	put16(0x0303);
	for (i = 0; i < 32; i++)
		put8((unsigned)i * 7);
	put8((unsigned)s->sid_len);
	for (i = 0; i < s->sid_len; i++)
		put8(0xaa);
	put16(6);
	put16(0x1301);
	put16(0x1302);
	put16(0xc02f);
	put8(1);
	put8(0);
	if (!s->no_exts) {
		put16(0);
		exts = w.n;
		ext_end(ext_begin(GREASE));	/* empty GREASE extension */
		if (s->sni != NULL)
			put_sni(s);
		ext_end(ext_begin(23));		/* extended master secret */
		if (s->alpn[0] != NULL)
			put_alpn(s);
		if (s->versions[0] != 0)
			put_versions(s);
		set16(exts - 2, (unsigned)(w.n - exts));
	}
	set24(1, w.n - 4);
	memcpy(hs, w.b, w.n);
	hs_len = w.n;
}

/* Frame hs[] into records, a new record at each of the cuts. */
static void
frame(const size_t *cuts, size_t ncuts)
{
	size_t	 i, from = 0, to;

	w.n = 0;
	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : hs_len;
		put8(22);
		put16(i == 0 ? 0x0301 : 0x0303);
		put16((unsigned)(to - from));
		putbytes(hs + from, to - from);
		from = to;
	}
}

static int
parse(void)
{
	return tls_client_hello(w.b, w.n, &th);
}

static void
test_basic(void)
{
	struct hello_spec s = { .sni = "x.test", .alpn = { "http/1.1" },
	    .versions = { GREASE, 0x0304, 0x0303 }, .sid_len = 32 };
	char	 buf[16];

	build_hello(&s);
	frame(NULL, 0);
	is_int(tls_is_handshake(w.b, w.n), 1, "looks like a handshake");
	is_int(parse(), 1, "tls 1.3 hello parses");
	is_int(th.has_sni, 1, "has sni");
	is_str(th.sni, "x.test", "sni");
	is_int(th.sni_len, 6, "sni length");
	is_str(th.alpn, "http/1.1", "alpn");
	is_int(th.record_version, 0x0301, "record version");
	is_int(th.hello_version, 0x0303, "legacy version");
	is_int(th.max_version, 0x0304, "supported_versions, grease skipped");
	is_str(tls_version_str(th.max_version, buf, sizeof(buf)), "TLS 1.3",
	    "version name");

	memset(&s, 0, sizeof(s));
	s.sni = "v12.test";
	build_hello(&s);
	frame(NULL, 0);
	is_int(parse(), 1, "tls 1.2 hello parses");
	is_str(th.sni, "v12.test", "tls 1.2 sni");
	is_str(th.alpn, "", "no alpn");
	is_int(th.max_version, 0x0303, "max version from legacy_version");

	memset(&s, 0, sizeof(s));
	s.sni = "www.tls.test";
	s.alpn[0] = "h2";
	s.alpn[1] = "http/1.1";
	s.versions[0] = 0x0304;
	s.versions[1] = 0x0303;
	build_hello(&s);
	frame(NULL, 0);
	is_int(parse(), 1, "h2 hello parses");
	is_str(th.alpn, "h2,http/1.1", "alpn list comma-separated");
	is_str(th.sni, "www.tls.test", "sni www.tls.test");

	memset(&s, 0, sizeof(s));
	s.no_exts = 1;
	build_hello(&s);
	frame(NULL, 0);
	is_int(parse(), 1, "hello without extensions parses");
	is_int(th.has_sni, 0, "no sni");
	is_int(th.max_version, 0x0303, "no supported_versions");

	memset(&s, 0, sizeof(s));
	s.versions[0] = GREASE;
	build_hello(&s);
	frame(NULL, 0);
	is_int(parse(), 1, "only grease in supported_versions");
	is_int(th.max_version, 0x0303, "grease alone is ignored");
}

static void
test_split(void)
{
	struct hello_spec s = { .sni = "split.test", .alpn = { "h2" },
	    .versions = { 0x0304 } };
	size_t	 k, cut, cuts[3], bad;

	build_hello(&s);
	frame(NULL, 0);
	for (bad = 0, k = 0; k < w.n; k++)
		if (tls_client_hello(w.b, k, &th) != 0)
			bad++;
	is_int(bad, 0, "every prefix of one record asks for more");
	is_int(parse(), 1, "then the whole record parses");

	for (bad = 0, cut = 1; cut < hs_len; cut++) {
		cuts[0] = cut;
		frame(cuts, 1);
		if (parse() != 1 || strcmp(th.sni, "split.test") != 0 ||
		    strcmp(th.alpn, "h2") != 0)
			bad++;
	}
	is_int(bad, 0, "split across two records at every byte");

	cuts[0] = 2;
	cuts[1] = 3;
	cuts[2] = 40;
	frame(cuts, 3);
	for (bad = 0, k = 0; k < w.n; k++)
		if (tls_client_hello(w.b, k, &th) != 0)
			bad++;
	is_int(bad, 0, "every prefix of four records asks for more");
	is_int(parse(), 1, "four records parse");
	is_str(th.sni, "split.test", "sni across four records");
	is_int(th.record_version, 0x0301, "first record's version kept");

	/* Bytes after the hello (the next flight) do not matter. */
	frame(NULL, 0);
	put8(23);
	put16(0x0303);
	put16(0);
	is_int(parse(), 1, "bytes after the hello are ignored");
}

static void
test_hostile_sni(void)
{
	static const char	 evil[] = "a\x1b[31mb\0c\x9b";
	char			 longname[400];
	struct hello_spec	 s = { .sni = evil,
	    .sni_len = sizeof(evil) - 1 };

	build_hello(&s);
	frame(NULL, 0);
	is_int(parse(), 1, "sni with esc and nul parses");
	is_int(th.sni_len, sizeof(evil) - 1, "sni keeps every byte");
	ok(memcmp(th.sni, evil, sizeof(evil) - 1) == 0, "sni bytes raw");
	is_int(th.sni[th.sni_len], 0, "sni nul-terminated");

	memset(longname, 'a', sizeof(longname));
	s.sni = longname;
	s.sni_len = sizeof(longname);
	build_hello(&s);
	frame(NULL, 0);
	is_int(parse(), 1, "400-byte sni parses");
	is_int(th.sni_len, TLS_SNI_MAX, "sni cut at TLS_SNI_MAX");
	is_int(strlen(th.sni), TLS_SNI_MAX, "cut sni terminated");
}

static void
test_alpn_cut(void)
{
	struct hello_spec	 s = { .sni = "a.test" };
	char			 want[TLS_ALPN_MAX + 32];
	int			 i;

	for (i = 0; i < 30; i++)
		s.alpn[i] = "proto/1.1";
	build_hello(&s);
	frame(NULL, 0);
	is_int(parse(), 1, "30 alpn protocols parse");
	is_int(strlen(th.alpn), TLS_ALPN_MAX, "alpn cut at TLS_ALPN_MAX");
	ok(strcmp(th.alpn + TLS_ALPN_MAX - 3, "...") == 0, "cut alpn ends ...");
	want[0] = '\0';
	for (i = 0; strlen(want) < TLS_ALPN_MAX - 3; i++)
		strcat(want, i == 0 ? "proto/1.1" : ",proto/1.1");
	ok(strncmp(th.alpn, want, TLS_ALPN_MAX - 3) == 0, "cut alpn prefix");
}

/* Patch one byte of the framed single-record hello; expect -1. */
static void
lie(size_t off, unsigned v, const char *what)
{
	uint8_t	 save = w.b[off];

	w.b[off] = (uint8_t)v;
	is_int(parse(), -1, what);
	w.b[off] = save;
}

static void
test_lies(void)
{
	struct hello_spec s = { .sni = "x.test", .alpn = { "h2" },
	    .versions = { 0x0304 } };
	size_t	 sid, suites, exts, sni, alpn, vers;

	build_hello(&s);
	frame(NULL, 0);
	/* record 5 + hs 4 + version 2 + random 32 */
	sid = 5 + 4 + 2 + 32;
	suites = sid + 1;
	exts = suites + 2 + 6 + 2;
	sni = exts + 2 + 4;		/* after the grease extension */
	alpn = sni + 4 + 2 + 3 + 6 + 4;	/* after extended master secret */
	vers = alpn + 4 + 2 + 3;
	is_int(parse(), 1, "baseline parses");
	lie(0, 23, "application data record");
	lie(1, 2, "record version 2.x");
	lie(2, 5, "record version 3.5");
	lie(5, 2, "server hello");
	lie(sid, 33, "session id over 32");
	lie(suites + 1, 7, "odd cipher suites length");
	lie(suites + 1, 0, "no cipher suites");
	lie(exts - 2, 0, "compression length 0");
	lie(exts + 1, (w.b[exts + 1] + 1) & 0xff, "extensions past the body");
	lie(exts + 1, (w.b[exts + 1] - 1) & 0xff, "byte after extensions");
	lie(sni + 3, w.b[sni + 3] + 1, "server_name ext too long");
	lie(sni + 5, w.b[sni + 5] + 1, "server_name list too long");
	lie(sni + 5, w.b[sni + 5] - 1, "server_name list too short");
	lie(sni + 8, 0, "empty host name");
	lie(alpn + 6, 0, "empty alpn protocol");
	lie(alpn + 6, 9, "alpn name past its list");
	lie(vers + 4, 3, "odd supported_versions list");
	lie(vers + 4, 0, "empty supported_versions");
	lie(vers + 1, 16, "duplicate alpn extension");
	lie(9, 0x02, "legacy version 2.x");

	/* Record lengths: zero, over the cap. */
	w.n = 0;
	put8(22);
	put16(0x0301);
	put16(0);
	is_int(parse(), -1, "zero-length record");
	w.n = 0;
	put8(22);
	put16(0x0301);
	put16(REC_MAX + 1);
	is_int(parse(), -1, "record over 2^14+2048");

	/* A handshake bigger than any caller keeps. */
	w.n = 0;
	put8(22);
	put16(0x0301);
	put16(4);
	put8(1);
	put8(0);
	put16(TLS_HELLO_MAX);
	is_int(parse(), -1, "hello over TLS_HELLO_MAX");

	/* An alert between two fragments of the hello. */
	build_hello(&s);
	{
		size_t	 cuts[1] = { 10 }, mid;

		frame(cuts, 1);
		mid = 5 + 10;
		w.b[mid] = 21;
		is_int(parse(), -1, "alert between hello fragments");
	}

	/* hs length shorter than the body: body parse finds the lie. */
	build_hello(&s);
	frame(NULL, 0);
	w.b[5 + 3] = (uint8_t)(w.b[5 + 3] - 2);
	is_int(parse(), -1, "handshake length short of its extensions");
}

static void
test_is_handshake(void)
{
	static const uint8_t	 good[] = { 22, 3, 1, 0, 10 };
	static const uint8_t	 http[] = "GET / HTTP/1.1\r\n";
	static const uint8_t	 v2[] = { 22, 2, 0 };
	static const uint8_t	 zero[] = { 22, 3, 3, 0, 0 };
	char			 buf[16];

	is_int(tls_is_handshake(good, 0), -1, "nothing: can't tell");
	is_int(tls_is_handshake(good, 1), -1, "one byte: can't tell");
	is_int(tls_is_handshake(good, 2), -1, "two bytes: can't tell");
	is_int(tls_is_handshake(good, 3), -1, "three bytes: can't tell");
	is_int(tls_is_handshake(good, 5), 1, "record header");
	is_int(tls_is_handshake(http, sizeof(http) - 1), 0, "http is not");
	is_int(tls_is_handshake(v2, 2), 0, "version 2 is not");
	is_int(tls_is_handshake(zero, 5), 0, "empty record is not");
	is_int(tls_client_hello(http, sizeof(http) - 1, &th), -1,
	    "http is no hello");
	is_str(tls_version_str(0x0303, buf, sizeof(buf)), "TLS 1.2", "1.2");
	is_str(tls_version_str(0x0302, buf, sizeof(buf)), "TLS 1.1", "1.1");
	is_str(tls_version_str(0x0301, buf, sizeof(buf)), "TLS 1.0", "1.0");
	is_str(tls_version_str(0x0300, buf, sizeof(buf)), "SSL 3.0", "ssl3");
	is_str(tls_version_str(0x0305, buf, sizeof(buf)), "0x0305", "unknown");
}

/*
 * The three ClientHellos of the corpus capture, through pkt_decode: a
 * small pcap reader (little-endian microsecond files, as tcpdump wrote).
 */
static void
test_corpus(void)
{
	static const char *const want_sni[] = { "x.test", "v12.test",
	    "www.tls.test" };
	static const char *const want_alpn[] = { "http/1.1", "",
	    "h2,http/1.1" };
	static const uint16_t want_ver[] = { 0x0304, 0x0303, 0x0304 };
	const char	*top = getenv("top_srcdir");
	char		 path[4096];
	uint8_t		 hdr[24], rec[16], *pkt = NULL;
	struct pkt	 k;
	FILE		*fp;
	uint32_t	 caplen, wirelen, linktype;
	int		 nhello = 0, bad = 0;

	(void)top;
	tap_corpus_path(path, sizeof(path), "http/09-tls-sni.pcap");
	if ((fp = fopen(path, "rb")) == NULL) {
		printf("ok %d - # SKIP corpus absent: %s\n", ++tap_n, path);
		return;
	}
	if (fread(hdr, 1, sizeof(hdr), fp) != sizeof(hdr) ||
	    (pkt = malloc(65536)) == NULL) {
		ok(0, "corpus header");
		fclose(fp);
		return;
	}
	memcpy(&linktype, hdr + 20, 4);
	while (fread(rec, 1, sizeof(rec), fp) == sizeof(rec)) {
		memcpy(&caplen, rec + 8, 4);
		memcpy(&wirelen, rec + 12, 4);
		if (caplen > 65536 || fread(pkt, 1, caplen, fp) != caplen)
			break;
		if (pkt_decode((int)linktype, pkt, caplen, wirelen, &k) != 0) {
			bad++;
			continue;
		}
		if (k.payload_len == 0 || k.payload[0] != 22 ||
		    k.payload_len < 6 || k.payload[5] != 1)
			continue;
		if (tls_client_hello(k.payload, k.payload_len, &th) != 1 ||
		    nhello >= 3 || strcmp(th.sni, want_sni[nhello]) != 0 ||
		    strcmp(th.alpn, want_alpn[nhello]) != 0 ||
		    th.max_version != want_ver[nhello])
			bad++;
		nhello++;
	}
	fclose(fp);
	free(pkt);
	is_int(nhello, 3, "corpus: three client hellos");
	is_int(bad, 0, "corpus: every packet decodes, every hello as listed");
}

int
main(void)
{
	test_basic();
	test_split();
	test_hostile_sni();
	test_alpn_cut();
	test_lies();
	test_is_handshake();
	test_corpus();
	return done_testing();
}
