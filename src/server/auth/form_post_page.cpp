// SPDX-License-Identifier: MIT
#include "server/auth/form_post_page.hpp"

#include "server/auth/html_page.hpp"
#include "server/auth/redirect_uri.hpp"

#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

constexpr std::string_view k_submit_script = "document.getElementById(\"response\").submit();";

} // namespace

ServerResponse form_post_page(std::string_view redirect_uri, const util::FormFields& params) {
  std::string body = fmt::format(
    "<p>Returning to the application…</p>\n<form id=\"response\" method=\"post\" action=\"{}\">\n",
    html_escape(redirect_uri));
  for (const auto& [name, value] : params) {
    body += fmt::format("<input type=\"hidden\" name=\"{}\" value=\"{}\">\n", html_escape(name),
                        html_escape(value));
  }
  body += "<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n";
  body += fmt::format("<script>{}</script>\n", k_submit_script);
  auto response = html_page(200, "Signed in", body, uri_origin(redirect_uri));
  // html_page allows no script; this page runs exactly one, named by its hash (CSP 3
  // hash-source), and may post only to the client's origin.
  const auto hash = util::base64_encode(util::sha256(k_submit_script));
  auto origin = uri_origin(redirect_uri);
  response.headers.set("Content-Security-Policy",
                       fmt::format("default-src 'none'; script-src 'sha256-{}'; style-src 'unsafe-inline'; "
                                   "form-action {}; frame-ancestors 'none'",
                                   hash, origin.empty() ? std::string("'none'") : origin));
  return response;
}

} // namespace oauthctl::server
