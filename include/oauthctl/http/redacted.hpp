// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/message.hpp>

namespace oauthctl::http {

// A copy of `request` safe to print: secret headers, form fields, JSON members and
// query parameters replaced by util::k_redacted (or a short recognisable prefix).
Request redacted(const Request& request);

// A copy of `response` safe to print, redacted the same way.
Response redacted(const Response& response);

} // namespace oauthctl::http
