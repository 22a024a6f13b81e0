// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace oauthctl::server {

// scrypt cost parameters (RFC 7914 §2): N = 2^log2_n, block size r, parallelism p.
struct ScryptCost {
  int log2_n = 15; // 32 MiB and about 0.1 s per hash on one core: slow for guessing, fine at start-up
  int r = 8;
  int p = 1;
};

// A self-describing salted slow hash of `secret`:
// "$scrypt$ln=15,r=8,p=1$<base64url salt>$<base64url hash>". `cost` is a test hook:
// production code keeps the default.
std::string hash_secret(std::string_view secret, ScryptCost cost = {});

// True when `secret` matches `encoded` (a hash_secret string), compared in constant time;
// false for a malformed or unknown format, or parameters beyond sane limits.
bool verify_secret(std::string_view secret, std::string_view encoded);

// True when `encoded` looks like a hash_secret string (not empty, not a placeholder such as
// k_unhashed_secret); says nothing about its validity.
bool is_slow_hash(std::string_view encoded);

// What a store row holds for a seeded secret whose slow hash is still being computed (off
// the start-up path): no secret verifies against it.
inline constexpr std::string_view k_unhashed_secret = "$unhashed$";

} // namespace oauthctl::server
