/* floor.c — the reference forwarder and its synthetic SRTP traffic (see floor.h).
 *
 * Three parts: the forwarder thread (the thing measured), the generator thread (all synthetic
 * senders and receivers, paced by the monotonic clock), and bench_floor_run, which wires them,
 * samples the forwarder's CPU clock at the start and end of the steady window, and stops both. */
#include "floor.h"
#include "bench-util.h"

#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <pthread.h>
#include <srtp2/srtp.h>
#include "relay/relay-srtp.h"
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_BATCH 64
#define FLOOR_BUF 1600
#define FLOOR_MAX_PARTICIPANTS 1024
#define FLOOR_KEY_LEN 30            /* AES-128 key + 112-bit salt */
#define FLOOR_RECV_TIMEOUT_US 50000
#define FLOOR_SOCKBUF (4 * 1024 * 1024)

typedef struct {
  int fd;
  struct sockaddr_in addr;
  guint meeting;
  /* sender side */
  srtp_t send_session;
  guint32 video_ssrc, audio_ssrc;
  guint16 video_seq, audio_seq;
  guint video_frame, audio_packet;
  gint64 next_video_us, next_audio_us;
  /* forwarder side */
  srtp_t fwd_in;                  /* decrypts what this participant sends */
  srtp_t fwd_out;                 /* encrypts what this participant receives */
  SamtalSrtp *own_in;             /* the same with relay-srtp (BENCH_FLOOR_SRTP_SAMTAL) */
  SamtalSrtp *own_out;
} FloorPeer;

typedef struct {
  const BenchFloorConfig *config;
  const BenchMedia *media;
  FloorPeer *peers;
  guint n_peers;
  gint16 *peer_by_port;           /* 65536 entries, -1 = unknown */
  int fwd_fd;
  struct sockaddr_in fwd_addr;
  gint stop_forwarder;            /* atomic */
  gint stop_generator;            /* atomic */
  clockid_t fwd_clock;
  gint fwd_clock_ready;           /* atomic */
  guint64 forwarded;              /* __atomic (written by the forwarder only) */
  guint64 srtp_errors;
  guint64 sent;                   /* generator only */
  guint64 received;
} FloorContext;

static void
test_key (guint8 *key, guint seed)
{
  for (guint i = 0; i < FLOOR_KEY_LEN; i++)
    key[i] = (guint8) (seed * 31u + i * 7u + 1u);
}

static gboolean
make_session (srtp_t *session, guint seed, gboolean inbound, GError **error)
{
  guint8 key[FLOOR_KEY_LEN];
  test_key (key, seed);
  srtp_policy_t policy;
  memset (&policy, 0, sizeof policy);
  srtp_crypto_policy_set_rtp_default (&policy.rtp);    /* AES_CM_128_HMAC_SHA1_80 */
  srtp_crypto_policy_set_rtcp_default (&policy.rtcp);
  policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.key = key;
  policy.window_size = 1024;
  srtp_err_status_t st = srtp_create (session, &policy);
  if (st != srtp_err_status_ok) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "srtp_create failed (%d)", st);
    return FALSE;
  }
  return TRUE;
}

static int
udp_socket (struct sockaddr_in *addr, GError **error)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socket: %s", g_strerror (errno));
    return -1;
  }
  int size = FLOOR_SOCKBUF;
  if (setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt (fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
    setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  memset (addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  socklen_t len = sizeof *addr;
  if (bind (fd, (struct sockaddr *) addr, sizeof *addr) != 0 ||
      getsockname (fd, (struct sockaddr *) addr, &len) != 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "bind: %s", g_strerror (errno));
    close (fd);
    return -1;
  }
  return fd;
}

/* ---- the forwarder: the only code whose CPU is measured ---- */

typedef struct {
  struct mmsghdr msgs[FLOOR_BATCH];
  struct iovec iov[FLOOR_BATCH];
  struct sockaddr_in from[FLOOR_BATCH];
  guint8 buf[FLOOR_BATCH][FLOOR_BUF];
} FloorBatch;

static void
batch_prepare_recv (FloorBatch *b)
{
  for (guint i = 0; i < FLOOR_BATCH; i++) {
    b->iov[i] = (struct iovec) { b->buf[i], FLOOR_BUF };
    b->msgs[i].msg_hdr = (struct msghdr) { .msg_name = &b->from[i], .msg_namelen = sizeof b->from[i],
                                           .msg_iov = &b->iov[i], .msg_iovlen = 1 };
  }
}

static void
flush_out (FloorContext *ctx, FloorBatch *out, guint *n_out)
{
  guint sent = 0;
  while (sent < *n_out) {
    int r = sendmmsg (ctx->fwd_fd, out->msgs + sent, *n_out - sent, 0);
    if (r <= 0)
      break;
    sent += (guint) r;
  }
  __atomic_fetch_add (&ctx->forwarded, (guint64) sent, __ATOMIC_RELAXED);
  *n_out = 0;
}

/* Encrypts plain (len bytes) for peer q and queues it in out. */
static void
queue_for (FloorContext *ctx, FloorBatch *out, guint *n_out, const guint8 *plain, int len, FloorPeer *q)
{
  if (*n_out == FLOOR_BATCH)
    flush_out (ctx, out, n_out);
  guint i = *n_out;
  memcpy (out->buf[i], plain, (gsize) len);
  int olen = len;
  if (q->own_out != NULL) {
    gsize protected_len = 0;
    if (samtal_srtp_protect (q->own_out, out->buf[i], (gsize) len, FLOOR_BUF, &protected_len) !=
        SAMTAL_SRTP_OK)
      return;
    olen = (int) protected_len;
  } else if (srtp_protect (q->fwd_out, out->buf[i], &olen) != srtp_err_status_ok) {
    return;
  }
  out->iov[i] = (struct iovec) { out->buf[i], (gsize) olen };
  out->msgs[i].msg_hdr = (struct msghdr) { .msg_name = &q->addr, .msg_namelen = sizeof q->addr,
                                           .msg_iov = &out->iov[i], .msg_iovlen = 1 };
  (*n_out)++;
}

static void
forward_one (FloorContext *ctx, FloorBatch *in, guint i, FloorBatch *out, guint *n_out)
{
  int idx = ctx->peer_by_port[ntohs (in->from[i].sin_port)];
  if (idx < 0)
    return;
  FloorPeer *p = &ctx->peers[idx];
  int len = (int) in->msgs[i].msg_len;
  if (p->own_in != NULL) {
    gsize plain_len = 0;
    if (samtal_srtp_unprotect (p->own_in, in->buf[i], (gsize) len, &plain_len) != SAMTAL_SRTP_OK) {
      ctx->srtp_errors++;
      return;
    }
    len = (int) plain_len;
  } else if (srtp_unprotect (p->fwd_in, in->buf[i], &len) != srtp_err_status_ok) {
    ctx->srtp_errors++;
    return;
  }
  guint first = p->meeting * ctx->config->participants;
  for (guint k = first; k < first + ctx->config->participants; k++)
    if (k != (guint) idx)
      queue_for (ctx, out, n_out, in->buf[i], len, &ctx->peers[k]);
}

static gpointer
forwarder_thread (gpointer data)
{
  FloorContext *ctx = data;
  pthread_getcpuclockid (pthread_self (), &ctx->fwd_clock);
  g_atomic_int_set (&ctx->fwd_clock_ready, 1);
  g_autofree FloorBatch *in = g_new0 (FloorBatch, 1);
  g_autofree FloorBatch *out = g_new0 (FloorBatch, 1);
  guint n_out = 0;
  while (!g_atomic_int_get (&ctx->stop_forwarder)) {
    batch_prepare_recv (in);
    int n = recvmmsg (ctx->fwd_fd, in->msgs, FLOOR_BATCH, MSG_WAITFORONE, NULL);
    if (n <= 0)
      continue;      /* timeout (SO_RCVTIMEO) or EINTR: look at the stop flag */
    for (int i = 0; i < n; i++)
      forward_one (ctx, in, (guint) i, out, &n_out);
    flush_out (ctx, out, &n_out);
  }
  return NULL;
}

/* ---- the synthetic participants ---- */

static int
build_rtp (guint8 *buf, gboolean video, gboolean marker, guint16 seq, guint32 ts, guint32 ssrc,
           const guint8 *payload, gsize len, gboolean first_chunk)
{
  buf[0] = 0x80;
  buf[1] = (guint8) ((marker ? 0x80 : 0) | (video ? 96 : 111));
  buf[2] = seq >> 8; buf[3] = seq & 0xff;
  buf[4] = ts >> 24; buf[5] = (ts >> 16) & 0xff; buf[6] = (ts >> 8) & 0xff; buf[7] = ts & 0xff;
  buf[8] = ssrc >> 24; buf[9] = (ssrc >> 16) & 0xff; buf[10] = (ssrc >> 8) & 0xff; buf[11] = ssrc & 0xff;
  gsize off = 12;
  if (video) {               /* VP8 payload descriptor: X=1, S on the first chunk, 15-bit picture id */
    buf[off++] = first_chunk ? 0x90 : 0x80;
    buf[off++] = 0x80;
    buf[off++] = 0x80 | ((seq >> 8) & 0x7f);
    buf[off++] = seq & 0xff;
  }
  memcpy (buf + off, payload, len);
  return (int) (off + len);
}

static void
send_packet (FloorContext *ctx, FloorPeer *p, guint8 *buf, int len)
{
  if (srtp_protect (p->send_session, buf, &len) != srtp_err_status_ok)
    return;
  if (sendto (p->fd, buf, (gsize) len, 0, (struct sockaddr *) &ctx->fwd_addr, sizeof ctx->fwd_addr) == len)
    ctx->sent++;
}

static void
send_video_frame (FloorContext *ctx, FloorPeer *p, GArray *sizes)
{
  guint8 buf[FLOOR_BUF];
  const BenchMedia *m = ctx->media;
  GBytes *frame = m->video->pdata[p->video_frame % m->video->len];
  const guint8 *data = g_bytes_get_data (frame, NULL);
  bench_media_vp8_chunks (m, p->video_frame, sizes);
  guint32 ts = p->video_frame * (90000 / BENCH_VIDEO_FPS);
  gsize off = 0;
  for (guint c = 0; c < sizes->len; c++) {
    gsize chunk = g_array_index (sizes, guint, c) - 4;
    int len = build_rtp (buf, TRUE, c + 1 == sizes->len, p->video_seq++, ts, p->video_ssrc,
                         data + off, chunk, c == 0);
    off += chunk;
    send_packet (ctx, p, buf, len);
  }
  p->video_frame++;
}

static void
send_audio_packet (FloorContext *ctx, FloorPeer *p)
{
  guint8 buf[FLOOR_BUF];
  const BenchMedia *m = ctx->media;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (m->audio->pdata[p->audio_packet % m->audio->len], &size);
  int len = build_rtp (buf, FALSE, FALSE, p->audio_seq++, p->audio_packet * 960, p->audio_ssrc,
                       data, MIN (size, (gsize) FLOOR_BUF - 64), FALSE);
  send_packet (ctx, p, buf, len);
  p->audio_packet++;
}

static void
drain_receivers (FloorContext *ctx, FloorBatch *b)
{
  for (guint i = 0; i < ctx->n_peers; i++) {
    for (;;) {
      batch_prepare_recv (b);
      int n = recvmmsg (ctx->peers[i].fd, b->msgs, FLOOR_BATCH, MSG_DONTWAIT, NULL);
      if (n <= 0)
        break;
      ctx->received += (guint) n;
    }
  }
}

/* Sends whatever is due for every participant; returns the earliest next due time. */
static gint64
send_due (FloorContext *ctx, gint64 now, GArray *sizes)
{
  gint64 next = now + 5000;
  for (guint i = 0; i < ctx->n_peers; i++) {
    FloorPeer *p = &ctx->peers[i];
    for (guint guard = 0; p->next_video_us <= now && guard < 4; guard++) {
      send_video_frame (ctx, p, sizes);
      p->next_video_us += G_USEC_PER_SEC / BENCH_VIDEO_FPS;
    }
    for (guint guard = 0; p->next_audio_us <= now && guard < 4; guard++) {
      send_audio_packet (ctx, p);
      p->next_audio_us += G_USEC_PER_SEC / BENCH_AUDIO_PPS;
    }
    next = MIN (next, MIN (p->next_video_us, p->next_audio_us));
  }
  return next;
}

static gpointer
generator_thread (gpointer data)
{
  FloorContext *ctx = data;
  g_autofree FloorBatch *b = g_new0 (FloorBatch, 1);
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  gint64 start = bench_now_us ();
  for (guint i = 0; i < ctx->n_peers; i++) {     /* spread the senders over one frame interval */
    ctx->peers[i].next_video_us = start + (gint64) i * (G_USEC_PER_SEC / BENCH_VIDEO_FPS) / ctx->n_peers;
    ctx->peers[i].next_audio_us = start + (gint64) i * (G_USEC_PER_SEC / BENCH_AUDIO_PPS) / ctx->n_peers;
  }
  while (!g_atomic_int_get (&ctx->stop_generator)) {
    gint64 next = send_due (ctx, bench_now_us (), sizes);
    drain_receivers (ctx, b);
    gint64 wait = next - bench_now_us ();
    if (wait > 0)
      g_usleep ((gulong) MIN (wait, 5000));
  }
  g_usleep (200 * 1000);                           /* let the last packets arrive */
  drain_receivers (ctx, b);
  return NULL;
}

/* ---- wiring ---- */

static gboolean
setup_peers (FloorContext *ctx, GError **error)
{
  for (guint i = 0; i < ctx->n_peers; i++) {
    FloorPeer *p = &ctx->peers[i];
    p->fd = udp_socket (&p->addr, error);
    if (p->fd < 0)
      return FALSE;
    p->meeting = i / ctx->config->participants;
    p->video_ssrc = 0x10000000u + i * 2;
    p->audio_ssrc = 0x10000001u + i * 2;
    ctx->peer_by_port[ntohs (p->addr.sin_port)] = (gint16) i;
    if (!make_session (&p->send_session, i, FALSE, error) ||
        !make_session (&p->fwd_in, i, TRUE, error) ||
        !make_session (&p->fwd_out, 1000 + i, FALSE, error))
      return FALSE;
    if (ctx->config->srtp == BENCH_FLOOR_SRTP_SAMTAL) {
      guint8 key[FLOOR_KEY_LEN];
      test_key (key, i);
      p->own_in = samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, key, sizeof key, error);
      test_key (key, 1000 + i);
      p->own_out = p->own_in ? samtal_srtp_new (SAMTAL_SRTP_AES128_CM_SHA1_80, key, sizeof key,
                                                error) : NULL;
      if (p->own_out == NULL)
        return FALSE;
    }
  }
  return TRUE;
}

static void
teardown (FloorContext *ctx)
{
  for (guint i = 0; i < ctx->n_peers; i++) {
    FloorPeer *p = &ctx->peers[i];
    if (p->fd > 0)
      close (p->fd);
    if (p->send_session) srtp_dealloc (p->send_session);
    if (p->fwd_in) srtp_dealloc (p->fwd_in);
    if (p->fwd_out) srtp_dealloc (p->fwd_out);
    samtal_srtp_free (p->own_in);
    samtal_srtp_free (p->own_out);
  }
  if (ctx->fwd_fd > 0)
    close (ctx->fwd_fd);
  g_free (ctx->peers);
  g_free (ctx->peer_by_port);
}

static double
thread_cpu_seconds (clockid_t clock)
{
  struct timespec ts;
  if (clock_gettime (clock, &ts) != 0)
    return 0;
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static gpointer
srtp_init_once (gpointer unused)
{
  return GINT_TO_POINTER (srtp_init () == srtp_err_status_ok);
}

static void
measure_window (FloorContext *ctx, const BenchFloorConfig *config, BenchFloorResult *result)
{
  g_usleep ((gulong) (config->warmup_seconds * G_USEC_PER_SEC));
  double cpu0 = thread_cpu_seconds (ctx->fwd_clock);
  guint64 fwd0 = __atomic_load_n (&ctx->forwarded, __ATOMIC_RELAXED);
  gint64 t0 = bench_now_us ();
  g_usleep ((gulong) (config->seconds * G_USEC_PER_SEC));
  double cpu1 = thread_cpu_seconds (ctx->fwd_clock);
  guint64 fwd1 = __atomic_load_n (&ctx->forwarded, __ATOMIC_RELAXED);
  double wall = (double) (bench_now_us () - t0) / G_USEC_PER_SEC;
  result->forwarded_packets = fwd1 - fwd0;
  result->cpu_seconds = cpu1 - cpu0;
  result->cpu_us_per_packet = result->forwarded_packets ?
      result->cpu_seconds * 1e6 / (double) result->forwarded_packets : 0;
  result->packets_per_second = wall > 0 ? (double) result->forwarded_packets / wall : 0;
}

gboolean
bench_floor_run (const BenchFloorConfig *config, const BenchMedia *media,
                 BenchFloorResult *result, GError **error)
{
  static GOnce once = G_ONCE_INIT;
  memset (result, 0, sizeof *result);
  guint n = config->meetings * config->participants;
  if (config->participants < 2 || n == 0 || n > FLOOR_MAX_PARTICIPANTS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "floor: need 2+ participants per meeting and at most %d in all", FLOOR_MAX_PARTICIPANTS);
    return FALSE;
  }
  if (!GPOINTER_TO_INT (g_once (&once, srtp_init_once, NULL))) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "srtp_init failed");
    return FALSE;
  }
  FloorContext ctx = { .config = config, .media = media, .n_peers = n };
  ctx.peers = g_new0 (FloorPeer, n);
  ctx.peer_by_port = g_new (gint16, 65536);
  memset (ctx.peer_by_port, 0xff, 65536 * sizeof (gint16));
  ctx.fwd_fd = udp_socket (&ctx.fwd_addr, error);
  struct timeval tv = { 0, FLOOR_RECV_TIMEOUT_US };
  if (ctx.fwd_fd < 0 || setsockopt (ctx.fwd_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
      !setup_peers (&ctx, error)) {
    if (error && *error == NULL)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "floor: socket setup failed");
    teardown (&ctx);
    return FALSE;
  }
  GThread *fwd = g_thread_new ("floor-forwarder", forwarder_thread, &ctx);
  while (!g_atomic_int_get (&ctx.fwd_clock_ready))
    g_usleep (1000);
  GThread *gen = g_thread_new ("floor-generator", generator_thread, &ctx);
  measure_window (&ctx, config, result);
  g_atomic_int_set (&ctx.stop_generator, 1);
  g_thread_join (gen);
  g_atomic_int_set (&ctx.stop_forwarder, 1);
  g_thread_join (fwd);
  result->sent_packets = ctx.sent;
  result->received_packets = ctx.received;
  result->srtp_errors = ctx.srtp_errors;
  double expected = (double) ctx.sent * (config->participants - 1);
  result->loss_pct = expected > 0 ? MAX (0.0, 100.0 * (expected - (double) ctx.received) / expected) : 0;
  teardown (&ctx);
  return TRUE;
}
