// SPDX-License-Identifier: MIT
#include "cli/output.hpp"

#include "cli/exit_codes.hpp"

#include <fmt/format.h>

#include <ctime>
#include <ostream>

namespace oauthctl::cli {

std::optional<TokenOutput> parse_token_output(std::string_view name) {
  if (name == "token") {
    return TokenOutput::token;
  }
  if (name == "json") {
    return TokenOutput::json;
  }
  if (name == "header") {
    return TokenOutput::header;
  }
  if (name == "env") {
    return TokenOutput::env;
  }
  return std::nullopt;
}

std::string format_token(const oauth::TokenResponse& response, TokenOutput format, util::JsonRendering json) {
  switch (format) {
    case TokenOutput::token:
      return response.access_token + "\n";
    case TokenOutput::json:
      return util::render_json(response.raw, json) + "\n";
    case TokenOutput::header:
      // RFC 6750 §2.1; the scheme is "Bearer" whatever case token_type used (§5.1 says
      // token_type is case-insensitive).
      return fmt::format("Authorization: Bearer {}\n", response.access_token);
    case TokenOutput::env:
      return fmt::format("export OAUTHCTL_ACCESS_TOKEN={}\n", shell_quote(response.access_token));
  }
  return response.access_token + "\n";
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

int report(Io& io, const util::Error& error) {
  io.err << "oauthctl: " << util::describe(error) << '\n' << std::flush;
  return exit_code(error.kind);
}

int report_usage(Io& io, std::string message) {
  return report(io, util::fail(util::ErrorKind::usage, std::move(message)).value());
}

std::string format_utc(std::int64_t seconds) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&time, &tm) == nullptr) {
    return std::to_string(seconds);
  }
  char buffer[32] = {};
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

Style Style::for_stdout(const Io& io) {
  // no-color.org: a NO_COLOR that is present and not empty turns colour off.
  return Style(io.out_is_tty && io.getenv("NO_COLOR").empty());
}

std::string Style::wrap(std::string_view code, std::string_view text) const {
  if (!m_enabled) {
    return std::string(text);
  }
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

} // namespace oauthctl::cli
