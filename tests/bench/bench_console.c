/* bench_console.c: measure the console the way a person on SSH feels it.
 *
 * Runs ./sitrep --demo in a pseudo-terminal of COLSxROWS and reports:
 *   - time from exec to the first complete frame (all five panels showing
 *     "... ago", i.e. drawn with data),
 *   - peak RSS (VmHWM),
 *   - CPU seconds and bytes written to the terminal over IDLE seconds,
 *   - keystroke-to-screen latency (j/k moving the selection): median, p95.
 * Usage: bench_console [SITREP] [IDLE_SECONDS] [COLS ROWS] [ARGS...]
 * ARGS replace "--demo --refresh=1000"; BENCH_MARKS (default 5) is how
 * many "ago" mark a complete frame; BENCH_KEYS=tab types Tab/S-Tab
 * instead of j/k. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KEYS	200

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Read what is there within ms; returns bytes read, -1 on EOF. */
static long
drain(int fd, int ms, char *keep, size_t keeplen, size_t *kept)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	char		buf[65536];
	long		total = 0;
	ssize_t		n;

	while (poll(&pfd, 1, ms) == 1) {
		n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return (total ? total : -1);
		total += n;
		if (keep != NULL && *kept + (size_t)n < keeplen) {
			memcpy(keep + *kept, buf, (size_t)n);
			*kept += (size_t)n;
			keep[*kept] = '\0';
		}
		ms = ms < 5 ? ms : 5;	/* until 5 ms of quiet */
	}
	return (total);
}

static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return (n);
}

static void
cpu_rss(pid_t pid, double *cpu, long *hwm_kb)
{
	char	path[64], buf[4096], *p;
	FILE	*f;
	unsigned long	ut = 0, st = 0;
	int	i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(buf, sizeof buf, f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL) {
			/* fields after ")": state is 3rd; utime 14th, stime 15th */
			for (i = 0; i < 12 && p != NULL; i++)
				p = strchr(p + 1, ' ');
			if (p != NULL)
				sscanf(p, " %lu %lu", &ut, &st);
		}
		fclose(f);
	}
	*cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(buf, sizeof buf, f) != NULL)
			if (strncmp(buf, "VmHWM:", 6) == 0)
				*hwm_kb = strtol(buf + 6, NULL, 10);
		fclose(f);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

int
main(int argc, char **argv)
{
	const char	*bin = argc > 1 ? argv[1] : "./sitrep";
	int		 idle = argc > 2 ? atoi(argv[2]) : 60;
	struct winsize	 ws = { 50, 200, 0, 0 };
	static char	 first[1 << 20];
	size_t		 kept = 0;
	double		 t0, t_first = -1, cpu0, cpu1, lat[KEYS];
	long		 hwm = 0, bytes = 0, n;
	int		 fd, i, status, marks, tabs;
	pid_t		 pid;

	marks = getenv("BENCH_MARKS") ? atoi(getenv("BENCH_MARKS")) : 5;
	/* BENCH_KEYS=tab: Tab / S-Tab (focus moves: always a change on
	 * screen, even when every panel is empty). */
	tabs = getenv("BENCH_KEYS") && strcmp(getenv("BENCH_KEYS"), "tab") == 0;
	if (argc > 4) {
		ws.ws_col = (unsigned short)atoi(argv[3]);
		ws.ws_row = (unsigned short)atoi(argv[4]);
	}
	t0 = mono();
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return (1);
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		unsetenv("NO_COLOR");
		if (argc > 5) {
			argv[4] = (char *)bin;
			execv(bin, argv + 4);
		} else
			execl(bin, bin, "--demo", "--refresh=1000",
			    (char *)NULL);
		_exit(127);
	}
	while (mono() - t0 < 10) {
		if (drain(fd, 5, first, sizeof first - 1, &kept) < 0)
			break;
		if (count(first, "ago") >= marks) {
			t_first = mono() - t0;
			break;
		}
	}
	/* Settle, then idle. */
	drain(fd, 2000, NULL, 0, NULL);
	cpu_rss(pid, &cpu0, &hwm);
	{
		double	end = mono() + idle;

		while (mono() < end)
			if ((n = drain(fd, 200, NULL, 0, NULL)) > 0)
				bytes += n;
	}
	cpu_rss(pid, &cpu1, &hwm);
	/* Keystrokes: j and k alternately; time to the first output. */
	for (i = 0; i < KEYS; i++) {
		double	t;
		struct pollfd	pfd = { fd, POLLIN, 0 };

		drain(fd, 30, NULL, 0, NULL);
		t = mono();
		if (tabs ? write(fd, i % 2 ? "\033[Z" : "\t", i % 2 ? 3 : 1) < 1 :
		    write(fd, i % 2 ? "k" : "j", 1) != 1)
			break;
		if (poll(&pfd, 1, 1000) != 1) {
			lat[i] = 1.0;
			continue;
		}
		lat[i] = mono() - t;
		drain(fd, 5, NULL, 0, NULL);
	}
	cpu_rss(pid, &cpu1 /* unused after */, &hwm);
	qsort(lat, KEYS, sizeof lat[0], cmp_double);
	if (write(fd, "q", 1) != 1)
		kill(pid, SIGTERM);
	for (i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
		drain(fd, 100, NULL, 0, NULL);
	if (i == 50) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	printf("terminal            %dx%d\n", ws.ws_col, ws.ws_row);
	printf("first frame         %.1f ms %s\n", t_first * 1000,
	    t_first < 0 ? "(NOT SEEN)" : "(target < 50 ms)");
	printf("peak RSS            %.1f MB (target < 10 MB)\n", hwm / 1024.0);
	printf("idle CPU            %.3f s over %d s = %.2f%% of a core "
	    "(target < 1%%)\n", cpu1 - cpu0, idle,
	    100.0 * (cpu1 - cpu0) / idle);
	printf("idle output         %ld bytes over %d s = %.1f KB/min "
	    "(target < 20 KB/min)\n", bytes, idle,
	    bytes / 1024.0 * 60.0 / idle);
	printf("keystroke latency   median %.2f ms, p95 %.2f ms, max %.2f ms "
	    "(target p95 < 10 ms)\n", lat[KEYS / 2] * 1000,
	    lat[KEYS * 95 / 100] * 1000, lat[KEYS - 1] * 1000);
	return (t_first < 0);
}
