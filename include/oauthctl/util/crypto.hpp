// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace oauthctl::util {

// `count` bytes from the operating system's CSPRNG (OpenSSL RAND_bytes); aborts if
// the generator fails, since nothing secure can be done without it.
std::string random_bytes(std::size_t count);

// A URL-safe random string carrying `bytes` bytes of entropy (base64url).
std::string random_token(std::size_t bytes = 32);

// The raw 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);

// The raw 32-byte HMAC-SHA-256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares in time that depends only on the lengths, never on where the bytes differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Lowercase hexadecimal of `data`.
std::string to_hex(std::string_view data);

} // namespace oauthctl::util
