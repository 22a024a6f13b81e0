// SPDX-License-Identifier: MIT
// The cache of verified access tokens behind /fhir (server/verified_tokens.hpp): a token
// read once and kept must still be refused when it is revoked, expires, loses its key or
// comes without the certificate it is bound to.
#include "server/tls/client_certificate.hpp"
#include "server/verified_tokens.hpp"
#include "server_test_support.hpp"

#include <oauthctl/util/base64url.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using test::TestServer;

namespace {

std::string challenge_of(const server::ServerResponse& response) {
  return response.headers.get("WWW-Authenticate").value_or("");
}

std::string jti_of(const std::string& token) {
  const auto jwt = oauth::decode_jwt(token);
  REQUIRE(jwt.has_value());
  return jwt->claims.at("jti").get<std::string>();
}

} // namespace

TEST_SUITE("server.verified_tokens") {
  TEST_CASE("a token is verified once and kept, one entry per token") {
    const TestServer server;
    const auto token = server.token();
    CHECK(server.context->fhir_tokens->size() == 0);
    CHECK(server.get("/fhir/Patient", {}, token).status == 200);
    CHECK(server.get("/fhir/Patient/pt-1", {}, token).status == 200);
    CHECK(server.context->fhir_tokens->size() == 1);
    CHECK(server.get("/fhir/Patient", {}, server.token()).status == 200);
    CHECK(server.context->fhir_tokens->size() == 2);
    // Refused tokens are never kept.
    CHECK(server.get("/fhir/Patient", {}, token + "x").status == 401);
    CHECK(server.context->fhir_tokens->size() == 2);
  }

  TEST_CASE("a kept token is refused once revoked") {
    const TestServer server;
    const auto token = server.token();
    CHECK(server.get("/fhir/Patient", {}, token).status == 200);
    REQUIRE(server.context->fhir_tokens->size() == 1);
    server.context->auth->revoke_access(jti_of(token), 1'700'003'600);
    const auto refused = server.get("/fhir/Patient", {}, token);
    CHECK(refused.status == 401);
    CHECK(challenge_of(refused).find("the token was revoked") != std::string::npos);
  }

  TEST_CASE("a kept token is refused at its exp") {
    const TestServer server;
    const auto token = server.token();
    CHECK(server.get("/fhir/Patient", {}, token).status == 200);
    REQUIRE(server.context->fhir_tokens->size() == 1);
    server.clock->store(1'700'003'599);
    CHECK(server.get("/fhir/Patient", {}, token).status == 200);
    server.clock->store(1'700'003'600); // exp: RFC 7519 §4.1.4 "on or after"
    const auto refused = server.get("/fhir/Patient", {}, token);
    CHECK(refused.status == 401);
    CHECK(challenge_of(refused).find("expired") != std::string::npos);
  }

  TEST_CASE("a kept token is refused once its key left the key set") {
    const TestServer server;
    const auto token = server.token();
    CHECK(server.get("/fhir/Patient", {}, token).status == 200);
    REQUIRE(server.context->fhir_tokens->size() == 1);
    auto next = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(next.has_value());
    auto next_set = server::key_set_of(std::move(*next));
    REQUIRE(next_set.has_value());
    server.context->keys.replace(*next_set);
    const auto refused = server.get("/fhir/Patient", {}, token);
    CHECK(refused.status == 401);
    CHECK(challenge_of(refused).find("signature") != std::string::npos);
    // A token of the new key is verified under the new set and kept.
    CHECK(server.get("/fhir/Patient", {}, server.token()).status == 200);
    CHECK(server.context->fhir_tokens->size() == 1);
  }

  TEST_CASE("a kept certificate-bound token needs its certificate on every request") {
    const TestServer server;
    const std::string der = "the DER bytes of a client certificate";
    const auto bound = server.context->keys.current()->signer.sign(
      {{"iss", test::k_issuer},
       {"aud", std::string(test::k_issuer) + "/fhir"},
       {"exp", 1'700'003'600},
       {"jti", "bound-1"},
       {"scope", "system/*.read"},
       {"cnf", {{"x5t#S256", server::certificate_thumbprint(der)}}}});
    REQUIRE(bound.has_value());
    auto read = [&](std::shared_ptr<const server::PeerCertificate> certificate) {
      server::ServerRequest request;
      request.path = "/fhir/Patient";
      request.headers.add("Authorization", "Bearer " + *bound);
      request.client_certificate = std::move(certificate);
      return server.send(request);
    };
    CHECK(read(std::make_shared<server::PeerCertificate>(server::PeerCertificate{der, false})).status == 200);
    REQUIRE(server.context->fhir_tokens->size() == 1);
    const auto without = read(nullptr);
    CHECK(without.status == 401);
    CHECK(challenge_of(without).find("did not present") != std::string::npos);
    const auto other =
      read(std::make_shared<server::PeerCertificate>(server::PeerCertificate{"another certificate", false}));
    CHECK(other.status == 401);
    CHECK(read(std::make_shared<server::PeerCertificate>(server::PeerCertificate{der, false})).status == 200);
  }

  TEST_CASE("the cache holds at most its capacity") {
    const TestServer server;
    server::VerifiedTokens cache(2);
    const auto key_set = server.context->keys.current();
    const server::BearerChecks checks{
      &key_set->verifier, test::k_issuer, {std::string(test::k_issuer) + "/fhir"}, 1'700'000'000, nullptr};
    for (int i = 0; i < 5; ++i) {
      http::Headers headers;
      headers.add("Authorization", "Bearer " + server.token());
      CHECK(cache.verify(headers, checks, key_set).has_value());
      CHECK(cache.size() <= 2);
    }
    CHECK(cache.size() == 2);
  }
}
