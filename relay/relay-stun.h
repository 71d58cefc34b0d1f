/* relay-stun.h — what the relay's own reader of a participant's socket (relay-ingress.h) does
 * with a STUN message once ICE has finished: answer the remote's binding requests (consent
 * freshness, RFC 7675: browsers stop sending after 30 s without an answer), drop binding
 * indications (keepalives), and hand anything else back to libnice.
 *
 * The answer is the one libnice gives a connectivity check (RFC 8445 §7.3): the request must name
 * our ICE user fragment first in USERNAME and carry MESSAGE-INTEGRITY with our ICE password; the
 * success response carries XOR-MAPPED-ADDRESS (the source address), MESSAGE-INTEGRITY and
 * FINGERPRINT. Built with libnice's own STUN library (its public stun/ API).
 */
#pragma once

#include <glib.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef enum {
  SAMTAL_STUN_REPLY,     /* a valid binding request: send the reply back to its source */
  SAMTAL_STUN_IGNORE,    /* a binding indication, or a request that failed its checks: drop */
  SAMTAL_STUN_FOREIGN,   /* anything else (a response, a role conflict, a nomination while we
                          * control, another method, not STUN at all): libnice's business */
} SamtalStunVerdict;

/* Room a reply needs at most. */
#define SAMTAL_STUN_MAX_REPLY 1300

/* msg: a datagram that arrived from `from` on the selected pair's local socket; selected: `from`
 * is the selected pair's remote address. A nomination (USE-CANDIDATE from a controlling remote)
 * is answered only there: it renominates the pair already selected. Checks from the remote's
 * other candidates (browsers keep their backup pairs alive) are answered as libnice would; a
 * nomination of one of those would switch pairs and is libnice's business. ufrag/pwd: our local ICE
 * credentials for the stream; controlling: our ICE role. On SAMTAL_STUN_REPLY, reply (room:
 * reply_size, at least SAMTAL_STUN_MAX_REPLY) holds *reply_len bytes to send. */
SamtalStunVerdict samtal_relay_stun_answer (const guint8 *msg, gsize len,
                                            const struct sockaddr *from, socklen_t from_len,
                                            gboolean selected, const char *ufrag, const char *pwd,
                                            gboolean controlling,
                                            guint8 *reply, gsize reply_size, gsize *reply_len);

G_END_DECLS
