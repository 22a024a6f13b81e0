// SPDX-License-Identifier: MIT
#include "oauth/grants/browser_redirect.hpp"

#include <oauthctl/http/listener.hpp>
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/browser.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/id_token.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>

#include <chrono>

namespace oauthctl::oauth {

namespace {

// SMART App Launch 2.x: a request for FHIR data scopes names the FHIR server in `aud`.
bool has_smart_scope(std::string_view scope) {
  while (!scope.empty()) {
    const auto space = scope.find(' ');
    const auto entry = scope.substr(0, space);
    if (entry.rfind("patient/", 0) == 0 || entry.rfind("user/", 0) == 0 || entry.rfind("system/", 0) == 0 ||
        entry == "launch" || entry.rfind("launch/", 0) == 0) {
      return true;
    }
    scope = space == std::string_view::npos ? std::string_view{} : scope.substr(space + 1);
  }
  return false;
}

std::string format_seconds(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) {
    return fmt::format("{} s", duration.count() / 1000);
  }
  return fmt::format("{:.1f} s", static_cast<double>(duration.count()) / 1000.0);
}

bool discovered(const ServerMetadata& metadata) {
  return metadata.source != "defaults" && metadata.source != "--token-url";
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

util::Result<AuthorizeRequest>
make_authorize_request(const ClientConfig& config, const ServerMetadata& metadata, ResponseType response_type,
                       const std::string& redirect_uri, const std::string& state, const std::string& nonce,
                       const std::optional<Pkce>& pkce) {
  if (metadata.authorization_endpoint.empty()) {
    return util::fail(util::ErrorKind::usage,
                      "the server names no authorization endpoint: give --authorize-url (or --server)");
  }
  AuthorizeRequest request;
  request.authorization_endpoint = metadata.authorization_endpoint;
  request.response_type = response_type;
  request.client_id = config.client_id;
  request.redirect_uri = redirect_uri;
  request.scope = config.scope;
  request.state = state;
  request.nonce = nonce;
  if (pkce) {
    request.code_challenge = pkce->challenge;
    request.code_challenge_method = pkce->method;
  }
  const auto& redirect = config.redirect;
  const auto extra_has = [&](std::string_view name) {
    return util::form_get(redirect.extra, name).has_value();
  };
  if (!extra_has("aud")) {
    // SMART App Launch §"Obtaining authorization code": aud is the FHIR base URL the app
    // will call, so a token meant for one server cannot be replayed at another.
    std::string aud = config.audience;
    if (aud.empty() && has_smart_scope(config.scope)) {
      aud = !config.fhir_url.empty() ? config.fhir_url
            : !config.server.empty() ? http::join_url(config.server, "fhir")
                                     : std::string();
    }
    if (!aud.empty()) {
      request.extra.emplace_back("aud", aud);
    }
  }
  if (!config.resource.empty() && !extra_has("resource")) {
    request.extra.emplace_back("resource", config.resource); // RFC 8707 §2
  }
  if (!redirect.login_hint.empty() && !extra_has("login_hint")) {
    request.extra.emplace_back("login_hint", redirect.login_hint); // OIDC Core §3.1.2.1
  }
  if (!redirect.launch.empty() && !extra_has("launch")) {
    request.extra.emplace_back("launch", redirect.launch); // SMART EHR launch
  }
  for (const auto& field : redirect.extra) {
    request.extra.push_back(field);
  }
  return request;
}

util::Result<BrowserAuthorization> authorize_in_browser(const FlowContext& context,
                                                        ResponseType response_type) {
  const auto& config = context.config;
  const bool implicit = response_type == ResponseType::token;
  BrowserAuthorization result;

  // RFC 6749 §10.12: an unguessable state binds the redirect to this request (CSRF);
  // OIDC Core §3.1.2.1: a nonce binds the id_token to it (replay).
  const auto state = util::random_token();
  if (scope_contains(config.scope, "openid")) {
    result.nonce = util::random_token();
  }
  // RFC 7636 §4.1 (and RFC 9700 §2.1.1): PKCE for every code request, S256 unless told
  // otherwise; the implicit grant has no code to protect.
  if (!implicit && config.redirect.pkce) {
    result.pkce = make_pkce(*config.redirect.pkce);
  }

  ResponseExpectations expectations;
  expectations.response_type = response_type;
  expectations.state = state;
  // RFC 9207 §2.4: the issuer is known only from discovery; Aidbox's default paths guess it.
  if (discovered(context.metadata)) {
    expectations.issuer = context.metadata.issuer;
    const auto& raw = context.metadata.raw;
    const auto supported =
      raw.is_object() ? raw.find("authorization_response_iss_parameter_supported") : raw.end();
    expectations.iss_required =
      raw.is_object() && supported != raw.end() && supported->is_boolean() && supported->get<bool>();
  }

  http::ListenerOptions listener_options;
  listener_options.redirect_uri = config.redirect.redirect_uri;
  listener_options.mode = implicit ? http::CallbackMode::fragment : http::CallbackMode::query;
  // The browser page tells the truth: the same check the grant makes below decides it.
  listener_options.judge = [expectations](const http::Callback& callback) {
    const auto parsed = parse_authorization_response(callback.query, callback.fragment, expectations);
    if (!parsed) {
      return http::CallbackPage{http::CallbackPage::Outcome::failure, util::describe(parsed.error())};
    }
    return http::CallbackPage{http::CallbackPage::Outcome::success,
                              "oauthctl received the response; it continues in the terminal."};
  };
  auto listener = http::start_listener(listener_options);
  if (!listener) {
    return tl::unexpected(listener.error());
  }
  result.redirect_uri = (*listener)->redirect_uri();
  // Stoppable (Ctrl-C) from the moment it listens, before the user sees any URL.
  auto* listener_ptr = listener->get();
  const util::CancellationScope scope(context.cancellation, [listener_ptr] { listener_ptr->stop(); });
  context.observer.on_step(
    "Open application",
    fmt::format("listening for the redirect on {} (RFC 8252 loopback)", result.redirect_uri));

  auto request = make_authorize_request(config, context.metadata, response_type, result.redirect_uri, state,
                                        result.nonce, result.pkce);
  if (!request) {
    return tl::unexpected(request.error());
  }
  auto url = build_authorize_url(*request);
  if (!url) {
    return tl::unexpected(url.error());
  }
  context.observer.on_step(
    "Authorize",
    fmt::format("response_type={}, state{}{}: {}", to_string(response_type),
                result.nonce.empty() ? "" : ", nonce",
                result.pkce ? fmt::format(", PKCE {}", to_string(result.pkce->method)) : "", *url));
  const auto launch = open_browser(config.redirect.browser, *url);
  if (!launch) {
    return tl::unexpected(launch.error());
  }
  // Always print the URL: a headless box may "launch" a browser nobody can see.
  context.observer.on_instruction(fmt::format("Open this URL in a browser: {}", *url));

  context.observer.on_step(
    "Login & consent", fmt::format("{}waiting up to {} for the browser to come back to {}",
                                   launch->launched ? fmt::format("opened with {}; ", launch->command) : "",
                                   format_seconds(config.redirect.timeout), result.redirect_uri));
  context.observer.on_waiting(fmt::format("waiting for the browser to come back to {}", result.redirect_uri),
                              std::chrono::duration_cast<std::chrono::seconds>(config.redirect.timeout));
  const auto callback = (*listener)->wait(config.redirect.timeout);
  context.observer.on_wait_done();
  if (!callback) {
    if (context.cancellation != nullptr && context.cancellation->cancelled()) {
      return util::fail(util::ErrorKind::interrupted, "interrupted while waiting for the redirect");
    }
    auto error = callback.error();
    if (error.kind == util::ErrorKind::timeout) {
      error.message =
        fmt::format("timed out: no redirect arrived at {} within {} (raise --redirect-timeout to "
                    "wait longer)",
                    result.redirect_uri, format_seconds(config.redirect.timeout));
    }
    return tl::unexpected(std::move(error));
  }
  auto response = parse_authorization_response(callback->query, callback->fragment, expectations);
  if (!response) {
    return tl::unexpected(response.error());
  }
  context.observer.on_step(
    implicit ? "Redirect with token" : "Redirect with code",
    fmt::format("state matches{}", response->iss.empty() ? ""
                                   : expectations.issuer.empty()
                                     ? fmt::format("; iss {} (not checked: no discovery)", response->iss)
                                     : fmt::format("; iss {} matches", response->iss)));
  result.response = std::move(*response);
  return result;
}

util::Result<void> check_id_token(const FlowContext& context, const TokenResponse& token,
                                  const std::string& nonce, IdTokenRequired required) {
  if (token.id_token.empty()) {
    if (required == IdTokenRequired::yes) {
      // OIDC Core §3.1.3.3: a successful response to an openid request carries an id_token.
      return util::fail(util::ErrorKind::bad_response,
                        "id_token rejected: the token response has none although scope has openid");
    }
    return {};
  }
  if (context.metadata.jwks_uri.empty()) {
    return util::fail(util::ErrorKind::bad_response,
                      "id_token rejected: the server publishes no jwks_uri to verify its signature");
  }
  auto keys = fetch_jwks(context.client, context.metadata.jwks_uri);
  if (!keys) {
    auto error = keys.error();
    error.message = fmt::format("id_token not verified: {}", error.message);
    return tl::unexpected(std::move(error));
  }
  IdTokenExpectations expected;
  expected.issuer = context.metadata.issuer;
  expected.client_id = context.config.client_id;
  expected.nonce = nonce;
  expected.access_token = token.access_token;
  expected.now = now_seconds();
  auto verified = verify_id_token(token.id_token, *keys, expected);
  if (!verified) {
    return tl::unexpected(verified.error());
  }
  context.observer.on_step("ID token",
                           fmt::format("signature verified with {}; iss, aud, exp, iat{} checked",
                                       context.metadata.jwks_uri, nonce.empty() ? "" : ", nonce"));
  return {};
}

} // namespace oauthctl::oauth
