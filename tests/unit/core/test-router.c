/* Unit tests: route matching of the router (core/http.h) — literals, {params}, precedence,
 * methods. */
#include "core/http.h"

static void
noop (SamtalRequest *req, gpointer data)
{
}

static SamtalRouter *
make_router (void)
{
  SamtalRouter *r = samtal_router_new (NULL);
  samtal_router_add (r, "GET", "/api/v1/bookings", noop, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "POST", "/api/v1/bookings", noop, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "GET", "/api/v1/bookings/{id}", noop, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "POST", "/api/v1/bookings/{id}/cancel", noop, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "GET", "/api/v1/staff/{id}/rules", noop, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "DELETE", "/api/v1/staff/{id}/rules/{rule_id}", noop, SAMTAL_ROUTE_SIGNED_IN);
  samtal_router_add (r, "GET", "/api/v1/audit/{id}", noop, SAMTAL_ROUTE_ADMIN);
  samtal_router_add (r, "GET", "/api/v1/audit/verify", noop, SAMTAL_ROUTE_ADMIN);
  return r;
}

static void
test_literal_and_params (void)
{
  SamtalRouter *r = make_router ();
  GHashTable *params = NULL;
  gboolean known = FALSE;
  g_assert_true (samtal_router_match (r, "GET", "/api/v1/bookings", &params, &known));
  g_assert_true (known);
  g_clear_pointer (&params, g_hash_table_unref);
  g_assert_true (samtal_router_match (r, "POST", "/api/v1/bookings/42/cancel", &params, &known));
  g_assert_cmpstr (g_hash_table_lookup (params, "id"), ==, "42");
  g_clear_pointer (&params, g_hash_table_unref);
  g_assert_true (samtal_router_match (r, "DELETE", "/api/v1/staff/7/rules/9", &params, &known));
  g_assert_cmpstr (g_hash_table_lookup (params, "id"), ==, "7");
  g_assert_cmpstr (g_hash_table_lookup (params, "rule_id"), ==, "9");
  g_clear_pointer (&params, g_hash_table_unref);
  samtal_router_free (r);
}

static void
test_precedence (void)
{
  SamtalRouter *r = make_router ();
  GHashTable *params = NULL;
  gboolean known;
  /* "verify" is a literal route and wins over {id}. */
  g_assert_true (samtal_router_match (r, "GET", "/api/v1/audit/verify", &params, &known));
  g_assert_false (g_hash_table_contains (params, "id"));
  g_clear_pointer (&params, g_hash_table_unref);
  g_assert_true (samtal_router_match (r, "GET", "/api/v1/audit/12", &params, &known));
  g_assert_cmpstr (g_hash_table_lookup (params, "id"), ==, "12");
  g_clear_pointer (&params, g_hash_table_unref);
  samtal_router_free (r);
}

static void
test_misses (void)
{
  SamtalRouter *r = make_router ();
  gboolean known = TRUE;
  /* Known path, other method: 405 material. */
  g_assert_false (samtal_router_match (r, "PUT", "/api/v1/bookings/1", NULL, &known));
  g_assert_true (known);
  /* Unknown paths: 404 material. */
  static const char *const unknown[] = {
    "/api/v1/bookings/1/2", "/api/v1/booking", "/api/v1/bookings/", "/api/v1/bookings//cancel",
    "/api/v1", "/", "", "api/v1/bookings", "/api/v1/bookings/1/cancel/",
  };
  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_assert_false (samtal_router_match (r, "GET", unknown[i], NULL, &known));
      g_assert_false (known);
    }
  samtal_router_free (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/router/literal-and-params", test_literal_and_params);
  g_test_add_func ("/router/precedence", test_precedence);
  g_test_add_func ("/router/misses", test_misses);
  return g_test_run ();
}
