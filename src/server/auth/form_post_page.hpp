// SPDX-License-Identifier: MIT
#pragma once

#include "server/exchange.hpp"

#include <oauthctl/util/form.hpp>

#include <string_view>

namespace oauthctl::server {

// The authorization response as OAuth 2.0 Form Post Response Mode (response_mode=form_post)
// asks: an HTML page whose form posts `params` to `redirect_uri` and submits itself, so the
// code or token never appears in a URL, a history entry or a Referer. The one inline
// script is allowed by its hash in the CSP; without script a button submits the form.
ServerResponse form_post_page(std::string_view redirect_uri, const util::FormFields& params);

} // namespace oauthctl::server
