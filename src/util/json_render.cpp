// SPDX-License-Identifier: MIT
#include <oauthctl/util/json_render.hpp>

#include <string_view>

namespace oauthctl::util {

namespace {

// jq's default colours: object keys bold blue, strings green; the rest uncoloured.
constexpr std::string_view k_key_colour = "\x1b[34;1m";
constexpr std::string_view k_string_colour = "\x1b[32m";
constexpr std::string_view k_json_colour_reset = "\x1b[0m";

template<class Json>
class JsonTextWriter {
public:
  explicit JsonTextWriter(JsonRendering rendering) : m_rendering(rendering) {}

  void value(const Json& json, int depth) {
    if (json.is_object()) {
      container(json, depth, '{', '}');
    } else if (json.is_array()) {
      container(json, depth, '[', ']');
    } else if (json.is_string()) {
      coloured(k_string_colour, scalar(json));
    } else {
      m_out += scalar(json);
    }
  }

  std::string take() { return std::move(m_out); }

private:
  void container(const Json& json, int depth, char open, char close) {
    if (json.empty()) {
      m_out += open;
      m_out += close;
      return;
    }
    m_out += open;
    bool first = true;
    for (auto it = json.begin(); it != json.end(); ++it) {
      if (!first) {
        m_out += ',';
      }
      first = false;
      newline(depth + 1);
      if (json.is_object()) {
        coloured(k_key_colour, scalar(Json(it.key())));
        m_out += m_rendering.indent ? ": " : ":";
      }
      value(*it, depth + 1);
    }
    newline(depth);
    m_out += close;
  }

  void newline(int depth) {
    if (m_rendering.indent) {
      m_out += '\n';
      m_out.append(static_cast<std::size_t>(depth) * 2, ' ');
    }
  }

  void coloured(std::string_view colour, const std::string& text) {
    if (m_rendering.colour) {
      m_out += colour;
      m_out += text;
      m_out += k_json_colour_reset;
    } else {
      m_out += text;
    }
  }

  static std::string scalar(const Json& json) {
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
  }

  JsonRendering m_rendering;
  std::string m_out;
};

template<class Json>
std::string write_json_text(const Json& value, JsonRendering rendering) {
  JsonTextWriter<Json> renderer(rendering);
  renderer.value(value, 0);
  return renderer.take();
}

} // namespace

std::string render_json(const nlohmann::json& value, JsonRendering rendering) {
  return write_json_text(value, rendering);
}

std::string render_json(const nlohmann::ordered_json& value, JsonRendering rendering) {
  return write_json_text(value, rendering);
}

} // namespace oauthctl::util
