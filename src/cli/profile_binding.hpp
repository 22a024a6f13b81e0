// SPDX-License-Identifier: MIT
#pragma once

#include "cli/profile.hpp"

#include <string>
#include <string_view>

namespace oauthctl::cli {

// A server URL reduced to what identifies it: lowercase scheme and host, the port always
// written, the path without a trailing slash, no query or fragment. Text that is not an
// http(s) URL is kept as given (without a trailing slash), so it only equals itself.
std::string normalise_server(std::string_view url);

// Whether `inner` is `server` or a URL under it (the same origin and a path below).
bool url_is_under(std::string_view inner, std::string_view server);

// Whether an unnamed (default) profile applies to a command, and why not.
struct ProfileBinding {
  bool applies = true;
  std::string reason; // when it does not apply: one line for -v
};

// Credentials are bound to their server, as git's credential helpers and `gh` bind them
// to a host: the default profile applies only when the command names no server, or names
// the profile's (--server equal after normalise_server; --token-url or --fhir-url under
// it). Otherwise its secret would be sent to a server it was never meant for.
// `server`, `token_url` and `fhir_url` are what flags and the environment gave.
ProfileBinding bind_default_profile(const Profile& profile, const std::string& server,
                                    const std::string& token_url, const std::string& fhir_url);

} // namespace oauthctl::cli
