// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/server/simulate.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// Per-grant settings of an Aidbox Client (`auth.<grant>`); absent members stay unset.
struct GrantSettings {
  std::vector<std::string> redirect_uris;              // Aidbox `redirect_uri` (a string or an array)
  std::string token_format;                            // "jwt" (the only format issued for now)
  std::optional<std::int64_t> access_token_expiration; // seconds
  std::optional<bool> refresh_token;
  std::optional<std::int64_t> refresh_token_expiration; // seconds
  std::optional<bool> secret_required;
  std::optional<bool> pkce;
  std::vector<std::string> audience; // extra accepted `audience` / `resource` values
};

// A Client resource in Aidbox's shape, normalised: `code` becomes `authorization_code`.
struct ClientSpec {
  std::string id;
  std::optional<std::string> secret; // plain text, only while seeding; never stored as is
  std::vector<std::string> grant_types;
  bool first_party = false;
  std::optional<std::vector<std::string>> scopes; // allowed scopes; unset = no list given
  nlohmann::json jwks;                            // null when absent
  std::string jwks_uri; // a JWK Set file path or http(s) URL (instead of `jwks`); empty when absent
  std::map<std::string, GrantSettings> auth; // by grant name
  std::vector<Fault> simulate;               // faults for this client's requests (config only)
  // RFC 7591 §2 token_endpoint_auth_method, enforced only for the mutual TLS methods
  // (RFC 8705 §2): "tls_client_auth" (a CA-issued certificate with the registered name) or
  // "self_signed_tls_client_auth" (a certificate of a key in `jwks` or at `jwks_uri`); such
  // a client authenticates with nothing else. Empty when not given.
  std::string token_endpoint_auth_method;
  // tls_client_auth: the one certificate name to match (RFC 8705 §2.1.2).
  std::string tls_client_auth_subject_dn;
  std::string tls_client_auth_san_dns;
  std::string tls_client_auth_san_uri;
  std::string tls_client_auth_san_ip;
  std::string tls_client_auth_san_email;
  // RFC 8705 §3.4: access tokens bound to the client's certificate (`cnf`). Unset: bound
  // when the client authenticates with mutual TLS.
  std::optional<bool> tls_client_certificate_bound_access_tokens;

  // True when `grant` (a normalised grant name) is in grant_types.
  [[nodiscard]] bool allows_grant(std::string_view grant) const;
  // The settings for `grant`, or an empty set when none were given.
  [[nodiscard]] const GrantSettings& settings(std::string_view grant) const;
  // True for tls_client_auth and self_signed_tls_client_auth.
  [[nodiscard]] bool uses_mutual_tls() const;
  // True when its access tokens are bound to its TLS client certificate.
  [[nodiscard]] bool binds_tokens_to_certificate() const;
};

// A User resource in Aidbox's shape.
struct UserSpec {
  std::string id;
  std::optional<std::string> password; // plain text, only while seeding
  std::string email;
  nlohmann::json name;      // a string or Aidbox's {givenName, familyName}; null when absent
  nlohmann::json fhir_user; // a reference string or {resourceType, id}; null when absent
};

// What `serve --config` and `--demo` put into the store.
struct Seed {
  std::vector<ClientSpec> clients;
  std::vector<UserSpec> users;
  // TokenIntrospector resources as given (trusted issuers for token exchange; parsed by
  // the server, which knows where relative paths start). Not stored: config only.
  std::vector<nlohmann::json> token_introspectors;
  // Where each of token_introspectors stands ("serve.yaml:30: TokenIntrospector ehr"):
  // the prefix of its errors.
  std::vector<std::string> token_introspector_places;
  // The object form's `store` member (sqlite:PATH, a path, or postgres://...), empty when
  // none: the store `serve` uses when no --store, OAUTHCTL_STORE, --data or --ephemeral names one.
  std::string store;
};

class LineIndex; // the line of each value of a config file (server/config_document.hpp)

// Reads a seed document: {"clients":[...],"users":[...],"token_introspectors":[...]}, a
// FHIR/Aidbox Bundle (entry[].resource with resourceType Client, User or
// TokenIntrospector), or a plain array of resources. Everything is checked: an unknown
// member (Aidbox's own, such as `meta`, are accepted and ignored), a wrong type, an
// unknown grant type, a redirect URI that cannot be registered, a client_credentials
// client without a secret or keys, two resources of one kind with one id. The `config`
// error names `source`, the line (from `lines`, when given), the resource and the field:
// "serve.yaml:12: Client billing: `grant_types[0]`: unknown grant type ...".
[[nodiscard]] util::Result<Seed> parse_seed(const nlohmann::json& document, std::string_view source,
                                            const LineIndex* lines = nullptr);

// Reads and parses the JSON or YAML file at `path` (YAML when it ends in .yaml/.yml, or
// when it does not start like JSON); `config` error when missing, malformed or invalid.
[[nodiscard]] util::Result<Seed> load_seed_file(const std::string& path);

// Parses one Client resource (its own members only: no rules across the seed); `where`
// prefixes error messages.
[[nodiscard]] util::Result<ClientSpec> parse_client(const nlohmann::json& resource, std::string_view where);

// Parses one User resource; `where` prefixes error messages.
[[nodiscard]] util::Result<UserSpec> parse_user(const nlohmann::json& resource, std::string_view where);

// The Aidbox-shaped resource for `client` without its secret (what the store keeps).
nlohmann::json to_resource(const ClientSpec& client);

// The Aidbox-shaped resource for `user` without its password (what the store keeps).
nlohmann::json to_resource(const UserSpec& user);

// The fixed demo set of DESIGN.md: demo-client / demo-secret (every grant), demo-public
// (authorization_code with PKCE, no secret) and the user demo / demo.
Seed demo_seed();

} // namespace oauthctl::server
