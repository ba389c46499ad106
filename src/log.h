/*
 * Messages and fatal exits.  Every message is "tubes: <what failed>" on
 * stderr.  Fatal exits run the registered cleanup hooks first (the TUI
 * registers endwin()), so the terminal is restored before the text prints.
 */
#ifndef TUBES_LOG_H
#define TUBES_LOG_H

typedef void (*tb_cleanup_fn)(void *);

void	tb_cleanup_add(tb_cleanup_fn, void *);
void	tb_cleanup_run(void);
void	tb_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	tb_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	tb_fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	tb_fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Usage error: one line, exit status 2. */
void	tb_usage_error(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
