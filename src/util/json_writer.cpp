// SPDX-License-Identifier: MIT
#include <oauthctl/util/json_writer.hpp>

#include <fmt/format.h>

namespace oauthctl::util {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::size_t plain = 0;
  out += '"';
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // Not ASCII: nlohmann checks the UTF-8 and replaces what is invalid. Rare here
      // (identifiers, URLs, scopes and base64url are ASCII), so no second decoder.
      out.resize(out.size() - 1);
      out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      continue;
    }
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += k_hex[c >> 4];
        out += k_hex[c & 0xf];
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

void JsonObjectWriter::name(std::string_view name) {
  if (m_text.size() > 1) {
    m_text += ',';
  }
  append_json_string(m_text, name);
  m_text += ':';
}

JsonObjectWriter& JsonObjectWriter::string(std::string_view name, std::string_view value) {
  this->name(name);
  append_json_string(m_text, value);
  return *this;
}

JsonObjectWriter& JsonObjectWriter::integer(std::string_view name, std::int64_t value) {
  this->name(name);
  const fmt::format_int digits(value);
  m_text.append(digits.data(), digits.size());
  return *this;
}

JsonObjectWriter& JsonObjectWriter::value(std::string_view name, const nlohmann::json& value) {
  this->name(name);
  m_text += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return *this;
}

std::string JsonObjectWriter::finish() {
  m_text += '}';
  return std::move(m_text);
}

} // namespace oauthctl::util
