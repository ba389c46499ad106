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

static const char snmp[] =
    "Ip: Forwarding DefaultTTL\n"
    "Ip: 1 64\n"
    "Icmp: InMsgs InErrors\n"
    "Icmp: 0 0\n"
    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens "
    "AttemptFails EstabResets CurrEstab InSegs OutSegs\n"
    "Tcp: 1 200 120000 -1 10076 10063 4 21 7 65320 65192\n"
    "Udp: InDatagrams NoPorts\n"
    "Udp: 0 0\n";

static const char sockstat[] =
    "sockets: used 11\n"
    "TCP: inuse 5 orphan 1 tw 131072 alloc 9 mem 3\n"
    "UDP: inuse 0 mem 0\n";

static const char sockstat6[] =
    "TCP6: inuse 2\n"
    "UDP6: inuse 0\n";

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

static int
parse_snmp(const char *text, struct netstat_snmp *sn)
{
	return netstat_parse_snmp(text, strlen(text), sn);
}

static int
parse_ss(const char *text, int is_v6, struct netstat_sockstat *ss)
{
	return netstat_parse_sockstat(text, strlen(text), is_v6, ss);
}

static void
test_snmp(void)
{
	struct netstat_snmp	sn;
	char			cut[sizeof(snmp)];
	size_t			n;

	is_int(parse_snmp(snmp, &sn), 0, "Tcp pair parses");
	is_int(sn.curr_estab, 7, "CurrEstab");
	is_int(sn.active_opens, 10076, "ActiveOpens");
	is_int(sn.passive_opens, 10063, "PassiveOpens");
	is_int(sn.attempt_fails, 4, "AttemptFails");
	is_int(sn.estab_resets, 21, "EstabResets");

	is_int(parse_snmp("TcpExt: CurrEstab\nTcpExt: 5\n", &sn), -1,
	    "TcpExt is not Tcp");
	is_int(sn.curr_estab, -1, "CurrEstab unknown then");
	is_int(parse_snmp("Tcp: CurrEstab\nUdp: 5\n", &sn), -1,
	    "header followed by another line");
	is_int(parse_snmp("Tcp: MaxConn CurrEstab\nTcp: -1 -3\n", &sn), 0,
	    "negative values");
	is_int(sn.curr_estab, -1, "negative value ignored");
	is_int(parse_snmp("Tcp: ActiveOpens CurrEstab\nTcp: 3", &sn), 0,
	    "short value line");
	ok(sn.active_opens == 3 && sn.curr_estab == -1,
	    "missing value stays -1");
	is_int(parse_snmp("Tcp: AttemptFails\nTcp: 1\n", &sn), 0,
	    "missing names");
	ok(sn.curr_estab == -1 && sn.passive_opens == -1,
	    "missing names stay -1");
	is_int(netstat_parse_snmp(NULL, 0, &sn), -1, "NULL snmp text");

	for (n = 0; n < sizeof(snmp) - 1; n++) {
		memcpy(cut, snmp, n);
		(void)netstat_parse_snmp(cut, n, &sn);
	}
	ok(1, "all snmp truncations survive");
}

static void
test_sockstat(void)
{
	struct netstat_sockstat	ss;
	char			cut[sizeof(sockstat)];
	size_t			n;

	is_int(parse_ss(sockstat, 0, &ss), 0, "TCP line parses");
	is_int(ss.inuse, 5, "inuse");
	is_int(ss.orphan, 1, "orphan");
	is_int(ss.tw, 131072, "tw");
	is_int(ss.alloc, 9, "alloc");
	is_int(ss.mem, 3, "mem");
	ss.inuse6 = 42;
	is_int(parse_ss(sockstat6, 1, &ss), 0, "TCP6 line parses");
	is_int(ss.inuse6, 2, "inuse6");
	is_int(ss.tw, 131072, "TCP6 leaves the TCP fields alone");
	is_int(parse_ss(sockstat, 1, &ss), -1, "no TCP6 line in sockstat");
	is_int(ss.inuse6, -1, "inuse6 unknown then");
	is_int(parse_ss(sockstat6, 0, &ss), -1, "TCP6 is not TCP");

	is_int(parse_ss("TCP: inuse 3 tw\n", 0, &ss), 0, "name without value");
	ok(ss.inuse == 3 && ss.tw == -1, "valueless name stays -1");
	is_int(parse_ss("TCP: tw x7 mem 2 future 9\n", 0, &ss), 0,
	    "junk value, unknown name");
	ok(ss.tw == -1 && ss.mem == 2, "junk ignored, the rest read");
	is_int(parse_ss("TCP:\ttw\t99999999999999999999\r\n", 0, &ss), 0,
	    "overflow, tabs, CRLF");
	is_int(ss.tw, -1, "overflowing tw ignored");
	is_int(parse_ss("UDP: inuse 1\nTCP: tw 4", 0, &ss), 0,
	    "last line without newline");
	is_int(ss.tw, 4, "last line value");
	is_int(netstat_parse_sockstat(NULL, 0, 0, &ss), -1, "NULL text");

	for (n = 0; n < sizeof(sockstat) - 1; n++) {
		memcpy(cut, sockstat, n);
		(void)netstat_parse_sockstat(cut, n, 0, &ss);
	}
	ok(1, "all sockstat truncations survive");
	n = strlen("sockets: used 11\nTCP: inuse 5 orphan 1 tw 131");
	is_int(netstat_parse_sockstat(sockstat, n, 0, &ss), 0,
	    "cut inside tw");
	ok(ss.tw == 131 && ss.alloc == -1, "cut value read as what is there");
}

int
main(void)
{
	test_tcpext();
	test_port_range();
	test_long();
	test_snmp();
	test_sockstat();
	return done_testing();
}
