/* floor.h — the reference forwarder that gives the relay benchmark its floor.
 *
 * A minimal SFU data path with nothing else in it: one UDP socket on 127.0.0.1, recvmmsg a batch,
 * unprotect each packet with its sender's inbound session, protect a copy for every other
 * participant of the same meeting with that receiver's outbound session, sendmmsg the batch
 * (SRTP by the relay's own code or by libsrtp2: BenchFloorSrtp). All on
 * one thread whose own CPU time (CLOCK_THREAD_CPUTIME_ID of that thread) is the measure.
 *
 * Synthetic participants (one socket each, fixed test keys, the same SRTP profile the relay
 * negotiates: AES128_CM_SHA1_80) replay the pre-encoded clip's packet sizes and rates, the same
 * load as the relay benchmark: M meetings × P participants, each sending VP8 at 30 fps and Opus
 * at 50 packets/s, every packet forwarded to the P-1 others.
 */
#pragma once

#include <glib.h>

#include "media.h"

G_BEGIN_DECLS

/* The forwarder's SRTP: the relay's own (relay/relay-srtp.h, OpenSSL; what the relay uses on its
 * direct path) or Debian's libsrtp2 (NSS; what webrtcbin's srtpenc/srtpdec use). The synthetic
 * senders and receivers always use libsrtp2, so each checks the other. */
typedef enum {
  BENCH_FLOOR_SRTP_SAMTAL = 0,
  BENCH_FLOOR_SRTP_LIBSRTP,
} BenchFloorSrtp;

typedef struct {
  guint meetings;
  guint participants;      /* per meeting, >= 2 */
  double warmup_seconds;
  double seconds;          /* the steady window that is measured */
  BenchFloorSrtp srtp;     /* whose SRTP the forwarder uses */
} BenchFloorConfig;

typedef struct {
  guint64 forwarded_packets;   /* sent by the forwarder in the window */
  double cpu_seconds;          /* the forwarder thread's CPU in the window */
  double cpu_us_per_packet;
  double packets_per_second;   /* forwarded, in the window */
  guint64 sent_packets;        /* by all synthetic senders, whole run */
  guint64 received_packets;    /* by all synthetic receivers, whole run */
  double loss_pct;             /* expected (sent × (P-1)) vs received, whole run */
  guint64 srtp_errors;         /* packets the forwarder could not unprotect */
} BenchFloorResult;

/* Runs the floor for warmup + seconds. FALSE with error when sockets or libsrtp fail. */
gboolean bench_floor_run (const BenchFloorConfig *config, const BenchMedia *media,
                          BenchFloorResult *result, GError **error);

/* The SRTP profile used, for the report. */
#define BENCH_FLOOR_SRTP_PROFILE "AES128_CM_SHA1_80"

G_END_DECLS
