/* main.c — samtal-bench: dispatches to a benchmark by its first argument (see bench.h and the
 * contract: `samtal-bench relay …`, `samtal-bench booking …`). */
#include "bench.h"

#include <signal.h>
#include <string.h>

static int
usage (void)
{
  g_printerr ("usage: samtal-bench relay [--meetings M] [--participants P] [--seconds S] [--warmup W]\n"
              "                          [--server-bin PATH] [--scaling] [--no-floor] [--floor-only]\n"
              "       samtal-bench booking [--clients C] [--seconds S] [--server-bin PATH]\n"
              "Each prints progress on stderr and one JSON object as the last line of stdout.\n");
  return 2;
}

int
main (int argc, char **argv)
{
  signal (SIGPIPE, SIG_IGN);
  g_set_prgname ("samtal-bench");
  if (argc < 2)
    return usage ();
  /* Each subcommand sees argv without the program name: argv[0] is the subcommand. */
  if (strcmp (argv[1], "relay") == 0)
    return bench_relay_main (argc - 1, argv + 1);
  if (strcmp (argv[1], "booking") == 0)
    return bench_booking_main (argc - 1, argv + 1);
  return usage ();
}
