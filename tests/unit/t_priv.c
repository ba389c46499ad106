/*
 * tb_priv_drop: in a child process, as root, as sudo's user, as a plain
 * user holding file capabilities (what make install-caps gives), and with
 * /proc hidden, where the verification must fail with one clear line.
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <linux/capability.h>

#include <grp.h>
#include <sched.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "tap.h"

/* The value of a /proc/self/status line, or "". */
static const char *
status_field(const char *key, char *buf, size_t len)
{
	FILE	*f;
	char	 line[256];
	size_t	 klen = strlen(key);

	buf[0] = '\0';
	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return buf;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			snprintf(buf, len, "%s", line + klen + 1 +
			    strspn(line + klen + 1, " \t"));
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	fclose(f);
	return buf;
}

static int
check(int cond, const char *what)
{
	if (!cond)
		fprintf(stderr, "# child: %s\n", what);
	return cond ? 0 : 1;
}

/* Runs in the child; returns the number of failed checks. */
static int
child(const char *want_uid)
{
	char	err[256], v[128];
	int	nfail = 0, fd;

	nfail += check(tb_priv_has_net_raw(), "root has CAP_NET_RAW");
	if (tb_priv_drop(err, sizeof(err)) == -1) {
		fprintf(stderr, "# child: tb_priv_drop: %s\n", err);
		return 100;
	}
	nfail += check(strcmp(status_field("CapEff", v, sizeof(v)),
	    "0000000000000000") == 0, "CapEff 0");
	nfail += check(strcmp(status_field("CapPrm", v, sizeof(v)),
	    "0000000000000000") == 0, "CapPrm 0");
	nfail += check(strcmp(status_field("CapBnd", v, sizeof(v)),
	    "0000000000000000") == 0, "CapBnd 0");
	nfail += check(strcmp(status_field("NoNewPrivs", v, sizeof(v)),
	    "1") == 0, "NoNewPrivs 1");
	nfail += check(strcmp(status_field("Uid", v, sizeof(v)),
	    want_uid) == 0, "Uid as wanted");
	nfail += check(!tb_priv_has_net_raw(), "no CAP_NET_RAW after");
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	nfail += check(fd == -1, "raw socket refused after the drop");
	if (fd != -1)
		close(fd);
	return nfail;
}

/*
 * As setcap cap_net_raw,cap_net_admin+ep on the binary leaves a plain
 * user: uid 65534 holding those two, effective and permitted, and no
 * CAP_SETPCAP (so the bounding set stays as it is).
 */
static int
become_file_caps_user(void)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[_LINUX_CAPABILITY_U32S_3];
	uint32_t			want;

	want = CAP_TO_MASK(CAP_NET_RAW) | CAP_TO_MASK(CAP_NET_ADMIN);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 ||
	    setgroups(0, NULL) == -1 || setresgid(65534, 65534, 65534) == -1 ||
	    setresuid(65534, 65534, 65534) == -1)
		return -1;
	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = want;
	return (int)syscall(SYS_capset, &hdr, data);
}

static int
child_file_caps(void)
{
	char	err[256], v[128];
	int	nfail = 0;

	if (become_file_caps_user() == -1) {
		fprintf(stderr, "# child: cannot become uid 65534 with caps\n");
		return 100;
	}
	nfail += check(tb_priv_has_net_raw(), "file caps: CAP_NET_RAW held");
	if (tb_priv_drop(err, sizeof(err)) == -1) {
		fprintf(stderr, "# child: tb_priv_drop: %s\n", err);
		return 100;
	}
	nfail += check(strcmp(status_field("CapEff", v, sizeof(v)),
	    "0000000000000000") == 0, "CapEff 0");
	nfail += check(strcmp(status_field("CapPrm", v, sizeof(v)),
	    "0000000000000000") == 0, "CapPrm 0");
	nfail += check(strcmp(status_field("NoNewPrivs", v, sizeof(v)),
	    "1") == 0, "NoNewPrivs 1");
	nfail += check(strcmp(status_field("Uid", v, sizeof(v)),
	    "65534\t65534\t65534\t65534") == 0, "Uid still 65534");
	return nfail;
}

/* /proc/self/status gone (a tmpfs over /proc): the drop must refuse. */
static int
child_no_proc(void)
{
	char	err[256];

	unsetenv("SUDO_UID");
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("none", "/proc", "tmpfs", 0, NULL) == -1) {
		fprintf(stderr, "# child: cannot hide /proc\n");
		return 100;
	}
	err[0] = '\0';
	if (tb_priv_drop(err, sizeof(err)) != -1)
		return check(0, "tb_priv_drop fails without /proc");
	fprintf(stderr, "# child: said: %s\n", err);
	return check(strstr(err, "dropping privileges failed") == err &&
	    strstr(err, "/proc/self/status") != NULL &&
	    strchr(err, '\n') == NULL, "one line naming /proc/self/status");
}

static int
run_fn(int (*fn)(void))
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
run_child(const char *sudo_uid, const char *want_uid)
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (sudo_uid != NULL) {
			setenv("SUDO_UID", sudo_uid, 1);
			setenv("SUDO_GID", sudo_uid, 1);
		} else {
			unsetenv("SUDO_UID");
			unsetenv("SUDO_GID");
		}
		_exit(child(want_uid));
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int
main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root to drop privileges\n");
		return 0;
	}
	is_int(run_child(NULL, "0\t0\t0\t0"), 0,
	    "root without sudo: no capabilities, no_new_privs, uid 0 kept");
	is_int(run_child("65534", "65534\t65534\t65534\t65534"), 0,
	    "under sudo: back to SUDO_UID, no capabilities, no_new_privs");
	is_int(run_fn(child_file_caps), 0,
	    "file capabilities as uid 65534: all dropped, uid kept");
	is_int(run_fn(child_no_proc), 0,
	    "no /proc/self/status: refused with one clear line");
	return done_testing();
}
