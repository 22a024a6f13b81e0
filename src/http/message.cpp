// SPDX-License-Identifier: MIT
#include <oauthctl/http/message.hpp>

#include <algorithm>
#include <cctype>

namespace oauthctl::http {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void Headers::add(std::string name, std::string value) {
  m_fields.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  std::erase_if(m_fields, [&](const Field& f) { return iequals(f.first, name); });
  add(std::move(name), std::move(value));
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : m_fields) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

} // namespace oauthctl::http
