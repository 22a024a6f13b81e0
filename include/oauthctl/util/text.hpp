// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace oauthctl::util {

// `text` with &, <, >, " and ' replaced by character references, safe in element content
// and in double- or single-quoted attribute values.
std::string html_escape(std::string_view text);

// Server-supplied `text` made fit for one terminal line: control characters (escape
// sequences, newlines) become spaces and anything past `limit` bytes becomes "...".
std::string printable_line(std::string_view text, std::size_t limit = 300);

// `text` with ASCII letters in lower case (other bytes as they are): for names and
// parameters compared case-insensitively.
std::string ascii_lower(std::string_view text);

// `text` without the '/' characters it ends with: "https://a/b/" and "https://a/b" name
// one base URL.
std::string without_trailing_slashes(std::string text);

// Edit distance between `a` and `b`: insertions, deletions, substitutions and
// transpositions of neighbours each count one.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is near enough to be a typo (at most 2 edits,
// and fewer than half the word), else "": what a "did you mean" suggests.
std::string nearest(std::string_view word, std::span<const std::string> candidates);

} // namespace oauthctl::util
