/* direct.h — the same media path without the relay: n sender peers, each connected straight to
 * its own receiver peer (webrtcbin to webrtcbin on 127.0.0.1, signaling in-process). Its latency
 * is the baseline that the relay's latency is compared with; its join time is the floor of what
 * ICE + DTLS + the first keyframe cost without any server.
 */
#pragma once

#include <glib.h>

#include "media.h"

G_BEGIN_DECLS

typedef struct {
  GArray *latency_ms;        /* double samples, transfer full */
  GArray *connect_ms;        /* offer → first keyframe at the receiver, per pair */
  double loss_pct;
  guint64 received_packets;
} BenchDirectResult;

gboolean bench_direct_run (const BenchMedia *media, guint pairs, double warmup_s, double seconds,
                           BenchDirectResult *result, GError **error);
void bench_direct_result_clear (BenchDirectResult *result);

G_END_DECLS
