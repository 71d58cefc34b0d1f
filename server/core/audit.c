/* audit.c — the hash-chained audit trail: append, verify, list.
 *
 * hash(n) = BLAKE2b-256 keyed with audit.key over hash(n-1) (32 zero bytes for the first entry)
 * followed by the canonical encoding of entry n: id, at (unix ms), actor_id, object_id as
 * 8-byte big-endian integers and action, object_type, detail as 4-byte big-endian length +
 * bytes (length 0xffffffff for NULL). Keyed, so rewriting the whole chain needs the key file.
 *
 * A chain alone cannot show that its newest entries were cut off, so the running server also keeps
 * an anchor: the file audit.anchor holds the id and hash of the newest committed entry, with a
 * keyed mac, rewritten (atomically) whenever the trail has grown. Verification requires the chain
 * to reach the anchored entry with the anchored hash. The first anchor of a data dir is itself an
 * entry ("audit.anchor"), so a trail that was ever anchored and has lost its anchor file fails to
 * verify; the server then starts a fresh anchor and says so in the trail ("recreated"). The anchor
 * lags the trail by at most a tick, which is fine: it is a lower bound. It protects against
 * whoever can write the database but not the data dir's files; a copy shipped off the machine
 * (syslog, backups) protects against more. */
#include "audit.h"

#include <sodium.h>
#include <string.h>

#include "keyfile.h"
#include "validate.h"

#define AUDIT_HASH_BYTES 32
#define AUDIT_KEY_BYTES 32

#define ANCHOR_FILE "audit.anchor"
#define ANCHOR_MAGIC "samtal-audit-anchor-v1"

struct _SamtalAudit {
  SamtalStore *store;
  guint8 *key;
  char *anchor_path;
  gint64 anchored_id;   /* the id the anchor file holds, -1 before the first anchor */
};

typedef struct {
  gint64 id;
  guint8 hash[32];
} AuditAnchor;

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
  audit->anchor_path = g_build_filename (data_dir, ANCHOR_FILE, NULL);
  audit->anchored_id = -1;
  return audit;
}

void
samtal_audit_free (SamtalAudit *audit)
{
  if (audit == NULL)
    return;
  samtal_key_free (audit->key, AUDIT_KEY_BYTES);
  g_free (audit->anchor_path);
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

/* --- the anchor (see the top of this file) --- */

static void
anchor_mac (SamtalAudit *audit, const AuditAnchor *a, guint8 *out)
{
  crypto_generichash_state st;
  crypto_generichash_init (&st, audit->key, AUDIT_KEY_BYTES, AUDIT_HASH_BYTES);
  crypto_generichash_update (&st, (const guint8 *) ANCHOR_MAGIC, strlen (ANCHOR_MAGIC));
  hash_int (&st, a->id);
  crypto_generichash_update (&st, a->hash, AUDIT_HASH_BYTES);
  crypto_generichash_final (&st, out, AUDIT_HASH_BYTES);
}

static char *
hex (const guint8 *bin, gsize n)
{
  char *out = g_malloc (n * 2 + 1);
  sodium_bin2hex (out, n * 2 + 1, bin, n);
  return out;
}

static gboolean
anchor_write (SamtalAudit *audit, const AuditAnchor *a, GError **error)
{
  guint8 mac[AUDIT_HASH_BYTES];
  anchor_mac (audit, a, mac);
  g_autofree char *h = hex (a->hash, AUDIT_HASH_BYTES), *m = hex (mac, AUDIT_HASH_BYTES);
  g_autofree char *text = g_strdup_printf (ANCHOR_MAGIC " %" G_GINT64_FORMAT " %s %s\n", a->id,
                                           h, m);
  return g_file_set_contents_full (audit->anchor_path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

static gboolean
unhex32 (const char *text, guint8 *out)
{
  size_t len = 0;
  return text != NULL && strlen (text) == AUDIT_HASH_BYTES * 2 &&
         sodium_hex2bin (out, AUDIT_HASH_BYTES, text, AUDIT_HASH_BYTES * 2, NULL, &len, NULL) == 0 &&
         len == AUDIT_HASH_BYTES;
}

/* Reads the anchor. TRUE with *exists FALSE when there is no file; FALSE with error when the file
 * is unreadable, malformed or its mac does not verify. */
static gboolean
anchor_read (SamtalAudit *audit, AuditAnchor *a, gboolean *exists, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  *exists = FALSE;
  if (!g_file_get_contents (audit->anchor_path, &text, &len, &local)) {
    if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
  }
  *exists = TRUE;
  g_auto (GStrv) f = len < 512 ? g_strsplit (g_strstrip (text), " ", 5) : NULL;
  guint8 mac[AUDIT_HASH_BYTES], expect[AUDIT_HASH_BYTES];
  char *end = NULL;
  if (f == NULL || g_strv_length (f) != 4 || !g_str_equal (f[0], ANCHOR_MAGIC) ||
      (a->id = g_ascii_strtoll (f[1], &end, 10)) < 0 || end == f[1] || *end != '\0' ||
      !unhex32 (f[2], a->hash) || !unhex32 (f[3], mac)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the audit anchor file is malformed");
    return FALSE;
  }
  anchor_mac (audit, a, expect);
  if (sodium_memcmp (mac, expect, AUDIT_HASH_BYTES) != 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the audit anchor file was altered (its mac does not verify)");
    return FALSE;
  }
  return TRUE;
}

/* 1 when the trail has an "audit.anchor" entry (it was anchored before), 0 when not, -1 on error. */
static int
audit_was_anchored (SamtalAudit *audit, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (
    audit->store, "SELECT 1 FROM audit WHERE action = 'audit.anchor' LIMIT 1", error);
  if (stmt == NULL)
    return -1;
  int rc = samtal_store_step (audit->store, stmt, error);
  return rc < 0 ? -1 : rc == SQLITE_ROW;
}

static gboolean
audit_last_entry (SamtalAudit *audit, AuditAnchor *a, GError **error)
{
  memset (a, 0, sizeof *a);
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (
    audit->store, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  int rc = samtal_store_step (audit->store, stmt, error);
  if (rc < 0)
    return FALSE;
  if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 1) == AUDIT_HASH_BYTES) {
    a->id = sqlite3_column_int64 (stmt, 0);
    memcpy (a->hash, sqlite3_column_blob (stmt, 1), AUDIT_HASH_BYTES);
  }
  return TRUE;
}

/* The first anchor of this process: a data dir's first anchor, or one that replaces a missing
 * file, is recorded in the trail itself. */
static gboolean
anchor_begin (SamtalAudit *audit, GError **error)
{
  AuditAnchor a;
  gboolean exists = FALSE;
  g_autoptr (GError) read_error = NULL;
  if (!anchor_read (audit, &a, &exists, &read_error))
    g_warning ("audit: %s; starting a new anchor (recorded in the trail)", read_error->message);
  if (exists && read_error == NULL)
    return TRUE;
  int was = audit_was_anchored (audit, error);
  if (was < 0)
    return FALSE;
  const char *detail = read_error ? "recreated: the anchor file was unreadable or altered"
                       : was     ? "recreated: the anchor file was missing"
                                 : "first anchor";
  return samtal_audit_append (audit, 0, "audit.anchor", NULL, 0, detail, error);
}

gboolean
samtal_audit_anchor (SamtalAudit *audit, GError **error)
{
  if (samtal_store_in_transaction (audit->store))
    return TRUE; /* a transaction is open: its entries may still roll back */
  if (audit->anchored_id < 0 && !anchor_begin (audit, error))
    return FALSE;
  AuditAnchor a;
  if (!audit_last_entry (audit, &a, error))
    return FALSE;
  if (a.id == audit->anchored_id)
    return TRUE;
  if (!anchor_write (audit, &a, error))
    return FALSE;
  audit->anchored_id = a.id;
  return TRUE;
}

static void
report_bad (SamtalAuditReport *report, gint64 first_bad, char *reason)
{
  report->ok = FALSE;
  report->first_bad = first_bad;
  report->reason = reason;
}

/* After the chain verified up to last_id: does it reach the anchor? */
static gboolean
verify_anchor (SamtalAudit *audit, const AuditAnchor *anchor, gboolean exists,
               gboolean anchor_seen, gint64 last_id, SamtalAuditReport *report, GError **error)
{
  if (!exists) {
    int was = audit_was_anchored (audit, error);
    if (was < 0)
      return FALSE;
    if (was)
      report_bad (report, last_id + 1,
                  g_strdup ("the audit anchor file is missing: entries may have been removed "
                            "from the end of the trail"));
    return TRUE;
  }
  if (anchor->id > 0 && !anchor_seen)
    report_bad (report, last_id + 1,
                g_strdup_printf ("the trail ends at entry %" G_GINT64_FORMAT " but entry %"
                                 G_GINT64_FORMAT " was anchored: entries were removed from its end",
                                 last_id, anchor->id));
  return TRUE;
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
  /* Read the anchor before the rows: whatever it names was committed before we look. */
  AuditAnchor anchor = { 0 };
  gboolean exists = FALSE, anchor_seen = FALSE;
  g_autoptr (GError) anchor_error = NULL;
  if (!anchor_read (audit, &anchor, &exists, &anchor_error)) {
    report_bad (report, 0, g_strdup (anchor_error->message));
    return TRUE;
  }
  g_autoptr (sqlite3_stmt) stmt = samtal_store_prepare (audit->store,
    "SELECT " AUDIT_COLUMNS " FROM audit ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;
  guint8 prev[AUDIT_HASH_BYTES] = { 0 }, expect[AUDIT_HASH_BYTES];
  gint64 last_id = 0;
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
          || sodium_memcmp (stored, expect, AUDIT_HASH_BYTES) != 0
          || (exists && e.id == anchor.id
              && sodium_memcmp (anchor.hash, expect, AUDIT_HASH_BYTES) != 0))
        {
          report_bad (report, e.id, g_strdup_printf (
            "entry %" G_GINT64_FORMAT " does not verify: it or an entry before it was "
            "altered, removed or reordered", e.id));
          return TRUE;
        }
      anchor_seen = anchor_seen || (exists && e.id == anchor.id);
      memcpy (prev, expect, AUDIT_HASH_BYTES);
      last_id = e.id;
      report->entries++;
    }
  if (rc < 0)
    return FALSE;
  report->ok = TRUE;
  return verify_anchor (audit, &anchor, exists, anchor_seen, last_id, report, error);
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
