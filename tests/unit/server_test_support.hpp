// SPDX-License-Identifier: MIT
#pragma once

// Shared by the test_server_*.cpp files: an in-memory server context built without
// sockets, with cheap secret hashes and a clock the test controls.

#include "server/app.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/server/secret_hash.hpp>
#include <oauthctl/server/seed.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <string>

namespace oauthctl::test {

// One RSA key per test binary: generating one costs tens of milliseconds.
inline const std::string& test_key_pem() {
  static const std::string pem = [] {
    auto key = oauth::SigningKey::generate_rsa(2048);
    REQUIRE(key.has_value());
    return key->to_pem();
  }();
  return pem;
}

inline oauth::SigningKey test_key() {
  auto key = oauth::SigningKey::from_pem(test_key_pem());
  REQUIRE(key.has_value());
  return std::move(*key);
}

// A hash as cheap as scrypt allows: test hook only.
inline std::string cheap_hash(std::string_view secret) {
  return server::hash_secret(secret, server::ScryptCost{4, 1, 1});
}

inline constexpr const char* k_issuer = "http://127.0.0.1:8080";

// A context serving the demo seed (cheaply hashed) plus `extra` clients, at time `now`.
struct TestServer {
  std::shared_ptr<std::atomic<std::int64_t>> clock =
    std::make_shared<std::atomic<std::int64_t>>(1'700'000'000);
  std::unique_ptr<server::AppContext> context;

  // `store`: where the live state goes (null: a fresh SQLite store in memory).
  explicit TestServer(std::vector<server::ClientSpec> extra = {},
                      std::shared_ptr<server::state::StateStore> store = nullptr) {
    auto seed = server::demo_seed();
    for (auto& client : extra) {
      seed.clients.push_back(std::move(client));
    }
    std::vector<server::RegisteredClient> clients;
    for (auto& spec : seed.clients) {
      const auto hash = spec.secret ? cheap_hash(*spec.secret) : std::string();
      spec.secret.reset();
      clients.push_back({std::move(spec), hash});
    }
    std::vector<server::RegisteredUser> users;
    for (auto& spec : seed.users) {
      const auto hash = spec.password ? cheap_hash(*spec.password) : std::string();
      spec.password.reset();
      users.push_back({std::move(spec), hash});
    }
    auto shared_clock = clock;
    auto built = server::make_app_context(
      k_issuer, test_key(), std::move(clients), std::move(users),
      [shared_clock] { return shared_clock->load(); }, std::move(store));
    REQUIRE(built.has_value());
    context = std::move(*built);
  }

  server::ServerResponse send(server::ServerRequest request) const {
    return server::handle_request(*context, request);
  }

  server::ServerResponse post_form(const std::string& body, const std::string& authorization = {}) const {
    server::ServerRequest request;
    request.method = "POST";
    request.path = "/auth/token";
    request.headers.add("Content-Type", "application/x-www-form-urlencoded");
    if (!authorization.empty()) {
      request.headers.add("Authorization", authorization);
    }
    request.body = body;
    return send(std::move(request));
  }

  server::ServerResponse get(const std::string& path, const std::string& query = {},
                             const std::string& token = {}) const {
    server::ServerRequest request;
    request.path = path;
    request.query = query;
    if (!token.empty()) {
      request.headers.add("Authorization", "Bearer " + token);
    }
    return send(std::move(request));
  }

  // A client_credentials token for demo-client with `scope` (empty: the default).
  std::string token(const std::string& scope = {}) const {
    std::string body = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";
    if (!scope.empty()) {
      body += "&scope=" + scope;
    }
    const auto response = post_form(body);
    REQUIRE(response.status == 200);
    return nlohmann::json::parse(response.body).at("access_token").get<std::string>();
  }
};

inline nlohmann::json body_json(const server::ServerResponse& response) {
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  REQUIRE_FALSE(parsed.is_discarded());
  return parsed;
}

} // namespace oauthctl::test

namespace oauthctl::test {

// The value of parameter `name` in the query or fragment of `location`, or "".
inline std::string location_param(const std::string& location, const std::string& name) {
  const auto start = location.find_first_of("?#");
  if (start == std::string::npos) {
    return {};
  }
  const auto fields = util::form_decode(std::string_view(location).substr(start + 1));
  REQUIRE(fields.has_value());
  return util::form_get(*fields, name).value_or("");
}

// The value of hidden field `name` in an HTML page, or "".
inline std::string hidden_value(const std::string& html, const std::string& name) {
  const auto marker = "name=\"" + name + "\" value=\"";
  const auto at = html.find(marker);
  if (at == std::string::npos) {
    return {};
  }
  const auto start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

// A browser against a TestServer: keeps the session cookie and follows the login UI.
struct Browser {
  const TestServer& server;
  std::string cookie; // "oauthctl_session=..." or empty

  server::ServerResponse request(const std::string& method, const std::string& path, const std::string& query,
                                 const std::string& body = {}) {
    server::ServerRequest request;
    request.method = method;
    request.path = path;
    request.query = query;
    if (!cookie.empty()) {
      request.headers.add("Cookie", "other=1; " + cookie);
    }
    if (method == "POST") {
      request.headers.add("Content-Type", "application/x-www-form-urlencoded");
      request.body = body;
    }
    auto response = server.send(std::move(request));
    if (const auto set = response.headers.get("Set-Cookie")) {
      cookie = set->substr(0, set->find(';'));
    }
    return response;
  }

  server::ServerResponse get(const std::string& path, const std::string& query = {}) {
    return request("GET", path, query);
  }

  server::ServerResponse post(const std::string& path, const util::FormFields& fields) {
    return request("POST", path, {}, util::form_encode(fields));
  }
};

} // namespace oauthctl::test
