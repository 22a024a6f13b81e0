// SPDX-License-Identifier: MIT
#pragma once

#include "server/fhir/dataset.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace oauthctl::server {

// The CapabilityStatement `GET /fhir/metadata` returns: the types of `dataset`, their
// read and search interactions, and the SMART oauth-uris security extension for `issuer`.
nlohmann::json capability_statement(const std::string& issuer, const FhirDataset& dataset);

} // namespace oauthctl::server
