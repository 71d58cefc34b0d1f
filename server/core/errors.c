/* errors.c — the table from SamtalApiError codes to HTTP statuses and code strings. */
#include "errors.h"

G_DEFINE_QUARK (samtal-api-error-quark, samtal_api_error)

typedef struct {
  guint status;
  const char *name;
} ApiErrorInfo;

static const ApiErrorInfo api_errors[] = {
  [SAMTAL_API_ERROR_BAD_REQUEST] = { 400, "bad_request" },
  [SAMTAL_API_ERROR_UNAUTHORIZED] = { 401, "unauthorized" },
  [SAMTAL_API_ERROR_FORBIDDEN] = { 403, "forbidden" },
  [SAMTAL_API_ERROR_NOT_FOUND] = { 404, "not_found" },
  [SAMTAL_API_ERROR_METHOD_NOT_ALLOWED] = { 405, "method_not_allowed" },
  [SAMTAL_API_ERROR_CONFLICT] = { 409, "conflict" },
  [SAMTAL_API_ERROR_SLOT_TAKEN] = { 409, "slot_taken" },
  [SAMTAL_API_ERROR_PAYLOAD_TOO_LARGE] = { 413, "payload_too_large" },
  [SAMTAL_API_ERROR_UNSUPPORTED_MEDIA] = { 415, "unsupported_media_type" },
  [SAMTAL_API_ERROR_NOT_A_SLOT] = { 422, "not_a_slot" },
  [SAMTAL_API_ERROR_UNPROCESSABLE] = { 422, "unprocessable" },
  [SAMTAL_API_ERROR_RATE_LIMITED] = { 429, "rate_limited" },
  [SAMTAL_API_ERROR_INTERNAL] = { 500, "internal" },
  [SAMTAL_API_ERROR_UNAVAILABLE] = { 503, "unavailable" },
};

static const ApiErrorInfo *
api_error_info (SamtalApiError code)
{
  if ((guint) code >= G_N_ELEMENTS (api_errors) || api_errors[code].name == NULL)
    return &api_errors[SAMTAL_API_ERROR_INTERNAL];
  return &api_errors[code];
}

guint
samtal_api_error_status (SamtalApiError code)
{
  return api_error_info (code)->status;
}

const char *
samtal_api_error_name (SamtalApiError code)
{
  return api_error_info (code)->name;
}
