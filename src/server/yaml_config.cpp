// SPDX-License-Identifier: MIT
// YAML `serve --config` files (Aidbox users keep Client resources in YAML), read with
// yaml-cpp into the same JSON value a JSON file gives. The only file that includes yaml-cpp.
#include "server/config_document.hpp"

#include <fmt/format.h>

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <regex>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;
using Pointer = Json::json_pointer;
using util::ErrorKind;

int line_of(const YAML::Node& node) {
  return node.Mark().line + 1;
}

// A plain scalar resolved by the YAML 1.2 core schema (§10.3.2); quoted scalars and
// `!!str` stay strings.
Json resolve_scalar(const YAML::Node& node) {
  const auto& text = node.Scalar();
  const auto& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    return text;
  }
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") {
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return false;
  }
  static const std::regex k_integer("[-+]?[0-9]+");
  static const std::regex k_float(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(text, k_integer)) {
    std::int64_t value = 0;
    const auto* begin = text.data() + (text.front() == '+' ? 1 : 0);
    if (const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
        ec == std::errc{} && end == text.data() + text.size()) {
      return value;
    }
    return text; // out of range: keep the text, the field's check will say what is wrong
  }
  if (std::regex_match(text, k_float)) {
    return std::stod(text);
  }
  return text;
}

class YamlConverter {
public:
  explicit YamlConverter(std::string_view source) : m_source(source) {}

  util::Result<Json> convert(const YAML::Node& node, const Pointer& at) {
    if (node.Mark().line >= 0) {
      m_lines.add(at, line_of(node));
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return Json(nullptr);
      case YAML::NodeType::Scalar:
        return resolve_scalar(node);
      case YAML::NodeType::Sequence: {
        Json array = Json::array();
        std::size_t i = 0;
        for (const auto& item : node) {
          auto value = convert(item, at / i++);
          if (!value) {
            return value;
          }
          array.push_back(std::move(*value));
        }
        return array;
      }
      case YAML::NodeType::Map:
        return convert_map(node, at);
    }
    return Json(nullptr);
  }

  LineIndex take_lines() { return std::move(m_lines); }

private:
  util::Result<Json> convert_map(const YAML::Node& node, const Pointer& at) {
    Json object = Json::object();
    std::map<std::string, int> seen;
    for (const auto& member : node) {
      const auto& key_node = member.first;
      if (!key_node.IsScalar()) {
        return util::fail(ErrorKind::config, fmt::format("{}:{}: a mapping key must be a plain string",
                                                         m_source, line_of(key_node)));
      }
      const auto& key = key_node.Scalar();
      if (const auto first = seen.find(key); first != seen.end()) {
        return util::fail(ErrorKind::config,
                          fmt::format("{}:{}: key \"{}\" appears twice in one mapping (first on line {})",
                                      m_source, line_of(key_node), key, first->second));
      }
      seen.emplace(key, line_of(key_node));
      m_lines.add(at / key, line_of(key_node));
      auto value = convert(member.second, at / key);
      if (!value) {
        return value;
      }
      object[key] = std::move(*value);
    }
    return object;
  }

  std::string_view m_source;
  LineIndex m_lines;
};

} // namespace

util::Result<ConfigDocument> parse_yaml_config(const std::string& text, std::string_view source) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& error) {
    return util::fail(ErrorKind::config, fmt::format("{}:{}: not valid YAML: {} (column {})", source,
                                                     error.mark.line + 1, error.msg, error.mark.column + 1));
  }
  YamlConverter converter(source);
  ConfigDocument document;
  if (documents.size() == 1) {
    auto value = converter.convert(documents.front(), Pointer());
    if (!value) {
      return tl::unexpected(value.error());
    }
    document.value = std::move(*value);
  } else {
    // Several documents (one resource each, as `---` separates them): an array of them.
    document.value = Json::array();
    for (std::size_t i = 0; i < documents.size(); ++i) {
      auto value = converter.convert(documents[i], Pointer() / i);
      if (!value) {
        return tl::unexpected(value.error());
      }
      document.value.push_back(std::move(*value));
    }
  }
  document.lines = converter.take_lines();
  return document;
}

} // namespace oauthctl::server
