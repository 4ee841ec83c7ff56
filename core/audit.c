/* audit.c: the audit trail of one sitrep process.  Opening (paths, the
 * checks, session_start), the actor every record carries, the engine hook
 * (one record per engine event; the intent fsync'ed before the action
 * runs), records for the rest of sitrep (incidents, silences, notes,
 * actions outside runbooks), the "audit.tail" action, closing. */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "audit_int.h"
#include "config.h"
#include "engine.h"
#include "xmalloc.h"

#ifndef SITREP_VERSION
#define SITREP_VERSION	"unknown"
#endif

#define AUDIT_TMUX_MS	300	/* asking tmux for the window, at most */
#define AUDIT_CLOSE_MS	3000	/* final anchors, at most */

extern char **environ;

/* The actor -------------------------------------------------------------- */

static const char *
audit_env(const char *name)
{
	const char	*v = getenv(name);

	return (v != NULL && *v != '\0' ? v : NULL);
}

/* tmux's session name and window index for our pane, bounded in time. */
static void
audit_tmux_ask(const char *pane, char *out, size_t len)
{
	posix_spawn_file_actions_t	 fa;
	struct pollfd			 pfd;
	char *const argv[] = { "tmux", "display-message", "-p", "-t",
	    (char *)pane, "#{session_name}\t#{window_index}", NULL };
	int64_t				 until = mono_ms() + AUDIT_TMUX_MS;
	size_t				 n = 0;
	ssize_t				 r;
	pid_t				 pid;
	int				 p[2], st;

	*out = '\0';
	if (pipe2(p, O_CLOEXEC) != 0)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	st = posix_spawnp(&pid, "tmux", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (st != 0) {
		close(p[0]);
		return;
	}
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (n + 1 < len && mono_ms() < until && poll(&pfd, 1,
	    (int)(until - mono_ms())) > 0) {
		if ((r = read(p[0], out + n, len - 1 - n)) <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	out[strcspn(out, "\n")] = '\0';
}

/* $TMUX is "socket,server-pid,session-id"; $TMUX_PANE "%N". */
static cJSON *
audit_tmux(void)
{
	const char	*t = audit_env("TMUX"), *pane = audit_env("TMUX_PANE");
	char		 buf[512], ans[256], *tab;
	cJSON		*o;

	if (t == NULL)
		return (NULL);
	o = cJSON_CreateObject();
	strlcpy_(buf, t, sizeof buf);
	if ((tab = strrchr(buf, ',')) != NULL) {
		arec_add_raw(o, "session", tab + 1);
		*tab = '\0';
		if ((tab = strrchr(buf, ',')) != NULL)
			*tab = '\0';
	}
	arec_add_raw(o, "socket", buf);
	if (pane != NULL) {
		audit_tmux_ask(pane, ans, sizeof ans);
		if ((tab = strchr(ans, '\t')) != NULL) {
			*tab++ = '\0';
			arec_add_raw(o, "session_name", ans);
			arec_add_raw(o, "window", tab);
		}
		arec_add_raw(o, "pane", pane);
	}
	return (o);
}

static cJSON *
audit_actor(char *who, size_t len)
{
	struct passwd	*pw = getpwuid(getuid());
	const char	*user = pw != NULL ? pw->pw_name : audit_env("USER");
	const char	*ssh = audit_env("SSH_CLIENT");
	char		 host[256], addr[128], *tty = ttyname(0);
	cJSON		*o = cJSON_CreateObject(), *tmux;

	if (gethostname(host, sizeof host) != 0)
		strlcpy_(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	arec_add_raw(o, "user", user != NULL ? user : "unknown");
	arec_add_int(o, "uid", (int64_t)getuid());
	arec_add_int(o, "euid", (int64_t)geteuid());
	arec_add_raw(o, "sudo_user", audit_env("SUDO_USER"));
	arec_add_raw(o, "host", host);
	if (ssh == NULL)
		ssh = audit_env("SSH_CONNECTION");
	if (ssh != NULL) {
		strlcpy_(addr, ssh, sizeof addr);
		addr[strcspn(addr, " ")] = '\0';
		arec_add_raw(o, "ssh_client", addr);
	}
	arec_add_raw(o, "tty", tty);
	if ((tmux = audit_tmux()) != NULL)
		cJSON_AddItemToObject(o, "tmux", tmux);
	arec_add_raw(o, "version", SITREP_VERSION);
	arec_add_int(o, "pid", (int64_t)getpid());
	snprintf(who, len, "%s@%s", user != NULL ? user : "unknown", host);
	return (o);
}

/* Records ---------------------------------------------------------------- */

cJSON *
audit_rec_new(struct audit *a, const struct audit_entry *e)
{
	cJSON	*rec = cJSON_CreateObject(), *o;

	arec_add_int(rec, "v", AUDIT_VERSION);
	arec_add_int(rec, "seq", 0);
	arec_add_raw(rec, "time", "");
	arec_add_raw(rec, "type", e->type);
	cJSON_AddItemToObject(rec, "actor", cJSON_Duplicate(a->actor, 1));
	arec_add_text(rec, "incident", e->incident ? e->incident :
	    a->incident);
	arec_add_text(rec, "env", e->env ? e->env : a->env);
	if (e->env != NULL ? e->production : a->production)
		cJSON_AddTrueToObject(rec, "production");
	if (e->runbook_id != NULL) {
		cJSON_AddItemToObject(rec, "runbook", o = cJSON_CreateObject());
		arec_add_text(o, "id", e->runbook_id);
		arec_add_raw(o, "sha256", e->runbook_sha256);
		arec_add_text(o, "path", e->runbook_path);
	}
	if (e->step >= 0) {
		cJSON_AddItemToObject(rec, "step", o = cJSON_CreateObject());
		arec_add_int(o, "index", e->step);
		arec_add_text(o, "id", e->step_id);
		arec_add_text(o, "kind", e->step_kind);
		arec_add_text(o, "title", e->step_title);
		arec_add_int(o, "attempt", e->attempt);
	}
	if (e->data != NULL) {
		arec_redact_tree(e->data->child);
		cJSON_AddItemToObject(rec, "data", e->data);
	}
	return (rec);
}

int
audit_append(struct audit *a, struct audit_entry *e, struct error *err)
{
	struct error	 local;
	cJSON		*rec;
	uint64_t	 seq, before;
	char		 hash[65];
	int		 rc;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof *err);
	rec = audit_rec_new(a, e);
	e->data = NULL;
	pthread_mutex_lock(&a->mu);
	if ((rc = afile_append(a, rec, err)) != 0)
		snprintf(a->err, sizeof a->err, "%s", err->msg);
	seq = a->last_seq;
	before = a->tail_seq;
	memcpy(hash, a->last_hash, sizeof hash);
	pthread_mutex_unlock(&a->mu);
	if (rc == 0 && a->worker != NULL) {
		if (seq / (uint64_t)a->anchor_every != before /
		    (uint64_t)a->anchor_every)
			aworker_anchor(a->worker, seq, hash);
		aworker_wake(a->worker);
	}
	return (rc);
}

static int
audit_simple(struct audit *a, const char *type, const char *incident,
    cJSON *data, struct error *err)
{
	struct audit_entry	e;

	memset(&e, 0, sizeof e);
	e.type = type;
	e.incident = incident;
	e.step = -1;
	e.data = data;
	return (audit_append(a, &e, err));
}

static cJSON *
audit_data_text(const char *name, const char *text)
{
	cJSON	*d = cJSON_CreateObject();

	arec_add_text(d, name, text);
	return (d);
}

int
audit_incident(struct audit *a, int closed, const char *incident,
    const char *text, struct error *err)
{
	return (audit_simple(a, closed ? "incident_closed" : "incident_opened",
	    incident, audit_data_text("text", text), err));
}

int
audit_note(struct audit *a, const char *incident, const char *text,
    struct error *err)
{
	return (audit_simple(a, "note", incident, audit_data_text("text",
	    text), err));
}

static cJSON *
audit_request(const char *kind, int argc, const char *const *argv)
{
	cJSON	*d = cJSON_CreateObject(), *req;
	int	 i;

	arec_add_text(d, "action", kind);
	cJSON_AddItemToObject(d, "request", req = cJSON_CreateArray());
	for (i = 0; i < argc; i++)
		cJSON_AddItemToArray(req, cJSON_CreateString(argv[i]));
	return (d);
}

int
audit_action_intent(struct audit *a, const char *incident,
    const struct action_req *req, struct error *err)
{
	return (audit_simple(a, "started", incident, audit_request(req->kind,
	    req->argc, (const char *const *)req->argv), err));
}

static void
audit_output(cJSON *d, const char *out, size_t len)
{
	char	sha[65], *head;

	arec_sha256(out != NULL ? out : "", len, sha);
	arec_add_raw(d, "output_sha256", sha);
	arec_add_int(d, "output_bytes", (int64_t)len);
	if (len == 0)
		return;
	head = arec_text(out, len < AUDIT_HEAD_MAX ? len : AUDIT_HEAD_MAX,
	    AUDIT_HEAD_MAX);
	arec_add_text(d, "output_head", head);
	free(head);
}

void
audit_action_result(struct audit *a, const char *incident,
    const struct action_req *req, const struct action_result *res)
{
	const char	*type = "finished";
	cJSON		*d;

	if (res->ok && strcmp(req->kind, "silence.create") == 0)
		type = "silence_created";
	else if (res->ok && strcmp(req->kind, "silence.expire") == 0)
		type = "silence_expired";
	d = audit_request(req->kind, req->argc,
	    (const char *const *)req->argv);
	cJSON_AddBoolToObject(d, "ok", res->ok);
	arec_add_int(d, "exit_status", res->exit_code);
	arec_add_int(d, "duration_ms", res->duration_ms);
	arec_add_text(d, "summary", res->summary);
	audit_output(d, res->output, res->output ? strlen(res->output) : 0);
	audit_simple(a, type, incident, d, NULL);
}

/* The engine ------------------------------------------------------------- */

static const char *const audit_ev_names[] = {
	[EV_RUN_BEGIN] = "run_begin", [EV_PARAM_SET] = "param_set",
	[EV_STEP_SHOWN] = "step_shown", [EV_STEP_CONFIRMED] = "confirmed",
	[EV_STEP_STARTED] = "started", [EV_STEP_POLL] = "poll",
	[EV_STEP_FINISHED] = "finished", [EV_STEP_SKIPPED] = "skipped",
	[EV_STEP_CANCELLED] = "cancelled", [EV_STEP_REFUSED] = "refused",
	[EV_VAR_SET] = "var_set", [EV_CHOICE] = "choice", [EV_NOTE] = "note",
	[EV_RUN_END] = "run_end",
};

static cJSON *
audit_ev_data(const struct engine_event *ev)
{
	cJSON	*d;

	switch (ev->type) {
	case EV_RUN_BEGIN:
		d = cJSON_CreateObject();
		cJSON_AddBoolToObject(d, "dry_run", ev->dry_run);
		cJSON_AddBoolToObject(d, "read_only", ev->read_only);
		return (d);
	case EV_PARAM_SET:
	case EV_VAR_SET:
		d = cJSON_CreateObject();
		arec_add_text(d, "name", ev->param);
		arec_add_text(d, "value", ev->secret ? "[redacted]" :
		    ev->value);
		if (ev->type == EV_PARAM_SET)
			cJSON_AddBoolToObject(d, "secret", ev->secret);
		return (d);
	case EV_STEP_CONFIRMED:
		d = cJSON_CreateObject();
		arec_add_text(d, "typed", ev->typed);
		arec_add_text(d, "approver", ev->approver);
		return (d);
	case EV_STEP_STARTED:
		d = audit_request(ev->action_kind ? ev->action_kind : "",
		    ev->argc, ev->argv);
		arec_add_text(d, "reason", ev->reason);
		return (d);
	case EV_STEP_FINISHED:
		d = cJSON_CreateObject();
		arec_add_text(d, "action", ev->action_kind);
		cJSON_AddBoolToObject(d, "ok", ev->ok);
		arec_add_int(d, "exit_status", ev->exit_status);
		arec_add_int(d, "duration_ms", ev->duration_ms);
		arec_add_text(d, "summary", ev->summary);
		arec_add_raw(d, "output_sha256", ev->output_sha256);
		arec_add_int(d, "output_bytes", (int64_t)ev->output_len);
		arec_add_text(d, "output_head", ev->output_head);
		arec_add_text(d, "reason", ev->reason);
		return (d);
	case EV_STEP_POLL:
		return (audit_data_text("value", ev->value));
	case EV_CHOICE:
		d = audit_data_text("option", ev->value);
		arec_add_text(d, "effect", ev->reason);
		return (d);
	case EV_NOTE:
		return (audit_data_text("text", ev->note));
	case EV_STEP_SKIPPED:
	case EV_STEP_CANCELLED:
	case EV_STEP_REFUSED:
		return (audit_data_text("reason", ev->reason));
	default:
		return (NULL);
	}
}

static void
audit_ev_entry(const struct engine_event *ev, const char *type,
    struct audit_entry *e)
{
	memset(e, 0, sizeof *e);
	e->type = type;
	e->incident = ev->incident;
	e->env = ev->env_name ? ev->env_name : "default";
	e->production = ev->production;
	e->runbook_id = ev->runbook_id;
	e->runbook_sha256 = ev->runbook_sha256;
	e->runbook_path = ev->runbook_path;
	e->step = ev->step_id != NULL ? ev->step : -1;
	e->step_id = ev->step_id;
	e->step_kind = ev->step_kind;
	e->step_title = ev->step_title;
	e->attempt = ev->attempt;
}

int
audit_engine_event(void *arg, const struct engine_event *ev)
{
	struct audit		*a = arg;
	struct audit_entry	 e;

	if ((size_t)ev->type >= sizeof audit_ev_names /
	    sizeof audit_ev_names[0] || audit_ev_names[ev->type] == NULL)
		return (0);
	if (ev->seq == 1) {
		audit_ev_entry(ev, "runbook_opened", &e);
		e.step = -1;
		if (audit_append(a, &e, NULL) != 0 &&
		    ev->type == EV_STEP_STARTED)
			return (-1);
	}
	audit_ev_entry(ev, audit_ev_names[ev->type], &e);
	e.data = audit_ev_data(ev);
	return (audit_append(a, &e, NULL));
}

/* The console's action --------------------------------------------------- */

static int
audit_tail_action(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	struct audit	*a = ctx;
	struct error	 err;
	const char	*c = action_arg(req, "count");
	char		**lines, *s, *out = xstrdup("");
	size_t		 len = 0, sl;
	int		 n, i, count = c != NULL ? atoi(c) : 200;

	if (audit_tail(a->path, count > 0 ? count : 200, &lines, &n,
	    &err) != 0) {
		snprintf(res->summary, sizeof res->summary, "%s", err.msg);
		free(out);
		return (-1);
	}
	for (i = 0; i < n && !*cancel; i++) {
		s = audit_format(lines[i]);
		sl = strlen(s);
		out = xrealloc(out, len + sl + 2);
		memcpy(out + len, s, sl);
		len += sl;
		out[len++] = '\n';
		out[len] = '\0';
		free(s);
	}
	audit_lines_free(lines, n);
	res->ok = 1;
	res->output = out;
	snprintf(res->summary, sizeof res->summary, "%d records of %s", n,
	    a->path);
	return (0);
}

void
audit_register_actions(struct audit *a, struct actions *actions)
{
	actions_register(actions, "audit.tail", audit_tail_action, a);
}

/* Opening and closing ---------------------------------------------------- */

int
audit_default_path(char *out, size_t len, struct error *err)
{
	const char	*state = audit_env("XDG_STATE_HOME");
	const char	*home = audit_env("HOME");
	int		 n;

	if (state != NULL && *state == '/')
		n = snprintf(out, len, "%s/sitrep/audit.jsonl", state);
	else if (home != NULL)
		n = snprintf(out, len, "%s/.local/state/sitrep/audit.jsonl",
		    home);
	else {
		error_set(err, "no $XDG_STATE_HOME or $HOME for the audit "
		    "trail; give --audit FILE");
		return (-1);
	}
	if (n < 0 || (size_t)n >= len) {
		error_set(err, "the audit trail's path is too long");
		return (-1);
	}
	return (0);
}

static int
audit_paths(struct audit *a, const struct audit_opts *o, struct error *err)
{
	const struct cfg_audit	*c = o->cfg;
	const char		*p = o->path, *k = o->key_file;
	char			 buf[4096];

	if (p == NULL && c != NULL)
		p = c->path;
	if (p == NULL) {
		if (audit_default_path(buf, sizeof buf, err) != 0)
			return (-1);
	} else if (config_path(p, buf, sizeof buf, err) != 0)
		return (-1);
	a->path = xstrdup(buf);
	if (k == NULL && c != NULL)
		k = c->key_file;
	if (k == NULL)
		return (0);
	if (config_path(k, buf, sizeof buf, err) != 0)
		return (-1);
	a->key_path = xstrdup(buf);
	return (0);
}

static int
audit_has_net(const struct cfg_audit *c)
{
	return (c != NULL && (c->anchor_file != NULL || c->anchor_pg != NULL ||
	    c->anchor_redis != NULL || c->mirror_pg != NULL));
}

struct audit *
audit_open(const struct audit_opts *o, struct error *err)
{
	struct audit	*a = xcalloc(1, sizeof *a);
	struct sigaction sa;

	a->fd = -1;
	pthread_mutex_init(&a->mu, NULL);
	a->cfg = o->cfg;
	a->incident = o->incident ? xstrdup(o->incident) : NULL;
	a->env = o->env ? xstrdup(o->env) : NULL;
	a->production = o->production;
	a->anchor_every = o->cfg != NULL && o->cfg->anchor_every > 0 ?
	    o->cfg->anchor_every : AUDIT_ANCHOR_EVERY;
	/* A file size limit must fail the write (EFBIG), not kill us. */
	if (sigaction(SIGXFSZ, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGXFSZ, SIG_IGN);
	if (audit_paths(a, o, err) != 0 || afile_open(a, err) != 0 ||
	    afile_precheck(a, err) != 0)
		goto fail;
	a->actor = audit_actor(a->who, sizeof a->who);
	if (audit_has_net(o->cfg))
		a->worker = aworker_start(a);
	if (!o->no_session) {
		if (audit_simple(a, "session_start", NULL, NULL, err) != 0)
			goto fail;
		a->session = 1;
	}
	return (a);
fail:
	audit_close(a);
	return (NULL);
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->session)
		audit_simple(a, "session_end", NULL, NULL, NULL);
	if (a->worker != NULL) {
		if (a->last_seq > 0)
			aworker_anchor(a->worker, a->last_seq, a->last_hash);
		/* A worker stuck past the bound keeps a: leave it to exit. */
		if (aworker_stop(a->worker, AUDIT_CLOSE_MS) != 0)
			return;
	}
	afile_close(a);
	cJSON_Delete(a->actor);
	pthread_mutex_destroy(&a->mu);
	free(a->path);
	free(a->key_path);
	free(a->incident);
	free(a->env);
	free(a);
}

void
audit_set_tap(struct audit *a, audit_tap_fn fn, void *arg)
{
	pthread_mutex_lock(&a->mu);
	a->tap = fn;
	a->tap_arg = arg;
	pthread_mutex_unlock(&a->mu);
}

const char *
audit_path(const struct audit *a)
{
	return (a->path);
}

const char *
audit_error(const struct audit *a)
{
	return (a->err);
}
