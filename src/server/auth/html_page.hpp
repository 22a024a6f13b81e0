// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <oauthctl/util/text.hpp>

#include <string>
#include <string_view>

namespace oauthctl::server {

// The login UI escapes with the one shared escaper.
using util::html_escape;

// A complete HTML document (lang="en", UTF-8, a viewport, a small inline style) with
// `title` (plain text, escaped here) and `body_html` (already escaped markup), sent with
// `status` and the security headers every login-UI page carries: a CSP whose form-action
// allows 'self' plus `form_action_origin` when not empty, frame denial, no-store and
// no-referrer.
ServerResponse html_page(int status, std::string_view title, std::string_view body_html,
                         std::string_view form_action_origin = {});

} // namespace oauthctl::server
