// SPDX-License-Identifier: MIT
// Where a value of a seed document sits, so that every error names the file, the line,
// the resource and the field: "serve.yaml:14: Client billing: `auth.authorization_code.
// redirect_uri[0]`: must not have a fragment (RFC 6749 §3.1.2)".
#pragma once

#include "server/config_document.hpp"

#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::server {

class SeedPlace {
public:
  // The whole document of `source` (a file name, or "store"); `lines` may be null.
  SeedPlace(std::string_view source, const LineIndex* lines);

  // The same value, now known as the resource `label` ("Client billing"); fields below it
  // are named from here.
  [[nodiscard]] SeedPlace resource(std::string label) const;
  // The member `key` of this object.
  [[nodiscard]] SeedPlace member(std::string_view key) const;
  // The element `index` of this array.
  [[nodiscard]] SeedPlace item(std::size_t index) const;

  // The line of this value (or of its nearest ancestor with one).
  [[nodiscard]] std::optional<int> line() const;
  // "serve.yaml:14: Client billing" (no field): how another parser prefixes its errors.
  [[nodiscard]] std::string describe() const;
  // A `config` error: describe(), the field, then `what`.
  [[nodiscard]] tl::unexpected<util::Error> fail(std::string_view what) const;

private:
  std::string m_source;
  const LineIndex* m_lines = nullptr;
  nlohmann::json::json_pointer m_pointer;
  std::string m_resource; // "Client billing"; empty above the resources
  std::string m_field;    // "auth.password.refresh_token", relative to the resource
};

} // namespace oauthctl::server
