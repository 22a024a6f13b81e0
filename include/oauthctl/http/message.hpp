// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauthctl::http {

// Header fields in the order they were added; names compare case-insensitively.
class Headers {
public:
  using Field = std::pair<std::string, std::string>;

  // Appends a field (a repeated name keeps both).
  void add(std::string name, std::string value);
  // Replaces every field named `name` with one field.
  void set(std::string name, std::string value);
  // The first value of `name`, if present.
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  [[nodiscard]] const std::vector<Field>& fields() const { return m_fields; }

private:
  std::vector<Field> m_fields;
};

// An HTTP request as plain data: no library types leak past this module.
struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
};

// An HTTP response as plain data, with the time the exchange took.
struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  double elapsed_ms = 0;
};

// Case-insensitive ASCII comparison, as header names need.
bool iequals(std::string_view a, std::string_view b);

} // namespace oauthctl::http
