// SPDX-License-Identifier: MIT
#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <charconv>
#include <optional>

namespace oauthctl::server {

namespace {

constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_hash_bytes = 32;

std::optional<std::string> scrypt(std::string_view secret, std::string_view salt, const ScryptCost& cost) {
  const auto n = std::uint64_t{1} << cost.log2_n;
  // RFC 7914 §6 needs 128 * r * N bytes for V plus 128 * r * p for B; leave headroom.
  const auto max_memory = 128 * std::uint64_t(cost.r) * (n + std::uint64_t(cost.p) + 2) + (1U << 20);
  std::string out(k_hash_bytes, '\0');
  if (EVP_PBE_scrypt(secret.data(), secret.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                     salt.size(), n, std::uint64_t(cost.r), std::uint64_t(cost.p), max_memory,
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return out;
}

std::optional<int> parse_param(std::string_view text, std::string_view name) {
  if (text.substr(0, name.size()) != name || text.size() <= name.size() || text[name.size()] != '=') {
    return std::nullopt;
  }
  text.remove_prefix(name.size() + 1);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

std::string hash_secret(std::string_view secret, ScryptCost cost) {
  const auto salt = util::random_bytes(k_salt_bytes);
  const auto hash = scrypt(secret, salt, cost);
  if (!hash) {
    // Only reachable with absurd test-hook parameters; an unverifiable hash fails closed.
    return "$invalid$";
  }
  return fmt::format("$scrypt$ln={},r={},p={}${}${}", cost.log2_n, cost.r, cost.p,
                     util::base64url_encode(salt), util::base64url_encode(*hash));
}

bool verify_secret(std::string_view secret, std::string_view encoded) {
  constexpr std::string_view k_prefix = "$scrypt$";
  if (encoded.substr(0, k_prefix.size()) != k_prefix) {
    return false;
  }
  encoded.remove_prefix(k_prefix.size());
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    const auto dollar = encoded.find('$');
    parts[i] = encoded.substr(0, dollar);
    encoded = dollar == std::string_view::npos ? std::string_view{} : encoded.substr(dollar + 1);
    if (dollar == std::string_view::npos && i < 2) {
      return false;
    }
  }
  // parts[0] = "ln=15,r=8,p=1"
  const auto params = parts[0];
  const auto comma1 = params.find(',');
  const auto comma2 = comma1 == std::string_view::npos ? comma1 : params.find(',', comma1 + 1);
  if (comma2 == std::string_view::npos) {
    return false;
  }
  const auto ln = parse_param(params.substr(0, comma1), "ln");
  const auto r = parse_param(params.substr(comma1 + 1, comma2 - comma1 - 1), "r");
  const auto p = parse_param(params.substr(comma2 + 1), "p");
  // Limits keep a tampered store from making one verification eat gigabytes.
  if (!ln || !r || !p || *ln < 1 || *ln > 20 || *r < 1 || *r > 32 || *p < 1 || *p > 16) {
    return false;
  }
  const auto salt = util::base64url_decode(parts[1]);
  const auto expected = util::base64url_decode(parts[2]);
  if (!salt || !expected || expected->size() != k_hash_bytes) {
    return false;
  }
  const auto actual = scrypt(secret, *salt, ScryptCost{*ln, *r, *p});
  return actual && util::constant_time_equal(*actual, *expected);
}

bool is_slow_hash(std::string_view encoded) {
  return encoded.substr(0, 8) == "$scrypt$";
}

} // namespace oauthctl::server
