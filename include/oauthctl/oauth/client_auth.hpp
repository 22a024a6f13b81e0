// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

#include <string>
#include <string_view>

namespace oauthctl::oauth {

// The Authorization header value for client_secret_basic: "Basic " + base64 of the
// form-urlencoded `client_id` ":" form-urlencoded `client_secret` (RFC 6749 §2.3.1).
std::string basic_authorization(std::string_view client_id, std::string_view client_secret);

// Adds `config`'s client authentication to a request to an endpoint of the authorization
// server: a Basic header, client_id and client_secret form fields, client_id alone for
// `none`, or for private_key_jwt a fresh client assertion (RFC 7523 §2.2) whose `aud` is
// `audience` (the token endpoint URL). `usage` error when the method needs a secret or a
// key and there is none; `config` error for an unusable key.
[[nodiscard]] util::Result<void> apply_client_auth(const ClientConfig& config, std::string_view audience,
                                                   util::FormFields& form, http::Headers& headers);

// As above, with `config.token_url` as the assertion's audience (private_key_jwt then needs
// --token-url; prefer the overload above with the discovered token endpoint).
[[nodiscard]] util::Result<void> apply_client_auth(const ClientConfig& config, util::FormFields& form,
                                                   http::Headers& headers);

} // namespace oauthctl::oauth
