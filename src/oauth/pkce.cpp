// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <algorithm>

namespace oauthctl::oauth {

namespace {

// RFC 7636 §4.1: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

} // namespace

std::string_view to_string(PkceMethod method) {
  switch (method) {
    case PkceMethod::s256:
      return "S256";
    case PkceMethod::plain:
      return "plain";
  }
  return "S256";
}

std::optional<PkceMethod> parse_pkce_method(std::string_view name) {
  // RFC 7636 §4.3 spells it "S256"; the CLI also takes the lowercase form users type.
  if (name == "S256" || name == "s256") {
    return PkceMethod::s256;
  }
  if (name == "plain") {
    return PkceMethod::plain;
  }
  return std::nullopt;
}

std::string make_code_verifier(std::size_t length) {
  length = std::clamp(length, k_min_verifier_length, k_max_verifier_length);
  // RFC 7636 §7.1: 32 random octets (43 base64url characters) is the recommended
  // minimum entropy; every 3 bytes yield 4 characters, so draw enough and cut.
  auto verifier = util::random_token((length * 3 + 3) / 4);
  verifier.resize(length);
  return verifier;
}

bool is_valid_code_verifier(std::string_view verifier) {
  return verifier.size() >= k_min_verifier_length && verifier.size() <= k_max_verifier_length &&
         std::all_of(verifier.begin(), verifier.end(), is_unreserved);
}

std::string make_code_challenge(PkceMethod method, std::string_view verifier) {
  if (method == PkceMethod::plain) {
    return std::string(verifier);
  }
  return util::base64url_encode(util::sha256(verifier));
}

bool pkce_matches(PkceMethod method, std::string_view verifier, std::string_view challenge) {
  // RFC 7636 §4.1 bounds the verifier; refusing anything else also stops a short
  // "plain" verifier from matching a guessable challenge.
  if (!is_valid_code_verifier(verifier)) {
    return false;
  }
  return util::constant_time_equal(make_code_challenge(method, verifier), challenge);
}

Pkce make_pkce(PkceMethod method) {
  Pkce pkce;
  pkce.method = method;
  pkce.verifier = make_code_verifier();
  pkce.challenge = make_code_challenge(method, pkce.verifier);
  return pkce;
}

} // namespace oauthctl::oauth
