// SPDX-License-Identifier: MIT
// RFC 7515 §4.1.11: a JWS whose `crit` header names an extension the recipient does not
// understand must be refused. Every place the server verifies a JWS is tried with a token
// signed correctly (by OpenSSL directly, so the header can hold anything) that carries `crit`,
// and, as the control, with the same token without it.
#include "server/auth/trusted_issuers.hpp"
#include "server_test_support.hpp"

#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/util/base64url.hpp>

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

using namespace oauthctl;
using Json = nlohmann::json;

namespace {

// An RS256 compact JWS of `claims` under exactly `header`, signed with the PEM key.
std::string sign_rs256(const std::string& pem, const Json& header, const Json& claims) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  REQUIRE(bio);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
    PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  REQUIRE(key);
  const auto input = util::base64url_encode(header.dump()) + "." + util::base64url_encode(claims.dump());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1);
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &length, data, input.size()) == 1);
  std::string signature(length, '\0');
  REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                         input.size()) == 1);
  signature.resize(length);
  return input + "." + util::base64url_encode(signature);
}

// The header SigningKey would write, and the same with a critical extension.
Json plain_header(const oauth::SigningKey& key) {
  return {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key.kid()}};
}

Json crit_header(const oauth::SigningKey& key) {
  auto header = plain_header(key);
  header["crit"] = Json::array({"exp-policy"});
  header["exp-policy"] = "strict";
  return header;
}

const oauth::SigningKey& client_key() {
  static const oauth::SigningKey key = [] {
    auto generated = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(generated.has_value());
    return std::move(*generated);
  }();
  return key;
}

server::ClientSpec keyed_client() {
  server::ClientSpec spec;
  spec.id = "svc";
  spec.grant_types = {"client_credentials", "jwt_bearer"};
  spec.jwks = {{"keys", Json::array({client_key().public_jwk()})}};
  return spec;
}

std::string error_of(const server::ServerResponse& response) {
  return test::body_json(response).value("error", std::string());
}

} // namespace

TEST_SUITE("server.jws_crit") {
  TEST_CASE("an access token with crit is refused at the FHIR API and by introspection") {
    const test::TestServer server;
    const auto key = test::test_key();
    const Json claims{{"iss", test::k_issuer},      {"aud", std::string(test::k_issuer) + "/fhir"},
                      {"exp", 1'800'000'000},       {"sub", "svc"},
                      {"client_id", "demo-client"}, {"scope", "system/*.rs"},
                      {"jti", "crit-test-1"}};
    const auto plain = sign_rs256(test::test_key_pem(), plain_header(key), claims);
    const auto critical = sign_rs256(test::test_key_pem(), crit_header(key), claims);
    CHECK(server.get("/fhir/Patient", {}, plain).status == 200);
    const auto refused = server.get("/fhir/Patient", {}, critical);
    CHECK(refused.status == 401);
    CHECK(refused.headers.get("WWW-Authenticate").value_or("").find("invalid_token") != std::string::npos);

    auto active = [&](const std::string& token) {
      server::ServerRequest request;
      request.method = "POST";
      request.path = "/auth/introspect";
      request.headers.add("Content-Type", "application/x-www-form-urlencoded");
      request.headers.add("Authorization", "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=");
      request.body = "token=" + token;
      const auto response = server.send(request);
      REQUIRE(response.status == 200);
      return test::body_json(response).value("active", false);
    };
    CHECK(active(plain));
    CHECK_FALSE(active(critical));
  }

  TEST_CASE("a client assertion and a jwt_bearer assertion with crit are refused") {
    const test::TestServer server{{keyed_client()}};
    const auto token_url = std::string(test::k_issuer) + "/auth/token";
    auto assertion = [&](const Json& header) {
      auto claims = oauth::assertion_claims("svc", "svc", token_url, server.clock->load());
      return sign_rs256(client_key().to_pem(), header, claims);
    };
    auto authenticate = [&](const std::string& jwt) {
      return server.post_form("grant_type=client_credentials&client_assertion_type=" +
                              util::percent_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                              "&client_assertion=" + jwt);
    };
    CHECK(authenticate(assertion(plain_header(client_key()))).status == 200);
    const auto refused = authenticate(assertion(crit_header(client_key())));
    CHECK(refused.status == 401);
    CHECK(error_of(refused) == "invalid_client");

    auto bearer = [&](const std::string& jwt) {
      return server.post_form(
        "grant_type=" + util::percent_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
        "&client_id=svc&assertion=" + jwt);
    };
    CHECK(bearer(assertion(plain_header(client_key()))).status == 200);
    const auto grant = bearer(assertion(crit_header(client_key())));
    CHECK(grant.status == 400);
    CHECK(error_of(grant) == "invalid_grant");
  }

  TEST_CASE("token exchange refuses a subject token with crit, ours or a trusted issuer's") {
    test::TestServer server;
    const auto ehr = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(ehr.has_value());
    const Json resource{{"resourceType", "TokenIntrospector"},
                        {"id", "ehr"},
                        {"type", "jwt"},
                        {"jwt", {{"iss", "https://ehr.example"}}},
                        {"jwks", {{"keys", Json::array({ehr->public_jwk()})}}}};
    auto spec = server::parse_token_introspector(resource, "test", "");
    REQUIRE(spec.has_value());
    std::vector<server::TrustedIssuerSpec> specs{std::move(*spec)};
    auto issuers = server::TrustedIssuers::create(std::move(specs), {});
    REQUIRE(issuers.has_value());
    server.context->trusted_issuers = std::move(*issuers);

    auto exchange = [&](const std::string& subject) {
      return server.post_form("grant_type=urn:ietf:params:oauth:grant-type:token-exchange&client_id=demo-"
                              "client&client_secret=demo-secret"
                              "&subject_token_type=urn:ietf:params:oauth:token-type:jwt&subject_token=" +
                              subject);
    };
    const auto now = server.clock->load();
    const Json external{{"iss", "https://ehr.example"},
                        {"sub", "practitioner-7"},
                        {"aud", std::string(test::k_issuer) + "/fhir"},
                        {"iat", now},
                        {"exp", now + 600},
                        {"scope", "system/Patient.read"}};
    CHECK(exchange(sign_rs256(ehr->to_pem(), plain_header(*ehr), external)).status == 200);
    const auto refused = exchange(sign_rs256(ehr->to_pem(), crit_header(*ehr), external));
    CHECK(refused.status == 400);
    CHECK(error_of(refused) == "invalid_grant");

    const auto key = test::test_key();
    const Json own{{"iss", test::k_issuer},
                   {"aud", std::string(test::k_issuer) + "/fhir"},
                   {"iat", now},
                   {"exp", now + 600},
                   {"sub", "demo-client"},
                   {"client_id", "demo-client"},
                   {"jti", "own-1"},
                   {"scope", "system/Patient.read"}};
    CHECK(exchange(sign_rs256(test::test_key_pem(), plain_header(key), own)).status == 200);
    CHECK(error_of(exchange(sign_rs256(test::test_key_pem(), crit_header(key), own))) == "invalid_grant");
  }
}
