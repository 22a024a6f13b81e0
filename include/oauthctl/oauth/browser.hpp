// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/error.hpp>

#include <string>
#include <string_view>

namespace oauthctl::oauth {

// The outcome of open_browser: whether a browser process was started, and which command.
struct BrowserLaunch {
  bool launched = false;
  std::string command; // the program run ("xdg-open", "$BROWSER", the --browser command), empty if none
};

// Opens `url` for the user, following `--browser`: "none" runs nothing; a command (split on
// whitespace, no shell) is run with `url` as its last argument; empty means $BROWSER (a
// '%s' argument is replaced by the URL), then xdg-open or open when on PATH. Nothing is
// waited for. launched=false tells the caller to print the URL on stderr. `config` error
// when an explicit command cannot be started; `usage` error when `url` is not http(s).
[[nodiscard]] util::Result<BrowserLaunch> open_browser(std::string_view browser_option,
                                                       const std::string& url);

} // namespace oauthctl::oauth
