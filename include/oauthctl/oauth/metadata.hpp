// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace oauthctl::oauth {

// Where a server's endpoints are: from RFC 8414 / OpenID discovery when the server
// publishes it, otherwise Aidbox's paths under the base URL.
struct ServerMetadata {
  std::string issuer;
  std::string token_endpoint;
  std::string authorization_endpoint;
  std::string jwks_uri;
  std::string userinfo_endpoint;
  std::string introspection_endpoint;
  std::string revocation_endpoint;
  std::string device_authorization_endpoint;
  std::string source; // the discovery URL used, or "defaults"
  nlohmann::json raw; // the document as published (null for defaults)
  // For an RFC 8414 or OpenID document: the base URL its well-known URL was built from,
  // which its `issuer` must be (RFC 8414 §3.3, OpenID Connect Discovery §4.3). Empty for
  // SMART documents (their issuer may be another origin's) and for the defaults.
  std::string discovered_from;
};

// RFC 8705 §5: the https URLs of `metadata.raw`'s `mtls_endpoint_aliases` (token,
// introspection, revocation, device authorization, userinfo) replace the plain endpoints,
// for a client that authenticates with, or binds its tokens to, a TLS client certificate.
// Anything else in the member is ignored; a document without it changes nothing.
void use_mtls_endpoint_aliases(ServerMetadata& metadata);

// Aidbox's endpoint paths under `base_url` (/auth/token, /auth/authorize, ...).
ServerMetadata aidbox_defaults(const std::string& base_url);

// Reads an RFC 8414 or OpenID Provider metadata document; `bad_response` when it is not
// a JSON object with string endpoints.
[[nodiscard]] util::Result<ServerMetadata> parse_metadata(const std::string& body, const std::string& source);

// Tries `/.well-known/oauth-authorization-server` then `/.well-known/openid-configuration`
// under `base_url`; falls back to aidbox_defaults when neither answers 200 with JSON.
// Network failures are returned as errors, so an unreachable server fails fast.
[[nodiscard]] util::Result<ServerMetadata> discover(http::Client& client, const std::string& base_url);

// The two well-known URLs discover() tries for `base_url`, in order: RFC 8414 §3.1
// (inserted before the path) and OpenID Connect Discovery §4 (appended); empty when
// `base_url` is not an http(s) URL.
std::vector<std::string> discovery_urls(const std::string& base_url);

// `issuer` as issuers are compared (RFC 3986 §6.2.2): scheme and host in lower case, a
// default port left out, trailing slashes of the path dropped.
std::string comparable_issuer(const std::string& issuer);

// The mix-up defence of RFC 9700 §4.4 on the client: `bad_response` when the discovered
// issuer is not the expected one: `expected_issuer` (--issuer) when given, else the URL
// an RFC 8414 / OpenID document was discovered from (trailing slashes aside). With
// --issuer, a document that names no issuer (SMART without OpenID, the defaults) takes
// it as its issuer, so id_token and RFC 9207 `iss` checks use it.
[[nodiscard]] util::Result<void> check_issuer(ServerMetadata& metadata, const std::string& expected_issuer);

// Whether to ask the server for its metadata when `--token-url` already says where to go.
enum class Discovery { always, unless_overridden };

// The endpoints for `config`: discovered under `config.server` (skipped when `mode` is
// unless_overridden and `config.token_url` is set), then `config.token_url` and
// `config.authorize_url` applied on top. `usage` error when neither a server nor a
// token URL is given, or when one is not an http(s) URL; `bad_response` when the issuer
// is not the expected one (check_issuer).
[[nodiscard]] util::Result<ServerMetadata> resolve_metadata(http::Client& client, const ClientConfig& config,
                                                            Discovery mode);

} // namespace oauthctl::oauth
