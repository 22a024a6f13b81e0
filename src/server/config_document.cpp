// SPDX-License-Identifier: MIT
#include "server/config_document.hpp"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;
using Pointer = Json::json_pointer;
using util::ErrorKind;

// Walks JSON text that the JSON parser has already accepted and notes the line of every
// value. nlohmann::json keeps no positions, and its SAX interface reports none either.
class JsonLineWalker {
public:
  JsonLineWalker(std::string_view text, std::string_view source) : m_text(text), m_source(source) {
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF") {
      m_pos = 3;
    }
  }

  util::Result<LineIndex> run() {
    if (auto walked = value(Pointer()); !walked) {
      return tl::unexpected(walked.error());
    }
    return std::move(m_index);
  }

private:
  [[nodiscard]] char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

  void skip_blanks() {
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c == '\n') {
        ++m_line;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++m_pos;
    }
  }

  // A string token, decoded (escapes and all) by the JSON parser itself.
  std::string string_token() {
    const auto start = m_pos++;
    while (m_pos < m_text.size() && m_text[m_pos] != '"') {
      m_pos += m_text[m_pos] == '\\' ? 2 : 1;
    }
    ++m_pos;
    const auto decoded = Json::parse(m_text.substr(start, m_pos - start), nullptr, false);
    return decoded.is_string() ? decoded.get<std::string>() : std::string();
  }

  util::Result<void> value(const Pointer& at) {
    skip_blanks();
    m_index.add(at, m_line);
    const char c = peek();
    if (c == '{') {
      return object(at);
    }
    if (c == '[') {
      ++m_pos;
      skip_blanks();
      for (std::size_t i = 0; peek() != ']' && m_pos < m_text.size(); ++i) {
        if (auto item = value(at / i); !item) {
          return item;
        }
        skip_blanks();
        if (peek() == ',') {
          ++m_pos;
        }
        skip_blanks();
      }
      ++m_pos;
      return {};
    }
    if (c == '"') {
      string_token();
      return {};
    }
    while (m_pos < m_text.size() &&
           std::string_view(",]} \t\r\n").find(m_text[m_pos]) == std::string_view::npos) {
      ++m_pos;
    }
    return {};
  }

  util::Result<void> object(const Pointer& at) {
    ++m_pos;
    std::map<std::string, int> seen;
    skip_blanks();
    while (peek() == '"') {
      const int line = m_line;
      auto key = string_token();
      if (const auto first = seen.find(key); first != seen.end()) {
        return util::fail(ErrorKind::config,
                          fmt::format("{}:{}: key \"{}\" appears twice in one object (first on line {})",
                                      m_source, line, key, first->second));
      }
      seen.emplace(key, line);
      m_index.add(at / key, line);
      skip_blanks();
      ++m_pos; // ':'
      if (auto member = value(at / key); !member) {
        return member;
      }
      skip_blanks();
      if (peek() == ',') {
        ++m_pos;
      }
      skip_blanks();
    }
    ++m_pos; // '}'
    return {};
  }

  std::string_view m_text;
  std::string_view m_source;
  std::size_t m_pos = 0;
  int m_line = 1;
  LineIndex m_index;
};

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

} // namespace

void LineIndex::add(const Pointer& pointer, int line) {
  // The first line recorded wins: a member's key line, not its value's.
  m_lines.emplace(pointer.to_string(), line);
}

std::optional<int> LineIndex::line_of(Pointer pointer) const {
  while (true) {
    if (const auto it = m_lines.find(pointer.to_string()); it != m_lines.end()) {
      return it->second;
    }
    if (pointer.empty()) {
      return std::nullopt;
    }
    pointer.pop_back();
  }
}

util::Result<LineIndex> index_json_lines(std::string_view text, std::string_view source) {
  return JsonLineWalker(text, source).run();
}

util::Result<ConfigDocument> parse_json_config(const std::string& text, std::string_view source) {
  ConfigDocument document;
  try {
    document.value = Json::parse(text);
  } catch (const Json::parse_error& error) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 3,
    // column 5: syntax error while parsing ..."; keep what follows the tag.
    std::string what = error.what();
    if (const auto tag_end = what.find("] "); tag_end != std::string::npos) {
      what = what.substr(tag_end + 2);
    }
    return util::fail(ErrorKind::config, fmt::format("{}: not valid JSON: {}", source, what));
  }
  auto lines = index_json_lines(text, source);
  if (!lines) {
    return tl::unexpected(lines.error());
  }
  document.lines = std::move(*lines);
  return document;
}

util::Result<ConfigDocument> read_config_document(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return util::fail(ErrorKind::config, fmt::format("{}: cannot be read", path));
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  const auto text = buffer.str();
  bool yaml = ends_with(path, ".yaml") || ends_with(path, ".yml");
  if (!yaml && !ends_with(path, ".json")) {
    const auto first = text.find_first_not_of(" \t\r\n");
    yaml = first != std::string::npos && text[first] != '{' && text[first] != '[';
  }
  return yaml ? parse_yaml_config(text, path) : parse_json_config(text, path);
}

} // namespace oauthctl::server
