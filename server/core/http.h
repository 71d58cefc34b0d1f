/* http.h — the router: JSON API routes on the SoupServer, with authentication, CSRF, body limits,
 * security headers and the error shape of the contract applied in one place.
 *
 * A handler is registered for a method and a pattern with {name} parameters:
 *
 *     samtal_router_add (server->router, "POST", "/api/v1/bookings/{id}/cancel",
 *                        handle_cancel, SAMTAL_ROUTE_SIGNED_IN);
 *
 * Before the handler runs, the router has: checked the route's flags (401/403), checked the CSRF
 * token for cookie-authenticated requests that change state (403), parsed the body of POST, PUT,
 * PATCH and DELETE into a JSON object (413/400; an empty body gives {}), and counted the request.
 * The handler then reads what it needs from the SamtalRequest and answers exactly once with a
 * samtal_reply_*() call. Every response (also static files and errors) carries the security
 * headers; API responses also carry Cache-Control: no-store.
 *
 * Unknown paths under /api/ → 404 not_found; a known path with another method → 405
 * method_not_allowed (with Allow). Everything runs on the main thread.
 *
 * Asynchronous handlers (e.g. waiting for a worker): call samtal_request_hold() before returning,
 * reply later on the main thread with samtal_reply_*(), then samtal_request_unref().
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "errors.h"
#include "server.h"
#include "users.h"
#include "validate.h"

G_BEGIN_DECLS

typedef struct _SamtalRequest SamtalRequest;

typedef enum {
  SAMTAL_ROUTE_ANYONE    = 0,       /* no sign-in needed (a session is still read if sent) */
  SAMTAL_ROUTE_SIGNED_IN = 1 << 0,  /* any signed-in user, else 401 unauthorized */
  SAMTAL_ROUTE_STAFF     = 1 << 1,  /* caseworker, officer or admin, else 403 (implies SIGNED_IN) */
  SAMTAL_ROUTE_ADMIN     = 1 << 2,  /* admin only, else 403 (implies SIGNED_IN) */
  SAMTAL_ROUTE_NO_CSRF   = 1 << 3,  /* skip the CSRF check (only for sign-in itself) */
  SAMTAL_ROUTE_RAW_BODY  = 1 << 4,  /* do not parse the body as JSON (size limit still applies) */
} SamtalRouteFlags;

typedef void (*SamtalHandler) (SamtalRequest *req, gpointer user_data);

SamtalRouter *samtal_router_new (SamtalServer *server);
void samtal_router_free (SamtalRouter *router);

/* Registers handler for method ("GET", "POST", "PUT", "PATCH", "DELETE") and pattern. A pattern
 * is a path whose segments are literals or {name}; literals win over parameters when both
 * match. Registering the same method and pattern twice is a programming error. */
void samtal_router_add (SamtalRouter *router, const char *method, const char *pattern,
                        SamtalHandler handler, SamtalRouteFlags flags);
void samtal_router_add_full (SamtalRouter *router, const char *method, const char *pattern,
                             SamtalHandler handler, SamtalRouteFlags flags, gpointer user_data,
                             GDestroyNotify destroy);

/* Route matching alone (for tests): TRUE if some route matches method and path; *params gets the
 * path parameters (transfer full, may be NULL), *path_known says whether the path exists for
 * some other method. */
gboolean samtal_router_match (SamtalRouter *router, const char *method, const char *path,
                              GHashTable **params, gboolean *path_known);

/* Attaches the router as the SoupServer's handler for every path. */
void samtal_router_attach (SamtalRouter *router, SoupServer *soup);

/* --- the request --- */
SamtalServer *samtal_request_server (SamtalRequest *req);
SoupServerMessage *samtal_request_message (SamtalRequest *req);
const char *samtal_request_method (SamtalRequest *req);
const char *samtal_request_path (SamtalRequest *req);
/* A path parameter ({id}) as text, or NULL. */
const char *samtal_request_param (SamtalRequest *req, const char *name);
/* A path parameter as a positive integer. FALSE (and the request already answered with
 * 404 not_found) if it is not one: just return from the handler. */
gboolean samtal_request_param_int64 (SamtalRequest *req, const char *name, gint64 *out);
/* A query parameter, or NULL. */
const char *samtal_request_query (SamtalRequest *req, const char *name);
/* A query parameter as an integer in [min, max]; absent → *out = dflt. FALSE (and the request
 * already answered with 400 bad_request) if present and malformed. */
gboolean samtal_request_query_int64 (SamtalRequest *req, const char *name, gint64 min,
                                     gint64 max, gint64 dflt, gint64 *out);
/* The parsed JSON body; never NULL (an empty object for GET or an empty body). Borrowed. */
JsonObject *samtal_request_body (SamtalRequest *req);
/* The raw body (for SAMTAL_ROUTE_RAW_BODY routes). */
GBytes *samtal_request_raw_body (SamtalRequest *req);
/* A request header, e.g. "Idempotency-Key", or NULL. */
const char *samtal_request_header (SamtalRequest *req, const char *name);
/* The signed-in user, or NULL. Borrowed, valid for the request's life. */
const SamtalUser *samtal_request_user (SamtalRequest *req);
/* The remote IP address as text ("127.0.0.1"). */
const char *samtal_request_remote_addr (SamtalRequest *req);
/* TRUE if the request came over TLS. */
gboolean samtal_request_is_tls (SamtalRequest *req);

/* --- replies: call exactly one, once --- */
/* status and a JSON value (transfer full; NULL → no body, e.g. 204). */
void samtal_reply_json (SamtalRequest *req, guint status, JsonNode *node);
/* {"error":{"code":code,"message":…}} with status. */
void samtal_reply_error (SamtalRequest *req, guint status, const char *code,
                         const char *format, ...) G_GNUC_PRINTF (4, 5);
/* Maps error (see errors.h) to status and code, and replies. */
void samtal_reply_gerror (SamtalRequest *req, const GError *error);
/* A text body with content_type (e.g. "text/calendar; charset=utf-8"). */
void samtal_reply_text (SamtalRequest *req, guint status, const char *content_type,
                        const char *text);
/* An extra response header (before replying). */
void samtal_reply_header (SamtalRequest *req, const char *name, const char *value);
gboolean samtal_request_replied (SamtalRequest *req);

/* TRUE (and the request answered 503 unavailable with Retry-After) when the worker pool is too
 * busy to take more slow work; call before queueing password hashing. */
gboolean samtal_request_workers_busy (SamtalRequest *req);

/* --- asynchronous handlers --- */
/* Pauses the message and returns a new reference; reply later, then samtal_request_unref(). */
SamtalRequest *samtal_request_hold (SamtalRequest *req);
SamtalRequest *samtal_request_ref (SamtalRequest *req);
void samtal_request_unref (SamtalRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalRequest, samtal_request_unref)

/* --- JSON building helpers --- */
/* A JsonNode holding obj (transfer full of obj). */
JsonNode *samtal_json_object_node (JsonObject *obj);
/* A JsonNode holding an array (transfer full of array). */
JsonNode *samtal_json_array_node (JsonArray *array);
/* The contract writes answers like "201 {user}": samtal answers with the object itself and,
 * for clients that expect it wrapped, the same object again under name:
 * {"id":1,…,"user":{"id":1,…}}. Takes node (an object; transfer full), returns it. */
JsonNode *samtal_json_self_named (JsonNode *node, const char *name);
/* Sets name to value, or to null when value is 0 (for optional ids). */
void samtal_json_set_id_or_null (JsonObject *obj, const char *name, gint64 value);

G_END_DECLS
