// SPDX-License-Identifier: MIT
#include <oauthctl/util/crypto.hpp>
#include <oauthctl/util/hmac_key.hpp>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace oauthctl::util {

struct HmacSha256Key::Impl {
  std::string key;                 // for the one-shot fallback only
  EVP_MAC_CTX* prepared = nullptr; // keyed, never written after the constructor; null: one-shot
  ~Impl() { EVP_MAC_CTX_free(prepared); }
};

HmacSha256Key::HmacSha256Key(std::string_view key) : m_impl(std::make_unique<Impl>()) {
  m_impl->key = std::string(key);
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac == nullptr ? nullptr : EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac); // the context keeps its own reference
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (ctx != nullptr &&
      EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) == 1) {
    m_impl->prepared = ctx;
  } else {
    EVP_MAC_CTX_free(ctx);
    ERR_clear_error();
  }
}

HmacSha256Key::HmacSha256Key(HmacSha256Key&&) noexcept = default;
HmacSha256Key& HmacSha256Key::operator=(HmacSha256Key&&) noexcept = default;
HmacSha256Key::~HmacSha256Key() = default;

std::string HmacSha256Key::mac(std::string_view data) const {
  EVP_MAC_CTX* ctx = m_impl->prepared == nullptr ? nullptr : EVP_MAC_CTX_dup(m_impl->prepared);
  std::string out(32, '\0');
  std::size_t length = 0;
  const bool done =
    ctx != nullptr &&
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
    EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(out.data()), &length, out.size()) == 1 &&
    length == out.size();
  EVP_MAC_CTX_free(ctx);
  if (!done) {
    ERR_clear_error();
    return hmac_sha256(m_impl->key, data);
  }
  return out;
}

} // namespace oauthctl::util
