/* notecrypt.h — case notes encrypted at rest (libsodium XChaCha20-Poly1305, IETF variant).
 *
 * A sealed note is nonce (24 random bytes) ‖ ciphertext ‖ tag (16 bytes), under the 32-byte key
 * in notes.key. The associated data binds it to its row: "samtal-note-v1" ‖ case id ‖ note id
 * (both 64-bit big-endian), so a ciphertext copied to another note or case fails to open.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAMTAL_NOTE_KEY_BYTES 32
#define SAMTAL_NOTE_MAX_BYTES (64 * 1024)   /* longest note body accepted, in bytes */

#define SAMTAL_NOTE_ERROR (samtal_note_error_quark ())
GQuark samtal_note_error_quark (void);

typedef enum {
  SAMTAL_NOTE_ERROR_TOO_LARGE,
  SAMTAL_NOTE_ERROR_DECRYPT,   /* wrong key, wrong row, truncated or altered */
} SamtalNoteError;

/* Encrypts body (len bytes) for the note note_id of case case_id. Returns the sealed bytes. */
GBytes *samtal_note_seal (const guint8 *key, gint64 case_id, gint64 note_id, const char *body,
                          gsize len, GError **error);

/* Decrypts a sealed note. Returns the NUL-terminated body (transfer full) or NULL and error. */
char *samtal_note_open (const guint8 *key, gint64 case_id, gint64 note_id, const guint8 *sealed,
                        gsize len, GError **error);

G_END_DECLS
