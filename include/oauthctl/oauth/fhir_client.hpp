// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::oauth {

// Checks a relative FHIR request path (`Patient`, `Patient/pat-1`, `Patient?name=smith`,
// `metadata`) and returns it without a leading '/'. `usage` error for an empty path, a
// scheme or `//` (another host), `..`, spaces, control characters, '\' or '#'.
[[nodiscard]] util::Result<std::string> check_fhir_path(std::string_view path);

// GET `<fhir_base>/<path>` with `access_token` as a Bearer token (RFC 6750 §2.1), asking
// for FHIR JSON. 2xx → the response; 4xx/5xx → parse_fhir_error; transport errors as is.
[[nodiscard]] util::Result<http::Response> fhir_get(http::Client& client, std::string_view fhir_base,
                                                    std::string_view path, std::string_view access_token);

// The error a failed FHIR response carries, as one line: the WWW-Authenticate error
// (RFC 6750 §3.1) and the OperationOutcome's first issue (diagnostics, else code, else
// details.text); `oauth` kind with the HTTP status.
util::Error parse_fhir_error(const http::Response& response);

// What `flow` shows of a search result.
struct BundleSummary {
  std::string type;               // "searchset", ...
  std::optional<long long> total; // Bundle.total when present
  std::size_t entries = 0;
  std::vector<std::string> first_ids; // "Patient/pat-1", at most `limit` of them
};

// Summarises a FHIR Bundle; `bad_response` when `body` is not a JSON Bundle.
[[nodiscard]] util::Result<BundleSummary> summarize_bundle(std::string_view body, std::size_t limit = 5);

} // namespace oauthctl::oauth
