// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <string>
#include <string_view>

namespace oauthctl::server {

// The status line and header fields of `response` as HTTP/1.x sends them, up to and
// including the blank line; the body goes out after it as it is. Written by hand rather
// than by Beast's serializer: one string and one system call for the token endpoint's
// answer, where the serializer's field list and buffer sequences cost as much CPU as the
// JSON (docs/token-cpu.md).
//
// `version` is 10 or 11; `keep_alive` adds "Connection: close" to an HTTP/1.1 answer, or
// "Connection: keep-alive" to an HTTP/1.0 one. Content-Length is the body's size, also
// for a HEAD request, whose body the transport then does not send (RFC 9110 §9.3.2), and
// absent for 1xx and 204 (RFC 9110 §8.6). The response's own Content-Type, Content-Length and Connection
// fields are dropped for those computed here; CR, LF and NUL in a value become spaces, so
// no value can end the header early.
std::string response_head(const ServerResponse& response, int version, bool keep_alive);

// The reason phrase of `status` (RFC 9110 §15), empty for a code it does not know (RFC
// 9112 §4 allows that; clients ignore the phrase).
std::string_view reason_phrase(int status);

// Whether a response with `status` carries no body and no Content-Length (1xx, 204).
bool has_no_content(int status);

} // namespace oauthctl::server
