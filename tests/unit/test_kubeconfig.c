/* test_kubeconfig.c: kubeconfig files the way kubectl reads them: merging
 * KUBECONFIG lists, contexts and namespaces, *-data against files,
 * tokenFile, exec credential plugins (tests/fixtures/kube_exec_plugin.sh)
 * and the error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "kubeconfig.h"
#include "util.h"

static char	dir[64];
static char	plugin[PATH_MAX];	/* the fixture, absolute */

static void
write_file(const char *name, const char *text)
{
	char	 path[256];
	FILE	*fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

static const char *
at(const char *name)
{
	static char	path[4][256];
	static int	i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
	return (path[i]);
}

static void
b64(const char *s, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s,
	    (int)strlen(s));
}

static int
setup(void **state)
{
	char	*cwd = getcwd(NULL, 0);

	snprintf(dir, sizeof dir, "/tmp/sitrep-kubeconfig.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return (-1);
	snprintf(plugin, sizeof plugin, "%s/tests/fixtures/kube_exec_plugin.sh",
	    cwd);
	free(cwd);
	if (access(plugin, X_OK) != 0)
		fprintf(stderr, "# run from the repository root: %s\n", plugin);
	unsetenv("KUBECONFIG");
	return (0);
}

static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

static const char two_contexts[] =
    "apiVersion: v1\n"
    "kind: Config\n"
    "current-context: prod\n"
    "clusters:\n"
    "- name: prod-cluster\n"
    "  cluster:\n"
    "    server: https://prod.example.com:6443/\n"
    "    certificate-authority: certs/ca.pem\n"
    "- name: lab\n"
    "  cluster:\n"
    "    server: https://127.0.0.1:6443\n"
    "    insecure-skip-tls-verify: true\n"
    "contexts:\n"
    "- name: prod\n"
    "  context: {cluster: prod-cluster, user: ops, namespace: erp-system}\n"
    "- name: lab\n"
    "  context:\n"
    "    cluster: lab\n"
    "    user: ops\n"
    "users:\n"
    "- name: ops\n"
    "  user:\n"
    "    token: s3cret\n";

static struct kubeconfig *
load_ok(const char *path, const char *ctx, const char *ns)
{
	struct kubeconfig	*kc;
	struct error		 err;

	err.msg[0] = '\0';
	if ((kc = kubeconfig_load(path, ctx, ns, &err)) == NULL)
		fail_msg("kubeconfig_load: %s", err.msg);
	return (kc);
}

static void
load_fails(const char *path, const char *ctx, const char *want)
{
	struct kubeconfig	*kc;
	struct error		 err;

	err.msg[0] = '\0';
	kc = kubeconfig_load(path, ctx, NULL, &err);
	if (kc != NULL) {
		kubeconfig_unref(kc);
		fail_msg("loaded, wanted an error with '%s'", want);
	}
	if (strstr(err.msg, want) == NULL)
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
}

static void
test_current_context(void **state)
{
	struct kubeconfig	*kc;

	write_file("config", two_contexts);
	kc = load_ok(at("config"), NULL, NULL);
	assert_string_equal(kc->context, "prod");
	assert_string_equal(kc->cluster, "prod-cluster");
	assert_string_equal(kc->user, "ops");
	assert_string_equal(kc->server, "https://prod.example.com:6443");
	assert_string_equal(kc->namespace, "erp-system");
	assert_string_equal(kc->token, "s3cret");
	/* Relative to the kubeconfig's directory. */
	assert_string_equal(kc->ca_file, at("certs/ca.pem"));
	assert_int_equal(kc->insecure, 0);
	assert_string_equal(kc->path, at("config"));
	kubeconfig_unref(kc);
}

static void
test_context_and_namespace_override(void **state)
{
	struct kubeconfig	*kc;
	struct http_opts	 o;
	struct kube_creds	 cr;
	struct error		 err;

	write_file("config", two_contexts);
	/* The lab context has no namespace: "default". */
	kc = load_ok(at("config"), "lab", NULL);
	assert_string_equal(kc->namespace, "default");
	assert_int_equal(kc->insecure, 1);
	memset(&o, 0, sizeof o);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	assert_int_equal(o.insecure, 1);
	assert_null(o.ca_file);
	assert_string_equal(o.bearer_token, "s3cret");
	kube_creds_free(&cr);
	kubeconfig_unref(kc);
	/* The configured namespace wins; "*" is every namespace. */
	kc = load_ok(at("config"), "prod", "*");
	assert_string_equal(kc->namespace, "*");
	kubeconfig_unref(kc);
	kc = load_ok(at("config"), "prod", "payments");
	assert_string_equal(kc->namespace, "payments");
	kubeconfig_unref(kc);
}

static void
test_context_not_found(void **state)
{
	write_file("config", two_contexts);
	load_fails(at("config"), "staging",
	    "kubeconfig: context 'staging' not found (have: prod, lab)");
}

/* KUBECONFIG=a:b: the first file to name an entry wins, current-context
 * from the first file that sets it; missing files are skipped. */
static void
test_merge(void **state)
{
	struct kubeconfig	*kc;
	char			 env[1024];

	write_file("a.yaml",
	    "clusters:\n"
	    "- name: shared\n"
	    "  cluster: {server: 'https://from-a:6443'}\n"
	    "contexts:\n"
	    "- name: ctx-a\n"
	    "  context: {cluster: shared, user: u}\n"
	    "users:\n"
	    "- name: u\n"
	    "  user: {token: token-a}\n");
	write_file("b.yaml",
	    "current-context: ctx-b\n"
	    "clusters:\n"
	    "- name: shared\n"
	    "  cluster: {server: 'https://from-b:6443'}\n"
	    "- name: only-b\n"
	    "  cluster: {server: 'https://only-b:6443'}\n"
	    "contexts:\n"
	    "- name: ctx-a\n"
	    "  context: {cluster: only-b, user: u}\n"
	    "- name: ctx-b\n"
	    "  context: {cluster: shared, user: u, namespace: nb}\n"
	    "users:\n"
	    "- name: u\n"
	    "  user: {token: token-b}\n");
	write_file("c.yaml", "current-context: ctx-a\n");
	snprintf(env, sizeof env, "%s::%s:%s", at("a.yaml"),
	    at("missing.yaml"), at("b.yaml"));
	setenv("KUBECONFIG", env, 1);
	/* a has no current-context: b's. */
	kc = load_ok(NULL, NULL, NULL);
	assert_string_equal(kc->context, "ctx-b");
	assert_string_equal(kc->server, "https://from-a:6443");
	assert_string_equal(kc->token, "token-a");
	assert_string_equal(kc->namespace, "nb");
	assert_string_equal(kc->path, at("b.yaml"));
	kubeconfig_unref(kc);
	/* ctx-a from a (not b's, which points at only-b). */
	kc = load_ok(NULL, "ctx-a", NULL);
	assert_string_equal(kc->server, "https://from-a:6443");
	kubeconfig_unref(kc);
	/* A file listed first that sets current-context wins. */
	snprintf(env, sizeof env, "%s:%s:%s", at("c.yaml"), at("a.yaml"),
	    at("b.yaml"));
	setenv("KUBECONFIG", env, 1);
	kc = load_ok(NULL, NULL, NULL);
	assert_string_equal(kc->context, "ctx-a");
	kubeconfig_unref(kc);
	/* The configured path overrides KUBECONFIG. */
	write_file("config", two_contexts);
	kc = load_ok(at("config"), NULL, NULL);
	assert_string_equal(kc->context, "prod");
	kubeconfig_unref(kc);
	setenv("KUBECONFIG", at("none-of-these"), 1);
	load_fails(NULL, NULL, "no file of KUBECONFIG=");
	unsetenv("KUBECONFIG");
}

static void
test_default_path(void **state)
{
	struct kubeconfig	*kc;
	const char		*home = getenv("HOME");
	char			*saved = home ? strdup(home) : NULL;

	setenv("HOME", dir, 1);
	load_fails(NULL, NULL, ".kube/config does not exist");
	mkdir(at(".kube"), 0700);
	write_file(".kube/config", two_contexts);
	kc = load_ok(NULL, NULL, NULL);
	assert_string_equal(kc->context, "prod");
	assert_string_equal(kc->ca_file, at(".kube/certs/ca.pem"));
	kubeconfig_unref(kc);
	/* The configuration may name it ~/...: expanded against HOME. */
	kc = load_ok("~/.kube/config", "lab", NULL);
	assert_string_equal(kc->path, at(".kube/config"));
	kubeconfig_unref(kc);
	if (saved != NULL)
		setenv("HOME", saved, 1);
	free(saved);
}

/* *-data is base64 of PEM and wins over the file. */
static void
test_data_and_files(void **state)
{
	static const char ca[] = "-----BEGIN CERTIFICATE-----\nQ0EK\n"
	    "-----END CERTIFICATE-----\n";
	static const char cert[] = "-----BEGIN CERTIFICATE-----\nY2VydA==\n"
	    "-----END CERTIFICATE-----\n";
	struct kubeconfig	*kc;
	struct http_opts	 o;
	struct kube_creds	 cr;
	struct error		 err;
	char			 text[4096], ca64[256], cert64[256];

	b64(ca, ca64);
	b64(cert, cert64);
	snprintf(text, sizeof text,
	    "current-context: c\n"
	    "clusters:\n"
	    "- name: k\n"
	    "  cluster:\n"
	    "    server: https://k:6443\n"
	    "    certificate-authority: /nonexistent/ca.pem\n"
	    "    certificate-authority-data: %s\n"
	    "contexts:\n"
	    "- {name: c, context: {cluster: k, user: u}}\n"
	    "users:\n"
	    "- name: u\n"
	    "  user:\n"
	    "    client-certificate: /nonexistent/cert.pem\n"
	    "    client-certificate-data: |\n"
	    "      %.40s\n"
	    "      %s\n"
	    "    client-key: keys/u.key\n", ca64, cert64, cert64 + 40);
	write_file("config", text);
	kc = load_ok(at("config"), NULL, NULL);
	assert_string_equal(kc->ca_pem, ca);
	assert_null(kc->ca_file);
	assert_string_equal(kc->cert_pem, cert);
	assert_string_equal(kc->key_file, at("keys/u.key"));
	memset(&o, 0, sizeof o);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	assert_string_equal(o.ca_pem, ca);
	assert_null(o.ca_file);
	assert_string_equal(o.cert_pem, cert);
	assert_null(o.cert_file);
	assert_string_equal(o.key_file, at("keys/u.key"));
	assert_null(o.bearer_token);
	kube_creds_free(&cr);
	kubeconfig_unref(kc);
}

static void
test_token_file(void **state)
{
	struct kubeconfig	*kc;
	struct http_opts	 o;
	struct kube_creds	 cr;
	struct error		 err;

	write_file("config",
	    "current-context: c\n"
	    "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "users: [{name: u, user: {tokenFile: tokens/sa}}]\n");
	mkdir(at("tokens"), 0700);
	write_file("tokens/sa", "first-token\n");
	kc = load_ok(at("config"), NULL, NULL);
	assert_string_equal(kc->token_file, at("tokens/sa"));
	memset(&o, 0, sizeof o);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	assert_string_equal(o.bearer_token, "first-token");
	kube_creds_free(&cr);
	/* Rotated: read again for the next request. */
	write_file("tokens/sa", "second-token");
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	assert_string_equal(o.bearer_token, "second-token");
	kube_creds_free(&cr);
	unlink(at("tokens/sa"));
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), -1);
	assert_non_null(strstr(err.msg, "tokenFile"));
	assert_non_null(strstr(err.msg, "No such file"));
	kubeconfig_unref(kc);
}

/* A kubeconfig whose user runs the fixture plugin with mode and env. */
static void
exec_config(const char *mode, const char *env)
{
	char	text[4096];

	snprintf(text, sizeof text,
	    "current-context: c\n"
	    "clusters: [{name: k, cluster: {server: 'https://k:6443'}}]\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "users:\n"
	    "- name: u\n"
	    "  user:\n"
	    "    exec:\n"
	    "      apiVersion: client.authentication.k8s.io/v1\n"
	    "      command: bin/plugin.sh\n"
	    "      args: [%s]\n"
	    "      installHint: install the sso plugin\n"
	    "      interactiveMode: Never\n"
	    "      env:\n"
	    "      - {name: PLUGIN_LOG, value: '%s'}\n"
	    "%s", mode, at("plugin.log"), env);
	write_file("config", text);
}

static void
install_plugin(void)
{
	char	cmd[PATH_MAX + 1024];

	snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s' && "
	    "rm -f '%s'", at("bin"), plugin, at("bin/plugin.sh"),
	    at("plugin.log"));
	assert_int_equal(system(cmd), 0);
}

static int
plugin_runs(void)
{
	FILE	*fp = fopen(at("plugin.log"), "r");
	int	 n = 0, c;

	if (fp == NULL)
		return (0);
	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return (n);
}

static void
test_exec_plugin(void **state)
{
	struct kubeconfig	*kc;
	struct http_opts	 o;
	struct kube_creds	 cr;
	struct error		 err;

	install_plugin();
	exec_config("token", "      - {name: PLUGIN_TOKEN, value: from-plugin}\n");
	kc = load_ok(at("config"), NULL, NULL);
	assert_non_null(kc->exec);
	assert_string_equal(kc->exec->argv[0], at("bin/plugin.sh"));
	assert_string_equal(kc->exec->argv[1], "token");
	memset(&o, 0, sizeof o);
	if (kubeconfig_http_opts(kc, &o, &cr, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(o.bearer_token, "from-plugin");
	kube_creds_free(&cr);
	/* No expiry: cached until a 401. */
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	kube_creds_free(&cr);
	assert_int_equal(plugin_runs(), 1);
	assert_int_equal(kubeconfig_forget(kc), 1);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	kube_creds_free(&cr);
	assert_int_equal(plugin_runs(), 2);
	kubeconfig_unref(kc);
}

static void
test_exec_expiry(void **state)
{
	struct kubeconfig	*kc;
	struct http_opts	 o;
	struct kube_creds	 cr;
	struct error		 err;
	char			 env[512], stamp[32];
	time_t			 t = time(NULL) + 3600;

	install_plugin();
	/* Expired already: every request runs the plugin. */
	exec_config("token", "      - {name: PLUGIN_TOKEN, value: t1}\n"
	    "      - {name: PLUGIN_EXPIRY, value: '2020-01-01T00:00:00Z'}\n");
	kc = load_ok(at("config"), NULL, NULL);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	kube_creds_free(&cr);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	kube_creds_free(&cr);
	assert_int_equal(plugin_runs(), 2);
	kubeconfig_unref(kc);
	/* Valid for an hour: once. */
	install_plugin();
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	snprintf(env, sizeof env, "      - {name: PLUGIN_TOKEN, value: t2}\n"
	    "      - {name: PLUGIN_EXPIRY, value: '%s'}\n", stamp);
	exec_config("token", env);
	kc = load_ok(at("config"), NULL, NULL);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	kube_creds_free(&cr);
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), 0);
	assert_string_equal(o.bearer_token, "t2");
	kube_creds_free(&cr);
	assert_int_equal(plugin_runs(), 1);
	assert_true(kc->exec->expiry_ms == (int64_t)t * 1000);
	kubeconfig_unref(kc);
}

static void
exec_fails(const char *mode, int timeout_ms, const char *want)
{
	struct kubeconfig	*kc;
	struct http_opts	 o;
	struct kube_creds	 cr;
	struct error		 err;
	int64_t			 t0;

	exec_config(mode, "");
	kc = load_ok(at("config"), NULL, NULL);
	if (timeout_ms > 0)
		kc->exec->timeout_ms = timeout_ms;
	memset(&o, 0, sizeof o);
	t0 = mono_ms();
	assert_int_equal(kubeconfig_http_opts(kc, &o, &cr, &err), -1);
	if (strstr(err.msg, want) == NULL)
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
	if (timeout_ms > 0)
		assert_true(mono_ms() - t0 < timeout_ms + 2000);
	kubeconfig_unref(kc);
}

static void
test_exec_failures(void **state)
{
	install_plugin();
	exec_fails("fail", 0, "failed (exit 3): error: you must be logged in");
	exec_fails("badversion", 0, "answered apiVersion "
	    "'client.authentication.k8s.io/v1alpha1'");
	exec_fails("sleep", 300, "did not answer within");
	unlink(at("bin/plugin.sh"));
	exec_fails("token", 0, "not found. install the sso plugin");
}

static void
test_errors(void **state)
{
	load_fails(at("nope.yaml"), NULL, "nope.yaml: No such file");
	write_file("bad.yaml", "clusters:\n  - name: [unclosed\n");
	load_fails(at("bad.yaml"), NULL, "bad.yaml:3:1:");
	write_file("list.yaml", "- a\n- b\n");
	load_fails(at("list.yaml"), NULL, "not a kubeconfig");
	write_file("empty.yaml", "");
	load_fails(at("empty.yaml"), NULL, "no current-context and none "
	    "configured (have: none)");
	write_file("c1.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: gone, user: u}}]\n"
	    "clusters: [{name: other, cluster: {server: 'https://o'}}]\n");
	load_fails(at("c1.yaml"), NULL, "cluster 'gone' of context 'c' not "
	    "found (have: other)");
	write_file("c2.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "clusters: [{name: k, cluster: {certificate-authority: x}}]\n");
	load_fails(at("c2.yaml"), NULL, "cluster 'k' has no server");
	/* Found by fuzz_kubeconfig: the slashes went, "https:" was left. */
	write_file("c2h.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "clusters: [{name: k, cluster: {server: 'https:///'}}]\n");
	load_fails(at("c2h.yaml"), NULL, "server 'https:///' names no host");
	write_file("c2i.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "clusters: [{name: k, cluster: {server: 'http://'}}]\n");
	load_fails(at("c2i.yaml"), NULL, "server 'http://' names no host");
	write_file("c3.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "clusters: [{name: k, cluster: {server: 'https://k', "
	    "certificate-authority-data: 'not*base64!'}}]\n");
	load_fails(at("c3.yaml"), NULL, "certificate-authority-data is not "
	    "valid base64");
	write_file("c4.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
	    "users: [{name: u, user: {auth-provider: {name: oidc}}}]\n");
	load_fails(at("c4.yaml"), NULL, "auth-provider 'oidc'");
	write_file("c5.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: k, user: nobody}}]\n"
	    "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
	    "users: [{name: u, user: {token: t}}]\n");
	load_fails(at("c5.yaml"), NULL, "user 'nobody' of context 'c' not "
	    "found (have: u)");
	write_file("c6.yaml", "current-context: c\n"
	    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
	    "clusters: [{name: k, cluster: {server: 'https://k'}}]\n"
	    "users: [{name: u, user: {exec: {command: x, "
	    "apiVersion: client.authentication.k8s.io/v1alpha1}}}]\n");
	load_fails(at("c6.yaml"), NULL, "exec apiVersion");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_current_context),
		cmocka_unit_test(test_context_and_namespace_override),
		cmocka_unit_test(test_context_not_found),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_data_and_files),
		cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_exec_plugin),
		cmocka_unit_test(test_exec_expiry),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_errors),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
