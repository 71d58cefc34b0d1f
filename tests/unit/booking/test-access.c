/* Unit tests for the booking access rules (booking-private.h): who may see a booking, and who
 * may manage a staff member's availability — across roles and units. */
#include "booking-private.h"

static SamtalUser
user (gint64 id, const char *role, gint64 unit)
{
  SamtalUser u = { .id = id, .role = (char *) role, .unit_id = unit };
  return u;
}

static void
test_booking_access (void)
{
  SamtalBooking b = { .id = 1, .staff_id = 10, .client_id = 20, .unit_id = 3 };
  SamtalUser client = user (20, "client", 0), other_client = user (21, "client", 0);
  SamtalUser staff = user (10, "caseworker", 3), colleague = user (11, "caseworker", 3);
  SamtalUser officer = user (12, "officer", 3), foreign_officer = user (13, "officer", 4);
  SamtalUser admin = user (1, "admin", 0);
  g_assert_true (booking_can_access (&client, &b));
  g_assert_true (booking_can_access (&staff, &b));
  g_assert_true (booking_can_access (&officer, &b));
  g_assert_true (booking_can_access (&admin, &b));
  g_assert_false (booking_can_access (&other_client, &b));
  g_assert_false (booking_can_access (&colleague, &b));
  g_assert_false (booking_can_access (&foreign_officer, &b));
  g_assert_false (booking_can_access (NULL, &b));
  /* A booking without a unit is not visible to every officer without a unit. */
  SamtalBooking nounit = { .id = 2, .staff_id = 10, .client_id = 20, .unit_id = 0 };
  SamtalUser loose_officer = user (14, "officer", 0);
  g_assert_false (booking_can_access (&loose_officer, &nounit));
}

static void
test_manage_staff (void)
{
  SamtalUser staff = user (10, "caseworker", 3), colleague = user (11, "caseworker", 3);
  SamtalUser officer = user (12, "officer", 3), foreign_officer = user (13, "officer", 4);
  SamtalUser admin = user (1, "admin", 0), client = user (20, "client", 0);
  g_assert_true (booking_can_manage_staff (&staff, 10, 3));
  g_assert_true (booking_can_manage_staff (&officer, 10, 3));
  g_assert_true (booking_can_manage_staff (&admin, 10, 3));
  g_assert_false (booking_can_manage_staff (&colleague, 10, 3));
  g_assert_false (booking_can_manage_staff (&foreign_officer, 10, 3));
  g_assert_false (booking_can_manage_staff (&client, 10, 3));
  g_assert_true (booking_is_staff (&officer));
  g_assert_false (booking_is_staff (&client));
  g_assert_true (booking_is_officer_of (&officer, 3));
  g_assert_false (booking_is_officer_of (&officer, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/access/booking", test_booking_access);
  g_test_add_func ("/access/manage-staff", test_manage_staff);
  return g_test_run ();
}
