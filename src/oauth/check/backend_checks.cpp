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

std::string blocker(Context& context) {
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

// client_credentials authenticated by `assertion` alone (RFC 7523 §2.2).
util::Result<http::Response> post_assertion(Context& context, const std::string& assertion) {
  auto config = context.config();
  config.scope = context.client_scope();
  auto form = client_credentials_form(config);
  form.emplace_back("client_assertion_type", std::string(k_jwt_client_assertion_type));
  form.emplace_back("client_assertion", assertion);
  config.auth_method = AuthMethod::none;
  config.client_id.clear(); // the assertion names the client
  http::Request request;
  request.method = "POST";
  request.url = context.metadata().token_endpoint;
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.set("Accept", "application/json");
  request.body = util::form_encode(form);
  return context.client().send(request);
}

// The assertion must be refused as invalid_client (RFC 7523 §3.1, RFC 6749 §5.2).
Outcome expect_refused(const util::Result<http::Response>& response, std::string_view what) {
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
  if (const auto reason = blocker(context); !reason.empty()) {
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
  return expect_refused(post_assertion(context, *assertion), what);
}

} // namespace

Outcome check_backend_happy_path(Context& context) {
  if (const auto reason = blocker(context); !reason.empty()) {
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
  if (const auto reason = blocker(context); !reason.empty()) {
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
  return expect_refused(post_assertion(context, *assertion), "the same assertion (same jti) again");
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
  if (const auto reason = blocker(context); !reason.empty()) {
    return skipped(reason);
  }
  // RFC 7515 §A.5 / RFC 7519 §6: alg "none", an empty signature.
  const auto header = util::base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const auto payload = util::base64url_encode(claims(context).dump());
  return expect_refused(post_assertion(context, header + "." + payload + "."), "alg none, no signature");
}

Outcome check_backend_unregistered_key(Context& context) {
  if (const auto reason = blocker(context); !reason.empty()) {
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
  return expect_refused(post_assertion(context, *assertion), "signed by a key the client did not register");
}

} // namespace oauthctl::oauth::check
