/* sim_args.c: the "key=value" arguments of the demo world's actions
 * (sim_action.c) and queries (sim_query.c): parsing them against the keys
 * a definition allows and requires, reading them back, and finding the
 * deployment or database server one names.  Every refusal is a message
 * that names the action or query and, where it helps, its usage line. */
#include <stdio.h>
#include <string.h>

#include "sim_world.h"

/* Whether word is one of the words of list, written " a b ". */
static int
sim_args_listed(const char *list, const char *word)
{
	const char	*p = list;
	size_t		 n = strlen(word);

	if (n == 0)
		return (0);
	while ((p = strstr(p, word)) != NULL) {
		if (p > list && p[-1] == ' ' && p[n] == ' ')
			return (1);
		p += n;
	}
	return (0);
}

static int
sim_args_one(const struct sim_args_def *d, struct sim_args *a,
    const char *arg, struct error *err)
{
	const char	*eq = strchr(arg, '=');
	size_t		 klen;

	if (eq == NULL || eq == arg) {
		if (d->quote_bad)
			error_set(err, "%s: '%s' is not key=value (usage: %s)",
			    d->name, arg, d->usage);
		else
			error_set(err, "%s: an argument is not key=value "
			    "(usage: %s)", d->name, d->usage);
		return (-1);
	}
	klen = (size_t)(eq - arg);
	if (klen >= sizeof a->key[0] || a->n >= SIM_MAX_ARGS) {
		error_set(err, "%s: too many or too long arguments (usage: "
		    "%s)", d->name, d->usage);
		return (-1);
	}
	memcpy(a->key[a->n], arg, klen);
	a->key[a->n][klen] = '\0';
	if (!sim_args_listed(d->keys, a->key[a->n])) {
		error_set(err, "%s: unknown argument '%s' (usage: %s)",
		    d->name, a->key[a->n], d->usage);
		return (-1);
	}
	if (sim_args_get(a, a->key[a->n]) != NULL) {
		error_set(err, "%s: '%s' given twice", d->name, a->key[a->n]);
		return (-1);
	}
	a->val[a->n++] = eq + 1;
	return (0);
}

int
sim_args_parse(const struct sim_args_def *d, int argc,
    const char *const *argv, struct sim_args *a, struct error *err)
{
	char		 word[32];
	const char	*w;
	int		 i, n;

	memset(a, 0, sizeof *a);
	for (i = 0; i < argc; i++)
		if (sim_args_one(d, a, argv[i], err) != 0)
			return (-1);
	for (w = d->required; sscanf(w, "%31s%n", word, &n) == 1; w += n) {
		if (sim_args_get(a, word) == NULL) {
			error_set(err, "%s: missing %s= (usage: %s)", d->name,
			    word, d->usage);
			return (-1);
		}
	}
	return (0);
}

const char *
sim_args_get(const struct sim_args *a, const char *key)
{
	int	i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->key[i], key) == 0)
			return (a->val[i]);
	return (NULL);
}

const char *
sim_args_either(const struct sim_args *a, const char *key, const char *alias)
{
	const char	*v = sim_args_get(a, key);

	return (v != NULL ? v : sim_args_get(a, alias));
}

int
sim_args_deploy(const struct sim *s, const char *name, int outbox_only,
    struct error *err)
{
	char	names[200];
	size_t	n = 0;
	int	i = name != NULL ? sim_kube_find(s, name) : -1;

	if (i >= 0 && (!outbox_only || s->dep[i].ob.on))
		return (i);
	names[0] = '\0';
	for (i = 0; i < s->ndeps && n < sizeof names; i++)
		if (!outbox_only || s->dep[i].ob.on)
			n += (size_t)snprintf(names + n, sizeof names - n,
			    "%s%s", n ? ", " : "", s->dep[i].name);
	error_set(err, "no %s '%s' (%s)", outbox_only ? "service with an "
	    "outbox" : "deployment", name ? name : "", names);
	return (-1);
}

int
sim_args_server(const struct sim *s, const char *name, struct error *err)
{
	int	i = name != NULL ? sim_pg_find(s, name) : -1;

	if (i < 0)
		error_set(err, "no database server '%s' (pg-primary, "
		    "pg-standby-1, pg-standby-2)", name ? name : "");
	return (i);
}
