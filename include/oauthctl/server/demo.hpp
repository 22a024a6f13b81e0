// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace oauthctl::server {

// The fixed, documented demo set that `serve --demo` seeds (DESIGN.md): scripts and CI
// rely on these values, so they never change.
inline constexpr std::string_view k_demo_client_id = "demo-client";
inline constexpr std::string_view k_demo_client_secret = "demo-secret";
inline constexpr std::string_view k_demo_public_client_id = "demo-public";
inline constexpr std::string_view k_demo_username = "demo";
inline constexpr std::string_view k_demo_password = "demo";

// The lines `serve --demo` prints after its listening line: the demo client, user and
// a ready-to-paste `oauthctl token ...` command for `base_url`.
std::string demo_banner(std::string_view base_url);

} // namespace oauthctl::server
