/* json_num.h: integers taken from JSON that came from outside (trail
 * records, war-room entries, API answers).
 *
 * A JSON number is a double, and converting a double outside the range of
 * the integer type is undefined behaviour, so no caller casts valuedouble
 * itself: these return the default unless the value is a finite number in
 * range (truncated toward zero, as a cast would). */
#ifndef SITREP_JSON_NUM_H
#define SITREP_JSON_NUM_H

#include <stdint.h>

#include <cjson/cJSON.h>

int64_t	json_as_int64(const cJSON *, int64_t def);
int	json_as_int(const cJSON *, int def);

/* The same for the member NAME of an object (NULL object: the default). */
int64_t	json_int64(const cJSON *, const char *name, int64_t def);
int	json_int(const cJSON *, const char *name, int def);

#endif
