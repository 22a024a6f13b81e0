// SPDX-License-Identifier: MIT
#include "oauth/jws_openssl.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>

#include <fmt/format.h>

#include <vector>

namespace oauthctl::oauth {

// Outside the anonymous namespace because JwksVerifier::Impl holds them: in a unity batch
// this file is not the main file, and gcc refuses (-Wsubobject-linkage) a class with
// external linkage whose member's type has internal linkage there.
struct VerifyKey {
  std::string kid;              // empty when the JWK has none
  std::optional<JwsAlg> alg;    // pinned by the JWK's "alg", if present
  std::string kty;              // "RSA" or "EC"
  std::optional<JwsAlg> ec_alg; // for EC keys: the one alg their curve signs with
  detail::PkeyPtr key;
};

namespace {

bool is_rsa_alg(JwsAlg alg) {
  return alg == JwsAlg::rs256 || alg == JwsAlg::rs384 || alg == JwsAlg::rs512;
}

std::optional<std::string> jwk_string(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

// One JWK (RFC 7517 §4) to a verification key; nullopt when it is not usable for us.
std::optional<VerifyKey> parse_jwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) {
    return std::nullopt;
  }
  const auto kty = jwk_string(jwk, "kty");
  const auto use = jwk_string(jwk, "use");
  if (!kty || (jwk.contains("use") && use != "sig")) {
    return std::nullopt;
  }
  VerifyKey key;
  key.kty = *kty;
  key.kid = jwk_string(jwk, "kid").value_or("");
  if (jwk.contains("alg")) {
    const auto alg_name = jwk_string(jwk, "alg");
    key.alg = alg_name ? parse_jws_alg(*alg_name) : std::nullopt;
    if (!key.alg) {
      return std::nullopt; // an algorithm we refuse (HS256, none, ...) or do not know
    }
  }
  if (*kty == "EC") {
    // RFC 7518 §6.2.1: crv, x, y; the curve fixes the alg (ES256 on P-256, ES384 on P-384).
    const auto crv = jwk_string(jwk, "crv");
    key.ec_alg = crv ? detail::alg_for_curve(*crv) : std::nullopt;
    if (!key.ec_alg || (key.alg && *key.alg != *key.ec_alg) || jwk.contains("d")) {
      return std::nullopt; // another curve, a curve/alg contradiction, or a private key
    }
    const auto x_text = jwk_string(jwk, "x");
    const auto y_text = jwk_string(jwk, "y");
    const auto x = x_text ? util::base64url_decode(*x_text) : std::nullopt;
    const auto y = y_text ? util::base64url_decode(*y_text) : std::nullopt;
    if (!x || !y) {
      return std::nullopt;
    }
    key.key = detail::ec_from_public(*crv, *x, *y);
    if (!key.key) {
      return std::nullopt;
    }
    return key;
  }
  if (*kty != "RSA" || (key.alg && is_ec_alg(*key.alg))) {
    return std::nullopt;
  }
  const auto n_text = jwk_string(jwk, "n");
  const auto e_text = jwk_string(jwk, "e");
  const auto n = n_text ? util::base64url_decode(*n_text) : std::nullopt;
  const auto e = e_text ? util::base64url_decode(*e_text) : std::nullopt;
  // RFC 7518 §3.3: 2048 bits at least; a short modulus is not a key we trust.
  if (!n || !e || n->size() < 256 || e->empty() || e->size() > 8) {
    return std::nullopt;
  }
  key.key = detail::rsa_from_public(*n, *e);
  if (!key.key) {
    return std::nullopt;
  }
  return key;
}

} // namespace

struct JwksVerifier::Impl {
  std::vector<VerifyKey> keys;
};

JwksVerifier::JwksVerifier(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
JwksVerifier::JwksVerifier(JwksVerifier&&) noexcept = default;
JwksVerifier& JwksVerifier::operator=(JwksVerifier&&) noexcept = default;
JwksVerifier::~JwksVerifier() = default;

util::Result<JwksVerifier> JwksVerifier::from_jwks(const nlohmann::json& jwks) {
  const auto keys = jwks.is_object() ? jwks.find("keys") : jwks.end();
  if (!jwks.is_object() || keys == jwks.end() || !keys->is_array()) {
    return util::fail(util::ErrorKind::bad_response, "JWK Set must be an object with a \"keys\" array");
  }
  auto impl = std::make_unique<Impl>();
  for (const auto& jwk : *keys) {
    if (auto key = parse_jwk(jwk)) {
      impl->keys.push_back(std::move(*key));
    }
  }
  if (impl->keys.empty()) {
    return util::fail(util::ErrorKind::bad_response, "JWK Set holds no usable signing key");
  }
  return JwksVerifier(std::move(impl));
}

std::size_t JwksVerifier::size() const {
  return m_impl->keys.size();
}

util::Result<void> JwksVerifier::verify_signature(const Jwt& jwt) const {
  const auto alg_name = jwk_string(jwt.header, "alg");
  if (!alg_name) {
    return util::fail(util::ErrorKind::bad_response, "JWT header has no alg");
  }
  // RFC 8725 §3.1/§3.2: never "none", and never an HMAC alg against a public key (the
  // classic confusion attack uses the public key as the HMAC secret).
  const auto alg = parse_jws_alg(*alg_name);
  if (!alg) {
    return util::fail(util::ErrorKind::bad_response,
                      fmt::format("JWT alg {} is not accepted", nlohmann::json(*alg_name).dump()));
  }
  // RFC 7515 §4.1.11: a recipient that does not understand every extension `crit` lists
  // must refuse the JWS. We implement none (not even RFC 7797 `b64`), so any `crit` is
  // refused, as is a malformed one.
  if (jwt.header.contains("crit")) {
    return util::fail(util::ErrorKind::bad_response,
                      "JWT header lists critical extensions (crit) that are not understood");
  }
  const VerifyKey* chosen = nullptr;
  if (jwt.header.contains("kid")) {
    const auto kid = jwk_string(jwt.header, "kid");
    if (!kid) {
      return util::fail(util::ErrorKind::bad_response, "JWT kid is not a string");
    }
    for (const auto& key : m_impl->keys) {
      if (key.kid == *kid) {
        chosen = &key;
        break;
      }
    }
    // A JWK Set of one key without a kid (as many registrations are): the header's kid is
    // only a hint (RFC 7515 §4.1.4), and the signature check below still decides.
    if (chosen == nullptr && m_impl->keys.size() == 1 && m_impl->keys.front().kid.empty()) {
      chosen = &m_impl->keys.front();
    }
    if (chosen == nullptr) {
      return util::fail(util::ErrorKind::bad_response, "no key in the JWK Set matches the JWT kid");
    }
  } else if (m_impl->keys.size() == 1) {
    chosen = &m_impl->keys.front();
  } else {
    return util::fail(util::ErrorKind::bad_response, "JWT has no kid and the JWK Set has several keys");
  }
  if ((chosen->alg && *chosen->alg != *alg) || (chosen->kty == "RSA" && !is_rsa_alg(*alg)) ||
      (chosen->kty == "EC" && chosen->ec_alg != alg)) {
    return util::fail(util::ErrorKind::bad_response, "JWT alg does not match its key");
  }
  if (!detail::verify_bytes(chosen->key.get(), *alg, jwt.signing_input, jwt.signature)) {
    return util::fail(util::ErrorKind::bad_response, "JWT signature is invalid");
  }
  return {};
}

} // namespace oauthctl::oauth
