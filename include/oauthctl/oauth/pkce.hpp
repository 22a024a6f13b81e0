// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// How a code_challenge is derived from its code_verifier (RFC 7636 §4.2).
enum class PkceMethod { s256, plain };

// The wire name of `method`: "S256" or "plain".
std::string_view to_string(PkceMethod method);

// The method a wire or CLI name stands for ("S256"/"s256", "plain"); nullopt otherwise.
std::optional<PkceMethod> parse_pkce_method(std::string_view name);

// The shortest and longest code_verifier RFC 7636 §4.1 allows.
inline constexpr std::size_t k_min_verifier_length = 43;
inline constexpr std::size_t k_max_verifier_length = 128;

// A fresh code_verifier of `length` characters (clamped to 43..128) from the CSPRNG,
// drawn from the base64url alphabet, a subset of RFC 7636's unreserved set.
std::string make_code_verifier(std::size_t length = k_min_verifier_length);

// True when `verifier` has 43..128 characters, all of `[A-Z] / [a-z] / [0-9] / "-" / "." /
// "_" / "~"` (RFC 7636 §4.1).
bool is_valid_code_verifier(std::string_view verifier);

// The code_challenge for `verifier`: BASE64URL(SHA256(ASCII(verifier))) for S256, the
// verifier itself for plain (RFC 7636 §4.2).
std::string make_code_challenge(PkceMethod method, std::string_view verifier);

// True when `verifier` is a valid code_verifier whose challenge under `method` equals
// `challenge`, compared in constant time (RFC 7636 §4.6).
bool pkce_matches(PkceMethod method, std::string_view verifier, std::string_view challenge);

// One PKCE pair for an authorization request: the secret verifier kept by the client
// and the challenge sent in the authorization URL.
struct Pkce {
  PkceMethod method = PkceMethod::s256;
  std::string verifier;
  std::string challenge;
};

// A fresh PKCE pair using `method`.
Pkce make_pkce(PkceMethod method = PkceMethod::s256);

} // namespace oauthctl::oauth
