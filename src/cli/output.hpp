// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/json_render.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::cli {

// What `token -o` prints.
enum class TokenOutput { token, json, header, env };

// The format named `name` (token, json, header, env); nullopt for anything else.
std::optional<TokenOutput> parse_token_output(std::string_view name);

// The text `token` prints for `response` in `format`, ending in a newline; `json` says how
// `-o json` is laid out.
std::string format_token(const oauth::TokenResponse& response, TokenOutput format,
                         util::JsonRendering json = {});

// `text` quoted for a POSIX shell: single quotes, with embedded ones as '\''.
std::string shell_quote(std::string_view text);

// Writes the one error line (`oauthctl: ...`) for `error` to io.err and returns its exit code.
int report(Io& io, const util::Error& error);

// Reports a usage error with `message` and returns its exit code (2).
int report_usage(Io& io, std::string message);

// `seconds` since the epoch as an RFC 3339 UTC time ("2024-05-01T12:00:00Z").
std::string format_utc(std::int64_t seconds);

// ANSI styling that is on only when stdout is a terminal and NO_COLOR is unset
// (https://no-color.org, ninja's LinePrinter).
class Style {
public:
  explicit Style(bool enabled) : m_enabled(enabled) {}
  // Whether colour is wanted for `io`'s stdout.
  static Style for_stdout(const Io& io);
  [[nodiscard]] bool enabled() const { return m_enabled; }
  [[nodiscard]] std::string bold(std::string_view text) const { return wrap("1", text); }
  [[nodiscard]] std::string dim(std::string_view text) const { return wrap("2", text); }
  [[nodiscard]] std::string red(std::string_view text) const { return wrap("31", text); }
  [[nodiscard]] std::string green(std::string_view text) const { return wrap("32", text); }
  [[nodiscard]] std::string yellow(std::string_view text) const { return wrap("33", text); }
  [[nodiscard]] std::string cyan(std::string_view text) const { return wrap("36", text); }

private:
  [[nodiscard]] std::string wrap(std::string_view code, std::string_view text) const;
  bool m_enabled;
};

} // namespace oauthctl::cli
