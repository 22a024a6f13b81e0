// SPDX-License-Identifier: MIT
#include "server/auth/consent_list_page.hpp"

#include "server/auth/html_page.hpp"
#include "server/auth/scope_words.hpp"

#include <fmt/format.h>

#include <ctime>

namespace oauthctl::server {

namespace {

// "2026-12-01 17:30 UTC": a date a person reads.
std::string utc_date(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&time, &tm) == nullptr) {
    return std::to_string(seconds);
  }
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
  return buffer;
}

std::string consent_item(const state::ConsentRecord& consent, const std::string& csrf_token) {
  std::string html = fmt::format("<li class=\"consent\" data-client=\"{}\">\n<h2>{}</h2>\n",
                                 html_escape(consent.client_id), html_escape(consent.client_id));
  if (consent.scopes.empty()) {
    html += "<p>No particular permissions: it may learn that you signed in.</p>\n";
  } else {
    html += "<ul class=\"scopes\">\n";
    for (const auto& scope : consent.scopes) {
      html += fmt::format("<li>{} (<code>{}</code>)</li>\n", html_escape(describe_scope(scope)),
                          html_escape(scope));
    }
    html += "</ul>\n";
  }
  html += fmt::format("<p>Allowed {}, {}.</p>\n", utc_date(consent.granted_at),
                      consent.expires_at == 0 ? std::string("until you withdraw it")
                                              : "asked again after " + utc_date(consent.expires_at));
  html += fmt::format("<form method=\"post\" action=\"{}\">\n"
                      "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\n"
                      "<input type=\"hidden\" name=\"client_id\" value=\"{}\">\n"
                      "<button type=\"submit\" class=\"withdraw\">Withdraw</button>\n</form>\n</li>\n",
                      k_consents_path, html_escape(csrf_token), html_escape(consent.client_id));
  return html;
}

} // namespace

ServerResponse consent_list_page(const ConsentListPage& page) {
  std::string body;
  body +=
    fmt::format("<p>Signed in{}. Applications you allowed to act for you:</p>\n",
                page.user_name.empty() ? "" : " as <strong>" + html_escape(page.user_name) + "</strong>");
  if (page.consents.empty()) {
    body += "<p id=\"none\">None: an application that asks will show you the consent page.</p>\n";
  } else {
    body += "<ul id=\"consents\">\n";
    for (const auto& consent : page.consents) {
      body += consent_item(consent, page.csrf_token);
    }
    body += "</ul>\n<p>Withdrawing asks you again the next time that application wants access, and "
            "ends its refresh tokens (and the access tokens issued from them) at once.</p>\n";
  }
  return html_page(200, "Your consents", body);
}

} // namespace oauthctl::server
