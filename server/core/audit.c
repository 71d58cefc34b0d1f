/* audit.c — the hash-chained audit trail: append, verify, list.
 *
 * hash(n) = BLAKE2b-256 keyed with audit.key over hash(n-1) (32 zero bytes for the first entry)
 * followed by the canonical encoding of entry n: id, at (unix ms), actor_id, object_id as
 * 8-byte big-endian integers and action, object_type, detail as 4-byte big-endian length +
 * bytes (length 0xffffffff for NULL). Keyed, so rewriting the whole chain needs the key file. */
#include "audit.h"

#include <sodium.h>
#include <string.h>

#include "keyfile.h"
#include "validate.h"

#define AUDIT_HASH_BYTES 32
#define AUDIT_KEY_BYTES 32

struct _SamtalAudit {
  SamtalStore *store;
  guint8 *key;
};

typedef struct {
  gint64 id;
  gint64 at_ms;
  gint64 actor_id;
  const char *action;
  const char *object_type;
  gint64 object_id;
  const char *detail;
} AuditEntry;

SamtalAudit *
samtal_audit_new (SamtalStore *store, const char *data_dir, GError **error)
{
  guint8 *key = samtal_key_load_or_create (data_dir, "audit.key", AUDIT_KEY_BYTES, error);
  if (key == NULL)
    return NULL;
  SamtalAudit *audit = g_new0 (SamtalAudit, 1);
  audit->store = store;
  audit->key = key;
  return audit;
}

void
samtal_audit_free (SamtalAudit *audit)
{
  if (audit == NULL)
    return;
  samtal_key_free (audit->key, AUDIT_KEY_BYTES);
  g_free (audit);
}

static void
hash_int (crypto_generichash_state *st, gint64 v)
{
  guint64 be = GUINT64_TO_BE ((guint64) v);
  crypto_generichash_update (st, (const guint8 *) &be, sizeof be);
}

static void
hash_text (crypto_generichash_state *st, const char *s)
{
  guint32 len = s ? (guint32) strlen (s) : G_MAXUINT32;
  guint32 be = GUINT32_TO_BE (len);
  crypto_generichash_update (st, (const guint8 *) &be, sizeof be);
  if (s)
    crypto_generichash_update (st, (const guint8 *) s, len);
}

static void
audit_entry_hash (SamtalAudit *audit, const guint8 *prev, const AuditEntry *e, guint8 *out)
{
  crypto_generichash_state st;
  crypto_generichash_init (&st, audit->key, AUDIT_KEY_BYTES, AUDIT_HASH_BYTES);
  crypto_generichash_update (&st, prev, AUDIT_HASH_BYTES);
  hash_int (&st, e->id);
  hash_int (&st, e->at_ms);
  hash_int (&st, e->actor_id);
  hash_text (&st, e->action);
  hash_text (&st, e->object_type);
  hash_int (&st, e->object_id);
  hash_text (&st, e->detail);
  crypto_generichash_final (&st, out, AUDIT_HASH_BYTES);
}

/* The hash of the newest entry, or 32 zero bytes if there is none. */
static gboolean
audit_last_hash (SamtalAudit *audit, guint8 *out, GError **error)
{
  memset (out, 0, AUDIT_HASH_BYTES);
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (
    audit->store, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  int rc = samtal_store_step (audit->store, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == AUDIT_HASH_BYTES)
    memcpy (out, sqlite3_column_blob (stmt, 0), AUDIT_HASH_BYTES);
  return TRUE;
}

static gboolean
audit_insert (SamtalAudit *audit, AuditEntry *e, GError **error)
{
  SamtalStore *store = audit->store;
  guint8 prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
  if (!audit_last_hash (audit, prev, error))
    return FALSE;
  g_autoptr (sqlite3_stmt) ins = samtal_store_prepare (store,
    "INSERT INTO audit (at, actor_id, action, object_type, object_id, detail, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, zeroblob(32))", error);
  if (ins == NULL)
    return FALSE;
  sqlite3_bind_int64 (ins, 1, e->at_ms);
  sqlite3_bind_int64 (ins, 2, e->actor_id);
  sqlite3_bind_text (ins, 3, e->action, -1, SQLITE_STATIC);
  sqlite3_bind_text (ins, 4, e->object_type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (ins, 5, e->object_id);
  sqlite3_bind_text (ins, 6, e->detail, -1, SQLITE_STATIC);
  if (!samtal_store_run (store, ins, error))
    return FALSE;
  e->id = samtal_store_last_insert_rowid (store);
  audit_entry_hash (audit, prev, e, hash);
  g_autoptr (sqlite3_stmt) upd = samtal_store_prepare (store,
    "UPDATE audit SET hash = ? WHERE id = ?", error);
  if (upd == NULL)
    return FALSE;
  sqlite3_bind_blob (upd, 1, hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64 (upd, 2, e->id);
  return samtal_store_run (store, upd, error);
}

gboolean
samtal_audit_append (SamtalAudit *audit, gint64 actor_id, const char *action,
                     const char *object_type, gint64 object_id, const char *detail,
                     GError **error)
{
  g_return_val_if_fail (action != NULL, FALSE);
  AuditEntry e = { 0, g_get_real_time () / 1000, actor_id, action, object_type, object_id,
                   detail };
  if (!samtal_store_exec (audit->store, "SAVEPOINT audit_append", error))
    return FALSE;
  if (!audit_insert (audit, &e, error))
    {
      samtal_store_exec (audit->store,
                         "ROLLBACK TO audit_append; RELEASE audit_append", NULL);
      return FALSE;
    }
  return samtal_store_exec (audit->store, "RELEASE audit_append", error);
}

void
samtal_audit_report_clear (SamtalAuditReport *report)
{
  g_clear_pointer (&report->reason, g_free);
  memset (report, 0, sizeof *report);
}

static void
entry_from_row (sqlite3_stmt *stmt, AuditEntry *e)
{
  e->id = sqlite3_column_int64 (stmt, 0);
  e->at_ms = sqlite3_column_int64 (stmt, 1);
  e->actor_id = sqlite3_column_int64 (stmt, 2);
  e->action = (const char *) sqlite3_column_text (stmt, 3);
  e->object_type = (const char *) sqlite3_column_text (stmt, 4);
  e->object_id = sqlite3_column_int64 (stmt, 5);
  e->detail = (const char *) sqlite3_column_text (stmt, 6);
}

#define AUDIT_COLUMNS "id, at, actor_id, action, object_type, object_id, detail, hash"

gboolean
samtal_audit_verify (SamtalAudit *audit, SamtalAuditReport *report, GError **error)
{
  memset (report, 0, sizeof *report);
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (audit->store,
    "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  guint8 prev[AUDIT_HASH_BYTES] = { 0 }, expect[AUDIT_HASH_BYTES];
  int rc;
  while ((rc = samtal_store_step (audit->store, stmt, error)) == SQLITE_ROW)
    {
      AuditEntry e;
      entry_from_row (stmt, &e);
      if (e.action == NULL)
        e.action = "";
      audit_entry_hash (audit, prev, &e, expect);
      const void *stored = sqlite3_column_blob (stmt, 7);
      if (sqlite3_column_bytes (stmt, 7) != AUDIT_HASH_BYTES
          || sodium_memcmp (stored, expect, AUDIT_HASH_BYTES) != 0)
        {
          report->first_bad = e.id;
          report->reason = g_strdup_printf (
            "entry %" G_GINT64_FORMAT " does not verify: it or an entry before it was "
            "altered, removed or reordered", e.id);
          return TRUE;
        }
      memcpy (prev, expect, AUDIT_HASH_BYTES);
      report->entries++;
    }
  if (rc < 0)
    return FALSE;
  report->ok = TRUE;
  return TRUE;
}

static JsonNode *
entry_to_json (sqlite3_stmt *stmt, GTimeZone *tz)
{
  AuditEntry e;
  entry_from_row (stmt, &e);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *at = samtal_format_unix (e.at_ms / 1000, tz);
  g_autofree char *hex = g_malloc (AUDIT_HASH_BYTES * 2 + 1);
  int n = MIN (sqlite3_column_bytes (stmt, 7), AUDIT_HASH_BYTES);
  sodium_bin2hex (hex, AUDIT_HASH_BYTES * 2 + 1, sqlite3_column_blob (stmt, 7), n);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, e.id);
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, at);
  json_builder_set_member_name (b, "actor_id");
  if (e.actor_id > 0)
    json_builder_add_int_value (b, e.actor_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, e.action);
  json_builder_set_member_name (b, "object_type");
  json_builder_add_string_value (b, e.object_type);
  json_builder_set_member_name (b, "object_id");
  if (e.object_id != 0)
    json_builder_add_int_value (b, e.object_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "detail");
  json_builder_add_string_value (b, e.detail);
  json_builder_set_member_name (b, "hash");
  json_builder_add_string_value (b, hex);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
samtal_audit_list (SamtalAudit *audit, gint64 after, guint limit, GTimeZone *tz, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (audit->store,
    "SELECT " AUDIT_COLUMNS " FROM audit WHERE id > ? ORDER BY id LIMIT ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, limit);
  JsonArray *arr = json_array_new ();
  int rc;
  while ((rc = samtal_store_step (audit->store, stmt, error)) == SQLITE_ROW)
    json_array_add_element (arr, entry_to_json (stmt, tz));
  if (rc < 0)
    {
      json_array_unref (arr);
      return NULL;
    }
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, arr);
  return node;
}
