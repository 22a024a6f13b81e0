// SPDX-License-Identifier: MIT
#include "server/auth/trusted_issuers.hpp"
#include "server_test_support.hpp"

#include <oauthctl/util/base64url.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace oauthctl;
using namespace oauthctl::server;
using Json = nlohmann::json;

namespace {

constexpr const char* k_ehr = "https://ehr.example";
constexpr const char* k_jwt_type = "urn:ietf:params:oauth:token-type:jwt";
constexpr std::int64_t k_now = 1'700'000'000; // TestServer's clock

// The external issuer's key: one per test binary, like the server's.
const oauth::SigningKey& ehr_key() {
  static const oauth::SigningKey key = [] {
    auto generated = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(generated.has_value());
    return std::move(*generated);
  }();
  return key;
}

Json ehr_jwks() {
  return Json{{"keys", Json::array({ehr_key().public_jwk()})}};
}

Json introspector(const Json& extra = Json::object()) {
  Json resource{{"resourceType", "TokenIntrospector"},
                {"id", "ehr"},
                {"type", "jwt"},
                {"jwt", {{"iss", k_ehr}}},
                {"jwks", ehr_jwks()},
                {"leeway", 0}};
  resource.update(extra);
  return resource;
}

// A token of the external issuer for our FHIR base, valid for an hour from the test clock.
Json ehr_claims(const Json& extra = Json::object()) {
  Json claims{
    {"iss", k_ehr}, {"sub", "practitioner-7"}, {"aud", std::string(test::k_issuer) + "/fhir"},
    {"iat", k_now}, {"exp", k_now + 3600},     {"scope", "system/Patient.read system/Observation.read"}};
  claims.update(extra);
  return claims;
}

std::string ehr_token(const Json& extra = Json::object()) {
  auto token = ehr_key().sign(ehr_claims(extra));
  REQUIRE(token.has_value());
  return *token;
}

// A TestServer trusting the EHR as `resource` says.
test::TestServer server_trusting(const Json& resource) {
  test::TestServer server;
  auto spec = parse_token_introspector(resource, "test", "");
  REQUIRE(spec.has_value());
  std::vector<TrustedIssuerSpec> specs{std::move(*spec)};
  auto issuers = TrustedIssuers::create(std::move(specs), {});
  REQUIRE(issuers.has_value());
  server.context->trusted_issuers = std::move(*issuers);
  return server;
}

ServerResponse exchange_token(const test::TestServer& server, const std::string& subject,
                              const std::string& extra = {}, const char* type = k_jwt_type) {
  return server.post_form("grant_type=urn:ietf:params:oauth:grant-type:token-exchange&client_id=demo-client&"
                          "client_secret=demo-secret&subject_token=" +
                          util::percent_encode(subject) +
                          "&subject_token_type=" + util::percent_encode(type) + extra);
}

std::string error_of(const ServerResponse& response) {
  return test::body_json(response).value("error", std::string());
}

std::string description_of(const ServerResponse& response) {
  return test::body_json(response).value("error_description", std::string());
}

Json claims_of(const std::string& token) {
  auto jwt = oauth::decode_jwt(token);
  REQUIRE(jwt.has_value());
  return jwt->claims;
}

} // namespace

TEST_SUITE("server.trusted_issuers") {
  TEST_CASE("a TokenIntrospector in Aidbox's shape, with our additions") {
    auto spec = parse_token_introspector(introspector({{"audience", "https://rp.example"},
                                                       {"subject_claim", "fhirUser"},
                                                       {"scope_claim", "scp"},
                                                       {"scope", "system/*.read launch"},
                                                       {"leeway", 5}}),
                                         "config.json", "");
    REQUIRE(spec.has_value());
    CHECK(spec->id == "ehr");
    CHECK(spec->issuer == k_ehr);
    CHECK(spec->audiences == std::vector<std::string>{"https://rp.example"});
    CHECK(spec->subject_claim == "fhirUser");
    CHECK(spec->scope_claim == "scp");
    CHECK(spec->scopes == std::vector<std::string>{"system/*.read", "launch"});
    CHECK(spec->leeway == 5);

    Json by_url = introspector();
    by_url.erase("jwks");
    by_url.erase("leeway");
    by_url["jwks_uri"] = "https://ehr.example/.well-known/jwks.json";
    spec = parse_token_introspector(by_url, "config.json", "");
    REQUIRE(spec.has_value());
    CHECK(spec->jwks_uri == "https://ehr.example/.well-known/jwks.json");
    CHECK(spec->subject_claim == "sub");
    CHECK(spec->leeway == 30);
  }

  TEST_CASE("a JWKS file is read relative to the config file") {
    const auto dir = std::filesystem::temp_directory_path() / "oauthctl-test-introspector";
    std::filesystem::create_directories(dir / "keys");
    std::ofstream(dir / "keys" / "ehr.json") << ehr_jwks().dump();
    Json by_file = introspector();
    by_file.erase("jwks");
    by_file["jwks_file"] = "keys/ehr.json";
    auto spec = parse_token_introspector(by_file, "config.json", dir.string());
    REQUIRE(spec.has_value());
    CHECK(spec->jwks == ehr_jwks());
    by_file["jwks_file"] = "keys/missing.json";
    CHECK(parse_token_introspector(by_file, "config.json", dir.string()).error().kind ==
          util::ErrorKind::config);
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("hostile or unusable configurations are config errors") {
    Json no_keys = introspector();
    no_keys.erase("jwks");
    Json two_sources = introspector({{"jwks_uri", "https://ehr.example/jwks"}});
    const Json cases[] = {
      Json("not an object"),
      introspector({{"type", "opaque"}}),
      introspector({{"type", 1}}),
      introspector({{"jwt", {{"iss", k_ehr}, {"secret", "shared"}}}}), // HMAC: anyone verifying could forge
      introspector({{"jwt", Json::object()}}),
      introspector({{"jwt", {{"iss", ""}}}}),
      introspector({{"jwt", {{"iss", 42}}}}),
      introspector({{"jwt", "https://ehr.example"}}),
      no_keys,
      two_sources,
      introspector({{"jwks", {{"keys", Json::array({{{"kty", "oct"}, {"k", "c2VjcmV0"}}})}}}}),
      introspector(
        {{"jwks",
          {{"keys", Json::array({{{"kty", "RSA"}, {"alg", "HS256"}, {"n", "AQAB"}, {"e", "AQAB"}}})}}}}),
      introspector({{"jwks", "[]"}}),
      introspector({{"audience", Json::array({1})}}),
      introspector({{"audience", Json::array({""})}}),
      introspector({{"scope", Json::object()}}),
      introspector({{"leeway", -1}}),
      introspector({{"leeway", 100000}}),
      introspector({{"leeway", "30"}}),
      introspector({{"subject_claim", Json::array()}}),
    };
    for (const auto& resource : cases) {
      CAPTURE(resource.dump());
      const auto spec = parse_token_introspector(resource, "config.json", "");
      REQUIRE_FALSE(spec.has_value());
      CHECK(spec.error().kind == util::ErrorKind::config);
      CHECK(spec.error().message.rfind("config.json", 0) == 0);
    }
    Json bad_uri = no_keys;
    bad_uri["jwks_uri"] = "file:///etc/passwd";
    CHECK_FALSE(parse_token_introspector(bad_uri, "config.json", "").has_value());
  }

  TEST_CASE("two introspectors for one issuer are refused") {
    auto a = parse_token_introspector(introspector(), "a", "");
    auto b = parse_token_introspector(introspector({{"id", "other"}}), "b", "");
    REQUIRE((a && b));
    std::vector<TrustedIssuerSpec> specs{*a, *b};
    CHECK(TrustedIssuers::create(std::move(specs), {}).error().kind == util::ErrorKind::config);
  }

  TEST_CASE("keys from a JWKS URL are fetched once, cached, and refetched for an unknown key") {
    Json by_url = introspector();
    by_url.erase("jwks");
    by_url["jwks_uri"] = "https://ehr.example/jwks";
    auto spec = parse_token_introspector(by_url, "config.json", "");
    REQUIRE(spec.has_value());
    int fetches = 0;
    Json served = Json{{"keys", Json::array({test::test_key().public_jwk()})}}; // not the EHR's key yet
    std::vector<TrustedIssuerSpec> specs{*spec};
    auto issuers =
      TrustedIssuers::create(std::move(specs), [&](const std::string& url) -> util::Result<Json> {
        CHECK(url == "https://ehr.example/jwks");
        ++fetches;
        return served;
      });
    REQUIRE(issuers.has_value());
    const auto* trusted = (*issuers)->find(k_ehr);
    REQUIRE(trusted != nullptr);
    CHECK((*issuers)->find("https://ehr.example/") == nullptr); // exact match only
    auto jwt = oauth::decode_jwt(ehr_token());
    REQUIRE(jwt.has_value());
    const std::vector<std::string> ours{std::string(test::k_issuer) + "/fhir"};
    // The served keys do not verify it; a refetch within 10 s is not allowed.
    CHECK_FALSE((*issuers)->verify(*jwt, *trusted, ours, k_now).has_value());
    CHECK(fetches == 1);
    served = ehr_jwks(); // the issuer rotates to its new key
    CHECK_FALSE((*issuers)->verify(*jwt, *trusted, ours, k_now + 5).has_value());
    CHECK(fetches == 1);
    auto verified = (*issuers)->verify(*jwt, *trusted, ours, k_now + 11);
    REQUIRE(verified.has_value());
    CHECK(fetches == 2);
    CHECK(verified->subject == "practitioner-7");
    CHECK(verified->scopes == std::vector<std::string>{"system/Patient.read", "system/Observation.read"});
    // Cached now: no fetch for the next tokens.
    CHECK((*issuers)->verify(*jwt, *trusted, ours, k_now + 20).has_value());
    CHECK(fetches == 2);
  }

  TEST_CASE("an unreachable JWKS URL is a network error, not a verdict on the token") {
    Json by_url = introspector();
    by_url.erase("jwks");
    by_url["jwks_uri"] = "https://ehr.example/jwks";
    auto spec = parse_token_introspector(by_url, "config.json", "");
    REQUIRE(spec.has_value());
    std::vector<TrustedIssuerSpec> specs{*spec};
    auto issuers = TrustedIssuers::create(std::move(specs), [](const std::string&) -> util::Result<Json> {
      return util::fail(util::ErrorKind::network, "connection refused");
    });
    REQUIRE(issuers.has_value());
    auto jwt = oauth::decode_jwt(ehr_token());
    REQUIRE(jwt.has_value());
    const auto result = (*issuers)->verify(*jwt, *(*issuers)->find(k_ehr), {}, k_now);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().kind == util::ErrorKind::network);
  }
}

TEST_SUITE("server.token_exchange") {
  TEST_CASE("a trusted issuer's token becomes one of ours, with its scopes") {
    const auto server = server_trusting(introspector());
    const auto response = exchange_token(server, ehr_token(), "&scope=system%2FPatient.read");
    REQUIRE(response.status == 200);
    const auto body = test::body_json(response);
    CHECK(body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token");
    CHECK(body["token_type"] == "Bearer");
    CHECK(body["scope"] == "system/Patient.read");
    CHECK(body["expires_in"] == 3600);
    CHECK(response.headers.get("Cache-Control") == "no-store");
    const auto claims = claims_of(body["access_token"]);
    CHECK(claims["iss"] == test::k_issuer);
    // The issuer qualifies the subject: it is not a local user (no `subjects` mapping).
    CHECK(claims["sub"] == std::string(k_ehr) + "#practitioner-7");
    CHECK(claims["client_id"] == "demo-client");
    // It works at our FHIR API.
    CHECK(server.get("/fhir/Patient", {}, body["access_token"]).status == 200);
    CHECK(server.get("/fhir/Observation", {}, body["access_token"]).status == 403);
  }

  TEST_CASE("without a scope, all of the subject's scopes within the limits, never broader") {
    const auto server = server_trusting(introspector({{"scope", "system/Patient.read"}}));
    auto response = exchange_token(server, ehr_token());
    REQUIRE(response.status == 200);
    CHECK(test::body_json(response)["scope"] == "system/Patient.read"); // the introspector's limit
    response = exchange_token(server, ehr_token(), "&scope=system%2FObservation.read");
    CHECK(response.status == 400);
    CHECK(error_of(response) == "invalid_scope");
    response = exchange_token(server, ehr_token({{"scope", "system/Observation.read"}}));
    CHECK(error_of(response) == "invalid_scope");
  }

  TEST_CASE("an external subject stays out of the local user namespace unless `subjects` maps it") {
    auto userinfo = [](const test::TestServer& server, const std::string& token) {
      server::ServerRequest request;
      request.path = "/auth/userinfo";
      request.headers.add("Authorization", "Bearer " + token);
      return server.send(request);
    };
    const auto external_demo = ehr_token({{"sub", "demo"}, {"scope", "openid user/*.rs"}});
    {
      const auto server = server_trusting(introspector());
      const auto response = exchange_token(server, external_demo);
      REQUIRE(response.status == 200);
      const auto token = test::body_json(response)["access_token"].get<std::string>();
      CHECK(claims_of(token)["sub"] == std::string(k_ehr) + "#demo");
      // userinfo does not answer for the external "demo" as the local user demo.
      const auto info = userinfo(server, token);
      CHECK(info.status == 401);
      CHECK(info.body.find("demo@example.org") == std::string::npos);
      // Nor does a user/ scope give it the local demo's record.
      CHECK(test::body_json(server.get("/fhir/Patient", {}, token))["total"] == 0);
    }
    {
      const auto server = server_trusting(introspector({{"subjects", {{"practitioner-7", "demo"}}}}));
      const auto response = exchange_token(server, ehr_token({{"scope", "openid user/*.rs"}}));
      REQUIRE(response.status == 200);
      const auto token = test::body_json(response)["access_token"].get<std::string>();
      CHECK(claims_of(token)["sub"] == "demo");
      const auto info = userinfo(server, token);
      REQUIRE(info.status == 200);
      CHECK(test::body_json(info)["sub"] == "demo");
    }
    CHECK_FALSE(parse_token_introspector(introspector({{"subjects", Json::array({"demo"})}}), "t", ""));
    CHECK_FALSE(parse_token_introspector(introspector({{"subjects", {{"x", 7}}}}), "t", ""));
  }

  TEST_CASE("an external token without a scope claim gets no scope, not the introspector's list") {
    const auto server = server_trusting(introspector({{"scope", "system/Patient.read"}}));
    auto claims = ehr_claims();
    claims.erase("scope");
    const auto token = ehr_key().sign(claims);
    REQUIRE(token.has_value());
    auto response = exchange_token(server, *token);
    CHECK(response.status == 400);
    CHECK(error_of(response) == "invalid_scope");
    response = exchange_token(server, *token, "&scope=system%2FPatient.read");
    CHECK(error_of(response) == "invalid_scope");
  }

  TEST_CASE("the exchanged token never outlives the subject token") {
    const auto server = server_trusting(introspector());
    const auto response = exchange_token(server, ehr_token({{"exp", k_now + 60}}));
    REQUIRE(response.status == 200);
    CHECK(test::body_json(response)["expires_in"] == 60);
  }

  TEST_CASE("hostile subject tokens are invalid_grant") {
    const auto server = server_trusting(introspector({{"audience", "https://rp.example"}}));
    const auto good = ehr_token({{"aud", "https://rp.example"}});
    REQUIRE(exchange_token(server, good).status == 200);
    auto other = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(other.has_value());
    const auto signed_by_other = other->sign(ehr_claims({{"aud", "https://rp.example"}}));
    REQUIRE(signed_by_other.has_value());
    const auto dot = good.find('.');
    const auto payload = good.substr(dot + 1, good.rfind('.') - dot - 1);
    const auto none = util::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
    const auto hs256 = util::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + payload + "." +
                       util::base64url_encode("fake");
    const std::pair<std::string, std::string> cases[] = {
      {ehr_token({{"aud", "https://rp.example"}, {"iss", "https://evil.example"}}), "not trusted"},
      {ehr_token({{"aud", "https://rp.example"}, {"exp", k_now - 1}}), "exp"},
      {ehr_token({{"aud", "https://rp.example"}, {"nbf", k_now + 100}}), "nbf"},
      {ehr_token(), "aud"}, // meant for our FHIR base, but this issuer's tokens must name the RP
      {ehr_token({{"aud", "https://rp.example"}, {"sub", nullptr}}), "sub"},
      {*signed_by_other, "signature"},
      {none, "alg"},
      {hs256, "alg"},
      {"not.a.jwt", "JWT"},
      {good.substr(0, good.size() - 4) + "AAAA", "signature"},
    };
    // No structured binding: CAPTURE is a lambda, and clang 14 cannot capture one.
    for (const auto& [token, reason] : cases) {
      const auto& why = reason;
      CAPTURE(why);
      const auto response = exchange_token(server, token);
      CHECK(response.status == 400);
      CHECK(error_of(response) == "invalid_grant");
      CHECK(description_of(response).find(why) != std::string::npos);
      CHECK(description_of(response).find(token) == std::string::npos);
    }
  }

  TEST_CASE("no trusted issuers configured: every external token is untrusted") {
    const test::TestServer server;
    const auto response = exchange_token(server, ehr_token());
    CHECK(error_of(response) == "invalid_grant");
  }

  TEST_CASE("our own token narrows, keeps its subject, and records an actor") {
    const test::TestServer server;
    const auto own = server.token("system/Patient.read system/Observation.read");
    auto response = exchange_token(
      server, own, "&scope=system%2FPatient.read&audience=" + util::percent_encode(test::k_issuer),
      "urn:ietf:params:oauth:token-type:access_token");
    REQUIRE(response.status == 200);
    auto claims = claims_of(test::body_json(response)["access_token"]);
    CHECK(claims["aud"] == test::k_issuer);
    CHECK(claims["scope"] == "system/Patient.read");
    CHECK(claims["sub"] == "demo-client");
    CHECK(claims["exp"].get<std::int64_t>() <= claims_of(own)["exp"].get<std::int64_t>());

    response =
      exchange_token(server, own, "&scope=system%2F*.read", "urn:ietf:params:oauth:token-type:access_token");
    CHECK(error_of(response) == "invalid_scope");

    const auto actor = server.token("system/Patient.read");
    response = exchange_token(server, own,
                              "&actor_token=" + actor +
                                "&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt");
    REQUIRE(response.status == 200);
    claims = claims_of(test::body_json(response)["access_token"]);
    CHECK(claims["act"] == Json{{"sub", "demo-client"}});
    // Exchanged again with another actor: the chain nests (RFC 8693 §4.1).
    const auto exchanged = test::body_json(response)["access_token"].get<std::string>();
    response = exchange_token(server, exchanged,
                              "&actor_token=" + actor +
                                "&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt");
    REQUIRE(response.status == 200);
    claims = claims_of(test::body_json(response)["access_token"]);
    CHECK(claims["act"]["act"] == Json{{"sub", "demo-client"}});

    // An actor token without its type, and an expired own token.
    response = exchange_token(server, own, "&actor_token=" + actor);
    CHECK(error_of(response) == "invalid_request");
    server.clock->store(k_now + 7200);
    response = exchange_token(server, own);
    CHECK(error_of(response) == "invalid_grant");
  }

  TEST_CASE("request checks") {
    const auto server = server_trusting(introspector());
    CHECK(error_of(exchange_token(server, ehr_token(), {}, "jwt")) == "invalid_request"); // URNs only
    CHECK(error_of(exchange_token(server, ehr_token(), {}, "urn:ietf:params:oauth:token-type:saml2")) ==
          "invalid_request");
    CHECK(error_of(exchange_token(
            server, ehr_token(),
            "&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Arefresh_token")) ==
          "invalid_request");
    CHECK(exchange_token(server, ehr_token(),
                         "&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token")
            .status == 200);
    CHECK(error_of(server.post_form("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&"
                                    "client_id=demo-client&client_secret=demo-secret")) == "invalid_request");
    // The CLI's short name is not a grant_type.
    CHECK(error_of(
            server.post_form("grant_type=token_exchange&client_id=demo-client&client_secret=demo-secret")) ==
          "unsupported_grant_type");
  }
}

TEST_SUITE("server.password_grant") {
  std::string password_body(const std::string& username, const std::string& password) {
    return "grant_type=password&client_id=demo-client&client_secret=demo-secret&username=" + username +
           "&password=" + password;
  }

  TEST_CASE("the user's tokens, and one answer for every wrong credential") {
    const test::TestServer server;
    auto response = server.post_form(password_body("demo", "demo") + "&scope=openid%20user%2F*.read");
    REQUIRE(response.status == 200);
    const auto body = test::body_json(response);
    CHECK(body.contains("id_token"));
    CHECK(body.contains("refresh_token"));
    CHECK(claims_of(body["access_token"])["sub"] == "demo");
    const auto wrong = server.post_form(password_body("demo", "nope"));
    const auto unknown = server.post_form(password_body("nobody", "nope"));
    CHECK(wrong.status == 400);
    CHECK(error_of(wrong) == "invalid_grant");
    CHECK(wrong.body == unknown.body);
    CHECK(error_of(server.post_form(password_body("demo", ""))) == "invalid_request");
  }

  TEST_CASE("backoff: refused without a password check, Retry-After, then reset by a success") {
    test::TestServer server;
    server.context->auth->set_login_backoff(BackoffPolicy{2, 10, 5, 900});
    CHECK(error_of(server.post_form(password_body("demo", "x"))) == "invalid_grant");
    CHECK(error_of(server.post_form(password_body("demo", "y"))) == "invalid_grant");
    auto refused = server.post_form(password_body("demo", "demo"));
    CHECK(refused.status == 400);
    CHECK(error_of(refused) == "invalid_grant");
    CHECK(description_of(refused).find("retry in 10 seconds") != std::string::npos);
    CHECK(refused.headers.get("Retry-After") == "10");
    server.clock->fetch_add(10);
    CHECK(server.post_form(password_body("demo", "demo")).status == 200);
    CHECK(error_of(server.post_form(password_body("demo", "x"))) == "invalid_grant");
    CHECK(server.post_form(password_body("demo", "demo")).status == 200); // the count started over
  }

  TEST_CASE("the login page and the password grant share one backoff per username and address") {
    test::TestServer server;
    server.context->auth->set_login_backoff(BackoffPolicy{2, 10, 5, 900});
    server.post_form(password_body("demo", "x"));
    server.post_form(password_body("demo", "y"));
    // What the login form asks before it checks a password (login_endpoint.cpp).
    CHECK(server.context->auth->login_wait("demo", "", server.context->now()) == 10);
    // And failures on the login form count for the password grant.
    server.clock->fetch_add(100);
    server.context->auth->record_login("demo", "", true, server.context->now());
    server.context->auth->record_login("demo", "", true, server.context->now());
    CHECK(server.post_form(password_body("demo", "demo")).headers.get("Retry-After") == "40");
  }
}
