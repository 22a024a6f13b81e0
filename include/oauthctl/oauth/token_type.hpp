// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::oauth {

// The token type identifiers of RFC 8693 §3 (subject_token_type, actor_token_type,
// requested_token_type, issued_token_type).
enum class TokenType { access_token, refresh_token, id_token, saml1, saml2, jwt };

// The URN of `type`: "urn:ietf:params:oauth:token-type:access_token", ...
std::string_view token_type_urn(TokenType type);

// The short name of `type`: "access_token", "jwt", ...
std::string_view to_string(TokenType type);

// The type a URN stands for (exactly as RFC 8693 §3 spells it); nullopt otherwise.
std::optional<TokenType> parse_token_type_urn(std::string_view urn);

// The type `name` stands for: a URN, or a short name ("access_token", "jwt", "id_token",
// "refresh_token", "saml1", "saml2"); nullopt otherwise.
std::optional<TokenType> parse_token_type(std::string_view name);

// Every short name, comma-separated, for error messages and help.
std::string token_type_names();

} // namespace oauthctl::oauth
