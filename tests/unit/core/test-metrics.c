/* Unit tests: Prometheus counters (core/metrics.h). */
#include <string.h>

#include "core/metrics.h"

static gpointer
count_in_thread (gpointer data)
{
  for (int i = 0; i < 1000; i++)
    samtal_metrics_inc (data, "samtal_threads_total", NULL);
  return NULL;
}

static void
test_counters (void)
{
  g_autoptr (SamtalMetrics) m = samtal_metrics_new ();
  samtal_metrics_describe (m, "samtal_bookings_total", "counter", "Bookings made.");
  samtal_metrics_inc (m, "samtal_bookings_total", NULL);
  samtal_metrics_inc (m, "samtal_bookings_total", NULL);
  samtal_metrics_inc (m, "samtal_http_requests_total", "status=\"200\"");
  samtal_metrics_add (m, "samtal_http_requests_total", "status=\"404\"", 3);
  samtal_metrics_set (m, "samtal_meetings", NULL, 2.5);
  g_assert_cmpfloat (samtal_metrics_get (m, "samtal_bookings_total", NULL), ==, 2);
  g_assert_cmpfloat (samtal_metrics_get (m, "nothing", NULL), ==, 0);
  g_autofree char *text = samtal_metrics_render (m);
  g_assert_nonnull (strstr (text, "# HELP samtal_bookings_total Bookings made.\n"
                                  "# TYPE samtal_bookings_total counter\n"
                                  "samtal_bookings_total 2\n"));
  g_assert_nonnull (strstr (text, "samtal_http_requests_total{status=\"200\"} 1\n"));
  g_assert_nonnull (strstr (text, "samtal_http_requests_total{status=\"404\"} 3\n"));
  g_assert_nonnull (strstr (text, "samtal_meetings 2.5\n"));
}

static void
test_threads (void)
{
  g_autoptr (SamtalMetrics) m = samtal_metrics_new ();
  GThread *a = g_thread_new ("a", count_in_thread, m);
  GThread *b = g_thread_new ("b", count_in_thread, m);
  g_thread_join (a);
  g_thread_join (b);
  g_assert_cmpfloat (samtal_metrics_get (m, "samtal_threads_total", NULL), ==, 2000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/metrics/counters", test_counters);
  g_test_add_func ("/metrics/threads", test_threads);
  return g_test_run ();
}
