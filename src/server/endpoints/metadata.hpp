// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace oauthctl::server {

// RFC 8414 authorization server metadata for `issuer`, listing only what this server
// actually supports. `mtls_origin` (e.g. "https://127.0.0.1:8443"), when not empty, is
// where mutual TLS has a port of its own: the document then names its endpoints there in
// `mtls_endpoint_aliases` (RFC 8705 §5).
nlohmann::json authorization_server_metadata(const std::string& issuer, const std::string& mtls_origin = {});

// OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) for `issuer`.
nlohmann::json openid_configuration(const std::string& issuer, const std::string& mtls_origin = {});

// SMART App Launch 2.x `.well-known/smart-configuration` for `issuer`.
nlohmann::json smart_configuration(const std::string& issuer, const std::string& mtls_origin = {});

// `issuer` with its origin (scheme, host, port) replaced by `origin`: where an endpoint
// of the issuer is on another port ("https://h:1/x", "https://h:2" -> "https://h:2/x").
std::string with_origin(const std::string& issuer, const std::string& origin);

// The origin of `url` with `port` instead of its own ("https://h:1/x", 2 -> "https://h:2";
// IPv6 literals keep their brackets): where the mutual TLS port is reached when the
// issuer's host is.
std::string origin_with_port(const std::string& url, int port);

} // namespace oauthctl::server
