// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>
#include <oauthctl/oauth/flow.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/error.hpp>
#include <oauthctl/util/form.hpp>

namespace oauthctl::oauth {

// The POST of `form` to `metadata.token_endpoint`, form-encoded, with `config`'s client
// authentication applied (RFC 6749 §3.2). `usage` error for a missing client id or
// secret, `bad_response` when the endpoint is not an http(s) URL. No I/O.
[[nodiscard]] util::Result<http::Request>
build_token_request(const ClientConfig& config, const ServerMetadata& metadata, util::FormFields form);

// Sends `form` to the token endpoint and reads the answer: what every grant that ends
// at the token endpoint shares (oauth2c's tokenEndpointFlow). Warns through
// `context.observer` about plain-http endpoints and scopes granted differently than asked.
[[nodiscard]] util::Result<TokenResponse> exchange_at_token_endpoint(const FlowContext& context,
                                                                     util::FormFields form);

} // namespace oauthctl::oauth
