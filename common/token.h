/* token.h — join tokens: the capability that lets its holder into one meeting.
 *
 * A join token is "st1.<payload>.<mac>", both parts base64url without padding. The payload is
 * a small JSON object of claims; the mac is HMAC-SHA-512-256 (libsodium crypto_auth) over
 * "st1.<payload>" under the server's 32-byte meeting key (the file meeting.key in the data dir).
 * Verification is constant time, and checks the time window; nothing in a token is secret, it is
 * only unforgeable. Tokens are bearer capabilities: never log one.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAMTAL_TOKEN_KEY_BYTES 32
#define SAMTAL_TOKEN_MAX_LEN 2048

typedef struct {
  gint64 booking_id;     /* the meeting is the booking; meeting_id == booking_id */
  char *participant_id;  /* stable per person and meeting: "u<user_id>" or "g<guest_id>" */
  char *role;            /* client | caseworker | officer | admin | interpreter | guest */
  char *name;            /* display name shown to the others */
  gint64 not_before;     /* unix seconds: 15 minutes before the booked start */
  gint64 expires;        /* unix seconds: at the latest 30 minutes after the booked end */
} SamtalJoinClaims;

typedef enum {
  SAMTAL_TOKEN_ERROR_MALFORMED,   /* not a token at all, or too long */
  SAMTAL_TOKEN_ERROR_FORGED,      /* the mac does not verify under our key */
  SAMTAL_TOKEN_ERROR_TOO_EARLY,   /* before not_before */
  SAMTAL_TOKEN_ERROR_EXPIRED,     /* after expires */
} SamtalTokenError;

#define SAMTAL_TOKEN_ERROR (samtal_token_error_quark ())
GQuark samtal_token_error_quark (void);

/* TRUE for the roles that hold a meeting (they are admitted at once and may admit others). */
gboolean samtal_role_is_staff (const char *role);

SamtalJoinClaims *samtal_join_claims_new (void);
void samtal_join_claims_free (SamtalJoinClaims *claims);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalJoinClaims, samtal_join_claims_free)

/* Returns a newly allocated token (transfer full). key is SAMTAL_TOKEN_KEY_BYTES long. */
char *samtal_token_mint (const guint8 *key, const SamtalJoinClaims *claims);

/* Verifies token under key at time now (unix seconds). Returns the claims (transfer full), or
 * NULL with error set (SAMTAL_TOKEN_ERROR_*). Never trusts anything before the mac verifies. */
SamtalJoinClaims *samtal_token_verify (const guint8 *key, const char *token, gint64 now,
                                       GError **error);

G_END_DECLS
