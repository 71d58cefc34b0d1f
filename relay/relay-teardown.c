/* relay-teardown.c — stopping a removed participant's (or a destroyed room's) GStreamer elements
 * off the main context.
 *
 * webrtcbin 1.22 can deadlock inside itself (its negotiation thread holds its PC lock and waits
 * for a stream lock that a streaming thread holds while it waits for the PC lock in an rtpbin
 * signal handler). set_state(NULL) on such an element never returns. The relay therefore never
 * changes a removed element's state on the main context: the main context only cuts the element
 * out of the forwarding graph (drop probes, unlinks, locked state) and hands it to a teardown,
 * which runs on its own short-lived thread: release pads that were already unlinked, set every
 * element to NULL in order, release pads that may only go once their element stopped, remove
 * the elements from their bin. A teardown can first wait (bounded) for other teardowns, so a
 * room's pipeline stops only after its participants' elements did. SamtalRelayPending counts
 * teardowns in flight, so the relay can wait for them (bounded, logged) before it goes away.
 * A teardown that is stuck for good leaks its elements rather than freezing the server.
 */
#include "relay/relay-private.h"

SamtalRelayPending *
samtal_relay_pending_new (void)
{
  SamtalRelayPending *pending = g_new0 (SamtalRelayPending, 1);
  pending->ref = 1;
  g_mutex_init (&pending->lock);
  g_cond_init (&pending->cond);
  return pending;
}

SamtalRelayPending *
samtal_relay_pending_ref (SamtalRelayPending *pending)
{
  g_atomic_int_inc (&pending->ref);
  return pending;
}

void
samtal_relay_pending_unref (SamtalRelayPending *pending)
{
  if (pending == NULL || !g_atomic_int_dec_and_test (&pending->ref))
    return;
  g_mutex_clear (&pending->lock);
  g_cond_clear (&pending->cond);
  g_free (pending);
}

static void
pending_add (SamtalRelayPending *pending, gint delta)
{
  g_mutex_lock (&pending->lock);
  pending->count += delta;
  if (pending->count == 0)
    g_cond_broadcast (&pending->cond);
  g_mutex_unlock (&pending->lock);
}

guint
samtal_relay_pending_count (SamtalRelayPending *pending)
{
  g_mutex_lock (&pending->lock);
  guint n = pending->count;
  g_mutex_unlock (&pending->lock);
  return n;
}

gboolean
samtal_relay_pending_wait (SamtalRelayPending *pending, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean done;

  g_mutex_lock (&pending->lock);
  while (pending->count > 0 && g_cond_wait_until (&pending->cond, &pending->lock, deadline))
    ;
  done = pending->count == 0;
  g_mutex_unlock (&pending->lock);
  return done;
}

/* A pad to release from its element (both refs). */
typedef struct {
  GstElement *element;
  GstPad *pad;
} PadRelease;

static void
pad_release_free (gpointer ptr)
{
  PadRelease *r = ptr;
  gst_object_unref (r->element);
  gst_object_unref (r->pad);
  g_free (r);
}

struct _SamtalRelayTeardown {
  char *what;                   /* for logs */
  GstBin *bin;                  /* the elements' bin (ref), or NULL: they are top-level */
  GPtrArray *early_pads;        /* PadRelease: released first (already unlinked) */
  GPtrArray *elements;          /* GstElement (ref): set to NULL in this order */
  GPtrArray *late_pads;         /* PadRelease: released once every element stopped */
  SamtalRelayPending *wait_for; /* (nullable) teardowns that must end before this one starts */
  guint wait_ms;
  GPtrArray *counters;          /* SamtalRelayPending: count this teardown while it runs */
  GPtrArray *first;             /* FirstCall: run before anything is released or stopped */
};

typedef struct {
  GDestroyNotify func;
  gpointer data;
} FirstCall;

SamtalRelayTeardown *
samtal_relay_teardown_new (GstElement *bin, const char *what)
{
  SamtalRelayTeardown *td = g_new0 (SamtalRelayTeardown, 1);
  td->what = g_strdup (what);
  td->bin = bin ? GST_BIN (gst_object_ref (bin)) : NULL;
  td->early_pads = g_ptr_array_new_with_free_func (pad_release_free);
  td->elements = g_ptr_array_new_with_free_func (gst_object_unref);
  td->late_pads = g_ptr_array_new_with_free_func (pad_release_free);
  td->counters = g_ptr_array_new_with_free_func (
      (GDestroyNotify) (void (*) (void)) samtal_relay_pending_unref);
  td->first = g_ptr_array_new_with_free_func (g_free);
  return td;
}

static void
add_pad (GPtrArray *list, GstElement *element, GstPad *pad)
{
  PadRelease *r = g_new0 (PadRelease, 1);
  r->element = gst_object_ref (element);
  r->pad = pad;
  g_ptr_array_add (list, r);
}

void
samtal_relay_teardown_release_early (SamtalRelayTeardown *td, GstElement *element, GstPad *pad)
{
  add_pad (td->early_pads, element, pad);
}

void
samtal_relay_teardown_release_late (SamtalRelayTeardown *td, GstElement *element, GstPad *pad)
{
  add_pad (td->late_pads, element, pad);
}

void
samtal_relay_teardown_stop (SamtalRelayTeardown *td, GstElement *element)
{
  /* From now on the bin's own state changes leave it alone: only the teardown stops it. */
  gst_element_set_locked_state (element, TRUE);
  g_ptr_array_add (td->elements, gst_object_ref (element));
}

void
samtal_relay_teardown_call_first (SamtalRelayTeardown *td, GDestroyNotify func, gpointer data)
{
  FirstCall *c = g_new (FirstCall, 1);
  c->func = func;
  c->data = data;
  g_ptr_array_add (td->first, c);
}

void
samtal_relay_teardown_wait_for (SamtalRelayTeardown *td, SamtalRelayPending *pending,
                                guint timeout_ms)
{
  td->wait_for = samtal_relay_pending_ref (pending);
  td->wait_ms = timeout_ms;
}

static void
teardown_free (SamtalRelayTeardown *td)
{
  for (guint i = 0; i < td->counters->len; i++)
    pending_add (g_ptr_array_index (td->counters, i), -1);
  g_ptr_array_unref (td->counters);
  g_ptr_array_unref (td->first);
  g_ptr_array_unref (td->early_pads);
  g_ptr_array_unref (td->elements);
  g_ptr_array_unref (td->late_pads);
  samtal_relay_pending_unref (td->wait_for);
  if (td->bin != NULL)
    gst_object_unref (td->bin);
  g_free (td->what);
  g_free (td);
}

static void
release_all (GPtrArray *pads)
{
  for (guint i = 0; i < pads->len; i++) {
    PadRelease *r = g_ptr_array_index (pads, i);
    if (GST_OBJECT_PARENT (r->pad) == GST_OBJECT (r->element))
      gst_element_release_request_pad (r->element, r->pad);
  }
}

/* The elements could not be stopped safely: keep one reference to each for good (disposing a
 * running element, or stopping one stuck in a deadlock, is worse than the leak). */
static void
leak_elements (SamtalRelayTeardown *td)
{
  for (guint i = 0; i < td->elements->len; i++)
    gst_object_ref (g_ptr_array_index (td->elements, i));
  if (td->bin != NULL)
    gst_object_ref (td->bin);
}

static void
run_first_calls (SamtalRelayTeardown *td)
{
  for (guint i = 0; i < td->first->len; i++) {
    FirstCall *c = g_ptr_array_index (td->first, i);
    c->func (c->data);
  }
  g_ptr_array_set_size (td->first, 0);
}

static void
teardown_run (SamtalRelayTeardown *td)
{
  run_first_calls (td);
  if (td->wait_for != NULL && !samtal_relay_pending_wait (td->wait_for, td->wait_ms)) {
    g_message ("relay: %s: earlier teardowns still running after %u ms; its elements are "
               "left running (leaked) so the server goes on", td->what, td->wait_ms);
    leak_elements (td);
    teardown_free (td);
    return;
  }
  release_all (td->early_pads);
  for (guint i = 0; i < td->elements->len; i++)
    gst_element_set_state (g_ptr_array_index (td->elements, i), GST_STATE_NULL);
  release_all (td->late_pads);
  for (guint i = 0; td->bin != NULL && i < td->elements->len; i++) {
    GstElement *e = g_ptr_array_index (td->elements, i);
    if (GST_OBJECT_PARENT (e) == GST_OBJECT (td->bin))
      gst_bin_remove (td->bin, e);
  }
  teardown_free (td);
}

static gpointer
teardown_thread (gpointer data)
{
  teardown_run (data);
  return NULL;
}

void
samtal_relay_teardown_start (SamtalRelayTeardown *td, SamtalRelayPending *counter1,
                             SamtalRelayPending *counter2)
{
  SamtalRelayPending *counters[] = { counter1, counter2 };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (counters); i++) {
    if (counters[i] == NULL)
      continue;
    pending_add (counters[i], 1);
    g_ptr_array_add (td->counters, samtal_relay_pending_ref (counters[i]));
  }
  GThread *thread = g_thread_try_new ("samtal-teardown", teardown_thread, td, &error);
  if (thread == NULL) {
    /* No thread to spare: better to risk blocking here than to leave the elements running. */
    g_message ("relay: %s: no teardown thread (%s); stopping it in place", td->what,
               error->message);
    teardown_run (td);
    return;
  }
  g_thread_unref (thread);
}
