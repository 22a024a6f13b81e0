// SPDX-License-Identifier: MIT
#pragma once

// Private to src/oauth: the OpenSSL pieces SigningKey and JwksVerifier share.

#include <oauthctl/oauth/jwt.hpp>

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace oauthctl::oauth::detail {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
// An owned EVP_PKEY; read-only use of one key from many threads is safe in OpenSSL 3.
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The digest a JWS algorithm signs with (RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-2).
const EVP_MD* digest_for(JwsAlg alg);

// The RSA modulus and public exponent of `key` as unsigned big-endian bytes.
struct RsaPublic {
  std::string n;
  std::string e;
};
RsaPublic rsa_public(EVP_PKEY* key);

// An RSA public key from its big-endian modulus and exponent; null on failure.
PkeyPtr rsa_from_public(std::string_view n, std::string_view e);

// The RFC 7638 thumbprint of an RSA public key (base64url SHA-256 of the canonical JWK).
std::string rsa_thumbprint(const RsaPublic& key);

// A signature of `data` with `key` and `alg`; empty on failure. Uses a fresh context
// per call, so concurrent callers may share `key`.
std::string sign_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data);

// True when `signature` is a valid signature of `data` under `key` and `alg`.
bool verify_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data, std::string_view signature);

} // namespace oauthctl::oauth::detail
