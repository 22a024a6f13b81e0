// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::util {

// Encodes `data` as base64url without padding (RFC 4648 §5, RFC 7515 §2).
std::string base64url_encode(std::string_view data);

// Decodes unpadded (or padded) base64url; nullopt on any character outside the
// alphabet or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

// Standard base64 with padding (RFC 4648 §4), as HTTP Basic authentication uses.
std::string base64_encode(std::string_view data);

// Decodes standard base64 with padding; nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace oauthctl::util
