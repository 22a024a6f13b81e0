// SPDX-License-Identifier: MIT
// Introspection (RFC 7662), revocation (RFC 7009) and Aidbox's DELETE /Session.
#include "server_test_support.hpp"
#include "state_test_store.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using test::body_json;
using test::hidden_value;
using test::location_param;
using test::TestServer;

namespace {

const std::string k_callback = "http://127.0.0.1:5555/callback";

std::string basic(const std::string& id, const std::string& secret) {
  return "Basic " + util::base64_encode(util::percent_encode(id) + ":" + util::percent_encode(secret));
}

const std::string k_demo = basic("demo-client", "demo-secret");

server::ServerResponse post(const TestServer& server, const std::string& path, const util::FormFields& fields,
                            const std::string& authorization = k_demo) {
  server::ServerRequest request;
  request.method = "POST";
  request.path = path;
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  if (!authorization.empty()) {
    request.headers.add("Authorization", authorization);
  }
  request.body = util::form_encode(fields);
  return server.send(std::move(request));
}

nlohmann::json introspect(const TestServer& server, const std::string& token,
                          const std::string& authorization = k_demo) {
  const auto response = post(server, "/auth/introspect", {{"token", token}}, authorization);
  CAPTURE(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.headers.get("Cache-Control") == "no-store");
  return body_json(response);
}

int revoke(const TestServer& server, const std::string& token, const std::string& authorization = k_demo,
           const std::string& hint = {}) {
  util::FormFields fields{{"token", token}};
  if (!hint.empty()) {
    fields.emplace_back("token_type_hint", hint);
  }
  return post(server, "/auth/revoke", fields, authorization).status;
}

// Tokens for demo-client from the authorization code flow (first party: no consent),
// with a refresh token.
nlohmann::json user_tokens(const TestServer& server) {
  test::Browser browser{server, {}};
  const auto authorize =
    browser.get("/auth/authorize", util::form_encode({{"response_type", "code"},
                                                      {"client_id", "demo-client"},
                                                      {"redirect_uri", k_callback},
                                                      {"scope", "openid patient/*.rs offline_access"},
                                                      {"state", "s"}}));
  REQUIRE(authorize.status == 302);
  const auto login_url = authorize.headers.get("Location").value_or("");
  const auto page = browser.get("/auth/login", "request=" + location_param(login_url, "request"));
  REQUIRE(page.status == 200);
  const auto back = browser.post("/auth/login", {{"request", hidden_value(page.body, "request")},
                                                 {"csrf_token", hidden_value(page.body, "csrf_token")},
                                                 {"username", "demo"},
                                                 {"password", "demo"}});
  REQUIRE(back.status == 303);
  const auto code = location_param(back.headers.get("Location").value_or(""), "code");
  REQUIRE_FALSE(code.empty());
  const auto response =
    post(server, "/auth/token",
         {{"grant_type", "authorization_code"}, {"code", code}, {"redirect_uri", k_callback}});
  REQUIRE(response.status == 200);
  return body_json(response);
}

server::ClientSpec other_client() {
  server::ClientSpec spec;
  spec.id = "resource-server";
  spec.secret = "rs-secret";
  spec.grant_types = {"client_credentials"};
  return spec;
}

const nlohmann::json k_inactive = {{"active", false}};

} // namespace

TEST_SUITE("server.introspection") {
  TEST_CASE("an access token: the RFC 7662 members and SMART's") {
    const TestServer server;
    const auto tokens = user_tokens(server);
    const auto body = introspect(server, tokens["access_token"].get<std::string>());
    CHECK(body["active"] == true);
    CHECK(body["token_type"] == "Bearer");
    CHECK(body["client_id"] == "demo-client");
    CHECK(body["scope"] == "openid patient/*.rs offline_access");
    CHECK(body["sub"] == "demo");
    CHECK(body["iss"] == test::k_issuer);
    CHECK(body["aud"] == std::string(test::k_issuer) + "/fhir");
    CHECK(body["iat"] == 1'700'000'000);
    CHECK(body["exp"] == 1'700'003'600);
    CHECK(body["fhirUser"].is_string());
    CHECK(body["patient"] == "pt-1");
    CHECK(body["jti"].is_string());
  }

  TEST_CASE("a refresh token, for its own client only") {
    const TestServer server({other_client()});
    const auto tokens = user_tokens(server);
    const auto refresh = tokens["refresh_token"].get<std::string>();
    const auto body = introspect(server, refresh);
    CHECK(body["active"] == true);
    CHECK(body["token_type"] == "refresh_token");
    CHECK(body["client_id"] == "demo-client");
    CHECK(body["sub"] == "demo");
    CHECK(body["iss"] == test::k_issuer);
    CHECK(body["exp"].is_number_integer());
    // Another client never sees it (it has no use for a refresh token not its own), but
    // may introspect access tokens, as a resource server does.
    CHECK(introspect(server, refresh, basic("resource-server", "rs-secret")) == k_inactive);
    CHECK(introspect(server, tokens["access_token"].get<std::string>(),
                     basic("resource-server", "rs-secret"))["active"] == true);
  }

  TEST_CASE("anything not valid is exactly {\"active\":false}") {
    const TestServer server;
    const auto token = server.token();
    CHECK(introspect(server, "garbage") == k_inactive);
    CHECK(introspect(server, "a.b.c") == k_inactive);
    // A flipped payload byte breaks the signature.
    auto tampered = token;
    tampered[tampered.find('.') + 5] = tampered[tampered.find('.') + 5] == 'A' ? 'B' : 'A';
    CHECK(introspect(server, tampered) == k_inactive);
    // Signed by another key: another server's token.
    const TestServer other;
    auto key = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(key.has_value());
    auto foreign = key->sign({{"iss", test::k_issuer},
                              {"exp", 1'700'003'600},
                              {"jti", "x"},
                              {"client_id", "demo-client"},
                              {"scope", "system/*.read"}});
    REQUIRE(foreign.has_value());
    CHECK(introspect(server, *foreign) == k_inactive);
    // alg=none with our claims.
    const auto none = util::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                      token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1) + ".";
    CHECK(introspect(server, none) == k_inactive);
    // Expired: the clock moves past exp.
    CHECK(introspect(server, token)["active"] == true);
    server.clock->store(1'700'003'600);
    CHECK(introspect(server, token) == k_inactive);
  }

  TEST_CASE("only authenticated confidential clients may ask") {
    const TestServer server;
    const auto token = server.token();
    auto response = post(server, "/auth/introspect", {{"token", token}}, "");
    CHECK(response.status == 401);
    CHECK(body_json(response)["error"] == "invalid_client");
    response = post(server, "/auth/introspect", {{"token", token}}, basic("demo-client", "wrong"));
    CHECK(response.status == 401);
    CHECK(response.headers.get("WWW-Authenticate").has_value());
    // A public client cannot authenticate, so it cannot introspect.
    response = post(server, "/auth/introspect", {{"token", token}, {"client_id", "demo-public"}}, "");
    CHECK(response.status == 401);
    CHECK(body_json(response)["error"] == "invalid_client");
    response = post(server, "/auth/introspect", {}, k_demo);
    CHECK(response.status == 400);
    CHECK(body_json(response)["error"] == "invalid_request");
    server::ServerRequest get;
    get.path = "/auth/introspect";
    CHECK(server.send(get).status == 405);
  }
}

TEST_SUITE("server.revocation") {
  TEST_CASE("revoking an access token: introspection and FHIR refuse it") {
    const TestServer server;
    const auto token = server.token();
    CHECK(server.get("/fhir/Patient", {}, token).status == 200);
    CHECK(revoke(server, token) == 200);
    CHECK(introspect(server, token) == k_inactive);
    const auto fhir = server.get("/fhir/Patient", {}, token);
    CHECK(fhir.status == 401);
    CHECK(fhir.headers.get("WWW-Authenticate").value_or("").find("invalid_token") != std::string::npos);
    // Again, and unknown tokens: 200 and nothing else (RFC 7009 §2.2).
    CHECK(revoke(server, token) == 200);
    CHECK(revoke(server, "never-issued") == 200);
    CHECK(revoke(server, "never-issued", k_demo, "refresh_token") == 200);
  }

  TEST_CASE("revoking a refresh token ends its family and its access tokens") {
    const TestServer server;
    const auto tokens = user_tokens(server);
    const auto access = tokens["access_token"].get<std::string>();
    const auto refresh = tokens["refresh_token"].get<std::string>();
    // A rotation first: the family has two access tokens.
    const auto rotated =
      post(server, "/auth/token", {{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
    REQUIRE(rotated.status == 200);
    const auto access2 = body_json(rotated)["access_token"].get<std::string>();
    const auto refresh2 = body_json(rotated)["refresh_token"].get<std::string>();
    CHECK(introspect(server, refresh) == k_inactive); // rotated away
    CHECK(introspect(server, refresh2)["active"] == true);

    CHECK(revoke(server, refresh2, k_demo, "refresh_token") == 200);
    CHECK(introspect(server, refresh2) == k_inactive);
    CHECK(introspect(server, access) == k_inactive);
    CHECK(introspect(server, access2) == k_inactive);
    CHECK(server.get("/fhir/Patient", {}, access2).status == 401);
    const auto again =
      post(server, "/auth/token", {{"grant_type", "refresh_token"}, {"refresh_token", refresh2}});
    CHECK(again.status == 400);
    CHECK(body_json(again)["error"] == "invalid_grant");
  }

  TEST_CASE("a client may revoke only its own tokens (RFC 7009 §2.1)") {
    const TestServer server({other_client()});
    const auto tokens = user_tokens(server);
    const auto other = basic("resource-server", "rs-secret");
    for (const auto* name : {"access_token", "refresh_token"}) {
      const auto token = tokens[name].get<std::string>();
      const auto response = post(server, "/auth/revoke", {{"token", token}}, other);
      CHECK(response.status == 400);
      CHECK(body_json(response)["error"] == "invalid_grant");
      CHECK(introspect(server, token)["active"] == true);
    }
  }

  TEST_CASE("callers: confidential clients authenticate, public ones name themselves") {
    const TestServer server;
    const auto token = server.token();
    CHECK(revoke(server, token, "") == 401);
    CHECK(revoke(server, token, basic("demo-client", "wrong")) == 401);
    CHECK(introspect(server, token)["active"] == true);
    // demo-public may revoke (nothing of its own here: 400 for another's valid token).
    const auto response =
      post(server, "/auth/revoke", {{"token", "unknown"}, {"client_id", "demo-public"}}, "");
    CHECK(response.status == 200);
  }
}

TEST_SUITE("server.session") {
  TEST_CASE("DELETE /Session ends the bearer token and its refresh family") {
    const TestServer server;
    const auto tokens = user_tokens(server);
    const auto access = tokens["access_token"].get<std::string>();
    const auto refresh = tokens["refresh_token"].get<std::string>();
    server::ServerRequest request;
    request.method = "DELETE";
    request.path = "/Session";
    CHECK(server.send(request).status == 401);
    request.headers.add("Authorization", "Bearer garbage");
    CHECK(server.send(request).status == 401);
    request.headers.set("Authorization", "Bearer " + access);
    CHECK(server.send(request).status == 204);
    CHECK(introspect(server, access) == k_inactive);
    CHECK(introspect(server, refresh) == k_inactive);
    CHECK(server.send(request).status == 401);
    const auto again =
      post(server, "/auth/token", {{"grant_type", "refresh_token"}, {"refresh_token", refresh}});
    CHECK(again.status == 400);
  }
}

TEST_SUITE("server.metadata") {
  TEST_CASE("discovery names the introspection and revocation endpoints") {
    const TestServer server;
    for (const auto* path : {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
                             "/.well-known/smart-configuration"}) {
      const auto body = body_json(server.get(path));
      CHECK(body["introspection_endpoint"] == std::string(test::k_issuer) + "/auth/introspect");
      CHECK(body["revocation_endpoint"] == std::string(test::k_issuer) + "/auth/revoke");
      CHECK(body["introspection_endpoint_auth_methods_supported"].is_array());
      CHECK(body["revocation_endpoint_auth_methods_supported"].is_array());
    }
  }
}

TEST_SUITE("server.auth_state") {
  TEST_CASE("refresh revocation checks the client and ends the family's access tokens") {
    const auto store = test::memory_state_store();
    server::AuthState state(*store);
    const auto family = server::AuthState::new_family();
    const auto token = state.issue_refresh({family, "client-a", "user", {"openid"}, 0, 2000});
    state.add_family_token(family, "jti-1", 1500);
    CHECK(state.family_of("jti-1") == family);
    CHECK(state.family_of("jti-unknown").empty());
    REQUIRE(state.active_refresh(token, 1000).has_value());
    CHECK_FALSE(state.active_refresh(token, 2000).has_value()); // expired
    CHECK_FALSE(state.active_refresh("other", 1000).has_value());

    CHECK(state.revoke_refresh(token, "client-b") == server::RefreshRevocation::wrong_client);
    CHECK_FALSE(state.is_revoked("jti-1"));
    CHECK(state.revoke_refresh("other", "client-a") == server::RefreshRevocation::unknown);
    CHECK(state.revoke_refresh(token, "client-a") == server::RefreshRevocation::revoked);
    CHECK(state.is_revoked("jti-1"));
    CHECK_FALSE(state.active_refresh(token, 1000).has_value());
    // An access token issued in a revoked family is born revoked.
    state.add_family_token(family, "jti-2", 1500);
    CHECK(state.is_revoked("jti-2"));
    state.revoke_access("jti-3", 1500);
    CHECK(state.is_revoked("jti-3"));
  }
}
