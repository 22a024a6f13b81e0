// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <string>
#include <string_view>

namespace oauthctl::cli {

// Asks for a password on the controlling terminal (/dev/tty) with echo off, and reads
// one line. The terminal's mode is restored afterwards, also when SIGINT, SIGTERM or
// SIGHUP arrives meanwhile (the signal then takes its default course: Ctrl-C exits 130).
// `usage` error when there is no terminal to ask on or the answer is empty.
[[nodiscard]] util::Result<std::string> prompt_password(std::string_view prompt);

} // namespace oauthctl::cli
