// SPDX-License-Identifier: MIT
#include "oauth/jws_openssl.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

namespace oauthctl::oauth {

struct SigningKey::Impl {
  detail::PkeyPtr key;
  JwsAlg alg = JwsAlg::rs256;
  std::string alg_name;
  std::string kid;
  nlohmann::json jwk;
  std::string jwt_header_b64; // the encoded header for typ "JWT", built once
  detail::MdCtxPtr prepared;  // prepare_signing(key, alg); null: set up per signature
};

namespace {

// The JWS protected header; a key without a kid (set_kid("")) names none.
std::string jws_header(std::string_view alg, std::string_view typ, const std::string& kid) {
  nlohmann::json header{{"alg", alg}, {"typ", typ}};
  if (!kid.empty()) {
    header["kid"] = kid;
  }
  return header.dump();
}

util::Result<SigningKey> fail_key(std::string message) {
  ERR_clear_error();
  return util::fail(util::ErrorKind::config, std::move(message));
}

// The private key in `pem`; `config` error when there is none.
util::Result<detail::PkeyPtr> read_pem(std::string_view pem) {
  if (pem.empty()) {
    return util::fail(util::ErrorKind::config, "no PEM private key given");
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) {
    return util::fail(util::ErrorKind::config, "out of memory reading a PEM key");
  }
  // No passphrase callback: OpenSSL's default one would prompt on the terminal.
  const auto no_passphrase = [](char*, int, int, void*) -> int { return -1; };
  detail::PkeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr));
  BIO_free(bio);
  if (!key) {
    ERR_clear_error();
    return util::fail(util::ErrorKind::config,
                      "not an unencrypted PEM private key (PKCS#8 or traditional RSA/EC)");
  }
  return key;
}

std::string pem_of(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) {
    return {};
  }
  std::string out;
  if (PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    out.assign(data, static_cast<std::size_t>(length));
  }
  BIO_free(bio);
  return out;
}

} // namespace

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

util::Result<SigningKey> SigningKey::generate_rsa(int bits, JwsAlg alg) {
  // RFC 7518 §3.3: RSA keys of 2048 bits or larger MUST be used.
  if (bits < 2048) {
    return fail_key("RSA signing keys must have at least 2048 bits");
  }
  const detail::PkeyPtr key(EVP_RSA_gen(static_cast<unsigned int>(bits)));
  if (!key) {
    return fail_key("could not generate an RSA key");
  }
  // One construction path: a fresh key goes through PEM once, as a stored key does.
  return from_pem(pem_of(key.get()), alg);
}

util::Result<SigningKey> SigningKey::generate_ec(JwsAlg alg) {
  const auto crv = detail::curve_for(alg);
  if (crv.empty()) {
    return fail_key(fmt::format("{} is not an EC algorithm", to_string(alg)));
  }
  const detail::PkeyPtr key(EVP_EC_gen(crv == "P-256" ? "prime256v1" : "secp384r1"));
  if (!key) {
    return fail_key("could not generate an EC key");
  }
  return from_pem(pem_of(key.get()), alg);
}

util::Result<SigningKey> SigningKey::generate(JwsAlg alg) {
  return is_ec_alg(alg) ? generate_ec(alg) : generate_rsa(2048, alg);
}

util::Result<SigningKey> SigningKey::from_pem_any(std::string_view pem) {
  auto key = read_pem(pem);
  if (!key) {
    return tl::unexpected(key.error());
  }
  if (EVP_PKEY_is_a(key->get(), "EC") == 1) {
    const auto pub = detail::ec_public(key->get());
    const auto alg = detail::alg_for_curve(pub.crv);
    if (!alg) {
      return fail_key("the EC key is not on P-256 or P-384 (ES256, ES384)");
    }
    return from_pem(pem, *alg);
  }
  return from_pem(pem, JwsAlg::rs384);
}

util::Result<SigningKey> SigningKey::from_pem(std::string_view pem, JwsAlg alg) {
  auto read = read_pem(pem);
  if (!read) {
    return tl::unexpected(read.error());
  }
  detail::PkeyPtr key = std::move(*read);
  auto impl = std::make_unique<Impl>();
  impl->alg = alg;
  impl->alg_name = std::string(to_string(alg));
  if (is_ec_alg(alg)) {
    if (EVP_PKEY_is_a(key.get(), "EC") != 1) {
      return fail_key(fmt::format("{} needs an EC key on {}; this is not an EC key", impl->alg_name,
                                  detail::curve_for(alg)));
    }
    const auto pub = detail::ec_public(key.get());
    // RFC 7518 §3.4: ES256 is ECDSA on P-256 with SHA-256, ES384 on P-384 with SHA-384.
    if (pub.crv != detail::curve_for(alg)) {
      return fail_key(fmt::format("{} needs an EC key on {}; this key is on {}", impl->alg_name,
                                  detail::curve_for(alg), pub.crv.empty() ? "another curve" : pub.crv));
    }
    impl->kid = detail::ec_thumbprint(pub);
    impl->jwk = {{"kty", "EC"},
                 {"crv", pub.crv},
                 {"x", util::base64url_encode(pub.x)},
                 {"y", util::base64url_encode(pub.y)},
                 {"kid", impl->kid},
                 {"alg", impl->alg_name},
                 {"use", "sig"}};
  } else {
    if (EVP_PKEY_is_a(key.get(), "RSA") != 1) {
      return fail_key(fmt::format("{} needs an RSA key; this is not one", impl->alg_name));
    }
    if (EVP_PKEY_get_bits(key.get()) < 2048) {
      return fail_key("RSA signing keys must have at least 2048 bits");
    }
    const auto pub = detail::rsa_public(key.get());
    if (pub.n.empty()) {
      return fail_key("could not read the RSA key");
    }
    impl->kid = detail::rsa_thumbprint(pub);
    impl->jwk = {{"kty", "RSA"},
                 {"n", util::base64url_encode(pub.n)},
                 {"e", util::base64url_encode(pub.e)},
                 {"kid", impl->kid},
                 {"alg", impl->alg_name},
                 {"use", "sig"}};
  }
  impl->key = std::move(key);
  impl->prepared = detail::prepare_signing(impl->key.get(), impl->alg);
  impl->jwt_header_b64 = util::base64url_encode(jws_header(impl->alg_name, "JWT", impl->kid));
  return SigningKey(std::move(impl));
}

std::string SigningKey::to_pem() const {
  return pem_of(m_impl->key.get());
}

const std::string& SigningKey::kid() const {
  return m_impl->kid;
}

const std::string& SigningKey::alg() const {
  return m_impl->alg_name;
}

JwsAlg SigningKey::jws_alg() const {
  return m_impl->alg;
}

void SigningKey::set_kid(std::string kid) {
  m_impl->kid = std::move(kid);
  m_impl->jwk["kid"] = m_impl->kid;
  m_impl->jwt_header_b64 = util::base64url_encode(jws_header(m_impl->alg_name, "JWT", m_impl->kid));
}

nlohmann::json SigningKey::public_jwk() const {
  return m_impl->jwk;
}

util::Result<std::string> SigningKey::sign(const nlohmann::json& claims, std::string_view typ) const {
  if (!claims.is_object()) {
    return util::fail(util::ErrorKind::internal, "JWT claims must be a JSON object");
  }
  return sign_json(claims.dump(), typ);
}

util::Result<std::string> SigningKey::sign_json(std::string_view claims_json, std::string_view typ) const {
  // RFC 7515 §5.1: the signing input is ASCII(b64(header) '.' b64(payload)).
  std::string token = typ == "JWT" ? m_impl->jwt_header_b64
                                   : util::base64url_encode(jws_header(m_impl->alg_name, typ, m_impl->kid));
  token += '.';
  token += util::base64url_encode(claims_json);
  const auto signature = detail::sign_bytes(m_impl->key.get(), m_impl->alg, token, m_impl->prepared.get());
  if (signature.empty()) {
    ERR_clear_error();
    return util::fail(util::ErrorKind::internal, "signing the JWT failed");
  }
  token += '.';
  token += util::base64url_encode(signature);
  return token;
}

} // namespace oauthctl::oauth
