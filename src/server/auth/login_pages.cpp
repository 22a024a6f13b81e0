// SPDX-License-Identifier: MIT
#include "server/auth/login_pages.hpp"

#include "server/auth/html_page.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

std::string hidden_fields(const std::string& request_id, const std::string& csrf_token) {
  return fmt::format("<input type=\"hidden\" name=\"request\" value=\"{}\">\n"
                     "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\n",
                     html_escape(request_id), html_escape(csrf_token));
}

} // namespace

ServerResponse login_page(int status, const LoginPage& page) {
  std::string body;
  body += fmt::format("<p>Sign in to continue to <strong>{}</strong>.</p>\n", html_escape(page.client_id));
  if (!page.message.empty()) {
    body += fmt::format("<p class=\"error\" role=\"alert\" id=\"error\">{}</p>\n", html_escape(page.message));
  }
  body += "<form method=\"post\" action=\"/auth/login\">\n";
  body += hidden_fields(page.request_id, page.csrf_token);
  body += fmt::format("<label for=\"username\">Username</label>\n"
                      "<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" "
                      "autocapitalize=\"none\" spellcheck=\"false\" required value=\"{}\"{}>\n",
                      html_escape(page.username), page.username.empty() ? " autofocus" : "");
  body += fmt::format("<label for=\"password\">Password</label>\n"
                      "<input id=\"password\" name=\"password\" type=\"password\" "
                      "autocomplete=\"current-password\" required{}>\n",
                      page.username.empty() ? "" : " autofocus");
  body += "<button type=\"submit\" id=\"sign-in\">Sign in</button>\n</form>\n";
  return html_page(status, "Sign in", body, page.form_action_origin);
}

std::string scope_list_html(const std::vector<std::string>& scopes) {
  if (scopes.empty()) {
    return "<p>It asks for no particular permissions.</p>\n";
  }
  std::string html = "<h2>It will be able to</h2>\n<ul id=\"scopes\">\n";
  for (const auto& scope : scopes) {
    html +=
      fmt::format("<li>{} (<code>{}</code>)</li>\n", html_escape(describe_scope(scope)), html_escape(scope));
  }
  return html + "</ul>\n";
}

std::string decision_buttons_html() {
  return "<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>\n"
         "<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\n</form>\n";
}

ServerResponse consent_page(const ConsentPage& page) {
  std::string body;
  body += fmt::format("<p><strong>{}</strong> asks for access{}.</p>\n", html_escape(page.client_id),
                      page.user_name.empty() ? "" : " as " + html_escape(page.user_name));
  body += scope_list_html(page.scopes);
  if (!page.already.empty()) {
    std::string codes;
    for (const auto& scope : page.already) {
      codes += fmt::format("{}<code>{}</code>", codes.empty() ? "" : " ", html_escape(scope));
    }
    body += fmt::format("<p id=\"allowed-before\">It keeps what you allowed it before: {}.</p>\n", codes);
  }
  body += "<p id=\"withdraw-hint\">You can see and withdraw what you allowed at any time at "
          "<a href=\"/auth/consents\">/auth/consents</a>.</p>\n";
  body += "<form method=\"post\" action=\"/auth/grant\">\n";
  body += hidden_fields(page.request_id, page.csrf_token);
  body += decision_buttons_html();
  return html_page(200, "Allow access?", body, page.form_action_origin);
}

ServerResponse error_page(int status, std::string_view title, std::string_view message) {
  return html_page(status, title,
                   fmt::format("<p role=\"alert\" id=\"error\">{}</p>\n", html_escape(message)));
}

} // namespace oauthctl::server
