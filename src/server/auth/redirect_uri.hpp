// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// True when `presented` equals `registered` exactly, or, for a loopback `registered` URI
// (`http://127.0.0.1`, `http://[::1]` or `http://localhost`), differs only in its port
// (RFC 8252 §7.3).
bool redirect_uri_matches(std::string_view registered, std::string_view presented);

// True when `presented` matches one of `registered` (see redirect_uri_matches).
bool redirect_uri_allowed(const std::vector<std::string>& registered, std::string_view presented);

// The origin of `uri` ("scheme://host[:port]"), for a CSP form-action list; empty when
// `uri` has no "scheme://authority" prefix or holds characters unsafe in a header.
std::string uri_origin(std::string_view uri);

// `uri` with `encoded_params` (already form-encoded) appended: to the query, or as the
// fragment when `in_fragment` (RFC 6749 §4.2.2); an existing query is kept (RFC 6749 §3.1.2).
std::string append_to_uri(std::string_view uri, std::string_view encoded_params, bool in_fragment);

} // namespace oauthctl::server
