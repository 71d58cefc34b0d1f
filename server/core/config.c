/* config.c — building a SamtalConfig from defaults, a GKeyFile, the environment and options. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#ifndef SAMTAL_DEFAULT_WEB_DIR
#define SAMTAL_DEFAULT_WEB_DIR "web"
#endif

G_DEFINE_QUARK (samtal-config-error-quark, samtal_config_error)

SamtalConfig *
samtal_config_new (void)
{
  SamtalConfig *c = g_new0 (SamtalConfig, 1);
  c->listen_host = g_strdup ("127.0.0.1");
  c->listen_port = 8080;
  c->data_dir = g_strdup ("./var");
  c->web_dir = g_strdup (SAMTAL_DEFAULT_WEB_DIR);
  c->timezone_name = g_strdup ("Europe/Stockholm");
  c->session_idle_s = 30 * 60;
  c->session_absolute_s = 12 * 3600;
  c->login_max_failures_account = 5;
  c->login_max_failures_addr = 20;
  c->login_window_s = 15 * 60;
  c->max_body_bytes = 65536;
  c->hash_workers = 2;
  return c;
}

void
samtal_config_free (SamtalConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->listen_host);
  g_free (c->data_dir);
  g_free (c->web_dir);
  g_free (c->public_url);
  g_free (c->tls_cert);
  g_free (c->tls_key);
  g_strfreev (c->ice_addresses);
  g_free (c->stun_server);
  g_free (c->turn_server);
  g_free (c->turn_secret);
  g_free (c->relay_forwarding);
  g_free (c->timezone_name);
  g_clear_pointer (&c->timezone, g_time_zone_unref);
  g_free (c->metrics_token);
  g_free (c);
}

static void
replace_string (char **slot, const char *value)
{
  g_free (*slot);
  *slot = (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
}

gboolean
samtal_config_set_listen (SamtalConfig *c, const char *host_port, GError **error)
{
  const char *colon = host_port ? strrchr (host_port, ':') : NULL;
  if (colon == NULL)
    {
      g_set_error (error, SAMTAL_CONFIG_ERROR, SAMTAL_CONFIG_ERROR_INVALID,
                   "listen address \"%s\" is not HOST:PORT", host_port ? host_port : "");
      return FALSE;
    }
  guint64 port = 0;
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, SAMTAL_CONFIG_ERROR, SAMTAL_CONFIG_ERROR_INVALID,
                   "listen port in \"%s\" must be 0 … 65535", host_port);
      return FALSE;
    }
  g_autofree char *host = g_strndup (host_port, colon - host_port);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);
      g_free (host);
      host = inner;
    }
  g_free (c->listen_host);
  c->listen_host = g_strdup (*host ? host : "127.0.0.1");
  c->listen_port = (guint16) port;
  return TRUE;
}

/* Config file keys: section, key, and where the value goes. */
typedef enum { KEY_STRING, KEY_STRV, KEY_BOOL, KEY_UINT, KEY_LISTEN } KeyKind;
typedef struct {
  const char *group;
  const char *key;
  KeyKind kind;
  gsize offset;
} ConfigKey;

#define OFF(field) G_STRUCT_OFFSET (SamtalConfig, field)
static const ConfigKey config_keys[] = {
  { "server", "listen", KEY_LISTEN, 0 },
  { "server", "data-dir", KEY_STRING, OFF (data_dir) },
  { "server", "web-dir", KEY_STRING, OFF (web_dir) },
  { "server", "public-url", KEY_STRING, OFF (public_url) },
  { "server", "tls-cert", KEY_STRING, OFF (tls_cert) },
  { "server", "tls-key", KEY_STRING, OFF (tls_key) },
  { "server", "timezone", KEY_STRING, OFF (timezone_name) },
  { "server", "demo", KEY_BOOL, OFF (demo) },
  { "server", "metrics-token", KEY_STRING, OFF (metrics_token) },
  { "media", "ice-addresses", KEY_STRV, OFF (ice_addresses) },
  { "media", "stun", KEY_STRING, OFF (stun_server) },
  { "media", "turn", KEY_STRING, OFF (turn_server) },
  { "media", "turn-secret", KEY_STRING, OFF (turn_secret) },
  { "media", "forwarding", KEY_STRING, OFF (relay_forwarding) },
  { "session", "idle-timeout", KEY_UINT, OFF (session_idle_s) },
  { "session", "absolute-timeout", KEY_UINT, OFF (session_absolute_s) },
  { "limits", "login-failures-per-account", KEY_UINT, OFF (login_max_failures_account) },
  { "limits", "login-failures-per-address", KEY_UINT, OFF (login_max_failures_addr) },
  { "limits", "login-window", KEY_UINT, OFF (login_window_s) },
  { "limits", "hash-workers", KEY_UINT, OFF (hash_workers) },
};

static const ConfigKey *
find_key (const char *group, const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (config_keys); i++)
    if (g_str_equal (config_keys[i].group, group) && g_str_equal (config_keys[i].key, key))
      return &config_keys[i];
  return NULL;
}

static gboolean
apply_key (SamtalConfig *c, GKeyFile *kf, const ConfigKey *k, GError **error)
{
  gpointer slot = G_STRUCT_MEMBER_P (c, k->offset);
  GError *local = NULL;
  switch (k->kind)
    {
    case KEY_LISTEN:
      {
        g_autofree char *v = g_key_file_get_string (kf, k->group, k->key, error);
        return v != NULL && samtal_config_set_listen (c, v, error);
      }
    case KEY_STRING:
      {
        g_autofree char *v = g_key_file_get_string (kf, k->group, k->key, error);
        if (v == NULL)
          return FALSE;
        replace_string (slot, v);
        return TRUE;
      }
    case KEY_STRV:
      {
        char **v = g_key_file_get_string_list (kf, k->group, k->key, NULL, error);
        if (v == NULL)
          return FALSE;
        g_strfreev (*(char ***) slot);
        *(char ***) slot = v;
        return TRUE;
      }
    case KEY_BOOL:
      *(gboolean *) slot = g_key_file_get_boolean (kf, k->group, k->key, &local);
      break;
    case KEY_UINT:
      {
        guint64 v = g_key_file_get_uint64 (kf, k->group, k->key, &local);
        if (local == NULL && (v == 0 || v > G_MAXINT32))
          g_set_error (&local, SAMTAL_CONFIG_ERROR, SAMTAL_CONFIG_ERROR_INVALID,
                       "[%s] %s must be 1 … %d", k->group, k->key, G_MAXINT32);
        else
          *(guint *) slot = (guint) v;
        break;
      }
    }
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

gboolean
samtal_config_load_file (SamtalConfig *c, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return FALSE;
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (char **g = groups; *g; g++)
    {
      g_auto (GStrv) keys = g_key_file_get_keys (kf, *g, NULL, NULL);
      for (char **k = keys; keys && *k; k++)
        {
          const ConfigKey *ck = find_key (*g, *k);
          if (ck == NULL)
            {
              g_set_error (error, SAMTAL_CONFIG_ERROR, SAMTAL_CONFIG_ERROR_INVALID,
                           "%s: unknown key \"%s\" in [%s]", path, *k, *g);
              return FALSE;
            }
          g_autoptr (GError) local = NULL;
          if (!apply_key (c, kf, ck, &local))
            {
              g_set_error (error, SAMTAL_CONFIG_ERROR, SAMTAL_CONFIG_ERROR_INVALID,
                           "%s: [%s] %s: %s", path, *g, *k, local->message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

typedef struct {
  const char *name;
  gsize offset;
} EnvString;

static const EnvString env_strings[] = {
  { "SAMTAL_DATA_DIR", OFF (data_dir) },
  { "SAMTAL_WEB_DIR", OFF (web_dir) },
  { "SAMTAL_PUBLIC_URL", OFF (public_url) },
  { "SAMTAL_TLS_CERT", OFF (tls_cert) },
  { "SAMTAL_TLS_KEY", OFF (tls_key) },
  { "SAMTAL_STUN", OFF (stun_server) },
  { "SAMTAL_TURN", OFF (turn_server) },
  { "SAMTAL_TURN_SECRET", OFF (turn_secret) },
  { "SAMTAL_RELAY_FORWARDING", OFF (relay_forwarding) },
  { "SAMTAL_TIMEZONE", OFF (timezone_name) },
};

gboolean
samtal_config_apply_env (SamtalConfig *c, char **envp, GError **error)
{
  g_auto (GStrv) own = envp ? NULL : g_get_environ ();
  char **env = envp ? envp : own;
  const char *listen = g_environ_getenv (env, "SAMTAL_LISTEN");
  if (listen != NULL && !samtal_config_set_listen (c, listen, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (env_strings); i++)
    {
      const char *v = g_environ_getenv (env, env_strings[i].name);
      if (v != NULL)
        replace_string (G_STRUCT_MEMBER_P (c, env_strings[i].offset), v);
    }
  const char *ice = g_environ_getenv (env, "SAMTAL_ICE_ADDRESSES");
  if (ice != NULL && *ice != '\0')
    {
      g_strfreev (c->ice_addresses);
      c->ice_addresses = g_strsplit (ice, ",", -1);
    }
  return TRUE;
}

static gboolean
config_invalid (GError **error, const char *message)
{
  g_set_error_literal (error, SAMTAL_CONFIG_ERROR, SAMTAL_CONFIG_ERROR_INVALID, message);
  return FALSE;
}

gboolean
samtal_config_finish (SamtalConfig *c, GError **error)
{
  if ((c->tls_cert == NULL) != (c->tls_key == NULL))
    return config_invalid (error, "--tls-cert and --tls-key go together");
  if (c->data_dir == NULL)
    return config_invalid (error, "a data directory is needed");
  if (c->public_url != NULL && !g_str_has_prefix (c->public_url, "http://")
      && !g_str_has_prefix (c->public_url, "https://"))
    return config_invalid (error, "--public-url must start with http:// or https://");
  if (c->public_url != NULL && g_str_has_suffix (c->public_url, "/"))
    c->public_url[strlen (c->public_url) - 1] = '\0';
  g_clear_pointer (&c->timezone, g_time_zone_unref);
  c->timezone = g_time_zone_new_identifier (c->timezone_name);
  if (c->timezone == NULL)
    {
      g_set_error (error, SAMTAL_CONFIG_ERROR, SAMTAL_CONFIG_ERROR_INVALID,
                   "unknown time zone \"%s\"", c->timezone_name);
      return FALSE;
    }
  if (c->relay_forwarding != NULL && !g_str_equal (c->relay_forwarding, "direct")
      && !g_str_equal (c->relay_forwarding, "direct-gst")
      && !g_str_equal (c->relay_forwarding, "pipeline"))
    return config_invalid (error,
                           "relay forwarding must be \"direct\", \"direct-gst\" or \"pipeline\"");
  if (c->hash_workers == 0 || c->hash_workers > 64)
    return config_invalid (error, "hash-workers must be 1 … 64");
  return TRUE;
}
