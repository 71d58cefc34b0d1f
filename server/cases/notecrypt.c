/* notecrypt.c — sealing and opening case notes (see notecrypt.h). */
#include "notecrypt.h"

#include <sodium.h>
#include <string.h>

G_DEFINE_QUARK (samtal-note-error-quark, samtal_note_error)

#define AD_PREFIX "samtal-note-v1"
#define AD_LEN (sizeof AD_PREFIX - 1 + 16)

static void
put_be64 (guint8 *p, gint64 v)
{
  for (int i = 7; i >= 0; i--, v = (gint64) ((guint64) v >> 8))
    p[i] = (guint8) (v & 0xff);
}

static void
make_ad (guint8 ad[AD_LEN], gint64 case_id, gint64 note_id)
{
  memcpy (ad, AD_PREFIX, sizeof AD_PREFIX - 1);
  put_be64 (ad + sizeof AD_PREFIX - 1, case_id);
  put_be64 (ad + sizeof AD_PREFIX - 1 + 8, note_id);
}

GBytes *
samtal_note_seal (const guint8 *key, gint64 case_id, gint64 note_id, const char *body, gsize len,
                  GError **error)
{
  if (sodium_init () < 0) {
    g_set_error (error, SAMTAL_NOTE_ERROR, SAMTAL_NOTE_ERROR_DECRYPT, "libsodium unavailable");
    return NULL;
  }
  if (len > SAMTAL_NOTE_MAX_BYTES) {
    g_set_error (error, SAMTAL_NOTE_ERROR, SAMTAL_NOTE_ERROR_TOO_LARGE,
                 "a note holds at most %d bytes", SAMTAL_NOTE_MAX_BYTES);
    return NULL;
  }
  guint8 ad[AD_LEN];
  make_ad (ad, case_id, note_id);
  gsize n = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  gsize total = n + len + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  guint8 *out = g_malloc (total);
  randombytes_buf (out, n);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt (out + n, &clen, (const guint8 *) body, len, ad,
                                              sizeof ad, NULL, out, key);
  return g_bytes_new_take (out, n + (gsize) clen);
}

char *
samtal_note_open (const guint8 *key, gint64 case_id, gint64 note_id, const guint8 *sealed,
                  gsize len, GError **error)
{
  gsize n = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  gsize a = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed == NULL || len < n + a || len > n + a + SAMTAL_NOTE_MAX_BYTES) {
    g_set_error (error, SAMTAL_NOTE_ERROR, SAMTAL_NOTE_ERROR_DECRYPT, "note is truncated");
    return NULL;
  }
  guint8 ad[AD_LEN];
  make_ad (ad, case_id, note_id);
  char *plain = g_malloc (len - n - a + 1);
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt ((guint8 *) plain, &plen, NULL, sealed + n,
                                                  len - n, ad, sizeof ad, sealed, key) != 0) {
    g_free (plain);
    g_set_error (error, SAMTAL_NOTE_ERROR, SAMTAL_NOTE_ERROR_DECRYPT,
                 "note does not decrypt (wrong key or moved row)");
    return NULL;
  }
  plain[plen] = '\0';
  return plain;
}
