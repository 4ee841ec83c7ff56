/* incident.c: numbering incidents per UTC day with a locked state file. */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "incident.h"

#define STATE_MAX	4096	/* the file is INCIDENT_KEEP_DAYS short lines */
#define NUMBER_MAX	9999

struct day {
	long	 day;			/* YYYYMMDD */
	long	 last;			/* the last number given that day */
};

int
incident_state_dir(char *buf, size_t len)
{
	const char	*xdg = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");
	int		 n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/sitrep", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.local/state/sitrep", home);
	else
		return (-1);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

int
incident_id_ok(const char *s)
{
	int	i;

	if (s == NULL || strlen(s) != INCIDENT_ID_LEN - 1 ||
	    strncmp(s, "INC-", 4) != 0 || s[12] != '-')
		return (0);
	for (i = 4; i < INCIDENT_ID_LEN - 1; i++)
		if (i != 12 && !isdigit((unsigned char)s[i]))
			return (0);
	return (1);
}

static long
incident_day(int64_t now_ms)
{
	time_t		t = (time_t)(now_ms / 1000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	return ((long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday);
}

void
incident_fallback(int64_t now_ms, char *id, size_t len)
{
	long	secs = (long)((now_ms / 1000) % 86400);

	snprintf(id, len, "INC-%08ld-9%03ld", incident_day(now_ms),
	    (secs / 10) % 1000);
}

/* mkdir -p, 0700 for what is created. */
static int
incident_mkdirs(const char *dir, struct error *err)
{
	char	path[PATH_MAX], *p, c;

	if (strlen(dir) >= sizeof path) {
		error_set(err, "%s: path too long", dir);
		return (-1);
	}
	strlcpy_(path, dir, sizeof path);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			error_set(err, "cannot create %s: %s", path,
			    strerror(errno));
			return (-1);
		}
		if ((*p = c) == '\0')
			break;
	}
	return (0);
}

/* The "YYYYMMDD N" lines of text into days (at most max). */
static int
incident_parse(const char *text, struct day *days, int max)
{
	const char	*line = text;
	long		 d, n;
	int		 k = 0;

	while (*line != '\0' && k < max) {
		if (sscanf(line, "%8ld %ld", &d, &n) == 2 && d >= 19700101 &&
		    d <= 99991231 && n >= 0 && n <= NUMBER_MAX) {
			days[k].day = d;
			days[k++].last = n;
		}
		line += strcspn(line, "\n");
		line += *line == '\n';
	}
	return (k);
}

/* Take today's next number in days (n in use, room for one more). */
static long
incident_take(struct day *days, int *n, long today, struct error *err)
{
	int	i;

	for (i = 0; i < *n; i++) {
		if (days[i].day != today)
			continue;
		if (days[i].last >= NUMBER_MAX) {
			error_set(err, "more than %d incidents today",
			    NUMBER_MAX);
			return (-1);
		}
		return (++days[i].last);
	}
	days[*n].day = today;
	days[*n].last = 1;
	(*n)++;
	return (1);
}

static int
incident_day_cmp(const void *a, const void *b)
{
	long	x = ((const struct day *)a)->day, y = ((const struct day *)b)->day;

	return (x < y ? -1 : x > y);
}

/* Rewrite the file: the newest INCIDENT_KEEP_DAYS days, oldest first. */
static int
incident_write(int fd, struct day *days, int n, const char *path,
    struct error *err)
{
	char	buf[STATE_MAX];
	size_t	off = 0;
	int	i;

	qsort(days, n, sizeof *days, incident_day_cmp);
	for (i = n > INCIDENT_KEEP_DAYS ? n - INCIDENT_KEEP_DAYS : 0; i < n; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "%08ld %ld\n",
		    days[i].day, days[i].last);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, off, 0) != (ssize_t)off ||
	    fsync(fd) != 0) {
		error_set(err, "cannot write %s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

int
incident_next(const char *dir, int64_t now_ms, char *id, size_t len,
    struct error *err)
{
	struct day	 days[STATE_MAX / 8 + 1];
	char		 path[PATH_MAX], text[STATE_MAX];
	long		 today = incident_day(now_ms), num;
	ssize_t		 got;
	int		 fd, n, rc = -1;

	if (incident_mkdirs(dir, err) != 0)
		return (-1);
	snprintf(path, sizeof path, "%s/incidents", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		error_set(err, "cannot open %s: %s", path, strerror(errno));
		return (-1);
	}
	if (flock(fd, LOCK_EX) != 0 ||
	    (got = pread(fd, text, sizeof text - 1, 0)) < 0) {
		error_set(err, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	text[got] = '\0';
	n = incident_parse(text, days, STATE_MAX / 8);
	if ((num = incident_take(days, &n, today, err)) < 0 ||
	    incident_write(fd, days, n, path, err) != 0)
		goto out;
	snprintf(id, len, "INC-%08ld-%04ld", today, num);
	rc = 0;
out:
	close(fd);			/* and the lock with it */
	return (rc);
}
