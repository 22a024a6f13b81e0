// SPDX-License-Identifier: MIT
// The token endpoint's request parameters: a form body or a JSON object (as Aidbox
// accepts), with repeated parameters refused (RFC 6749 §3.2).
//
// Input: `<Content-Type value>\n<body>`.

#include "server/endpoints/token_params.hpp"

#include "fuzz_support.hpp"

#include <set>

using namespace oauthctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [content_type, body] = fuzz::split_line(fuzz::as_text(data, size));
  server::ServerRequest request;
  request.method = "POST";
  request.path = "/auth/token";
  request.headers.add("Content-Type", std::string(content_type));
  request.body = std::string(body);
  const auto params = server::read_token_params(request);
  if (!params) {
    FUZZ_CHECK(!params.error().empty());
    FUZZ_CHECK(params.error().find('\n') == std::string::npos);
    // The description goes into a JSON error response.
    const auto described = server::oauth_error(400, "invalid_request", params.error());
    FUZZ_CHECK(!nlohmann::json::parse(described.body, nullptr, false).is_discarded());
    return 0;
  }
  std::set<std::string> names;
  for (const auto& [name, value] : *params) {
    FUZZ_CHECK(names.insert(name).second);
  }
  return 0;
}
