// SPDX-License-Identifier: MIT
#pragma once

// Private to src/oauth: the OpenSSL pieces SigningKey and JwksVerifier share.

#include <oauthctl/oauth/jwt.hpp>

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::oauth::detail {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
// An owned EVP_PKEY; read-only use of one key from many threads is safe in OpenSSL 3.
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// The digest a JWS algorithm signs with (RFC 7518 §3.3 RSASSA-PKCS1-v1_5, §3.4 ECDSA: SHA-2).
const EVP_MD* digest_for(JwsAlg alg);

// The JWK curve name of an EC alg ("P-256" for ES256, "P-384" for ES384); empty otherwise.
std::string_view curve_for(JwsAlg alg);

// The EC alg of JWK curve `crv`; nullopt for curves we do not sign with.
std::optional<JwsAlg> alg_for_curve(std::string_view crv);

// The byte length of one coordinate (and of r and s) on the curve of EC alg `alg`.
std::size_t ec_coordinate_size(JwsAlg alg);

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

// The curve and affine coordinates of an EC public key, coordinates left-padded to the
// curve's size (RFC 7518 §6.2.1.2/3).
struct EcPublic {
  std::string crv; // "P-256", "P-384"; empty when the key is on another curve
  std::string x;
  std::string y;
};
EcPublic ec_public(EVP_PKEY* key);

// An EC public key on curve `crv` from its coordinates; null when the curve is unknown,
// a coordinate has the wrong length or the point is not on the curve.
PkeyPtr ec_from_public(std::string_view crv, std::string_view x, std::string_view y);

// The RFC 7638 thumbprint of an EC public key.
std::string ec_thumbprint(const EcPublic& key);

// DER ECDSA-Sig-Value to the JWS form, r || s each left-padded to `size` bytes (RFC 7518
// §3.4); empty when `der` does not parse or a value is too long.
std::string ecdsa_der_to_raw(std::string_view der, std::size_t size);

// The JWS form r || s (exactly 2 * `size` bytes) to DER; empty for any other length.
std::string ecdsa_raw_to_der(std::string_view raw, std::size_t size);

// A signing context for `key` and `alg`, set up once: EVP_DigestSignInit fetches the
// algorithms from the provider (under its locks) on every call, a few per cent of an
// RSA-2048 signature, which is most of what a client_credentials token costs the server.
// Null on failure. Never written after this: sign_bytes copies it per call.
MdCtxPtr prepare_signing(EVP_PKEY* key, JwsAlg alg);

// A signature of `data` with `key` and `alg` (for ES*, in the JWS r || s form); empty on
// failure. Uses a fresh context per call (a copy of `prepared` when given, which must be
// prepare_signing(key, alg)), so concurrent callers may share `key` and `prepared`.
std::string sign_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data,
                       const EVP_MD_CTX* prepared = nullptr);

// True when `signature` is a valid signature of `data` under `key` and `alg` (for ES*,
// exactly r || s of the curve's size: a DER signature is refused).
bool verify_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data, std::string_view signature);

} // namespace oauthctl::oauth::detail
