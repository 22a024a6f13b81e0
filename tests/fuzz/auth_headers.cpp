// SPDX-License-Identifier: MIT
// Authentication headers from the network: a WWW-Authenticate challenge as the client
// reads it (RFC 9110 §11.6.1, RFC 6750 §3), and the Authorization header plus body
// parameters as the token endpoint reads a client's credentials (RFC 6749 §2.3).
//
// Input: `<header value>\n<form body>`.

#include "fuzz_support.hpp"
#include "server/endpoints/client_authentication.hpp"

#include <oauthctl/oauth/assertion.hpp>
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
  // The same parameters without the header: client_secret_post, a public client, or
  // private_key_jwt (RFC 7521 §4.2), which needs both assertion parameters, alone.
  const auto from_body = server::read_client_credentials(server::ServerRequest{}, params);
  const auto body_id = util::form_get(params, "client_id");
  const auto secret = util::form_get(params, "client_secret");
  const auto assertion_type = util::form_get(params, "client_assertion_type");
  const auto assertion = util::form_get(params, "client_assertion");
  if (!assertion_type && !assertion) {
    FUZZ_CHECK(from_body.has_value());
    FUZZ_CHECK(from_body->client_id == body_id.value_or(""));
    FUZZ_CHECK(from_body->method ==
               (secret ? server::PresentedMethod::client_secret_post : server::PresentedMethod::none));
  } else if (secret || !assertion_type || !assertion || assertion->empty()) {
    // Two methods at once, or half an assertion: a malformed request.
    FUZZ_CHECK(!from_body.has_value() && from_body.error().status == 400);
  } else if (*assertion_type != oauth::k_jwt_client_assertion_type) {
    FUZZ_CHECK(!from_body.has_value() && from_body.error().status == 401);
  } else {
    FUZZ_CHECK(from_body.has_value());
    FUZZ_CHECK(from_body->method == server::PresentedMethod::private_key_jwt);
    FUZZ_CHECK(from_body->assertion == *assertion);
    if (body_id && !body_id->empty()) {
      FUZZ_CHECK(from_body->client_id == *body_id);
    }
  }
  return 0;
}
