/*
 * Socket inode -> owning process, built by scanning /proc/PID/fd links
 * ("socket:[N]").  Building is bounded (a cap on the fds looked at) and
 * only sees processes the caller may inspect; lookups are O(1).
 */
#ifndef TUBES_MODEL_PROCMAP_H
#define TUBES_MODEL_PROCMAP_H

#include <stddef.h>
#include <stdint.h>

#define PROCMAP_MAX_FDS		100000	/* fds read per build */

struct procmap;

struct procmap	*procmap_new(void);
void		 procmap_free(struct procmap *);
/*
 * Forget the old map and scan procdir ("/proc") again, looking at no more
 * than max_fds descriptors.  Returns the number of sockets found, or -1 if
 * procdir cannot be read.
 */
int		 procmap_build(struct procmap *, const char *procdir,
		    size_t max_fds);
/* 0 and *pid, *comm (borrowed, raw bytes, NUL-terminated) or -1. */
int		 procmap_lookup(const struct procmap *, uint32_t inode,
		    int *pid, const char **comm);
size_t		 procmap_count(const struct procmap *);

#endif
