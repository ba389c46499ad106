/*
 * maxrss: run a command, write its peak resident set (KB) to a file, exit
 * as it did (128 + N on a signal).
 *
 *   maxrss OUTFILE COMMAND [ARG...]
 *
 * What /usr/bin/time -f %M does, without the package.  The command is
 * started from this small process: Linux carries the peak RSS of the
 * forking process across execve, so a big parent (python) would be
 * counted in the child's figure.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <unistd.h>

#include "tool.h"

int
main(int argc, char **argv)
{
	struct rusage	 ru;
	FILE		*f;
	pid_t		 pid;
	int		 status;

	if (argc < 3)
		die("usage: maxrss OUTFILE COMMAND [ARG...]");
	if ((pid = fork()) == -1)
		die("fork failed");
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1)
		die("wait4 failed");
	if ((f = fopen(argv[1], "w")) == NULL ||
	    fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) == EOF)
		die("cannot write %s", argv[1]);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
