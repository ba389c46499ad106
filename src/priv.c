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

/*
 * The kernel's own account, read back as ps(1) and the tests see it: a
 * second opinion that does not trust capget's structure version.  The
 * bounding set is not asked for: emptying it needs CAP_SETPCAP, which a
 * file-capability install (install-caps) does not grant.
 */
static const struct priv_want {
	const char	*key;
	int		 is_caps;	/* hex mask that must be 0 */
} priv_wants[] = {
	{ "CapInh", 1 }, { "CapPrm", 1 }, { "CapEff", 1 }, { "CapAmb", 1 },
	{ "NoNewPrivs", 0 }, { "Uid", 0 }, { "Gid", 0 },
};
#define PRIV_NWANTS	(sizeof(priv_wants) / sizeof(priv_wants[0]))

/* One status line "Key:\tvalue" against what it must say; 0 if it does. */
static int
priv_status_line(const char *line, uid_t uid, gid_t gid, unsigned *seen,
    char *err, size_t errlen)
{
	const struct priv_want	*w;
	const char		*v;
	char			 want[64];
	size_t			 i, klen;
	unsigned long		 id;

	for (i = 0; i < PRIV_NWANTS; i++) {
		w = &priv_wants[i];
		klen = strlen(w->key);
		if (strncmp(line, w->key, klen) == 0 && line[klen] == ':')
			break;
	}
	if (i == PRIV_NWANTS)
		return 0;
	*seen |= 1U << i;
	v = line + klen + 1 + strspn(line + klen + 1, " \t");
	if (w->is_caps) {
		if (strspn(v, "0") == strcspn(v, "\n") && *v == '0')
			return 0;
		snprintf(err, errlen, "%s is %.*s, not 0", w->key,
		    (int)strcspn(v, "\n"), v);
		return -1;
	}
	if (strcmp(w->key, "NoNewPrivs") == 0) {
		if (strncmp(v, "1\n", 2) == 0)
			return 0;
		snprintf(err, errlen, "NoNewPrivs is not 1");
		return -1;
	}
	id = strcmp(w->key, "Uid") == 0 ? (unsigned long)uid :
	    (unsigned long)gid;
	snprintf(want, sizeof(want), "%lu\t%lu\t%lu\t%lu\n", id, id, id, id);
	if (strcmp(v, want) == 0)
		return 0;
	snprintf(err, errlen, "%s is %.*s, want %lu for real, effective, "
	    "saved and filesystem ids", w->key, (int)strcspn(v, "\n"), v, id);
	return -1;
}

static int
priv_check_status(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	FILE		*f;
	char		 line[256];
	unsigned	 seen = 0;
	int		 rc = 0;

	if ((f = fopen("/proc/self/status", "re")) == NULL) {
		snprintf(err, errlen, "cannot verify: /proc/self/status: %s "
		    "(is /proc mounted?)", strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL)
		rc = priv_status_line(line, uid, gid, &seen, err, errlen);
	fclose(f);
	if (rc == 0 && seen != (1U << PRIV_NWANTS) - 1) {
		snprintf(err, errlen, "cannot verify: /proc/self/status lacks "
		    "a capability, NoNewPrivs or id line (kernel too old?)");
		rc = -1;
	}
	return rc;
}

static int
priv_drop(char *err, size_t errlen)
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
	if (priv_check(uid, err, errlen) == -1)
		return -1;
	return priv_check_status(uid, gid, err, errlen);
}

/* Fatal for the caller: one line that says it is about privileges. */
int
tb_priv_drop(char *err, size_t errlen)
{
	char	why[256];

	if (priv_drop(why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "dropping privileges failed: %s; refusing to "
	    "run with them", why);
	return -1;
}
