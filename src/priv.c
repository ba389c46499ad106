/*
 * Dropping privileges without libcap: the capset(2) and prctl(2) calls
 * it wraps are few, and one dependency fewer is one thing less to audit.
 */
#include "config.h"

#include "priv.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/capability.h>
#include <linux/securebits.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PRIV_CAP_WORDS	_LINUX_CAPABILITY_U32S_3
#define PRIV_LAST_CAP	63	/* every bit capget can report */

static int
priv_capget(struct __user_cap_data_struct data[PRIV_CAP_WORDS])
{
	struct __user_cap_header_struct	hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	memset(data, 0, sizeof(data[0]) * PRIV_CAP_WORDS);
	return (int)syscall(SYS_capget, &hdr, data);
}

static int
priv_capset_none(void)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[PRIV_CAP_WORDS];

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

int
tb_priv_has_net_raw(void)
{
	struct __user_cap_data_struct	data[PRIV_CAP_WORDS];

	if (priv_capget(data) == -1)
		return 0;
	return (data[CAP_TO_INDEX(CAP_NET_RAW)].effective &
	    CAP_TO_MASK(CAP_NET_RAW)) != 0;
}

/* A decimal id from the environment (sudo's SUDO_UID), or -1. */
static long
priv_env_id(const char *name)
{
	const char	*s = getenv(name);
	char		*end;
	long		 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v >= (long)INT_MAX)
		return -1;
	return v;
}

/*
 * Who to become: the user who ran sudo, else the real ids (a setuid
 * install), else who we are (root stays uid 0, without capabilities).
 */
static void
priv_target(uid_t *uid, gid_t *gid)
{
	long	u, g;

	*uid = getuid();
	*gid = getgid();
	if (*uid == 0 && (u = priv_env_id("SUDO_UID")) > 0 &&
	    (g = priv_env_id("SUDO_GID")) >= 0) {
		*uid = (uid_t)u;
		*gid = (gid_t)g;
	}
}

static int
priv_set_ids(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct passwd	*pw;

	if (geteuid() == uid && getegid() == gid && getuid() == uid &&
	    getgid() == gid && uid != 0)
		return 0;
	if (geteuid() == 0) {
		/* The user's own groups, not root's; none if unknown. */
		pw = getpwuid(uid);
		if ((pw != NULL ? initgroups(pw->pw_name, gid) :
		    setgroups(0, NULL)) == -1 && uid != 0) {
			snprintf(err, errlen, "setgroups: %s",
			    strerror(errno));
			return -1;
		}
	}
	if (setresgid(gid, gid, gid) == -1 || setresuid(uid, uid, uid) == -1) {
		snprintf(err, errlen, "changing to uid %u gid %u: %s",
		    (unsigned)uid, (unsigned)gid, strerror(errno));
		return -1;
	}
	return 0;
}

/* While CAP_SETPCAP lasts: empty the bounding set, lock root out. */
static void
priv_bound(void)
{
	int	cap;

	for (cap = 0; cap <= PRIV_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno == EINVAL)
			break;	/* past the kernel's last capability */
	/* uid 0 (root without sudo) gains nothing back on execve. */
	(void)prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0);
}

static int
priv_check(uid_t uid, char *err, size_t errlen)
{
	struct __user_cap_data_struct	data[PRIV_CAP_WORDS];
	int				i;

	if (priv_capget(data) == -1) {
		snprintf(err, errlen, "capget: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < PRIV_CAP_WORDS; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 ||
		    data[i].inheritable != 0) {
			snprintf(err, errlen, "capabilities still held after "
			    "dropping them");
			return -1;
		}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		snprintf(err, errlen, "no_new_privs did not stick");
		return -1;
	}
	if (uid != 0 && (setuid(0) != -1 || geteuid() == 0)) {
		snprintf(err, errlen, "could become root again");
		return -1;
	}
	return 0;
}

int
tb_priv_drop(char *err, size_t errlen)
{
	uid_t	uid;
	gid_t	gid;

	priv_target(&uid, &gid);
	priv_bound();
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (priv_set_ids(uid, gid, err, errlen) == -1)
		return -1;
	if (priv_capset_none() == -1) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		return -1;
	}
	return priv_check(uid, err, errlen);
}
