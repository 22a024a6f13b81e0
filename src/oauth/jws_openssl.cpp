// SPDX-License-Identifier: MIT
#include "oauth/jws_openssl.hpp"

#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <array>

namespace oauthctl::oauth::detail {

namespace {

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::string bn_bytes(const BIGNUM* bn) {
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

BnPtr bn_from(std::string_view bytes) {
  return BnPtr(
    BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

// `bn` as exactly `size` big-endian bytes; empty when it does not fit.
std::string bn_padded(const BIGNUM* bn, std::size_t size) {
  if (bn == nullptr || static_cast<std::size_t>(BN_num_bytes(bn)) > size) {
    return {};
  }
  std::string out(size, '\0');
  if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) < 0) {
    return {};
  }
  return out;
}

struct Curve {
  JwsAlg alg;
  std::string_view jwk_name;     // RFC 7518 §6.2.1.1
  std::string_view openssl_name; // what OpenSSL reports as the group name
  std::size_t size;
};

constexpr std::array<Curve, 2> k_curves{{
  {JwsAlg::es256, "P-256", "prime256v1", 32},
  {JwsAlg::es384, "P-384", "secp384r1", 48},
}};

const Curve* curve_of(JwsAlg alg) {
  for (const auto& curve : k_curves) {
    if (curve.alg == alg) {
      return &curve;
    }
  }
  return nullptr;
}

const Curve* curve_named(std::string_view name) {
  for (const auto& curve : k_curves) {
    if (curve.jwk_name == name || curve.openssl_name == name) {
      return &curve;
    }
  }
  return nullptr;
}

} // namespace

const EVP_MD* digest_for(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::rs256:
      return EVP_sha256();
    case JwsAlg::rs384:
      return EVP_sha384();
    case JwsAlg::rs512:
      return EVP_sha512();
    case JwsAlg::es256:
      return EVP_sha256();
    case JwsAlg::es384:
      return EVP_sha384();
  }
  return nullptr;
}

std::string_view curve_for(JwsAlg alg) {
  const auto* curve = curve_of(alg);
  return curve == nullptr ? std::string_view() : curve->jwk_name;
}

std::optional<JwsAlg> alg_for_curve(std::string_view crv) {
  const auto* curve = curve_named(crv);
  return curve == nullptr ? std::nullopt : std::optional<JwsAlg>(curve->alg);
}

std::size_t ec_coordinate_size(JwsAlg alg) {
  const auto* curve = curve_of(alg);
  return curve == nullptr ? 0 : curve->size;
}

EcPublic ec_public(EVP_PKEY* key) {
  EcPublic out;
  std::array<char, 64> group{};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &length) !=
      1) {
    ERR_clear_error();
    return out;
  }
  const auto* curve = curve_named(std::string_view(group.data(), length));
  if (curve == nullptr) {
    return out;
  }
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1) {
    out.x = bn_padded(x, curve->size);
    out.y = bn_padded(y, curve->size);
    if (!out.x.empty() && !out.y.empty()) {
      out.crv = std::string(curve->jwk_name);
    }
  } else {
    ERR_clear_error();
  }
  BN_free(x);
  BN_free(y);
  return out;
}

PkeyPtr ec_from_public(std::string_view crv, std::string_view x, std::string_view y) {
  const auto* curve = curve_named(crv);
  // RFC 7518 §6.2.1.2: a coordinate is exactly the curve's size, leading zeros kept.
  if (curve == nullptr || curve->jwk_name != crv || x.size() != curve->size || y.size() != curve->size) {
    return nullptr;
  }
  std::string point = "\x04"; // SEC 1 §2.3.3: an uncompressed point
  point += x;
  point += y;
  const std::string group(curve->openssl_name);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  if (builder == nullptr) {
    return nullptr;
  }
  OSSL_PARAM* params = nullptr;
  if (OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
    params = OSSL_PARAM_BLD_to_param(builder);
  }
  OSSL_PARAM_BLD_free(builder);
  if (params == nullptr) {
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  if (ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  PkeyPtr result(key);
  if (result) {
    // A point off the curve is the invalid-curve attack's way in: check it explicitly.
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, result.get(), nullptr);
    const bool valid = check != nullptr && EVP_PKEY_public_check(check) == 1;
    EVP_PKEY_CTX_free(check);
    if (!valid) {
      result.reset();
    }
  }
  if (!result) {
    ERR_clear_error();
  }
  return result;
}

std::string ec_thumbprint(const EcPublic& key) {
  // RFC 7638 §3.2: crv, kty, x, y in lexicographic order.
  const auto canonical = R"({"crv":")" + key.crv + R"(","kty":"EC","x":")" + util::base64url_encode(key.x) +
                         R"(","y":")" + util::base64url_encode(key.y) + R"("})";
  return util::base64url_encode(util::sha256(canonical));
}

std::string ecdsa_der_to_raw(std::string_view der, std::size_t size) {
  const auto* input = reinterpret_cast<const unsigned char*>(der.data());
  const EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &input, static_cast<long>(der.size())));
  if (!sig) {
    ERR_clear_error();
    return {};
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  auto raw = bn_padded(r, size);
  const auto s_bytes = bn_padded(s, size);
  if (raw.empty() || s_bytes.empty()) {
    return {};
  }
  return raw + s_bytes;
}

std::string ecdsa_raw_to_der(std::string_view raw, std::size_t size) {
  if (size == 0 || raw.size() != 2 * size) {
    return {};
  }
  EcdsaSigPtr sig(ECDSA_SIG_new());
  auto r = bn_from(raw.substr(0, size));
  auto s = bn_from(raw.substr(size));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return {};
  }
  static_cast<void>(r.release()); // owned by sig now
  static_cast<void>(s.release());
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) {
    return {};
  }
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) {
    return {};
  }
  return der;
}

RsaPublic rsa_public(EVP_PKEY* key) {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  RsaPublic out;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
    out.n = bn_bytes(n);
    out.e = bn_bytes(e);
  }
  BN_free(n);
  BN_free(e);
  return out;
}

PkeyPtr rsa_from_public(std::string_view n, std::string_view e) {
  const auto bn_n = bn_from(n);
  const auto bn_e = bn_from(e);
  if (!bn_n || !bn_e) {
    return nullptr;
  }
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  if (builder == nullptr) {
    return nullptr;
  }
  OSSL_PARAM* params = nullptr;
  if (OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1) {
    params = OSSL_PARAM_BLD_to_param(builder);
  }
  OSSL_PARAM_BLD_free(builder);
  if (params == nullptr) {
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  if (ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (key == nullptr) {
    ERR_clear_error();
  }
  return PkeyPtr(key);
}

std::string rsa_thumbprint(const RsaPublic& key) {
  // RFC 7638 §3.2: required members only, lexicographic order, no whitespace.
  const auto canonical = R"({"e":")" + util::base64url_encode(key.e) + R"(","kty":"RSA","n":")" +
                         util::base64url_encode(key.n) + R"("})";
  return util::base64url_encode(util::sha256(canonical));
}

MdCtxPtr prepare_signing(EVP_PKEY* key, JwsAlg alg) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(alg), nullptr, key) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

std::string sign_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data, const EVP_MD_CTX* prepared) {
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) {
    return {};
  }
  // The copy only reads `prepared` (its provider contexts are duplicated, references counted).
  if (prepared != nullptr ? EVP_MD_CTX_copy_ex(ctx.get(), prepared) != 1
                          : EVP_DigestSignInit(ctx.get(), nullptr, digest_for(alg), nullptr, key) != 1) {
    return {};
  }
  std::size_t length = 0;
  const auto* input = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, input, data.size()) != 1) {
    return {};
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, input,
                     data.size()) != 1) {
    return {};
  }
  signature.resize(length);
  if (is_ec_alg(alg)) {
    // RFC 7518 §3.4: JWS carries r || s, not OpenSSL's DER ECDSA-Sig-Value.
    return ecdsa_der_to_raw(signature, ec_coordinate_size(alg));
  }
  return signature;
}

bool verify_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data, std::string_view signature) {
  std::string der;
  if (is_ec_alg(alg)) {
    // RFC 7518 §3.4: exactly r || s; anything else (a DER signature included) is invalid.
    der = ecdsa_raw_to_der(signature, ec_coordinate_size(alg));
    if (der.empty()) {
      return false;
    }
    signature = der;
  }
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(alg), nullptr, key) != 1) {
    return false;
  }
  const bool valid =
    EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (!valid) {
    // A bad signature is an expected outcome: keep this thread's error queue from growing.
    ERR_clear_error();
  }
  return valid;
}

} // namespace oauthctl::oauth::detail
