/* libFuzzer target: join-token verification must reject any input without crashing. The key is
 * fixed and known here, so the fuzzer can also reach the claims parser behind a valid mac. */
#include "token.h"

#include <sodium.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static guint8 key[SAMTAL_TOKEN_KEY_BYTES];
  if (size > 4096)
    return 0;
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  SamtalJoinClaims *c = samtal_token_verify (key, text, 2000, &error);
  samtal_join_claims_free (c);
  /* Also: sign the input as a payload, so the claims parser sees arbitrary JSON. */
  g_autofree char *b64 = g_base64_encode (data, size);
  for (char *p = b64; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  char *eq = strchr (b64, '=');
  if (eq)
    *eq = '\0';
  g_autofree char *signed_part = g_strconcat ("st1.", b64, NULL);
  guint8 mac[crypto_auth_BYTES];
  crypto_auth (mac, (const guint8 *) signed_part, strlen (signed_part), key);
  char mac_text[sodium_base64_ENCODED_LEN (crypto_auth_BYTES,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64 (mac_text, sizeof mac_text, mac, sizeof mac,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  g_autofree char *token = g_strconcat (signed_part, ".", mac_text, NULL);
  g_autoptr (GError) e2 = NULL;
  c = samtal_token_verify (key, token, 2000, &e2);
  samtal_join_claims_free (c);
  return 0;
}
