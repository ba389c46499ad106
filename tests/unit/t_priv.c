/* tb_priv_drop: in a child process, as root and as sudo's user. */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>

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
	return done_testing();
}
