// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// A compact JWS split into its parts (RFC 7515 §7.1); nothing here is verified yet.
struct Jwt {
  nlohmann::json header;     // the decoded protected header (an object)
  nlohmann::json claims;     // the decoded payload (an object)
  std::string signing_input; // "<b64 header>.<b64 payload>", what the signature covers
  std::string signature;     // raw signature bytes
};

// Splits and decodes `token`. `bad_response` for anything that is not three base64url
// parts holding a JSON-object header and payload.
[[nodiscard]] util::Result<Jwt> decode_jwt(std::string_view token);

// A private signing key with its key id; RSA (RS256/384/512) for now.
class SigningKey {
public:
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  // A fresh RSA key of `bits` bits; its kid is the RFC 7638 JWK thumbprint.
  [[nodiscard]] static util::Result<SigningKey> generate_rsa(int bits = 2048);
  // Loads a PEM private key (PKCS#8 or traditional); `config` error when it is not one.
  [[nodiscard]] static util::Result<SigningKey> from_pem(std::string_view pem);

  [[nodiscard]] std::string to_pem() const;
  [[nodiscard]] const std::string& kid() const;
  [[nodiscard]] const std::string& alg() const;
  // The public half as a JWK with kid, alg and use=sig.
  [[nodiscard]] nlohmann::json public_jwk() const;
  // A compact JWS of `claims` with header {alg, typ, kid}; thread-safe.
  [[nodiscard]] util::Result<std::string> sign(const nlohmann::json& claims,
                                               std::string_view typ = "JWT") const;

private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// Public keys from a JWK Set, ready to verify signatures; thread-safe once built.
class JwksVerifier {
public:
  JwksVerifier(JwksVerifier&&) noexcept;
  JwksVerifier& operator=(JwksVerifier&&) noexcept;
  ~JwksVerifier();

  // Keeps every usable signing key of `jwks` ({"keys":[...]}); `bad_response` when the
  // document is malformed or holds no usable key.
  [[nodiscard]] static util::Result<JwksVerifier> from_jwks(const nlohmann::json& jwks);

  // Checks the signature of `jwt` with the key its `kid` names (or the only key when there
  // is no kid). Refuses alg "none", HMAC algs and any alg that does not match the key.
  [[nodiscard]] util::Result<void> verify_signature(const Jwt& jwt) const;

private:
  struct Impl;
  explicit JwksVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

} // namespace oauthctl::oauth
