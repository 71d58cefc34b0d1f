/* booking-bench.c — placeholder, filled in below. */
#include "bench.h"
int bench_booking_main (int argc, char **argv) { return 1; }
