/* auth-private.h — the SamtalAuth struct, shared by auth.c (passwords, rate limit, endpoints)
 * and session.c (the session table). */
#pragma once

#include "auth.h"

struct _SamtalAuth {
  SamtalServer *server;
  GHashTable *failures;    /* "a:"+email or "r:"+address → FailureLog* */
};
