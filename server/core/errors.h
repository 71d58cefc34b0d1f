/* errors.h — the API's error codes and their HTTP statuses, as one GError domain.
 *
 * Any layer can fail with SAMTAL_API_ERROR and a code below; samtal_reply_gerror() turns it into
 * the status and {"error":{"code","message"}} body of the contract. Errors of other domains
 * become 409 conflict (store constraint), 503 (store busy) or 500 internal (logged, message
 * not sent to the client).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAMTAL_API_ERROR (samtal_api_error_quark ())
GQuark samtal_api_error_quark (void);

typedef enum {
  SAMTAL_API_ERROR_BAD_REQUEST,        /* 400 bad_request */
  SAMTAL_API_ERROR_UNAUTHORIZED,       /* 401 unauthorized */
  SAMTAL_API_ERROR_FORBIDDEN,          /* 403 forbidden */
  SAMTAL_API_ERROR_NOT_FOUND,          /* 404 not_found */
  SAMTAL_API_ERROR_METHOD_NOT_ALLOWED, /* 405 method_not_allowed */
  SAMTAL_API_ERROR_CONFLICT,           /* 409 conflict */
  SAMTAL_API_ERROR_SLOT_TAKEN,         /* 409 slot_taken */
  SAMTAL_API_ERROR_PAYLOAD_TOO_LARGE,  /* 413 payload_too_large */
  SAMTAL_API_ERROR_UNSUPPORTED_MEDIA,  /* 415 unsupported_media_type */
  SAMTAL_API_ERROR_NOT_A_SLOT,         /* 422 not_a_slot */
  SAMTAL_API_ERROR_UNPROCESSABLE,      /* 422 unprocessable */
  SAMTAL_API_ERROR_RATE_LIMITED,       /* 429 rate_limited */
  SAMTAL_API_ERROR_INTERNAL,           /* 500 internal */
  SAMTAL_API_ERROR_UNAVAILABLE,        /* 503 unavailable */
} SamtalApiError;

/* The HTTP status and the code string ("bad_request") of an api error code. */
guint samtal_api_error_status (SamtalApiError code);
const char *samtal_api_error_name (SamtalApiError code);

G_END_DECLS
