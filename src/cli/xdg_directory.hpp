// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"

#include <string>

namespace oauthctl::cli {

// A base directory of the XDG Base Directory Specification: `variable` (e.g.
// "XDG_CACHE_HOME") when it is an absolute path (a relative one is invalid and ignored),
// else $HOME/`home_fallback` (e.g. ".cache"), else "" when HOME is unset too: no per-user
// place, rather than one under "/". Callers append "oauthctl/...".
inline std::string xdg_directory(const Io& io, const std::string& variable,
                                 const std::string& home_fallback) {
  if (const auto xdg = io.getenv(variable); !xdg.empty() && xdg.front() == '/') {
    return xdg;
  }
  const auto home = io.getenv("HOME");
  return home.empty() ? std::string() : home + "/" + home_fallback;
}

} // namespace oauthctl::cli
