// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace oauthctl::util {

// `text` with &, <, >, " and ' replaced by character references, safe in element content
// and in double- or single-quoted attribute values.
std::string html_escape(std::string_view text);

// Server-supplied `text` made fit for one terminal line: control characters (escape
// sequences, newlines) become spaces and anything past `limit` bytes becomes "...".
std::string printable_line(std::string_view text, std::size_t limit = 300);

} // namespace oauthctl::util
