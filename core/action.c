/* action.c: handlers by kind, each request on its own thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_HANDLERS 64

struct handler {
	char		 kind[48];
	action_fn	 fn;
	void		*ctx;
};

struct running {
	struct action_req	 req;		/* first: action_emit finds us */
	int			 id;
	struct actions		*owner;
	const struct handler	*h;
	struct action_result	 res;
	char			*out;		/* emitted so far */
	size_t			 outlen, outcap;
	action_done_fn		 done;
	void			*arg;
	volatile int		 cancel;
	int			 finished;
	int			 guarded;	/* the guard records the result */
	struct running		*next;
};

struct actions {
	struct store	*store;
	pthread_mutex_t	 lock;
	struct handler	 handlers[MAX_HANDLERS];
	int		 nhandlers;
	struct running	*list;		/* running and finished */
	int		 next_id;
	action_intent_fn guard_intent;
	action_result_fn guard_result;
	void		*guard_arg;
};

void
actions_set_guard(struct actions *a, action_intent_fn intent,
    action_result_fn result, void *arg)
{
	a->guard_intent = intent;
	a->guard_result = result;
	a->guard_arg = arg;
}

struct actions *
actions_new(struct store *store)
{
	struct actions	*a = xcalloc(1, sizeof *a);

	a->store = store;
	pthread_mutex_init(&a->lock, NULL);
	return (a);
}

void
actions_register(struct actions *a, const char *kind, action_fn fn,
    void *ctx)
{
	struct handler	*h;

	if (a->nhandlers == MAX_HANDLERS)
		fatalx("too many action handlers");
	h = &a->handlers[a->nhandlers++];
	strlcpy_(h->kind, kind, sizeof h->kind);
	h->fn = fn;
	h->ctx = ctx;
}

static const struct handler *
actions_find(const struct actions *a, const char *kind)
{
	int	i;

	for (i = 0; i < a->nhandlers; i++)
		if (strcmp(a->handlers[i].kind, kind) == 0)
			return (&a->handlers[i]);
	return (NULL);
}

int
actions_has(const struct actions *a, const char *kind)
{
	return (actions_find(a, kind) != NULL);
}

const char *
action_arg(const struct action_req *req, const char *key)
{
	size_t	n = strlen(key);
	int	i;

	for (i = 0; i < req->argc; i++)
		if (strncmp(req->argv[i], key, n) == 0 &&
		    req->argv[i][n] == '=')
			return (req->argv[i] + n + 1);
	return (NULL);
}

static void *
action_main(void *arg)
{
	struct running	*r = arg;
	struct actions	*a = r->owner;
	int64_t		 start = mono_ms();

	if (r->h->fn(r->h->ctx, &r->req, &r->res, &r->cancel) != 0)
		r->res.ok = 0;
	if (r->res.duration_ms == 0)
		r->res.duration_ms = mono_ms() - start;
	/* Wake under the lock: once finished is seen, actions_free() may
	 * free a (and the caller the store) at once. */
	pthread_mutex_lock(&a->lock);
	r->finished = 1;
	store_wake(a->store);
	pthread_mutex_unlock(&a->lock);
	return (NULL);
}

static int
actions_start(struct actions *a, const char *kind, int argc,
    const char *const *argv, action_done_fn done, void *arg, int guarded)
{
	const struct handler	*h = actions_find(a, kind);
	struct running		*r;
	pthread_t		 t;
	pthread_attr_t		 attr;
	int			 i;

	if (h == NULL || argc > ACTION_MAX_ARGS)
		return (-1);
	r = xcalloc(1, sizeof *r);
	r->owner = a;
	r->h = h;
	strlcpy_(r->req.kind, kind, sizeof r->req.kind);
	for (i = 0; i < argc; i++)
		r->req.argv[i] = xstrdup(argv[i]);
	r->req.argc = argc;
	r->res.ok = 1;
	r->res.exit_code = -1;
	r->done = done;
	r->arg = arg;
	r->guarded = guarded;
	pthread_mutex_lock(&a->lock);
	r->id = ++a->next_id;
	r->next = a->list;
	a->list = r;
	pthread_mutex_unlock(&a->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, action_main, r) != 0)
		fatalx("cannot start a thread for %s", kind);
	pthread_attr_destroy(&attr);
	return (r->id);
}

int
actions_run(struct actions *a, const char *kind, int argc,
    const char *const *argv, action_done_fn done, void *arg)
{
	return (actions_start(a, kind, argc, argv, done, arg, 0));
}

int
actions_run_guarded(struct actions *a, const char *kind, int argc,
    const char *const *argv, action_done_fn done, void *arg, char *err,
    size_t errlen)
{
	struct action_req	req;
	int			i;

	if (actions_find(a, kind) == NULL || argc > ACTION_MAX_ARGS)
		return (-1);
	if (a->guard_intent != NULL) {
		memset(&req, 0, sizeof req);
		strlcpy_(req.kind, kind, sizeof req.kind);
		for (i = 0; i < argc; i++)
			req.argv[i] = (char *)argv[i];
		req.argc = argc;
		if (a->guard_intent(a->guard_arg, &req, err, errlen) != 0)
			return (-2);
	}
	return (actions_start(a, kind, argc, argv, done, arg, 1));
}

void
actions_cancel(struct actions *a, int id)
{
	struct running	*r;

	pthread_mutex_lock(&a->lock);
	for (r = a->list; r != NULL; r = r->next)
		if (r->id == id)
			r->cancel = 1;
	pthread_mutex_unlock(&a->lock);
}

void
actions_forget(struct actions *a, int id)
{
	struct running	*r;

	pthread_mutex_lock(&a->lock);
	for (r = a->list; r != NULL; r = r->next)
		if (r->id == id) {
			r->cancel = 1;
			r->done = NULL;
			r->arg = NULL;
		}
	pthread_mutex_unlock(&a->lock);
}

static void
running_free(struct running *r)
{
	int	i;

	for (i = 0; i < r->req.argc; i++)
		free(r->req.argv[i]);
	free(r->res.output);
	free(r->out);
	free(r);
}

#define EMIT_MAX	((size_t)4 << 20)	/* keep the last 4 MiB */

void
action_emit(const struct action_req *req, const char *data, size_t len)
{
	struct running	*r = (struct running *)req;	/* req is first */
	struct actions	*a = r->owner;

	pthread_mutex_lock(&a->lock);
	if (r->outlen + len > EMIT_MAX) {
		size_t	drop = r->outlen + len - EMIT_MAX;

		if (drop > r->outlen)
			drop = r->outlen;
		memmove(r->out, r->out + drop, r->outlen - drop);
		r->outlen -= drop;
		if (len > EMIT_MAX) {
			data += len - EMIT_MAX;
			len = EMIT_MAX;
		}
	}
	if (r->outlen + len + 1 > r->outcap) {
		r->outcap = (r->outlen + len + 1) * 2;
		r->out = xrealloc(r->out, r->outcap);
	}
	memcpy(r->out + r->outlen, data, len);
	r->outlen += len;
	r->out[r->outlen] = '\0';
	pthread_mutex_unlock(&a->lock);
	store_wake(a->store);
}

char *
actions_peek_output(struct actions *a, int id, size_t *len)
{
	struct running	*r;
	char		*copy = NULL;

	pthread_mutex_lock(&a->lock);
	for (r = a->list; r != NULL; r = r->next) {
		if (r->id != id || r->finished)
			continue;
		copy = xmalloc(r->outlen + 1);
		memcpy(copy, r->out ? r->out : "", r->outlen);
		copy[r->outlen] = '\0';
		*len = r->outlen;
		break;
	}
	pthread_mutex_unlock(&a->lock);
	return (copy);
}

/* Unlink the finished ones under the lock; call back outside it. */
int
actions_collect(struct actions *a)
{
	struct running	*done = NULL, **pp, *r;
	int		 n = 0;

	pthread_mutex_lock(&a->lock);
	for (pp = &a->list; (r = *pp) != NULL;) {
		if (r->finished) {
			*pp = r->next;
			r->next = done;
			done = r;
		} else
			pp = &r->next;
	}
	pthread_mutex_unlock(&a->lock);
	while ((r = done) != NULL) {
		done = r->next;
		if (r->guarded && a->guard_result != NULL)
			a->guard_result(a->guard_arg, &r->req, &r->res);
		if (r->done != NULL)
			r->done(r->arg, &r->req, &r->res);
		running_free(r);
		n++;
	}
	return (n);
}

int
actions_running(const struct actions *a)
{
	struct running	*r;
	int		 n = 0;

	pthread_mutex_lock((pthread_mutex_t *)&a->lock);
	for (r = a->list; r != NULL; r = r->next)
		n += !r->finished;
	pthread_mutex_unlock((pthread_mutex_t *)&a->lock);
	return (n);
}

int
actions_free(struct actions *a, int wait_ms)
{
	struct running	*r;
	int64_t		 end = mono_ms() + wait_ms;

	if (a == NULL)
		return (0);
	pthread_mutex_lock(&a->lock);
	for (r = a->list; r != NULL; r = r->next)
		r->cancel = 1;
	pthread_mutex_unlock(&a->lock);
	while (actions_running(a) > 0 && mono_ms() < end)
		usleep(10000);
	if (actions_running(a) > 0)
		return (-1);	/* a stuck handler keeps its state */
	while ((r = a->list) != NULL) {
		a->list = r->next;
		running_free(r);
	}
	pthread_mutex_destroy(&a->lock);
	free(a);
	return (0);
}
