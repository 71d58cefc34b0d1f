/* metrics.h — a tiny, thread-safe set of Prometheus counters served at GET /metrics.
 *
 * A counter is a name plus an optional label set, e.g. ("samtal_http_requests_total",
 * "status=\"200\""). Counters come into being on first use; describe them once for HELP/TYPE
 * lines. Any thread may count (a mutex guards the table).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SamtalMetrics SamtalMetrics;

SamtalMetrics *samtal_metrics_new (void);
void samtal_metrics_free (SamtalMetrics *metrics);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalMetrics, samtal_metrics_free)

/* Adds a HELP line and a TYPE ("counter" or "gauge") for name. */
void samtal_metrics_describe (SamtalMetrics *metrics, const char *name, const char *type,
                              const char *help);

/* Adds 1 to the counter name{labels}. labels is Prometheus label text without braces
 * ("status=\"200\",method=\"GET\"") or NULL. */
void samtal_metrics_inc (SamtalMetrics *metrics, const char *name, const char *labels);
/* Adds value (may be negative for gauges). */
void samtal_metrics_add (SamtalMetrics *metrics, const char *name, const char *labels, double value);
/* Sets a gauge. */
void samtal_metrics_set (SamtalMetrics *metrics, const char *name, const char *labels, double value);
/* Reads a value (0 when unknown); for tests. */
double samtal_metrics_get (SamtalMetrics *metrics, const char *name, const char *labels);

/* The Prometheus text exposition format (version 0.0.4), newly allocated. */
char *samtal_metrics_render (SamtalMetrics *metrics);

G_END_DECLS
