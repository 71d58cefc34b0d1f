/* message.c — parse, validate and serialise signaling messages (see message.h, PROTOCOL.md).
 *
 * Parsing runs in stages so that hostile input is stopped early and cheaply: the byte length,
 * then UTF-8 and NUL, then a scan of the nesting depth (json-glib's parser recurses, so deep
 * input must never reach it), then json-glib, then a per-type table of fields with their JSON
 * types and length limits. What the server sends may be larger in three places (see
 * SAMTAL_MSG_MAX_SERVER_* in message.h); a Limits record per direction carries the difference.
 */
#include "message.h"

#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK (samtal-msg-parse-error-quark, samtal_msg_parse_error)

/* The limits that depend on the direction. */
typedef struct {
  gsize bytes;                /* whole message */
  gsize sdp;
  gint64 mline_index;
} Limits;

static const Limits client_limits = { SAMTAL_MSG_MAX_BYTES, SAMTAL_MSG_MAX_SDP,
                                      SAMTAL_MSG_MAX_MLINE_INDEX };
static const Limits server_limits = { SAMTAL_MSG_MAX_SERVER_BYTES, SAMTAL_MSG_MAX_SERVER_SDP,
                                      SAMTAL_MSG_MAX_SERVER_MLINE_INDEX };

static const char *const type_names[] = {
  [SAMTAL_MSG_INVALID] = NULL,
  [SAMTAL_MSG_JOIN] = "join",
  [SAMTAL_MSG_OFFER] = "offer",
  [SAMTAL_MSG_ANSWER] = "answer",
  [SAMTAL_MSG_ICE] = "ice",
  [SAMTAL_MSG_ADMIT] = "admit",
  [SAMTAL_MSG_REMOVE] = "remove",
  [SAMTAL_MSG_END] = "end",
  [SAMTAL_MSG_MUTE] = "mute",
  [SAMTAL_MSG_LEAVE] = "leave",
  [SAMTAL_MSG_PING] = "ping",
  [SAMTAL_MSG_JOINED] = "joined",
  [SAMTAL_MSG_ADMITTED] = "admitted",
  [SAMTAL_MSG_PRESENCE] = "presence",
  [SAMTAL_MSG_REMOVED] = "removed",
  [SAMTAL_MSG_ENDED] = "ended",
  [SAMTAL_MSG_MEDIA_FAILED] = "media_failed",
  [SAMTAL_MSG_ERROR] = "error",
  [SAMTAL_MSG_PONG] = "pong",
};

const char *
samtal_msg_type_to_string (SamtalMsgType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_names))
    return NULL;
  return type_names[type];
}

SamtalMsgType
samtal_msg_type_from_string (const char *name)
{
  for (guint i = 1; name != NULL && i < G_N_ELEMENTS (type_names); i++)
    if (strcmp (type_names[i], name) == 0)
      return (SamtalMsgType) i;
  return SAMTAL_MSG_INVALID;
}

static gboolean
type_allowed (SamtalMsgType type, SamtalMsgDirection dir)
{
  switch (type) {
  case SAMTAL_MSG_OFFER:
  case SAMTAL_MSG_ANSWER:
  case SAMTAL_MSG_ICE:
    return TRUE;
  case SAMTAL_MSG_JOIN:
  case SAMTAL_MSG_ADMIT:
  case SAMTAL_MSG_REMOVE:
  case SAMTAL_MSG_END:
  case SAMTAL_MSG_MUTE:
  case SAMTAL_MSG_LEAVE:
  case SAMTAL_MSG_PING:
    return dir == SAMTAL_MSG_FROM_CLIENT;
  case SAMTAL_MSG_INVALID:
    return FALSE;
  default:
    return dir == SAMTAL_MSG_FROM_SERVER;
  }
}

/* ---- object lifecycle ---- */

SamtalMsg *
samtal_msg_new (SamtalMsgType type)
{
  SamtalMsg *m = g_new0 (SamtalMsg, 1);
  m->type = type;
  return m;
}

SamtalMsgParticipant *
samtal_msg_participant_new (const char *participant_id, const char *name, const char *role,
                            const char *state)
{
  SamtalMsgParticipant *p = g_new0 (SamtalMsgParticipant, 1);
  p->participant_id = g_strdup (participant_id);
  p->name = g_strdup (name);
  p->role = g_strdup (role);
  p->state = g_strdup (state);
  return p;
}

SamtalMsgParticipant *
samtal_msg_participant_copy (const SamtalMsgParticipant *p)
{
  SamtalMsgParticipant *c =
    samtal_msg_participant_new (p->participant_id, p->name, p->role, p->state);
  c->audio_muted = p->audio_muted;
  c->video_muted = p->video_muted;
  return c;
}

void
samtal_msg_participant_free (SamtalMsgParticipant *p)
{
  if (p == NULL)
    return;
  g_free (p->participant_id);
  g_free (p->name);
  g_free (p->role);
  g_free (p->state);
  g_free (p);
}

SamtalMsgTrack *
samtal_msg_track_new (const char *mid, const char *participant_id, const char *kind)
{
  SamtalMsgTrack *t = g_new0 (SamtalMsgTrack, 1);
  t->mid = g_strdup (mid);
  t->participant_id = g_strdup (participant_id);
  t->kind = g_strdup (kind);
  return t;
}

void
samtal_msg_track_free (SamtalMsgTrack *t)
{
  if (t == NULL)
    return;
  g_free (t->mid);
  g_free (t->participant_id);
  g_free (t->kind);
  g_free (t);
}

void
samtal_msg_free (SamtalMsg *m)
{
  if (m == NULL)
    return;
  g_free (m->token);
  g_free (m->sdp);
  g_free (m->candidate);
  g_free (m->mid);
  g_free (m->participant_id);
  g_free (m->kind);
  g_free (m->role);
  g_free (m->state);
  g_free (m->event);
  g_free (m->reason);
  g_free (m->code);
  g_free (m->message);
  g_free (m->request);
  samtal_msg_participant_free (m->participant);
  g_clear_pointer (&m->participants, g_ptr_array_unref);
  g_clear_pointer (&m->tracks, g_ptr_array_unref);
  g_free (m);
}

SamtalMsg *
samtal_msg_copy (const SamtalMsg *m)
{
  SamtalMsg *c = g_memdup2 (m, sizeof *m);
  c->token = g_strdup (m->token);
  c->sdp = g_strdup (m->sdp);
  c->candidate = g_strdup (m->candidate);
  c->mid = g_strdup (m->mid);
  c->participant_id = g_strdup (m->participant_id);
  c->kind = g_strdup (m->kind);
  c->role = g_strdup (m->role);
  c->state = g_strdup (m->state);
  c->event = g_strdup (m->event);
  c->reason = g_strdup (m->reason);
  c->code = g_strdup (m->code);
  c->message = g_strdup (m->message);
  c->request = g_strdup (m->request);
  c->participant = m->participant ? samtal_msg_participant_copy (m->participant) : NULL;
  c->participants = NULL;
  c->tracks = NULL;
  if (m->participants != NULL) {
    c->participants = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_participant_free);
    for (guint i = 0; i < m->participants->len; i++)
      g_ptr_array_add (c->participants,
                       samtal_msg_participant_copy (g_ptr_array_index (m->participants, i)));
  }
  if (m->tracks != NULL) {
    c->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) samtal_msg_track_free);
    for (guint i = 0; i < m->tracks->len; i++) {
      const SamtalMsgTrack *t = g_ptr_array_index (m->tracks, i);
      g_ptr_array_add (c->tracks, samtal_msg_track_new (t->mid, t->participant_id, t->kind));
    }
  }
  return c;
}

SamtalMsg *
samtal_msg_new_error (const char *code, const char *message, const char *request, gboolean fatal)
{
  SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_ERROR);
  m->code = g_strdup (code);
  m->message = g_strdup (message);
  m->request = g_strdup (request);
  m->fatal = fatal;
  return m;
}

SamtalMsg *
samtal_msg_new_join (const char *token, gint64 meeting_id)
{
  SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_JOIN);
  m->token = g_strdup (token);
  m->meeting_id = meeting_id;
  return m;
}

SamtalMsg *
samtal_msg_new_sdp (SamtalMsgType type, const char *sdp)
{
  SamtalMsg *m = samtal_msg_new (type);
  m->sdp = g_strdup (sdp);
  return m;
}

SamtalMsg *
samtal_msg_new_ice (const char *candidate, gint mline_index, const char *mid)
{
  SamtalMsg *m = samtal_msg_new (SAMTAL_MSG_ICE);
  m->candidate = g_strdup (candidate != NULL ? candidate : "");
  m->mline_index = mline_index;
  m->mid = g_strdup (mid);
  return m;
}

SamtalMsg *
samtal_msg_new_for_participant (SamtalMsgType type, const char *participant_id)
{
  SamtalMsg *m = samtal_msg_new (type);
  m->participant_id = g_strdup (participant_id);
  return m;
}

const char *
samtal_msg_error_wire_code (const GError *error)
{
  if (error == NULL || error->domain != SAMTAL_MSG_PARSE_ERROR)
    return SAMTAL_ERR_BAD_MESSAGE;
  switch ((SamtalMsgParseError) error->code) {
  case SAMTAL_MSG_PARSE_ERROR_TOO_LARGE:
    return SAMTAL_ERR_TOO_LARGE;
  case SAMTAL_MSG_PARSE_ERROR_BAD_JSON:
    return SAMTAL_ERR_BAD_JSON;
  case SAMTAL_MSG_PARSE_ERROR_UNKNOWN_TYPE:
    return SAMTAL_ERR_UNKNOWN_TYPE;
  case SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE:
  default:
    return SAMTAL_ERR_BAD_MESSAGE;
  }
}

/* ---- pre-parse checks ---- */

/* Nesting depth of JSON text, ignoring brackets inside strings. Stops early past max. */
static guint
json_depth (const char *data, gsize len, guint max)
{
  guint depth = 0, deepest = 0;
  gboolean in_string = FALSE, escaped = FALSE;
  for (gsize i = 0; i < len; i++) {
    char ch = data[i];
    if (in_string) {
      if (escaped)
        escaped = FALSE;
      else if (ch == '\\')
        escaped = TRUE;
      else if (ch == '"')
        in_string = FALSE;
      continue;
    }
    if (ch == '"')
      in_string = TRUE;
    else if (ch == '{' || ch == '[') {
      depth++;
      deepest = MAX (deepest, depth);
      if (deepest > max)
        return deepest;
    } else if ((ch == '}' || ch == ']') && depth > 0)
      depth--;
  }
  return deepest;
}

static gboolean
check_text (const char *data, gsize len, gsize max_bytes, GError **error)
{
  if (len > max_bytes) {
    g_set_error (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_TOO_LARGE,
                 "message of %" G_GSIZE_FORMAT " bytes is above the limit of %" G_GSIZE_FORMAT,
                 len, max_bytes);
    return FALSE;
  }
  if (len == 0 || memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL)) {
    g_set_error_literal (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_BAD_JSON,
                         "message must be non-empty UTF-8 text without NUL");
    return FALSE;
  }
  if (json_depth (data, len, SAMTAL_MSG_MAX_DEPTH) > SAMTAL_MSG_MAX_DEPTH) {
    g_set_error (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_BAD_JSON,
                 "JSON nested deeper than %d", SAMTAL_MSG_MAX_DEPTH);
    return FALSE;
  }
  return TRUE;
}

/* ---- field readers ---- */

static gboolean
bad_field (GError **error, const char *field, const char *what)
{
  g_set_error (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE, "field \"%s\" %s", field,
               what);
  return FALSE;
}

static gboolean
is_id (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '-' && *s != '.')
      return FALSE;
  return TRUE;
}

typedef enum { STR_ANY = 0, STR_NONEMPTY = 1, STR_ID = 2 } StrRule;

/* Reads a string member. *out stays NULL when absent and optional. */
static gboolean
read_string (JsonObject *o, const char *name, gboolean required, gsize max, StrRule rule,
             char **out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return required ? bad_field (error, name, "is required") : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return bad_field (error, name, "must be a string");
  const char *s = json_node_get_string (n);
  if (strlen (s) > max)
    return bad_field (error, name, "is too long");
  if (rule == STR_NONEMPTY && *s == '\0')
    return bad_field (error, name, "must not be empty");
  if (rule == STR_ID && !is_id (s))
    return bad_field (error, name, "must be 1-64 characters of A-Z a-z 0-9 _ . -");
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
read_int (JsonObject *o, const char *name, gboolean required, gint64 min, gint64 max, gint64 *out,
          GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return required ? bad_field (error, name, "is required") : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return bad_field (error, name, "must be an integer");
  gint64 v = json_node_get_int (n);
  if (v < min || v > max)
    return bad_field (error, name, "is out of range");
  *out = v;
  return TRUE;
}

static gboolean
read_bool (JsonObject *o, const char *name, gboolean required, gboolean *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return required ? bad_field (error, name, "is required") : TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return bad_field (error, name, "must be true or false");
  *out = json_node_get_boolean (n);
  return TRUE;
}

static gboolean
read_enum (JsonObject *o, const char *name, gboolean required, const char *const *allowed,
           char **out, GError **error)
{
  g_autofree char *s = NULL;
  if (!read_string (o, name, required, SAMTAL_MSG_MAX_ID, STR_ANY, &s, error))
    return FALSE;
  if (s == NULL)
    return TRUE;
  if (!g_strv_contains (allowed, s))
    return bad_field (error, name, "has a value that is not allowed");
  *out = g_steal_pointer (&s);
  return TRUE;
}

static const char *const kinds[] = { "audio", "video", NULL };
static const char *const states[] = { "waiting", "admitted", NULL };
static const char *const roles[] = { "client", "caseworker", "officer", "admin", "interpreter",
                                     "guest", NULL };
static const char *const events[] = { "joined", "left", "admitted", "removed", "muted",
                                      "unmuted", "media_failed", NULL };

static SamtalMsgParticipant *
read_participant (JsonNode *n, GError **error)
{
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n)) {
    bad_field (error, "participant", "must be an object");
    return NULL;
  }
  JsonObject *o = json_node_get_object (n);
  SamtalMsgParticipant *p = g_new0 (SamtalMsgParticipant, 1);
  if (!read_string (o, "participant_id", TRUE, SAMTAL_MSG_MAX_ID, STR_ID, &p->participant_id,
                    error) ||
      !read_string (o, "name", TRUE, SAMTAL_MSG_MAX_NAME, STR_ANY, &p->name, error) ||
      !read_enum (o, "role", TRUE, roles, &p->role, error) ||
      !read_enum (o, "state", TRUE, states, &p->state, error) ||
      !read_bool (o, "audio_muted", FALSE, &p->audio_muted, error) ||
      !read_bool (o, "video_muted", FALSE, &p->video_muted, error)) {
    samtal_msg_participant_free (p);
    return NULL;
  }
  return p;
}

static SamtalMsgTrack *
read_track (JsonNode *n, GError **error)
{
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n)) {
    bad_field (error, "tracks", "must hold objects");
    return NULL;
  }
  JsonObject *o = json_node_get_object (n);
  SamtalMsgTrack *t = g_new0 (SamtalMsgTrack, 1);
  if (!read_string (o, "mid", TRUE, SAMTAL_MSG_MAX_ID, STR_ID, &t->mid, error) ||
      !read_string (o, "participant_id", TRUE, SAMTAL_MSG_MAX_ID, STR_ID, &t->participant_id,
                    error) ||
      !read_enum (o, "kind", TRUE, kinds, &t->kind, error)) {
    samtal_msg_track_free (t);
    return NULL;
  }
  return t;
}

typedef gpointer (*ItemReader) (JsonNode *n, GError **error);

static gboolean
read_list (JsonObject *o, const char *name, ItemReader reader, GDestroyNotify free_item,
           GPtrArray **out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (n))
    return bad_field (error, name, "must be an array");
  JsonArray *a = json_node_get_array (n);
  guint len = json_array_get_length (a);
  if (len > SAMTAL_MSG_MAX_LIST)
    return bad_field (error, name, "has too many entries");
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (free_item);
  for (guint i = 0; i < len; i++) {
    gpointer item = reader (json_array_get_element (a, i), error);
    if (item == NULL)
      return FALSE;
    g_ptr_array_add (list, item);
  }
  *out = g_steal_pointer (&list);
  return TRUE;
}

/* ---- per-type field tables ---- */

static gboolean
read_ice (JsonObject *o, SamtalMsg *m, const Limits *limits, GError **error)
{
  gint64 idx = 0;
  if (!read_string (o, "candidate", TRUE, SAMTAL_MSG_MAX_CANDIDATE, STR_ANY, &m->candidate,
                    error) ||
      !read_int (o, "sdpMLineIndex", TRUE, 0, limits->mline_index, &idx, error) ||
      !read_string (o, "sdpMid", FALSE, SAMTAL_MSG_MAX_ID, STR_ID, &m->mid, error))
    return FALSE;
  m->mline_index = (gint) idx;
  return TRUE;
}

static gboolean
read_client_fields (JsonObject *o, SamtalMsg *m, GError **error)
{
  switch (m->type) {
  case SAMTAL_MSG_JOIN:
    return read_string (o, "token", TRUE, SAMTAL_MSG_MAX_TOKEN, STR_NONEMPTY, &m->token, error) &&
           read_int (o, "meeting_id", FALSE, 1, G_MAXINT64, &m->meeting_id, error);
  case SAMTAL_MSG_OFFER:
  case SAMTAL_MSG_ANSWER:
    return read_string (o, "sdp", TRUE, client_limits.sdp, STR_NONEMPTY, &m->sdp, error);
  case SAMTAL_MSG_ICE:
    return read_ice (o, m, &client_limits, error);
  case SAMTAL_MSG_ADMIT:
  case SAMTAL_MSG_REMOVE:
    return read_string (o, "participant_id", TRUE, SAMTAL_MSG_MAX_ID, STR_ID, &m->participant_id,
                        error);
  case SAMTAL_MSG_END:
    return read_string (o, "reason", FALSE, SAMTAL_MSG_MAX_TEXT, STR_ANY, &m->reason, error);
  case SAMTAL_MSG_MUTE:
    return read_enum (o, "kind", TRUE, kinds, &m->kind, error) &&
           read_bool (o, "muted", TRUE, &m->muted, error);
  default:
    return TRUE;
  }
}

static gboolean
read_server_fields (JsonObject *o, SamtalMsg *m, GError **error)
{
  switch (m->type) {
  case SAMTAL_MSG_JOINED:
    return read_int (o, "meeting_id", TRUE, 1, G_MAXINT64, &m->meeting_id, error) &&
           read_string (o, "participant_id", TRUE, SAMTAL_MSG_MAX_ID, STR_ID, &m->participant_id,
                        error) &&
           read_enum (o, "role", TRUE, roles, &m->role, error) &&
           read_enum (o, "state", TRUE, states, &m->state, error) &&
           read_list (o, "participants", (ItemReader) read_participant,
                      (GDestroyNotify) samtal_msg_participant_free, &m->participants, error);
  case SAMTAL_MSG_PRESENCE:
    if (!read_enum (o, "event", TRUE, events, &m->event, error) ||
        !read_enum (o, "kind", FALSE, kinds, &m->kind, error) ||
        !read_string (o, "reason", FALSE, SAMTAL_MSG_MAX_TEXT, STR_ANY, &m->reason, error))
      return FALSE;
    m->participant = read_participant (json_object_get_member (o, "participant"), error);
    return m->participant != NULL;
  case SAMTAL_MSG_OFFER:
    return read_string (o, "sdp", TRUE, server_limits.sdp, STR_NONEMPTY, &m->sdp, error) &&
           read_list (o, "tracks", (ItemReader) read_track,
                      (GDestroyNotify) samtal_msg_track_free, &m->tracks, error);
  case SAMTAL_MSG_ANSWER:
    return read_string (o, "sdp", TRUE, server_limits.sdp, STR_NONEMPTY, &m->sdp, error);
  case SAMTAL_MSG_ICE:
    return read_ice (o, m, &server_limits, error);
  case SAMTAL_MSG_REMOVED:
  case SAMTAL_MSG_ENDED:
  case SAMTAL_MSG_MEDIA_FAILED:
    return read_string (o, "reason", FALSE, SAMTAL_MSG_MAX_TEXT, STR_ANY, &m->reason, error);
  case SAMTAL_MSG_ERROR:
    return read_string (o, "code", TRUE, SAMTAL_MSG_MAX_ID, STR_ID, &m->code, error) &&
           read_string (o, "message", FALSE, SAMTAL_MSG_MAX_TEXT, STR_ANY, &m->message, error) &&
           read_string (o, "request", FALSE, SAMTAL_MSG_MAX_ID, STR_ANY, &m->request, error) &&
           read_bool (o, "fatal", FALSE, &m->fatal, error);
  default:
    return TRUE;
  }
}

SamtalMsg *
samtal_msg_parse (const char *data, gsize len, SamtalMsgDirection direction, GError **error)
{
  if (data == NULL)
    len = 0;
  const Limits *limits = direction == SAMTAL_MSG_FROM_SERVER ? &server_limits : &client_limits;
  if (!check_text (data, len, limits->bytes, error))
    return NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) json_error = NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error)) {
    g_set_error (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_BAD_JSON, "not JSON: %s",
                 json_error->message);
    return NULL;
  }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_BAD_MESSAGE,
                         "message must be a JSON object");
    return NULL;
  }
  JsonObject *o = json_node_get_object (root);
  g_autofree char *type_name = NULL;
  if (!read_string (o, "type", TRUE, SAMTAL_MSG_MAX_ID, STR_NONEMPTY, &type_name, error))
    return NULL;
  SamtalMsgType type = samtal_msg_type_from_string (type_name);
  if (!type_allowed (type, direction)) {
    g_set_error (error, SAMTAL_MSG_PARSE_ERROR, SAMTAL_MSG_PARSE_ERROR_UNKNOWN_TYPE,
                 "unknown message type \"%s\"", type_name);
    return NULL;
  }
  g_autoptr (SamtalMsg) m = samtal_msg_new (type);
  gboolean ok = direction == SAMTAL_MSG_FROM_CLIENT ? read_client_fields (o, m, error)
                                                    : read_server_fields (o, m, error);
  return ok ? g_steal_pointer (&m) : NULL;
}

/* ---- serialising ---- */

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value ? value : "");
}

static void
add_opt_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value != NULL)
    add_string (b, name, value);
}

/* Free text (reason, message) and display names are cut to max bytes on a character boundary,
 * so that whatever we send parses on the other side. */
static void
add_cut (JsonBuilder *b, const char *name, const char *value, gsize max)
{
  if (value == NULL || strlen (value) <= max) {
    add_string (b, name, value);
    return;
  }
  const char *end = value + max;
  if (g_utf8_validate (value, -1, NULL))
    end = g_utf8_find_prev_char (value, end + 1);
  g_autofree char *cut = g_strndup (value, (gsize) (end - value));
  add_string (b, name, cut);
}

static void
add_text (JsonBuilder *b, const char *name, const char *value)
{
  add_cut (b, name, value, SAMTAL_MSG_MAX_TEXT);
}

static void
add_participant (JsonBuilder *b, const SamtalMsgParticipant *p)
{
  json_builder_begin_object (b);
  add_string (b, "participant_id", p->participant_id);
  add_cut (b, "name", p->name, SAMTAL_MSG_MAX_NAME);
  add_string (b, "role", p->role);
  add_string (b, "state", p->state);
  json_builder_set_member_name (b, "audio_muted");
  json_builder_add_boolean_value (b, p->audio_muted);
  json_builder_set_member_name (b, "video_muted");
  json_builder_add_boolean_value (b, p->video_muted);
  json_builder_end_object (b);
}

static void
add_participants (JsonBuilder *b, const GPtrArray *list)
{
  json_builder_set_member_name (b, "participants");
  json_builder_begin_array (b);
  for (guint i = 0; list != NULL && i < list->len; i++)
    add_participant (b, g_ptr_array_index ((GPtrArray *) list, i));
  json_builder_end_array (b);
}

static void
add_tracks (JsonBuilder *b, const GPtrArray *list)
{
  json_builder_set_member_name (b, "tracks");
  json_builder_begin_array (b);
  for (guint i = 0; list != NULL && i < list->len; i++) {
    const SamtalMsgTrack *t = g_ptr_array_index ((GPtrArray *) list, i);
    json_builder_begin_object (b);
    add_string (b, "mid", t->mid);
    add_string (b, "participant_id", t->participant_id);
    add_string (b, "kind", t->kind);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_bool (JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

static void
add_fields (JsonBuilder *b, const SamtalMsg *m)
{
  switch (m->type) {
  case SAMTAL_MSG_JOIN:
    add_string (b, "token", m->token);
    if (m->meeting_id > 0)
      add_int (b, "meeting_id", m->meeting_id);
    break;
  case SAMTAL_MSG_OFFER:
    add_string (b, "sdp", m->sdp);
    if (m->tracks != NULL)
      add_tracks (b, m->tracks);
    break;
  case SAMTAL_MSG_ANSWER:
    add_string (b, "sdp", m->sdp);
    break;
  case SAMTAL_MSG_ICE:
    add_string (b, "candidate", m->candidate);
    add_int (b, "sdpMLineIndex", m->mline_index);
    add_opt_string (b, "sdpMid", m->mid);
    break;
  case SAMTAL_MSG_ADMIT:
  case SAMTAL_MSG_REMOVE:
    add_string (b, "participant_id", m->participant_id);
    break;
  case SAMTAL_MSG_END:
    if (m->reason != NULL)
      add_text (b, "reason", m->reason);
    break;
  case SAMTAL_MSG_MUTE:
    add_string (b, "kind", m->kind);
    add_bool (b, "muted", m->muted);
    break;
  case SAMTAL_MSG_JOINED:
    add_int (b, "meeting_id", m->meeting_id);
    add_string (b, "participant_id", m->participant_id);
    add_string (b, "role", m->role);
    add_string (b, "state", m->state);
    add_participants (b, m->participants);
    break;
  case SAMTAL_MSG_PRESENCE:
    add_string (b, "event", m->event);
    add_opt_string (b, "kind", m->kind);
    if (m->reason != NULL)
      add_text (b, "reason", m->reason);
    if (m->participant != NULL) {
      json_builder_set_member_name (b, "participant");
      add_participant (b, m->participant);
    }
    break;
  case SAMTAL_MSG_REMOVED:
  case SAMTAL_MSG_ENDED:
  case SAMTAL_MSG_MEDIA_FAILED:
    add_text (b, "reason", m->reason);
    break;
  case SAMTAL_MSG_ERROR:
    add_string (b, "code", m->code);
    add_text (b, "message", m->message);
    add_opt_string (b, "request", m->request);
    add_bool (b, "fatal", m->fatal);
    break;
  default:
    break;
  }
}

char *
samtal_msg_serialize (const SamtalMsg *m)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  const char *name = samtal_msg_type_to_string (m->type);
  add_string (b, "type", name ? name : "invalid");
  add_fields (b, m);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
