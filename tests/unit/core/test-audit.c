/* Unit tests: the hash-chained audit trail (core/audit.h) — append, verify, and detection of
 * edited, removed and reordered rows made behind its back with the sqlite3 API. */
#include "core/audit.h"

#include <glib/gstdio.h>
#include <string.h>
#include "fixture.h"

#include <string.h>

static void
append_n (CoreFixture *f, int n)
{
  for (int i = 1; i <= n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *detail = g_strdup_printf ("detail %d", i);
      g_assert_true (samtal_audit_append (f->server->audit, i % 3, "booking.create", "booking",
                                          i, i % 2 ? detail : NULL, &error));
      g_assert_no_error (error);
    }
}

static SamtalAuditReport
verify (CoreFixture *f)
{
  SamtalAuditReport r;
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_audit_verify (f->server->audit, &r, &error));
  g_assert_no_error (error);
  return r;
}

static void
exec_sql (CoreFixture *f, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (samtal_store_exec (f->server->store, sql, &error));
  g_assert_no_error (error);
}

static void
test_intact (CoreFixture *f, gconstpointer data)
{
  SamtalAuditReport r = verify (f);
  g_assert_true (r.ok);
  g_assert_cmpint (r.entries, ==, 0);
  append_n (f, 10);
  r = verify (f);
  g_assert_true (r.ok);
  g_assert_cmpint (r.entries, ==, 10);
  g_assert_cmpint (r.first_bad, ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) list = samtal_audit_list (f->server->audit, 7, 100, f->server->tz, &error);
  g_assert_no_error (error);
  JsonArray *a = json_node_get_array (list);
  g_assert_cmpuint (json_array_get_length (a), ==, 3);
  JsonObject *first = json_array_get_object_element (a, 0);
  g_assert_cmpint (json_object_get_int_member (first, "id"), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (first, "action"), ==, "booking.create");
  g_assert_cmpuint (strlen (json_object_get_string_member (first, "hash")), ==, 64);
}

static void
test_edited (CoreFixture *f, gconstpointer data)
{
  append_n (f, 6);
  exec_sql (f, "UPDATE audit SET detail = 'nothing to see' WHERE id = 4");
  SamtalAuditReport r = verify (f);
  g_assert_false (r.ok);
  g_assert_cmpint (r.first_bad, ==, 4);
  g_assert_cmpint (r.entries, ==, 3);
  g_assert_nonnull (r.reason);
  samtal_audit_report_clear (&r);
}

static void
test_edited_actor (CoreFixture *f, gconstpointer data)
{
  append_n (f, 3);
  exec_sql (f, "UPDATE audit SET actor_id = 99 WHERE id = 2");
  SamtalAuditReport r = verify (f);
  g_assert_false (r.ok);
  g_assert_cmpint (r.first_bad, ==, 2);
  samtal_audit_report_clear (&r);
}

static void
test_removed (CoreFixture *f, gconstpointer data)
{
  append_n (f, 6);
  exec_sql (f, "DELETE FROM audit WHERE id = 3");
  SamtalAuditReport r = verify (f);
  g_assert_false (r.ok);
  g_assert_cmpint (r.first_bad, ==, 4);
  samtal_audit_report_clear (&r);
}

/* Cutting the newest entries off leaves a valid chain: the anchor catches it. */
static void
test_truncated (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  append_n (f, 6);
  g_assert_true (samtal_audit_anchor (f->server->audit, &error));
  g_assert_no_error (error);
  SamtalAuditReport ok = verify (f);
  g_assert_true (ok.ok);
  g_assert_cmpint (ok.entries, ==, 7);   /* six, and the first anchor's own entry */
  samtal_audit_report_clear (&ok);
  exec_sql (f, "DELETE FROM audit WHERE id >= 6");
  SamtalAuditReport r = verify (f);
  g_assert_false (r.ok);
  g_assert_cmpint (r.first_bad, ==, 6);
  g_assert_nonnull (strstr (r.reason, "removed"));
  samtal_audit_report_clear (&r);
}

/* An anchor file that disappears or is edited fails verification; the next anchor says so in the
 * trail. */
static void
test_anchor_missing_or_altered (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  append_n (f, 3);
  g_assert_true (samtal_audit_anchor (f->server->audit, &error));
  g_autofree char *path = g_build_filename (f->server->config->data_dir, "audit.anchor", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpint (g_unlink (path), ==, 0);
  SamtalAuditReport r = verify (f);
  g_assert_false (r.ok);
  g_assert_nonnull (strstr (r.reason, "missing"));
  samtal_audit_report_clear (&r);

  /* A forged anchor (another id, same mac) does not verify. */
  g_autofree char *forged = g_strdup (text);
  char *sp = strchr (forged, ' ');
  sp[1] = sp[1] == '9' ? '8' : '9';
  g_assert_true (g_file_set_contents (path, forged, -1, NULL));
  SamtalAuditReport r2 = verify (f);
  g_assert_false (r2.ok);
  g_assert_nonnull (strstr (r2.reason, "anchor"));
  samtal_audit_report_clear (&r2);

  /* A fresh process (new SamtalAudit) re-anchors and records that it did. */
  SamtalAudit *fresh = samtal_audit_new (f->server->store, f->server->config->data_dir, &error);
  g_assert_no_error (error);
  g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*anchor file was altered*");
  g_assert_true (samtal_audit_anchor (fresh, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  samtal_audit_free (fresh);
  SamtalAuditReport r3 = verify (f);
  g_assert_true (r3.ok);
  samtal_audit_report_clear (&r3);
  g_autoptr (JsonNode) list = samtal_audit_list (f->server->audit, 0, 100, f->server->tz, &error);
  g_autofree char *json = json_to_string (list, FALSE);
  g_assert_nonnull (strstr (json, "recreated"));
}

static void
test_reordered (CoreFixture *f, gconstpointer data)
{
  append_n (f, 6);
  /* Swap the contents of rows 2 and 5 (hashes included). */
  exec_sql (f, "UPDATE audit SET id = -2 WHERE id = 2;"
               "UPDATE audit SET id = 2 WHERE id = 5;"
               "UPDATE audit SET id = 5 WHERE id = -2;");
  SamtalAuditReport r = verify (f);
  g_assert_false (r.ok);
  g_assert_cmpint (r.first_bad, ==, 2);
  samtal_audit_report_clear (&r);
}

static void
test_rehashed_without_key (CoreFixture *f, gconstpointer data)
{
  append_n (f, 3);
  /* A forger who recomputes an unkeyed hash still fails: the chain is keyed. */
  exec_sql (f, "UPDATE audit SET hash = zeroblob(32) WHERE id = 1");
  SamtalAuditReport r = verify (f);
  g_assert_false (r.ok);
  g_assert_cmpint (r.first_bad, ==, 1);
  samtal_audit_report_clear (&r);
}

static void
test_rollback (CoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  append_n (f, 2);
  g_assert_true (samtal_store_begin_immediate (f->server->store, &error));
  g_assert_true (samtal_audit_append (f->server->audit, 1, "x.y", NULL, 0, NULL, &error));
  samtal_store_rollback (f->server->store);
  append_n (f, 1);
  SamtalAuditReport r = verify (f);
  g_assert_true (r.ok);
  g_assert_cmpint (r.entries, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) \
  g_test_add (path, CoreFixture, NULL, core_fixture_setup, fn, core_fixture_teardown)
  ADD ("/audit/intact", test_intact);
  ADD ("/audit/edited", test_edited);
  ADD ("/audit/edited-actor", test_edited_actor);
  ADD ("/audit/removed", test_removed);
  ADD ("/audit/reordered", test_reordered);
  ADD ("/audit/truncated", test_truncated);
  ADD ("/audit/anchor-missing-or-altered", test_anchor_missing_or_altered);
  ADD ("/audit/rehashed", test_rehashed_without_key);
  ADD ("/audit/rollback", test_rollback);
  return g_test_run ();
}
