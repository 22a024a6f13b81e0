// SPDX-License-Identifier: MIT
#pragma once

#include "server/client_registry.hpp"

#include <tl/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// Why requested user scopes were refused: an RFC 6749 error code and its description.
struct ScopeRefusal {
  const char* error = "invalid_scope";
  std::string description;
};

// The scopes a user grant (authorization code, implicit, password) carries for the
// space-separated `requested`: no system/ scopes (those are for backend services), each
// within the client's allowed list when it has one, duplicates dropped. An empty request
// gets default_user_scopes, as client_credentials gets the client's system/ scopes.
tl::expected<std::vector<std::string>, ScopeRefusal> pick_user_scopes(const RegisteredClient& client,
                                                                      std::string_view requested);

// What a user grant without a scope gets, so its token works at the FHIR API: the
// read-only user/ scopes among the client's allowed scopes (user/X.read, user/X.r, .s,
// .rs), or user/*.rs for a client without a scope list.
std::vector<std::string> default_user_scopes(const RegisteredClient& client);

} // namespace oauthctl::server
