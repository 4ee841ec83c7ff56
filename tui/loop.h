/* loop.h: the UI thread's event loop.
 *
 * poll() on stdin, the store's wake fd and a self-pipe for signals, with a
 * timeout that lands on the next whole wall-clock second (the clock and the
 * data ages tick once a second).  After each wake-up the owner's draw hook
 * runs once; it repaints what is dirty and flushes. */
#ifndef SITREP_LOOP_H
#define SITREP_LOOP_H

struct loop_ops {
	void	(*key)(void *, int key);	/* keys.h codes */
	void	(*wake)(void *);		/* the wake fd was readable */
	void	(*tick)(void *);		/* a new wall-clock second */
	void	(*resize)(void *);		/* SIGWINCH, after screen_resize */
	void	(*signal)(void *, int sig);	/* SIGINT, SIGTERM, SIGHUP */
	void	(*draw)(void *);		/* once per pass */
	int	(*done)(void *);		/* non-zero: leave the loop */
};

/* Install the signal handlers (before screen_init, so a signal during
 * start-up is not lost).  Ignores SIGPIPE. */
void	 loop_signals_init(void);
/* Run until ops->done returns non-zero.  wake_fd may be -1. */
void	 loop_run(const struct loop_ops *, void *arg, int wake_fd);

#endif
