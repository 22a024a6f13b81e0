// SPDX-License-Identifier: MIT
// Authentication headers from the network: a WWW-Authenticate challenge as the client
// reads it (RFC 9110 §11.6.1, RFC 6750 §3), and the Authorization header plus body
// parameters as the token endpoint reads a client's credentials (RFC 6749 §2.3).
//
// Input: `<header value>\n<form body>`.

#include "fuzz_support.hpp"
#include "server/endpoints/client_authentication.hpp"

#include <oauthctl/oauth/www_authenticate.hpp>

using namespace oauthctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [header, body] = fuzz::split_line(fuzz::as_text(data, size));
  if (const auto challenge = oauth::parse_www_authenticate(header)) {
    FUZZ_CHECK(!challenge->scheme.empty());
    for (const auto& [name, value] : challenge->params) {
      FUZZ_CHECK(!name.empty());
      for (const char c : name) {
        FUZZ_CHECK(c < 'A' || c > 'Z');
      }
    }
  }

  const auto params = util::form_decode(body).value_or(util::FormFields{});
  server::ServerRequest request;
  request.method = "POST";
  request.path = "/auth/token";
  request.headers.add("Authorization", std::string(header));
  const auto client = server::read_client_credentials(request, params);
  if (client) {
    FUZZ_CHECK(client->method == server::PresentedMethod::client_secret_basic);
    FUZZ_CHECK(!client->client_id.empty() && client->secret.has_value());
  } else {
    FUZZ_CHECK(client.error().status == 400 || client.error().status == 401);
  }
  // The same parameters without the header: client_secret_post or a public client.
  const auto from_body = server::read_client_credentials(server::ServerRequest{}, params);
  FUZZ_CHECK(from_body.has_value());
  FUZZ_CHECK(from_body->client_id == util::form_get(params, "client_id").value_or(""));
  return 0;
}
