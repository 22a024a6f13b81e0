// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/endpoints/client_authentication.hpp"
#include "server/endpoints/user_tokens.hpp"

#include <oauthctl/oauth/smart_scope.hpp>
#include <oauthctl/util/form.hpp>

#include <tl/expected.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// The grant's view of one token request, after the client was authenticated.
struct TokenRequest {
  const AppContext& context;
  // The request's one snapshot of clients and users (LiveDirectory): `client` points into
  // it, and a grant looks its user up here.
  const Directory& directory;
  const util::FormFields& params;
  const RegisteredClient& client;
  PresentedMethod method;
  std::string_view client_address; // ServerRequest::client_address
  // RFC 8705 §3: the thumbprint of the TLS client certificate the access tokens are bound
  // to (`cnf.x5t#S256`); empty: bearer tokens.
  std::string certificate_thumbprint = {};
};

// True when `allowed` lets the client ask for `requested`: the same string, or a SMART
// scope of the same context that covers it (system/*.read covers system/Patient.rs).
bool scope_allowed(const std::vector<std::string>& allowed, const std::string& requested,
                   const std::optional<oauth::SmartScope>& parsed);

// The `aud` of the token: the FHIR base by default; an `audience` (Aidbox, RFC 8693 §2.1)
// or `resource` (RFC 8707 §2) parameter picks another one this server vouches for: its
// FHIR base, its issuer, or one of the client's `auth.<grant>.audience`. invalid_target
// otherwise.
tl::expected<std::string, ServerResponse> pick_audience(const TokenRequest& request, std::string_view grant);

// What respond_with_user_tokens issued, for replay bookkeeping.
struct IssuedUserResponse {
  ServerResponse response;
  std::string jti; // the access token's id (empty on failure)
  std::int64_t expires_at = 0;
  std::string family; // the refresh family, empty when no refresh token was issued
};

// Issues the tokens for `grant` and builds the RFC 6749 §5.1 response: access_token,
// token_type, expires_in, scope, plus id_token with `openid`, `patient` with a patient
// context, and a refresh token in `family` when the client gets one (`offline_access`
// or its `refresh_token` setting; a new family when `family` is empty). The refresh token
// remembers `family_scopes` (empty: the grant's scopes) as the most it may ask for later.
// A `refresh_token` already stored (a rotation's successor) is handed out as it is.
IssuedUserResponse respond_with_user_tokens(const TokenRequest& request, const UserGrant& grant,
                                            std::string family, std::vector<std::string> family_scopes = {},
                                            const std::string& refresh_token = {});

// How long a refresh token issued to `client` lives (its auth.<grant>.refresh_token_expiration).
std::int64_t refresh_lifetime(const RegisteredClient& client, std::string_view grant);

// RFC 6749 §4.1.3: redeems an authorization code (with PKCE, RFC 7636 §4.6).
ServerResponse authorization_code_grant(const TokenRequest& request);

// RFC 6749 §6: exchanges a refresh token, rotating it (RFC 9700 §4.14.2).
ServerResponse refresh_token_grant(const TokenRequest& request);

// RFC 6749 §4.3: the resource owner's username and password, slowed down per username
// after repeated failures (LoginBackoff, shared with the login form).
ServerResponse password_grant(const TokenRequest& request);

// RFC 8693: exchanges a trusted issuer's token, or one of ours, for one of ours.
ServerResponse token_exchange_grant(const TokenRequest& request);

// A token for the client itself, as client_credentials issues it (RFC 6749 §4.4.3):
// `audience`/`resource`, system/ scopes within the client's list, the client_credentials
// lifetime. For grants that end with the client acting on its own behalf.
ServerResponse issue_client_token(const TokenRequest& request);

// RFC 7523 §2.1: a JWT signed with one of the client's registered keys as the grant; sub
// names a user of the directory (a user token) or the client itself (a client token).
ServerResponse jwt_bearer_grant(const TokenRequest& request);

} // namespace oauthctl::server
