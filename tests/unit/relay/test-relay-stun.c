/* Unit tests of relay-stun.h: the relay's answers to STUN on a socket it reads itself. Requests
 * and keepalives are made with libnice's STUN library the way a remote ICE agent makes them, and
 * the replies are checked the way that agent checks them (transaction, MESSAGE-INTEGRITY with our
 * password, FINGERPRINT, XOR-MAPPED-ADDRESS). */
#include "relay/relay-stun.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stun/stunagent.h>
#include <stun/usages/bind.h>
#include <stun/usages/ice.h>
#include <string.h>

#define LOCAL_UFRAG "rLy1"
#define LOCAL_PWD "relaypasswordrelaypassw"
#define REMOTE_UFRAG "bRws"

typedef struct {
  StunAgent agent;       /* the remote's */
  StunMessage req;
  guint8 buf[1280];
  gsize len;
} Remote;

static const uint16_t known[] = {
  STUN_ATTRIBUTE_USERNAME, STUN_ATTRIBUTE_MESSAGE_INTEGRITY, STUN_ATTRIBUTE_FINGERPRINT,
  STUN_ATTRIBUTE_PRIORITY, STUN_ATTRIBUTE_USE_CANDIDATE, STUN_ATTRIBUTE_ICE_CONTROLLED,
  STUN_ATTRIBUTE_ICE_CONTROLLING, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, 0 };

static void
remote_init (Remote *r)
{
  stun_agent_init (&r->agent, known, STUN_COMPATIBILITY_RFC5389,
                   STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
}

/* A connectivity check (consent request) as a remote agent sends it to us. */
static void
make_request (Remote *r, const char *username, const char *pwd, gboolean use_candidate,
              gboolean controlling)
{
  remote_init (r);
  r->len = stun_usage_ice_conncheck_create (&r->agent, &r->req, r->buf, sizeof r->buf,
                                            (const uint8_t *) username, strlen (username),
                                            (const uint8_t *) pwd, strlen (pwd), use_candidate,
                                            controlling, 0x6e7f00ff, 0x1234567890ull, NULL,
                                            STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
  g_assert_cmpuint (r->len, >, 20);
}

static struct sockaddr_in
v4 (const char *ip, guint16 port)
{
  struct sockaddr_in a;
  memset (&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons (port);
  inet_pton (AF_INET, ip, &a.sin_addr);
  return a;
}

static SamtalStunVerdict
answer (const guint8 *msg, gsize len, const void *from, socklen_t from_len, gboolean controlling,
        guint8 *reply, gsize *reply_len)
{
  return samtal_relay_stun_answer (msg, len, from, from_len, TRUE, LOCAL_UFRAG, LOCAL_PWD,
                                   controlling, reply, SAMTAL_STUN_MAX_REPLY, reply_len);
}

/* The remote accepts the reply to its request and reads its own address back from it. */
static void
check_reply (Remote *r, guint8 *reply, gsize reply_len, const void *from, socklen_t from_len)
{
  StunMessage res;
  g_assert_cmpint (stun_agent_validate (&r->agent, &res, reply, reply_len, NULL, NULL), ==,
                   STUN_VALIDATION_SUCCESS);
  g_assert_cmpint (stun_message_get_class (&res), ==, STUN_RESPONSE);
  struct sockaddr_storage mapped;
  socklen_t mapped_len = sizeof mapped;
  g_assert_cmpint (stun_usage_ice_conncheck_process (&res, &mapped, &mapped_len,
                                                     STUN_USAGE_ICE_COMPATIBILITY_RFC5245),
                   ==, STUN_USAGE_ICE_RETURN_SUCCESS);
  g_assert_cmpuint (mapped_len, ==, from_len);
  g_assert_cmpmem (&mapped, from_len, from, from_len);
}

static void
test_consent_request_answered (void)
{
  Remote r;
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 0;
  struct sockaddr_in from = v4 ("127.0.0.1", 40123);

  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, FALSE);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_REPLY);
  check_reply (&r, reply, reply_len, &from, sizeof from);

  /* IPv6 source */
  struct sockaddr_in6 from6;
  memset (&from6, 0, sizeof from6);
  from6.sin6_family = AF_INET6;
  from6.sin6_port = htons (5004);
  inet_pton (AF_INET6, "::1", &from6.sin6_addr);
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, FALSE);
  g_assert_cmpint (answer (r.buf, r.len, &from6, sizeof from6, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_REPLY);
  check_reply (&r, reply, reply_len, &from6, sizeof from6);
}

/* A browser that offered first controls ICE and puts USE-CANDIDATE in every check of the pair it
 * uses (libwebrtc does): answered, not handed back (the caller saw it on the selected pair). */
static void
test_renomination_answered (void)
{
  Remote r;
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 0;
  struct sockaddr_in from = v4 ("127.0.0.1", 40123);

  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, TRUE, TRUE);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, FALSE, reply, &reply_len), ==,
                   SAMTAL_STUN_REPLY);
  check_reply (&r, reply, reply_len, &from, sizeof from);
  /* without USE-CANDIDATE from a controlling remote: a consent check, answered too */
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, TRUE);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, FALSE, reply, &reply_len), ==,
                   SAMTAL_STUN_REPLY);
  check_reply (&r, reply, reply_len, &from, sizeof from);

  /* from another of the remote's candidates (not the selected pair): its checks are answered,
   * a nomination of that pair is libnice's */
  struct sockaddr_in other = v4 ("127.0.0.1", 51873);
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, TRUE);
  g_assert_cmpint (samtal_relay_stun_answer (r.buf, r.len, (const void *) &other, sizeof other,
                                             FALSE, LOCAL_UFRAG, LOCAL_PWD, FALSE, reply,
                                             sizeof reply, &reply_len), ==, SAMTAL_STUN_REPLY);
  check_reply (&r, reply, reply_len, &other, sizeof other);
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, TRUE, TRUE);
  g_assert_cmpint (samtal_relay_stun_answer (r.buf, r.len, (const void *) &other, sizeof other,
                                             FALSE, LOCAL_UFRAG, LOCAL_PWD, FALSE, reply,
                                             sizeof reply, &reply_len), ==, SAMTAL_STUN_FOREIGN);
}

static void
test_bad_credentials_ignored (void)
{
  Remote r;
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 99;
  struct sockaddr_in from = v4 ("127.0.0.1", 40123);

  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, "another-password-entirely", FALSE, FALSE);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_IGNORE);
  g_assert_cmpuint (reply_len, ==, 0);
  make_request (&r, "xLy1:" REMOTE_UFRAG, LOCAL_PWD, FALSE, FALSE);   /* not our ufrag */
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_IGNORE);
  make_request (&r, LOCAL_UFRAG "x:" REMOTE_UFRAG, LOCAL_PWD, FALSE, FALSE);   /* longer one */
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_IGNORE);
  make_request (&r, LOCAL_UFRAG, LOCAL_PWD, FALSE, FALSE);   /* no colon */
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_IGNORE);
  /* one byte changed after the integrity was computed */
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, FALSE);
  r.buf[30] ^= 0x01;
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), !=,
                   SAMTAL_STUN_REPLY);
}

static void
test_libnice_business (void)
{
  Remote r;
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 0;
  struct sockaddr_in from = v4 ("127.0.0.1", 40123);

  /* USE-CANDIDATE from a controlled remote while we control: a conflict */
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, TRUE, FALSE);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_FOREIGN);
  /* a role conflict: both controlling */
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, TRUE);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_FOREIGN);
  /* a response (ours, fed back) */
  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, FALSE);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_REPLY);
  guint8 again[SAMTAL_STUN_MAX_REPLY];
  gsize again_len = 0;
  g_assert_cmpint (answer (reply, reply_len, &from, sizeof from, TRUE, again, &again_len), ==,
                   SAMTAL_STUN_FOREIGN);
  /* no room for the reply */
  gsize small_len = 0;
  g_assert_cmpint (samtal_relay_stun_answer (r.buf, r.len, (const void *) &from, sizeof from,
                                             TRUE, LOCAL_UFRAG, LOCAL_PWD, TRUE, reply, 100,
                                             &small_len),
                   ==, SAMTAL_STUN_FOREIGN);
  /* no credentials */
  g_assert_cmpint (samtal_relay_stun_answer (r.buf, r.len, (const void *) &from, sizeof from,
                                             TRUE, NULL, NULL, TRUE, reply, sizeof reply,
                                             &small_len),
                   ==, SAMTAL_STUN_FOREIGN);
}

static void
test_keepalive_ignored (void)
{
  Remote r;
  StunMessage msg;
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 0;
  struct sockaddr_in from = v4 ("127.0.0.1", 40123);

  remote_init (&r);
  r.len = stun_usage_bind_keepalive (&r.agent, &msg, r.buf, sizeof r.buf);
  g_assert_cmpuint (r.len, >=, 20);
  g_assert_cmpint (answer (r.buf, r.len, &from, sizeof from, TRUE, reply, &reply_len), ==,
                   SAMTAL_STUN_IGNORE);
}

/* Every cut of a valid request, and every single-bit change of its header, is refused or left
 * to libnice — never answered. */
static void
test_damaged_never_answered (void)
{
  Remote r;
  guint8 reply[SAMTAL_STUN_MAX_REPLY];
  gsize reply_len = 0;
  struct sockaddr_in from = v4 ("127.0.0.1", 40123);

  make_request (&r, LOCAL_UFRAG ":" REMOTE_UFRAG, LOCAL_PWD, FALSE, FALSE);
  for (gsize len = 0; len < r.len; len++)
    g_assert_cmpint (answer (r.buf, len, &from, sizeof from, TRUE, reply, &reply_len), !=,
                     SAMTAL_STUN_REPLY);
  for (guint bit = 0; bit < 20 * 8; bit++) {
    guint8 copy[sizeof r.buf];
    memcpy (copy, r.buf, r.len);
    copy[bit / 8] ^= (guint8) (1u << (bit % 8));
    g_assert_cmpint (answer (copy, r.len, &from, sizeof from, TRUE, reply, &reply_len), !=,
                     SAMTAL_STUN_REPLY);
  }
  guint8 noise[64];
  for (guint i = 0; i < 2000; i++) {
    for (guint k = 0; k < sizeof noise; k++)
      noise[k] = (guint8) g_test_rand_int_range (0, 256);
    noise[0] &= 0x03;
    answer (noise, (gsize) g_test_rand_int_range (0, sizeof noise + 1), &from, sizeof from, TRUE,
            reply, &reply_len);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/relay/stun/consent-request-answered", test_consent_request_answered);
  g_test_add_func ("/relay/stun/renomination-answered", test_renomination_answered);
  g_test_add_func ("/relay/stun/bad-credentials-ignored", test_bad_credentials_ignored);
  g_test_add_func ("/relay/stun/libnice-business", test_libnice_business);
  g_test_add_func ("/relay/stun/keepalive-ignored", test_keepalive_ignored);
  g_test_add_func ("/relay/stun/damaged-never-answered", test_damaged_never_answered);
  return g_test_run ();
}
