// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/oauth/authorize_request.hpp>
#include <oauthctl/oauth/flow.hpp>
#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
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

// The authorization request for `response_type` from `config` and `metadata`: the
// authorization endpoint, `redirect_uri`, scope, `state`, `nonce` and the PKCE challenge of
// `pkce` (RFC 6749 §4.1.1 / §4.2.1, RFC 7636 §4.3), plus resource (RFC 8707), login_hint,
// launch, `aud` (the --audience, or for SMART scopes the FHIR base) and the extra
// parameters. `usage` error when there is no authorization endpoint. No I/O.
[[nodiscard]] util::Result<AuthorizeRequest>
make_authorize_request(const ClientConfig& config, const ServerMetadata& metadata, ResponseType response_type,
                       const std::string& redirect_uri, const std::string& state, const std::string& nonce,
                       const std::optional<Pkce>& pkce);

// The token request form that redeems `code` (RFC 6749 §4.1.3): grant_type, code, the
// `redirect_uri` exactly as the authorization request sent it, and `code_verifier` when
// PKCE was used (RFC 7636 §4.5). No client authentication yet. No I/O.
util::FormFields authorization_code_form(std::string_view code, std::string_view redirect_uri,
                                         std::string_view code_verifier);

// The token request form of the refresh grant (RFC 6749 §6): `config.refresh_token`, and
// `config.scope` when set (it may only narrow what was granted). No I/O.
util::FormFields refresh_token_form(const ClientConfig& config);

// `config` as a public client (`--auth-method none`) when it has no secret and uses a
// secret-based method: the code and refresh grants then send client_id in the body
// (RFC 6749 §3.2.1, RFC 8252 §8.4) instead of failing for want of a secret.
ClientConfig public_client_if_secretless(const ClientConfig& config);

// RFC 6749 §4.1 with RFC 7636 PKCE: the user signs in in a browser, a loopback listener
// catches the code (RFC 8252 §7.3), the code is redeemed; with `openid` the id_token is
// verified (OIDC Core §3.1.3.7). `timeout` when no redirect comes, `interrupted` on Ctrl-C,
// `oauth` on an error redirect or a state/issuer mismatch, `bad_response` on a bad id_token.
[[nodiscard]] util::Result<TokenResponse> run_authorization_code(const FlowContext& context);

// RFC 6749 §4.2 (deprecated by RFC 9700 §2.1.2): the token comes back in the redirect's
// fragment, which the listener's page posts back; no token endpoint call. Errors as for
// run_authorization_code.
[[nodiscard]] util::Result<TokenResponse> run_implicit(const FlowContext& context);

// RFC 6749 §6: a new access token for `context.config.refresh_token`; `usage` error when
// there is none. An id_token in the answer is verified (OIDC Core §12.2).
[[nodiscard]] util::Result<TokenResponse> run_refresh_token(const FlowContext& context);

// The token request form of the password grant (RFC 6749 §4.3.2): username, `password`,
// and scope, audience and resource when configured. No client authentication yet. No I/O.
util::FormFields password_form(const ClientConfig& config, const std::string& password);

// RFC 6749 §4.3: the user's name and password go to the token endpoint. Without a
// password in `config.password`, asks through its `prompt`; `usage` error when there is
// neither, or no username. An id_token in the answer is verified.
[[nodiscard]] util::Result<TokenResponse> run_password(const FlowContext& context);

// The token request form of RFC 8693 §2.1 from `config.exchange` (token types as URNs)
// plus audience, resource and scope. `usage` error for a missing subject token or type, or
// an actor token without its type (or the reverse). No I/O.
[[nodiscard]] util::Result<util::FormFields> token_exchange_form(const ClientConfig& config);

// RFC 8693: exchanges `config.exchange.subject_token` for a new token; warns when the
// answer lacks a valid issued_token_type (§2.2.1).
[[nodiscard]] util::Result<TokenResponse> run_token_exchange(const FlowContext& context);

// The assertion of the jwt_bearer grant: `config.assertion.assertion` as given, or claims
// signed with its assertion key: `assertion_claims` over defaults iss = client id, sub =
// iss, aud = `token_endpoint`, iat = `now`, exp, jti (RFC 7523 §3). `usage` error when
// there is neither or both, or the claims are not a JSON object; `config` for a bad key.
[[nodiscard]] util::Result<std::string>
jwt_bearer_assertion(const ClientConfig& config, std::string_view token_endpoint, std::int64_t now);

// RFC 7523 §2.1: a JWT as the authorization grant, client authentication optional.
[[nodiscard]] util::Result<TokenResponse> run_jwt_bearer(const FlowContext& context);

} // namespace oauthctl::oauth
