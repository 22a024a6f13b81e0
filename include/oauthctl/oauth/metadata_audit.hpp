// SPDX-License-Identifier: MIT
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace oauthctl::oauth {

// The OAuth 2.0 Security Best Current Practice (RFC 9700) read against a published
// metadata document (RFC 8414, OpenID Discovery, SMART configuration): one sentence per
// finding, naming the section it breaks (implicit or password grant enabled, no PKCE
// S256, PKCE plain offered, plain http on a non-loopback host). `discover` prints them
// as warnings; `check` reports them as the discovery.rfc9700-audit check.
std::vector<std::string> audit_metadata(const nlohmann::json& document);

} // namespace oauthctl::oauth
