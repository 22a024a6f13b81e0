// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/util/form.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::oauth {

// One control of an HTML form: an <input> or a <button> (HTML §4.10). `text` is a
// button's content with the tags left out; `checked` is an input's checked attribute.
struct HtmlControl {
  std::string tag; // "input" or "button"
  std::string type;
  std::string name;
  std::string value;
  std::string id;
  std::string text;
  bool checked = false;
};

// One <form> as a headless client needs it: where it posts and what it holds.
struct HtmlForm {
  std::string action; // as written (entities decoded); empty: the page's own URL
  std::string method; // "get" or "post", lowercase (default "get", HTML §4.10.18.6)
  std::vector<HtmlControl> controls;

  // The first control whose type is "password", if any.
  [[nodiscard]] const HtmlControl* password_input() const;
  // The submit control (<button>, or <input type=submit|image>) whose value, text, id or
  // name reads like an approval ("allow", "approve", "accept", "authorize", "consent",
  // "yes", "continue", "grant"), never one that reads like "deny" or "cancel".
  [[nodiscard]] const HtmlControl* approve_button() const;
};

// The largest page parse_html_forms reads; anything beyond is ignored.
inline constexpr std::size_t k_max_html_page = 1024 * 1024;

// The forms of an HTML page, in document order, read by a tolerant tokenizer: attribute
// values quoted or not, character references (&amp; &#39; &#x27; ...) decoded, comments,
// <script> and <style> skipped, at most 64 forms of 256 controls. Malformed markup never
// fails; it just yields fewer forms.
std::vector<HtmlForm> parse_html_forms(std::string_view html);

// What submitting `form` sends (HTML §4.10.21 "constructing the entry list", simplified):
// every named input but buttons, unchecked checkboxes/radios and files, in order, with
// `fill` applied (name → value, replacing or adding), then `submitter`'s name=value.
util::FormFields form_entries(const HtmlForm& form, const util::FormFields& fill,
                              const HtmlControl* submitter);

// `reference` resolved against the absolute URL `base` (RFC 3986 §5.2, for the forms
// and redirects a login page uses: absolute, scheme-relative, absolute-path, relative
// path, query-only, empty); nullopt when `base` is not an http(s) URL.
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference);

} // namespace oauthctl::oauth
