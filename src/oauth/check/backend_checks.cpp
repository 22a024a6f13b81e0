// SPDX-License-Identifier: MIT
// The backend group: private_key_jwt client authentication (RFC 7523 §3, SMART Backend
// Services), with the assertions a server must refuse.
#include "oauth/check/checks.hpp"

#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/util/base64url.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth::check {

namespace {

std::string backend_blocker(Context& context) {
  if (!context.advertises("token_endpoint_auth_methods_supported", "private_key_jwt")) {
    return "no private_key_jwt in token_endpoint_auth_methods_supported";
  }
  if (context.config().client_id.empty() || context.config().assertion.private_key_pem.empty()) {
    return "no --client-id with --private-key (private_key_jwt)";
  }
  if (!context.advertises("grant_types_supported", "client_credentials")) {
    return "no client_credentials in grant_types_supported";
  }
  return {};
}

util::Result<SigningKey> client_key(Context& context) {
  const auto& assertion = context.config().assertion;
  return load_assertion_key(assertion.private_key_pem, assertion.alg, assertion.kid);
}

nlohmann::json claims(Context& context) {
  const auto& id = context.config().client_id;
  return assertion_claims(id, id, context.metadata().token_endpoint, context.now());
}

// `form` at the token endpoint, the client authenticated by `assertion` alone (RFC 7523 §2.2).
util::Result<http::Response> post_with_assertion(Context& context, util::FormFields form,
                                                 const std::string& assertion) {
  form.emplace_back("client_assertion_type", std::string(k_jwt_client_assertion_type));
  form.emplace_back("client_assertion", assertion);
  http::Request request;
  request.method = "POST";
  request.url = context.metadata().token_endpoint;
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.set("Accept", "application/json");
  request.body = util::form_encode(form);
  return context.client().send(request);
}

// client_credentials authenticated by `assertion` alone, for `scope` (default: the client scope).
util::Result<http::Response> post_assertion(Context& context, const std::string& assertion,
                                            std::string scope = {}) {
  auto config = context.config();
  config.scope = scope.empty() ? context.client_scope() : std::move(scope);
  return post_with_assertion(context, client_credentials_form(config), assertion);
}

// A fresh assertion of the client, signed with its key.
util::Result<std::string> fresh_assertion(Context& context) {
  const auto key = client_key(context);
  if (!key) {
    return tl::unexpected(key.error());
  }
  return key->sign(claims(context));
}

// The assertion must be refused as invalid_client (RFC 7523 §3.1, RFC 6749 §5.2).
Outcome expect_invalid_client(const util::Result<http::Response>& response, std::string_view what) {
  if (!response) {
    return failed(fmt::format("{}: {}", what, response.error().message));
  }
  if (response->status == 200) {
    return failed(fmt::format("{}: the server issued a token", what));
  }
  if ((response->status == 400 || response->status == 401) &&
      oauth_error_code(*response) == "invalid_client") {
    return passed(fmt::format("{}: {}", what, describe_answer(*response)));
  }
  if (response->status == 400 || response->status == 401) {
    return warned(fmt::format("{}: refused with {} (RFC 7523 §3.2 says invalid_client)", what,
                              describe_answer(*response)));
  }
  return failed(
    fmt::format("{}: expected HTTP 400/401 invalid_client, got {}", what, describe_answer(*response)));
}

// A check that signs `claims` after `change` with the client's key and expects a refusal.
Outcome refused_with(Context& context, std::string_view what,
                     const std::function<void(nlohmann::json&)>& change) {
  if (const auto reason = backend_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  const auto key = client_key(context);
  if (!key) {
    return failed(key.error().message);
  }
  auto body = claims(context);
  change(body);
  const auto assertion = key->sign(body);
  if (!assertion) {
    return failed(assertion.error().message);
  }
  return expect_invalid_client(post_assertion(context, *assertion), what);
}

} // namespace

Outcome check_backend_happy_path(Context& context) {
  if (const auto reason = backend_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  const auto key = client_key(context);
  if (!key) {
    return failed(key.error().message);
  }
  const auto assertion = key->sign(claims(context));
  if (!assertion) {
    return failed(assertion.error().message);
  }
  const auto response = post_assertion(context, *assertion);
  if (!response) {
    return failed(response.error().message);
  }
  if (const auto token = parse_token_response(*response); !token) {
    return failed(fmt::format("the assertion was refused: {}", describe_answer(*response)));
  }
  return passed(fmt::format("token for a {} assertion", key->alg()));
}

Outcome check_backend_jti_replay(Context& context) {
  if (const auto reason = backend_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  const auto key = client_key(context);
  if (!key) {
    return failed(key.error().message);
  }
  const auto assertion = key->sign(claims(context));
  if (!assertion) {
    return failed(assertion.error().message);
  }
  const auto first = post_assertion(context, *assertion);
  if (!first || first->status != 200) {
    return failed(
      fmt::format("the first use was refused: {}", first ? describe_answer(*first) : first.error().message));
  }
  return expect_invalid_client(post_assertion(context, *assertion), "the same assertion (same jti) again");
}

Outcome check_backend_wrong_aud(Context& context) {
  return refused_with(context, "aud is another server's token endpoint", [](nlohmann::json& body) {
    body["aud"] = "https://other.oauthctl-check.invalid/token";
  });
}

Outcome check_backend_expired(Context& context) {
  const auto now = context.now();
  return refused_with(context, "exp ten minutes ago", [now](nlohmann::json& body) {
    body["iat"] = now - 900;
    body["exp"] = now - 600;
  });
}

Outcome check_backend_unsigned(Context& context) {
  if (const auto reason = backend_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  // RFC 7515 §A.5 / RFC 7519 §6: alg "none", an empty signature.
  const auto header = util::base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const auto payload = util::base64url_encode(claims(context).dump());
  return expect_invalid_client(post_assertion(context, header + "." + payload + "."),
                               "alg none, no signature");
}

Outcome check_backend_unregistered_key(Context& context) {
  if (const auto reason = backend_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  const auto registered = client_key(context);
  if (!registered) {
    return failed(registered.error().message);
  }
  // Same alg and kid as the registered key, so only the key itself differs.
  auto other = SigningKey::generate(registered->jws_alg());
  if (!other) {
    return failed(other.error().message);
  }
  other->set_kid(registered->kid());
  const auto assertion = other->sign(claims(context));
  if (!assertion) {
    return failed(assertion.error().message);
  }
  return expect_invalid_client(post_assertion(context, *assertion),
                               "signed by a key the client did not register");
}

Outcome check_backend_scope_rules(Context& context) {
  if (const auto reason = backend_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  // SMART Backend Services: a backend client acts for no user and no patient, so it asks
  // system/ scopes; a patient/ scope must be refused (invalid_scope) or left out of the grant.
  const auto assertion = fresh_assertion(context);
  if (!assertion) {
    return failed(assertion.error().message);
  }
  const std::string asked = "patient/*.rs";
  const auto response = post_assertion(context, *assertion, asked);
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status == 400 && oauth_error_code(*response) == "invalid_scope") {
    return passed(fmt::format("{} refused: {}", asked, describe_answer(*response)));
  }
  const auto token = parse_token_response(*response);
  if (!token) {
    return warned(fmt::format("{} refused with {} (RFC 6749 §5.2 says invalid_scope)", asked,
                              describe_answer(*response)));
  }
  if (token->scope.empty() || token->scope.find("patient/") != std::string::npos ||
      token->scope.find("user/") != std::string::npos) {
    return failed(fmt::format("a backend token for {} was granted scope \"{}\"", asked,
                              token->scope.empty() ? "(not said, so as asked)" : token->scope));
  }
  return passed(fmt::format("{} left out: granted {}", asked, token->scope));
}

Outcome check_refresh_invalid_with_assertion(Context& context) {
  if (const auto reason = backend_blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  if (!context.advertises("grant_types_supported", "refresh_token")) {
    return skipped("no refresh_token in grant_types_supported");
  }
  const auto assertion = fresh_assertion(context);
  if (!assertion) {
    return failed(assertion.error().message);
  }
  const auto response = post_with_assertion(
    context, {{"grant_type", "refresh_token"}, {"refresh_token", "oauthctl-check-not-a-refresh-token"}},
    *assertion);
  if (!response) {
    return failed(response.error().message);
  }
  if (response->status == 400 && oauth_error_code(*response) == "invalid_grant") {
    return passed(fmt::format("private_key_jwt client: {}", describe_answer(*response)));
  }
  return failed(fmt::format("expected HTTP 400 invalid_grant, got {}", describe_answer(*response)));
}

} // namespace oauthctl::oauth::check
