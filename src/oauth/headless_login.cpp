// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/headless_login.hpp>
#include <oauthctl/oauth/html_form.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace oauthctl::oauth {

namespace {

constexpr int k_max_steps = 12;

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  const auto last = text.find_last_not_of(" \t");
  return first == std::string_view::npos ? std::string() : std::string(text.substr(first, last - first + 1));
}

std::string host_of(std::string_view url) {
  const auto parsed = http::parse_url(url);
  return parsed ? parsed->host + ":" + std::to_string(parsed->port) : std::string();
}

bool starts_with_redirect(std::string_view location, std::string_view redirect_uri) {
  if (location.substr(0, redirect_uri.size()) != redirect_uri) {
    return false;
  }
  return location.size() == redirect_uri.size() || location[redirect_uri.size()] == '?' ||
         location[redirect_uri.size()] == '#';
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_html(const http::Response& response) {
  const auto type = response.headers.get("Content-Type").value_or("");
  return type.find("html") != std::string::npos;
}

// The username input of a login form: a text or email input whose name says so, else
// the first text or email input.
const HtmlControl* username_input(const HtmlForm& form) {
  const HtmlControl* first = nullptr;
  for (const auto& control : form.controls) {
    if (control.tag != "input" || (control.type != "text" && control.type != "email") ||
        control.name.empty()) {
      continue;
    }
    const auto& name = control.name;
    if (name.find("user") != std::string::npos || name.find("login") != std::string::npos ||
        name.find("email") != std::string::npos) {
      return &control;
    }
    if (first == nullptr) {
      first = &control;
    }
  }
  return first;
}

} // namespace

void CookieJar::store(std::string_view url, const http::Headers& headers) {
  const auto host = host_of(url);
  if (host.empty()) {
    return;
  }
  for (const auto& [name, value] : headers.fields()) {
    if (!http::iequals(name, "Set-Cookie")) {
      continue;
    }
    const auto pair = std::string_view(value).substr(0, value.find(';'));
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    auto cookie = trim(pair.substr(0, eq));
    if (cookie.empty()) {
      continue;
    }
    // `value` is passed in, not captured: clang 14 (`make fuzz` builds with it) cannot
    // capture a structured binding.
    const auto lowered = [](std::string out) {
      std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
      return out;
    }(value);
    if (lowered.find("max-age=0") != std::string::npos) {
      m_cookies[host].erase(cookie);
    } else {
      m_cookies[host][cookie] = trim(pair.substr(eq + 1));
    }
  }
}

std::string CookieJar::header_for(std::string_view url) const {
  const auto it = m_cookies.find(host_of(url));
  if (it == m_cookies.end()) {
    return {};
  }
  std::string header;
  for (const auto& [name, value] : it->second) {
    header += header.empty() ? "" : "; ";
    header += name + "=" + value;
  }
  return header;
}

util::Result<HeadlessAuthorization> authorize_headless(http::Client& client, CookieJar& jar,
                                                       const std::string& authorize_url,
                                                       std::string_view redirect_uri,
                                                       const LoginCredentials& credentials) {
  HeadlessAuthorization result;
  http::Request request;
  request.url = authorize_url;
  for (int step = 0; step < k_max_steps; ++step) {
    request.headers.set("Accept", "text/html,application/xhtml+xml");
    if (const auto cookie = jar.header_for(request.url); !cookie.empty()) {
      request.headers.set("Cookie", cookie);
    }
    auto response = client.send(request);
    if (!response) {
      return tl::unexpected(response.error());
    }
    jar.store(request.url, response->headers);
    result.last = *response;
    result.last_url = request.url;
    if (is_redirect(response->status)) {
      const auto location = response->headers.get("Location");
      const auto target = location ? resolve_url(request.url, *location) : std::nullopt;
      if (!target) {
        return result;
      }
      if (starts_with_redirect(*target, redirect_uri)) {
        result.redirected = true;
        result.location = *target;
        return result;
      }
      if (!http::parse_url(*target)) {
        return result; // somewhere a headless client cannot follow (a custom scheme)
      }
      request = http::Request{};
      request.url = *target;
      continue;
    }
    // A login form may come with 200 or, shown again after a wrong password, with 401
    // (as ours does); an error page has no form to fill, whatever its status.
    if (!is_html(*response)) {
      return result;
    }
    const auto forms = parse_html_forms(response->body);
    const auto login = std::find_if(forms.begin(), forms.end(),
                                    [](const HtmlForm& form) { return form.password_input() != nullptr; });
    const HtmlForm* form = nullptr;
    util::FormFields fields;
    if (login != forms.end()) {
      if (result.signed_in) {
        return util::fail(util::ErrorKind::oauth,
                          fmt::format("login refused: the login form came back after signing in as {}",
                                      credentials.username));
      }
      const auto* user = username_input(*login);
      util::FormFields fill;
      if (user != nullptr) {
        fill.emplace_back(user->name, credentials.username);
      }
      fill.emplace_back(login->password_input()->name, credentials.password);
      const auto submit =
        std::find_if(login->controls.begin(), login->controls.end(),
                     [](const HtmlControl& c) { return c.type == "submit" || c.type == "image"; });
      fields = form_entries(*login, fill, submit == login->controls.end() ? nullptr : &*submit);
      form = &*login;
      result.signed_in = true;
    } else {
      const auto consent = std::find_if(forms.begin(), forms.end(),
                                        [](const HtmlForm& f) { return f.approve_button() != nullptr; });
      if (consent == forms.end()) {
        return result; // a page without a form to fill: an error page, most likely
      }
      fields = form_entries(*consent, {}, consent->approve_button());
      form = &*consent;
      result.consented = true;
    }
    const auto action = resolve_url(request.url, form->action);
    if (!action || !http::parse_url(*action)) {
      return result;
    }
    http::Request next;
    if (form->method == "post") {
      next.method = "POST";
      next.url = *action;
      next.headers.set("Content-Type", "application/x-www-form-urlencoded");
      next.body = util::form_encode(fields);
    } else {
      const auto base = action->substr(0, action->find_first_of("?#"));
      next.url = base + "?" + util::form_encode(fields);
    }
    // Origin and Referer as a browser sends them, for servers that check them against CSRF.
    if (const auto origin = http::parse_url(request.url)) {
      next.headers.set("Origin", origin->origin());
    }
    next.headers.set("Referer", request.url);
    request = std::move(next);
  }
  return result;
}

} // namespace oauthctl::oauth
