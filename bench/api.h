/* api.h — a tiny synchronous client of the samtal JSON API for benchmarks: one SoupSession per
 * thread (libsoup 3 sessions belong to the thread that uses them), bearer-token login, and one
 * call that sends JSON and returns the status and parsed JSON answer.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _BenchApi BenchApi;

BenchApi *bench_api_new (const char *base_url);
void bench_api_free (BenchApi *api);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchApi, bench_api_free)

/* POST /api/v1/session; keeps the token for later calls. */
gboolean bench_api_login (BenchApi *api, const char *email, const char *password, GError **error);

/* method path (e.g. "/api/v1/slots?…"), body JSON text or NULL. Returns the parsed answer
 * (transfer full; NULL for an empty body) and sets *status; FALSE only on transport errors or
 * unparsable JSON. */
gboolean bench_api_call (BenchApi *api, const char *method, const char *path, const char *body,
                         guint *status, JsonNode **answer, GError **error);

/* The body of a GET as text (e.g. /metrics), NULL with error on failure or a non-200 status. */
char *bench_api_get_text (BenchApi *api, const char *path, GError **error);

/* Helpers for answers: member of an object node, with defaults. */
gint64 bench_json_int (JsonNode *node, const char *member);
const char *bench_json_string (JsonNode *node, const char *member);

G_END_DECLS
