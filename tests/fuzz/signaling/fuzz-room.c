/* libFuzzer target: the room state machine under arbitrary sequences of joins, messages,
 * disconnects, relay events and time. Each input line is one step: its first byte picks the
 * step and the connection, the rest is a client message (JSON) where one is needed. Invariants:
 * never more than the admitted/connection limits, every SEND serialises to a message that parses
 * back, every CLOSE has a close code. */
#include "room.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define NOW 1000000

static const char *const pids[] = { "u1", "u2", "g3", "g4", "u5", "g6", "g7", "u8" };
static const char *const roles[] = { "caseworker", "client", "interpreter", "guest",
                                     "officer", "guest", "guest", "client" };

static void
check (SamtalRoom *room, GPtrArray *out)
{
  if (samtal_room_n_admitted (room) > 3 || samtal_room_n_connected (room) > 6) {
    g_printerr ("limits broken: %u admitted, %u connected\n", samtal_room_n_admitted (room),
                samtal_room_n_connected (room));
    abort ();
  }
  for (guint i = 0; i < out->len; i++) {
    SamtalRoomAction *a = g_ptr_array_index (out, i);
    if (a->kind == SAMTAL_ROOM_SEND) {
      if (a->msg == NULL)
        abort ();
      g_autofree char *text = samtal_msg_serialize (a->msg);
      g_autoptr (GError) error = NULL;
      g_autoptr (SamtalMsg) back = samtal_msg_parse (text, strlen (text), SAMTAL_MSG_FROM_SERVER,
                                                     &error);
      if (back == NULL) {
        g_printerr ("unparsable output (%s): %s\n", error->message, text);
        abort ();
      }
    } else if (a->kind == SAMTAL_ROOM_CLOSE && a->close_code < 1000) {
      abort ();
    }
  }
}

static void
step (SamtalRoom *room, guint8 op, const char *rest, gsize len, gint64 *now, GPtrArray *out)
{
  guint who = op % G_N_ELEMENTS (pids);
  guint64 conn = 1 + (op % 11);
  switch ((op >> 3) % 8) {
  case 0: {
    SamtalRoomWho w = { pids[who], "Name", roles[who] };
    samtal_room_join (room, conn, &w, *now, out);
    break;
  }
  case 1:
    samtal_room_disconnect (room, conn, out);
    break;
  case 2:
    samtal_room_relay_description (room, pids[who], (op & 1) ? "offer" : "answer", "v=0", NULL,
                                   out);
    break;
  case 3:
    samtal_room_relay_candidate (room, pids[who], 0, "candidate:x", out);
    break;
  case 4:
    samtal_room_relay_failed (room, pids[who], "failed", out);
    break;
  case 5:
    samtal_room_relay_refused (room, pids[who], SAMTAL_ROOM_RELAY_ADD + (op & 3),
                               (op & 4) ? "offer" : "answer", SAMTAL_ERR_MEDIA, "no", out);
    break;
  case 6:
    *now += 600;
    samtal_room_tick (room, *now, out);
    break;
  default: {
    g_autoptr (SamtalMsg) m = samtal_msg_parse (rest, len, SAMTAL_MSG_FROM_CLIENT, NULL);
    if (m != NULL)
      samtal_room_handle (room, conn, m, *now, out);
    break;
  }
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size > 16384)
    return 0;
  SamtalRoomLimits limits = { 3, 6, 1800 };
  g_autoptr (SamtalRoom) room = samtal_room_new (42, NOW + 3600, &limits);
  gint64 now = NOW;
  const char *p = (const char *) data, *end = p + size;
  while (p < end) {
    const char *nl = memchr (p, '\n', (gsize) (end - p));
    const char *line_end = nl ? nl : end;
    if (line_end > p) {
      if (g_getenv ("FUZZ_ROOM_TRACE") != NULL)
        g_printerr ("step %u (kind %u, %s on conn %u)\n", (guint8) p[0], ((guint8) p[0] >> 3) % 8,
                    pids[(guint8) p[0] % G_N_ELEMENTS (pids)], 1 + ((guint8) p[0] % 11));
      g_autoptr (GPtrArray) out = samtal_room_actions_new ();
      step (room, (guint8) p[0], p + 1, (gsize) (line_end - p - 1), &now, out);
      check (room, out);
    }
    p = line_end + 1;
  }
  return 0;
}
