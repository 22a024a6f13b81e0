// SPDX-License-Identifier: MIT
#include "server/endpoints/token_params.hpp"

#include <fmt/format.h>

#include <string_view>
#include <unordered_set>

namespace oauthctl::server {

namespace {

tl::expected<util::FormFields, std::string> from_json(const std::string& body) {
  const auto document = nlohmann::json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return tl::unexpected(std::string("the JSON body must be an object"));
  }
  util::FormFields fields;
  for (const auto& [name, value] : document.items()) {
    if (value.is_null()) {
      continue;
    }
    if (value.is_string()) {
      fields.emplace_back(name, value.get<std::string>());
    } else if (value.is_number_integer() || value.is_boolean()) {
      fields.emplace_back(name, value.dump());
    } else if (name == "scope" && value.is_array()) {
      // Aidbox clients sometimes send scopes as a JSON array; join them per RFC 6749 §3.3.
      std::string scope;
      for (const auto& item : value) {
        if (!item.is_string()) {
          return tl::unexpected(std::string("`scope` must be a string or an array of strings"));
        }
        scope += scope.empty() ? "" : " ";
        scope += item.get<std::string>();
      }
      fields.emplace_back(name, scope);
    } else {
      return tl::unexpected(fmt::format("parameter {} must be a string", nlohmann::json(name).dump()));
    }
  }
  return fields;
}

} // namespace

tl::expected<util::FormFields, std::string> read_token_params(const ServerRequest& request) {
  if (request.body.size() > k_max_token_body) {
    return tl::unexpected(std::string("the request body is too large"));
  }
  const auto type = media_type(request.headers.get("Content-Type").value_or(""));
  tl::expected<util::FormFields, std::string> fields;
  if (type == "application/x-www-form-urlencoded") {
    auto decoded = util::form_decode(request.body);
    if (!decoded) {
      return tl::unexpected(std::string("the form body is malformed"));
    }
    fields = std::move(*decoded);
  } else if (type == "application/json") {
    fields = from_json(request.body);
  } else {
    // RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded.
    return tl::unexpected(
      std::string("the body must be application/x-www-form-urlencoded or application/json"));
  }
  if (!fields) {
    return fields;
  }
  std::unordered_set<std::string_view> seen;
  for (const auto& [name, value] : *fields) {
    if (!seen.insert(name).second) {
      // RFC 6749 §3.2: request parameters must not be included more than once.
      return tl::unexpected(
        fmt::format("parameter {} is repeated",
                    nlohmann::json(name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    }
  }
  return fields;
}

} // namespace oauthctl::server
