/* casenum.c — unit codes and case number formatting (see casenum.h). */
#include "casenum.h"

#include <string.h>

static const struct {
  const char *name;
  const char *code;
} known_units[] = {
  { "barn och unga", "BOU" },
  { "färdtjänst", "FTJ" },
  { "ekonomiskt bistånd", "EKB" },
  { "äldreomsorg", "ALD" },
  { "funktionsstöd", "FST" },
};

/* Folds a character to an ASCII capital letter, or 0 when it is not a letter. */
static char
fold_letter (gunichar c)
{
  c = g_unichar_tolower (c);
  if (c == 0xe5 || c == 0xe4 || c == 0xe0 || c == 0xe1)  /* å ä à á */
    return 'A';
  if (c == 0xf6 || c == 0xf8 || c == 0xf3)               /* ö ø ó */
    return 'O';
  if (c == 0xe9 || c == 0xe8)                            /* é è */
    return 'E';
  if (c == 0xfc)
    return 'U';
  return c < 128 && g_ascii_isalpha ((char) c) ? g_ascii_toupper ((char) c) : 0;
}

/* Initials of each word, then the remaining letters of the first word. */
static void
derive_code (const char *name, char code[4])
{
  int n = 0;
  gboolean at_word_start = TRUE;
  for (const char *p = name; *p && n < 3; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    char l = fold_letter (c);
    if (l && at_word_start)
      code[n++] = l;
    at_word_start = !l && (g_unichar_isspace (c) || c == '-');
  }
  const char *p = name;
  while (*p && !fold_letter (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  if (*p)
    p = g_utf8_next_char (p);  /* the first letter is already the first initial */
  for (; *p && n < 3; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_isspace (c))
      break;
    char l = fold_letter (c);
    if (l)
      code[n++] = l;
  }
  while (n < 3)
    code[n++] = 'X';
  code[3] = '\0';
}

char *
samtal_unit_code (const char *unit_name)
{
  if (unit_name == NULL || !g_utf8_validate (unit_name, -1, NULL))
    return g_strdup ("UNK");
  g_autofree char *stripped = g_strstrip (g_strdup (unit_name));
  g_autofree char *lower = g_utf8_strdown (stripped, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (known_units); i++)
    if (g_str_equal (lower, known_units[i].name))
      return g_strdup (known_units[i].code);
  gboolean any = FALSE;
  for (const char *p = stripped; *p; p = g_utf8_next_char (p))
    any = any || fold_letter (g_utf8_get_char (p));
  if (!any)
    return g_strdup ("UNK");
  char code[4];
  derive_code (stripped, code);
  return g_strdup (code);
}

char *
samtal_case_number_format (const char *unit_code, int year, gint64 seq)
{
  return g_strdup_printf ("%s-%04d-%04" G_GINT64_FORMAT, unit_code, year, seq);
}
