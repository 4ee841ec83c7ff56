/* secret.c: where the configuration file is (config_find), the files it
 * names (config_path) and reading the secrets it names (config_secret).
 * All are declared in config.h. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"
#include "xmalloc.h"

#define SECRET_MAX	4096

/* Finding the file ------------------------------------------------------- */

/* 0 and path in out if it exists; -1 otherwise (out keeps path when it
 * had to exist). */
static int
secret_found(const char *path, char *out, size_t len, int must)
{
	struct stat	sb;

	if (stat(path, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		if (must && len > 0)
			strlcpy_(out, path, len);
		return (-1);
	}
	if (strlcpy_(out, path, len) >= len) {
		*out = '\0';
		return (-1);
	}
	return (0);
}

int
config_find(const char *explicit_path, char *out, size_t len)
{
	const char	*env, *home;
	char		 path[PATH_MAX];

	if (len == 0)
		return (-1);
	*out = '\0';
	if (explicit_path != NULL)
		return (secret_found(explicit_path, out, len, 1));
	if ((env = getenv("SITREP_CONFIG")) != NULL && *env != '\0')
		return (secret_found(env, out, len, 1));
	if (secret_found("sitrep.yaml", out, len, 0) == 0)
		return (0);
	/* The XDG spec says to ignore a relative $XDG_CONFIG_HOME. */
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/') {
		snprintf(path, sizeof path, "%s/sitrep/config.yaml", env);
		if (secret_found(path, out, len, 0) == 0)
			return (0);
	} else if ((home = getenv("HOME")) != NULL && *home != '\0') {
		snprintf(path, sizeof path, "%s/.config/sitrep/config.yaml",
		    home);
		if (secret_found(path, out, len, 0) == 0)
			return (0);
	}
	return (secret_found("/etc/sitrep/config.yaml", out, len, 0));
}

/* Secrets ---------------------------------------------------------------- */

/* Check and read an open secret file into buf (NUL-terminated). */
static int
secret_read(int fd, const char *path, char *buf, size_t len,
    struct error *err)
{
	struct stat	sb;
	size_t		 got = 0;
	ssize_t		 n;

	if (fstat(fd, &sb) != 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(sb.st_mode)) {
		error_set(err, "%s: not a regular file", path);
		return (-1);
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		error_set(err, "%s is readable by others; chmod 600", path);
		return (-1);
	}
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, "%s: %s", path, strerror(errno));
			return (-1);
		}
		got += n;
	}
	buf[got] = '\0';
	if (got == len - 1 || memchr(buf, '\0', got) != NULL) {
		error_set(err, "%s: not a password (too long or binary)", path);
		return (-1);
	}
	return (0);
}

/* One line: drop one trailing newline (and CR); refuse more lines. */
static int
secret_line(char *buf, const char *what, struct error *err)
{
	size_t	len = strlen(buf);

	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (strpbrk(buf, "\r\n") != NULL) {
		error_set(err, "%s: more than one line", what);
		return (-1);
	}
	if (len == 0) {
		error_set(err, "%s is empty", what);
		return (-1);
	}
	return (0);
}

int
config_path(const char *file, char *out, size_t len, struct error *err)
{
	const char	*home;
	int		 n;

	if (strncmp(file, "~/", 2) == 0) {
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			error_set(err, "%s: $HOME is not set", file);
			return (-1);
		}
		n = snprintf(out, len, "%s/%s", home, file + 2);
	} else
		n = snprintf(out, len, "%s", file);
	if (n < 0 || (size_t)n >= len) {
		error_set(err, "%s: path too long", file);
		return (-1);
	}
	return (0);
}

static int
secret_file(const char *file, char **out, struct error *err)
{
	char	path[PATH_MAX], buf[SECRET_MAX + 2];
	int	fd, rc = -1;

	if (config_path(file, path, sizeof path, err) != 0)
		return (-1);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		error_set(err, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (secret_read(fd, path, buf, sizeof buf, err) == 0 &&
	    secret_line(buf, path, err) == 0) {
		*out = xstrdup(buf);
		rc = 0;
	}
	close(fd);
	explicit_bzero(buf, sizeof buf);
	return (rc);
}

int
config_secret(const char *env, const char *file, char **out,
    struct error *err)
{
	const char	*v = NULL;

	*out = NULL;
	if (env != NULL && (v = getenv(env)) != NULL) {
		if (*v == '\0') {
			error_set(err, "$%s is empty", env);
			return (-1);
		}
		*out = xstrdup(v);
		return (0);
	}
	if (file != NULL)
		return (secret_file(file, out, err));
	if (env != NULL) {
		error_set(err, "$%s is not set", env);
		return (-1);
	}
	return (0);
}
