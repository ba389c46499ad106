/*
 * The one event loop: poll() over registered fds, one-shot timers, signals
 * (through a signalfd), and a before-sleep hook where drawing happens.
 * Callbacks run on the loop's thread and must do a bounded amount of work.
 */
#ifndef TUBES_LOOP_H
#define TUBES_LOOP_H

#include <stdint.h>

struct tb_loop;

typedef void (*tb_io_fn)(int fd, short revents, void *arg);
typedef void (*tb_timer_fn)(void *arg);
typedef void (*tb_signal_fn)(int signo, void *arg);
typedef void (*tb_hook_fn)(void *arg);

/* Monotonic clock. */
uint64_t	 tb_now_ms(void);
uint64_t	 tb_now_us(void);

struct tb_loop	*tb_loop_new(void);
void		 tb_loop_free(struct tb_loop *);

/* Watch fd for events (POLLIN/POLLOUT).  Registering an fd again replaces
 * its events and callback; events 0 removes it. */
int		 tb_loop_io(struct tb_loop *, int fd, short events, tb_io_fn,
		    void *);
void		 tb_loop_io_del(struct tb_loop *, int fd);

/* One-shot timer at an absolute tb_now_ms() deadline; returns an id > 0. */
unsigned	 tb_loop_timer(struct tb_loop *, uint64_t deadline_ms,
		    tb_timer_fn, void *);
void		 tb_loop_timer_cancel(struct tb_loop *, unsigned id);

/* Deliver signo through the loop instead of asynchronously.  Blocks the
 * signal for the process; -1 on failure. */
int		 tb_loop_signal(struct tb_loop *, int signo, tb_signal_fn,
		    void *);

/* Called once per iteration, just before poll() sleeps. Several allowed. */
void		 tb_loop_before_sleep(struct tb_loop *, tb_hook_fn, void *);

/* Run until tb_loop_stop(); returns 0, or -1 if poll() failed. */
int		 tb_loop_run(struct tb_loop *);
void		 tb_loop_stop(struct tb_loop *);
int		 tb_loop_is_running(const struct tb_loop *);

#endif
