/* Unit tests for join tokens: round trip, forgery, tampering, time window, garbage. */
#include "token.h"

#include <sodium.h>
#include <string.h>

static guint8 key[SAMTAL_TOKEN_KEY_BYTES];

static SamtalJoinClaims *
sample_claims (void)
{
  SamtalJoinClaims *c = samtal_join_claims_new ();
  c->booking_id = 42;
  c->participant_id = g_strdup ("u7");
  c->role = g_strdup ("client");
  c->name = g_strdup ("Åsa Öberg \"quoted\"");
  c->not_before = 1000;
  c->expires = 5000;
  return c;
}

static void
test_round_trip (void)
{
  g_autoptr (SamtalJoinClaims) c = sample_claims ();
  g_autofree char *t = samtal_token_mint (key, c);
  g_autoptr (GError) error = NULL;
  g_autoptr (SamtalJoinClaims) v = samtal_token_verify (key, t, 2000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (v);
  g_assert_cmpint (v->booking_id, ==, 42);
  g_assert_cmpstr (v->participant_id, ==, "u7");
  g_assert_cmpstr (v->role, ==, "client");
  g_assert_cmpstr (v->name, ==, c->name);
  g_assert_cmpint (v->not_before, ==, 1000);
  g_assert_cmpint (v->expires, ==, 5000);
}

static void
test_window (void)
{
  g_autoptr (SamtalJoinClaims) c = sample_claims ();
  g_autofree char *t = samtal_token_mint (key, c);
  g_autoptr (GError) e1 = NULL, e2 = NULL;
  g_assert_null (samtal_token_verify (key, t, 999, &e1));
  g_assert_error (e1, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_TOO_EARLY);
  g_assert_null (samtal_token_verify (key, t, 5000, &e2));
  g_assert_error (e2, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_EXPIRED);
}

static void
test_forged (void)
{
  g_autoptr (SamtalJoinClaims) c = sample_claims ();
  guint8 other[SAMTAL_TOKEN_KEY_BYTES];
  randombytes_buf (other, sizeof other);
  g_autofree char *t = samtal_token_mint (other, c);
  g_autoptr (GError) error = NULL;
  g_assert_null (samtal_token_verify (key, t, 2000, &error));
  g_assert_error (error, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_FORGED);

  /* Flip each character of a valid token in turn: nothing may verify. */
  g_autofree char *good = samtal_token_mint (key, c);
  gsize len = strlen (good);
  for (gsize i = 0; i < len; i++) {
    g_autofree char *bad = g_strdup (good);
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    g_autoptr (GError) e = NULL;
    g_autoptr (SamtalJoinClaims) v = samtal_token_verify (key, bad, 2000, &e);
    g_assert_null (v);
    g_assert_nonnull (e);
  }
}

static void
test_garbage (void)
{
  const char *bad[] = { "", "st1.", "st1..", "st1.a.b", "xx1.abc.def", "st1.!!!.???",
                        "st1.eyJ9.AAAA", NULL };
  for (int i = 0; bad[i]; i++) {
    g_autoptr (GError) e = NULL;
    g_assert_null (samtal_token_verify (key, bad[i], 2000, &e));
    g_assert_nonnull (e);
  }
  g_autoptr (GError) e = NULL;
  g_assert_null (samtal_token_verify (key, NULL, 2000, &e));
  g_autofree char *huge = g_strnfill (SAMTAL_TOKEN_MAX_LEN + 10, 'a');
  memcpy (huge, "st1.", 4);
  g_autoptr (GError) e2 = NULL;
  g_assert_null (samtal_token_verify (key, huge, 2000, &e2));
  g_assert_error (e2, SAMTAL_TOKEN_ERROR, SAMTAL_TOKEN_ERROR_MALFORMED);
}

static void
test_roles (void)
{
  g_assert_true (samtal_role_is_staff ("caseworker"));
  g_assert_true (samtal_role_is_staff ("officer"));
  g_assert_true (samtal_role_is_staff ("admin"));
  g_assert_false (samtal_role_is_staff ("client"));
  g_assert_false (samtal_role_is_staff ("interpreter"));
  g_assert_false (samtal_role_is_staff (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);
  randombytes_buf (key, sizeof key);
  g_test_add_func ("/token/round-trip", test_round_trip);
  g_test_add_func ("/token/window", test_window);
  g_test_add_func ("/token/forged", test_forged);
  g_test_add_func ("/token/garbage", test_garbage);
  g_test_add_func ("/token/roles", test_roles);
  return g_test_run ();
}
