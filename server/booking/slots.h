/* slots.h — free-slot computation: weekly rules minus blocks minus bookings, for a date range.
 *
 * A pure module (no database, no clock): the caller passes the rules, the busy intervals, the
 * time zone and "now". Rules are in local wall-clock time; every instant in and out is UTC unix
 * seconds.
 *
 * Daylight-saving time, decided and documented here:
 * - A slot is generated for each wall-clock start start, start+step, … (step = slot + buffer)
 *   whose slot still ends by the rule's end. Its instant is that wall-clock time in the zone;
 *   its length is always slot_minutes of real time.
 * - Spring (e.g. Europe/Stockholm 2026-03-29, 02:00 → 03:00): wall-clock starts that do not exist
 *   (02:00–02:59) produce no slot.
 * - Autumn (2026-10-25, 03:00 → 02:00): a repeated wall-clock time means its FIRST occurrence
 *   (summer time, +02:00). The second run of the repeated hour is never offered, and a slot that
 *   would overlap an earlier slot of the same day is dropped, so there are never duplicate or
 *   overlapping slots.
 * - A slot must also end by the real instant of the rule's end (its first occurrence).
 */
#pragma once

#include "avail.h"

G_BEGIN_DECLS

typedef struct {
  gint64 start;  /* unix seconds, inclusive */
  gint64 end;    /* unix seconds, exclusive */
} SamtalInterval;

typedef struct {
  GTimeZone *tz;              /* the server's zone (local wall-clock of the rules) */
  gint64 now;                 /* unix seconds */
  gint64 min_notice_seconds;  /* a slot must start at or after now + this */
  gint64 horizon_seconds;     /* a slot must start at or before now + this (0 = no limit) */
  guint32 from;               /* Julian day, inclusive, local dates */
  guint32 to;                 /* Julian day, inclusive */
} SamtalSlotQuery;

/* Computes the free slots of one staff member. blocks are absences (a slot overlapping one is
 * not free); bookings are existing bookings (a slot is not free when a booking overlaps it or
 * lies within the slot's rule buffer before or after it). Returns a sorted GArray of
 * SamtalInterval (transfer full), without duplicates or overlaps. Invalid rules are skipped. */
GArray *samtal_slots_compute (const SamtalSlotQuery *query,
                              const SamtalRule *rules, guint n_rules,
                              const SamtalInterval *blocks, guint n_blocks,
                              const SamtalInterval *bookings, guint n_bookings);

/* The slot in slots (as from samtal_slots_compute) that starts exactly at start, or NULL. */
const SamtalInterval *samtal_slots_find (GArray *slots, gint64 start);

/* The Julian day of the local date of instant t in tz. */
guint32 samtal_local_julian (gint64 t, GTimeZone *tz);

/* The first instant of the local date julian in tz (local midnight, or the first existing time
 * after it when midnight falls into a gap). */
gint64 samtal_local_day_start (guint32 julian, GTimeZone *tz);

/* TRUE when [a_start, a_end) and [b_start, b_end) share any instant. */
static inline gboolean
samtal_intervals_overlap (gint64 a_start, gint64 a_end, gint64 b_start, gint64 b_end)
{
  return a_start < b_end && b_start < a_end;
}

G_END_DECLS
