/* loop.c: poll-based event loop with a signal self-pipe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys.h"
#include "loop.h"
#include "screen.h"

/* Signal handlers can only reach globals: the write end of the self-pipe. */
static int	sig_pipe[2] = { -1, -1 };

static void
loop_on_signal(int sig)
{
	unsigned char	c = (unsigned char)sig;
	int		saved = errno;
	ssize_t		n;

	n = write(sig_pipe[1], &c, 1);
	(void)n;
	errno = saved;
}

void
loop_signals_init(void)
{
	struct sigaction	sa;
	int			i, sigs[] = { SIGWINCH, SIGINT, SIGTERM,
				    SIGHUP, SIGQUIT };

	if (sig_pipe[0] == -1) {
		if (pipe(sig_pipe) != 0)
			return;
		for (i = 0; i < 2; i++) {
			fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
			fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = loop_on_signal;
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < (int)(sizeof sigs / sizeof sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static int
loop_timeout(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (1000 - (int)(ts.tv_nsec / 1000000) + 1);
}

static void
loop_signals(const struct loop_ops *ops, void *arg)
{
	unsigned char	buf[32];
	ssize_t		n, i;

	while ((n = read(sig_pipe[0], buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH) {
				screen_resize();
				if (ops->resize != NULL)
					ops->resize(arg);
			} else if (ops->signal != NULL)
				ops->signal(arg, buf[i]);
		}
	}
}

static void
loop_keys(const struct loop_ops *ops, void *arg)
{
	int	k, n = 0;

	/* Bounded so that a paste cannot starve the rest. */
	while (n++ < 256 && (k = screen_getkey()) != -1) {
		if (k == KEYC_RESIZE) {
			if (ops->resize != NULL)
				ops->resize(arg);
			continue;
		}
		ops->key(arg, k);
		if (ops->done(arg))
			return;
	}
}

void
loop_run(const struct loop_ops *ops, void *arg, int wake_fd)
{
	struct pollfd	pfd[3];
	time_t		last = time(NULL), t;
	int		n;

	ops->draw(arg);
	while (!ops->done(arg)) {
		pfd[0].fd = STDIN_FILENO;
		pfd[1].fd = sig_pipe[0];
		pfd[2].fd = wake_fd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		n = poll(pfd, wake_fd >= 0 ? 3 : 2, loop_timeout());
		if (n < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			loop_signals(ops, arg);
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			if (ops->signal != NULL)
				ops->signal(arg, SIGHUP);
		} else if (pfd[0].revents & POLLIN)
			loop_keys(ops, arg);
		if (wake_fd >= 0 && (pfd[2].revents & POLLIN) &&
		    ops->wake != NULL)
			ops->wake(arg);
		if ((t = time(NULL)) != last) {
			last = t;
			if (ops->tick != NULL)
				ops->tick(arg);
		}
		if (!ops->done(arg))
			ops->draw(arg);
	}
}
