/* libFuzzer target: the relay's SRTP (relay/relay-srtp.h) on packets from the network. The input
 * is a series of packets, each a 2-byte length and its bytes; every one is unprotected by a
 * receiver session (state carries over: roll-over guesses, the replay window) and protected by a
 * sender session. The first byte picks the tag length. Whatever comes in: no crash, no read or
 * write out of bounds, no leak, and a refused packet is left as it was. */
#include "relay/relay-srtp.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const guint8 master[SAMTAL_SRTP_MASTER_LEN] = {
  0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
  0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size < 1)
    return 0;
  SamtalSrtpProfile profile = data[0] & 1 ? SAMTAL_SRTP_AES128_CM_SHA1_32
                                          : SAMTAL_SRTP_AES128_CM_SHA1_80;
  g_autoptr (SamtalSrtp) rx = samtal_srtp_new (profile, master, sizeof master, NULL);
  g_autoptr (SamtalSrtp) tx = samtal_srtp_new (profile, master, sizeof master, NULL);
  size_t at = 1;

  while (at + 2 <= size) {
    size_t len = (size_t) ((data[at] << 8) | data[at + 1]);
    at += 2;
    len = MIN (len, size - at);
    g_autofree guint8 *pkt = g_memdup2 (data + at, len);
    g_autofree guint8 *keep = g_memdup2 (data + at, len);
    gsize out = 0;
    if (samtal_srtp_unprotect (rx, pkt, len, &out) != SAMTAL_SRTP_OK) {
      if (len > 0 && memcmp (pkt, keep, len) != 0)
        __builtin_trap ();   /* a refused packet must be untouched */
    } else if (out > len) {
      __builtin_trap ();
    }
    g_autofree guint8 *copy = g_malloc (len + SAMTAL_SRTP_MAX_TAG);
    if (len > 0)
      memcpy (copy, data + at, len);
    samtal_srtp_protect (tx, copy, len, len + samtal_srtp_tag_len (tx), &out);
    at += len;
  }
  return 0;
}
