/* bench.h — the subcommands of samtal-bench. Each parses its own options, prints progress on
 * stderr and exactly one JSON object as the last line of stdout, and returns the exit status. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int bench_relay_main (int argc, char **argv);
int bench_booking_main (int argc, char **argv);

G_END_DECLS
