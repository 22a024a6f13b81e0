// SPDX-License-Identifier: MIT
// The resource types of a FHIR server, kept a few minutes in the user's cache directory:
// `oauthctl fhir --list-types` answers shell completion on every TAB, which must not wait
// for the server each time.
#pragma once

#include "cli/output.hpp"

#include <oauthctl/http/client.hpp>
#include <oauthctl/util/error.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace oauthctl::cli {

// How long a fetched list is used before it is asked for again, in seconds.
inline constexpr std::int64_t k_fhir_types_ttl = 300;

// $XDG_CACHE_HOME/oauthctl/fhir-types.json (else ~/.cache/...); empty without a home.
std::string fhir_types_cache_file(const Io& io);

// The resource types of the CapabilityStatement at `fhir_base`: from the cache at `path`
// when fetched less than k_fhir_types_ttl seconds before `now`, else fetched with
// `client` and stored there (a cache that cannot be written is skipped). Fetch errors
// as oauth::fetch_resource_types.
[[nodiscard]] util::Result<std::vector<std::string>> cached_resource_types(http::Client& client,
                                                                           const std::string& fhir_base,
                                                                           const std::string& path,
                                                                           std::int64_t now);

} // namespace oauthctl::cli
