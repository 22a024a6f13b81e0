// SPDX-License-Identifier: MIT
#include "server/endpoints/client_assertion.hpp"

#include <oauthctl/oauth/jwt.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace oauthctl::server {

namespace {

constexpr std::size_t k_max_jti_length = 256;

std::optional<std::string> optional_string_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<std::int64_t> time_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) {
    return std::nullopt;
  }
  if (it->is_number_float()) {
    const auto value = it->get<double>();
    // Out of int64's range the conversion is undefined: refuse such a date instead.
    if (!std::isfinite(value) || value < -1e12 || value > 1e12) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(value);
  }
  // Integers too: a date near INT64_MAX would overflow `exp + leeway`.
  constexpr std::int64_t k_limit = 1'000'000'000'000;
  if (it->is_number_unsigned()) {
    return it->get<std::uint64_t>() > static_cast<std::uint64_t>(k_limit)
             ? std::nullopt
             : std::optional<std::int64_t>(static_cast<std::int64_t>(it->get<std::uint64_t>()));
  }
  const auto value = it->get<std::int64_t>();
  if (value > k_limit || value < -k_limit) {
    return std::nullopt;
  }
  return value;
}

} // namespace

tl::expected<nlohmann::json, std::string> verify_assertion(const AppContext& context,
                                                           const RegisteredClient& client,
                                                           std::string_view assertion,
                                                           AssertionPurpose purpose) {
  using Failure = tl::unexpected<std::string>;
  auto jwt = oauth::decode_jwt(assertion);
  if (!jwt) {
    return Failure("it is not a signed JWT (" + jwt.error().message + ")");
  }
  const auto now = context.now();
  auto keys = context.assertions->keys_for(client.spec, now);
  if (!keys) {
    return Failure("the client's keys cannot be read: " + keys.error().message);
  }
  // RFC 7523 §3 item 9 and RFC 8725 §3.1: the signature, with the alg the key allows.
  if (auto verified = (*keys)->verify_signature(*jwt); !verified) {
    return Failure(verified.error().message);
  }
  const auto& claims = jwt->claims;
  const auto& client_id = client.spec.id;
  // RFC 7523 §3 items 1-2; §2.2: for client authentication, iss and sub are the client_id.
  if (optional_string_claim(claims, "iss") != client_id) {
    return Failure("iss must be the client_id");
  }
  const auto sub = optional_string_claim(claims, "sub");
  if (!sub || sub->empty()) {
    return Failure("sub is missing");
  }
  if (purpose == AssertionPurpose::client_authentication && *sub != client_id) {
    return Failure("sub must be the client_id");
  }
  // RFC 7523 §3 items 3-5: aud names this server, exp is there, nbf/iat are not ahead.
  oauth::ClaimChecks checks;
  // The token endpoint (SMART), the issuer, or the endpoint a client authenticates at
  // besides it (RFC 7009, RFC 7662): all name this server.
  checks.audiences = {context.issuer + "/auth/token", context.issuer, context.issuer + "/auth/introspect",
                      context.issuer + "/auth/revoke"};
  checks.now = now;
  checks.leeway = k_assertion_leeway;
  checks.require_exp = true;
  if (auto checked = oauth::check_claims(claims, checks); !checked) {
    return Failure(checked.error().message);
  }
  const auto exp = time_claim(claims, "exp");
  if (!exp || *exp > now + k_max_assertion_lifetime + k_assertion_leeway) {
    return Failure(fmt::format("exp is more than {} seconds ahead", k_max_assertion_lifetime));
  }
  if (const auto iat = time_claim(claims, "iat");
      claims.contains("iat") && (!iat || *iat > now + k_assertion_leeway)) {
    return Failure("iat is in the future");
  }
  // RFC 7523 §3 item 7: the jti makes the assertion single use.
  const auto jti = optional_string_claim(claims, "jti");
  if (!jti || jti->empty() || jti->size() > k_max_jti_length) {
    return Failure("jti is missing");
  }
  if (context.assertions->use_jti(client_id, *jti, *exp + k_assertion_leeway, now) == JtiUse::replayed) {
    return Failure("its jti was already used (a replayed assertion)");
  }
  return claims;
}

tl::expected<const RegisteredClient*, ServerResponse>
authenticate_with_assertion(const AppContext& context, const Directory& directory,
                            const PresentedClient& presented) {
  const auto* client = directory.clients.find(presented.client_id);
  if (client == nullptr || !client->has_keys()) {
    return tl::unexpected(invalid_client(presented.method, "unknown client, or no keys registered for it"));
  }
  auto verified =
    verify_assertion(context, *client, presented.assertion, AssertionPurpose::client_authentication);
  if (!verified) {
    return tl::unexpected(invalid_client(presented.method, "client_assertion rejected: " + verified.error()));
  }
  return client;
}

std::string assertion_issuer(std::string_view assertion) {
  const auto jwt = oauth::decode_jwt(assertion);
  if (!jwt) {
    return {};
  }
  const auto iss = jwt->claims.find("iss");
  return iss != jwt->claims.end() && iss->is_string() ? iss->get<std::string>() : std::string();
}

} // namespace oauthctl::server
