#include "config.h"

#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#define LOOP_MAX_HOOKS		8
#define LOOP_MAX_SIGNALS	8
#define LOOP_MAX_TIMERS_PER_PASS	64

struct loop_io {
	int		 fd;
	short		 events;
	tb_io_fn	 fn;
	void		*arg;
};

struct loop_timer {
	unsigned	 id;
	uint64_t	 deadline_ms;
	tb_timer_fn	 fn;
	void		*arg;
};

struct tb_loop {
	struct loop_io		*ios;
	size_t			 nios, ios_cap;
	struct pollfd		*pfds;		/* snapshot given to poll() */
	struct loop_timer	*timers;
	size_t			 ntimers, timers_cap;
	unsigned		 next_timer_id;
	struct {
		tb_hook_fn	 fn;
		void		*arg;
	}			 hooks[LOOP_MAX_HOOKS];
	int			 nhooks;
	struct {
		int		 signo;
		tb_signal_fn	 fn;
		void		*arg;
	}			 sigs[LOOP_MAX_SIGNALS];
	int			 nsigs;
	int			 sigfd;
	sigset_t		 sigmask;
	int			 is_running;
};

uint64_t
tb_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
tb_now_ms(void)
{
	return tb_now_us() / 1000;
}

struct tb_loop *
tb_loop_new(void)
{
	struct tb_loop	*l;

	l = xcalloc(1, sizeof(*l));
	l->sigfd = -1;
	l->next_timer_id = 1;
	sigemptyset(&l->sigmask);
	return l;
}

void
tb_loop_free(struct tb_loop *l)
{
	if (l == NULL)
		return;
	if (l->sigfd != -1)
		close(l->sigfd);
	free(l->ios);
	free(l->pfds);
	free(l->timers);
	free(l);
}

static struct loop_io *
loop_find_io(struct tb_loop *l, int fd)
{
	size_t	i;

	for (i = 0; i < l->nios; i++)
		if (l->ios[i].fd == fd)
			return &l->ios[i];
	return NULL;
}

int
tb_loop_io(struct tb_loop *l, int fd, short events, tb_io_fn fn, void *arg)
{
	struct loop_io	*io;

	if (fd < 0)
		return -1;
	if (events == 0) {
		tb_loop_io_del(l, fd);
		return 0;
	}
	if ((io = loop_find_io(l, fd)) == NULL) {
		if (l->nios == l->ios_cap) {
			l->ios_cap = l->ios_cap ? l->ios_cap * 2 : 8;
			l->ios = xreallocarray(l->ios, l->ios_cap,
			    sizeof(*l->ios));
			l->pfds = xreallocarray(l->pfds, l->ios_cap,
			    sizeof(*l->pfds));
		}
		io = &l->ios[l->nios++];
	}
	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->arg = arg;
	return 0;
}

void
tb_loop_io_del(struct tb_loop *l, int fd)
{
	struct loop_io	*io;

	if ((io = loop_find_io(l, fd)) == NULL)
		return;
	*io = l->ios[--l->nios];
}

unsigned
tb_loop_timer(struct tb_loop *l, uint64_t deadline_ms, tb_timer_fn fn,
    void *arg)
{
	struct loop_timer	*t;

	if (l->ntimers == l->timers_cap) {
		l->timers_cap = l->timers_cap ? l->timers_cap * 2 : 8;
		l->timers = xreallocarray(l->timers, l->timers_cap,
		    sizeof(*l->timers));
	}
	t = &l->timers[l->ntimers++];
	t->id = l->next_timer_id++;
	if (l->next_timer_id == 0)
		l->next_timer_id = 1;
	t->deadline_ms = deadline_ms;
	t->fn = fn;
	t->arg = arg;
	return t->id;
}

void
tb_loop_timer_cancel(struct tb_loop *l, unsigned id)
{
	size_t	i;

	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->ntimers];
			return;
		}
	}
}

static void
loop_on_signalfd(int fd, short revents, void *arg)
{
	struct tb_loop			*l = arg;
	struct signalfd_siginfo		 si;
	int				 i, n;

	(void)revents;
	/* Bounded: at most one pass over what is pending now. */
	for (n = 0; n < 64; n++) {
		if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			return;
		for (i = 0; i < l->nsigs; i++)
			if (l->sigs[i].signo == (int)si.ssi_signo)
				l->sigs[i].fn((int)si.ssi_signo,
				    l->sigs[i].arg);
	}
}

int
tb_loop_signal(struct tb_loop *l, int signo, tb_signal_fn fn, void *arg)
{
	int	fd;

	if (l->nsigs == LOOP_MAX_SIGNALS)
		return -1;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) == -1)
		return -1;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	if (l->sigfd == -1) {
		l->sigfd = fd;
		tb_loop_io(l, fd, POLLIN, loop_on_signalfd, l);
	}
	l->sigs[l->nsigs].signo = signo;
	l->sigs[l->nsigs].fn = fn;
	l->sigs[l->nsigs].arg = arg;
	l->nsigs++;
	return 0;
}

void
tb_loop_before_sleep(struct tb_loop *l, tb_hook_fn fn, void *arg)
{
	if (l->nhooks == LOOP_MAX_HOOKS)
		tb_fatalx("loop: too many before-sleep hooks");
	l->hooks[l->nhooks].fn = fn;
	l->hooks[l->nhooks].arg = arg;
	l->nhooks++;
}

/* Index of the due timer with the earliest deadline (then oldest), or -1. */
static ssize_t
loop_next_due(const struct tb_loop *l, uint64_t now)
{
	const struct loop_timer	*t, *best = NULL;
	size_t			 i;

	for (i = 0; i < l->ntimers; i++) {
		t = &l->timers[i];
		if (t->deadline_ms > now)
			continue;
		if (best == NULL || t->deadline_ms < best->deadline_ms ||
		    (t->deadline_ms == best->deadline_ms &&
		    (int)(t->id - best->id) < 0))
			best = t;
	}
	return best == NULL ? -1 : best - l->timers;
}

/* poll() timeout until the next timer: -1 without timers. */
static int
loop_timeout(const struct tb_loop *l)
{
	uint64_t	now, next = UINT64_MAX;
	size_t		i;

	if (l->ntimers == 0)
		return -1;
	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].deadline_ms < next)
			next = l->timers[i].deadline_ms;
	now = tb_now_ms();
	if (next <= now)
		return 0;
	return next - now > 60000 ? 60000 : (int)(next - now);
}

/* Run due timers in deadline order. */
static void
loop_run_timers(struct tb_loop *l)
{
	struct loop_timer	 t;
	ssize_t			 i;
	int			 n;

	/* Bounded, so a timer that re-arms itself in the past cannot starve
	 * poll(): what is left runs on the next pass with a zero timeout. */
	for (n = 0; n < LOOP_MAX_TIMERS_PER_PASS && l->is_running &&
	    (i = loop_next_due(l, tb_now_ms())) != -1; n++) {
		t = l->timers[i];
		l->timers[i] = l->timers[--l->ntimers];
		t.fn(t.arg);
	}
}

static void
loop_dispatch(struct tb_loop *l, size_t npfds)
{
	struct loop_io	*io;
	size_t		 i;

	for (i = 0; i < npfds && l->is_running; i++) {
		if (l->pfds[i].revents == 0)
			continue;
		/* The callback may have been removed by an earlier one. */
		if ((io = loop_find_io(l, l->pfds[i].fd)) == NULL)
			continue;
		io->fn(io->fd, l->pfds[i].revents, io->arg);
	}
}

int
tb_loop_run(struct tb_loop *l)
{
	size_t	i, npfds;
	int	timeout, n, h;

	l->is_running = 1;
	while (l->is_running) {
		loop_run_timers(l);
		if (!l->is_running)
			break;
		for (h = 0; h < l->nhooks; h++)
			l->hooks[h].fn(l->hooks[h].arg);
		if (!l->is_running)
			break;
		/* After the hooks: they may arm timers. */
		timeout = loop_timeout(l);
		npfds = l->nios;
		for (i = 0; i < npfds; i++) {
			l->pfds[i].fd = l->ios[i].fd;
			l->pfds[i].events = l->ios[i].events;
			l->pfds[i].revents = 0;
		}
		n = poll(l->pfds, npfds, timeout);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			l->is_running = 0;
			return -1;
		}
		if (n > 0)
			loop_dispatch(l, npfds);
	}
	return 0;
}

void
tb_loop_stop(struct tb_loop *l)
{
	l->is_running = 0;
}

int
tb_loop_is_running(const struct tb_loop *l)
{
	return l->is_running;
}
