/* config.h — the server's configuration: defaults, then the config file (GKeyFile), then the
 * environment (SAMTAL_*), then the command line, in that order; later sources win.
 *
 * A SamtalConfig is plain data owned by the SamtalServer once the server is made; nothing in it
 * changes after start. docs/configuration.md describes every key; keep it in step with this file.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SAMTAL_CONFIG_ERROR (samtal_config_error_quark ())
GQuark samtal_config_error_quark (void);

typedef enum {
  SAMTAL_CONFIG_ERROR_INVALID,   /* a value is malformed or out of range */
} SamtalConfigError;

typedef struct {
  char *listen_host;            /* default "127.0.0.1" */
  guint16 listen_port;          /* default 8080; 0 picks a free port (tests) */
  char *data_dir;               /* default "./var" */
  char *web_dir;                /* default: <source root>/web, compiled in */
  char *public_url;             /* e.g. "https://samtal.example.se"; NULL: derived from listen */
  char *tls_cert;               /* PEM file or NULL */
  char *tls_key;                /* PEM file or NULL */
  char **ice_addresses;         /* NULL-terminated; NULL = libnice's choice */
  char *stun_server;            /* "stun://host:port" or NULL */
  char *turn_server;            /* "turn://host:port" or NULL */
  char *turn_secret;            /* shared secret for TURN REST credentials, or NULL */
  char *relay_forwarding;       /* "direct" (default) or "pipeline": relay/relay.h */
  char *timezone_name;          /* default "Europe/Stockholm" */
  GTimeZone *timezone;          /* made from timezone_name by samtal_config_finish() */
  gboolean demo;                /* seed demo data into an empty database */

  /* Limits (config file section [limits] / [session]; defaults in brackets). */
  guint session_idle_s;         /* [1800] a session unused this long ends */
  guint session_absolute_s;     /* [43200] a session ends this long after sign-in */
  guint login_max_failures_account; /* [5] failed sign-ins per account per window → 429 */
  guint login_max_failures_addr;    /* [20] failed sign-ins per remote address per window → 429 */
  guint login_window_s;         /* [900] the rate-limit window */
  gsize max_body_bytes;         /* [65536] request bodies above this → 413 */
  guint hash_workers;           /* [2] threads hashing passwords (argon2id uses 64 MiB each) */
  char *metrics_token;          /* if set, /metrics needs "Authorization: Bearer <it>" */
} SamtalConfig;

/* A config holding the defaults above. Never NULL. */
SamtalConfig *samtal_config_new (void);
void samtal_config_free (SamtalConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SamtalConfig, samtal_config_free)

/* Reads a GKeyFile (sections [server], [media], [session], [limits]); keys that are absent keep
 * their current value. Unknown keys are an error, so typos do not pass silently. */
gboolean samtal_config_load_file (SamtalConfig *config, const char *path, GError **error);

/* Applies SAMTAL_LISTEN, SAMTAL_DATA_DIR, SAMTAL_WEB_DIR, SAMTAL_PUBLIC_URL, SAMTAL_TLS_CERT,
 * SAMTAL_TLS_KEY, SAMTAL_ICE_ADDRESSES (comma separated), SAMTAL_STUN, SAMTAL_TURN,
 * SAMTAL_TURN_SECRET, SAMTAL_TIMEZONE from envp (NULL: the process environment). */
gboolean samtal_config_apply_env (SamtalConfig *config, char **envp, GError **error);

/* "HOST:PORT", "[::1]:PORT" or ":PORT" → listen_host / listen_port. */
gboolean samtal_config_set_listen (SamtalConfig *config, const char *host_port, GError **error);

/* Checks the whole config (TLS cert and key both or neither, a known time zone, …) and makes
 * config->timezone. Call once, after every source was applied. */
gboolean samtal_config_finish (SamtalConfig *config, GError **error);

G_END_DECLS
