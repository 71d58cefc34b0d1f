/* users.c — user and unit records in the store: validation, creation (password hashed in the
 * caller's thread or in the worker pool), look-ups and their JSON form. */
#include "users.h"

#include <sodium.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "errors.h"
#include "http.h"
#include "server.h"
#include "validate.h"

#define UNIT_NAME_MAX_CHARS 100

static const char *const roles[] = { "client", "caseworker", "officer", "admin" };

SamtalUser *
samtal_user_copy (const SamtalUser *u)
{
  if (u == NULL)
    return NULL;
  SamtalUser *c = g_new0 (SamtalUser, 1);
  c->id = u->id;
  c->email = g_strdup (u->email);
  c->name = g_strdup (u->name);
  c->role = g_strdup (u->role);
  c->unit_id = u->unit_id;
  return c;
}

void
samtal_user_free (SamtalUser *u)
{
  if (u == NULL)
    return;
  g_free (u->email);
  g_free (u->name);
  g_free (u->role);
  g_free (u);
}

gboolean
samtal_role_valid (const char *role)
{
  for (guint i = 0; role && i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (role, roles[i]))
      return TRUE;
  return FALSE;
}

gboolean
samtal_user_is_staff (const SamtalUser *u)
{
  return u != NULL && u->role != NULL && !g_str_equal (u->role, "client")
         && samtal_role_valid (u->role);
}

gboolean
samtal_user_is_admin (const SamtalUser *u)
{
  return u != NULL && g_strcmp0 (u->role, "admin") == 0;
}

JsonNode *
samtal_user_to_json (const SamtalUser *u)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "id", u->id);
  json_object_set_string_member (o, "email", u->email);
  json_object_set_string_member (o, "name", u->name);
  json_object_set_string_member (o, "role", u->role);
  samtal_json_set_id_or_null (o, "unit_id", u->unit_id);
  return samtal_json_object_node (o);
}

static gboolean
api_error (GError **error, SamtalApiError code, const char *message)
{
  g_set_error_literal (error, SAMTAL_API_ERROR, code, message);
  return FALSE;
}

static gboolean
check_name (const char *name, GError **error)
{
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST, "\"name\" is required");
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  glong n = g_utf8_strlen (trimmed, -1);
  if (n < 1 || n > SAMTAL_NAME_MAX_CHARS)
    return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST,
                      "\"name\" must have 1 to 200 characters");
  for (const unsigned char *p = (const unsigned char *) name; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST,
                        "\"name\" contains control characters");
  return TRUE;
}

gboolean
samtal_users_check_new (SamtalServer *server, const char *email, const char *name,
                        const char *role, gint64 unit_id, const char *password, GError **error)
{
  g_autofree char *norm = samtal_normalize_email (email, error);
  if (norm == NULL || !check_name (name, error))
    return FALSE;
  if (!samtal_role_valid (role))
    return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST,
                      "\"role\" must be client, caseworker, officer or admin");
  if (unit_id != 0 && g_str_equal (role, "client"))
    return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST, "clients do not belong to a unit");
  if (unit_id != 0 && !samtal_units_exists (server, unit_id))
    return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST, "no such unit");
  if (!samtal_password_check_policy (password, error))
    return FALSE;
  g_autoptr (SamtalUser) existing = samtal_users_get_by_email (server, norm, NULL);
  if (existing != NULL)
    return api_error (error, SAMTAL_API_ERROR_CONFLICT,
                      "a user with this e-mail address exists already");
  return TRUE;
}

/* Inserts the checked user with its password hash and audits it. */
static SamtalUser *
users_insert (SamtalServer *server, gint64 actor_id, const char *email, const char *name,
              const char *role, gint64 unit_id, const char *hash, GError **error)
{
  g_autofree char *norm = samtal_normalize_email (email, error);
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  g_autoptr (GError) local = NULL;
  if (norm == NULL)
    return NULL;
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "INSERT INTO users (email, name, role, unit_id, password_hash, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, norm, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, trimmed, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, role, -1, SQLITE_STATIC);
  if (unit_id)
    sqlite3_bind_int64 (stmt, 4, unit_id);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
  if (!samtal_store_run (server->store, stmt, &local))
    {
      if (g_error_matches (local, SAMTAL_STORE_ERROR, SAMTAL_STORE_ERROR_CONSTRAINT))
        return api_error (error, SAMTAL_API_ERROR_CONFLICT,
                          "a user with this e-mail address exists already"), NULL;
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  gint64 id = samtal_store_last_insert_rowid (server->store);
  if (!samtal_audit_append (server->audit, actor_id, "user.create", "user", id, role, error))
    return NULL;
  return samtal_users_get (server, id, error);
}

SamtalUser *
samtal_users_create_sync (SamtalServer *server, gint64 actor_id, const char *email,
                          const char *name, const char *role, gint64 unit_id,
                          const char *password, GError **error)
{
  if (!samtal_users_check_new (server, email, name, role, unit_id, password, error))
    return NULL;
  g_autofree char *hash = samtal_password_hash (password, error);
  if (hash == NULL)
    return NULL;
  return users_insert (server, actor_id, email, name, role, unit_id, hash, error);
}

typedef struct {
  SamtalServer *server;
  gint64 actor_id;
  char *email;
  char *name;
  char *role;
  gint64 unit_id;
  GTask *task;
} CreateJob;

static void
create_job_free (CreateJob *job)
{
  g_free (job->email);
  g_free (job->name);
  g_free (job->role);
  g_clear_object (&job->task);
  g_free (job);
}

static void
on_create_hashed (GObject *source, GAsyncResult *result, gpointer data)
{
  CreateJob *job = data;
  GError *error = NULL;
  g_autofree char *hash = samtal_password_hash_finish (result, &error);
  SamtalUser *user = hash ? users_insert (job->server, job->actor_id, job->email, job->name,
                                          job->role, job->unit_id, hash, &error) : NULL;
  if (user)
    g_task_return_pointer (job->task, user, (GDestroyNotify) samtal_user_free);
  else
    g_task_return_error (job->task, error);
  create_job_free (job);
}

void
samtal_users_create_async (SamtalServer *server, gint64 actor_id, const char *email,
                           const char *name, const char *role, gint64 unit_id,
                           const char *password, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  if (!samtal_users_check_new (server, email, name, role, unit_id, password, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  CreateJob *job = g_new0 (CreateJob, 1);
  job->server = server;
  job->actor_id = actor_id;
  job->email = g_strdup (email);
  job->name = g_strdup (name);
  job->role = g_strdup (role);
  job->unit_id = unit_id;
  job->task = task;
  samtal_password_hash_async (server, password, cancellable, on_create_hashed, job);
}

SamtalUser *
samtal_users_create_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

#define USER_COLUMNS "id, email, name, role, COALESCE (unit_id, 0)"

static SamtalUser *
user_from_row (sqlite3_stmt *stmt)
{
  SamtalUser *u = g_new0 (SamtalUser, 1);
  u->id = sqlite3_column_int64 (stmt, 0);
  u->email = samtal_store_column_dup (stmt, 1);
  u->name = samtal_store_column_dup (stmt, 2);
  u->role = samtal_store_column_dup (stmt, 3);
  u->unit_id = sqlite3_column_int64 (stmt, 4);
  return u;
}

static SamtalUser *
users_get_where (SamtalServer *server, const char *where, gint64 id, const char *text,
                 GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " USER_COLUMNS " FROM users WHERE %s", where);
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (text)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  int rc = samtal_store_step (server->store, stmt, error);
  if (rc == SQLITE_ROW)
    return user_from_row (stmt);
  if (rc == SQLITE_DONE)
    api_error (error, SAMTAL_API_ERROR_NOT_FOUND, "no such user");
  return NULL;
}

SamtalUser *
samtal_users_get (SamtalServer *server, gint64 id, GError **error)
{
  return users_get_where (server, "id = ?", id, NULL, error);
}

SamtalUser *
samtal_users_get_by_email (SamtalServer *server, const char *email, GError **error)
{
  g_autofree char *norm = samtal_normalize_email (email, error);
  if (norm == NULL)
    return NULL;
  return users_get_where (server, "email = ?", 0, norm, error);
}

char *
samtal_users_password_hash (SamtalServer *server, gint64 user_id)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "SELECT password_hash FROM users WHERE id = ?", NULL);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, user_id);
  if (samtal_store_step (server->store, stmt, NULL) != SQLITE_ROW)
    return NULL;
  return samtal_store_column_dup (stmt, 0);
}

JsonNode *
samtal_users_list_staff (SamtalServer *server, gint64 unit_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "SELECT " USER_COLUMNS " FROM users WHERE role != 'client' AND (?1 = 0 OR unit_id = ?1) "
    "ORDER BY name, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, unit_id);
  JsonArray *arr = json_array_new ();
  int rc;
  while ((rc = samtal_store_step (server->store, stmt, error)) == SQLITE_ROW)
    {
      g_autoptr (SamtalUser) u = user_from_row (stmt);
      json_array_add_element (arr, samtal_user_to_json (u));
    }
  if (rc < 0)
    return json_array_unref (arr), NULL;
  return samtal_json_array_node (arr);
}

JsonNode *
samtal_users_list (SamtalServer *server, const char *role, gint64 unit_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "SELECT " USER_COLUMNS " FROM users WHERE (?1 IS NULL OR role = ?1) "
    "AND (?2 = 0 OR unit_id = ?2) ORDER BY name, id", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, unit_id);
  JsonArray *arr = json_array_new ();
  int rc;
  while ((rc = samtal_store_step (server->store, stmt, error)) == SQLITE_ROW)
    {
      g_autoptr (SamtalUser) u = user_from_row (stmt);
      json_array_add_element (arr, samtal_user_to_json (u));
    }
  if (rc < 0)
    return json_array_unref (arr), NULL;
  return samtal_json_array_node (arr);
}

/* --- units --- */

static gboolean
check_unit_name (const char *name, GError **error)
{
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST, "\"name\" is required");
  glong n = g_utf8_strlen (name, -1);
  if (n < 1 || n > UNIT_NAME_MAX_CHARS)
    return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST,
                      "a unit name must have 1 to 100 characters");
  for (const unsigned char *p = (const unsigned char *) name; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return api_error (error, SAMTAL_API_ERROR_BAD_REQUEST,
                        "\"name\" contains control characters");
  return TRUE;
}

static gint64
units_find (SamtalServer *server, const char *name)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "SELECT id FROM units WHERE name = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  return samtal_store_step (server->store, stmt, NULL) == SQLITE_ROW
           ? sqlite3_column_int64 (stmt, 0) : 0;
}

gint64
samtal_units_create (SamtalServer *server, gint64 actor_id, const char *name, GError **error)
{
  g_autofree char *trimmed = name ? g_strstrip (g_strdup (name)) : NULL;
  if (!check_unit_name (trimmed, error))
    return 0;
  if (units_find (server, trimmed) != 0)
    return api_error (error, SAMTAL_API_ERROR_CONFLICT, "a unit with this name exists"), 0;
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "INSERT INTO units (name, created_at) VALUES (?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, trimmed, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  if (!samtal_store_run (server->store, stmt, error))
    return 0;
  gint64 id = samtal_store_last_insert_rowid (server->store);
  if (!samtal_audit_append (server->audit, actor_id, "unit.create", "unit", id, NULL, error))
    return 0;
  return id;
}

gint64
samtal_units_ensure (SamtalServer *server, gint64 actor_id, const char *name, GError **error)
{
  g_autofree char *trimmed = name ? g_strstrip (g_strdup (name)) : NULL;
  gint64 id = trimmed ? units_find (server, trimmed) : 0;
  return id ? id : samtal_units_create (server, actor_id, trimmed, error);
}

gboolean
samtal_units_exists (SamtalServer *server, gint64 unit_id)
{
  g_autofree char *name = samtal_units_name (server, unit_id, NULL);
  return name != NULL;
}

char *
samtal_units_name (SamtalServer *server, gint64 unit_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "SELECT name FROM units WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, unit_id);
  int rc = samtal_store_step (server->store, stmt, error);
  if (rc == SQLITE_ROW)
    return samtal_store_column_dup (stmt, 0);
  if (rc == SQLITE_DONE)
    api_error (error, SAMTAL_API_ERROR_NOT_FOUND, "no such unit");
  return NULL;
}

JsonNode *
samtal_unit_to_json (gint64 id, const char *name)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "id", id);
  json_object_set_string_member (o, "name", name);
  return samtal_json_object_node (o);
}

JsonNode *
samtal_units_list (SamtalServer *server, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (server->store,
    "SELECT id, name FROM units ORDER BY name, id", error);
  if (stmt == NULL)
    return NULL;
  JsonArray *arr = json_array_new ();
  int rc;
  while ((rc = samtal_store_step (server->store, stmt, error)) == SQLITE_ROW)
    json_array_add_element (arr, samtal_unit_to_json (sqlite3_column_int64 (stmt, 0),
                                                      (const char *) sqlite3_column_text (stmt, 1)));
  if (rc < 0)
    return json_array_unref (arr), NULL;
  return samtal_json_array_node (arr);
}
