// SPDX-License-Identifier: MIT
// A small tolerant HTML tokenizer, just enough to find the login and consent forms of an
// authorization server (`check --login`). Not a browser: no scripts, no DOM.
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/html_form.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <map>

namespace oauthctl::oauth {

namespace {

constexpr std::size_t k_max_forms = 64;
constexpr std::size_t k_max_controls = 256;

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out += "\xEF\xBF\xBD"; // U+FFFD
  } else if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Character references: the named ones forms use, and numeric ones; anything else stays.
std::string decode_entities(std::string_view text) {
  static const std::map<std::string, std::string, std::less<>> named{
    {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const auto end = text.find(';', i + 1);
    if (end == std::string_view::npos || end - i > 12) {
      out += '&';
      continue;
    }
    const auto body = text.substr(i + 1, end - i - 1);
    if (!body.empty() && body[0] == '#') {
      const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
      const auto digits = body.substr(hex ? 2 : 1);
      unsigned long cp = 0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size()) {
        out += '&';
        continue;
      }
      append_utf8(out, cp);
      i = end;
      continue;
    }
    const auto it = named.find(body);
    if (it == named.end()) {
      out += '&';
      continue;
    }
    out += it->second;
    i = end;
  }
  return out;
}

struct Tag {
  std::string name; // lowercase, with a leading '/' for an end tag
  std::map<std::string, std::string> attributes;
  std::size_t end = 0; // index just past '>'
};

// Reads the tag starting at html[pos] == '<'; nullopt when it is not a tag.
std::optional<Tag> read_tag(std::string_view html, std::size_t pos) {
  std::size_t i = pos + 1;
  Tag tag;
  if (i < html.size() && html[i] == '/') {
    tag.name = "/";
    ++i;
  }
  const auto name_start = i;
  while (i < html.size() && (std::isalnum(static_cast<unsigned char>(html[i])) != 0 || html[i] == '-')) {
    ++i;
  }
  if (i == name_start) {
    return std::nullopt;
  }
  tag.name += lowercase(html.substr(name_start, i - name_start));
  while (i < html.size()) {
    while (i < html.size() && (is_space(html[i]) || html[i] == '/')) {
      ++i;
    }
    if (i >= html.size()) {
      break;
    }
    if (html[i] == '>') {
      tag.end = i + 1;
      return tag;
    }
    const auto attr_start = i;
    while (i < html.size() && !is_space(html[i]) && html[i] != '=' && html[i] != '>' && html[i] != '/') {
      ++i;
    }
    auto name = lowercase(html.substr(attr_start, i - attr_start));
    while (i < html.size() && is_space(html[i])) {
      ++i;
    }
    std::string value;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && is_space(html[i])) {
        ++i;
      }
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const char quote = html[i];
        const auto close = html.find(quote, i + 1);
        if (close == std::string_view::npos) {
          return std::nullopt;
        }
        value = decode_entities(html.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        const auto value_start = i;
        while (i < html.size() && !is_space(html[i]) && html[i] != '>') {
          ++i;
        }
        value = decode_entities(html.substr(value_start, i - value_start));
      }
    }
    if (!name.empty()) {
      tag.attributes.emplace(std::move(name), std::move(value)); // the first one wins, as in HTML
    }
  }
  return std::nullopt;
}

std::string attribute(const Tag& tag, const char* name) {
  const auto it = tag.attributes.find(name);
  return it == tag.attributes.end() ? std::string() : it->second;
}

// The text of `html` between `from` and the next `</name>`, tags removed.
std::string text_until_end_tag(std::string_view html, std::size_t from, std::string_view name) {
  const auto lowered = lowercase(html.substr(from, std::min<std::size_t>(html.size() - from, 4096)));
  const auto close = lowered.find("</" + std::string(name));
  const auto inner = html.substr(from, close == std::string::npos ? 0 : close);
  std::string text;
  bool in_tag = false;
  for (const char c : inner) {
    if (c == '<') {
      in_tag = true;
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      text += c;
    }
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : decode_entities(text.substr(first, last - first + 1));
}

bool is_submit(const HtmlControl& control) {
  return (control.tag == "button" && control.type == "submit") ||
         (control.tag == "input" && (control.type == "submit" || control.type == "image"));
}

bool reads_like(const std::string& text, std::initializer_list<std::string_view> words) {
  const auto lowered = lowercase(text);
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view word) { return lowered.find(word) != std::string::npos; });
}

} // namespace

const HtmlControl* HtmlForm::password_input() const {
  const auto it = std::find_if(controls.begin(), controls.end(),
                               [](const HtmlControl& c) { return c.tag == "input" && c.type == "password"; });
  return it == controls.end() ? nullptr : &*it;
}

const HtmlControl* HtmlForm::approve_button() const {
  for (const auto& control : controls) {
    if (!is_submit(control)) {
      continue;
    }
    const auto label = control.value + " " + control.text + " " + control.id + " " + control.name;
    if (reads_like(label, {"deny", "cancel", "reject", "decline", "refuse"})) {
      continue;
    }
    if (reads_like(label,
                   {"allow", "approve", "accept", "authoriz", "consent", "yes", "continue", "grant"})) {
      return &control;
    }
  }
  return nullptr;
}

std::vector<HtmlForm> parse_html_forms(std::string_view html) {
  html = html.substr(0, std::min(html.size(), k_max_html_page));
  std::vector<HtmlForm> forms;
  HtmlForm* open = nullptr;
  std::size_t i = 0;
  while (i < html.size()) {
    const auto lt = html.find('<', i);
    if (lt == std::string_view::npos) {
      break;
    }
    if (html.substr(lt, 4) == "<!--") {
      const auto close = html.find("-->", lt + 4);
      i = close == std::string_view::npos ? html.size() : close + 3;
      continue;
    }
    const auto tag = read_tag(html, lt);
    if (!tag) {
      i = lt + 1;
      continue;
    }
    i = tag->end;
    if (tag->name == "script" || tag->name == "style") {
      const auto lowered = lowercase(html.substr(i));
      const auto close = lowered.find("</" + tag->name);
      i = close == std::string::npos ? html.size() : i + close;
      continue;
    }
    if (tag->name == "form") {
      if (forms.size() >= k_max_forms) {
        break;
      }
      HtmlForm form;
      form.action = attribute(*tag, "action");
      form.method = lowercase(attribute(*tag, "method")) == "post" ? "post" : "get";
      forms.push_back(std::move(form));
      open = &forms.back();
    } else if (tag->name == "/form") {
      open = nullptr;
    } else if (open != nullptr && (tag->name == "input" || tag->name == "button") &&
               open->controls.size() < k_max_controls) {
      HtmlControl control;
      control.tag = tag->name;
      control.type = lowercase(attribute(*tag, "type"));
      if (control.type.empty()) {
        control.type = tag->name == "button" ? "submit" : "text";
      }
      control.name = attribute(*tag, "name");
      control.value = attribute(*tag, "value");
      control.id = attribute(*tag, "id");
      control.checked = tag->attributes.count("checked") > 0;
      if (tag->name == "button") {
        control.text = text_until_end_tag(html, i, "button");
      }
      open->controls.push_back(std::move(control));
    }
  }
  return forms;
}

util::FormFields form_entries(const HtmlForm& form, const util::FormFields& fill,
                              const HtmlControl* submitter) {
  util::FormFields fields;
  for (const auto& control : form.controls) {
    if (control.name.empty() || control.tag != "input" || is_submit(control) || control.type == "button" ||
        control.type == "reset" || control.type == "file" ||
        ((control.type == "checkbox" || control.type == "radio") && !control.checked)) {
      continue;
    }
    fields.emplace_back(control.name, control.value);
  }
  for (const auto& [name, value] : fill) {
    // `&wanted = name`: clang 14 (`make fuzz` builds with it) cannot capture a structured binding.
    const auto it = std::find_if(fields.begin(), fields.end(),
                                 [&wanted = name](const auto& f) { return f.first == wanted; });
    if (it == fields.end()) {
      fields.emplace_back(name, value);
    } else {
      it->second = value;
    }
  }
  if (submitter != nullptr && !submitter->name.empty()) {
    fields.emplace_back(submitter->name, submitter->value);
  }
  return fields;
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference) {
  const auto url = http::parse_url(base);
  if (!url) {
    return std::nullopt;
  }
  const auto ref = std::string(reference);
  const auto colon = ref.find(':');
  const auto first_delimiter = ref.find_first_of("/?#");
  if (colon != std::string::npos && (first_delimiter == std::string::npos || colon < first_delimiter)) {
    return ref; // absolute (any scheme; the caller decides whether to follow it)
  }
  if (ref.rfind("//", 0) == 0) {
    return url->scheme + ":" + ref;
  }
  const auto origin = url->origin();
  if (ref.empty()) {
    return std::string(base.substr(0, base.find('#')));
  }
  if (ref[0] == '/') {
    return origin + ref;
  }
  if (ref[0] == '?') {
    return origin + url->path + ref;
  }
  if (ref[0] == '#') {
    return origin + url->path + (url->query.empty() ? "" : "?" + url->query) + ref;
  }
  const auto slash = url->path.rfind('/');
  return origin + url->path.substr(0, slash + 1) + ref;
}

} // namespace oauthctl::oauth
