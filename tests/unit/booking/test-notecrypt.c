/* Unit tests for note encryption: round trip, and every tampering fails to open — wrong key,
 * another note or case id (swapped associated data), truncation, a flipped bit. */
#include "notecrypt.h"

#include <sodium.h>
#include <string.h>

static void
keys (guint8 *a, guint8 *b)
{
  g_assert_cmpint (sodium_init (), >=, 0);
  randombytes_buf (a, SAMTAL_NOTE_KEY_BYTES);
  randombytes_buf (b, SAMTAL_NOTE_KEY_BYTES);
}

static void
test_round_trip (void)
{
  guint8 k[32], k2[32];
  keys (k, k2);
  const char *body = "Klienten berättade om …\nRad två.";
  g_autoptr (GBytes) sealed = samtal_note_seal (k, 7, 12, body, strlen (body), NULL);
  g_assert_nonnull (sealed);
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);
  g_assert_cmpuint (len, ==, 24 + strlen (body) + 16);
  g_assert_null (memmem (data, len, "berättade", strlen ("berättade")));
  g_autofree char *plain = samtal_note_open (k, 7, 12, data, len, NULL);
  g_assert_cmpstr (plain, ==, body);
  /* Two seals of the same text differ (random nonce). */
  g_autoptr (GBytes) again = samtal_note_seal (k, 7, 12, body, strlen (body), NULL);
  g_assert_false (g_bytes_equal (sealed, again));
  /* The empty note works too. */
  g_autoptr (GBytes) empty = samtal_note_seal (k, 1, 1, "", 0, NULL);
  const guint8 *ed = g_bytes_get_data (empty, &len);
  g_autofree char *ep = samtal_note_open (k, 1, 1, ed, len, NULL);
  g_assert_cmpstr (ep, ==, "");
}

static void
assert_fails (const guint8 *key, gint64 case_id, gint64 note_id, const guint8 *d, gsize len)
{
  g_autoptr (GError) e = NULL;
  char *p = samtal_note_open (key, case_id, note_id, d, len, &e);
  g_assert_null (p);
  g_assert_error (e, SAMTAL_NOTE_ERROR, SAMTAL_NOTE_ERROR_DECRYPT);
}

static void
test_tamper (void)
{
  guint8 k[32], k2[32];
  keys (k, k2);
  const char *body = "hemligt";
  g_autoptr (GBytes) sealed = samtal_note_seal (k, 7, 12, body, strlen (body), NULL);
  gsize len;
  const guint8 *d = g_bytes_get_data (sealed, &len);
  assert_fails (k2, 7, 12, d, len);        /* wrong key */
  assert_fails (k, 7, 13, d, len);         /* moved to another note */
  assert_fails (k, 8, 12, d, len);         /* moved to another case */
  assert_fails (k, 12, 7, d, len);         /* ids swapped */
  assert_fails (k, 7, 12, d, len - 1);     /* truncated */
  assert_fails (k, 7, 12, d, 10);          /* shorter than nonce + tag */
  assert_fails (k, 7, 12, NULL, 0);
  g_autofree guint8 *flip = g_memdup2 (d, len);
  flip[30] ^= 1;
  assert_fails (k, 7, 12, flip, len);      /* altered */
}

static void
test_too_large (void)
{
  guint8 k[32], k2[32];
  keys (k, k2);
  g_autofree char *big = g_strnfill (SAMTAL_NOTE_MAX_BYTES + 1, 'x');
  g_autoptr (GError) e = NULL;
  g_assert_null (samtal_note_seal (k, 1, 1, big, strlen (big), &e));
  g_assert_error (e, SAMTAL_NOTE_ERROR, SAMTAL_NOTE_ERROR_TOO_LARGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/notecrypt/round-trip", test_round_trip);
  g_test_add_func ("/notecrypt/tamper", test_tamper);
  g_test_add_func ("/notecrypt/too-large", test_too_large);
  return g_test_run ();
}
