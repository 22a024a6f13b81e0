// SPDX-License-Identifier: MIT
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
} // namespace CLI

namespace oauthctl::cli {

// Edit distance between `a` and `b`: insertions, deletions, substitutions and
// transpositions of neighbours each count one.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is near enough to be a typo (at most 2 edits,
// and fewer than half the word), else "".
std::string nearest(std::string_view word, std::span<const std::string> candidates);

// One line (without the `oauthctl: ` prefix) that names what CLI11 could not parse in
// `args` (given in order): an unknown command or option, with "did you mean X?" when one
// is near; "" when the cause is something else (then CLI11's own message stands).
// CLI11 2.1.2 reports these as "A subcommand is required" or a reversed "not expected"
// list, which names neither the word nor the fix.
std::string explain_unknown_word(CLI::App& app, const std::vector<std::string>& args);

} // namespace oauthctl::cli
