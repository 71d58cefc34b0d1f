/* bench-util.c — percentiles, /proc readings, ports, temp dirs and JSON shapes for the
 * benchmarks (see bench-util.h). */
#include "bench-util.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

gint64
bench_now_us (void)
{
  return g_get_monotonic_time ();
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

double
bench_percentile (GArray *samples, double p)
{
  if (samples == NULL || samples->len == 0)
    return NAN;
  g_array_sort (samples, compare_doubles);
  double rank = ceil (p / 100.0 * samples->len);
  guint idx = rank < 1 ? 0 : (guint) rank - 1;
  if (idx >= samples->len)
    idx = samples->len - 1;
  return g_array_index (samples, double, idx);
}

static char *
read_proc_file (GPid pid, const char *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, name);
  char *contents = NULL;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

double
bench_proc_cpu_seconds (GPid pid)
{
  g_autofree char *stat = read_proc_file (pid, "stat");
  if (stat == NULL)
    return -1;
  /* The command name may hold spaces and parentheses: fields resume after the last ')'. */
  const char *p = strrchr (stat, ')');
  if (p == NULL)
    return -1;
  unsigned long utime = 0, stime = 0;
  /* After ")": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
  if (sscanf (p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return -1;
  long hz = sysconf (_SC_CLK_TCK);
  return (double) (utime + stime) / (double) (hz > 0 ? hz : 100);
}

double
bench_proc_rss_mb (GPid pid)
{
  g_autofree char *statm = read_proc_file (pid, "statm");
  if (statm == NULL)
    return -1;
  unsigned long size = 0, resident = 0;
  if (sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return -1;
  return (double) resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static double
status_field (const char *status, const char *name)
{
  const char *at = status ? strstr (status, name) : NULL;
  return at ? g_ascii_strtod (at + strlen (name), NULL) : -1;
}

double
bench_proc_voluntary_switches (GPid pid)
{
  g_autofree char *dir = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *tid;
  double sum = 0;

  if (d == NULL)
    return -1;
  while ((tid = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_strdup_printf ("%s/%s/status", dir, tid);
    g_autofree char *status = NULL;
    if (!g_file_get_contents (path, &status, NULL, NULL))
      continue;   /* the thread ended meanwhile */
    double v = status_field (status, "\nvoluntary_ctxt_switches:");
    sum += v > 0 ? v : 0;
  }
  return sum;
}

int
bench_proc_threads (GPid pid)
{
  g_autofree char *status = read_proc_file (pid, "status");
  return (int) status_field (status, "Threads:");
}

guint16
bench_free_tcp_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return 0;
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sa;
  guint16 port = 0;
  if (bind (fd, (struct sockaddr *) &sa, sizeof sa) == 0 &&
      getsockname (fd, (struct sockaddr *) &sa, &len) == 0)
    port = ntohs (sa.sin_port);
  close (fd);
  return port;
}

static int
remove_entry (const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
  remove (path);
  return 0;
}

void
bench_rm_rf (const char *dir)
{
  if (dir == NULL || *dir == '\0' || g_strcmp0 (dir, "/") == 0)
    return;
  nftw (dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
bench_json_add_double (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
bench_json_add_percentiles (JsonBuilder *b, const char *name, GArray *samples_ms)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  bench_json_add_double (b, "p50", bench_percentile (samples_ms, 50));
  bench_json_add_double (b, "p99", bench_percentile (samples_ms, 99));
  bench_json_add_double (b, "p90", bench_percentile (samples_ms, 90));
  bench_json_add_double (b, "max", bench_percentile (samples_ms, 100));
  json_builder_set_member_name (b, "samples");
  json_builder_add_int_value (b, samples_ms ? samples_ms->len : 0);
  json_builder_end_object (b);
}

void
bench_json_print (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  g_autofree char *text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
  fflush (stdout);
}
