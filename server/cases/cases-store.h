/* cases-store.h — the cases component's tables and queries: cases, per-unit-and-year counters
 * for case numbers, and notes (stored only sealed, see notecrypt.h). Main thread only;
 * transactions are the caller's.
 */
#pragma once

#include "core/store.h"

G_BEGIN_DECLS

gboolean samtal_cases_store_migrate (SamtalStore *store, GError **error);

typedef struct {
  gint64 id, unit_id, client_id, created_by, created_at;
  char *number, *title, *status, *client_name;
} SamtalCase;

void samtal_case_clear (SamtalCase *c);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SamtalCase, samtal_case_clear)

/* Loads case id; FALSE with SAMTAL_API_ERROR_NOT_FOUND when there is none. */
gboolean samtal_case_get (SamtalStore *store, gint64 id, SamtalCase *out, GError **error);

/* Next running number of unit_id in year (1, 2, …); call inside BEGIN IMMEDIATE. */
gint64 samtal_case_next_seq (SamtalStore *store, gint64 unit_id, int year, GError **error);

gint64 samtal_case_insert (SamtalStore *store, const SamtalCase *c, GError **error);

/* Case ids of unit_id (0 = every unit), of client_id (0 = every client), newest first. */
GArray *samtal_case_list_ids (SamtalStore *store, gint64 unit_id, gint64 client_id,
                              GError **error);

typedef struct {
  gint64 id, case_id, author_id, booking_id, created_at;
  char *author_name;
  GBytes *sealed;
} SamtalNoteRow;

void samtal_note_row_clear (SamtalNoteRow *n);

/* Inserts a note row with an empty sealed body and returns its id (the caller seals with the
 * id as associated data and calls samtal_note_set_sealed in the same transaction). */
gint64 samtal_note_insert (SamtalStore *store, gint64 case_id, gint64 author_id,
                           gint64 booking_id, gint64 now, GError **error);
gboolean samtal_note_set_sealed (SamtalStore *store, gint64 note_id, GBytes *sealed,
                                 GError **error);
/* Notes of case_id, oldest first, as a GArray of SamtalNoteRow (clear func set). */
GArray *samtal_note_list (SamtalStore *store, gint64 case_id, GError **error);

G_END_DECLS
