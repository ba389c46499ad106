/*
 * The lab (tubes --lab): a tiny internet in network namespaces, built on
 * any Linux machine, offline.  A client, routers (one silent, an ECMP
 * pair, one that rate-limits ICMP), a DNS server for lab.test (a CNAME
 * chain, a slow name, a broken name) and a web server (keep-alive, a slow
 * path, a 404, a large body), with background traffic: browsing-like
 * requests and 100 concurrent clients sharing a pool of 2 connections, so
 * that TIME_WAIT builds up.  Everything is named LAB_PREFIX*, uses
 * documentation addresses inside the namespaces only, and is removed on
 * exit, on Ctrl-C, on a crash (a stale lab is removed at the next start).
 */
#ifndef TUBES_LAB_LAB_H
#define TUBES_LAB_LAB_H

#include <stddef.h>

struct tb_opts;

#define LAB_PREFIX	"tubes-lab-"
#define LAB_URL		"http://www.lab.test/"
#define LAB_DNS		"198.51.100.53"

/*
 * Build the lab (needs root), start its servers and traffic, and fork.
 * Returns 0 in the child: it now runs in the client's namespace, and o's
 * target, DNS server (and one --fetch unless one was given) are the
 * lab's; the caller goes on as tubes does without --lab.  The parent, the
 * lab's keeper, never returns: it waits for the child (Ctrl-C included),
 * removes everything and exits with the child's status.  -1: err names
 * the cause and the fix (not root, a tool missing, ...), and nothing is
 * left behind.
 */
int	lab_enter(struct tb_opts *o, char *err, size_t errlen);

/* Remove what a killed lab left (namespaces, processes): 1 something was
 * removed, 0 nothing was there, -1 err says what could not be removed. */
int	lab_cleanup_stale(char *err, size_t errlen);

#endif
