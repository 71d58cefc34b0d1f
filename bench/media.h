/* media.h — the benchmark's media, encoded ONCE at start and replayed by every synthetic sender:
 * a few seconds of VP8 video (640×480, 30 fps, about 1.5 Mbit/s, one keyframe at the start of
 * the clip, so a keyframe every clip length when looped) and Opus audio (20 ms packets, 50/s).
 *
 * Replaying the same encoded frames with fresh timestamps keeps the load generator cheap, so the
 * CPU of the machine goes to what is measured.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BENCH_VIDEO_FPS 30
#define BENCH_AUDIO_PPS 50
#define BENCH_VIDEO_WIDTH 640
#define BENCH_VIDEO_HEIGHT 480
/* Largest RTP payload chunk for VP8 (what rtpvp8pay's mtu of 1200 gives, roughly). */
#define BENCH_RTP_MTU 1200

typedef struct {
  GPtrArray *video;        /* GBytes*, one VP8 frame each; video[0] is a keyframe */
  GArray *video_key;       /* gboolean per frame */
  GPtrArray *audio;        /* GBytes*, one Opus packet (20 ms) each */
  double video_kbps;       /* measured bitrate of the clip */
  double audio_kbps;
} BenchMedia;

/* Encodes seconds of video and audio with GStreamer (videotestsrc → vp8enc, audiotestsrc →
 * opusenc). Calls gst_init if needed. NULL with error when an element is missing. */
BenchMedia *bench_media_encode (guint seconds, GError **error);
void bench_media_free (BenchMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchMedia, bench_media_free)

/* Number of RTP packets frame i of the clip becomes at BENCH_RTP_MTU, with the payload size of
 * each chunk in sizes (cleared first; VP8 payload descriptor included). */
void bench_media_vp8_chunks (const BenchMedia *media, guint frame, GArray *sizes);

/* Average RTP packets per second one sender emits (video chunks + audio). */
double bench_media_packets_per_second (const BenchMedia *media);

G_END_DECLS
