// SPDX-License-Identifier: MIT
#include "http/curl_library.hpp"

#include <oauthctl/http/retry_after.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <string>

namespace oauthctl::http {

namespace {

// An IMF-fixdate is 29 characters, the obsolete formats fewer: anything much longer is
// not a date, and is not handed to the date parser.
constexpr std::size_t k_longest_date = 64;

std::string_view trim_ows(std::string_view value) {
  const auto is_ows = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && is_ows(value.front())) {
    value.remove_prefix(1);
  }
  while (!value.empty() && is_ows(value.back())) {
    value.remove_suffix(1);
  }
  return value;
}

bool all_digits(std::string_view value) {
  return !value.empty() &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<std::int64_t> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  value = trim_ows(value);
  if (all_digits(value)) {
    std::int64_t seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error == std::errc::result_out_of_range) {
      return std::numeric_limits<std::int64_t>::max();
    }
    return end == value.data() + value.size() ? std::optional(seconds) : std::nullopt;
  }
  // An HTTP-date: libcurl's parser (the one it uses for cookies and If-Modified-Since)
  // reads the three formats RFC 9110 §5.6.7 requires a recipient to accept.
  if (value.empty() || value.size() > k_longest_date ||
      !std::isalpha(static_cast<unsigned char>(value.front()))) {
    return std::nullopt;
  }
  auto library = detail::curl_library();
  if (!library) {
    return std::nullopt;
  }
  const std::string date(value);
  const time_t when = (*library)->curl_getdate(date.c_str(), nullptr);
  if (when == -1) {
    return std::nullopt;
  }
  const auto wait = std::chrono::system_clock::from_time_t(when) - now;
  return std::max<std::int64_t>(0, std::chrono::ceil<std::chrono::seconds>(wait).count());
}

} // namespace oauthctl::http
