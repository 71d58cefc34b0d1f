/* sdpcheck.c — validation of participants' SDP (see sdpcheck.h).
 *
 * Two passes: a strict line scan of our own (GStreamer's parser is lenient and skips what it
 * does not understand), then structural checks on the parsed GstSDPMessage.
 */
#include "sdpcheck.h"
#include "message.h"

#include <gst/sdp/sdp.h>
#include <string.h>

G_DEFINE_QUARK (samtal-sdp-error-quark, samtal_sdp_error)

static gboolean
fail (GError **error, const char *why)
{
  g_set_error (error, SAMTAL_SDP_ERROR, SAMTAL_SDP_ERROR_INVALID, "invalid SDP: %s", why);
  return FALSE;
}

/* One line (without its line end): "x=value", printable text (tabs allowed). */
static gboolean
line_ok (const char *line, gsize len)
{
  if (len < 2 || len > SAMTAL_SDP_MAX_LINE || !g_ascii_islower (line[0]) || line[1] != '=')
    return FALSE;
  for (gsize i = 2; i < len; i++) {
    guchar ch = (guchar) line[i];
    if (ch < 0x20 && ch != '\t')
      return FALSE;
    if (ch == 0x7f)
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_lines (const char *sdp, gsize len, GError **error)
{
  if (len == 0 || len > SAMTAL_MSG_MAX_SDP)
    return fail (error, "empty or too long");
  if (memchr (sdp, '\0', len) != NULL || !g_utf8_validate_len (sdp, len, NULL))
    return fail (error, "not UTF-8 text");
  if (len < 4 || strncmp (sdp, "v=0", 3) != 0 || (sdp[3] != '\r' && sdp[3] != '\n'))
    return fail (error, "must start with v=0");
  gsize start = 0;
  while (start < len) {
    const char *nl = memchr (sdp + start, '\n', len - start);
    gsize end = nl ? (gsize) (nl - sdp) : len;
    gsize line_len = end - start;
    if (line_len > 0 && sdp[start + line_len - 1] == '\r')
      line_len--;
    if (line_len > 0 && !line_ok (sdp + start, line_len))
      return fail (error, "a line is malformed or too long");
    start = end + 1;
  }
  return TRUE;
}

static gboolean
has_codec (const GstSDPMedia *m)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    if (g_strcmp0 (a->key, "rtpmap") != 0 || a->value == NULL)
      continue;
    const char *sp = strchr (a->value, ' ');
    if (sp == NULL)
      continue;
    if (g_ascii_strncasecmp (sp + 1, "opus/", 5) == 0 ||
        g_ascii_strncasecmp (sp + 1, "VP8/", 4) == 0 ||
        g_ascii_strncasecmp (sp + 1, "H264/", 5) == 0)
      return TRUE;
  }
  return FALSE;
}

static const char *
attr (const GstSDPMessage *msg, const GstSDPMedia *m, const char *key)
{
  const char *v = gst_sdp_media_get_attribute_val (m, key);
  return v != NULL ? v : gst_sdp_message_get_attribute_val (msg, key);
}

static gboolean
mid_ok (const char *mid)
{
  if (mid == NULL || *mid == '\0' || strlen (mid) > SAMTAL_MSG_MAX_ID)
    return FALSE;
  for (const char *p = mid; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* Checks one m-line; *usable is set when it is active with a relayable codec. */
static gboolean
check_media (const GstSDPMessage *msg, const GstSDPMedia *m, GHashTable *mids, gboolean *usable,
             GError **error)
{
  const char *media = gst_sdp_media_get_media (m);
  if (g_strcmp0 (media, "audio") != 0 && g_strcmp0 (media, "video") != 0)
    return fail (error, "only audio and video m-lines are allowed");
  if (g_strcmp0 (gst_sdp_media_get_proto (m), "UDP/TLS/RTP/SAVPF") != 0)
    return fail (error, "m-lines must use UDP/TLS/RTP/SAVPF");
  if (gst_sdp_media_formats_len (m) == 0)
    return fail (error, "an m-line has no formats");
  const char *mid = gst_sdp_media_get_attribute_val (m, "mid");
  if (!mid_ok (mid))
    return fail (error, "every m-line needs a mid of 1-64 characters A-Z a-z 0-9 _ . -");
  if (!g_hash_table_add (mids, (gpointer) mid))
    return fail (error, "duplicate mid");
  if (gst_sdp_media_get_port (m) == 0)
    return TRUE; /* rejected or recycled m-line */
  if (attr (msg, m, "fingerprint") == NULL)
    return fail (error, "missing DTLS fingerprint");
  if (attr (msg, m, "ice-ufrag") == NULL || attr (msg, m, "ice-pwd") == NULL)
    return fail (error, "missing ICE credentials");
  if (has_codec (m))
    *usable = TRUE;
  return TRUE;
}

static gboolean
check_structure (const GstSDPMessage *msg, SamtalSdpType type, GError **error)
{
  guint n = gst_sdp_message_medias_len (msg);
  guint max = type == SAMTAL_SDP_OFFER ? SAMTAL_SDP_MAX_MEDIA : SAMTAL_SDP_MAX_ANSWER_MEDIA;
  if (n == 0 || n > max)
    return fail (error, type == SAMTAL_SDP_OFFER ? "an offer needs 1 to 16 m-lines"
                                                : "an answer needs 1 to 64 m-lines");
  g_autoptr (GHashTable) mids = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean usable = FALSE;
  for (guint i = 0; i < n; i++)
    if (!check_media (msg, gst_sdp_message_get_media (msg, i), mids, &usable, error))
      return FALSE;
  if (type == SAMTAL_SDP_OFFER && !usable)
    return fail (error, "offers no Opus, VP8 or H264 media that could be relayed");
  return TRUE;
}

gboolean
samtal_sdp_check (const char *sdp, gsize len, SamtalSdpType type, GError **error)
{
  if (sdp == NULL)
    return fail (error, "missing");
  if (!check_lines (sdp, len, error))
    return FALSE;
  GstSDPMessage *msg = NULL;
  if (gst_sdp_message_new (&msg) != GST_SDP_OK)
    return fail (error, "out of memory");
  gboolean ok = FALSE;
  if (gst_sdp_message_parse_buffer ((const guint8 *) sdp, (guint) len, msg) != GST_SDP_OK)
    fail (error, "does not parse");
  else
    ok = check_structure (msg, type, error);
  gst_sdp_message_free (msg);
  return ok;
}
