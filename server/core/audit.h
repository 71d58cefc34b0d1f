/* audit.h — the audit trail: an append-only, hash-chained log of who did what to which object.
 *
 * Each entry's hash is keyed BLAKE2b-256 (crypto_generichash, key: the file audit.key in the data
 * dir) over the previous entry's hash and a canonical, length-prefixed encoding of the entry (id,
 * at, actor_id, action, object_type, object_id, detail). Editing, removing or reordering a row
 * breaks the chain from that row on; samtal_audit_verify() finds the first such row. Removing
 * the newest rows is caught by the anchor (samtal_audit_anchor) that the running server keeps.
 *
 * Append from the main thread; inside a transaction of yours the entry commits or rolls back
 * with it (a booking and its audit entry are one unit). Never put secrets (passwords, tokens,
 * note bodies) in detail.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "store.h"

G_BEGIN_DECLS

typedef struct _SamtalAudit SamtalAudit;

/* Loads or creates data_dir/audit.key; the audit table belongs to the "core" migrations. */
SamtalAudit *samtal_audit_new (SamtalStore *store, const char *data_dir, GError **error);
void samtal_audit_free (SamtalAudit *audit);

/* Appends an entry. actor_id 0 = no signed-in actor (e.g. a failed sign-in, the CLI). action is
 * "noun.verb" ("session.create", "session.fail", "booking.create", "case.read", "note.write",
 * "meeting.join"); object_type/object_id name the object (NULL/0 when none); detail is short free
 * text or NULL. */
gboolean samtal_audit_append (SamtalAudit *audit, gint64 actor_id, const char *action,
                              const char *object_type, gint64 object_id, const char *detail,
                              GError **error);

/* Records the newest committed entry in the anchor file (data_dir/audit.anchor) when the trail
 * has grown since the last call; does nothing while a transaction is open. The serving process
 * calls it every few seconds and when it stops; the first call of a process records an
 * "audit.anchor" entry when the data dir has no anchor yet (or lost it). See audit.c. */
gboolean samtal_audit_anchor (SamtalAudit *audit, GError **error);

typedef struct {
  gboolean ok;
  gint64 entries;       /* rows checked */
  gint64 first_bad;     /* id of the first row that does not verify (0 when ok) */
  char *reason;         /* why, for people (NULL when ok) */
} SamtalAuditReport;
void samtal_audit_report_clear (SamtalAuditReport *report);

/* Walks the whole chain. FALSE only on a database error; tampering gives TRUE with
 * report->ok = FALSE. */
gboolean samtal_audit_verify (SamtalAudit *audit, SamtalAuditReport *report, GError **error);

/* Entries with id > after, oldest first, at most limit, as a JSON array of the contract's entry
 * objects {id, at, actor_id, action, object_type, object_id, detail, hash}. */
JsonNode *samtal_audit_list (SamtalAudit *audit, gint64 after, guint limit, GTimeZone *tz,
                             GError **error);

G_END_DECLS
