// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace oauthctl::server {

// RFC 8414 authorization server metadata for `issuer`, listing only what this server
// actually supports.
nlohmann::json authorization_server_metadata(const std::string& issuer);

// OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) for `issuer`.
nlohmann::json openid_configuration(const std::string& issuer);

// SMART App Launch 2.x `.well-known/smart-configuration` for `issuer`.
nlohmann::json smart_configuration(const std::string& issuer);

} // namespace oauthctl::server
