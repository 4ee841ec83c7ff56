/* sim_query_int.h: what the three parts of the sim.query action share.
 *
 *   sim_query.c       the list of queries, their arguments, running one
 *                     under the world's lock, the action and its summary
 *   sim_query_kube.c  deployment, pods
 *   sim_query_data.c  replication, standby, in_recovery, slot, volume,
 *                     outbox, circuit, circuits, health, alerts, alert,
 *                     redis
 *
 * A query runs with the world locked and changes nothing; it returns its
 * answer (the caller deletes it) or NULL and err. */
#ifndef SITREP_SIM_QUERY_INT_H
#define SITREP_SIM_QUERY_INT_H

#include <cjson/cJSON.h>

#include "sim_world.h"

/* sim_query.c: add key: v, "" for NULL. */
void		 sim_query_add_str(cJSON *, const char *, const char *);

/* sim_query_kube.c */
cJSON		*sim_query_kube_deployment(struct sim *,
		     const struct sim_args *, struct error *);
cJSON		*sim_query_kube_pods(struct sim *, const struct sim_args *,
		     struct error *);

/* sim_query_data.c */
cJSON		*sim_query_data_replication(struct sim *,
		     const struct sim_args *, struct error *);
cJSON		*sim_query_data_standby(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_in_recovery(struct sim *,
		     const struct sim_args *, struct error *);
cJSON		*sim_query_data_slot(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_volume(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_outbox(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_circuit(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_circuits(struct sim *,
		     const struct sim_args *, struct error *);
cJSON		*sim_query_data_health(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_alerts(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_alert(struct sim *, const struct sim_args *,
		     struct error *);
cJSON		*sim_query_data_redis(struct sim *, const struct sim_args *,
		     struct error *);

#endif
