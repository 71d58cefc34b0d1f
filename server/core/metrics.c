/* metrics.c — Prometheus counters and gauges in a mutex-guarded table, rendered as text. */
#include "metrics.h"

#include <math.h>
#include <string.h>

struct _SamtalMetrics {
  GMutex lock;
  GHashTable *values;     /* "name\x1flabels" → double* */
  GHashTable *help;       /* name → "type\x1fhelp" */
};

SamtalMetrics *
samtal_metrics_new (void)
{
  SamtalMetrics *m = g_new0 (SamtalMetrics, 1);
  g_mutex_init (&m->lock);
  m->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->help = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return m;
}

void
samtal_metrics_free (SamtalMetrics *m)
{
  if (m == NULL)
    return;
  g_hash_table_destroy (m->values);
  g_hash_table_destroy (m->help);
  g_mutex_clear (&m->lock);
  g_free (m);
}

void
samtal_metrics_describe (SamtalMetrics *m, const char *name, const char *type, const char *help)
{
  g_mutex_lock (&m->lock);
  g_hash_table_replace (m->help, g_strdup (name), g_strdup_printf ("%s\x1f%s", type, help));
  g_mutex_unlock (&m->lock);
}

static char *
metric_key (const char *name, const char *labels)
{
  return g_strdup_printf ("%s\x1f%s", name, labels ? labels : "");
}

static void
metrics_update (SamtalMetrics *m, const char *name, const char *labels, double value,
                gboolean add)
{
  char *key = metric_key (name, labels);
  g_mutex_lock (&m->lock);
  double *v = g_hash_table_lookup (m->values, key);
  if (v == NULL)
    {
      v = g_new0 (double, 1);
      g_hash_table_insert (m->values, key, v);
      key = NULL;
    }
  *v = add ? *v + value : value;
  g_mutex_unlock (&m->lock);
  g_free (key);
}

void
samtal_metrics_inc (SamtalMetrics *m, const char *name, const char *labels)
{
  metrics_update (m, name, labels, 1.0, TRUE);
}

void
samtal_metrics_add (SamtalMetrics *m, const char *name, const char *labels, double value)
{
  metrics_update (m, name, labels, value, TRUE);
}

void
samtal_metrics_set (SamtalMetrics *m, const char *name, const char *labels, double value)
{
  metrics_update (m, name, labels, value, FALSE);
}

double
samtal_metrics_get (SamtalMetrics *m, const char *name, const char *labels)
{
  g_autofree char *key = metric_key (name, labels);
  g_mutex_lock (&m->lock);
  double *v = g_hash_table_lookup (m->values, key);
  double result = v ? *v : 0.0;
  g_mutex_unlock (&m->lock);
  return result;
}

static void
render_value (GString *out, const char *key, double value)
{
  const char *sep = strchr (key, '\x1f');
  g_string_append_len (out, key, sep - key);
  if (sep[1] != '\0')
    g_string_append_printf (out, "{%s}", sep + 1);
  if (value == floor (value) && fabs (value) < 1e15)
    g_string_append_printf (out, " %.0f\n", value);
  else
    g_string_append_printf (out, " %g\n", value);
}

static void
render_help (GString *out, SamtalMetrics *m, const char *name, GHashTable *done)
{
  if (g_hash_table_contains (done, name))
    return;
  g_hash_table_add (done, g_strdup (name));
  const char *help = g_hash_table_lookup (m->help, name);
  if (help == NULL)
    return;
  const char *sep = strchr (help, '\x1f');
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %.*s\n", name, sep + 1, name,
                          (int) (sep - help), help);
}

char *
samtal_metrics_render (SamtalMetrics *m)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_lock (&m->lock);
  g_autoptr (GList) keys = g_hash_table_get_keys (m->values);
  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      const char *key = l->data;
      g_autofree char *name = g_strndup (key, strchr (key, '\x1f') - key);
      render_help (out, m, name, done);
      render_value (out, key, *(double *) g_hash_table_lookup (m->values, key));
    }
  g_mutex_unlock (&m->lock);
  return g_string_free (out, FALSE);
}
