// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::oauth {

// A compact JWS split into its parts (RFC 7515 §7.1); nothing here is verified yet.
struct Jwt {
  nlohmann::json header;     // the decoded protected header (an object)
  nlohmann::json claims;     // the decoded payload (an object)
  std::string signing_input; // "<b64 header>.<b64 payload>", what the signature covers
  std::string signature;     // raw signature bytes
};

// The longest compact JWS decode_jwt accepts; anything longer is refused before decoding.
// As long as `serve`'s token endpoint body (64 KiB): token exchange takes subject tokens
// with many claims (40 KiB and more in the wild).
inline constexpr std::size_t k_max_jwt_length = 64 * 1024;

// Splits and decodes `token`. `bad_response` for anything that is not three base64url
// parts holding a JSON-object header and payload (or is longer than k_max_jwt_length).
[[nodiscard]] util::Result<Jwt> decode_jwt(std::string_view token);

// The asymmetric JWS algorithms we sign and verify with (RFC 7518 §3.1): RSASSA-PKCS1-v1_5
// and ECDSA on P-256/P-384. HMAC and "none" never will be.
enum class JwsAlg { rs256, rs384, rs512, es256, es384 };

// "RS256", ...
std::string_view to_string(JwsAlg alg);

// The algorithm named `name`; nullopt for "none", HS*, and anything not in JwsAlg.
std::optional<JwsAlg> parse_jws_alg(std::string_view name);

// True for ES256 and ES384 (ECDSA, RFC 7518 §3.4).
bool is_ec_alg(JwsAlg alg);

// A private signing key with its key id: RSA (RS256/384/512) or EC (ES256 on P-256,
// ES384 on P-384).
class SigningKey {
public:
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  // A fresh RSA key of `bits` bits (at least 2048) signing with `alg`; its kid is the
  // RFC 7638 JWK thumbprint.
  [[nodiscard]] static util::Result<SigningKey> generate_rsa(int bits = 2048, JwsAlg alg = JwsAlg::rs256);
  // A fresh EC key for `alg` (P-256 for ES256, P-384 for ES384); its kid is the RFC 7638
  // JWK thumbprint. `config` error when `alg` is not an EC alg.
  [[nodiscard]] static util::Result<SigningKey> generate_ec(JwsAlg alg = JwsAlg::es384);
  // A fresh key for any `alg`: RSA of 2048 bits for RS*, the matching curve for ES*.
  [[nodiscard]] static util::Result<SigningKey> generate(JwsAlg alg);
  // Loads a PEM private key (PKCS#8 or traditional) that signs with `alg`; `config` error
  // when it is not an RSA key of at least 2048 bits for RS*, or not an EC key on the
  // curve of `alg` (P-256 for ES256, P-384 for ES384).
  [[nodiscard]] static util::Result<SigningKey> from_pem(std::string_view pem, JwsAlg alg = JwsAlg::rs256);
  // Loads a PEM private key with the alg its type suggests: ES256/ES384 by the EC curve,
  // RS384 for RSA (what SMART Backend Services asks servers to support). Errors as from_pem.
  [[nodiscard]] static util::Result<SigningKey> from_pem_any(std::string_view pem);

  // The private key as unencrypted PKCS#8 PEM (for the server's store; keep it 0600).
  [[nodiscard]] std::string to_pem() const;
  [[nodiscard]] const std::string& kid() const;
  [[nodiscard]] const std::string& alg() const;
  [[nodiscard]] JwsAlg jws_alg() const;
  // Replaces the key id (the JWT header's and the JWK's) with `kid`, e.g. one a server
  // registered the key under.
  void set_kid(std::string kid);
  // The public half as a JWK with kid, alg and use=sig.
  [[nodiscard]] nlohmann::json public_jwk() const;
  // A compact JWS of `claims` with header {alg, typ, kid}; thread-safe.
  [[nodiscard]] util::Result<std::string> sign(const nlohmann::json& claims,
                                               std::string_view typ = "JWT") const;
  // The same for claims already written as the text of a JSON object (util::JsonObjectWriter);
  // the caller vouches that it is one.
  [[nodiscard]] util::Result<std::string> sign_json(std::string_view claims_json,
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
  // document is malformed or holds no usable key. Keys of unknown kty or curve (RSA, and
  // EC on P-256 or P-384, are known), or with a `use` other than "sig", are skipped.
  [[nodiscard]] static util::Result<JwksVerifier> from_jwks(const nlohmann::json& jwks);

  // Checks the signature of `jwt` with the key its `kid` names (or the only key when there
  // is no kid, or when that key has none). Refuses alg "none", HMAC algs and any alg that does not match the
  // key (RS* only with RSA keys; ES256 only with P-256 keys, ES384 only with P-384 keys).
  [[nodiscard]] util::Result<void> verify_signature(const Jwt& jwt) const;

  // How many usable keys were kept.
  [[nodiscard]] std::size_t size() const;

private:
  struct Impl;
  explicit JwksVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// What check_claims expects of a token's registered claims (RFC 7519 §4.1).
struct ClaimChecks {
  std::string issuer;                 // `iss` must equal this when not empty
  std::vector<std::string> audiences; // `aud` must contain one of these when not empty
  std::int64_t now = 0;               // seconds since the epoch
  std::int64_t leeway = 0;            // clock skew tolerated on exp/nbf/iat, in seconds
  bool require_exp = true;
};

// Checks exp, nbf, iss and aud of `claims`; `bad_response` naming the first claim that
// fails (never echoing the token).
[[nodiscard]] util::Result<void> check_claims(const nlohmann::json& claims, const ClaimChecks& checks);

} // namespace oauthctl::oauth
