// SPDX-License-Identifier: MIT
#pragma once

#include <string>

namespace oauthctl::cli {

// The libraries oauthctl was built with, one per line ("SQLite 3.40.1", ...), for
// `--version` and bug reports. Versions are the ones compiled against.
std::string build_info();

} // namespace oauthctl::cli
