// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>

#include <fmt/format.h>

namespace oauthctl::oauth {

namespace {

constexpr std::string_view k_jwt_bearer_grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

} // namespace

util::Result<std::string> jwt_bearer_assertion(const ClientConfig& config, std::string_view token_endpoint,
                                               std::int64_t now) {
  const auto& options = config.assertion;
  if (!options.assertion.empty()) {
    if (!options.assertion_key_pem.empty() || !options.assertion_claims.empty()) {
      return util::fail(util::ErrorKind::usage,
                        "give --assertion, or --assertion-key with --assertion-claims, not both");
    }
    return options.assertion;
  }
  if (options.assertion_key_pem.empty()) {
    return util::fail(util::ErrorKind::usage,
                      "--grant jwt_bearer needs --assertion JWT (or '-' for stdin, or OAUTHCTL_ASSERTION), "
                      "or --assertion-key FILE to sign one");
  }
  nlohmann::json given = nlohmann::json::object();
  if (!options.assertion_claims.empty()) {
    given = nlohmann::json::parse(options.assertion_claims, nullptr, false);
    if (given.is_discarded() || !given.is_object()) {
      return util::fail(util::ErrorKind::usage, "--assertion-claims must be a JSON object");
    }
  }
  // RFC 7523 §3: iss, sub, aud and exp are required; what the user gave wins, the rest is
  // filled in: iss defaults to the client id, sub to iss, aud to the token endpoint.
  const auto issuer =
    given.contains("iss") && given["iss"].is_string() ? given["iss"].get<std::string>() : config.client_id;
  if (issuer.empty()) {
    return util::fail(util::ErrorKind::usage,
                      "the assertion needs an iss: give --client-id or an \"iss\" claim");
  }
  auto claims = assertion_claims(issuer, issuer, token_endpoint, now);
  for (const auto& [name, value] : given.items()) {
    claims[name] = value;
  }
  // The key signs with the --alg and --kid given for private_key_jwt too.
  auto key = load_assertion_key(options.assertion_key_pem, options.alg, options.kid);
  if (!key) {
    return tl::unexpected(key.error());
  }
  return key->sign(claims);
}

util::Result<TokenResponse> run_jwt_bearer(const FlowContext& context) {
  const auto now = unix_now();
  auto assertion = jwt_bearer_assertion(context.config, context.metadata.token_endpoint, now);
  if (!assertion) {
    return tl::unexpected(assertion.error());
  }
  context.observer.on_step("Assertion", context.config.assertion.assertion.empty()
                                          ? "signed a JWT with --assertion-key (RFC 7523 §3)"
                                          : "the JWT given with --assertion");
  // RFC 7523 §2.1: grant_type, assertion and an optional scope.
  util::FormFields form{{"grant_type", std::string(k_jwt_bearer_grant)},
                        {"assertion", std::move(*assertion)}};
  if (!context.config.scope.empty()) {
    form.emplace_back("scope", context.config.scope);
  }
  if (!context.config.audience.empty()) {
    form.emplace_back("audience", context.config.audience);
  }
  if (!context.config.resource.empty()) {
    form.emplace_back("resource", context.config.resource); // RFC 8707 §2
  }
  // RFC 7523 §3.1: client authentication is optional with this grant; without a secret
  // or key the client names itself with client_id.
  const auto config = public_client_if_secretless(context.config);
  const FlowContext public_context{context.client, config, context.metadata, context.observer,
                                   context.cancellation};
  return exchange_at_token_endpoint(public_context, std::move(form));
}

} // namespace oauthctl::oauth
