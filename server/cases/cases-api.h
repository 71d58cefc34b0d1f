/* cases-api.h — the cases component's entry points for samtal-server.
 *
 * Cases (numbered per unit and year, e.g. BOU-2026-0001) and case notes encrypted at rest under
 * notes.key (see notecrypt.h). Only staff of the case's unit (and admins) see them; every case
 * read, note read and note write is audited. See docs/api.md.
 */
#pragma once

#include "core/server.h"

G_BEGIN_DECLS

/* Applies the cases schema (tables cases, case_counters, notes). Needs core's schema first. */
gboolean samtal_cases_migrate (SamtalServer *server, GError **error);

/* Loads notes.key from the data dir and registers /api/v1/cases…. Aborts (g_error) if the key
 * cannot be read or made. */
void samtal_cases_api_register (SamtalServer *server);
gboolean samtal_cases_api_register_full (SamtalServer *server, GError **error);

/* For the booking component: TRUE if case_id exists, belongs to unit_id and client_id, and is
 * open; else FALSE with NOT_FOUND or BAD_REQUEST. Main thread. */
gboolean samtal_cases_check_link (SamtalServer *server, gint64 case_id, gint64 unit_id,
                                  gint64 client_id, GError **error);

/* Creates a case (main thread; audited as "case.create" by actor_id). Returns its id, or 0 and
 * error. number_out (nullable) gets the case number (transfer full). */
gint64 samtal_cases_create (SamtalServer *server, gint64 actor_id, gint64 unit_id,
                            gint64 client_id, const char *title, char **number_out,
                            GError **error);

G_END_DECLS
