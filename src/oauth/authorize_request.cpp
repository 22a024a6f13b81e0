// SPDX-License-Identifier: MIT
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/authorize_request.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>

#include <charconv>
#include <unordered_set>

namespace oauthctl::oauth {

namespace {

util::Error oauth_error(std::string message, std::string code = {}, std::string description = {}) {
  return util::Error{util::ErrorKind::oauth, std::move(message), std::move(code), std::move(description), 0};
}

// What reaches the terminal from a redirect is attacker-controlled: RFC 6749 §4.1.2.1
// limits error and error_description to printable ASCII, so anything else (escape
// sequences, newlines, NUL) is replaced and the length capped.
std::string printable(std::string_view text, std::size_t max_length) {
  std::string out;
  for (const char c : text.substr(0, max_length)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7F) ? c : '?';
  }
  if (text.size() > max_length) {
    out += "...";
  }
  return out;
}

std::string field(const util::FormFields& fields, std::string_view name) {
  return util::form_get(fields, name).value_or(std::string{});
}

} // namespace

std::string_view to_string(ResponseType type) {
  return type == ResponseType::token ? "token" : "code";
}

bool scope_contains(std::string_view scope, std::string_view value) {
  while (!scope.empty()) {
    const auto space = scope.find(' ');
    if (scope.substr(0, space) == value) {
      return true;
    }
    scope = space == std::string_view::npos ? std::string_view{} : scope.substr(space + 1);
  }
  return false;
}

util::Result<std::string> build_authorize_url(const AuthorizeRequest& request) {
  const auto& endpoint = request.authorization_endpoint;
  const auto url = http::parse_url(endpoint);
  if (!url) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("the authorization endpoint '{}' is not an http(s) URL", endpoint));
  }
  // RFC 6749 §3.1: the endpoint URI MUST NOT include a fragment component.
  if (endpoint.find('#') != std::string::npos) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("the authorization endpoint '{}' must not have a fragment", endpoint));
  }
  if (request.client_id.empty()) {
    return util::fail(util::ErrorKind::usage, "the authorization request needs a client_id");
  }

  util::FormFields params;
  params.emplace_back("response_type", std::string(to_string(request.response_type)));
  params.emplace_back("client_id", request.client_id);
  const auto add = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) {
      params.emplace_back(std::string(name), value);
    }
  };
  add("redirect_uri", request.redirect_uri);
  add("scope", request.scope);
  add("state", request.state);
  add("nonce", request.nonce);
  add("code_challenge", request.code_challenge);
  if (!request.code_challenge.empty()) {
    // RFC 7636 §4.3: the method defaults to plain when absent, so always say which.
    params.emplace_back("code_challenge_method",
                        std::string(to_string(request.code_challenge_method.value_or(PkceMethod::s256))));
  }
  for (const auto& [name, value] : request.extra) {
    if (name.empty()) {
      return util::fail(util::ErrorKind::usage, "an authorization request parameter has an empty name");
    }
    params.emplace_back(name, value);
  }

  // RFC 6749 §3.1: the endpoint's own query is kept, and no parameter may appear twice.
  const auto existing = util::form_decode(url->query);
  if (!existing) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("the authorization endpoint '{}' has a malformed query", endpoint));
  }
  std::unordered_set<std::string> seen;
  for (const auto& [name, value] : *existing) {
    seen.insert(name);
  }
  for (const auto& [name, value] : params) {
    if (!seen.insert(name).second) {
      return util::fail(util::ErrorKind::usage,
                        fmt::format("the authorization request parameter '{}' is given twice", name));
    }
  }

  std::string out = endpoint;
  if (url->query.empty() && out.back() != '?') {
    out += '?';
  } else if (out.back() != '?' && out.back() != '&') {
    out += '&';
  }
  out += util::form_encode(params);
  return out;
}

util::Result<AuthorizationResponse> parse_authorization_response(std::string_view query,
                                                                 std::string_view fragment,
                                                                 const ResponseExpectations& expected) {
  // RFC 6749 §4.1.2 returns the code in the query, §4.2.2 the token in the fragment. A
  // response in the other component is read only for an `error`: a token must never
  // be accepted from a query, where it would sit in logs and history (RFC 9700 §2.1.2).
  const bool implicit = expected.response_type == ResponseType::token;
  std::string_view source = implicit ? fragment : query;
  bool error_only = false;
  if (source.empty()) {
    source = implicit ? query : fragment;
    error_only = true;
  }
  if (source.empty()) {
    return util::fail(util::ErrorKind::bad_response, implicit
                                                       ? "the redirect carries no parameters in its fragment"
                                                       : "the redirect carries no parameters in its query");
  }
  if (source.size() > k_max_authorization_response) {
    return util::fail(util::ErrorKind::bad_response,
                      fmt::format("the authorization response is too large ({} bytes)", source.size()));
  }
  auto fields = util::form_decode(source);
  if (!fields) {
    return util::fail(util::ErrorKind::bad_response, "the authorization response has a malformed escape");
  }
  // RFC 6749 §3.1: response parameters MUST NOT be included more than once; a second
  // `state` or `code` is how parameter pollution smuggles a value past a check.
  std::unordered_set<std::string_view> names;
  for (const auto& [name, value] : *fields) {
    if (!names.insert(name).second) {
      return util::fail(
        util::ErrorKind::bad_response,
        fmt::format("the authorization response repeats the parameter '{}'", printable(name, 64)));
    }
  }

  const auto error = util::form_get(*fields, "error");
  const auto state = util::form_get(*fields, "state");

  // RFC 6749 §10.12 and RFC 9700 §4.7: the state binds the response to this client's
  // request; without that binding a redirect may carry an attacker's code (CSRF).
  if (state && !util::constant_time_equal(*state, expected.state)) {
    return tl::unexpected(oauth_error("state mismatch: the authorization response does not belong to this "
                                      "request (possible CSRF); no token was accepted"));
  }
  if (!state && !expected.state.empty() && !error) {
    return tl::unexpected(oauth_error("state mismatch: the authorization response carries no state; no token "
                                      "was accepted"));
  }

  // RFC 9207 §2.4: compare `iss` with the issuer the request went to, before anything
  // else is used, to defeat mix-up attacks between authorization servers.
  const auto iss = util::form_get(*fields, "iss");
  if (iss && !expected.issuer.empty() && *iss != expected.issuer) {
    return tl::unexpected(
      oauth_error(fmt::format("issuer mismatch: the authorization response names '{}' but "
                              "the request went to '{}' (RFC 9207)",
                              printable(*iss, 200), expected.issuer)));
  }
  if (!iss && expected.iss_required) {
    return tl::unexpected(
      oauth_error(fmt::format("issuer mismatch: '{}' announced the iss response parameter "
                              "but sent none (RFC 9207)",
                              expected.issuer)));
  }

  if (error) {
    const auto code = printable(*error, 64);
    const auto description = printable(field(*fields, "error_description"), 300);
    auto message = description.empty() ? fmt::format("authorization failed: {}", code)
                                       : fmt::format("authorization failed: {}: {}", code, description);
    if (!state && !expected.state.empty()) {
      // RFC 9207 §2.4: without state (or iss) nothing shows the error is the server's.
      message += " (the response carried no state, so it may not come from the server)";
    }
    return tl::unexpected(oauth_error(std::move(message), code, description));
  }
  if (error_only) {
    return util::fail(util::ErrorKind::bad_response,
                      implicit ? "the redirect carries its parameters in the query, not in the fragment "
                                 "as the implicit grant requires (RFC 6749 §4.2.2)"
                               : "the redirect carries its parameters in the fragment, not in the query "
                                 "as the authorization code grant requires (RFC 6749 §4.1.2)");
  }

  AuthorizationResponse response;
  response.state = state.value_or(std::string{});
  response.iss = iss.value_or(std::string{});
  if (!implicit) {
    response.code = field(*fields, "code");
    if (response.code.empty()) {
      return util::fail(util::ErrorKind::bad_response, "the authorization response carries no code");
    }
  } else {
    response.access_token = field(*fields, "access_token");
    response.token_type = field(*fields, "token_type");
    if (response.access_token.empty() || response.token_type.empty()) {
      return util::fail(util::ErrorKind::bad_response,
                        "the authorization response carries no access_token or token_type (RFC 6749 §4.2.2)");
    }
    if (const auto expires_in = util::form_get(*fields, "expires_in")) {
      long long value = -1;
      const auto* end = expires_in->data() + expires_in->size();
      const auto [ptr, ec] = std::from_chars(expires_in->data(), end, value);
      if (expires_in->empty() || ec != std::errc{} || ptr != end || value < 0) {
        return util::fail(util::ErrorKind::bad_response,
                          fmt::format("the authorization response has a malformed expires_in '{}'",
                                      printable(*expires_in, 32)));
      }
      response.expires_in = value;
    }
    response.scope = field(*fields, "scope");
    response.id_token = field(*fields, "id_token");
  }
  response.fields = std::move(*fields);
  return response;
}

} // namespace oauthctl::oauth
