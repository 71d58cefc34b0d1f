/* users.h — users and units: the account records behind sign-in, and their JSON form.
 *
 * Roles: client, caseworker, officer (paratransit), admin. Staff (caseworker, officer, admin)
 * may belong to a unit; clients do not. E-mail addresses are unique, compared after
 * normalisation (trimmed, ASCII lower case). Passwords are stored only as argon2id hashes.
 * All functions run on the main thread (they use the store), except where noted.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _SamtalServer SamtalServer;

typedef struct {
  gint64 id;
  char *email;
  char *name;
  char *role;        /* "client" | "caseworker" | "officer" | "admin" */
  gint64 unit_id;    /* 0 = no unit */
} SamtalUser;

SamtalUser *samtal_user_copy (const SamtalUser *user);
void samtal_user_free (SamtalUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalUser, samtal_user_free)

/* TRUE for the four roles above. */
gboolean samtal_role_valid (const char *role);
/* caseworker, officer or admin. */
gboolean samtal_user_is_staff (const SamtalUser *user);
gboolean samtal_user_is_admin (const SamtalUser *user);

/* The contract's user object {id, email, name, role, unit_id} (unit_id null when none). */
JsonNode *samtal_user_to_json (const SamtalUser *user);

/* Validates everything (e-mail, name 1…200 characters, role, unit exists, password policy)
 * without hashing; the checks that the create functions run first. */
gboolean samtal_users_check_new (SamtalServer *server, const char *email, const char *name,
                                 const char *role, gint64 unit_id, const char *password,
                                 GError **error);

/* Creates a user, hashing the password in the calling thread (slow: ~0.1–1 s). For the CLI and
 * the demo seed only — never from an HTTP handler. Audited as "user.create" by actor_id (0 =
 * none). Errors: SAMTAL_API_ERROR BAD_REQUEST (bad input, weak password, unknown role or unit),
 * CONFLICT (e-mail taken). Returns the user (transfer full). */
SamtalUser *samtal_users_create_sync (SamtalServer *server, gint64 actor_id, const char *email,
                                      const char *name, const char *role, gint64 unit_id,
                                      const char *password, GError **error);

/* The same for handlers: validates at once, hashes in the worker pool, inserts on the main
 * thread, then calls callback on the main thread. */
void samtal_users_create_async (SamtalServer *server, gint64 actor_id, const char *email,
                                const char *name, const char *role, gint64 unit_id,
                                const char *password, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
SamtalUser *samtal_users_create_finish (GAsyncResult *result, GError **error);

/* Look-ups: the user, or NULL with SAMTAL_API_ERROR_NOT_FOUND. (transfer full) */
SamtalUser *samtal_users_get (SamtalServer *server, gint64 id, GError **error);
SamtalUser *samtal_users_get_by_email (SamtalServer *server, const char *email, GError **error);
/* The stored password hash of a user (for sign-in), or NULL. */
char *samtal_users_password_hash (SamtalServer *server, gint64 user_id);
/* Staff of a unit (unit_id 0: every staff member), as a JSON array of user objects. */
JsonNode *samtal_users_list_staff (SamtalServer *server, gint64 unit_id, GError **error);

/* Every user (role NULL) or every user of a role, optionally only of unit_id (0: any), ordered
 * by name, as a JSON array of user objects. */
JsonNode *samtal_users_list (SamtalServer *server, const char *role, gint64 unit_id,
                             GError **error);

/* Units {id, name}. samtal_units_create fails with CONFLICT if the name exists. */
gint64 samtal_units_create (SamtalServer *server, gint64 actor_id, const char *name,
                            GError **error);
/* The id of the unit with that name, creating it if missing. */
gint64 samtal_units_ensure (SamtalServer *server, gint64 actor_id, const char *name,
                            GError **error);
gboolean samtal_units_exists (SamtalServer *server, gint64 unit_id);
/* The unit's name (transfer full), or NULL with NOT_FOUND. */
char *samtal_units_name (SamtalServer *server, gint64 unit_id, GError **error);
JsonNode *samtal_units_list (SamtalServer *server, GError **error);
/* The contract's unit object {id, name}. */
JsonNode *samtal_unit_to_json (gint64 id, const char *name);

/* Registers /api/v1/register, /users, /units, /staff. */
void samtal_users_register_routes (SamtalServer *server);

G_END_DECLS
