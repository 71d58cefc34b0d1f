/* casenum.h — case numbers: "<UNIT CODE>-<YEAR>-<NNNN>", e.g. BOU-2026-0001.
 *
 * The unit code is three capital ASCII letters derived from the unit's name. Known units have
 * their customary codes (Barn och unga → BOU, Färdtjänst → FTJ, Ekonomiskt bistånd → EKB); any
 * other name gets the initials of its words, filled up from the letters of its first word, with
 * Swedish letters folded (å, ä → A, ö → O). The running number itself is allocated by the
 * database inside the transaction that creates the case.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The three-letter code of a unit name (transfer full). Never NULL; "UNK" for empty names. */
char *samtal_unit_code (const char *unit_name);

/* Formats a case number (transfer full). seq is 1-based; numbers above 9999 get more digits. */
char *samtal_case_number_format (const char *unit_code, int year, gint64 seq);

G_END_DECLS
