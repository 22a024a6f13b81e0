// SPDX-License-Identifier: MIT
#pragma once

#include "server/auth/scope_words.hpp"
#include "server/exchange.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// The "It will be able to" list of `scopes` (each described and shown as is), shared by the
// consent page and the device confirmation page.
std::string scope_list_html(const std::vector<std::string>& scopes);

// The Allow and Deny submit buttons (name "decision") and the end of their form.
std::string decision_buttons_html();

// What the login page shows and posts back.
struct LoginPage {
  std::string request_id; // hidden field `request`
  std::string csrf_token; // hidden field `csrf_token`
  std::string client_id;
  std::string username; // pre-filled (login_hint, or the name just tried)
  std::string message;  // an error shown above the form; empty for none
  std::string form_action_origin;
};

// The login form (`POST /auth/login` with `request`, `csrf_token`, `username`,
// `password`) answered with `status`.
ServerResponse login_page(int status, const LoginPage& page);

// What the consent page shows and posts back.
struct ConsentPage {
  std::string request_id;
  std::string csrf_token;
  std::string client_id;
  std::string user_name;
  std::vector<std::string> scopes;  // what is asked for now
  std::vector<std::string> already; // also requested, allowed before: named, not asked again
  std::string form_action_origin;
};

// The consent form (`POST /auth/grant` with `request`, `csrf_token` and a button
// `decision` = `allow` or `deny`).
ServerResponse consent_page(const ConsentPage& page);

// A page that explains a problem and links nowhere: used when redirecting back to the
// client would be unsafe (RFC 6749 §4.1.2.1) or impossible.
ServerResponse error_page(int status, std::string_view title, std::string_view message);

} // namespace oauthctl::server
