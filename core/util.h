/* util.h: small helpers shared by everything: clocks, human formatting,
 * bounded string copies and the error text type. */
#ifndef SITREP_UTIL_H
#define SITREP_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A recoverable error: functions return -1 and fill one of these. */
struct error {
	char	msg[256];
};
void	 error_set(struct error *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

int64_t	 now_ms(void);		/* CLOCK_REALTIME, ms since the epoch */
int64_t	 mono_ms(void);		/* CLOCK_MONOTONIC, ms */

/* "4s", "12m", "3h", "2d": at most 4 characters, as kubectl's AGE. */
void	 fmt_age(char *, size_t, int64_t seconds);
/* "0 B", "12 KiB", "3.4 MiB". */
void	 fmt_bytes(char *, size_t, uint64_t);
/* "950", "1.2k", "34k", "1.5M". */
void	 fmt_count(char *, size_t, uint64_t);
/* "0.4s", "12s", "3m04s", "2h10m". */
void	 fmt_duration(char *, size_t, double seconds);
/* "23:59:07" UTC for an epoch in ms. */
void	 fmt_clock_utc(char *, size_t, int64_t ms);

size_t	 strlcpy_(char *, const char *, size_t);
/* Parse "90s", "5m", "2h", "1d" or plain seconds; -1 on error. */
int64_t	 parse_duration(const char *);

#endif
