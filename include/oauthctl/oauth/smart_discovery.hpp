// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/oauth/metadata.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace oauthctl::oauth {

// SMART App Launch 2.x §2.1 discovers the authorization server from the FHIR base: first
// `<fhir_base>/.well-known/smart-configuration`, then the oauth-uris extension of the
// CapabilityStatement's rest.security (`<fhir_base>/metadata`). nullopt when neither
// answers 200 with usable JSON; network failures are errors (fail fast).
[[nodiscard]] util::Result<std::optional<ServerMetadata>> discover_smart(http::Client& client,
                                                                         const std::string& fhir_base);

// Reads a smart-configuration document fetched from `source`. Its `issuer` is only
// required with sso-openid-connect; without one the FHIR base stands in for it.
// `bad_response` as parse_metadata.
[[nodiscard]] util::Result<ServerMetadata>
parse_smart_configuration(const std::string& body, const std::string& source, const std::string& fhir_base);

// The endpoints of the SMART oauth-uris extension (token, authorize, introspect, revoke)
// of a CapabilityStatement; nullopt when it has none or no http(s) token URL.
std::optional<ServerMetadata> parse_oauth_uris(const nlohmann::json& capability, const std::string& source,
                                               const std::string& fhir_base);

// The FHIR base a client command calls: --fhir-url; else --server itself when it already
// is a FHIR base (its path ends in /fhir, the SMART habit); else `<server>/fhir` (Aidbox).
std::string default_fhir_base(const ClientConfig& config);

// Whether `base_url` names a path below the host (`https://h/fhir`, `https://h/api/R4`):
// then it is more likely a FHIR base than an authorization server, and discovery asks
// SMART's documents first.
bool has_base_path(const std::string& base_url);

} // namespace oauthctl::oauth
