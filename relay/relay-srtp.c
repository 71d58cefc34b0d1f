/* relay-srtp.c — SRTP protect/unprotect of RTP packets with OpenSSL (relay-srtp.h says why).
 *
 * RFC 3711 as the two AES-CM profiles use it: session keys derived from the master key and salt
 * with AES-CM (key derivation rate 0, so once); the packet's keystream starts at
 * IV = (session salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16), index = ROC · 2^16 + SEQ;
 * the tag is HMAC-SHA1 over the packet (header in clear, payload encrypted) followed by the ROC,
 * cut to 10 or 4 bytes. A receiver guesses the index from the sequence number and the newest
 * index it has (Appendix A); for a stream's first packet it tries the roll-over counters around a
 * hint (samtal_srtp_expect_roc) or 0 and 1, whichever authenticates; it keeps the last 128 (relay-rtp.c's replay guard, which counts
 * from one roll-over up: ROC = guard index / 2^16 − 1).
 */
#include "relay/relay-srtp.h"

#include "relay/relay-rtp.h"

/* HMAC-SHA1 is computed here from SHA-1 states that already absorbed the padded key (RFC 2104),
 * with OpenSSL's low-level SHA1_* calls: deprecated in OpenSSL 3 in favour of EVP, but the same
 * SHA-1 code, and EVP's HMAC re-initialises (allocates and copies digest contexts) for every
 * packet, which cost about 2.5 µs per forwarded packet (bench/README.md). */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#define KEY_LEN 16
#define SALT_LEN 14
#define AUTH_KEY_LEN 20
#define SHA1_LEN 20
#define SHA1_BLOCK 64

/* key derivation labels (RFC 3711 4.3.2) */
#define LABEL_RTP_ENCRYPTION 0x00
#define LABEL_RTP_AUTH 0x01
#define LABEL_RTP_SALT 0x02

typedef struct {
  SamtalRelayReplayGuard guard;
} Stream;

#define RECENT_STREAMS 4

struct _SamtalSrtp {
  gsize tag_len;
  guint8 salt[SALT_LEN];
  EVP_CIPHER_CTX *aes;     /* AES-128-ECB with the session key: encrypts counter blocks */
  SHA_CTX inner;           /* SHA-1 after (auth key XOR ipad): HMAC's inner hash, started */
  SHA_CTX outer;           /* SHA-1 after (auth key XOR opad) */
  GHashTable *streams;     /* ssrc → Stream */
  GHashTable *roc_hints;   /* ssrc → roc + 1, for SSRCs not in streams yet */
  /* The streams used last (a session carries a few: audio, video, RTX), looked at before the
   * table: a hash look-up per packet cost more than the scan (streams are never removed, so the
   * pointers stay valid). */
  struct { guint32 ssrc; Stream *st; } recent[RECENT_STREAMS];
  guint recent_next;
};

GQuark samtal_srtp_error_quark (void);
G_DEFINE_QUARK (samtal-srtp-error-quark, samtal_srtp_error)

/* out[0, len) = AES-CM keystream of the master key for label (RFC 3711 4.3.1, r = 0). */
static gboolean
derive (const guint8 *master, guint8 label, guint8 *out, gsize len)
{
  guint8 iv[16] = { 0 };
  guint8 zeros[32] = { 0 };
  int n = 0;
  gboolean ok;

  memcpy (iv, master + KEY_LEN, SALT_LEN);
  iv[7] ^= label;   /* key_id = label || r (48 bits) lines up with the salt's last 7 bytes */
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new ();
  ok = c != NULL && len <= sizeof zeros &&
       EVP_EncryptInit_ex (c, EVP_aes_128_ctr (), NULL, master, iv) == 1 &&
       EVP_EncryptUpdate (c, out, &n, zeros, (int) len) == 1 && (gsize) n == len;
  EVP_CIPHER_CTX_free (c);
  OPENSSL_cleanse (iv, sizeof iv);
  return ok;
}

/* HMAC's two hash states for key (shorter than a block, as SRTP's 20-byte auth key is). */
static gboolean
hmac_init (SamtalSrtp *s, const guint8 *key, gsize len)
{
  guint8 pad[SHA1_BLOCK];
  gboolean ok;

  memset (pad, 0x36, sizeof pad);
  for (gsize i = 0; i < len; i++)
    pad[i] ^= key[i];
  ok = SHA1_Init (&s->inner) == 1 && SHA1_Update (&s->inner, pad, sizeof pad) == 1;
  memset (pad, 0x5c, sizeof pad);
  for (gsize i = 0; i < len; i++)
    pad[i] ^= key[i];
  ok = ok && SHA1_Init (&s->outer) == 1 && SHA1_Update (&s->outer, pad, sizeof pad) == 1;
  OPENSSL_cleanse (pad, sizeof pad);
  return ok;
}

static gboolean
session_init (SamtalSrtp *s, const guint8 *master)
{
  guint8 key[KEY_LEN], auth[AUTH_KEY_LEN];
  gboolean ok = derive (master, LABEL_RTP_ENCRYPTION, key, sizeof key) &&
                derive (master, LABEL_RTP_AUTH, auth, sizeof auth) &&
                derive (master, LABEL_RTP_SALT, s->salt, sizeof s->salt);

  ok = ok && (s->aes = EVP_CIPHER_CTX_new ()) != NULL &&
       EVP_EncryptInit_ex (s->aes, EVP_aes_128_ecb (), NULL, key, NULL) == 1 &&
       EVP_CIPHER_CTX_set_padding (s->aes, 0) == 1;
  ok = ok && hmac_init (s, auth, sizeof auth);
  OPENSSL_cleanse (key, sizeof key);
  OPENSSL_cleanse (auth, sizeof auth);
  return ok;
}

SamtalSrtp *
samtal_srtp_new (SamtalSrtpProfile profile, const guint8 *master, gsize len, GError **error)
{
  if (len != SAMTAL_SRTP_MASTER_LEN ||
      (profile != SAMTAL_SRTP_AES128_CM_SHA1_80 && profile != SAMTAL_SRTP_AES128_CM_SHA1_32)) {
    g_set_error (error, samtal_srtp_error_quark (), 0,
                 "SRTP needs a %d-byte master key and salt and an AES-CM profile (got %zu bytes)",
                 SAMTAL_SRTP_MASTER_LEN, len);
    return NULL;
  }
  SamtalSrtp *s = g_new0 (SamtalSrtp, 1);
  s->tag_len = profile == SAMTAL_SRTP_AES128_CM_SHA1_80 ? 10 : 4;
  s->streams = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  s->roc_hints = g_hash_table_new (NULL, NULL);
  if (!session_init (s, master)) {
    g_set_error (error, samtal_srtp_error_quark (), 0, "the crypto library refused the SRTP key");
    samtal_srtp_free (s);
    return NULL;
  }
  return s;
}

void
samtal_srtp_free (SamtalSrtp *s)
{
  if (s == NULL)
    return;
  EVP_CIPHER_CTX_free (s->aes);
  OPENSSL_cleanse (&s->inner, sizeof s->inner);
  OPENSSL_cleanse (&s->outer, sizeof s->outer);
  g_hash_table_unref (s->streams);
  g_hash_table_unref (s->roc_hints);
  OPENSSL_cleanse (s->salt, sizeof s->salt);
  g_free (s);
}

gsize
samtal_srtp_tag_len (const SamtalSrtp *s)
{
  return s->tag_len;
}

const char *
samtal_srtp_result_string (SamtalSrtpResult r)
{
  switch (r) {
  case SAMTAL_SRTP_OK: return "ok";
  case SAMTAL_SRTP_MALFORMED: return "not an RTP packet";
  case SAMTAL_SRTP_AUTH_FAILED: return "authentication failed";
  case SAMTAL_SRTP_REPLAYED: return "replayed or too old";
  case SAMTAL_SRTP_TOO_MANY: return "too many SSRCs";
  case SAMTAL_SRTP_CRYPTO_ERROR: return "crypto library error";
  }
  return "unknown";
}

/* Length of the RTP header (fixed part, CSRCs, extension) of pkt[0, len), 0 if it is not one. */
static gsize
rtp_header_len (const guint8 *pkt, gsize len)
{
  if (len < 12 || (pkt[0] >> 6) != 2)
    return 0;
  gsize head = 12 + 4 * (gsize) (pkt[0] & 0x0f);
  if ((pkt[0] & 0x10) && head + 4 <= len)
    head += 4 + 4 * (gsize) ((pkt[head + 2] << 8) | pkt[head + 3]);
  else if (pkt[0] & 0x10)
    return 0;
  return head <= len ? head : 0;
}

static void
remember (SamtalSrtp *s, guint32 ssrc, Stream *st)
{
  s->recent[s->recent_next].ssrc = ssrc;
  s->recent[s->recent_next].st = st;
  s->recent_next = (s->recent_next + 1) % RECENT_STREAMS;
}

/* The replay guard of ssrc; a fresh one (not stored yet: see keep_stream) if it is new. */
static SamtalRelayReplayGuard *
guard_for (SamtalSrtp *s, guint32 ssrc, SamtalRelayReplayGuard *fresh)
{
  for (guint i = 0; i < RECENT_STREAMS; i++)
    if (s->recent[i].st != NULL && s->recent[i].ssrc == ssrc)
      return &s->recent[i].st->guard;
  Stream *st = g_hash_table_lookup (s->streams, GUINT_TO_POINTER (ssrc));
  if (st != NULL) {
    remember (s, ssrc, st);
    return &st->guard;
  }
  memset (fresh, 0, sizeof *fresh);
  return fresh;
}

/* Records index for ssrc; a new SSRC gets its state only now, after its packet checked out, so
 * forged packets cannot fill the table. */
static gboolean
keep_stream (SamtalSrtp *s, guint32 ssrc, SamtalRelayReplayGuard *guard,
             SamtalRelayReplayGuard *fresh, guint64 index)
{
  if (guard == fresh) {
    if (g_hash_table_size (s->streams) >= SAMTAL_SRTP_MAX_STREAMS)
      return FALSE;
    Stream *st = g_new0 (Stream, 1);
    g_hash_table_insert (s->streams, GUINT_TO_POINTER (ssrc), st);
    remember (s, ssrc, st);
    guard = &st->guard;
  }
  samtal_relay_replay_commit (guard, index);
  return TRUE;
}

static guint32
read_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* XOR of the keystream for (ssrc, roc, seq) into data[0, len). Counter mode done by hand: the
 * counter blocks (the IV with the block number in its last 16 bits, which the salt leaves zero)
 * are encrypted in one ECB call per KEYSTREAM_BLOCKS, without re-initialising the cipher for
 * every packet (OpenSSL 3's EVP_EncryptInit_ex for a new IV cost about 1 µs per forwarded
 * packet). */
#define KEYSTREAM_BLOCKS 64

static gboolean
apply_keystream (SamtalSrtp *s, guint32 ssrc, guint32 roc, guint16 seq, guint8 *data, gsize len)
{
  guint8 iv[16] = { 0 };
  guint8 ctr[KEYSTREAM_BLOCKS * 16], ks[KEYSTREAM_BLOCKS * 16];
  gboolean ok = TRUE;

  memcpy (iv, s->salt, SALT_LEN);
  for (int i = 0; i < 4; i++) {
    iv[4 + i] ^= (guint8) (ssrc >> (24 - 8 * i));
    iv[8 + i] ^= (guint8) (roc >> (24 - 8 * i));
  }
  iv[12] ^= (guint8) (seq >> 8);
  iv[13] ^= (guint8) seq;
  if (len > 65536 * 16)
    return FALSE;    /* the 16-bit block counter would wrap (RTP packets are far smaller) */
  for (gsize block = 0, off = 0; ok && off < len; ) {
    gsize n_blocks = MIN ((len - off + 15) / 16, KEYSTREAM_BLOCKS);
    for (gsize b = 0; b < n_blocks; b++) {
      memcpy (ctr + 16 * b, iv, 14);
      ctr[16 * b + 14] = (guint8) ((block + b) >> 8);
      ctr[16 * b + 15] = (guint8) (block + b);
    }
    int n = 0;
    ok = EVP_EncryptUpdate (s->aes, ks, &n, ctr, (int) (16 * n_blocks)) == 1 &&
         (gsize) n == 16 * n_blocks;
    gsize chunk = MIN (len - off, 16 * n_blocks);
    for (gsize k = 0; ok && k < chunk; k++)
      data[off + k] ^= ks[k];
    off += chunk;
    block += n_blocks;
  }
  /* ks is not cleansed: keystream XOR the packet is the plaintext, which is in memory anyway. */
  return ok;
}

/* tag[0, s->tag_len) = HMAC-SHA1 (data[0, len) || roc), cut. */
static gboolean
compute_tag (SamtalSrtp *s, const guint8 *data, gsize len, guint32 roc, guint8 *tag)
{
  guint8 r[4] = { roc >> 24, roc >> 16, roc >> 8, roc };
  guint8 inner[SHA1_LEN], full[SHA1_LEN];
  SHA_CTX c = s->inner;
  gboolean ok = SHA1_Update (&c, data, len) == 1 && SHA1_Update (&c, r, sizeof r) == 1 &&
                SHA1_Final (inner, &c) == 1;
  c = s->outer;
  ok = ok && SHA1_Update (&c, inner, sizeof inner) == 1 && SHA1_Final (full, &c) == 1;
  if (ok)
    memcpy (tag, full, s->tag_len);
  return ok;   /* c holds a digest after SHA1_Final, no longer the key's state */
}

/* The replay guard's index as SRTP's (ROC, SEQ); FALSE if it is from before the first packet. */
static gboolean
split_index (guint64 index, guint32 *roc)
{
  guint64 first = samtal_relay_replay_first_index ();
  if (index < first || ((index - first) >> 16) > G_MAXUINT32)
    return FALSE;
  *roc = (guint32) ((index - first) >> 16);
  return TRUE;
}

SamtalSrtpResult
samtal_srtp_protect (SamtalSrtp *s, guint8 *pkt, gsize len, gsize cap, gsize *out_len)
{
  gsize head = rtp_header_len (pkt, len);
  guint64 index;
  guint32 roc;

  if (head == 0 || cap < len + s->tag_len || len > G_MAXINT)
    return SAMTAL_SRTP_MALFORMED;
  guint32 ssrc = read_u32 (pkt + 8);
  guint16 seq = (guint16) ((pkt[2] << 8) | pkt[3]);
  SamtalRelayReplayGuard fresh;
  SamtalRelayReplayGuard *guard = guard_for (s, ssrc, &fresh);
  if (!samtal_relay_replay_check (guard, seq, &index) || !split_index (index, &roc))
    return SAMTAL_SRTP_REPLAYED;   /* the same index twice would reuse keystream */
  if (guard == &fresh && g_hash_table_size (s->streams) >= SAMTAL_SRTP_MAX_STREAMS)
    return SAMTAL_SRTP_TOO_MANY;
  if (!apply_keystream (s, ssrc, roc, seq, pkt + head, len - head) ||
      !compute_tag (s, pkt, len, roc, pkt + len))
    return SAMTAL_SRTP_CRYPTO_ERROR;   /* pkt is garbage now; the caller drops it */
  keep_stream (s, ssrc, guard, &fresh, index);
  *out_len = len + s->tag_len;
  return SAMTAL_SRTP_OK;
}

void
samtal_srtp_expect_roc (SamtalSrtp *s, guint32 ssrc, guint32 roc)
{
  if (roc == G_MAXUINT32 || g_hash_table_contains (s->streams, GUINT_TO_POINTER (ssrc)) ||
      g_hash_table_size (s->roc_hints) >= SAMTAL_SRTP_MAX_STREAMS)
    return;
  g_hash_table_replace (s->roc_hints, GUINT_TO_POINTER (ssrc), GUINT_TO_POINTER (roc + 1));
}

/* The first packet of a stream: which roll-over counter authenticates it (of the hint's
 * neighbourhood, or 0 and 1). FALSE if none does. */
static gboolean
first_roc (SamtalSrtp *s, const guint8 *pkt, gsize body, guint32 ssrc, guint32 *roc)
{
  guint8 tag[SAMTAL_SRTP_MAX_TAG];
  guint32 hint = GPOINTER_TO_UINT (g_hash_table_lookup (s->roc_hints, GUINT_TO_POINTER (ssrc)));
  guint32 tries[3] = { 0, 1, 0 };
  guint n = 2;

  if (hint != 0) {   /* stored as roc + 1 */
    tries[0] = hint - 1;
    tries[1] = hint;
    tries[2] = hint - 2;
    n = hint >= 2 ? 3 : 2;
  }
  for (guint i = 0; i < n; i++) {
    if (!compute_tag (s, pkt, body, tries[i], tag))
      return FALSE;
    if (CRYPTO_memcmp (tag, pkt + body, s->tag_len) == 0) {
      *roc = tries[i];
      return TRUE;
    }
  }
  return FALSE;
}

/* The first packet of ssrc, with its roll-over counter found by first_roc. */
static SamtalSrtpResult
unprotect_first (SamtalSrtp *s, guint8 *pkt, gsize len, gsize head, guint32 ssrc, guint16 seq,
                 gsize *out_len)
{
  SamtalRelayReplayGuard fresh = { 0 };
  gsize body = len - s->tag_len;
  guint32 roc = 0;

  if (g_hash_table_size (s->streams) >= SAMTAL_SRTP_MAX_STREAMS)
    return SAMTAL_SRTP_TOO_MANY;
  if (!first_roc (s, pkt, body, ssrc, &roc))
    return SAMTAL_SRTP_AUTH_FAILED;
  if (!apply_keystream (s, ssrc, roc, seq, pkt + head, body - head))
    return SAMTAL_SRTP_CRYPTO_ERROR;
  guint64 index = samtal_relay_replay_first_index () + ((guint64) roc << 16) + seq;
  keep_stream (s, ssrc, &fresh, &fresh, index);
  g_hash_table_remove (s->roc_hints, GUINT_TO_POINTER (ssrc));
  *out_len = body;
  return SAMTAL_SRTP_OK;
}

SamtalSrtpResult
samtal_srtp_unprotect (SamtalSrtp *s, guint8 *pkt, gsize len, gsize *out_len)
{
  guint8 tag[SAMTAL_SRTP_MAX_TAG];
  guint64 index;
  guint32 roc;

  if (len < s->tag_len || len > G_MAXINT)
    return SAMTAL_SRTP_MALFORMED;
  gsize body = len - s->tag_len;
  gsize head = rtp_header_len (pkt, body);
  if (head == 0)
    return SAMTAL_SRTP_MALFORMED;
  guint32 ssrc = read_u32 (pkt + 8);
  guint16 seq = (guint16) ((pkt[2] << 8) | pkt[3]);
  SamtalRelayReplayGuard fresh;
  SamtalRelayReplayGuard *guard = guard_for (s, ssrc, &fresh);
  if (guard == &fresh)
    return unprotect_first (s, pkt, len, head, ssrc, seq, out_len);
  if (!samtal_relay_replay_check (guard, seq, &index) || !split_index (index, &roc))
    return SAMTAL_SRTP_REPLAYED;
  if (!compute_tag (s, pkt, body, roc, tag))
    return SAMTAL_SRTP_CRYPTO_ERROR;
  if (CRYPTO_memcmp (tag, pkt + body, s->tag_len) != 0)
    return SAMTAL_SRTP_AUTH_FAILED;
  if (!apply_keystream (s, ssrc, roc, seq, pkt + head, body - head))
    return SAMTAL_SRTP_CRYPTO_ERROR;
  samtal_relay_replay_commit (guard, index);
  *out_len = body;
  return SAMTAL_SRTP_OK;
}
