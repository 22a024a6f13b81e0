// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauthctl::util {

// Ordered name/value pairs of an application/x-www-form-urlencoded body or a query.
using FormFields = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes everything but RFC 3986 unreserved characters (space becomes %20).
std::string percent_encode(std::string_view text);

// Decodes %XX escapes and, when `plus_is_space`, '+' as a space; nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Encodes `fields` as a form body (RFC 6749 Appendix B: '+' never appears unescaped).
std::string form_encode(const FormFields& fields);

// Parses a form body or query string; nullopt on a malformed escape. Empty pairs are
// skipped; a name without '=' gets an empty value.
std::optional<FormFields> form_decode(std::string_view body);

// The value of the first field named `name`, if any.
std::optional<std::string> form_get(const FormFields& fields, std::string_view name);

// How many fields are named `name` (RFC 6749 §3.1: parameters must not repeat).
std::size_t form_count(const FormFields& fields, std::string_view name);

} // namespace oauthctl::util
