// SPDX-License-Identifier: MIT
// The faults of `serve --simulate`, one row each: what it does and which `check` ids catch
// it. The rows are an interface (scripts name faults); never rename one.
#include <oauthctl/server/simulate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace oauthctl::server {

namespace {

// clang-format off
constexpr std::array k_faults{
  // --- the SMART launcher's simulated errors: correct requests refused ---
  FaultInfo{.name = "auth_invalid_client_id",
    .description = "the authorization endpoint answers an error page: unknown client_id (no redirect)",
    .caught_by = "authorization-code.happy-path",
    .cascades = true},
  FaultInfo{.name = "auth_invalid_redirect_uri",
    .description = "the authorization endpoint answers an error page: redirect_uri not registered (no redirect)",
    .caught_by = "authorization-code.happy-path",
    .cascades = true},
  FaultInfo{.name = "auth_invalid_scope",
    .description = "a valid authorization request comes back with error=invalid_scope",
    .caught_by = "authorization-code.happy-path",
    .cascades = true},
  FaultInfo{.name = "auth_invalid_client_secret",
    .description = "the token, introspection and revocation endpoints refuse every client secret: 401 invalid_client",
    .caught_by = "token.client-credentials",
    .cascades = true},
  FaultInfo{.name = "token_invalid_token",
    .description = "the authorization_code grant refuses every code: 400 invalid_grant",
    .caught_by = "authorization-code.happy-path",
    .cascades = true},
  FaultInfo{.name = "token_expired_refresh_token",
    .description = "the refresh_token grant refuses every refresh token as expired: 400 invalid_grant",
    .caught_by = "refresh.grant,refresh.narrower-scope,refresh.rotation"},
  FaultInfo{.name = "token_invalid_scope",
    .description = "the token endpoint refuses every request: 400 invalid_scope",
    .caught_by = "token.client-credentials",
    .cascades = true},
  FaultInfo{.name = "token_invalid_jti",
    .description = "every client assertion (private_key_jwt) is refused as a replayed jti: 401 invalid_client",
    .caught_by = "token.auth-methods,backend.happy-path,backend.jti-replay,refresh.invalid-private-key-jwt"},
  FaultInfo{.name = "request_invalid_token",
    .description = "the FHIR server refuses every bearer token: 401 invalid_token",
    .caught_by = "fhir.with-token,fhir.outside-scope,oidc.fhir-user"},
  FaultInfo{.name = "request_expired_token",
    .description = "the FHIR server refuses every bearer token as expired: 401 invalid_token",
    .caught_by = "fhir.with-token,fhir.outside-scope,oidc.fhir-user"},
  // --- id_tokens ---
  FaultInfo{.name = "id_token_wrong_iss",
    .description = "id_tokens name another issuer (re-signed with the server key)",
    .caught_by = "oidc.id-token-claims"},
  FaultInfo{.name = "id_token_wrong_aud",
    .description = "id_tokens are issued for another audience than the client",
    .caught_by = "oidc.id-token-claims"},
  FaultInfo{.name = "id_token_wrong_nonce",
    .description = "id_tokens carry another nonce than the authorization request's",
    .caught_by = "oidc.id-token-claims"},
  FaultInfo{.name = "id_token_bad_signature",
    .description = "id_tokens with a signature that does not verify",
    .caught_by = "oidc.id-token-signature,oidc.id-token-claims"},
  FaultInfo{.name = "id_token_alg_none",
    .description = "id_tokens with header alg none and no signature (RFC 8725 §3.1)",
    .caught_by = "oidc.id-token-signature,oidc.id-token-claims"},
  FaultInfo{.name = "id_token_missing_sub",
    .description = "id_tokens without sub (OpenID Connect Core §2: REQUIRED)",
    .caught_by = "oidc.id-token-claims,oidc.userinfo"},
  FaultInfo{.name = "id_token_missing_iat",
    .description = "id_tokens without iat (OpenID Connect Core §2: REQUIRED)",
    .caught_by = "oidc.id-token-claims"},
  FaultInfo{.name = "id_token_no_kid",
    .description = "the JWKS holds two keys and id_tokens name none in kid (OpenID Connect Core §10.1)",
    .caught_by = "oidc.id-token-signature,oidc.id-token-claims"},
  // --- server misbehaviour ---
  FaultInfo{.name = "no_state",
    .description = "the authorization response leaves out state (no CSRF protection for the client)",
    .caught_by = "authorization-code.state"},
  FaultInfo{.name = "no_iss",
    .description = "the authorization response leaves out iss although the metadata promises it (RFC 9207)",
    .caught_by = "authorization-code.iss"},
  FaultInfo{.name = "code_reusable",
    .description = "a code can be redeemed again: the first redemption's answer comes back",
    .caught_by = "authorization-code.code-reuse"},
  FaultInfo{.name = "pkce_not_checked",
    .description = "the code_verifier is not checked: missing, blank, wrong or equal to the challenge, every one passes",
    .caught_by = "authorization-code.pkce-missing-verifier,authorization-code.pkce-blank-verifier,authorization-code.pkce-wrong-verifier,authorization-code.pkce-verifier-is-challenge,authorization-code.pkce-downgrade"},
  FaultInfo{.name = "plain_advertised",
    .description = "the metadata offers PKCE plain beside S256 (SMART: SHALL NOT)",
    .caught_by = "discovery.pkce-methods",
    .per_client = false},
  FaultInfo{.name = "refresh_not_rotated",
    .description = "refresh tokens are never rotated, the first one keeps working: allowed for confidential clients, refresh.rotation fails it for a public one (RFC 9700 §4.14.2)",
    .caught_by = ""},
  FaultInfo{.name = "refresh_reuse_allowed",
    .description = "refresh tokens are rotated, but a used one still works (no reuse detection, RFC 9700 §4.14.2)",
    .caught_by = "refresh.rotation"},
  FaultInfo{.name = "no_cache_control",
    .description = "token responses without Cache-Control: no-store (RFC 6749 §5.1)",
    .caught_by = "token.no-store"},
  FaultInfo{.name = "expires_in_string",
    .description = "expires_in sent as a JSON string (\"3600\") instead of a number",
    .caught_by = "token.expires-in-numeric"},
  FaultInfo{.name = "unsupported_grant_as_invalid_request",
    .description = "an unknown grant_type answered invalid_request instead of unsupported_grant_type",
    .caught_by = "token.unsupported-grant"},
  FaultInfo{.name = "unauthorized_client_as_invalid_grant",
    .description = "a grant the client is not registered for answered invalid_grant instead of unauthorized_client",
    .caught_by = "token.unauthorized-grant"},
  FaultInfo{.name = "smart_wrong_issuer",
    .description = "the SMART configuration names another issuer than the OAuth metadata",
    .caught_by = "discovery.issuer-exact",
    .per_client = false},
  FaultInfo{.name = "introspection_leaks",
    .description = "introspecting an unknown token says more than {\"active\": false}",
    .caught_by = "introspection.unknown-token"},
  // --- transport and time ---
  FaultInfo{.name = "slow",
    .argument = "DURATION",
    .example = "100ms",
    .description = "the token endpoint answers DURATION late (seconds, or ms: 500ms)",
    .caught_by = ""},
  FaultInfo{.name = "http",
    .argument = "STATUS",
    .example = "500",
    .description = "the token endpoint answers HTTP STATUS with an error body (429 and 503 with Retry-After: 1)",
    .caught_by = "token.client-credentials",
    .cascades = true},
  FaultInfo{.name = "malformed_json",
    .description = "the token endpoint's successful answers are cut off mid-JSON",
    .caught_by = "token.client-credentials",
    .cascades = true},
  FaultInfo{.name = "clock_skew",
    .argument = "SECONDS",
    .example = "300s",
    .description = "the server's clock runs SECONDS ahead (negative: behind): issued times and expiry move with it",
    .caught_by = "token.auth-methods,refresh.invalid-private-key-jwt,oidc.id-token-claims,backend.happy-path,backend.jti-replay",
    .per_client = false},
  FaultInfo{.name = "late_state_poll",
    .argument = "DURATION",
    .example = "2s",
    .description = "serve's state poll (revocations, signing keys, clients and users) runs DURATION late every time: requests find the views past their 1 s bound and refresh them themselves",
    .caught_by = "",
    .per_client = false},
  FaultInfo{.name = "jwks_rotated",
    .description = "the signing key rotates after the first JWKS fetch: later id_tokens name a new kid that only a fresh JWKS has",
    .caught_by = "",
    .per_client = false},
};
// clang-format on

// "2s", "500ms", "300" (seconds) as milliseconds; nullopt when malformed or negative.
std::optional<std::int64_t> parse_duration_ms(std::string_view text, bool allow_negative) {
  std::int64_t scale = 1000;
  if (text.ends_with("ms")) {
    scale = 1;
    text.remove_suffix(2);
  } else if (text.ends_with('s')) {
    text.remove_suffix(1);
  }
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto parsed = std::from_chars(text.data() + (!text.empty() && text.front() == '+'), end, value);
  if (text.empty() || parsed.ec != std::errc() || parsed.ptr != end || (value < 0 && !allow_negative) ||
      value > 86'400'000 || value < -86'400'000) {
    return std::nullopt;
  }
  return value * scale;
}

util::Result<Fault> parse_fault(std::string_view item) {
  const auto colon = item.find(':');
  const auto name = item.substr(0, colon);
  const auto* info = find_fault(name);
  if (info == nullptr) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("unknown fault \"{}\" for --simulate (see --simulate list)", name));
  }
  Fault fault{std::string(name), 0};
  if (info->argument.empty()) {
    if (colon != std::string_view::npos) {
      return util::fail(util::ErrorKind::usage, fmt::format("--simulate {} takes no argument", name));
    }
    return fault;
  }
  const auto argument = colon == std::string_view::npos ? std::string_view{} : item.substr(colon + 1);
  const auto usage = [&] {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("--simulate {}:{} needs a {} (see --simulate list), not \"{}\"", name,
                                  info->argument, info->argument, argument));
  };
  if (name == "http") {
    int status = 0;
    const auto parsed = std::from_chars(argument.data(), argument.data() + argument.size(), status);
    if (argument.empty() || parsed.ec != std::errc() || parsed.ptr != argument.data() + argument.size() ||
        status < 400 || status > 599) {
      return usage();
    }
    fault.value = status;
    return fault;
  }
  const auto ms = parse_duration_ms(argument, name == "clock_skew");
  if (!ms) {
    return usage();
  }
  fault.value = name == "clock_skew" ? *ms / 1000 : *ms;
  return fault;
}

} // namespace

std::span<const FaultInfo> fault_table() {
  return k_faults;
}

const FaultInfo* find_fault(std::string_view name) {
  const auto it =
    std::find_if(k_faults.begin(), k_faults.end(), [&](const FaultInfo& f) { return f.name == name; });
  return it == k_faults.end() ? nullptr : &*it;
}

util::Result<std::vector<Fault>> parse_faults(std::string_view list, bool per_client_only) {
  std::vector<Fault> faults;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item.empty()) {
      continue;
    }
    auto fault = parse_fault(item);
    if (!fault) {
      return tl::unexpected(fault.error());
    }
    if (per_client_only && !find_fault(fault->name)->per_client) {
      return util::fail(
        util::ErrorKind::usage,
        fmt::format("fault \"{}\" applies to the whole server: give it to --simulate", fault->name));
    }
    faults.push_back(std::move(*fault));
  }
  return faults;
}

} // namespace oauthctl::server
