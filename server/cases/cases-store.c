/* cases-store.c — SQL for cases, case-number counters and sealed notes (see cases-store.h). */
#include "cases-store.h"

#include "core/errors.h"

#include <string.h>

static const char *const cases_steps[] = {
  /* 1 */
  "CREATE TABLE cases ("
  "  id INTEGER PRIMARY KEY,"
  "  number TEXT NOT NULL UNIQUE,"
  "  unit_id INTEGER NOT NULL REFERENCES units(id),"
  "  client_id INTEGER NOT NULL REFERENCES users(id),"
  "  title TEXT NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),"
  "  created_by INTEGER NOT NULL, created_at INTEGER NOT NULL);"
  "CREATE INDEX cases_unit_client ON cases (unit_id, client_id);"
  "CREATE TABLE case_counters ("
  "  unit_id INTEGER NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL,"
  "  PRIMARY KEY (unit_id, year));"
  "CREATE TABLE case_notes ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  author_id INTEGER NOT NULL REFERENCES users(id),"
  "  booking_id INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  sealed BLOB NOT NULL);"
  "CREATE INDEX case_notes_case ON case_notes (case_id, id);",
};

gboolean
samtal_cases_store_migrate (SamtalStore *store, GError **error)
{
  return samtal_store_migrate (store, "cases", cases_steps, G_N_ELEMENTS (cases_steps), error);
}

static gint64
col_int (sqlite3_stmt *st, int i)
{
  return sqlite3_column_type (st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64 (st, i);
}

void
samtal_case_clear (SamtalCase *c)
{
  g_clear_pointer (&c->number, g_free);
  g_clear_pointer (&c->title, g_free);
  g_clear_pointer (&c->status, g_free);
  g_clear_pointer (&c->client_name, g_free);
}

gboolean
samtal_case_get (SamtalStore *store, gint64 id, SamtalCase *out, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT c.id, c.unit_id, c.client_id, c.created_by, c.created_at, c.number, c.title,"
      " c.status, u.name FROM cases c LEFT JOIN users u ON u.id = c.client_id WHERE c.id = ?",
      error);
  if (st == NULL)
    return FALSE;
  sqlite3_bind_int64 (st, 1, id);
  int rc = samtal_store_step (store, st, error);
  if (rc < 0)
    return FALSE;
  if (rc != SQLITE_ROW) {
    g_set_error (error, SAMTAL_API_ERROR, SAMTAL_API_ERROR_NOT_FOUND, "no such case");
    return FALSE;
  }
  out->id = col_int (st, 0), out->unit_id = col_int (st, 1), out->client_id = col_int (st, 2);
  out->created_by = col_int (st, 3), out->created_at = col_int (st, 4);
  out->number = samtal_store_column_dup (st, 5);
  out->title = samtal_store_column_dup (st, 6);
  out->status = samtal_store_column_dup (st, 7);
  out->client_name = samtal_store_column_dup (st, 8);
  return TRUE;
}

gint64
samtal_case_next_seq (SamtalStore *store, gint64 unit_id, int year, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO case_counters (unit_id, year, last) VALUES (?, ?, 1)"
      " ON CONFLICT (unit_id, year) DO UPDATE SET last = last + 1 RETURNING last", error);
  if (st == NULL)
    return 0;
  sqlite3_bind_int64 (st, 1, unit_id);
  sqlite3_bind_int (st, 2, year);
  if (samtal_store_step (store, st, error) != SQLITE_ROW)
    return 0;
  gint64 seq = col_int (st, 0);
  /* Finish the statement so the write is complete before the caller goes on. */
  while (samtal_store_step (store, st, NULL) == SQLITE_ROW)
    ;
  return seq;
}

gint64
samtal_case_insert (SamtalStore *store, const SamtalCase *c, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO cases (number, unit_id, client_id, title, status, created_by, created_at)"
      " VALUES (?, ?, ?, ?, 'open', ?, ?)", error);
  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, c->number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, c->unit_id);
  sqlite3_bind_int64 (st, 3, c->client_id);
  sqlite3_bind_text (st, 4, c->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 5, c->created_by);
  sqlite3_bind_int64 (st, 6, c->created_at);
  return samtal_store_run (store, st, error) ? samtal_store_last_insert_rowid (store) : 0;
}

GArray *
samtal_case_list_ids (SamtalStore *store, gint64 unit_id, gint64 client_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT id FROM cases WHERE (?1 = 0 OR unit_id = ?1) AND (?2 = 0 OR client_id = ?2)"
      " ORDER BY id DESC LIMIT 500", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, unit_id);
  sqlite3_bind_int64 (st, 2, client_id);
  return samtal_store_collect_ids (store, st, error);
}

void
samtal_note_row_clear (SamtalNoteRow *n)
{
  g_clear_pointer (&n->author_name, g_free);
  g_clear_pointer (&n->sealed, g_bytes_unref);
}

gint64
samtal_note_insert (SamtalStore *store, gint64 case_id, gint64 author_id, gint64 booking_id,
                    gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "INSERT INTO case_notes (case_id, author_id, booking_id, created_at, sealed)"
      " VALUES (?, ?, ?, ?, x'')", error);
  if (st == NULL)
    return 0;
  sqlite3_bind_int64 (st, 1, case_id);
  sqlite3_bind_int64 (st, 2, author_id);
  if (booking_id > 0)
    sqlite3_bind_int64 (st, 3, booking_id);
  else
    sqlite3_bind_null (st, 3);
  sqlite3_bind_int64 (st, 4, now);
  return samtal_store_run (store, st, error) ? samtal_store_last_insert_rowid (store) : 0;
}

gboolean
samtal_note_set_sealed (SamtalStore *store, gint64 note_id, GBytes *sealed, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "UPDATE case_notes SET sealed = ? WHERE id = ?", error);
  if (st == NULL)
    return FALSE;
  gsize len;
  const void *data = g_bytes_get_data (sealed, &len);
  sqlite3_bind_blob64 (st, 1, data, len, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 2, note_id);
  return samtal_store_run (store, st, error);
}

GArray *
samtal_note_list (SamtalStore *store, gint64 case_id, GError **error)
{
  g_autoptr (sqlite3_stmt) st = samtal_store_prepare (store,
      "SELECT n.id, n.case_id, n.author_id, n.booking_id, n.created_at, u.name, n.sealed"
      " FROM case_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.case_id = ?"
      " ORDER BY n.id LIMIT 1000", error);
  if (st == NULL)
    return NULL;
  sqlite3_bind_int64 (st, 1, case_id);
  g_autoptr (GArray) notes = g_array_new (FALSE, TRUE, sizeof (SamtalNoteRow));
  g_array_set_clear_func (notes, (GDestroyNotify) samtal_note_row_clear);
  int rc;
  while ((rc = samtal_store_step (store, st, error)) == SQLITE_ROW) {
    SamtalNoteRow n = {
      .id = col_int (st, 0), .case_id = col_int (st, 1), .author_id = col_int (st, 2),
      .booking_id = col_int (st, 3), .created_at = col_int (st, 4),
      .author_name = samtal_store_column_dup (st, 5),
      .sealed = g_bytes_new (sqlite3_column_blob (st, 6), sqlite3_column_bytes (st, 6)),
    };
    g_array_append_val (notes, n);
  }
  return rc < 0 ? NULL : g_steal_pointer (&notes);
}
