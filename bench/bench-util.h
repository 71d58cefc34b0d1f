/* bench-util.h — small helpers every samtal benchmark shares: percentiles over samples, the CPU
 * time and resident memory of a process read from /proc, a monotonic clock in microseconds, a
 * free loopback port, temp-dir removal, and the {p50, p99} JSON shape.
 *
 * Nothing here keeps state between calls; callers own every sample array they pass in.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Monotonic time in microseconds (g_get_monotonic_time). */
gint64 bench_now_us (void);

/* The p-th percentile (0..100) of samples (sorted in place), nearest-rank; NAN when empty. */
double bench_percentile (GArray *samples_double, double p);

/* User+system CPU seconds of process pid from /proc/PID/stat; negative on failure. */
double bench_proc_cpu_seconds (GPid pid);
/* Resident set size of pid in MiB from /proc/PID/statm; negative on failure. */
double bench_proc_rss_mb (GPid pid);
/* Voluntary context switches (a thread blocked: waited for a packet, a lock, a timer) summed
 * over the process's threads, or -1. A count, not a time: it depends on the machine's load less
 * than CPU time does (it falls when the machine is saturated: threads find work queued), so it
 * helps compare variants on a busy machine. */
double bench_proc_voluntary_switches (GPid pid);
/* The process's thread count, or -1. */
int bench_proc_threads (GPid pid);

/* A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read it, close), 0 on failure. */
guint16 bench_free_tcp_port (void);

/* Removes dir and everything below it (no symlink following). Errors are ignored. */
void bench_rm_rf (const char *dir);

/* Adds member name = {p50, p99, p90, max, samples} (milliseconds) computed from samples (sorted
 * in place). Empty samples give nulls. */
void bench_json_add_percentiles (JsonBuilder *b, const char *name, GArray *samples_ms);

/* Prints the builder's root object as one compact JSON line on stdout. */
void bench_json_print (JsonBuilder *b);

/* Adds a double member, or null when value is not finite. */
void bench_json_add_double (JsonBuilder *b, const char *name, double value);

/* Progress on stderr, prefixed with "samtal-bench: ". */
#define bench_log(...) g_printerr ("samtal-bench: " __VA_ARGS__)

G_END_DECLS
