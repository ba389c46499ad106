#include "config.h"

#include "model/procmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

#define PROCMAP_MIN_CAP	1024	/* hash slots, a power of two */
#define PROCMAP_COMM_LEN	16	/* TASK_COMM_LEN */

struct procmap_ent {
	uint32_t	 inode;		/* 0: empty slot */
	uint32_t	 proc;		/* index into procs */
};

struct procmap_proc {
	int		 pid;
	char		 comm[PROCMAP_COMM_LEN];
};

struct procmap {
	struct procmap_ent	*ents;
	size_t			 cap;		/* slots, a power of 2 */
	size_t			 n;		/* sockets stored */
	struct procmap_proc	*procs;
	size_t			 nprocs, procs_cap;
};

static size_t
procmap_slot(uint32_t inode, size_t cap)
{
	uint64_t	h = (uint64_t)inode * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (cap - 1);
}

/* Returns 1 if inode is new, 0 if it replaced an owner (shared fd). */
static int
procmap_put(struct procmap_ent *ents, size_t cap, uint32_t inode,
    uint32_t proc)
{
	size_t	i = procmap_slot(inode, cap);
	int	is_new;

	while (ents[i].inode != 0 && ents[i].inode != inode)
		i = (i + 1) & (cap - 1);
	is_new = ents[i].inode == 0;
	ents[i].inode = inode;
	ents[i].proc = proc;
	return is_new;
}

static void
procmap_grow(struct procmap *pm)
{
	struct procmap_ent	*old = pm->ents;
	size_t			 i, oldcap = pm->cap;

	pm->cap = oldcap * 2;
	pm->ents = xcalloc(pm->cap, sizeof(*pm->ents));
	for (i = 0; i < oldcap; i++)
		if (old[i].inode != 0)
			(void)procmap_put(pm->ents, pm->cap, old[i].inode,
			    old[i].proc);
	free(old);
}

static void
procmap_add(struct procmap *pm, uint32_t inode, uint32_t proc)
{
	if ((pm->n + 1) * 2 > pm->cap)
		procmap_grow(pm);
	pm->n += (size_t)procmap_put(pm->ents, pm->cap, inode, proc);
}

struct procmap *
procmap_new(void)
{
	struct procmap	*pm;

	pm = xcalloc(1, sizeof(*pm));
	pm->cap = PROCMAP_MIN_CAP;
	pm->ents = xcalloc(pm->cap, sizeof(*pm->ents));
	return pm;
}

void
procmap_free(struct procmap *pm)
{
	if (pm == NULL)
		return;
	free(pm->ents);
	free(pm->procs);
	free(pm);
}

static void
procmap_clear(struct procmap *pm)
{
	if (pm->cap > PROCMAP_MIN_CAP) {
		free(pm->ents);
		pm->cap = PROCMAP_MIN_CAP;
		pm->ents = xcalloc(pm->cap, sizeof(*pm->ents));
	} else
		memset(pm->ents, 0, pm->cap * sizeof(*pm->ents));
	pm->n = 0;
	pm->nprocs = 0;
}

/* "socket:[12345]" -> 12345; -1 for anything else. */
static int
procmap_parse_link(const char *s, size_t len, uint32_t *inode)
{
	uint64_t	v = 0;
	size_t		i;

	if (len < 10 || memcmp(s, "socket:[", 8) != 0 || s[len - 1] != ']')
		return -1;
	for (i = 8; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	if (v == 0)
		return -1;
	*inode = (uint32_t)v;
	return 0;
}

static void
procmap_read_comm(int procfd, int pid, char *comm)
{
	char	path[64];
	ssize_t	n;
	int	fd;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "%d/comm", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, comm, PROCMAP_COMM_LEN - 1);
	close(fd);
	if (n <= 0)
		n = 0;
	comm[n] = '\0';
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = '\0';
}

static uint32_t
procmap_add_proc(struct procmap *pm, int procfd, int pid)
{
	struct procmap_proc	*p;

	if (pm->nprocs == pm->procs_cap) {
		pm->procs_cap = pm->procs_cap ? pm->procs_cap * 2 : 64;
		pm->procs = xreallocarray(pm->procs, pm->procs_cap,
		    sizeof(*pm->procs));
	}
	p = &pm->procs[pm->nprocs];
	p->pid = pid;
	procmap_read_comm(procfd, pid, p->comm);
	return (uint32_t)pm->nprocs++;
}

/* Scan one process's fds; returns how many fds were looked at. */
static size_t
procmap_scan_pid(struct procmap *pm, int procfd, int pid, size_t budget)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[64], link[64];
	ssize_t		 n;
	size_t		 seen = 0;
	uint32_t	 inode, proc = UINT32_MAX;
	int		 fd;

	snprintf(path, sizeof(path), "%d/fd", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (seen < budget && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		seen++;
		n = readlinkat(fd, de->d_name, link, sizeof(link));
		if (n <= 0 || (size_t)n >= sizeof(link) ||
		    procmap_parse_link(link, (size_t)n, &inode) == -1)
			continue;
		if (proc == UINT32_MAX)
			proc = procmap_add_proc(pm, procfd, pid);
		procmap_add(pm, inode, proc);
	}
	closedir(d);
	return seen;
}

static int
procmap_pid(const char *name)
{
	long	v = 0;

	if (*name == '\0')
		return -1;
	for (; *name != '\0'; name++) {
		if (*name < '0' || *name > '9')
			return -1;
		v = v * 10 + (*name - '0');
		if (v > 0x7fffffff)
			return -1;
	}
	return (int)v;
}

int
procmap_build(struct procmap *pm, const char *procdir, size_t max_fds)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 seen = 0;
	int		 pid, procfd;

	procmap_clear(pm);
	if ((d = opendir(procdir)) == NULL)
		return -1;
	procfd = dirfd(d);
	while (seen < max_fds && (de = readdir(d)) != NULL) {
		if ((pid = procmap_pid(de->d_name)) <= 0)
			continue;
		seen += procmap_scan_pid(pm, procfd, pid, max_fds - seen);
	}
	closedir(d);
	return (int)pm->n;
}

int
procmap_lookup(const struct procmap *pm, uint32_t inode, int *pid,
    const char **comm)
{
	size_t	i;

	if (inode == 0 || pm->n == 0)
		return -1;
	i = procmap_slot(inode, pm->cap);
	while (pm->ents[i].inode != 0) {
		if (pm->ents[i].inode == inode) {
			*pid = pm->procs[pm->ents[i].proc].pid;
			*comm = pm->procs[pm->ents[i].proc].comm;
			return 0;
		}
		i = (i + 1) & (pm->cap - 1);
	}
	return -1;
}

size_t
procmap_count(const struct procmap *pm)
{
	return pm->n;
}
