// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <string>
#include <string_view>

namespace oauthctl::server {

// `text` with &, <, >, " and ' replaced by character references, safe in element
// content and in double- or single-quoted attribute values.
std::string html_escape(std::string_view text);

// A complete HTML document (lang="en", UTF-8, a viewport, a small inline style) with
// `title` (plain text, escaped here) and `body_html` (already escaped markup), sent with
// `status` and the security headers every login-UI page carries: a CSP whose form-action
// allows 'self' plus `form_action_origin` when not empty, frame denial, no-store and
// no-referrer.
ServerResponse html_page(int status, std::string_view title, std::string_view body_html,
                         std::string_view form_action_origin = {});

} // namespace oauthctl::server
