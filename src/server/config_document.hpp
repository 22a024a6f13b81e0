// SPDX-License-Identifier: MIT
// The `serve --config` file as a JSON value plus the line each value starts on, so that
// the seed parser can name the line of a bad field, in JSON and YAML files alike.
#pragma once

#include <oauthctl/util/error.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace oauthctl::server {

// Line numbers (1-based) by JSON Pointer (RFC 6901): for an object member, the line of
// its key; for an array element or the root, the line its value starts on.
class LineIndex {
public:
  void add(const nlohmann::json::json_pointer& pointer, int line);
  // The line of `pointer`, or of its nearest ancestor that has one.
  [[nodiscard]] std::optional<int> line_of(nlohmann::json::json_pointer pointer) const;

private:
  std::map<std::string, int, std::less<>> m_lines;
};

struct ConfigDocument {
  nlohmann::json value;
  LineIndex lines;
};

// Parses JSON `text` (already known to be valid JSON) for the line of every value; a
// `config` error naming `source` and the line of a key given twice in one object (the
// JSON parser would keep the last one silently).
[[nodiscard]] util::Result<LineIndex> index_json_lines(std::string_view text, std::string_view source);

// Parses YAML `text` (YAML 1.2 core schema: plain scalars become null, booleans, numbers
// or strings; quoted ones stay strings). Several documents (`---`) become an array of them.
// A `config` error naming `source` and the line for a syntax error or a repeated key.
[[nodiscard]] util::Result<ConfigDocument> parse_yaml_config(const std::string& text,
                                                             std::string_view source);

// Parses JSON `text`: a `config` error naming `source`, the line and the column of a
// syntax error (a trailing comma, say).
[[nodiscard]] util::Result<ConfigDocument> parse_json_config(const std::string& text,
                                                             std::string_view source);

// Reads the file at `path`: YAML when it ends in .yaml or .yml, JSON when it ends in
// .json, otherwise JSON when its first non-blank character is `{` or `[`, else YAML.
[[nodiscard]] util::Result<ConfigDocument> read_config_document(const std::string& path);

} // namespace oauthctl::server
