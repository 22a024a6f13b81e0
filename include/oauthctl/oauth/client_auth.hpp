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

// Adds `config`'s client authentication to a token-endpoint request: a Basic header,
// client_id and client_secret form fields, or client_id alone for `none`. `usage` error
// when the method needs a secret and there is none, or is not supported yet.
[[nodiscard]] util::Result<void> apply_client_auth(const ClientConfig& config, util::FormFields& form,
                                                   http::Headers& headers);

} // namespace oauthctl::oauth
