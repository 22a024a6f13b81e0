// SPDX-License-Identifier: MIT
#include "server/auth/html_page.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

ServerResponse html_page(int status, std::string_view title, std::string_view body_html,
                         std::string_view form_action_origin) {
  ServerResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = fmt::format(
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>{} - oauthctl</title>\n"
    "<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}"
    "label{{display:block;margin-top:1rem}}input{{display:block;width:100%;padding:.4rem;font-size:1rem}}"
    "button{{margin:1.2rem .5rem 0 0;padding:.5rem 1.2rem;font-size:1rem}}"
    ".error{{color:#a00;border:1px solid #a00;padding:.5rem}}</style>\n"
    "</head>\n<body>\n<main>\n<h1>{}</h1>\n{}</main>\n</body>\n</html>\n",
    html_escape(title), html_escape(title), body_html);
  // Why each header: no script runs on these pages, so the CSP allows none; form-action
  // must also name the client's redirect origin because browsers apply it to the redirect
  // that follows a form post (login or consent ending in the client's redirect_uri).
  // Framing is refused against clickjacking of the consent button (RFC 6749 §10.13), and
  // no-store keeps the CSRF token and personal data out of caches.
  std::string form_action = "'self'";
  if (!form_action_origin.empty()) {
    form_action += ' ';
    form_action += form_action_origin;
  }
  response.headers.set("Content-Security-Policy",
                       fmt::format("default-src 'none'; style-src 'unsafe-inline'; form-action {}; "
                                   "frame-ancestors 'none'",
                                   form_action));
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Pragma", "no-cache");
  response.headers.set("Referrer-Policy", "no-referrer");
  response.headers.set("X-Content-Type-Options", "nosniff");
  return response;
}

} // namespace oauthctl::server
