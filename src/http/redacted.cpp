// SPDX-License-Identifier: MIT
#include <oauthctl/http/redacted.hpp>
#include <oauthctl/util/form.hpp>
#include <oauthctl/util/redact.hpp>

#include <string>
#include <string_view>

namespace oauthctl::http {

namespace {

// Redacts secret parameters of a query string or fragment, leaving the others exactly
// as they were written (an implicit grant's access_token arrives in the fragment,
// RFC 6749 §4.2.2; an authorization code in the query, §4.1.2).
std::string redact_params(std::string_view params) {
  std::string out;
  while (true) {
    const auto amp = params.find('&');
    const auto pair = params.substr(0, amp);
    const auto eq = pair.find('=');
    const auto name = util::percent_decode(pair.substr(0, eq), true);
    if (eq != std::string_view::npos && (!name || util::is_secret_name(*name))) {
      out += pair.substr(0, eq);
      out += '=';
      out += util::k_redacted;
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) {
      break;
    }
    out += '&';
    params = params.substr(amp + 1);
  }
  return out;
}

std::string redact_url(std::string_view url) {
  std::string_view fragment;
  const auto hash = url.find('#');
  if (hash != std::string_view::npos) {
    fragment = url.substr(hash + 1);
    url = url.substr(0, hash);
  }
  std::string out;
  const auto question = url.find('?');
  if (question == std::string_view::npos) {
    out = std::string(url);
  } else {
    out = std::string(url.substr(0, question + 1)) + redact_params(url.substr(question + 1));
  }
  if (hash != std::string_view::npos) {
    out += '#';
    out += redact_params(fragment);
  }
  return out;
}

// Keeps the authentication scheme visible ("Basic", "Bearer") and hides the credentials
// (RFC 9110 §11.6.2); Basic credentials are base64 of the secret itself, so they go whole.
std::string redact_authorization(std::string_view value) {
  const auto space = value.find(' ');
  if (space == std::string_view::npos) {
    return std::string(util::k_redacted);
  }
  const auto scheme = value.substr(0, space);
  const auto credentials = value.substr(space + 1);
  if (iequals(scheme, "Bearer") || iequals(scheme, "DPoP")) {
    return std::string(scheme) + ' ' + util::redact_value(credentials);
  }
  return std::string(scheme) + ' ' + std::string(util::k_redacted);
}

Headers redact_headers(const Headers& headers) {
  Headers out;
  for (const auto& [name, value] : headers.fields()) {
    if (iequals(name, "Authorization") || iequals(name, "Proxy-Authorization")) {
      out.add(name, redact_authorization(value));
    } else if (iequals(name, "Location")) {
      // A redirect may carry a code or a token (RFC 6749 §4.1.2, §4.2.2).
      out.add(name, redact_url(value));
    } else if (iequals(name, "Cookie") || iequals(name, "Set-Cookie")) {
      out.add(name, std::string(util::k_redacted));
    } else if (util::is_secret_name(name)) {
      out.add(name, util::redact_value(value));
    } else {
      out.add(name, value);
    }
  }
  return out;
}

} // namespace

Request redacted(const Request& request) {
  Request out;
  out.method = request.method;
  out.url = redact_url(request.url);
  out.headers = redact_headers(request.headers);
  out.body = util::redact_body(request.body, request.headers.get("Content-Type").value_or(""));
  return out;
}

Response redacted(const Response& response) {
  Response out;
  out.status = response.status;
  out.elapsed_ms = response.elapsed_ms;
  out.headers = redact_headers(response.headers);
  out.body = util::redact_body(response.body, response.headers.get("Content-Type").value_or(""));
  return out;
}

} // namespace oauthctl::http
