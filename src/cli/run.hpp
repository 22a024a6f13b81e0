// SPDX-License-Identifier: MIT
#pragma once

namespace oauthctl::cli {

// Parses argv, runs the command and returns the process exit code (DESIGN.md).
int run_main(int argc, char** argv);

} // namespace oauthctl::cli
