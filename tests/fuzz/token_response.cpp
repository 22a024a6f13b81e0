// SPDX-License-Identifier: MIT
// Token endpoint responses as a client reads them (RFC 6749 §5.1/§5.2, RFC 8693 §2.2),
// including the WWW-Authenticate fallback for errors.
//
// Input: `<status digits> <WWW-Authenticate value>\n<body>`; the status picks success or
// error handling, the header (may be empty) is only consulted for errors.

#include "fuzz_support.hpp"

#include <oauthctl/oauth/token_response.hpp>

#include <charconv>

using namespace oauthctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [first_line, body] = fuzz::split_line(fuzz::as_text(data, size));
  http::Response response;
  response.status = 200;
  auto header = first_line;
  const auto space = first_line.find(' ');
  const auto status_text = first_line.substr(0, space);
  int status = 0;
  const auto [end, ec] = std::from_chars(status_text.data(), status_text.data() + status_text.size(), status);
  if (ec == std::errc{} && end == status_text.data() + status_text.size()) {
    response.status = status;
    header = space == std::string_view::npos ? std::string_view{} : first_line.substr(space + 1);
  }
  response.headers.add("Content-Type", "application/json");
  if (!header.empty()) {
    response.headers.add("WWW-Authenticate", std::string(header));
  }
  response.body = std::string(body);

  const auto parsed = oauth::parse_token_response(response);
  if (parsed) {
    FUZZ_CHECK(response.status >= 200 && response.status <= 299);
    FUZZ_CHECK(!parsed->access_token.empty() && !parsed->token_type.empty());
    FUZZ_CHECK(!parsed->expires_in || *parsed->expires_in >= 0);
    FUZZ_CHECK(parsed->raw.is_object());
  } else {
    // What reaches the terminal is one printable line.
    const auto& error = parsed.error();
    FUZZ_CHECK(error.message.find('\n') == std::string::npos);
    FUZZ_CHECK(error.oauth_error.find('\n') == std::string::npos);
    FUZZ_CHECK(error.oauth_error_description.find('\n') == std::string::npos);
  }
  const auto error = oauth::parse_error_response(response);
  FUZZ_CHECK(error.message.find('\n') == std::string::npos);
  return 0;
}
