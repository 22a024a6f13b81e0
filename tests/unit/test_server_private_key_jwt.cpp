// SPDX-License-Identifier: MIT
#include "server/state/sqlite_state_store.hpp"
#include "server_test_support.hpp"

#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace oauthctl;
using oauth::JwsAlg;
using oauth::SigningKey;
using test::body_json;
using test::TestServer;

namespace {

const std::string k_token_url = std::string(test::k_issuer) + "/auth/token";
const std::string k_assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const std::string k_jwt_bearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

const SigningKey& client_key() {
  static const SigningKey key = *SigningKey::generate_ec(JwsAlg::es384);
  return key;
}

server::ClientSpec keyed_client(const std::string& id = "svc") {
  server::ClientSpec spec;
  spec.id = id;
  spec.grant_types = {"client_credentials", "jwt_bearer"};
  spec.jwks = {{"keys", nlohmann::json::array({client_key().public_jwk()})}};
  return spec;
}

struct Fixture {
  TestServer server{{keyed_client()}};

  std::int64_t now() const { return server.clock->load(); }

  nlohmann::json claims(const std::string& sub = "svc") const {
    return oauth::assertion_claims("svc", sub, k_token_url, now());
  }

  server::ServerResponse with_assertion(const std::string& assertion, const std::string& extra = {}) const {
    return server.post_form(
      "grant_type=client_credentials&client_assertion_type=" + util::percent_encode(k_assertion_type) +
      "&client_assertion=" + assertion + extra);
  }

  server::ServerResponse jwt_bearer(const std::string& assertion, const std::string& extra = {}) const {
    return server.post_form("grant_type=" + util::percent_encode(k_jwt_bearer) +
                            "&client_id=svc&assertion=" + assertion + extra);
  }
};

void check_error(const server::ServerResponse& response, int status, const std::string& error,
                 const std::string& mention = {}) {
  CAPTURE(response.body);
  CHECK(response.status == status);
  const auto body = body_json(response);
  CHECK(body["error"] == error);
  if (!mention.empty()) {
    CHECK(body["error_description"].get<std::string>().find(mention) != std::string::npos);
  }
}

std::string b64(const std::string& text) {
  return util::base64url_encode(text);
}

} // namespace

TEST_SUITE("server.private_key_jwt") {
  TEST_CASE("a signed client assertion authenticates the client") {
    const Fixture f;
    const auto response = f.with_assertion(*client_key().sign(f.claims()));
    CAPTURE(response.body);
    REQUIRE(response.status == 200);
    const auto token = body_json(response)["access_token"].get<std::string>();
    CHECK(oauth::decode_jwt(token)->claims["client_id"] == "svc");
    // With client_id in the body too (RFC 7521 §4.2 allows it).
    CHECK(f.with_assertion(*client_key().sign(f.claims()), "&client_id=svc").status == 200);
  }

  TEST_CASE("every asymmetric alg works, RSA keys too") {
    for (const auto alg : {JwsAlg::rs256, JwsAlg::rs384, JwsAlg::es256, JwsAlg::es384}) {
      CAPTURE(oauth::to_string(alg));
      const auto key = oauth::is_ec_alg(alg) ? *SigningKey::generate_ec(alg)
                                             : *SigningKey::from_pem(test::test_key_pem(), alg);
      auto spec = keyed_client();
      spec.jwks = {{"keys", nlohmann::json::array({key.public_jwk()})}};
      const TestServer server{{spec}};
      const auto assertion =
        *key.sign(oauth::assertion_claims("svc", "svc", k_token_url, server.clock->load()));
      const auto response = server.post_form(
        "grant_type=client_credentials&client_assertion_type=" + util::percent_encode(k_assertion_type) +
        "&client_assertion=" + assertion);
      CAPTURE(response.body);
      CHECK(response.status == 200);
    }
  }

  TEST_CASE("hostile client assertions answer 401 invalid_client") {
    const Fixture f;
    SUBCASE("signed by another key") {
      const auto other = *SigningKey::generate_ec(JwsAlg::es384);
      check_error(f.with_assertion(*other.sign(f.claims())), 401, "invalid_client");
    }
    SUBCASE("the issuer as aud works, another aud does not") {
      auto claims = f.claims();
      claims["aud"] = test::k_issuer;
      CHECK(f.with_assertion(*client_key().sign(claims)).status == 200);
      claims["aud"] = "https://elsewhere.example/token";
      claims["jti"] = "other-jti";
      check_error(f.with_assertion(*client_key().sign(claims)), 401, "invalid_client", "audience");
    }
    SUBCASE("expired") {
      auto claims = f.claims();
      claims["exp"] = f.now() - 120;
      check_error(f.with_assertion(*client_key().sign(claims)), 401, "invalid_client", "expired");
    }
    SUBCASE("exp too far ahead, or missing") {
      auto claims = f.claims();
      claims["exp"] = f.now() + 3600;
      check_error(f.with_assertion(*client_key().sign(claims)), 401, "invalid_client", "exp");
      claims.erase("exp");
      check_error(f.with_assertion(*client_key().sign(claims)), 401, "invalid_client", "exp");
    }
    SUBCASE("replayed jti, also across clients' ids") {
      const auto assertion = *client_key().sign(f.claims());
      CHECK(f.with_assertion(assertion).status == 200);
      check_error(f.with_assertion(assertion), 401, "invalid_client", "jti");
      // The same jti once the first has expired is fine again.
      f.server.clock->store(f.now() + 1000);
      CHECK(f.with_assertion(*client_key().sign(f.claims())).status == 200);
    }
    SUBCASE("no jti") {
      auto claims = f.claims();
      claims.erase("jti");
      check_error(f.with_assertion(*client_key().sign(claims)), 401, "invalid_client", "jti");
    }
    SUBCASE("iss or sub not the client") {
      auto claims = f.claims();
      claims["sub"] = "demo";
      check_error(f.with_assertion(*client_key().sign(claims), "&client_id=svc"), 401, "invalid_client",
                  "sub");
      claims = f.claims();
      claims["iss"] = "someone";
      check_error(f.with_assertion(*client_key().sign(claims)), 401, "invalid_client", "iss");
    }
    SUBCASE("alg none and HS256 with the public key as secret") {
      const auto token = *client_key().sign(f.claims());
      const auto payload = token.substr(token.find('.'), token.rfind('.') - token.find('.'));
      const auto none = b64(R"({"alg":"none"})") + payload + ".";
      check_error(f.with_assertion(none), 401, "invalid_client");
      const auto header = b64(nlohmann::json{{"alg", "HS256"}, {"kid", client_key().kid()}}.dump());
      const auto input = header + payload;
      const auto hs = input + "." + b64(util::hmac_sha256(client_key().public_jwk().dump(), input));
      check_error(f.with_assertion(hs), 401, "invalid_client");
    }
    SUBCASE("garbage, unknown clients and clients without keys") {
      check_error(f.with_assertion("not-a-jwt", "&client_id=svc"), 401, "invalid_client");
      check_error(f.with_assertion(*client_key().sign(f.claims()), "&client_id=nobody"), 401,
                  "invalid_client");
      auto claims = oauth::assertion_claims("demo-client", "demo-client", k_token_url, f.now());
      check_error(f.with_assertion(*client_key().sign(claims)), 401, "invalid_client");
    }
    SUBCASE("wrong assertion type, half an assertion, or two methods") {
      const auto assertion = *client_key().sign(f.claims());
      check_error(
        f.server.post_form("grant_type=client_credentials&client_assertion_type=urn%3Ax&client_assertion=" +
                           assertion),
        401, "invalid_client");
      check_error(f.server.post_form("grant_type=client_credentials&client_assertion=" + assertion), 400,
                  "invalid_request");
      check_error(f.with_assertion(assertion, "&client_secret=x"), 400, "invalid_request");
      check_error(f.server.post_form("grant_type=client_credentials&client_assertion_type=" +
                                       util::percent_encode(k_assertion_type) +
                                       "&client_assertion=" + assertion,
                                     "Basic " + util::base64_encode("svc:x")),
                  400, "invalid_request");
    }
    SUBCASE("a keyed client cannot skip authentication") {
      check_error(f.server.post_form("grant_type=client_credentials&client_id=svc"), 401, "invalid_client");
    }
  }

  TEST_CASE("jwt_bearer grant (RFC 7523 §2.1)") {
    const Fixture f;
    SUBCASE("sub = a user: a user token") {
      const auto response =
        f.jwt_bearer(*client_key().sign(f.claims("demo")), "&scope=openid%20user%2F*.read");
      CAPTURE(response.body);
      REQUIRE(response.status == 200);
      const auto body = body_json(response);
      const auto claims = oauth::decode_jwt(body["access_token"].get<std::string>())->claims;
      CHECK(claims["sub"] == "demo");
      CHECK(claims["client_id"] == "svc");
      CHECK(body.contains("id_token"));
    }
    SUBCASE("sub = the client: a client token with system scopes") {
      const auto response = f.jwt_bearer(*client_key().sign(f.claims("svc")), "&scope=system%2FPatient.read");
      REQUIRE(response.status == 200);
      CHECK(body_json(response)["scope"] == "system/Patient.read");
    }
    SUBCASE("without client_id: the assertion's iss names the client") {
      const auto response = f.server.post_form("grant_type=" + util::percent_encode(k_jwt_bearer) +
                                               "&assertion=" + *client_key().sign(f.claims("demo")));
      CAPTURE(response.body);
      CHECK(response.status == 200);
    }
    SUBCASE("hostile assertions answer invalid_grant") {
      const auto other = *SigningKey::generate_ec(JwsAlg::es384);
      check_error(f.jwt_bearer(*other.sign(f.claims("demo"))), 400, "invalid_grant");
      check_error(f.jwt_bearer(*client_key().sign(f.claims("nobody"))), 400, "invalid_grant", "sub");
      auto claims = f.claims("demo");
      claims["exp"] = f.now() - 100;
      check_error(f.jwt_bearer(*client_key().sign(claims)), 400, "invalid_grant", "expired");
      claims = f.claims("demo");
      claims["aud"] = "https://elsewhere";
      check_error(f.jwt_bearer(*client_key().sign(claims)), 400, "invalid_grant");
      const auto once = *client_key().sign(f.claims("demo"));
      CHECK(f.jwt_bearer(once).status == 200);
      check_error(f.jwt_bearer(once), 400, "invalid_grant", "jti");
      const auto token = *client_key().sign(f.claims("demo"));
      const auto none =
        b64(R"({"alg":"none"})") + token.substr(token.find('.'), token.rfind('.') - token.find('.')) + ".";
      check_error(f.jwt_bearer(none), 400, "invalid_grant");
      check_error(f.server.post_form("grant_type=" + util::percent_encode(k_jwt_bearer) + "&client_id=svc"),
                  400, "invalid_request");
      check_error(f.jwt_bearer(*client_key().sign(f.claims("demo")), "&scope=system%2F*.read"), 400,
                  "invalid_scope");
    }
    SUBCASE("a client without keys gets invalid_grant; one without the grant unauthorized_client") {
      const auto response = f.server.post_form("grant_type=" + util::percent_encode(k_jwt_bearer) +
                                                 "&assertion=" + *client_key().sign(f.claims("demo")),
                                               "Basic " + util::base64_encode("demo-client:demo-secret"));
      CAPTURE(response.body);
      CHECK(response.status == 400);
    }
  }

  TEST_CASE("jwks_uri as a file, and used jtis in the store") {
    const auto dir = std::filesystem::temp_directory_path() / ("oauthctl-pkjwt-" + util::random_token(6));
    std::filesystem::create_directories(dir);
    const auto path = (dir / "jwks.json").string();
    std::ofstream(path)
      << nlohmann::json{{"keys", nlohmann::json::array({client_key().public_jwk()})}}.dump();
    auto spec = keyed_client();
    spec.jwks = nullptr;
    spec.jwks_uri = path;
    const TestServer server{{spec}};
    const auto assertion =
      *client_key().sign(oauth::assertion_claims("svc", "svc", k_token_url, server.clock->load()));
    const auto response = server.post_form(
      "grant_type=client_credentials&client_assertion_type=" + util::percent_encode(k_assertion_type) +
      "&client_assertion=" + assertion);
    CAPTURE(response.body);
    CHECK(response.status == 200);

    // Used assertion ids live in the state store: single use survives a reopen (a restart).
    using server::state::JtiKind;
    {
      auto store = server::state::open_sqlite_state_store((dir / "store.db").string());
      REQUIRE(store.has_value());
      CHECK(*(*store)->use_jti(JtiKind::client_assertion, "svc", "j1", 2000, 1000));
      CHECK_FALSE(*(*store)->use_jti(JtiKind::client_assertion, "svc", "j1", 2000, 1000));
    }
    auto reopened = server::state::open_sqlite_state_store((dir / "store.db").string());
    REQUIRE(reopened.has_value());
    CHECK_FALSE(*(*reopened)->use_jti(JtiKind::client_assertion, "svc", "j1", 2000, 1500));
    CHECK(*(*reopened)->use_jti(JtiKind::client_assertion, "svc", "j1", 3000, 2000)); // expired: usable
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("discovery lists private_key_jwt and the jwt-bearer grant") {
    const TestServer server;
    const auto metadata = body_json(server.get("/.well-known/oauth-authorization-server"));
    const auto has = [](const nlohmann::json& list, const std::string& value) {
      return std::find(list.begin(), list.end(), value) != list.end();
    };
    CHECK(has(metadata["token_endpoint_auth_methods_supported"], "private_key_jwt"));
    CHECK(has(metadata["grant_types_supported"], k_jwt_bearer));
    for (const char* alg : {"RS256", "RS384", "ES256", "ES384"}) {
      CHECK(has(metadata["token_endpoint_auth_signing_alg_values_supported"], alg));
    }
    const auto smart = body_json(server.get("/.well-known/smart-configuration"));
    CHECK(has(smart["capabilities"], "client-confidential-asymmetric"));
  }
}
