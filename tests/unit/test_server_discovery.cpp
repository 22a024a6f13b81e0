// SPDX-License-Identifier: MIT
// The discovery documents list exactly what the server serves: each listed grant is
// answered by the token endpoint, each unlisted one is unsupported_grant_type, and the
// SMART capabilities follow the accepted client authentication methods.
#include "server/endpoints/client_authentication.hpp"
#include "server/endpoints/metadata.hpp"
#include "server/endpoints/token_endpoint.hpp"
#include "server_test_support.hpp"

#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

#include <algorithm>

using namespace oauthctl;
using test::TestServer;

namespace {

bool listed(const nlohmann::json& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string error_of(const server::ServerResponse& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"].get<std::string>() : "";
}

// Every grant_type value anyone might send: the RFC values and the CLI names.
constexpr const char* k_all_grants[] = {
  "authorization_code",
  "implicit",
  "refresh_token",
  "client_credentials",
  "password",
  "token_exchange",
  "device_code",
  "jwt_bearer",
  "urn:ietf:params:oauth:grant-type:token-exchange",
  "urn:ietf:params:oauth:grant-type:device_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "urn:ietf:params:oauth:grant-type:saml2-bearer",
  "urn:openid:params:grant-type:ciba",
};

} // namespace

TEST_SUITE("server discovery") {
  TEST_CASE("grant_types_supported is what the token endpoint serves") {
    const TestServer server;
    const auto document = nlohmann::json::parse(server.get("/.well-known/oauth-authorization-server").body);
    const auto& grants = document["grant_types_supported"];
    CHECK(grants == nlohmann::json(server::served_grant_types()));
    CHECK(listed(grants, "authorization_code"));
    CHECK(listed(grants, "client_credentials"));
    CHECK(listed(grants, "refresh_token"));
    // implicit is the authorize endpoint's response_type=token, never a token request.
    CHECK(listed(grants, "implicit") == listed(document["response_types_supported"], "token"));
    for (const char* grant : k_all_grants) {
      CAPTURE(grant);
      const auto response = server.post_form(std::string("grant_type=") + util::percent_encode(grant) +
                                             "&client_id=demo-client&client_secret=demo-secret");
      if (listed(grants, grant) && std::string_view(grant) != "implicit") {
        CHECK(error_of(response) != "unsupported_grant_type");
      } else {
        CHECK(response.status == 400);
        CHECK(error_of(response) == "unsupported_grant_type");
      }
    }
  }

  TEST_CASE("the three documents agree and every endpoint in them answers") {
    const TestServer server;
    const auto oauth = nlohmann::json::parse(server.get("/.well-known/oauth-authorization-server").body);
    const auto openid = nlohmann::json::parse(server.get("/.well-known/openid-configuration").body);
    const auto smart = nlohmann::json::parse(server.get("/.well-known/smart-configuration").body);
    for (const auto* document : {&openid, &smart}) {
      CHECK((*document)["grant_types_supported"] == oauth["grant_types_supported"]);
      CHECK((*document)["token_endpoint_auth_methods_supported"] ==
            oauth["token_endpoint_auth_methods_supported"]);
    }
    CHECK(oauth["token_endpoint_auth_methods_supported"] ==
          nlohmann::json(server::token_endpoint_auth_methods(false)));
    for (const auto* document : {&oauth, &openid, &smart}) {
      for (const auto& [name, value] : document->items()) {
        if (!value.is_string() || name == "issuer" ||
            (!name.ends_with("_endpoint") && !name.ends_with("_uri"))) {
          continue;
        }
        const auto url = value.get<std::string>();
        const std::string member = name; // CAPTURE is a lambda: clang 14 cannot capture a binding
        CAPTURE(member);
        CAPTURE(url);
        REQUIRE(url.rfind(test::k_issuer, 0) == 0);
        for (const char* method : {"GET", "POST"}) {
          server::ServerRequest request;
          request.method = method;
          request.path = url.substr(std::string_view(test::k_issuer).size());
          CHECK(server.send(request).status != 404);
        }
      }
    }
  }

  TEST_CASE("mtls_endpoint_aliases only when mutual TLS has a port of its own (RFC 8705 section 5)") {
    const std::string issuer = "https://127.0.0.1:8443";
    for (const auto& document : {server::authorization_server_metadata(issuer),
                                 server::openid_configuration(issuer), server::smart_configuration(issuer),
                                 server::authorization_server_metadata("http://127.0.0.1:8080")}) {
      CHECK_FALSE(document.contains("mtls_endpoint_aliases"));
    }
    const auto mtls_origin = server::origin_with_port(issuer, 8444);
    CHECK(mtls_origin == "https://127.0.0.1:8444");
    for (const auto& document : {server::authorization_server_metadata(issuer, mtls_origin),
                                 server::openid_configuration(issuer, mtls_origin),
                                 server::smart_configuration(issuer, mtls_origin)}) {
      REQUIRE(document.contains("mtls_endpoint_aliases"));
      const auto& aliases = document["mtls_endpoint_aliases"];
      CHECK(aliases["token_endpoint"] == "https://127.0.0.1:8444/auth/token");
      CHECK(aliases["introspection_endpoint"] == "https://127.0.0.1:8444/auth/introspect");
      CHECK(aliases["revocation_endpoint"] == "https://127.0.0.1:8444/auth/revoke");
      CHECK(aliases["device_authorization_endpoint"] == "https://127.0.0.1:8444/auth/device");
      CHECK(aliases["userinfo_endpoint"] == "https://127.0.0.1:8444/auth/userinfo");
      // The plain endpoints stay where they were.
      CHECK(document["token_endpoint"] == issuer + "/auth/token");
    }
    // Without TLS there is no mutual TLS to alias.
    CHECK_FALSE(
      server::authorization_server_metadata("http://h:1", "https://h:2").contains("mtls_endpoint_aliases"));
    // An issuer with a path keeps it; IPv6 literals keep their brackets.
    CHECK(server::authorization_server_metadata("https://h:1/realm",
                                                "https://h:2")["mtls_endpoint_aliases"]["token_endpoint"] ==
          "https://h:2/realm/auth/token");
    CHECK(server::origin_with_port("https://[::1]:8443/x", 9) == "https://[::1]:9");
    CHECK(server::origin_with_port("https://[::1]/x", 9) == "https://[::1]:9");
    CHECK(server::origin_with_port("https://auth.example.org", 9) == "https://auth.example.org:9");
  }

  TEST_CASE("SMART capabilities name only what works") {
    const TestServer server;
    const auto smart = nlohmann::json::parse(server.get("/.well-known/smart-configuration").body);
    const auto& capabilities = smart["capabilities"];
    const auto& methods = smart["token_endpoint_auth_methods_supported"];
    // SMART App Launch 2.x: these members are required (issuer and jwks_uri with sso-openid-connect).
    for (const char* member : {"issuer", "jwks_uri", "authorization_endpoint", "token_endpoint",
                               "grant_types_supported", "capabilities", "code_challenge_methods_supported"}) {
      CAPTURE(member);
      CHECK(smart.contains(member));
    }
    CHECK(smart["code_challenge_methods_supported"] == nlohmann::json::array({"S256"}));
    CHECK(listed(capabilities, "client-public") == listed(methods, "none"));
    CHECK(listed(capabilities, "client-confidential-symmetric") == listed(methods, "client_secret_basic"));
    CHECK(listed(capabilities, "client-confidential-asymmetric") == listed(methods, "private_key_jwt"));
    CHECK(listed(capabilities, "permission-offline") ==
          listed(smart["grant_types_supported"], "refresh_token"));
    // No EHR launch, and the authorize endpoint takes GET only.
    CHECK_FALSE(listed(capabilities, "launch-ehr"));
    CHECK_FALSE(listed(capabilities, "context-ehr-patient"));
    CHECK_FALSE(listed(capabilities, "authorize-post"));
    server::ServerRequest post;
    post.method = "POST";
    post.path = "/auth/authorize";
    CHECK(server.send(post).status == 405);
    for (const char* capability : {"launch-standalone", "sso-openid-connect", "permission-v1",
                                   "permission-v2", "context-standalone-patient"}) {
      CAPTURE(capability);
      CHECK(listed(capabilities, capability));
    }
  }
}
