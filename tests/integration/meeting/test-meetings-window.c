/* test-meetings-window.c — the meetings glue's admission rule (samtal_meetings_check_window):
 * cancelled bookings, the window from 15 minutes before the start to 30 minutes after the end,
 * and user tokens that belong to neither the booking's client nor its staff member.
 */
#include "meetings.h"

#define START 1800000000
#define END (START + 1800)
#define STAFF 7
#define CLIENT 12

static gboolean
check (const char *pid, gboolean booked, gint64 now, GError **error)
{
  g_autoptr (SamtalJoinClaims) claims = samtal_join_claims_new ();
  claims->booking_id = 42;
  claims->participant_id = g_strdup (pid);
  claims->role = g_strdup ("client");
  SamtalMeetingInfo info = { 0 };
  gboolean ok = samtal_meetings_check_window (claims, 42, booked, START, END, STAFF, CLIENT, now,
                                              &info, error);
  g_assert_cmpint (info.booking_id, ==, 42);
  g_assert_cmpint (info.starts_at, ==, START);
  g_assert_cmpint (info.ends_at, ==, END);
  g_assert_cmpint (info.cancelled, ==, !booked);
  return ok;
}

static void
test_window (void)
{
  g_assert_true (check ("u12", TRUE, START - 15 * 60, NULL));
  g_assert_true (check ("u7", TRUE, START, NULL));
  g_assert_true (check ("g3", TRUE, END + 30 * 60, NULL));
  g_autoptr (GError) early = NULL;
  g_assert_false (check ("u12", TRUE, START - 15 * 60 - 1, &early));
  g_assert_error (early, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_CLOSED);
  g_autoptr (GError) late = NULL;
  g_assert_false (check ("u12", TRUE, END + 30 * 60 + 1, &late));
  g_assert_error (late, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_CLOSED);
}

static void
test_cancelled (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (check ("u12", FALSE, START, &error));
  g_assert_error (error, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_CLOSED);
}

static void
test_not_yours (void)
{
  const char *bad[] = { "u13", "u0", "u", "u12x", "u-12" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_false (check (bad[i], TRUE, START, &error));
    g_assert_error (error, SAMTAL_MEETINGS_ERROR, SAMTAL_MEETINGS_ERROR_NOT_YOURS);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/meetings/window", test_window);
  g_test_add_func ("/meetings/cancelled", test_cancelled);
  g_test_add_func ("/meetings/not-yours", test_not_yours);
  return g_test_run ();
}
