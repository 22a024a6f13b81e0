// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <oauthctl/util/form.hpp>

#include <tl/expected.hpp>

#include <string>

namespace oauthctl::server {

// The largest token request body we read (RFC 6749 bodies are a few hundred bytes).
inline constexpr std::size_t k_max_token_body = 64 * 1024;

// The parameters of a token request: an application/x-www-form-urlencoded body (RFC 6749
// §4.4.2) or a JSON object of string members (as Aidbox accepts). On failure, the
// invalid_request description. A parameter sent twice is refused (RFC 6749 §3.2).
[[nodiscard]] tl::expected<util::FormFields, std::string> read_token_params(const ServerRequest& request);

} // namespace oauthctl::server
