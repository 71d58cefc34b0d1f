/* relay-sdp.c — checks on SDP and ICE candidates coming from participants (see relay-sdp.h).
 * The relay only forwards Opus audio and VP8/H.264 video, so an offer must carry at least one
 * m-line the participant sends in one of those codecs; everything else is refused up front so
 * webrtcbin never sees unbounded or malformed input. It accepts exactly one codec per m-line
 * (pick_payload) and finds the m-lines a subscriber's answer rejected (rejected_mids).
 */
#include "relay/relay-sdp.h"
#include "relay/relay.h"

#include <string.h>

void
samtal_relay_sdp_media_free (SamtalRelaySdpMedia *media)
{
  if (media == NULL)
    return;
  g_free (media->mid);
  g_free (media->kind);
  g_free (media);
}

static gboolean
parse_sdp (const char *sdp, GstSDPMessage **sdp_out, GError **error)
{
  g_autoptr (GstSDPMessage) msg = NULL;
  gsize len = sdp ? strlen (sdp) : 0;

  if (len == 0 || len > SAMTAL_RELAY_SDP_MAX_BYTES || !g_utf8_validate (sdp, len, NULL)) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                 "SDP is empty, larger than %d bytes or not UTF-8", SAMTAL_RELAY_SDP_MAX_BYTES);
    return FALSE;
  }
  if (gst_sdp_message_new (&msg) != GST_SDP_OK ||
      gst_sdp_message_parse_buffer ((const guint8 *) sdp, (guint) len, msg) != GST_SDP_OK ||
      !g_str_has_prefix (sdp, "v=0")) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP, "SDP does not parse");
    return FALSE;
  }
  guint n = gst_sdp_message_medias_len (msg);
  if (n == 0 || n > SAMTAL_RELAY_SDP_MAX_MEDIA) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                 "SDP has %u m-lines (1..%d allowed)", n, SAMTAL_RELAY_SDP_MAX_MEDIA);
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);
    const char *mid = gst_sdp_media_get_attribute_val (m, "mid");
    if (mid == NULL || *mid == '\0' || strlen (mid) > 64) {
      g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                   "m-line %u has no usable a=mid", i);
      return FALSE;
    }
  }
  *sdp_out = g_steal_pointer (&msg);
  return TRUE;
}

static gboolean
media_sends (const GstSDPMedia *m)
{
  /* Port 0 rejects the m-line, unless it is bundle-only (max-bundle offers). */
  if (gst_sdp_media_get_port (m) == 0 && gst_sdp_media_get_attribute_val (m, "bundle-only") == NULL)
    return FALSE;
  if (gst_sdp_media_get_attribute_val (m, "recvonly") != NULL ||
      gst_sdp_media_get_attribute_val (m, "inactive") != NULL)
    return FALSE;
  return TRUE;   /* sendrecv is the default */
}

/* The payload type of an "rtpmap" or "fmtp" value ("96 VP8/90000"), or -1. *rest points past
 * the space. */
static gint
attribute_payload (const char *value, const char **rest)
{
  const char *space = value ? strchr (value, ' ') : NULL;
  guint64 pt = 0;
  if (space == NULL || space == value || space - value > 3)
    return -1;
  g_autofree char *num = g_strndup (value, (gsize) (space - value));
  if (!g_ascii_string_to_unsigned (num, 10, 0, 127, &pt, NULL))
    return -1;
  *rest = space + 1;
  return (gint) pt;
}

/* TRUE when the m-line's a=fmtp for pt sets packetization-mode=1. */
static gboolean
h264_mode1 (const GstSDPMedia *m, gint pt)
{
  for (guint j = 0; j < gst_sdp_media_attributes_len (m); j++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, j);
    const char *params = NULL;
    if (g_strcmp0 (a->key, "fmtp") != 0 || attribute_payload (a->value, &params) != pt)
      continue;
    g_auto (GStrv) list = g_strsplit (params, ";", 32);
    for (guint k = 0; list[k] != NULL; k++)
      if (g_ascii_strcasecmp (g_strstrip (list[k]), "packetization-mode=1") == 0)
        return TRUE;
  }
  return FALSE;
}

/* Ranks an rtpmap's codec for kind: 0 not forwarded, higher is preferred. */
static guint
codec_rank (const GstSDPMedia *m, const char *kind, gint pt, const char *enc,
            const char **name)
{
  if (g_str_equal (kind, "audio") && g_ascii_strncasecmp (enc, "opus/", 5) == 0) {
    *name = "OPUS";
    return 3;
  }
  if (!g_str_equal (kind, "video"))
    return 0;
  if (g_ascii_strncasecmp (enc, "VP8/", 4) == 0) {
    *name = "VP8";
    return 3;
  }
  if (g_ascii_strncasecmp (enc, "H264/", 5) == 0) {
    *name = "H264";
    return h264_mode1 (m, pt) ? 2 : 1;
  }
  return 0;
}

gint
samtal_relay_sdp_pick_payload (const GstSDPMedia *m, const char *kind, const char **encoding)
{
  gint best = -1;
  guint best_rank = 0;
  const char *best_name = NULL;

  if (m == NULL || kind == NULL)
    return -1;
  for (guint j = 0; j < gst_sdp_media_attributes_len (m); j++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, j);
    const char *enc = NULL, *name = NULL;
    if (g_strcmp0 (a->key, "rtpmap") != 0)
      continue;
    gint pt = attribute_payload (a->value, &enc);
    guint rank = pt < 0 ? 0 : codec_rank (m, kind, pt, enc, &name);
    if (rank > best_rank) {   /* the first of the best rank wins */
      best = pt;
      best_rank = rank;
      best_name = name;
    }
  }
  if (encoding != NULL)
    *encoding = best_name;
  return best;
}

/* TRUE when mid is listed in one of the description's a=group:BUNDLE lines. */
static gboolean
in_bundle_group (const GstSDPMessage *sdp, const char *mid)
{
  for (guint i = 0; mid != NULL && i < gst_sdp_message_attributes_len (sdp); i++) {
    const GstSDPAttribute *a = gst_sdp_message_get_attribute (sdp, i);
    if (g_strcmp0 (a->key, "group") != 0 || a->value == NULL ||
        !g_str_has_prefix (a->value, "BUNDLE "))
      continue;
    g_auto (GStrv) mids = g_strsplit (a->value + strlen ("BUNDLE "), " ",
                                      SAMTAL_RELAY_SDP_MAX_MEDIA + 1);
    if (g_strv_contains ((const char *const *) mids, mid))
      return TRUE;
  }
  return FALSE;
}

gboolean
samtal_relay_sdp_media_rejected (const GstSDPMessage *sdp, guint index)
{
  const GstSDPMedia *m = index < gst_sdp_message_medias_len (sdp)
                           ? gst_sdp_message_get_media (sdp, index) : NULL;
  if (m == NULL || gst_sdp_media_formats_len (m) == 0)
    return TRUE;
  if (gst_sdp_media_get_port (m) != 0)
    return FALSE;
  return gst_sdp_media_get_attribute_val (m, "bundle-only") == NULL ||
         !in_bundle_group (sdp, gst_sdp_media_get_attribute_val (m, "mid"));
}

/* The a=fingerprint value of the first m-line that is not rejected, or NULL. */
static const char *
accepted_fingerprint (const GstSDPMessage *sdp)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    if (!samtal_relay_sdp_media_rejected (sdp, i))
      return gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (sdp, i), "fingerprint");
  return NULL;
}

void
samtal_relay_sdp_fix_rejected_fingerprints (GstSDPMessage *answer)
{
  const char *session = gst_sdp_message_get_attribute_val (answer, "fingerprint");
  g_autofree char *own = g_strdup (accepted_fingerprint (answer));

  for (guint i = 0; i < gst_sdp_message_medias_len (answer); i++) {
    if (!samtal_relay_sdp_media_rejected (answer, i))
      continue;
    GstSDPMedia *m = (GstSDPMedia *) gst_sdp_message_get_media (answer, i);
    for (guint j = gst_sdp_media_attributes_len (m); j > 0; j--)
      if (g_strcmp0 (gst_sdp_media_get_attribute (m, j - 1)->key, "fingerprint") == 0)
        gst_sdp_media_remove_attribute (m, j - 1);
    if (session == NULL && own != NULL)
      gst_sdp_media_add_attribute (m, "fingerprint", own);
  }
}

char **
samtal_relay_sdp_rejected_mids (const GstSDPMessage *answer)
{
  g_autoptr (GPtrArray) mids = g_ptr_array_new ();

  for (guint i = 0; answer != NULL && i < gst_sdp_message_medias_len (answer); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (answer, i);
    const char *mid = gst_sdp_media_get_attribute_val (m, "mid");
    if (mid != NULL && samtal_relay_sdp_media_rejected (answer, i))
      g_ptr_array_add (mids, g_strdup (mid));
  }
  g_ptr_array_add (mids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&mids), FALSE);
}

gboolean
samtal_relay_sdp_check_offer (const char *sdp, GstSDPMessage **sdp_out, GPtrArray **sent,
                              GError **error)
{
  g_autoptr (GstSDPMessage) msg = NULL;
  g_autoptr (GPtrArray) media = g_ptr_array_new_with_free_func (
      (GDestroyNotify) samtal_relay_sdp_media_free);

  if (!parse_sdp (sdp, &msg, error))
    return FALSE;
  for (guint i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);
    const char *kind = gst_sdp_media_get_media (m);
    if (kind == NULL || !(g_str_equal (kind, "audio") || g_str_equal (kind, "video")))
      continue;
    const char *encoding = NULL;
    gint payload = media_sends (m) ? samtal_relay_sdp_pick_payload (m, kind, &encoding) : -1;
    if (payload < 0)
      continue;
    SamtalRelaySdpMedia *sm = g_new0 (SamtalRelaySdpMedia, 1);
    sm->mid = g_strdup (gst_sdp_media_get_attribute_val (m, "mid"));
    sm->kind = g_strdup (kind);
    sm->payload = payload;
    sm->encoding = encoding;
    g_ptr_array_add (media, sm);
  }
  if (media->len == 0) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                 "offer sends no Opus audio or VP8/H.264 video");
    return FALSE;
  }
  *sdp_out = g_steal_pointer (&msg);
  *sent = g_steal_pointer (&media);
  return TRUE;
}

gboolean
samtal_relay_sdp_check_answer (const char *sdp, guint expected_media, GstSDPMessage **sdp_out,
                               GError **error)
{
  g_autoptr (GstSDPMessage) msg = NULL;

  if (!parse_sdp (sdp, &msg, error))
    return FALSE;
  if (expected_media != 0 && gst_sdp_message_medias_len (msg) != expected_media) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                 "answer has %u m-lines, the offer had %u", gst_sdp_message_medias_len (msg),
                 expected_media);
    return FALSE;
  }
  *sdp_out = g_steal_pointer (&msg);
  return TRUE;
}

static gboolean
candidate_fields_ok (const char *line)
{
  g_auto (GStrv) f = g_strsplit (line, " ", 0);
  guint n = g_strv_length (f);
  guint64 v;

  /* candidate:foundation component transport priority address port typ type … */
  if (n < 8 || f[0][strlen ("candidate:")] == '\0' || !g_str_equal (f[6], "typ"))
    return FALSE;
  if (!g_ascii_string_to_unsigned (f[1], 10, 1, 256, &v, NULL) ||
      !g_ascii_string_to_unsigned (f[3], 10, 0, G_MAXUINT32, &v, NULL) ||
      !g_ascii_string_to_unsigned (f[5], 10, 0, 65535, &v, NULL))
    return FALSE;
  if (g_ascii_strcasecmp (f[2], "udp") != 0 && g_ascii_strcasecmp (f[2], "tcp") != 0)
    return FALSE;
  return f[4][0] != '\0' && f[7][0] != '\0';
}

const char *
samtal_relay_candidate_check (const char *candidate, GError **error)
{
  if (candidate == NULL) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_CANDIDATE, "no candidate");
    return NULL;
  }
  const char *line = g_str_has_prefix (candidate, "a=") ? candidate + 2 : candidate;
  gsize len = strlen (line);
  if (len == 0)
    return line;
  if (len > SAMTAL_RELAY_CANDIDATE_MAX || !g_str_has_prefix (line, "candidate:")) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_CANDIDATE,
                 "candidate must start with \"candidate:\" and be at most %d bytes",
                 SAMTAL_RELAY_CANDIDATE_MAX);
    return NULL;
  }
  for (gsize i = 0; i < len; i++) {
    if ((guchar) line[i] < 0x20 || (guchar) line[i] >= 0x7f) {
      g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_CANDIDATE,
                   "candidate contains control or non-ASCII characters");
      return NULL;
    }
  }
  if (!candidate_fields_ok (line)) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_CANDIDATE,
                 "candidate fields are malformed");
    return NULL;
  }
  return line;
}

/* Normalises "sha-256 ab:cd:…" to "AB:CD:…"; NULL for other hashes or malformed values. */
static char *
normalise_fingerprint (const char *value)
{
  if (value == NULL || g_ascii_strncasecmp (value, "sha-256 ", 8) != 0)
    return NULL;
  g_autofree char *copy = g_strstrip (g_strdup (value + 8));
  g_autofree char *fp = g_ascii_strup (copy, -1);
  if (strlen (fp) != 32 * 3 - 1)
    return NULL;
  for (guint i = 0; fp[i] != '\0'; i++)
    if (i % 3 == 2 ? fp[i] != ':' : !g_ascii_isxdigit (fp[i]))
      return NULL;
  return g_steal_pointer (&fp);
}

static gboolean
merge_fingerprint (const char *value, char **found, GError **error)
{
  if (value == NULL)
    return TRUE;
  g_autofree char *fp = normalise_fingerprint (value);
  if (fp == NULL || (*found != NULL && !g_str_equal (*found, fp))) {
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                 "DTLS fingerprints must be sha-256 and the same on every m-line");
    return FALSE;
  }
  if (*found == NULL)
    *found = g_steal_pointer (&fp);
  return TRUE;
}

char *
samtal_relay_sdp_fingerprint (const GstSDPMessage *sdp, GError **error)
{
  g_autofree char *found = NULL;

  if (!merge_fingerprint (gst_sdp_message_get_attribute_val (sdp, "fingerprint"), &found, error))
    return NULL;
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
    if (samtal_relay_sdp_media_rejected (sdp, i))
      continue;   /* no transport; webrtcbin copies the offerer's fingerprint into one */
    if (!merge_fingerprint (gst_sdp_media_get_attribute_val (m, "fingerprint"), &found, error))
      return NULL;
  }
  if (found == NULL)
    g_set_error (error, SAMTAL_RELAY_ERROR, SAMTAL_RELAY_ERROR_BAD_SDP,
                 "no DTLS fingerprint (a=fingerprint:sha-256 …)");
  return g_steal_pointer (&found);
}

char *
samtal_relay_pem_fingerprint (const char *pem)
{
  static const char begin[] = "-----BEGIN CERTIFICATE-----";
  static const char end[] = "-----END CERTIFICATE-----";
  const char *b = pem ? strstr (pem, begin) : NULL;
  /* Look for the end only after the whole begin line: the two may share their dashes. */
  const char *body_start = b ? b + strlen (begin) : NULL;
  const char *e = body_start ? strstr (body_start, end) : NULL;
  if (e == NULL)
    return NULL;
  g_autofree char *body = g_strndup (body_start, (gsize) (e - body_start));
  gsize len = 0;
  g_autofree guchar *der = g_base64_decode (g_strstrip (body), &len);
  if (der == NULL || len == 0)
    return NULL;
  guint8 digest[32];
  gsize dlen = sizeof digest;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, der, len);
  g_checksum_get_digest (sum, digest, &dlen);
  GString *out = g_string_sized_new (96);
  for (gsize i = 0; i < dlen; i++)
    g_string_append_printf (out, i ? ":%02X" : "%02X", digest[i]);
  return g_string_free (out, FALSE);
}

static const GstSDPMedia *
media_with_mid (const GstSDPMessage *sdp, const char *mid)
{
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (sdp, i);
    if (g_strcmp0 (gst_sdp_media_get_attribute_val (m, "mid"), mid) == 0)
      return m;
  }
  return NULL;
}

/* "FID a b" with a == ssrc: b. */
static gboolean
fid_partner (const char *group, guint32 ssrc, guint32 *partner)
{
  g_auto (GStrv) f = g_strsplit (group, " ", 0);
  guint64 a, b;
  if (g_strv_length (f) != 3 || !g_str_equal (f[0], "FID") ||
      !g_ascii_string_to_unsigned (f[1], 10, 0, G_MAXUINT32, &a, NULL) ||
      !g_ascii_string_to_unsigned (f[2], 10, 0, G_MAXUINT32, &b, NULL) || a != ssrc)
    return FALSE;
  *partner = (guint32) b;
  return TRUE;
}

/* The rtx payload type whose "apt=" is payload, or -1. */
static gint
rtx_payload_for (const GstSDPMedia *m, guint payload)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    guint64 pt, apt;
    char *end = NULL;
    if (g_strcmp0 (a->key, "fmtp") != 0 || a->value == NULL)
      continue;
    pt = g_ascii_strtoull (a->value, &end, 10);
    const char *p = end ? strstr (end, "apt=") : NULL;
    if (end == a->value || pt > 127 || p == NULL)
      continue;
    apt = g_ascii_strtoull (p + 4, NULL, 10);
    if (apt != payload)
      continue;
    g_autofree char *want = g_strdup_printf ("%u rtx/", (guint) pt);
    for (guint k = 0; k < gst_sdp_media_attributes_len (m); k++) {
      const GstSDPAttribute *r = gst_sdp_media_get_attribute (m, k);
      if (g_strcmp0 (r->key, "rtpmap") == 0 && r->value != NULL &&
          g_ascii_strncasecmp (r->value, want, strlen (want)) == 0)
        return (gint) pt;
    }
  }
  return -1;
}

gboolean
samtal_relay_sdp_find_rtx (const GstSDPMessage *sdp, const char *mid, guint32 ssrc,
                           guint payload, guint32 *rtx_ssrc, guint *rtx_payload)
{
  const GstSDPMedia *m = mid ? media_with_mid (sdp, mid) : NULL;
  guint32 partner = 0;
  gboolean found = FALSE;

  if (m == NULL)
    return FALSE;
  for (guint i = 0; !found && i < gst_sdp_media_attributes_len (m); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, i);
    found = g_strcmp0 (a->key, "ssrc-group") == 0 && a->value != NULL &&
            fid_partner (a->value, ssrc, &partner);
  }
  gint pt = found ? rtx_payload_for (m, payload) : -1;
  if (pt < 0)
    return FALSE;
  *rtx_ssrc = partner;
  *rtx_payload = (guint) pt;
  return TRUE;
}

gboolean
samtal_relay_sdp_has_format (const GstSDPMessage *sdp, const char *mid, guint pt)
{
  const GstSDPMedia *m = mid ? media_with_mid (sdp, mid) : NULL;
  g_autofree char *want = g_strdup_printf ("%u", pt);
  for (guint i = 0; m != NULL && i < gst_sdp_media_formats_len (m); i++)
    if (g_strcmp0 (gst_sdp_media_get_format (m, i), want) == 0)
      return TRUE;
  return FALSE;
}
