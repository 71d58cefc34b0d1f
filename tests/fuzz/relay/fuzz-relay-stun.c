/* libFuzzer target: relay-stun.h, the relay's answer to a STUN message from the network on a
 * socket it reads itself. No input may crash, hang or leak; a reply is only ever made for a
 * binding request whose MESSAGE-INTEGRITY checked out with our password, and it fits its room. */
#include "relay/relay-stun.h"

#include <netinet/in.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  struct sockaddr_in from;
  memset (&from, 0, sizeof from);
  from.sin_family = AF_INET;
  from.sin_port = htons (40123);
  from.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 0;
  gboolean controlling = size % 4 == 0;   /* whole STUN messages: the relay controls */
  gboolean selected = size % 8 < 4;
  SamtalStunVerdict v = samtal_relay_stun_answer (data, size, (const struct sockaddr *) &from,
                                                  sizeof from, selected, "rLy1",
                                                  "relaypasswordrelaypassw",
                                                  controlling, reply, sizeof reply, &reply_len);
  if (v == SAMTAL_STUN_REPLY && (reply_len < 20 || reply_len > sizeof reply))
    __builtin_trap ();
  if (v != SAMTAL_STUN_REPLY && reply_len != 0)
    __builtin_trap ();
  return 0;
}
