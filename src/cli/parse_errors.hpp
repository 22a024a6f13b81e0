// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/text.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
} // namespace CLI

namespace oauthctl::cli {

// The typo helpers live in util (the server's config check suggests names too).
using util::edit_distance;
using util::nearest;

// One line (without the `oauthctl: ` prefix) that names what CLI11 could not parse in
// `args` (given in order): an unknown command or option, with "did you mean X?" when one
// is near; "" when the cause is something else (then CLI11's own message stands).
// CLI11 2.1.2 reports these as "A subcommand is required" or a reversed "not expected"
// list, which names neither the word nor the fix.
std::string explain_unknown_word(CLI::App& app, const std::vector<std::string>& args);

} // namespace oauthctl::cli
