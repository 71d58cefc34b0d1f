/* Unit tests for unit codes and case numbers. */
#include "casenum.h"

static void
test_codes (void)
{
  const struct { const char *name, *code; } cases[] = {
    { "Barn och unga", "BOU" }, { "Färdtjänst", "FTJ" }, { "Ekonomiskt bistånd", "EKB" },
    { "  barn OCH unga ", "BOU" }, { "Öppen vård", "OVP" }, { "Vuxen missbruk och stöd", "VMO" },
    { "IT", "ITX" }, { "", "UNK" }, { "123", "UNK" }, { "Å", "AXX" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *c = samtal_unit_code (cases[i].name);
    g_assert_cmpstr (c, ==, cases[i].code);
  }
  g_autofree char *n = samtal_unit_code (NULL);
  g_assert_cmpstr (n, ==, "UNK");
  g_autofree char *bad = samtal_unit_code ("\xff\xfe");
  g_assert_cmpstr (bad, ==, "UNK");
}

static void
test_numbers (void)
{
  g_autofree char *a = samtal_case_number_format ("BOU", 2026, 1);
  g_assert_cmpstr (a, ==, "BOU-2026-0001");
  g_autofree char *b = samtal_case_number_format ("FTJ", 2027, 1234);
  g_assert_cmpstr (b, ==, "FTJ-2027-1234");
  g_autofree char *c = samtal_case_number_format ("EKB", 2026, 12345);
  g_assert_cmpstr (c, ==, "EKB-2026-12345");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/casenum/codes", test_codes);
  g_test_add_func ("/casenum/numbers", test_numbers);
  return g_test_run ();
}
