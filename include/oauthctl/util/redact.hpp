// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace oauthctl::util {

// What every trace shows in place of a secret.
inline constexpr std::string_view k_redacted = "********";

// True when a form field, JSON member or header of this name carries a secret
// (client_secret, password, tokens, assertions, code, code_verifier, Authorization...).
bool is_secret_name(std::string_view name);

// A token shown for recognition without giving it away: its first 6 characters and
// a redaction mark; short values are redacted whole.
std::string redact_value(std::string_view value);

// `body` with every secret field redacted: urlencoded forms and JSON objects (recursively)
// are understood; anything else is returned as is.
std::string redact_body(std::string_view body, std::string_view content_type);

} // namespace oauthctl::util
