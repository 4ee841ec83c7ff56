/* kubeconfig.c: kubeconfig files, merged and resolved (kubeconfig.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <yaml.h>

#include "kubeconfig.h"
#include "xmalloc.h"

#define KUBE_MAX_FILES	16

struct kfile {
	char		*path;
	char		*dir;
	yaml_document_t	 doc;
};

/* The files, in precedence order. */
struct kset {
	struct kfile	 f[KUBE_MAX_FILES];
	int		 n;
};

/* A named entry (cluster, user, context) and the file that holds it. */
struct kentry {
	struct kfile	*file;
	yaml_node_t	*node;		/* its map, NULL when empty */
};

/* YAML --------------------------------------------------------------------- */

static yaml_node_t *
ynode(struct kfile *kf, int id)
{
	return (yaml_document_get_node(&kf->doc, id));
}

static yaml_node_t *
ymap_get(struct kfile *kf, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return (NULL);
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = ynode(kf, pair->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return (ynode(kf, pair->value));
	}
	return (NULL);
}

/* A scalar's text; NULL for a missing, empty or null value. */
static const char *
yscalar(yaml_node_t *n)
{
	const char	*v;

	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return (NULL);
	v = (const char *)n->data.scalar.value;
	if (*v == '\0')
		return (NULL);
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0))
		return (NULL);
	return (v);
}

static const char *
ystr(struct kfile *kf, yaml_node_t *map, const char *key)
{
	return (yscalar(ymap_get(kf, map, key)));
}

static int
ybool(struct kfile *kf, yaml_node_t *map, const char *key)
{
	const char	*v = ystr(kf, map, key);

	return (v != NULL && (strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0));
}

static yaml_node_t *
yroot(struct kfile *kf)
{
	return (yaml_document_get_root_node(&kf->doc));
}

/* The files ---------------------------------------------------------------- */

static int
kfile_load(struct kfile *kf, const char *path, struct error *err)
{
	FILE		*fp;
	yaml_parser_t	 p;
	yaml_node_t	*root;
	char		*slash;

	if ((fp = fopen(path, "r")) == NULL) {
		error_set(err, "kubeconfig %s: %s", path, strerror(errno));
		return (-1);
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, fp);
	if (!yaml_parser_load(&p, &kf->doc)) {
		error_set(err, "kubeconfig %s:%zu:%zu: %s", path,
		    p.problem_mark.line + 1, p.problem_mark.column + 1,
		    p.problem != NULL ? p.problem : "invalid YAML");
		yaml_parser_delete(&p);
		fclose(fp);
		return (-1);
	}
	yaml_parser_delete(&p);
	fclose(fp);
	root = yaml_document_get_root_node(&kf->doc);
	if (root != NULL && root->type != YAML_MAPPING_NODE) {
		error_set(err, "kubeconfig %s: not a kubeconfig (the top level "
		    "is not a map)", path);
		yaml_document_delete(&kf->doc);
		return (-1);
	}
	kf->path = xstrdup(path);
	kf->dir = xstrdup(path);
	if ((slash = strrchr(kf->dir, '/')) == NULL)
		strlcpy_(kf->dir, ".", strlen(kf->dir) + 1);
	else if (slash == kf->dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return (0);
}

static void
kset_close(struct kset *ks)
{
	int	i;

	for (i = 0; i < ks->n; i++) {
		yaml_document_delete(&ks->f[i].doc);
		free(ks->f[i].path);
		free(ks->f[i].dir);
	}
	ks->n = 0;
}

static int
kset_add(struct kset *ks, const char *path, struct error *err)
{
	int	i;

	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->f[i].path, path) == 0)
			return (0);		/* listed twice */
	if (ks->n == KUBE_MAX_FILES) {
		error_set(err, "kubeconfig: more than %d files in KUBECONFIG",
		    KUBE_MAX_FILES);
		return (-1);
	}
	if (kfile_load(&ks->f[ks->n], path, err) != 0)
		return (-1);
	ks->n++;
	return (0);
}

/* $KUBECONFIG: a ':'-separated list; missing files are skipped. */
static int
kset_env(struct kset *ks, const char *list, struct error *err)
{
	char		*copy = xstrdup(list), *p, *next;
	struct stat	 sb;
	int		 rc = 0;

	for (p = copy; p != NULL && rc == 0; p = next) {
		if ((next = strchr(p, ':')) != NULL)
			*next++ = '\0';
		if (*p == '\0' || (stat(p, &sb) != 0 && errno == ENOENT))
			continue;
		rc = kset_add(ks, p, err);
	}
	free(copy);
	if (rc == 0 && ks->n == 0) {
		error_set(err, "kubeconfig: no file of KUBECONFIG=%s exists",
		    list);
		return (-1);
	}
	return (rc);
}

static int
kset_open(struct kset *ks, const char *path, struct error *err)
{
	const char	*env = getenv("KUBECONFIG"), *home;
	char		*dflt;
	struct stat	 sb;
	int		 rc;

	if (path != NULL && strncmp(path, "~/", 2) == 0) {
		/* The configuration allows ~/ paths; expand it here. */
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			error_set(err, "kubeconfig %s: HOME is not set", path);
			return (-1);
		}
		xasprintf(&dflt, "%s/%s", home, path + 2);
		rc = kset_add(ks, dflt, err);
		free(dflt);
		return (rc);
	}
	if (path != NULL && *path != '\0')
		return (kset_add(ks, path, err));
	if (env != NULL && *env != '\0')
		return (kset_env(ks, env, err));
	if ((home = getenv("HOME")) == NULL || *home == '\0') {
		error_set(err, "kubeconfig: KUBECONFIG and HOME are not set");
		return (-1);
	}
	xasprintf(&dflt, "%s/.kube/config", home);
	if (stat(dflt, &sb) != 0) {
		error_set(err, "kubeconfig: KUBECONFIG is not set and %s "
		    "does not exist", dflt);
		free(dflt);
		return (-1);
	}
	rc = kset_add(ks, dflt, err);
	free(dflt);
	return (rc);
}

/* Named entries ------------------------------------------------------------ */

/* The first file's entry named name in the list ("clusters") under field
 * ("cluster").  0, or -1 when no file has it. */
static int
kset_find(struct kset *ks, const char *list, const char *field,
    const char *name, struct kentry *out)
{
	yaml_node_t	*seq, *item;
	yaml_node_item_t *it;
	const char	*nm;
	int		 i;

	for (i = 0; i < ks->n; i++) {
		seq = ymap_get(&ks->f[i], yroot(&ks->f[i]), list);
		if (seq == NULL || seq->type != YAML_SEQUENCE_NODE)
			continue;
		for (it = seq->data.sequence.items.start;
		    it < seq->data.sequence.items.top; it++) {
			item = ynode(&ks->f[i], *it);
			nm = ystr(&ks->f[i], item, "name");
			if (nm == NULL || strcmp(nm, name) != 0)
				continue;
			out->file = &ks->f[i];
			out->node = ymap_get(&ks->f[i], item, field);
			return (0);
		}
	}
	return (-1);
}

static int
name_listed(const char *buf, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p;

	for (p = buf; (p = strstr(p, name)) != NULL; p += n)
		if ((p == buf || p[-1] == ' ') && (p[n] == ',' || p[n] ==
		    '\0'))
			return (1);
	return (0);
}

/* "a, b, c": the names in list across the files, for messages. */
static void
kset_names(struct kset *ks, const char *list, char *buf, size_t len)
{
	yaml_node_t	*seq;
	yaml_node_item_t *it;
	const char	*nm;
	size_t		 off = 0;
	int		 i, n;

	buf[0] = '\0';
	for (i = 0; i < ks->n; i++) {
		seq = ymap_get(&ks->f[i], yroot(&ks->f[i]), list);
		if (seq == NULL || seq->type != YAML_SEQUENCE_NODE)
			continue;
		for (it = seq->data.sequence.items.start;
		    it < seq->data.sequence.items.top; it++) {
			nm = ystr(&ks->f[i], ynode(&ks->f[i], *it), "name");
			if (nm == NULL || name_listed(buf, nm))
				continue;
			n = snprintf(buf + off, len - off, "%s%s", off ? ", " :
			    "", nm);
			if (n < 0 || (size_t)n >= len - off)
				return;
			off += (size_t)n;
		}
	}
	if (off == 0)
		strlcpy_(buf, "none", len);
}

static const char *
kset_current(struct kset *ks)
{
	const char	*v;
	int		 i;

	for (i = 0; i < ks->n; i++)
		if ((v = ystr(&ks->f[i], yroot(&ks->f[i]),
		    "current-context")) != NULL)
			return (v);
	return (NULL);
}

/* Values ------------------------------------------------------------------- */

/* A path from the file of e, absolute or relative to that file. */
static char *
kpath(const struct kentry *e, const char *p)
{
	char	*out;

	if (p[0] == '/')
		return (xstrdup(p));
	xasprintf(&out, "%s/%s", e->file->dir, p);
	return (out);
}

/* Base64 (whitespace allowed) to a NUL-terminated buffer, or NULL. */
static char *
b64_decode(const char *in)
{
	size_t	 n = 0, i;
	char	*clean, *out;
	int	 r;

	clean = xmalloc(strlen(in) + 1);
	for (i = 0; in[i] != '\0'; i++)
		if (!isspace((unsigned char)in[i]))
			clean[n++] = in[i];
	clean[n] = '\0';
	if (n == 0 || n % 4 != 0) {
		free(clean);
		return (NULL);
	}
	out = xmalloc(n / 4 * 3 + 1);
	r = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)clean,
	    (int)n);
	if (r >= 0 && clean[n - 1] == '=')
		r--;
	if (r >= 0 && clean[n - 2] == '=')
		r--;
	free(clean);
	if (r < 0) {
		free(out);
		return (NULL);
	}
	out[r] = '\0';
	return (out);
}

/* field-data (base64, wins) or field (a path) of the entry. */
static int
kdata_or_file(const struct kentry *e, const char *what, const char *field,
    char **pem, char **file, struct error *err)
{
	char		 key[64];
	const char	*v;

	snprintf(key, sizeof key, "%s-data", field);
	if ((v = ystr(e->file, e->node, key)) != NULL) {
		if ((*pem = b64_decode(v)) == NULL) {
			error_set(err, "kubeconfig %s: %s: %s is not valid "
			    "base64", e->file->path, what, key);
			return (-1);
		}
		return (0);
	}
	if ((v = ystr(e->file, e->node, field)) != NULL)
		*file = kpath(e, v);
	return (0);
}

/* Context, cluster, user --------------------------------------------------- */

static int
resolve_context(struct kset *ks, struct kubeconfig *kc, const char *name,
    const char *ns, struct kentry *ctx, struct error *err)
{
	char		 have[160];
	const char	*v;

	if (name == NULL && (name = kset_current(ks)) == NULL) {
		kset_names(ks, "contexts", have, sizeof have);
		error_set(err, "kubeconfig %s: no current-context and none "
		    "configured (have: %s)", ks->f[0].path, have);
		return (-1);
	}
	if (kset_find(ks, "contexts", "context", name, ctx) != 0) {
		kset_names(ks, "contexts", have, sizeof have);
		error_set(err, "kubeconfig: context '%s' not found (have: %s)",
		    name, have);
		return (-1);
	}
	kc->context = xstrdup(name);
	kc->path = xstrdup(ctx->file->path);
	if ((v = ystr(ctx->file, ctx->node, "cluster")) == NULL) {
		error_set(err, "kubeconfig %s: context '%s' names no cluster",
		    ctx->file->path, name);
		return (-1);
	}
	kc->cluster = xstrdup(v);
	if ((v = ystr(ctx->file, ctx->node, "user")) != NULL)
		kc->user = xstrdup(v);
	if (ns == NULL || *ns == '\0')
		ns = ystr(ctx->file, ctx->node, "namespace");
	kc->namespace = xstrdup(ns != NULL ? ns : "default");
	return (0);
}

static int
resolve_cluster(struct kset *ks, struct kubeconfig *kc, struct error *err)
{
	struct kentry	 e;
	char		 have[160], what[96];
	const char	*v, *host;
	size_t		 n;

	if (kset_find(ks, "clusters", "cluster", kc->cluster, &e) != 0) {
		kset_names(ks, "clusters", have, sizeof have);
		error_set(err, "kubeconfig: cluster '%s' of context '%s' not "
		    "found (have: %s)", kc->cluster, kc->context, have);
		return (-1);
	}
	if ((v = ystr(e.file, e.node, "server")) == NULL) {
		error_set(err, "kubeconfig %s: cluster '%s' has no server",
		    e.file->path, kc->cluster);
		return (-1);
	}
	if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) {
		error_set(err, "kubeconfig %s: cluster '%s': server '%s' is "
		    "not an http(s) URL", e.file->path, kc->cluster, v);
		return (-1);
	}
	/* "https:///" would lose its slashes below and stop being a URL. */
	if ((host = v + (v[4] == 's' ? 8 : 7))[0] == '\0' || host[0] == '/') {
		error_set(err, "kubeconfig %s: cluster '%s': server '%s' names "
		    "no host", e.file->path, kc->cluster, v);
		return (-1);
	}
	kc->server = xstrdup(v);
	n = strlen(kc->server);
	while (n > 0 && kc->server[n - 1] == '/')
		kc->server[--n] = '\0';
	kc->insecure = ybool(e.file, e.node, "insecure-skip-tls-verify");
	snprintf(what, sizeof what, "cluster '%s'", kc->cluster);
	return (kdata_or_file(&e, what, "certificate-authority", &kc->ca_pem,
	    &kc->ca_file, err));
}

static char **
strv_add(char **v, int *n, char *s)
{
	v = xreallocarray(v, (size_t)*n + 2, sizeof *v);
	v[(*n)++] = s;
	v[*n] = NULL;
	return (v);
}

static void
exec_env(struct kentry *e, yaml_node_t *seq, struct kube_exec *ex)
{
	yaml_node_item_t	*it;
	yaml_node_t		*item;
	const char		*name, *value;
	char			*s;
	int			 n = 0;

	ex->env = xcalloc(1, sizeof *ex->env);
	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE)
		return;
	for (it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		item = ynode(e->file, *it);
		if ((name = ystr(e->file, item, "name")) == NULL)
			continue;
		value = ystr(e->file, item, "value");
		xasprintf(&s, "%s=%s", name, value != NULL ? value : "");
		ex->env = strv_add(ex->env, &n, s);
	}
}

static int
resolve_exec(struct kentry *e, struct kubeconfig *kc, yaml_node_t *node,
    struct error *err)
{
	struct kube_exec	*ex;
	yaml_node_t		*args;
	yaml_node_item_t	*it;
	const char		*cmd, *v, *api;
	int			 n = 0;

	if ((cmd = ystr(e->file, node, "command")) == NULL) {
		error_set(err, "kubeconfig %s: user '%s': exec has no command",
		    e->file->path, kc->user);
		return (-1);
	}
	api = ystr(e->file, node, "apiVersion");
	if (api == NULL || (strcmp(api, "client.authentication.k8s.io/v1")
	    != 0 && strcmp(api, "client.authentication.k8s.io/v1beta1") != 0)) {
		error_set(err, "kubeconfig %s: user '%s': exec apiVersion '%s' "
		    "is not client.authentication.k8s.io/v1 or v1beta1",
		    e->file->path, kc->user, api != NULL ? api : "");
		return (-1);
	}
	ex = kc->exec = xcalloc(1, sizeof *ex);
	pthread_mutex_init(&ex->lock, NULL);
	ex->timeout_ms = KUBE_EXEC_TIMEOUT_MS;
	ex->api_version = xstrdup(api);
	/* A command with a '/' is a path, relative to the kubeconfig. */
	ex->argv = strv_add(NULL, &n, strchr(cmd, '/') != NULL ? kpath(e, cmd) :
	    xstrdup(cmd));
	args = ymap_get(e->file, node, "args");
	if (args != NULL && args->type == YAML_SEQUENCE_NODE)
		for (it = args->data.sequence.items.start;
		    it < args->data.sequence.items.top; it++) {
			v = yscalar(ynode(e->file, *it));
			ex->argv = strv_add(ex->argv, &n, xstrdup(v ? v : ""));
		}
	exec_env(e, ymap_get(e->file, node, "env"), ex);
	if ((v = ystr(e->file, node, "installHint")) != NULL)
		ex->install_hint = xstrdup(v);
	ex->provide_cluster_info = ybool(e->file, node, "provideClusterInfo");
	return (0);
}

static int
resolve_user(struct kset *ks, struct kubeconfig *kc, struct error *err)
{
	struct kentry	 e;
	yaml_node_t	*node;
	char		 have[160], what[96];
	const char	*v;

	if (kc->user == NULL)
		return (0);		/* no credentials */
	if (kset_find(ks, "users", "user", kc->user, &e) != 0) {
		kset_names(ks, "users", have, sizeof have);
		error_set(err, "kubeconfig: user '%s' of context '%s' not "
		    "found (have: %s)", kc->user, kc->context, have);
		return (-1);
	}
	if ((node = ymap_get(e.file, e.node, "auth-provider")) != NULL) {
		error_set(err, "kubeconfig %s: user '%s' uses auth-provider "
		    "'%s', which sitrep does not support: use an exec plugin",
		    e.file->path, kc->user, (v = ystr(e.file, node, "name")) ?
		    v : "?");
		return (-1);
	}
	snprintf(what, sizeof what, "user '%s'", kc->user);
	if (kdata_or_file(&e, what, "client-certificate", &kc->cert_pem,
	    &kc->cert_file, err) != 0 || kdata_or_file(&e, what, "client-key",
	    &kc->key_pem, &kc->key_file, err) != 0)
		return (-1);
	if ((v = ystr(e.file, e.node, "token")) != NULL)
		kc->token = xstrdup(v);
	if ((v = ystr(e.file, e.node, "tokenFile")) != NULL)
		kc->token_file = kpath(&e, v);
	if ((v = ystr(e.file, e.node, "username")) != NULL) {
		kc->basic_user = xstrdup(v);
		if ((v = ystr(e.file, e.node, "password")) != NULL)
			kc->basic_password = xstrdup(v);
	}
	if ((node = ymap_get(e.file, e.node, "exec")) != NULL)
		return (resolve_exec(&e, kc, node, err));
	return (0);
}

struct kubeconfig *
kubeconfig_load(const char *path, const char *context, const char *ns,
    struct error *err)
{
	struct kset		 ks;
	struct kentry		 ctx;
	struct kubeconfig	*kc;

	memset(&ks, 0, sizeof ks);
	if (kset_open(&ks, path, err) != 0) {
		kset_close(&ks);
		return (NULL);
	}
	kc = xcalloc(1, sizeof *kc);
	kc->refs = 1;
	if (context != NULL && *context == '\0')
		context = NULL;
	if (resolve_context(&ks, kc, context, ns, &ctx, err) != 0 ||
	    resolve_cluster(&ks, kc, err) != 0 ||
	    resolve_user(&ks, kc, err) != 0) {
		kset_close(&ks);
		kubeconfig_unref(kc);
		return (NULL);
	}
	kset_close(&ks);
	return (kc);
}

struct kubeconfig *
kubeconfig_ref(struct kubeconfig *kc)
{
	__atomic_add_fetch(&kc->refs, 1, __ATOMIC_RELAXED);
	return (kc);
}

static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
kubeconfig_unref(struct kubeconfig *kc)
{
	if (kc == NULL || __atomic_sub_fetch(&kc->refs, 1, __ATOMIC_ACQ_REL)
	    != 0)
		return;
	free(kc->path);
	free(kc->context);
	free(kc->cluster);
	free(kc->user);
	free(kc->server);
	free(kc->namespace);
	free(kc->ca_file);
	free(kc->ca_pem);
	free(kc->cert_file);
	free(kc->cert_pem);
	free(kc->key_file);
	free_secret(kc->key_pem);
	free_secret(kc->token);
	free(kc->token_file);
	free(kc->basic_user);
	free_secret(kc->basic_password);
	kube_exec_free(kc->exec);
	free(kc);
}
