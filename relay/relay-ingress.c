/* relay-ingress.c — the relay's own reader of a participant's selected ICE socket (see
 * relay-ingress.h for why and when).
 *
 * One thread per participant: it waits (polling every INGRESS_WAIT_STEP_MS, at most
 * INGRESS_WAIT_MAX_S) until the pair can be taken, stops nicesrc, then reads the socket with
 * recvmmsg and chains every non-STUN datagram into dtlssrtpdec's sink pad, where relay-forward.c's
 * probe decrypts forwarded RTP and everything else (DTLS, RTCP, RTX) takes webrtcbin's way. Once a
 * second it checks that libnice still has the same pair selected and READY. After a hand-back it
 * waits INGRESS_RETAKE_DELAY_MS and takes over whatever pair libnice has then (INGRESS_MAX_TAKES in
 * all). Stopping it (the participant's teardown) wakes the poll through an eventfd.
 */
#include "relay/relay-ingress.h"

#include "relay/relay-stun.h"
#include "relay/relay-wire.h"

#include <agent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define INGRESS_BATCH 32
#define INGRESS_MAX_DATAGRAM 2048   /* nicesrc's libnice reads at most 65536; RTP stays < MTU */
#define INGRESS_WAIT_STEP_MS 20
#define INGRESS_WAIT_MAX_S 60
#define INGRESS_CHECK_MS 1000
/* Receive buffer asked for a taken socket (the kernel caps it at net.core.rmem_max): Linux's
 * default (208 KiB, about 90 datagrams of video) overflowed at 32 meetings on 2 vCPUs whenever a
 * reader waited for a CPU a little longer (bench/README.md). */
#define INGRESS_RCVBUF (1024 * 1024)
#define INGRESS_QUIET_MS 20        /* nicesrc pushed nothing for this long: its queue is empty */
#define INGRESS_QUIET_MAX_MS 1000
#define INGRESS_MAX_TAKES 4        /* the first take-over and three after hand-backs */
#define INGRESS_RETAKE_DELAY_MS 2000

struct _SamtalRelayIngress {
  char *who;
  GstElement *webrtc;     /* (ref) */
  SamtalRelayLink *link;  /* (ref) relay-wide counters */
  GThread *thread;
  int wake_fd;            /* eventfd: written to stop the thread */
  gint stop;              /* atomic */
  gint state;             /* atomic SamtalRelayIngressState */
  guint64 datagrams;      /* __atomic */
  guint64 answered;       /* __atomic */
  gint local_port;        /* atomic: the taken socket's port (0: none) */
  SamtalRelayWirePath *path;  /* set while reading */
};

/* What a taken-over socket needs; filled by take(), thread-local from then on. */
typedef struct {
  GstElement *nicesrc;    /* (ref) */
  GstElement *dtlsdec;    /* (ref): its decoder-key says DTLS is done */
  GstPad *dec_sink;       /* dtlssrtpdec's sink pad (ref): where nicesrc's datagrams went */
  NiceAgent *agent;       /* (ref) */
  guint stream, component;
  GSocket *socket;        /* (ref) */
  int fd;                 /* a duplicate of the socket's (libnice may close its own), or -1 */
  struct sockaddr_storage remote;
  socklen_t remote_len;
  char *ufrag, *pwd;
  gboolean controlling;
  GstClock *clock;        /* (ref) nicesrc's: buffers get its running time, as nicesrc gave */
  GstClockTime base_time;
} Taken;

/* recvmmsg reads straight into the GstBuffers that go downstream (no copy); a slot's buffer is
 * replaced once it was passed on, and kept for the next batch if its datagram was STUN. */
typedef struct {
  struct mmsghdr msgs[INGRESS_BATCH];
  struct iovec iov[INGRESS_BATCH];
  struct sockaddr_storage from[INGRESS_BATCH];
  GstBuffer *buf[INGRESS_BATCH];
  GstMapInfo map[INGRESS_BATCH];
} Batch;

static gboolean
batch_prepare (Batch *b)
{
  for (guint i = 0; i < INGRESS_BATCH; i++) {
    if (b->buf[i] == NULL) {
      b->buf[i] = gst_buffer_new_allocate (NULL, INGRESS_MAX_DATAGRAM, NULL);
      if (b->buf[i] == NULL || !gst_buffer_map (b->buf[i], &b->map[i], GST_MAP_WRITE)) {
        gst_clear_buffer (&b->buf[i]);
        return FALSE;
      }
    }
    b->iov[i].iov_base = b->map[i].data;
    b->iov[i].iov_len = b->map[i].size;
    memset (&b->msgs[i].msg_hdr, 0, sizeof b->msgs[i].msg_hdr);
    b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
    b->msgs[i].msg_hdr.msg_iovlen = 1;
    b->msgs[i].msg_hdr.msg_name = &b->from[i];
    b->msgs[i].msg_hdr.msg_namelen = sizeof b->from[i];
  }
  return TRUE;
}

/* Slot i's buffer, cut to len and no longer mapped, for downstream (transfer full). */
static GstBuffer *
batch_take (Batch *b, guint i, gsize len)
{
  GstBuffer *buf = b->buf[i];
  gst_buffer_unmap (buf, &b->map[i]);
  gst_buffer_set_size (buf, (gssize) len);
  b->buf[i] = NULL;
  return buf;
}

static void
batch_free (Batch *b)
{
  for (guint i = 0; i < INGRESS_BATCH; i++)
    if (b->buf[i] != NULL) {
      gst_buffer_unmap (b->buf[i], &b->map[i]);
      gst_buffer_unref (b->buf[i]);
    }
  g_free (b);
}

const char *
samtal_relay_ingress_state_string (SamtalRelayIngressState state)
{
  switch (state) {
  case SAMTAL_RELAY_INGRESS_WAITING: return "waiting";
  case SAMTAL_RELAY_INGRESS_READING: return "reading";
  case SAMTAL_RELAY_INGRESS_HANDED_BACK: return "handed back";
  case SAMTAL_RELAY_INGRESS_GAVE_UP: return "gave up";
  default: return "?";
  }
}

/* What one take-over holds (the pair), not the elements. */
static void
taken_release (Taken *t)
{
  g_clear_object (&t->socket);
  g_clear_pointer (&t->ufrag, g_free);
  if (t->pwd != NULL)
    memset (t->pwd, 0, strlen (t->pwd));
  g_clear_pointer (&t->pwd, g_free);
  gst_clear_object (&t->clock);
  if (t->fd >= 0)
    close (t->fd);
  t->fd = -1;
}

static void
taken_clear (Taken *t)
{
  taken_release (t);
  gst_clear_object (&t->nicesrc);
  gst_clear_object (&t->dtlsdec);
  gst_clear_object (&t->dec_sink);
  g_clear_object (&t->agent);
}

static socklen_t
sockaddr_len (const struct sockaddr_storage *ss)
{
  return ss->ss_family == AF_INET6 ? sizeof (struct sockaddr_in6) : sizeof (struct sockaddr_in);
}

static gboolean
same_address (const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
  if (a->ss_family != b->ss_family)
    return FALSE;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const void *) a, *y = (const void *) b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  if (a->ss_family == AF_INET6) {
    const struct sockaddr_in6 *x = (const void *) a, *y = (const void *) b;
    return x->sin6_port == y->sin6_port &&
           memcmp (&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
  }
  return FALSE;
}

/* The selected pair's socket and remote address, if it is one the relay can read (UDP, not
 * TURN) and the component is READY. */
static gboolean
selected_pair (Taken *t, GSocket **socket, struct sockaddr_storage *remote)
{
  NiceCandidate *local = NULL, *peer = NULL;

  if (nice_agent_get_component_state (t->agent, t->stream, t->component) !=
      NICE_COMPONENT_STATE_READY)
    return FALSE;
  *socket = nice_agent_get_selected_socket (t->agent, t->stream, t->component);
  if (*socket == NULL)
    return FALSE;
  memset (remote, 0, sizeof *remote);
  if (!nice_agent_get_selected_pair (t->agent, t->stream, t->component, &local, &peer) ||
      peer == NULL) {
    g_clear_object (socket);
    return FALSE;
  }
  nice_address_copy_to_sockaddr (&peer->addr, (struct sockaddr *) remote);
  return remote->ss_family == AF_INET || remote->ss_family == AF_INET6;
}

static gboolean
dtls_done (Taken *t)
{
  GstBuffer *key = NULL;
  g_object_get (t->dtlsdec, "decoder-key", &key, NULL);
  if (key == NULL)
    return FALSE;
  gst_buffer_unref (key);
  return TRUE;
}

/* The elements of webrtc's transport (TRUE if it looks as in 1.22). */
static gboolean
find_elements (GstElement *webrtc, Taken *t)
{
  guint n_src = 0, n_dec = 0, n_dtls = 0;
  t->nicesrc = samtal_relay_find_element (webrtc, "nicesrc", &n_src);
  g_autoptr (GstElement) dec = samtal_relay_find_element (webrtc, "dtlssrtpdec", &n_dec);
  t->dtlsdec = dec ? samtal_relay_find_element (dec, "dtlsdec", &n_dtls) : NULL;
  t->dec_sink = dec ? gst_element_get_static_pad (dec, "sink") : NULL;
  if (n_src != 1 || n_dec != 1 || n_dtls != 1 || t->dec_sink == NULL)
    return FALSE;
  g_object_get (t->nicesrc, "agent", &t->agent, "stream", &t->stream, "component", &t->component,
                NULL);
  return t->agent != NULL && t->stream != 0 && t->component != 0;
}

static GstPadProbeReturn
note_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  __atomic_store_n ((gint64 *) user_data, g_get_monotonic_time (), __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

/* Returns once nothing left nicesrc for INGRESS_QUIET_MS (its queue is empty: it pushes what it
 * holds back to back), or after INGRESS_QUIET_MAX_MS. */
static void
wait_until_quiet (GstElement *nicesrc)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (nicesrc, "src");
  /* On the heap, freed with the probe: a call in progress may outlive its removal. */
  gint64 *last = g_new (gint64, 1);
  *last = g_get_monotonic_time ();
  gulong probe = src ? gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, note_buffer, last,
                                          g_free) : 0;
  gint64 give_up = g_get_monotonic_time () + INGRESS_QUIET_MAX_MS * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < give_up &&
         g_get_monotonic_time () - __atomic_load_n (last, __ATOMIC_RELAXED) <
             INGRESS_QUIET_MS * G_TIME_SPAN_MILLISECOND)
    g_usleep (2 * G_TIME_SPAN_MILLISECOND);
  if (probe != 0)
    gst_pad_remove_probe (src, probe);
  else
    g_free (last);
}

/* Takes the socket over if everything is ready: TRUE once nicesrc stopped. */
static gboolean
take (SamtalRelayIngress *ing, Taken *t)
{
  if (!dtls_done (t))
    return FALSE;
  g_autoptr (GSocket) socket = NULL;
  if (!selected_pair (t, &socket, &t->remote))
    return FALSE;
  t->remote_len = sockaddr_len (&t->remote);
  g_clear_pointer (&t->ufrag, g_free);
  g_clear_pointer (&t->pwd, g_free);
  if (!nice_agent_get_local_credentials (t->agent, t->stream, &t->ufrag, &t->pwd))
    return FALSE;
  g_object_get (t->agent, "controlling-mode", &t->controlling, NULL);
  gst_clear_object (&t->clock);
  t->clock = gst_element_get_clock (t->nicesrc);
  t->base_time = gst_element_get_base_time (t->nicesrc);
  if (t->clock == NULL)
    return FALSE;
  t->fd = fcntl (g_socket_get_fd (socket), F_DUPFD_CLOEXEC, 0);
  if (t->fd < 0)
    return FALSE;
  int rcvbuf = INGRESS_RCVBUF;
  if (setsockopt (t->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0)
    g_debug ("relay: %s: SO_RCVBUF: %s", ing->who, g_strerror (errno));
  /* Without losing a datagram: libnice stops reading first (its sources move to a context nobody
   * runs; the kernel keeps what arrives), nicesrc pushes what it had already read — right after
   * DTLS that is often the first keyframe or a receiver's first PLI — and only once it has been
   * quiet for a while does it stop (PAUSED → READY would drop what it still holds). */
  GMainContext *idle = g_main_context_new ();
  nice_agent_attach_recv (t->agent, t->stream, t->component, idle, NULL, NULL);
  g_main_context_unref (idle);
  wait_until_quiet (t->nicesrc);
  /* libnice reads nothing for nicesrc any more, so even if it refused to stop it could only sit
   * idle: the relay reads from here on either way. */
  if (gst_element_set_state (t->nicesrc, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
    g_message ("relay: %s: nicesrc did not stop (it gets nothing now)", ing->who);
  t->socket = g_steal_pointer (&socket);
  struct sockaddr_storage local;
  socklen_t local_len = sizeof local;
  if (getsockname (t->fd, (struct sockaddr *) &local, &local_len) == 0)
    g_atomic_int_set (&ing->local_port,
                      ntohs (local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &local)->sin6_port
                                                         : ((struct sockaddr_in *) &local)->sin_port));
  if (!samtal_relay_wire_path_set (ing->path, t->fd, &t->remote, t->remote_len))
    g_debug ("relay: %s: forwarded packets still go through libnice", ing->who);
  g_debug ("relay: %s: the relay reads its socket (fd %d) from now on", ing->who, t->fd);
  return TRUE;
}

static void
hand_back (SamtalRelayIngress *ing, Taken *t, const char *why)
{
  g_message ("relay: %s: socket handed back to libnice: %s", ing->who, why);
  samtal_relay_wire_path_clear (ing->path);
  __atomic_fetch_add (&ing->link->handed_back, 1, __ATOMIC_RELAXED);
  if (gst_element_set_state (t->nicesrc, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    g_warning ("relay: %s: nicesrc does not start again", ing->who);
  g_atomic_int_set (&ing->state, SAMTAL_RELAY_INGRESS_HANDED_BACK);
}

/* The pair libnice has selected is still the one read here. */
static gboolean
still_selected (Taken *t)
{
  g_autoptr (GSocket) socket = NULL;
  struct sockaddr_storage remote;
  return selected_pair (t, &socket, &remote) && socket == t->socket &&
         same_address (&remote, &t->remote);
}

static void
answer_stun (SamtalRelayIngress *ing, Taken *t, const guint8 *data, gsize len,
             const struct sockaddr_storage *from, gboolean selected, gboolean *foreign)
{
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 0;
  socklen_t from_len = sockaddr_len (from);
  switch (samtal_relay_stun_answer (data, len, (const struct sockaddr *) from, from_len, selected,
                                    t->ufrag, t->pwd, t->controlling, reply, sizeof reply,
                                    &reply_len)) {
  case SAMTAL_STUN_REPLY:
    if (sendto (t->fd, reply, reply_len, 0, (const struct sockaddr *) from, from_len) ==
        (ssize_t) reply_len) {
      __atomic_fetch_add (&ing->answered, 1, __ATOMIC_RELAXED);
      __atomic_fetch_add (&ing->link->stun_answered, 1, __ATOMIC_RELAXED);
    }
    break;
  case SAMTAL_STUN_IGNORE:
    break;
  case SAMTAL_STUN_FOREIGN:
    *foreign = TRUE;
    break;
  }
}

/* Datagram i of the batch: STUN is answered here, anything else goes where nicesrc sent it.
 * FALSE: hand the socket back. */
static gboolean
dispatch (SamtalRelayIngress *ing, Taken *t, Batch *b, guint i, gsize len,
          GstClockTime running_time, char **why)
{
  gboolean foreign = FALSE;
  const guint8 *data = b->map[i].data;
  gboolean selected = same_address (&b->from[i], &t->remote);

  if (len > 0 && data[0] < 4) {              /* RFC 7983: STUN */
    answer_stun (ing, t, data, len, &b->from[i], selected, &foreign);
    if (foreign) {
      g_free (*why);
      *why = g_strdup_printf ("STUN for libnice (type 0x%02x%02x)", data[0],
                              len > 1 ? data[1] : 0);
    }
    return !foreign;
  }
  if (!selected) {   /* media from elsewhere: the remote moved to another pair */
    g_autoptr (GSocketAddress) a = g_socket_address_new_from_native (&b->from[i],
                                                                    sizeof b->from[i]);
    g_autofree char *text = a ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (a)) : NULL;
    g_free (*why);
    *why = g_strdup_printf ("a datagram (first byte %u) from another address, %s",
                            len > 0 ? data[0] : 0, text ? text : "?");
    return FALSE;
  }
  GstBuffer *buf = batch_take (b, i, len);
  GST_BUFFER_PTS (buf) = running_time;
  GST_BUFFER_DTS (buf) = running_time;
  gst_pad_chain (t->dec_sink, buf);          /* FLUSHING while the participant stops: fine */
  return TRUE;
}

/* Everything queued on the socket, in batches. FALSE: hand the socket back. */
static gboolean
drain (SamtalRelayIngress *ing, Taken *t, Batch *b, char **why)
{
  for (;;) {
    if (!batch_prepare (b))
      return TRUE;                             /* no memory now: the kernel keeps them */
    int n = recvmmsg (t->fd, b->msgs, INGRESS_BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNREFUSED)
        return TRUE;
      *why = g_strdup_printf ("reading the socket: %s", g_strerror (errno));
      return FALSE;
    }
    GstClockTime now = gst_clock_get_time (t->clock);
    GstClockTime running = now > t->base_time ? now - t->base_time : 0;
    __atomic_fetch_add (&ing->datagrams, (guint64) n, __ATOMIC_RELAXED);
    gboolean keep = TRUE;
    for (int i = 0; i < n; i++) {
      if (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
        continue;                              /* larger than any RTP here: dropped */
      keep = dispatch (ing, t, b, (guint) i, b->msgs[i].msg_len, running, why) && keep;
    }
    if (!keep)
      return FALSE;
    if (n < INGRESS_BATCH)
      return TRUE;
  }
}

/* Reads until stopped or something unexpected happens (then hands back). */
static void
read_loop_batch (SamtalRelayIngress *ing, Taken *t, Batch *b)
{
  gint64 next_check = g_get_monotonic_time () + INGRESS_CHECK_MS * G_TIME_SPAN_MILLISECOND;

  while (!g_atomic_int_get (&ing->stop)) {
    struct pollfd pfd[2] = { { t->fd, POLLIN, 0 }, { ing->wake_fd, POLLIN, 0 } };
    int r = poll (pfd, 2, INGRESS_CHECK_MS);
    if (r < 0 && errno != EINTR) {
      hand_back (ing, t, g_strerror (errno));
      return;
    }
    if (g_atomic_int_get (&ing->stop))
      return;
    g_autofree char *why = NULL;
    if (r > 0 && (pfd[0].revents & (POLLIN | POLLERR)) && !drain (ing, t, b, &why)) {
      hand_back (ing, t, why != NULL ? why : "?");
      return;
    }
    if (g_get_monotonic_time () >= next_check) {
      next_check = g_get_monotonic_time () + INGRESS_CHECK_MS * G_TIME_SPAN_MILLISECOND;
      if (!still_selected (t)) {
        hand_back (ing, t, "ICE selected another pair or left READY");
        return;
      }
    }
  }
}

static void
read_loop (SamtalRelayIngress *ing, Taken *t)
{
  Batch *b = g_new0 (Batch, 1);
  read_loop_batch (ing, t, b);
  batch_free (b);
}

/* Waits until the pair can be taken; FALSE if stopped or it never can. */
static gboolean
wait_to_take (SamtalRelayIngress *ing, Taken *t)
{
  gint64 deadline = g_get_monotonic_time () + INGRESS_WAIT_MAX_S * G_TIME_SPAN_SECOND;

  while (!g_atomic_int_get (&ing->stop)) {
    if (take (ing, t))
      return TRUE;
    if (g_get_monotonic_time () > deadline) {
      g_message ("relay: %s: libnice keeps reading its socket (no UDP pair without TURN was "
                 "ready within %d s)", ing->who, INGRESS_WAIT_MAX_S);
      g_atomic_int_set (&ing->state, SAMTAL_RELAY_INGRESS_GAVE_UP);
      return FALSE;
    }
    struct pollfd pfd = { ing->wake_fd, POLLIN, 0 };
    poll (&pfd, 1, INGRESS_WAIT_STEP_MS);
  }
  return FALSE;
}

/* FALSE if stopped meanwhile. */
static gboolean
pause_before_retake (SamtalRelayIngress *ing)
{
  struct pollfd pfd = { ing->wake_fd, POLLIN, 0 };
  poll (&pfd, 1, INGRESS_RETAKE_DELAY_MS);
  return !g_atomic_int_get (&ing->stop);
}

static gpointer
ingress_thread (gpointer data)
{
  SamtalRelayIngress *ing = data;
  Taken t = { 0 };
  t.fd = -1;

  /* After a hand-back (a browser that moved to another pair, say) libnice settles the new pair;
   * the relay takes that over too, a few times at most. */
  for (guint takes = 0; takes < INGRESS_MAX_TAKES && !g_atomic_int_get (&ing->stop); takes++) {
    if (takes == 0 ? !find_elements (ing->webrtc, &t) : !pause_before_retake (ing))
      break;
    if (!wait_to_take (ing, &t))
      break;
    g_atomic_int_set (&ing->state, SAMTAL_RELAY_INGRESS_READING);
    read_loop (ing, &t);
    samtal_relay_wire_path_clear (ing->path);
    taken_release (&t);
  }
  samtal_relay_wire_path_clear (ing->path);
  taken_clear (&t);
  return NULL;
}

SamtalRelayIngress *
samtal_relay_ingress_start (GstElement *webrtc, SamtalRelayLink *link, const char *who)
{
  g_autoptr (GError) error = NULL;
  int wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    g_message ("relay: %s: libnice keeps reading its socket (eventfd: %s)", who,
               g_strerror (errno));
    return NULL;
  }
  SamtalRelayIngress *ing = g_new0 (SamtalRelayIngress, 1);
  ing->who = g_strdup (who);
  ing->webrtc = gst_object_ref (webrtc);
  ing->link = samtal_relay_link_ref (link);
  ing->wake_fd = wake_fd;
  ing->state = SAMTAL_RELAY_INGRESS_WAITING;
  ing->path = samtal_relay_wire_path_new ();
  ing->thread = g_thread_try_new ("relay-ingress", ingress_thread, ing, &error);
  if (ing->thread == NULL) {
    g_message ("relay: %s: libnice keeps reading its socket (%s)", who, error->message);
    samtal_relay_ingress_stop (ing);   /* thread is NULL: nothing to join */
    return NULL;
  }
  return ing;
}

void
samtal_relay_ingress_stop (SamtalRelayIngress *ing)
{
  if (ing == NULL)
    return;
  g_atomic_int_set (&ing->stop, 1);
  guint64 one = 1;
  if (write (ing->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
    g_debug ("relay: %s: eventfd: %s", ing->who, g_strerror (errno));
  if (ing->thread != NULL)
    g_thread_join (ing->thread);
  close (ing->wake_fd);
  samtal_relay_wire_path_unref (ing->path);
  samtal_relay_link_unref (ing->link);
  gst_object_unref (ing->webrtc);
  g_free (ing->who);
  g_free (ing);
}

SamtalRelayWirePath *
samtal_relay_ingress_path (SamtalRelayIngress *ing)
{
  return ing->path;
}

guint16
samtal_relay_ingress_local_port (SamtalRelayIngress *ing)
{
  return (guint16) g_atomic_int_get (&ing->local_port);
}

SamtalRelayIngressState
samtal_relay_ingress_state (SamtalRelayIngress *ing)
{
  return (SamtalRelayIngressState) g_atomic_int_get (&ing->state);
}

void
samtal_relay_ingress_counts (SamtalRelayIngress *ing, guint64 *datagrams, guint64 *answered)
{
  *datagrams = __atomic_load_n (&ing->datagrams, __ATOMIC_RELAXED);
  *answered = __atomic_load_n (&ing->answered, __ATOMIC_RELAXED);
}
