// SPDX-License-Identifier: MIT
#include "server/seed_place.hpp"

#include <fmt/format.h>

namespace oauthctl::server {

SeedPlace::SeedPlace(std::string_view source, const LineIndex* lines) : m_source(source), m_lines(lines) {}

SeedPlace SeedPlace::resource(std::string label) const {
  auto place = *this;
  place.m_resource = std::move(label);
  place.m_field.clear();
  return place;
}

SeedPlace SeedPlace::member(std::string_view key) const {
  auto place = *this;
  place.m_pointer /= std::string(key);
  place.m_field += place.m_field.empty() ? std::string(key) : fmt::format(".{}", key);
  return place;
}

SeedPlace SeedPlace::item(std::size_t index) const {
  auto place = *this;
  place.m_pointer /= index;
  place.m_field += fmt::format("[{}]", index);
  return place;
}

std::optional<int> SeedPlace::line() const {
  return m_lines == nullptr ? std::nullopt : m_lines->line_of(m_pointer);
}

std::string SeedPlace::describe() const {
  std::string text = m_source;
  if (const auto at = line()) {
    text += fmt::format(":{}", *at);
  }
  if (!m_resource.empty()) {
    text += ": " + m_resource;
  }
  return text;
}

tl::unexpected<util::Error> SeedPlace::fail(std::string_view what) const {
  auto text = describe();
  if (!m_field.empty()) {
    text += fmt::format(": `{}`", m_field);
  }
  return util::fail(util::ErrorKind::config, fmt::format("{}: {}", text, what));
}

} // namespace oauthctl::server
