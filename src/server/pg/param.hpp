// SPDX-License-Identifier: MIT
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::server::pg {

// One statement parameter in PostgreSQL's text format ($1, $2, ... in the SQL): values
// always travel apart from the statement text, so no input is ever spliced into SQL.
// std::nullopt is SQL NULL.
class Param {
public:
  Param(std::nullopt_t) {} // NOLINT(google-explicit-constructor): reads as a value
  Param(std::string value) : m_value(std::move(value)) {}
  Param(std::string_view value) : m_value(std::string(value)) {}
  Param(const char* value) : m_value(std::string(value)) {}
  template<std::integral T>
  Param(T value) {
    if constexpr (std::same_as<T, bool>) {
      m_value = value ? "t" : "f";
    } else {
      m_value = std::to_string(value);
    }
  }
  Param(std::optional<std::string> value) : m_value(std::move(value)) {}

  // The text PostgreSQL receives, or nothing for NULL.
  [[nodiscard]] const char* c_str() const { return m_value ? m_value->c_str() : nullptr; }

private:
  std::optional<std::string> m_value;
};

} // namespace oauthctl::server::pg
