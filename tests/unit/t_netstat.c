/* netstat parsers over crafted and truncated /proc text. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "model/netstat.h"
#include "tap.h"

static const char good[] =
    "TcpExt: SyncookiesSent SyncookiesRecv TW TWRecycled "
    "TCPAbortOnClose TCPTimeWaitOverflow\n"
    "TcpExt: 0 0 12345 0 77 3\n"
    "IpExt: InNoRoutes InTruncatedPkts\n"
    "IpExt: 0 0\n";

static int
parse(const char *text, struct netstat_tcpext *nt)
{
	return netstat_parse(text, strlen(text), nt);
}

static void
test_tcpext(void)
{
	struct netstat_tcpext	nt;
	char			cut[sizeof(good)];
	size_t			n;

	is_int(parse(good, &nt), 0, "TcpExt pair parses");
	is_int(nt.tw, 12345, "TW");
	is_int(nt.abort_on_close, 77, "TCPAbortOnClose");
	is_int(nt.tw_overflow, 3, "TCPTimeWaitOverflow");

	is_int(parse("IpExt: A\nIpExt: 1\n", &nt), -1, "no TcpExt line");
	is_int(nt.tw, -1, "TW unknown then");
	is_int(parse("TcpExt: TW\n", &nt), -1, "header without values");
	is_int(parse("TcpExt: TW\nIpExt: 5\n", &nt), -1,
	    "header followed by another line");
	is_int(parse("TcpExt: TW TCPTimeWaitOverflow\nTcpExt: 9", &nt), 0,
	    "short value line, no trailing newline");
	ok(nt.tw == 9 && nt.tw_overflow == -1, "missing values stay -1");
	is_int(parse("TcpExt: TW TCPAbortOnClose\nTcpExt: x1 2\n", &nt), 0,
	    "junk value");
	ok(nt.tw == -1 && nt.abort_on_close == 2, "junk value ignored");
	is_int(parse("TcpExt: TW\nTcpExt: 99999999999999999999999\n", &nt), 0,
	    "overflowing value");
	is_int(nt.tw, -1, "overflowing value ignored");
	is_int(parse("TcpExt:\tTW\r\nTcpExt:\t5\r\n", &nt), 0, "tabs, CRLF");
	is_int(nt.tw, 5, "tabs, CRLF value");
	is_int(netstat_parse("", 0, &nt), -1, "empty text");
	is_int(netstat_parse(NULL, 0, &nt), -1, "NULL text");

	/* Every prefix of good text must parse or fail, never crash. */
	for (n = 0; n < sizeof(good) - 1; n++) {
		memcpy(cut, good, n);
		(void)netstat_parse(cut, n, &nt);
	}
	ok(1, "all truncations survive");
	/* Cut in the middle of the value 12345: never a bigger number. */
	n = strchr(good, '\n') - good + strlen("\nTcpExt: 0 0 123");
	is_int(netstat_parse(good, n, &nt), 0, "cut inside the values");
	is_int(nt.tw, 123, "cut value read as what is there");
}

static void
test_port_range(void)
{
	uint16_t	lo = 0, hi = 0;

	is_int(netstat_parse_port_range("32768\t60999\n", 12, &lo, &hi), 0,
	    "port range parses");
	ok(lo == 32768 && hi == 60999, "port range values");
	is_int(netstat_parse_port_range("1024 65535", 10, &lo, &hi), 0,
	    "wide range");
	is_int(netstat_parse_port_range("60999 32768\n", 12, &lo, &hi), -1,
	    "lo > hi rejected");
	is_int(netstat_parse_port_range("1 70000\n", 8, &lo, &hi), -1,
	    "hi > 65535 rejected");
	is_int(netstat_parse_port_range("32768\n", 6, &lo, &hi), -1,
	    "one number rejected");
	is_int(netstat_parse_port_range("1 2 3\n", 6, &lo, &hi), -1,
	    "three numbers rejected");
}

static void
test_long(void)
{
	long	v = 0;

	is_int(netstat_parse_long("262144\n", 7, &v), 0, "sysctl parses");
	is_int(v, 262144, "sysctl value");
	is_int(netstat_parse_long("-1\n", 3, &v), 0, "negative");
	is_int(v, -1, "negative value");
	is_int(netstat_parse_long("2x\n", 3, &v), -1, "junk rejected");
	is_int(netstat_parse_long("\n", 1, &v), -1, "empty rejected");
	is_int(netstat_parse_long("-\n", 2, &v), -1, "lone minus rejected");
}

int
main(void)
{
	test_tcpext();
	test_port_range();
	test_long();
	return done_testing();
}
