#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "tap.h"

#define MAXARGS	16

static struct tb_opts	o;
static char		err[256];

/* Parse a NULL-terminated list of arguments after "tubes". */
static enum tb_opts_result
parse_v(const char **args)
{
	char	*argv[MAXARGS + 2];
	static char	 store[MAXARGS][256];
	int	 argc = 0;

	argv[argc++] = (char *)"tubes";
	for (; *args != NULL && argc <= MAXARGS; args++, argc++) {
		snprintf(store[argc - 1], sizeof(store[0]), "%s", *args);
		argv[argc] = store[argc - 1];
	}
	argv[argc] = NULL;
	tb_opts_free(&o);
	return tb_opts_parse(&o, argc, argv, err, sizeof(err));
}

#define PARSE(...)	parse_v((const char *[]){ __VA_ARGS__, NULL })

/* A usage error whose message contains want. */
static void
usage(enum tb_opts_result r, const char *want, const char *what)
{
	if (!ok(r == TB_OPTS_USAGE && strstr(err, want) != NULL &&
	    strchr(err, '\n') == NULL && strncmp(err, "tubes:", 6) != 0,
	    "%s", what))
		printf("#   result %d, err \"%s\", want \"%s\"\n", r, err,
		    want);
}

static void
test_defaults(void)
{
	is_int(parse_v((const char *[]){ NULL }), TB_OPTS_RUN, "no arguments");
	is_int(o.panes, TB_PANE_AVAILABLE, "default panes: all available");
	is_int(o.duration_ms, -1, "default duration unset");
	is_int(o.refresh_ms, TB_REFRESH_DEFAULT_MS, "default refresh");
	is_int(o.count, 1, "default count");
	is_int(o.port, -1, "default port unset");
	is_int(o.ntargets, 0, "no targets");
}

static void
test_good(void)
{
	is_int(PARSE("--dump", "--json", "-t", "0", "--panes", "sockets"),
	    TB_OPTS_RUN, "--dump --json -t 0 --panes sockets");
	ok(o.is_dump && o.is_json, "dump and json set");
	is_int(o.duration_ms, 0, "-t 0 is 0 ms");
	is_int(o.panes, TB_PANE_SOCKETS, "panes sockets");
	PARSE("--dump", "--duration=2.5");
	is_int(o.duration_ms, 2500, "--duration=2.5 is 2500 ms");
	PARSE("--dump", "-t", ".25");
	is_int(o.duration_ms, 250, "-t .25");
	PARSE("--interval", "0.1", "-c", "5", "-n", "-6", "-p", "8080");
	ok(o.refresh_ms == 100 && o.count == 5 && o.is_numeric &&
	    o.family == 6 && o.port == 8080, "--interval -c -n -6 -p");
	PARSE("--panes", "sockets,sockets");
	is_int(o.panes, TB_PANE_SOCKETS, "repeated pane name");
	PARSE("-nc3", "--dum");
	ok(o.is_numeric && o.count == 3 && o.is_dump,
	    "clustered short options and an abbreviated long one");
}

static void
test_targets(void)
{
	is_int(PARSE("example.com", "192.0.2.1", "2001:db8::1",
	    "[2001:db8::2]:8443", "https://www.lab.test/path?q", "host:81",
	    "HTTP://user:pw@[::1]:8080/x", "http://a.test"),
	    TB_OPTS_RUN, "eight targets");
	is_int(o.ntargets, 8, "ntargets");
	is_str(o.targets[0].host, "example.com", "hostname");
	is_int(o.targets[0].port, -1, "hostname: no port");
	is_str(o.targets[1].host, "192.0.2.1", "IPv4");
	is_str(o.targets[2].host, "2001:db8::1", "bare IPv6");
	is_int(o.targets[2].port, -1, "bare IPv6: no port");
	is_str(o.targets[3].host, "2001:db8::2", "[v6]:port host");
	is_int(o.targets[3].port, 8443, "[v6]:port port");
	is_str(o.targets[4].host, "www.lab.test", "https URL host");
	ok(o.targets[4].port == 443 && o.targets[4].is_url &&
	    o.targets[4].is_https, "https URL: port 443, flags");
	is_str(o.targets[4].input, "https://www.lab.test/path?q",
	    "input kept as typed");
	ok(strcmp(o.targets[5].host, "host") == 0 && o.targets[5].port == 81,
	    "host:port");
	ok(strcmp(o.targets[6].host, "::1") == 0 && o.targets[6].port == 8080 &&
	    o.targets[6].is_url && !o.targets[6].is_https,
	    "URL with userinfo and [v6]:port");
	is_int(o.targets[7].port, 80, "http URL: port 80");

	PARSE("-p", "8080", "http://a.test", "b.test", "http://c.test:81");
	ok(o.targets[0].port == 8080 && o.targets[1].port == 8080 &&
	    o.targets[2].port == 81, "-p fills ports a URL does not spell");
	PARSE("a.test", "--dump");
	ok(o.is_dump && o.ntargets == 1, "options after the target");
}

static void
test_dns(void)
{
	char	path[] = "/tmp/t_opts.XXXXXX";
	int	fd;

	is_int(PARSE("-q", "www.lab.test", "-q", "lab.test/mx", "-q",
	    "192.0.2.1", "-q", "x.test/TYPE65"), TB_OPTS_RUN, "-q four times");
	is_int(o.nqueries, 4, "four lookups");
	if (o.nqueries == 4) {
		is_str(o.queries[0].name, "www.lab.test", "-q name");
		is_int(o.queries[0].type, 1, "-q default A");
		is_int(o.queries[1].type, 15, "-q /mx");
		is_str(o.queries[2].name, "1.2.0.192.in-addr.arpa",
		    "-q address: reverse name");
		is_int(o.queries[2].type, 12, "-q address: PTR");
		is_int(o.queries[3].type, 65, "-q TYPE65");
	}
	is_int(PARSE("-s", "127.0.0.1:5353", "--server", "[::1]:53", "-s",
	    "::1", "--dns-timeout", "300", "--dns-tries", "3"), TB_OPTS_RUN,
	    "-s, --dns-timeout, --dns-tries");
	is_int(o.nservers, 3, "three servers");
	is_int(o.dns_timeout_ms, 300, "--dns-timeout");
	is_int(o.dns_tries, 3, "--dns-tries");
	usage(PARSE("-q", "a..b"), "-q a..b: empty label at offset 2",
	    "-q a..b");
	usage(PARSE("-q", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa.test"), "longer than 63 bytes", "-q long label");
	usage(PARSE("-q", "x.test/BOGUS"), "unknown type 'BOGUS'",
	    "-q unknown type");
	usage(PARSE("-s", "ns.example"), "bad value 'ns.example' for --server",
	    "-s name");
	usage(PARSE("-s", "1.2.3.4:0"), "for --server", "-s port 0");
	usage(PARSE("--dns-timeout", "0"), "for --dns-timeout", "timeout 0");
	usage(PARSE("--dns-timeout", "60001"), "for --dns-timeout",
	    "timeout too big");
	usage(PARSE("--dns-tries", "11"), "for --dns-tries", "tries 11");
	usage(PARSE("--panes", "sockets", "-q", "x.test"), "need the dns pane",
	    "-q without the dns pane");
	usage(PARSE("-q", "@/nonexistent/t_opts"), "-q @/nonexistent",
	    "-q @missing file");
	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, "# names\na.test\n\n b.test/AAAA\r\n", 31) != 31) {
		ok(0, "temp file");
		return;
	}
	close(fd);
	snprintf(err, sizeof(err), "@%s", path);
	is_int(PARSE("-q", err), TB_OPTS_RUN, "-q @FILE");
	is_int(o.nqueries, 2, "-q @FILE: two names");
	if (o.nqueries == 2)
		is_int(o.queries[1].type, 28, "-q @FILE: /AAAA, CRLF");
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd == -1 || write(fd, "ok.test\nbad..name\n", 18) != 18)
		ok(0, "temp file again");
	close(fd);
	snprintf(err, sizeof(err), "@%s", path);
	usage(PARSE("-q", err), "line 2: bad..name: empty label",
	    "-q @FILE names the bad line");
	unlink(path);
}

static void
test_bad(void)
{
	usage(PARSE("--json"), "--json needs --dump", "--json without --dump");
	usage(PARSE("--panes", "bogus"), "bad --panes 'bogus'",
	    "unknown pane");
	usage(PARSE("--panes", "sockets,"), "bad --panes", "empty pane name");
	usage(PARSE("--panes", ""), "bad --panes", "empty --panes");
	usage(PARSE("-t", "-1"), "bad value '-1' for --duration",
	    "negative duration");
	usage(PARSE("-t", "1x"), "bad value '1x'", "junk duration");
	usage(PARSE("-t", "1e3"), "bad value", "exponent duration");
	usage(PARSE("-t", "."), "bad value", "dot alone");
	usage(PARSE("-t", "99999999999999999999"), "bad value",
	    "huge duration");
	usage(PARSE("--interval", "0.05"), "bad value '0.05' for --interval",
	    "interval under 0.1 s");
	usage(PARSE("-c", "0"), "for --count", "count 0");
	usage(PARSE("-c", " 3"), "for --count", "count with a space");
	usage(PARSE("-p", "65536"), "for --port", "port too big");
	usage(PARSE("-p", "80a"), "for --port", "port junk");
	usage(PARSE("-4", "-6"), "-4 and -6", "-4 with -6");
	usage(PARSE("--bogus"), "unknown option --bogus", "unknown long");
	usage(PARSE("--bogus=1"), "unknown option --bogus", "unknown long =");
	usage(PARSE("-z"), "unknown option -z", "unknown short");
	usage(PARSE("--dump", "-nz"), "unknown option -z",
	    "unknown short in a cluster");
	usage(PARSE("--dump=yes"), "option --dump takes no value",
	    "value to a flag");
	usage(PARSE("-t"), "option --duration needs a value", "missing value");
	usage(PARSE("--panes"), "option --panes needs a value",
	    "missing long value");
	usage(PARSE("--panes", "dns", "-i", "eth0"), "capture options need "
	    "the http pane", "-i without the http pane");
	usage(PARSE("--panes", "sockets", "-r", "x.pcap"), "capture options "
	    "need the http pane", "-r without the http pane");
	usage(PARSE("-i", "lo", "-r", "x.pcap"), "options -i and -r exclude "
	    "each other", "-i with -r");
	usage(PARSE("--fetch"), "--fetch needs one http:// or https:// URL",
	    "--fetch without a target");
	usage(PARSE("--fetch", "example.test"), "--fetch needs one http://",
	    "--fetch with a host, not a URL");
	usage(PARSE("--fetch=0", "http://x.test/"), "bad value '0' for "
	    "--fetch", "--fetch=0");
	usage(PARSE("--fetch", "-r", "x.pcap", "http://x.test/"),
	    "--fetch watches a live capture", "--fetch with -r");
	usage(PARSE("--keepalive", "2", "http://x.test/"), "--concurrency "
	    "and --keepalive go with --fetch", "--keepalive alone");
	usage(PARSE("--fetch", "--concurrency", "0", "http://x.test/"),
	    "bad value '0' for --concurrency", "--concurrency 0");
	usage(PARSE("--lab", "http://x.test/"), "--lab brings its own "
	    "target", "--lab with a target");
	usage(PARSE("--lab", "-s", "127.0.0.1"), "--lab brings its own",
	    "--lab with -s");
	usage(PARSE("ftp://x.test"), "bad target 'ftp://x.test'",
	    "ftp URL");
	usage(PARSE("http://"), "bad target", "URL without a host");
	usage(PARSE("host:0"), "bad target", "port 0");
	usage(PARSE("[::1"), "bad target", "unclosed bracket");
	usage(PARSE("[example.com]:80"), "bad target", "bracketed name");
	usage(PARSE("http://::1/"), "bad target", "URL with bare IPv6");
	usage(PARSE("a b"), "bad target", "space in a host");
	usage(PARSE("a", "b", "c", "d", "e", "f", "g", "h", "i"),
	    "too many targets", "nine targets");
	usage(PARSE("\x1b[2J"), "bad target '\\x1b[2J'",
	    "hostile argv echoed sanitized");
}

/* Run a parse whose output (--help, --version) goes to /dev/null. */
static enum tb_opts_result
parse_quiet(const char *arg)
{
	enum tb_opts_result	 r;
	int			 saved, fd;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if ((fd = open("/dev/null", O_WRONLY)) != -1) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	r = PARSE(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return r;
}

static void
test_exit_ok(void)
{
	is_int(parse_quiet("--version"), TB_OPTS_EXIT_OK, "--version exits 0");
	is_int(parse_quiet("-h"), TB_OPTS_EXIT_OK, "-h exits 0");
	is_int(parse_quiet("--help"), TB_OPTS_EXIT_OK, "--help exits 0");
	is_str(tb_pane_name(TB_PANE_SOCKETS), "sockets", "tb_pane_name");
	is_str(tb_pane_name(TB_PANE_TRACE), "trace", "tb_pane_name trace");
}

static void
test_trace(void)
{
	is_int(PARSE("--panes", "http", "-i", "lo", "-f", "tcp port 80",
	    "-w", "out.pcap"), TB_OPTS_RUN, "--panes http -i -f -w");
	is_int(o.panes, TB_PANE_HTTP, "the http pane alone");
	ok(o.iface != NULL && strcmp(o.iface, "lo") == 0 && o.filter != NULL &&
	    strcmp(o.filter, "tcp port 80") == 0 && o.write_path != NULL &&
	    o.read_path == NULL && o.is_panes_given, "capture options kept");
	is_int(PARSE("--dump", "--read", "in.pcapng"), TB_OPTS_RUN, "--read");
	ok(o.read_path != NULL && strcmp(o.read_path, "in.pcapng") == 0 &&
	    !o.is_panes_given && (o.panes & TB_PANE_HTTP), "-r, default panes");
	is_int(PARSE("--panes", "trace"), TB_OPTS_RUN, "--panes trace");
	is_int(o.panes, TB_PANE_TRACE, "the trace pane alone");
	is_int(o.proto, 0, "default protocol icmp");
	is_int(o.max_ttl, 0, "default max TTL");
	is_int(o.first_ttl, 0, "default first TTL");
	is_int(o.is_ecmp, 0, "no ECMP by default");
	is_int(PARSE("-P", "udp", "-m", "255", "--first-ttl", "3", "--ecmp",
	    "x.test"), TB_OPTS_RUN, "trace options");
	ok(o.proto == 1 && o.max_ttl == 255 && o.first_ttl == 3 &&
	    o.is_ecmp == 1, "-P udp -m 255 --first-ttl 3 --ecmp");
	is_int(PARSE("--fetch", "http://x.test/"), TB_OPTS_RUN, "--fetch");
	ok(o.fetch_count == 1 && o.fetch_concurrency == 1 &&
	    o.fetch_keepalive == 0, "--fetch: once, one at a time, no pool");
	is_int(PARSE("--fetch=500", "--concurrency", "100", "--keepalive", "2",
	    "http://x.test/"), TB_OPTS_RUN, "--fetch=500 --concurrency "
	    "--keepalive");
	ok(o.fetch_count == 500 && o.fetch_concurrency == 100 &&
	    o.fetch_keepalive == 2, "--fetch=500 --concurrency 100 "
	    "--keepalive 2");
	is_int(PARSE("--panes", "http,sockets", "--fetch", "-s", "127.0.0.1",
	    "http://x.test/"), TB_OPTS_RUN, "-s for the fetch's lookup "
	    "without the dns pane");
	is_int(PARSE("--lab"), TB_OPTS_RUN, "--lab");
	ok(o.is_lab && o.fetch_count == 0, "--lab set");
	is_int(PARSE("--fetch", "0"), TB_OPTS_USAGE, "--fetch 0: 0 is a "
	    "target, not a URL");
	is_int(PARSE("--protocol", "TCP"), TB_OPTS_RUN, "-P TCP");
	is_int(o.proto, 2, "tcp is 2");
	is_int(PARSE("-P", "icmp", "-m", "1"), TB_OPTS_RUN, "-P icmp -m 1");
	is_int(o.proto, 0, "icmp is 0");
	usage(PARSE("-P", "sctp"), "bad value 'sctp' for --protocol: want "
	    "icmp, udp or tcp", "unknown protocol");
	usage(PARSE("-m", "0"), "bad value '0' for --max-ttl: want a TTL, "
	    "1 to 255", "max TTL 0");
	usage(PARSE("-m", "256"), "bad value '256' for --max-ttl: want a TTL, "
	    "1 to 255", "max TTL 256");
	usage(PARSE("-m", "-1"), "for --max-ttl", "negative max TTL");
	usage(PARSE("--first-ttl", "0"), "for --first-ttl", "first TTL 0");
	usage(PARSE("--first-ttl", "31"), "--first-ttl 31 is past the max "
	    "TTL 30", "first TTL past the default max");
	usage(PARSE("--first-ttl", "9", "-m", "8"), "--first-ttl 9 is past "
	    "the max TTL 8", "first TTL past -m");
	is_int(PARSE("--first-ttl", "8", "-m", "8"), TB_OPTS_RUN,
	    "first TTL = max TTL");
	usage(PARSE("--panes", "dns", "-P", "udp"), "trace options need the "
	    "trace pane", "-P without the trace pane");
	usage(PARSE("--panes", "sockets", "--ecmp"), "trace options need",
	    "--ecmp without the trace pane");
	is_int(PARSE("--panes", "trace", "-s", "127.0.0.1:5353"), TB_OPTS_RUN,
	    "-s with the trace pane alone (its names)");
	usage(PARSE("--panes", "trace", "-q", "x.test"), "need the dns pane",
	    "-q still needs the dns pane");
	usage(PARSE("--ecmp=1"), "option --ecmp takes no value",
	    "--ecmp with a value");
}

int
main(void)
{
	test_defaults();
	test_good();
	test_targets();
	test_trace();
	test_bad();
	test_dns();
	test_exit_ok();
	return done_testing();
}
