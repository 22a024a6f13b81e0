// SPDX-License-Identifier: MIT
#include "server/auth/device_pages.hpp"

#include "server/auth/html_page.hpp"
#include "server/auth/login_pages.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

namespace {

std::string form_start(std::string_view step, const std::string& csrf_token) {
  return fmt::format("<form method=\"post\" action=\"/auth/device/verify\">\n"
                     "<input type=\"hidden\" name=\"step\" value=\"{}\">\n"
                     "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">\n",
                     step, html_escape(csrf_token));
}

std::string error_line(const std::string& message) {
  return message.empty()
           ? std::string()
           : fmt::format("<p class=\"error\" role=\"alert\" id=\"error\">{}</p>\n", html_escape(message));
}

} // namespace

ServerResponse device_login_page(int status, const DeviceLoginPage& page) {
  std::string body = "<p>Sign in to connect a device.</p>\n";
  body += error_line(page.message);
  body += form_start("login", page.csrf_token);
  body +=
    fmt::format("<input type=\"hidden\" name=\"user_code\" value=\"{}\">\n", html_escape(page.user_code));
  body += fmt::format("<label for=\"username\">Username</label>\n"
                      "<input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" "
                      "autocapitalize=\"none\" spellcheck=\"false\" required value=\"{}\"{}>\n",
                      html_escape(page.username), page.username.empty() ? " autofocus" : "");
  body += fmt::format("<label for=\"password\">Password</label>\n"
                      "<input id=\"password\" name=\"password\" type=\"password\" "
                      "autocomplete=\"current-password\" required{}>\n",
                      page.username.empty() ? "" : " autofocus");
  body += "<button type=\"submit\" id=\"sign-in\">Sign in</button>\n</form>\n";
  return html_page(status, "Sign in", body);
}

ServerResponse device_code_page(int status, const DeviceCodePage& page) {
  std::string body;
  if (!page.user_name.empty()) {
    body +=
      fmt::format("<p>Signed in as <strong id=\"user\">{}</strong>.</p>\n", html_escape(page.user_name));
  }
  body += "<p>Enter the code your device shows.</p>\n";
  body += error_line(page.message);
  body += form_start("code", page.csrf_token);
  // RFC 8628 §6.1: the code is case-insensitive and the dash optional; no autocorrect.
  body += fmt::format("<label for=\"user_code\">Code</label>\n"
                      "<input id=\"user_code\" name=\"user_code\" type=\"text\" autocomplete=\"off\" "
                      "autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"20\" "
                      "placeholder=\"XXXX-XXXX\" required autofocus value=\"{}\">\n",
                      html_escape(page.user_code));
  body += "<button type=\"submit\" id=\"continue\">Continue</button>\n</form>\n";
  return html_page(status, "Connect a device", body);
}

ServerResponse device_confirm_page(const DeviceConfirmPage& page) {
  std::string body;
  // RFC 8628 §5.4: name the client and show the code, so the user can tell whether the
  // request really comes from the device in front of them.
  body += fmt::format("<p>The device showing the code <strong id=\"code\">{}</strong> wants to act as "
                      "<strong id=\"client\">{}</strong>{}.</p>\n"
                      "<p>Allow it only if you started this on your own device and the codes match.</p>\n",
                      html_escape(page.user_code), html_escape(page.client_id),
                      page.user_name.empty() ? "" : " for " + html_escape(page.user_name));
  body += scope_list_html(page.scopes);
  body += form_start("decide", page.csrf_token);
  body +=
    fmt::format("<input type=\"hidden\" name=\"user_code\" value=\"{}\">\n", html_escape(page.user_code));
  body += decision_buttons_html();
  return html_page(200, "Allow this device?", body);
}

ServerResponse device_done_page(bool approved, const std::string& client_id) {
  const auto body =
    approved ? fmt::format("<p id=\"done\">{} is connected. You can close this page and go back to your "
                           "device.</p>\n",
                           html_escape(client_id))
             : fmt::format("<p id=\"done\">Access denied: {} gets nothing. You can close this page.</p>\n",
                           html_escape(client_id));
  return html_page(200, approved ? "Device connected" : "Access denied", body);
}

} // namespace oauthctl::server
