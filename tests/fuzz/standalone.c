/*
 * Replay driver: runs a fuzz target over files and directories given on
 * the command line, so make check replays the corpus without libFuzzer.
 */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static const char	*replaying;	/* the input being run */

/* A target that aborts (an invariant) or faults takes the process with
 * it: name the input first, so make check's log says which one. */
static void
replay_fatal(int sig)
{
	static const char	msg[] = "fatal signal replaying ";

	if (replaying != NULL) {
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)!write(STDERR_FILENO, replaying, strlen(replaying));
		(void)!write(STDERR_FILENO, "\n", 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
replay_file(const char *path)
{
	FILE	*fp;
	uint8_t	*data;
	long	 len;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	data = malloc(len > 0 ? (size_t)len : 1);
	if (data == NULL || fread(data, 1, (size_t)len, fp) != (size_t)len) {
		fprintf(stderr, "%s: read failed\n", path);
		free(data);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	replaying = path;
	LLVMFuzzerTestOneInput(data, (size_t)len);
	replaying = NULL;
	free(data);
	return 0;
}

static int
replay_path(const char *path, int *nfiles)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 sub[4096];
	int		 rc = 0;

	if (stat(path, &st) == -1) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*nfiles)++;
		return replay_file(path);
	}
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (replay_path(sub, nfiles) == -1)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	int	i, nfiles = 0, rc = 0;

	signal(SIGABRT, replay_fatal);
	signal(SIGSEGV, replay_fatal);
	signal(SIGBUS, replay_fatal);
	signal(SIGFPE, replay_fatal);
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &nfiles) == -1)
			rc = 1;
	printf("replayed %d inputs\n", nfiles);
	return rc;
}
