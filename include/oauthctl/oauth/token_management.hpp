// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/oauth/metadata.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace oauthctl::oauth {

// What a server said about a token at its introspection endpoint (RFC 7662 §2.2).
struct Introspection {
  bool active = false;
  nlohmann::json raw; // the whole JSON object as the server sent it
};

// The introspection endpoint for `metadata`: the published one, else Aidbox's
// `/auth/introspect` under `config.server`; empty when neither is known.
std::string introspection_endpoint(const ServerMetadata& metadata, const ClientConfig& config);

// The revocation endpoint for `metadata`: the published one, else Aidbox's `/auth/revoke`
// under `config.server`; empty when neither is known.
std::string revocation_endpoint(const ServerMetadata& metadata, const ClientConfig& config);

// Asks `endpoint` about `token` (RFC 7662 §2.1), authenticated as `config`'s client, with
// `token_type_hint` when not empty. `oauth` error for an error answer (401 invalid_client
// for a caller the server does not accept), `bad_response` when a 200 is not a JSON object
// with a boolean `active`, `usage` for missing client credentials, network errors as such.
[[nodiscard]] util::Result<Introspection> introspect_token(http::Client& client, const ClientConfig& config,
                                                           const std::string& endpoint,
                                                           std::string_view token,
                                                           std::string_view token_type_hint);

// Asks `endpoint` to revoke `token` (RFC 7009 §2.1), authenticated as `config`'s client,
// with `token_type_hint` when not empty. Succeeds on 200, which the server also answers
// for tokens it does not know (§2.2); `oauth` error for an error answer.
[[nodiscard]] util::Result<void> revoke_token(http::Client& client, const ClientConfig& config,
                                              const std::string& endpoint, std::string_view token,
                                              std::string_view token_type_hint);

} // namespace oauthctl::oauth
