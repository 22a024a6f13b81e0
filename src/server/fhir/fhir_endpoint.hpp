// SPDX-License-Identifier: MIT
#pragma once

#include "server/app.hpp"
#include "server/exchange.hpp"

namespace oauthctl::server {

// The FHIR media type every /fhir answer carries.
inline constexpr std::string_view k_fhir_json = "application/fhir+json";

// Everything under /fhir: `metadata` without a token; search `GET /fhir/<type>` and read
// `GET /fhir/<type>/<id>` with a bearer token whose SMART scopes cover the request.
ServerResponse handle_fhir(const AppContext& context, const ServerRequest& request);

// An OperationOutcome response with one issue (`severity` error, `code`, `diagnostics`).
ServerResponse operation_outcome(int status, std::string_view code, std::string_view diagnostics);

} // namespace oauthctl::server
