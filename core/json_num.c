/* json_num.c: range-checked integers from JSON numbers (json_num.h). */
#include <limits.h>
#include <math.h>
#include <stdint.h>

#include "json_num.h"

/* 2^63 is exact as a double; INT64_MAX is not. */
#define JN_2P63	9223372036854775808.0

int64_t
json_as_int64(const cJSON *v, int64_t def)
{
	double	d;

	if (!cJSON_IsNumber(v))
		return (def);
	d = v->valuedouble;
	if (!isfinite(d) || d < -JN_2P63 || d >= JN_2P63)
		return (def);
	return ((int64_t)d);
}

int
json_as_int(const cJSON *v, int def)
{
	double	d;

	if (!cJSON_IsNumber(v))
		return (def);
	d = v->valuedouble;
	if (!isfinite(d) || d <= (double)INT_MIN - 1.0 ||
	    d >= (double)INT_MAX + 1.0)
		return (def);
	return ((int)d);
}

int64_t
json_int64(const cJSON *o, const char *name, int64_t def)
{
	return (json_as_int64(cJSON_GetObjectItemCaseSensitive(o, name), def));
}

int
json_int(const cJSON *o, const char *name, int def)
{
	return (json_as_int(cJSON_GetObjectItemCaseSensitive(o, name), def));
}
