// SPDX-License-Identifier: MIT
#include "server/endpoints/user_scopes.hpp"

#include "server/endpoints/token_request.hpp"

#include <oauthctl/oauth/smart_scope.hpp>

#include <fmt/format.h>

namespace oauthctl::server {

std::vector<std::string> default_user_scopes(const RegisteredClient& client) {
  if (!client.spec.scopes) {
    return {"user/*.rs"};
  }
  std::vector<std::string> out;
  for (const auto& scope : *client.spec.scopes) {
    const auto parsed = oauth::parse_smart_scope(scope);
    const bool read_only = parsed && parsed->context == "user" && parsed->query.empty() &&
                           (parsed->read || parsed->search) && !parsed->create && !parsed->update &&
                           !parsed->remove;
    if (read_only && !has_scope(out, scope)) {
      out.push_back(scope);
    }
  }
  return out;
}

tl::expected<std::vector<std::string>, ScopeRefusal> pick_user_scopes(const RegisteredClient& client,
                                                                      std::string_view requested) {
  std::vector<std::string> scopes;
  for (const auto& scope : oauth::split_scopes(requested)) {
    const auto parsed = oauth::parse_smart_scope(scope);
    if (parsed && parsed->context == "system") {
      return tl::unexpected(
        ScopeRefusal{"invalid_scope", fmt::format("{} is for backend services only", scope)});
    }
    if (client.spec.scopes && !scope_allowed(*client.spec.scopes, scope, parsed)) {
      return tl::unexpected(
        ScopeRefusal{"invalid_scope", fmt::format("{} is not allowed for this client", scope)});
    }
    if (!has_scope(scopes, scope)) {
      scopes.push_back(scope);
    }
  }
  if (scopes.empty()) {
    return default_user_scopes(client);
  }
  return scopes;
}

} // namespace oauthctl::server
