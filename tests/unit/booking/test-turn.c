/* Unit test for TURN REST credentials: coturn's use-auth-secret format, checked against a value
 * computed independently (Python hmac/hashlib). */
#include "turn.h"

static void
test_credentials (void)
{
  g_autofree char *user = NULL, *cred = NULL;
  samtal_turn_credentials ("north", "u7", 1796115600, &user, &cred);
  g_assert_cmpstr (user, ==, "1796115600:u7");
  g_assert_cmpstr (cred, ==, "Q6NUmj7IVp+9fxu1YdNUNnI90is=");
  g_autofree char *user2 = NULL, *cred2 = NULL;
  samtal_turn_credentials ("south", "u7", 1796115600, &user2, &cred2);
  g_assert_cmpstr (cred2, !=, cred);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/turn/credentials", test_credentials);
  return g_test_run ();
}
