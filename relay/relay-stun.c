/* relay-stun.c — answers to the STUN messages that reach the relay's own socket reader after ICE
 * (see relay-stun.h). The header is classified by hand (RFC 5389 §6: the class bits sit at 0x0100
 * and 0x0010 of the message type); libnice's STUN library checks the rest and builds the reply,
 * so the relay answers exactly as libnice would have.
 */
#include "relay/relay-stun.h"

#include <stun/stunagent.h>
#include <stun/usages/ice.h>
#include <string.h>

#define STUN_HEADER_LEN 20
#define STUN_COOKIE 0x2112A442u
#define STUN_BINDING 0x0001

typedef struct {
  const char *ufrag;
  gsize ufrag_len;
  const char *pwd;
} StunCredentials;

/* USERNAME is "<our ufrag>:<theirs>" (RFC 8445 §7.2.2): the key is our password. */
static bool
validate_username (StunAgent *agent, StunMessage *message, uint8_t *username,
                   uint16_t username_len, uint8_t **password, size_t *password_len,
                   void *user_data)
{
  const StunCredentials *c = user_data;

  if (username_len <= c->ufrag_len || username[c->ufrag_len] != ':' ||
      memcmp (username, c->ufrag, c->ufrag_len) != 0)
    return false;
  *password = (uint8_t *) c->pwd;
  *password_len = strlen (c->pwd);
  return true;
}

static guint32
read32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

SamtalStunVerdict
samtal_relay_stun_answer (const guint8 *msg, gsize len, const struct sockaddr *from,
                          socklen_t from_len, gboolean selected, const char *ufrag, const char *pwd,
                          gboolean controlling, guint8 *reply, gsize reply_size,
                          gsize *reply_len)
{
  *reply_len = 0;
  if (len < STUN_HEADER_LEN || (msg[0] & 0xc0) != 0 || read32 (msg + 4) != STUN_COOKIE)
    return SAMTAL_STUN_FOREIGN;
  guint type = ((guint) msg[0] << 8) | msg[1];
  guint klass = ((type >> 7) & 2) | ((type >> 4) & 1);
  guint method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  if (method != STUN_BINDING)
    return SAMTAL_STUN_FOREIGN;
  if (klass == 1)
    return SAMTAL_STUN_IGNORE;            /* indication: a keepalive, nothing to answer */
  if (klass != 0)
    return SAMTAL_STUN_FOREIGN;           /* a response: to one of libnice's own requests */
  if (ufrag == NULL || pwd == NULL || *ufrag == '\0' || *pwd == '\0' ||
      from_len > sizeof (struct sockaddr_storage) || reply_size < SAMTAL_STUN_MAX_REPLY)
    return SAMTAL_STUN_FOREIGN;

  static const uint16_t known[] = {
    STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY, STUN_ATTRIBUTE_FINGERPRINT,
    STUN_ATTRIBUTE_PRIORITY, STUN_ATTRIBUTE_USE_CANDIDATE, STUN_ATTRIBUTE_ICE_CONTROLLED,
    STUN_ATTRIBUTE_ICE_CONTROLLING, STUN_ATTRIBUTE_SOFTWARE, 0 };
  StunAgent agent;
  StunMessage req, res;
  StunCredentials cred = { ufrag, strlen (ufrag), pwd };
  stun_agent_init (&agent, known, STUN_COMPATIBILITY_RFC5389,
                   STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
  if (stun_agent_validate (&agent, &req, msg, len, validate_username, &cred) !=
      STUN_VALIDATION_SUCCESS)
    return SAMTAL_STUN_IGNORE;           /* libnice would refuse it as well */
  /* USE-CANDIDATE: a controlling remote (a browser that offered first) keeps nominating the pair
   * it uses in every check on it (libwebrtc does). On the selected pair that nominates the pair
   * already selected: answer it. On another pair it switches pairs, and from a controlled remote
   * it would be a role conflict: libnice's business. */
  if (stun_message_has_attribute (&req, STUN_ATTRIBUTE_USE_CANDIDATE) && (controlling || !selected))
    return SAMTAL_STUN_FOREIGN;

  struct sockaddr_storage src;
  memset (&src, 0, sizeof src);
  memcpy (&src, from, from_len);
  bool control = controlling != FALSE;
  size_t out_len = reply_size;
  StunUsageIceReturn r = stun_usage_ice_conncheck_create_reply (
      &agent, &req, &res, reply, &out_len, &src, from_len, &control, 0,
      STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
  if (r != STUN_USAGE_ICE_RETURN_SUCCESS || out_len == 0)
    return SAMTAL_STUN_FOREIGN;          /* a role conflict or worse: libnice's business */
  *reply_len = out_len;
  return SAMTAL_STUN_REPLY;
}
