/* media.c — encode the benchmark clip once (see media.h). Two small pipelines, each ending in an
 * appsink that we drain synchronously; nothing here runs while the benchmark measures. */
#include "media.h"

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#define VP8_DESCRIPTOR_BYTES 4

static gboolean
pull_all (const char *description, GPtrArray *out, GArray *key_flags, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, error);
  if (pipeline == NULL)
    return FALSE;
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;) {
    g_autoptr (GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 20 * GST_SECOND);
    if (sample == NULL)
      break;
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstMapInfo map;
    if (!gst_buffer_map (buf, &map, GST_MAP_READ))
      continue;
    g_ptr_array_add (out, g_bytes_new (map.data, map.size));
    gst_buffer_unmap (buf, &map);
    if (key_flags != NULL) {
      gboolean key = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
      g_array_append_val (key_flags, key);
    }
  }
  gboolean eos = gst_app_sink_is_eos (GST_APP_SINK (sink));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (!eos || out->len == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "encoding stopped early: %s", description);
    return FALSE;
  }
  return TRUE;
}

static double
kbps_of (GPtrArray *frames, double seconds)
{
  guint64 bytes = 0;
  for (guint i = 0; i < frames->len; i++)
    bytes += g_bytes_get_size (frames->pdata[i]);
  return seconds > 0 ? bytes * 8.0 / 1000.0 / seconds : 0;
}

BenchMedia *
bench_media_encode (guint seconds, GError **error)
{
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  seconds = CLAMP (seconds, 1, 10);
  g_autoptr (BenchMedia) media = g_new0 (BenchMedia, 1);
  media->video = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  media->video_key = g_array_new (FALSE, FALSE, sizeof (gboolean));
  media->audio = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  guint frames = seconds * BENCH_VIDEO_FPS;
  g_autofree char *video = g_strdup_printf (
      "videotestsrc num-buffers=%u pattern=smpte horizontal-speed=8 ! "
      "video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 ! "
      "vp8enc target-bitrate=1600000 end-usage=cbr deadline=1 cpu-used=8 threads=2 "
      "keyframe-max-dist=%u ! appsink name=sink sync=false",
      frames, BENCH_VIDEO_WIDTH, BENCH_VIDEO_HEIGHT, BENCH_VIDEO_FPS, frames);
  g_autofree char *audio = g_strdup_printf (
      "audiotestsrc num-buffers=%u samplesperbuffer=960 wave=sine ! "
      "audio/x-raw,rate=48000,channels=2 ! opusenc bitrate=48000 frame-size=20 ! "
      "appsink name=sink sync=false",
      seconds * BENCH_AUDIO_PPS);
  if (!pull_all (video, media->video, media->video_key, error) ||
      !pull_all (audio, media->audio, NULL, error))
    return NULL;
  media->video_kbps = kbps_of (media->video, (double) media->video->len / BENCH_VIDEO_FPS);
  media->audio_kbps = kbps_of (media->audio, (double) media->audio->len / BENCH_AUDIO_PPS);
  return g_steal_pointer (&media);
}

void
bench_media_free (BenchMedia *media)
{
  if (media == NULL)
    return;
  g_clear_pointer (&media->video, g_ptr_array_unref);
  g_clear_pointer (&media->video_key, g_array_unref);
  g_clear_pointer (&media->audio, g_ptr_array_unref);
  g_free (media);
}

void
bench_media_vp8_chunks (const BenchMedia *media, guint frame, GArray *sizes)
{
  g_array_set_size (sizes, 0);
  gsize left = g_bytes_get_size (media->video->pdata[frame % media->video->len]);
  const gsize room = BENCH_RTP_MTU - 12 - VP8_DESCRIPTOR_BYTES;
  while (left > 0) {
    gsize chunk = MIN (left, room);
    guint size = (guint) chunk + VP8_DESCRIPTOR_BYTES;
    g_array_append_val (sizes, size);
    left -= chunk;
  }
}

double
bench_media_packets_per_second (const BenchMedia *media)
{
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  guint64 packets = 0;
  for (guint i = 0; i < media->video->len; i++) {
    bench_media_vp8_chunks (media, i, sizes);
    packets += sizes->len;
  }
  return (double) packets * BENCH_VIDEO_FPS / media->video->len + BENCH_AUDIO_PPS;
}
