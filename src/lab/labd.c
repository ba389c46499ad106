/*
 * What every lab daemon shares: the lab's names, and how a daemon gives
 * up root and tells the keeper it is up.
 */
#include "config.h"

#include "lab/labd.h"

#include <sys/prctl.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Every address in the lab, by the interface it sits on (lab.c builds
 * the same table into links); a name's first address is its A record. */
const struct labd_host labd_hosts[] = {
	{ "203.0.113.1",	"client.lab.test" },
	{ "203.0.113.2",	"r1.lab.test" },
	{ "203.0.113.5",	"r1.lab.test" },
	{ "203.0.113.9",	"r1.lab.test" },
	{ "203.0.113.6",	"r2a.lab.test" },
	{ "203.0.113.13",	"r2a.lab.test" },
	{ "203.0.113.10",	"r2b.lab.test" },
	{ "203.0.113.17",	"r2b.lab.test" },
	{ "203.0.113.14",	"r3.lab.test" },
	{ "203.0.113.18",	"r3.lab.test" },
	{ "203.0.113.21",	"r3.lab.test" },
	{ "203.0.113.22",	"r4.lab.test" },
	{ "192.0.2.1",		"r4.lab.test" },
	{ "192.0.2.2",		"srv.lab.test" },
	{ LABD_WEB4,		"web.lab.test" },
	{ LABD_DNS4,		"ns.lab.test" },
};
const size_t labd_nhosts = sizeof(labd_hosts) / sizeof(labd_hosts[0]);

void
labd_fail(struct labd_env *e, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e->ready_fd != -1)
		(void)!write(e->ready_fd, msg, strlen(msg));
	_exit(1);
}

void
labd_ready(struct labd_env *e)
{
	(void)!write(e->ready_fd, "R", 1);
	(void)close(e->ready_fd);
	e->ready_fd = -1;
}

/*
 * The parent-death signal is set after the uid changes: the kernel
 * clears it on a change of credentials.
 */
void
labd_drop(struct labd_env *e)
{
	if (setgroups(0, NULL) == -1)
		labd_fail(e, "setgroups: %s", strerror(errno));
	if (setresgid(e->gid, e->gid, e->gid) == -1 ||
	    setresuid(e->uid, e->uid, e->uid) == -1)
		labd_fail(e, "becoming uid %u: %s", (unsigned)e->uid,
		    strerror(errno));
	if (e->uid != 0 && setuid(0) != -1)
		labd_fail(e, "could become root again");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		labd_fail(e, "no_new_privs: %s", strerror(errno));
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		labd_fail(e, "pdeathsig: %s", strerror(errno));
	if (getppid() != e->keeper)
		_exit(1);	/* the keeper is gone already */
}
