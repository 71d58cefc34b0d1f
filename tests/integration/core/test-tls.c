/* Integration test: HTTPS with a self-signed certificate made by openssl in the test. */
#include <string.h>

#include "harness.h"

static void
test_tls (void)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed");
      return;
    }
  g_autoptr (GError) error = NULL;
  SamtalTestServerOptions o = { .tls = TRUE };
  g_autoptr (SamtalTestServer) ts = samtal_test_server_start_full (&o, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ts->base_url, "https://127.0.0.1:"));
  g_autoptr (SamtalTestResponse) h = samtal_test_request (ts, "GET", "/healthz", NULL, NULL);
  g_assert_cmpuint (h->status, ==, 200);
  g_autoptr (SamtalTestResponse) reg = samtal_test_request (ts, "POST", "/api/v1/register", NULL,
    "{\"email\":\"t@x.se\",\"password\":\"password1\",\"name\":\"T\"}");
  g_assert_cmpuint (reg->status, ==, 201);
  g_autoptr (SamtalTestResponse) s = samtal_test_request (ts, "POST", "/api/v1/session", NULL,
    "{\"email\":\"t@x.se\",\"password\":\"password1\"}");
  g_assert_cmpuint (s->status, ==, 200);
  const char *cookie = soup_message_headers_get_one (s->headers, "Set-Cookie");
  g_assert_nonnull (strstr (cookie, "; Secure"));
  /* Plain HTTP to the TLS port gets no answer worth having. */
  const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ts->tls = FALSE;
  guint status = samtal_test_raw_http (ts, req, strlen (req), NULL);
  ts->tls = TRUE;
  g_assert_cmpuint (status, !=, 200);
  g_assert_cmpint (samtal_test_server_stop (ts), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tls/self-signed", test_tls);
  return g_test_run ();
}
