// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>

#include <chrono>

namespace oauthctl::oauth {

util::Result<SigningKey> load_assertion_key(std::string_view pem, std::string_view alg,
                                            std::string_view kid) {
  util::Result<SigningKey> key = util::fail(util::ErrorKind::internal, "no key");
  if (alg.empty()) {
    key = SigningKey::from_pem_any(pem);
  } else {
    const auto parsed = parse_jws_alg(alg);
    // RFC 7523 §3 / SMART: asymmetric signatures only; RS512 is no SMART alg either.
    if (!parsed || *parsed == JwsAlg::rs512) {
      return util::fail(util::ErrorKind::usage,
                        fmt::format("invalid --alg {} (valid: RS256, RS384, ES256, ES384)", alg));
    }
    key = SigningKey::from_pem(pem, *parsed);
  }
  if (key && !kid.empty()) {
    key->set_kid(std::string(kid));
  }
  return key;
}

nlohmann::json assertion_claims(std::string_view issuer, std::string_view subject, std::string_view audience,
                                std::int64_t now) {
  return {{"iss", issuer},
          {"sub", subject},
          {"aud", audience},
          {"iat", now},
          {"exp", now + k_assertion_lifetime},
          {"jti", util::random_token(24)}};
}

util::Result<std::string> sign_client_assertion(const ClientConfig& config, std::string_view audience,
                                                std::int64_t now) {
  if (config.assertion.private_key_pem.empty()) {
    return util::fail(util::ErrorKind::usage,
                      "--auth-method private_key_jwt needs --private-key FILE (or OAUTHCTL_PRIVATE_KEY)");
  }
  auto key = load_assertion_key(config.assertion.private_key_pem, config.assertion.alg, config.assertion.kid);
  if (!key) {
    return tl::unexpected(key.error());
  }
  // RFC 7523 §3: iss and sub are the client_id (§2.2); aud the authorization server, for
  // which SMART Backend Services names the token endpoint URL.
  return key->sign(assertion_claims(config.client_id, config.client_id, audience, now));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace oauthctl::oauth
