// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace oauthctl::util {

// An HMAC-SHA-256 key set up once. util::hmac_sha256 looks the MAC and the digest up in
// OpenSSL's provider and keys a fresh context on every call (about 1.2 us for a short
// input); this keeps one keyed context and each mac() works on a copy of it (0.45 us), for
// a key that MACs on every request (the server's credential cache). Thread-safe: mac()
// only reads the prepared context.
class HmacSha256Key {
public:
  explicit HmacSha256Key(std::string_view key);
  HmacSha256Key(HmacSha256Key&&) noexcept;
  HmacSha256Key& operator=(HmacSha256Key&&) noexcept;
  ~HmacSha256Key();

  // The raw 32-byte HMAC-SHA-256 of `data`, equal to hmac_sha256(key, data).
  [[nodiscard]] std::string mac(std::string_view data) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace oauthctl::util
