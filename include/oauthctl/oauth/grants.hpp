// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/flow.hpp>
#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <span>
#include <string_view>

namespace oauthctl::oauth {

// Runs one grant to the end and returns the token endpoint's answer.
using GrantRunner = util::Result<TokenResponse> (*)(const FlowContext& context);

// One row of the grant table: what `--grant NAME` and `flow NAME` accept.
struct GrantInfo {
  GrantType grant;
  std::string_view name;
  std::string_view description;
  GrantRunner run; // null while the grant is not implemented
};

// Every grant of DESIGN.md, in the order help lists them.
std::span<const GrantInfo> grant_table();

// The row for CLI name (or RFC URN) `name`; null when there is none.
const GrantInfo* find_grant(std::string_view name);

// The names of every grant, comma-separated, for error messages and help.
std::string grant_names();

// Runs `grant` with `context`; `usage` error when it is not implemented yet.
[[nodiscard]] util::Result<TokenResponse> run_grant(const FlowContext& context, GrantType grant);

// The token request form of the client credentials grant (RFC 6749 §4.4.2), with
// `scope`, `audience` and `resource` (RFC 8707) when configured; no client
// authentication yet (see client_auth.hpp). No I/O.
util::FormFields client_credentials_form(const ClientConfig& config);

// RFC 6749 §4.4: one POST to the token endpoint, authenticated as the client.
[[nodiscard]] util::Result<TokenResponse> run_client_credentials(const FlowContext& context);

} // namespace oauthctl::oauth
