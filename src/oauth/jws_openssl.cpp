// SPDX-License-Identifier: MIT
#include "oauth/jws_openssl.hpp"

#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

namespace oauthctl::oauth::detail {

namespace {

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string bn_bytes(const BIGNUM* bn) {
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

BnPtr bn_from(std::string_view bytes) {
  return BnPtr(
    BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
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
  }
  return nullptr;
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

std::string sign_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data) {
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(alg), nullptr, key) != 1) {
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
  return signature;
}

bool verify_bytes(EVP_PKEY* key, JwsAlg alg, std::string_view data, std::string_view signature) {
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
