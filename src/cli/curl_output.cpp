// SPDX-License-Identifier: MIT
#include "cli/curl_output.hpp"

#include "cli/output.hpp"

#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/form.hpp>
#include <oauthctl/util/redact.hpp>

#include <cctype>
#include <optional>

namespace oauthctl::cli {

namespace {

// A secret as a double-quoted shell reference: "$OAUTHCTL_X".
std::string reference(std::string_view name) {
  return "\"$" + secret_variable(name) + "\"";
}

bool shell_safe(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '_' && c != '.' && c != '~' && c != '@') {
      return false;
    }
  }
  return true;
}

// `prefix` and then a query string, with secret parameter values as references and the
// rest single-quoted.
std::string quote_params(std::string_view prefix, std::string_view params) {
  std::string out;
  std::string literal(prefix);
  while (true) {
    const auto amp = params.find('&');
    const auto pair = params.substr(0, amp);
    const auto eq = pair.find('=');
    const auto name = util::percent_decode(pair.substr(0, eq), true);
    if (eq != std::string_view::npos && name && util::is_secret_name(*name)) {
      literal += pair.substr(0, eq + 1);
      out += shell_quote(literal) + reference(*name);
      literal.clear();
    } else {
      literal += pair;
    }
    if (amp == std::string_view::npos) {
      break;
    }
    literal += '&';
    params = params.substr(amp + 1);
  }
  if (!literal.empty() || out.empty()) {
    out += shell_quote(literal);
  }
  return out;
}

std::string quote_url(std::string_view url) {
  const auto hash = url.find('#');
  const auto base = url.substr(0, hash); // curl never sends a fragment
  const auto question = base.find('?');
  if (question == std::string_view::npos) {
    return shell_quote(base);
  }
  return quote_params(base.substr(0, question + 1), base.substr(question + 1));
}

// `-u "id:$OAUTHCTL_CLIENT_SECRET"` for Basic credentials (RFC 6749 §2.3.1), or a
// header reference when they cannot be decoded.
std::string authorization_option(std::string_view value) {
  const auto space = value.find(' ');
  const auto scheme = space == std::string_view::npos ? value : value.substr(0, space);
  if (space != std::string_view::npos && http::iequals(scheme, "Basic")) {
    const auto decoded = util::base64_decode(value.substr(space + 1));
    if (decoded) {
      const std::string_view pair(decoded->data(), decoded->size());
      const auto colon = pair.find(':');
      const auto id = util::percent_decode(pair.substr(0, colon), false);
      if (colon != std::string_view::npos && id) {
        if (shell_safe(*id)) {
          return "-u \"" + *id + ":$" + secret_variable("client_secret") + "\"";
        }
        return "-u " + shell_quote(*id + ":") + reference("client_secret");
      }
    }
  }
  if (space != std::string_view::npos && (http::iequals(scheme, "Bearer") || http::iequals(scheme, "DPoP"))) {
    return "-H \"Authorization: " + std::string(scheme) + " $" + secret_variable("access_token") + "\"";
  }
  return "-H \"Authorization: $" + secret_variable("authorization") + "\"";
}

bool is_form(const http::Request& request) {
  const auto type = request.headers.get("Content-Type");
  return type && type->find("application/x-www-form-urlencoded") != std::string::npos;
}

} // namespace

std::string secret_variable(std::string_view name) {
  std::string out = "OAUTHCTL_";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) != 0 ? static_cast<char>(std::toupper(u)) : '_';
  }
  return out;
}

std::string format_curl(const http::Request& request) {
  std::string out = "curl -sS -X " + shell_quote(request.method) + ' ' + quote_url(request.url);
  for (const auto& [name, value] : request.headers.fields()) {
    if (http::iequals(name, "Content-Length") || http::iequals(name, "Host")) {
      continue;
    }
    if (http::iequals(name, "Authorization") || http::iequals(name, "Proxy-Authorization")) {
      out += ' ' + authorization_option(value);
    } else if (util::is_secret_name(name)) {
      out += " -H \"" + name + ": $" + secret_variable(name) + "\"";
    } else {
      out += " -H " + shell_quote(name + ": " + value);
    }
  }
  if (request.body.empty()) {
    return out;
  }
  const auto fields = is_form(request) ? util::form_decode(request.body) : std::nullopt;
  if (fields) {
    for (const auto& [name, value] : *fields) {
      if (util::is_secret_name(name)) {
        out += " --data-urlencode " + shell_quote(name + "=") + reference(name);
      } else {
        out += " --data-urlencode " + shell_quote(name + "=" + value);
      }
    }
    return out;
  }
  // Not a form: sent as is, with whatever secrets it holds redacted.
  const auto type = request.headers.get("Content-Type");
  out += " --data-binary " + shell_quote(util::redact_body(request.body, type ? *type : std::string()));
  return out;
}

void CurlPrinter::on_exchange(const http::Request& request,
                              const util::Result<http::Response>& /*response*/) {
  m_out << format_curl(request) << '\n' << std::flush;
}

} // namespace oauthctl::cli
