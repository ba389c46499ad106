/*
 * The lab's daemons (labd_*.c): the DNS responder and the web server in
 * tubes-lab-srv, the background traffic in tubes-lab-client.  Each is a
 * child of the keeper (lab.c), already inside its namespace when its
 * main runs: it binds what it needs, calls labd_drop() and runs its own
 * poll loop until the keeper kills it.  None of them returns.
 */
#ifndef TUBES_LAB_LABD_H
#define TUBES_LAB_LABD_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define LABD_WEB4	"198.51.100.10"
#define LABD_DNS4	"198.51.100.53"
#define LABD_ZONE	"lab.test"

/* A lab address and its name, for the zone's A and PTR records. */
struct labd_host {
	const char	*addr;
	const char	*name;		/* "r2a.lab.test" */
};

extern const struct labd_host	labd_hosts[];
extern const size_t		labd_nhosts;

struct labd_env {
	uid_t		 uid;		/* nobody's */
	gid_t		 gid;
	pid_t		 keeper;
	int		 ready_fd;	/* "R" when up, else why not */
};

/* Give up root for good (nobody, no groups, no new privileges), then die
 * with the keeper.  On failure the keeper is told, and the child exits. */
void	labd_drop(struct labd_env *);
/* Tell the keeper the daemon is up. */
void	labd_ready(struct labd_env *);
/* Tell the keeper why the daemon could not start, and exit. */
void	labd_fail(struct labd_env *, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

void	labd_dns_main(struct labd_env *) __attribute__((noreturn));
void	labd_http_main(struct labd_env *) __attribute__((noreturn));
void	labd_traffic_main(struct labd_env *) __attribute__((noreturn));

#endif
