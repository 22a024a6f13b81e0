// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/util/error.hpp>

#include <map>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// The cookies a headless browser session keeps, per host (RFC 6265 simplified: name=value
// from Set-Cookie, deleted by Max-Age=0; no paths, no expiry dates, never sent elsewhere).
class CookieJar {
public:
  // Stores the Set-Cookie fields of a response from `url`.
  void store(std::string_view url, const http::Headers& headers);
  // The Cookie header value for a request to `url`; empty when there is none.
  [[nodiscard]] std::string header_for(std::string_view url) const;
  void clear() { m_cookies.clear(); }

private:
  std::map<std::string, std::map<std::string, std::string>> m_cookies; // host -> name -> value
};

// The resource owner a headless login signs in as (`check --login USER`).
struct LoginCredentials {
  std::string username;
  std::string password; // never printed
};

// Where a headless trip through the authorization endpoint ended.
struct HeadlessAuthorization {
  bool redirected = false; // the server sent the user agent to the redirect URI
  std::string location;    // that redirect's full URL (query and fragment included)
  http::Response last;     // the last response (the error page when not redirected)
  std::string last_url;
  bool signed_in = false; // a login form was submitted
  bool consented = false; // a consent form was approved
};

// Plays the user agent from `authorize_url` to the redirect URI, without a browser:
// follows redirects, keeps cookies in `jar`, fills the first form with a password input
// with `credentials` (its first text or email input is the username) and its hidden
// inputs (CSRF tokens), and approves a consent form (see HtmlForm::approve_button). Stops
// at a redirect whose URL starts with `redirect_uri` (then `redirected`), or at any
// other page (an error page, a form it cannot fill) after at most 12 steps. A login form
// shown again after signing in is an `oauth` error ("login refused"). Network errors as
// the client reports them.
[[nodiscard]] util::Result<HeadlessAuthorization> authorize_headless(http::Client& client, CookieJar& jar,
                                                                     const std::string& authorize_url,
                                                                     std::string_view redirect_uri,
                                                                     const LoginCredentials& credentials);

} // namespace oauthctl::oauth
