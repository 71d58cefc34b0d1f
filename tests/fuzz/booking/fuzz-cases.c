/* libFuzzer target for the cases module: opening arbitrary bytes as a sealed note must fail
 * cleanly (never crash, never succeed without the key's seal), and unit codes are derived from
 * any text without crashing and are always three capital ASCII letters. */
#include "casenum.h"
#include "notecrypt.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const guint8 key[SAMTAL_NOTE_KEY_BYTES] = { 1, 2, 3 };
  if (size > 70000)
    return 0;
  g_autoptr (GError) error = NULL;
  char *plain = samtal_note_open (key, 1, 2, data, size, &error);
  g_assert (plain == NULL && error != NULL);
  g_autofree char *text = g_strndup ((const char *) data, MIN (size, 400));
  g_autofree char *code = samtal_unit_code (text);
  g_assert (strlen (code) == 3);
  for (int i = 0; i < 3; i++)
    g_assert (code[i] >= 'A' && code[i] <= 'Z');
  /* A seal of the input opens again to the same text. */
  g_autoptr (GBytes) sealed = samtal_note_seal (key, 3, 4, text, strlen (text), NULL);
  gsize len;
  const guint8 *s = g_bytes_get_data (sealed, &len);
  g_autofree char *back = samtal_note_open (key, 3, 4, s, len, NULL);
  g_assert (back && strcmp (back, text) == 0);
  return 0;
}
