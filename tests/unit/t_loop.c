#include "config.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "tap.h"

#define SAFETY_MS	3000	/* a failing test stops instead of hanging */

static struct tb_loop	*loop;
static char		 order[32];
static size_t		 norder;
static int		 nhooks, nread, nsignals, got_signo;

static void
on_safety(void *arg)
{
	(void)arg;
	ok(0, "safety timer fired: the loop did not stop by itself");
	tb_loop_stop(loop);
}

static void
on_mark(void *arg)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = *(const char *)arg;
}

static void
on_mark_stop(void *arg)
{
	on_mark(arg);
	tb_loop_stop(loop);
}

static void
test_timers(void)
{
	uint64_t	now;
	unsigned	id;

	loop = tb_loop_new();
	norder = 0;
	now = tb_now_ms();
	/* Registered out of order, all already due: run by deadline. */
	tb_loop_timer(loop, now - 3, on_mark, "b");
	tb_loop_timer(loop, now - 5, on_mark, "a");
	tb_loop_timer(loop, now + 30, on_mark, "d");
	tb_loop_timer(loop, now - 1, on_mark, "c");
	id = tb_loop_timer(loop, now + 10, on_mark, "X");
	ok(id > 0, "timer id is positive");
	tb_loop_timer_cancel(loop, id);
	tb_loop_timer_cancel(loop, 9999);	/* unknown id: no effect */
	tb_loop_timer(loop, now + 60, on_mark_stop, "e");
	tb_loop_timer(loop, now + SAFETY_MS, on_safety, NULL);
	is_int(tb_loop_run(loop), 0, "loop returns 0");
	order[norder] = '\0';
	is_str(order, "abcde", "timers fire by deadline, cancelled one never");
	ok(tb_now_ms() - now >= 60, "stop timer did not fire early");
	ok(!tb_loop_is_running(loop), "not running after stop");
	tb_loop_free(loop);
}

static void
on_readable(int fd, short revents, void *arg)
{
	char	c;

	(void)arg;
	if ((revents & POLLIN) && read(fd, &c, 1) == 1 && c == 'z')
		nread++;
	tb_loop_io_del(loop, fd);
	tb_loop_stop(loop);
}

static void
on_write_later(void *arg)
{
	int	fd = *(int *)arg;

	if (write(fd, "z", 1) != 1)
		ok(0, "pipe write");
}

static void
on_hook(void *arg)
{
	(void)arg;
	nhooks++;
}

static void
test_io(void)
{
	int	fds[2];

	loop = tb_loop_new();
	if (pipe(fds) == -1) {
		ok(0, "pipe");
		return;
	}
	nread = nhooks = 0;
	is_int(tb_loop_io(loop, fds[0], POLLIN, on_readable, NULL), 0,
	    "watch the read end");
	is_int(tb_loop_io(loop, -1, POLLIN, on_readable, NULL), -1,
	    "negative fd refused");
	tb_loop_before_sleep(loop, on_hook, NULL);
	tb_loop_timer(loop, tb_now_ms() + 20, on_write_later, &fds[1]);
	tb_loop_timer(loop, tb_now_ms() + SAFETY_MS, on_safety, NULL);
	tb_loop_run(loop);
	is_int(nread, 1, "fd became readable, callback read the byte");
	ok(nhooks >= 1, "before-sleep hook ran (%d times)", nhooks);
	close(fds[0]);
	close(fds[1]);
	tb_loop_free(loop);
}

/* A hook that arms a timer must not leave poll() sleeping past it. */
static void
on_hook_arm(void *arg)
{
	static int	is_armed;

	(void)arg;
	if (is_armed)
		return;
	is_armed = 1;
	tb_loop_timer(loop, tb_now_ms(), on_mark_stop, "h");
}

static void
test_hook_timer(void)
{
	uint64_t	t0;

	loop = tb_loop_new();
	norder = 0;
	tb_loop_before_sleep(loop, on_hook_arm, NULL);
	t0 = tb_now_ms();
	tb_loop_timer(loop, t0 + 1000, on_safety, NULL);
	tb_loop_run(loop);
	ok(norder == 1 && order[0] == 'h', "timer armed by a hook fired");
	ok(tb_now_ms() - t0 < 500, "without waiting for an older deadline");
	tb_loop_free(loop);
}

static void
on_stop_hook(void *arg)
{
	(void)arg;
	nhooks++;
	tb_loop_stop(loop);
}

static void
test_stop_from_hook(void)
{
	loop = tb_loop_new();
	nhooks = 0;
	tb_loop_before_sleep(loop, on_stop_hook, NULL);
	tb_loop_timer(loop, tb_now_ms() + SAFETY_MS, on_safety, NULL);
	is_int(tb_loop_run(loop), 0, "stop from a hook");
	is_int(nhooks, 1, "hook ran once");
	tb_loop_free(loop);
}

static void
on_signal(int signo, void *arg)
{
	(void)arg;
	nsignals++;
	got_signo = signo;
	tb_loop_stop(loop);
}

static void
on_raise(void *arg)
{
	(void)arg;
	raise(SIGUSR1);
}

static void
test_signal(void)
{
	loop = tb_loop_new();
	nsignals = 0;
	is_int(tb_loop_signal(loop, SIGUSR1, on_signal, NULL), 0,
	    "register SIGUSR1");
	is_int(tb_loop_signal(loop, SIGUSR2, on_signal, NULL), 0,
	    "register SIGUSR2 on the same signalfd");
	/* Blocked now: raise() must not kill the process. */
	tb_loop_timer(loop, tb_now_ms() + 10, on_raise, NULL);
	tb_loop_timer(loop, tb_now_ms() + SAFETY_MS, on_safety, NULL);
	tb_loop_run(loop);
	is_int(nsignals, 1, "signal delivered once through the loop");
	is_int(got_signo, SIGUSR1, "with its number");
	tb_loop_free(loop);
}

int
main(void)
{
	test_timers();
	test_io();
	test_hook_timer();
	test_stop_from_hook();
	test_signal();
	return done_testing();
}
