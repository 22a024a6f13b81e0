// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/util/error.hpp>

#include <string>
#include <string_view>

namespace oauthctl::oauth {

// One FHIR RESTful interaction (FHIR R4 §3.1.0): read, search, create, update, delete.
struct FhirRequest {
  std::string method = "GET";
  std::string url;  // absolute, under the FHIR base
  std::string body; // sent as application/fhir+json when not empty
};

// The URL for what the user typed: a path relative to `fhir_base` (`Patient`,
// `Patient/1`, `Patient?name=José Smith`, checked by check_fhir_path) or a full URL,
// which must be under `fhir_base` (the token must not go to another server). Query
// values are percent-encoded (RFC 3986 §3.4) where they need it; `%XX` already there is
// kept. `usage` error for anything else.
[[nodiscard]] util::Result<std::string> fhir_request_url(std::string_view fhir_base, std::string_view target);

// The FHIR base a full URL was given for when no base is configured: everything before
// its first segment that starts with an upper-case letter (a resource type, or
// `metadata`); "" when `target` is not an http(s) URL or names no resource.
std::string fhir_base_of_url(std::string_view target);

// `path` with each query name and value percent-encoded where RFC 3986 §3.4 needs it
// (space, non-ASCII, '#', '"', ...); '=', '&', ',', ':', '|', '/' and existing %XX stay.
std::string encode_fhir_query(std::string_view path);

// Sends `request` with `access_token` as a Bearer token (RFC 6750 §2.1), asking for FHIR
// JSON. Returns the response whatever its status: a 4xx carries an OperationOutcome the
// user wants to read. Transport errors as errors.
[[nodiscard]] util::Result<http::Response> fhir_send(http::Client& client, const FhirRequest& request,
                                                     std::string_view access_token);

// Whether `response` carries a FHIR OperationOutcome (the outcome of a failed
// interaction, FHIR R4 §3.1.0.4) rather than an OAuth error.
bool is_operation_outcome(const http::Response& response);

} // namespace oauthctl::oauth
