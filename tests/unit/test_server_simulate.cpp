// SPDX-License-Identifier: MIT
#include "server/simulate/fault_injector.hpp"
#include "server_test_support.hpp"

#include <oauthctl/oauth/check.hpp>
#include <oauthctl/server/simulate.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace oauthctl;
using test::body_json;
using test::TestServer;

namespace {

std::unique_ptr<server::FaultInjector>
injector(std::string_view global, std::map<std::string, std::vector<server::Fault>> per_client = {}) {
  auto faults = server::parse_faults(global);
  REQUIRE(faults.has_value());
  auto made = server::FaultInjector::create(std::move(*faults), std::move(per_client));
  REQUIRE(made.has_value());
  return std::move(*made);
}

server::ServerRequest token_request(const std::string& body) {
  server::ServerRequest request;
  request.method = "POST";
  request.path = "/auth/token";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  request.body = body;
  return request;
}

} // namespace

TEST_CASE("server.simulate: fault lists parse, arguments in their unit, hostile input refused") {
  auto faults = server::parse_faults("no_state,,slow:2s,slow:250ms,http:429,clock_skew:-300s,clock_skew:+60");
  REQUIRE(faults.has_value());
  CHECK(*faults == std::vector<server::Fault>{{"no_state", 0},
                                              {"slow", 2000},
                                              {"slow", 250},
                                              {"http", 429},
                                              {"clock_skew", -300},
                                              {"clock_skew", 60}});
  CHECK(server::parse_faults("").value().empty());
  for (const char* bad : {"bogus", "no_state:1", "slow", "slow:", "slow:-1s", "slow:1h", "slow:99999999999s",
                          "http:200", "http:600", "http:4x9", "http:", "clock_skew:soon", "clock_skew:1e3",
                          "NO_STATE", "no_state ", ":", "slow:2s:3s"}) {
    INFO(bad);
    const auto parsed = server::parse_faults(bad);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().kind == util::ErrorKind::usage);
  }
  CHECK_FALSE(server::parse_faults("clock_skew:5s", true).has_value());
  CHECK(server::parse_faults("slow:5s", true).has_value());
}

TEST_CASE("server.simulate: every row names checks that exist and a unique name") {
  std::set<std::string_view> names;
  for (const auto& fault : server::fault_table()) {
    INFO(fault.name);
    CHECK(names.insert(fault.name).second);
    CHECK_FALSE(fault.description.empty());
    CHECK(fault.argument.empty() == fault.example.empty());
    CHECK((fault.caught_by.empty() ? !fault.cascades : true));
    for (std::string_view rest = fault.caught_by; !rest.empty();) {
      const auto id = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), id.size() + 1));
      INFO(id);
      CHECK(oauth::check::find_check(id) != nullptr);
    }
  }
  CHECK(names.size() >= 35);
}

TEST_CASE("server.simulate: code_reusable answers a second redemption like the first") {
  TestServer server;
  auto faults = injector("code_reusable");
  int calls = 0;
  const auto next = [&](const server::ServerRequest&) {
    ++calls;
    return server::json_response(200, {{"access_token", "a"}, {"token_type", "Bearer"}});
  };
  const auto request = token_request("grant_type=authorization_code&code=c1&redirect_uri=x");
  const auto first = faults->handle(*server.context, request, next);
  const auto second = faults->handle(*server.context, request, next);
  CHECK(first.status == 200);
  CHECK(second.status == 200);
  CHECK(second.body == first.body);
  CHECK(calls == 1);
  const auto other =
    faults->handle(*server.context, token_request("grant_type=authorization_code&code=c2"), next);
  CHECK(calls == 2);
}

TEST_CASE("server.simulate: pkce_not_checked binds codes to its own verifier and presents it") {
  TestServer server;
  auto faults = injector("pkce_not_checked");
  std::string seen;
  const auto next = [&](const server::ServerRequest& request) {
    seen = request.path == "/auth/token" ? request.body : request.query;
    return server::json_response(200, nlohmann::json::object());
  };
  server::ServerRequest authorize;
  authorize.path = "/auth/authorize";
  authorize.query = "response_type=code&client_id=demo-public&code_challenge=abc&code_challenge_method=S256";
  faults->handle(*server.context, authorize, next);
  CHECK(seen.find("code_challenge=abc") == std::string::npos);
  CHECK(seen.find("code_challenge_method=S256") != std::string::npos);
  faults->handle(*server.context, token_request("grant_type=authorization_code&code=c&code_verifier=wrong"),
                 next);
  CHECK(seen.find("code_verifier=wrong") == std::string::npos);
  CHECK(seen.find("code_verifier=oauthctl-simulate") != std::string::npos);
}

TEST_CASE("server.simulate: refresh_not_rotated keeps the client's token and uses the server's newest") {
  TestServer server;
  auto faults = injector("refresh_not_rotated");
  int issued = 0;
  std::string presented;
  const auto next = [&](const server::ServerRequest& request) {
    presented = util::form_get(util::form_decode(request.body).value(), "refresh_token").value_or("");
    return server::json_response(
      200,
      {{"access_token", "a"}, {"token_type", "Bearer"}, {"refresh_token", "r" + std::to_string(++issued)}});
  };
  const auto first =
    faults->handle(*server.context, token_request("grant_type=refresh_token&refresh_token=r0"), next);
  CHECK(presented == "r0");
  CHECK(body_json(first)["refresh_token"] == "r0");
  const auto second =
    faults->handle(*server.context, token_request("grant_type=refresh_token&refresh_token=r0"), next);
  CHECK(presented == "r1");
  CHECK(body_json(second)["refresh_token"] == "r0");
}

TEST_CASE("server.simulate: per-client faults touch only that client's requests") {
  TestServer server;
  std::map<std::string, std::vector<server::Fault>> per_client{
    {"demo-client", server::parse_faults("token_invalid_scope").value()}};
  auto faults = injector("", std::move(per_client));
  const auto next = [&](const server::ServerRequest& request) { return server.send(request); };
  const auto refused = faults->handle(
    *server.context,
    token_request("grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"), next);
  CHECK(refused.status == 400);
  CHECK(body_json(refused)["error"] == "invalid_scope");
  const auto other = faults->handle(
    *server.context, token_request("grant_type=client_credentials&client_id=demo-public"), next);
  CHECK(body_json(other)["error"] != "invalid_scope");
}

TEST_CASE("server.simulate: http:429 answers with Retry-After, malformed_json cuts the answer") {
  TestServer server;
  const auto next = [&](const server::ServerRequest& request) { return server.send(request); };
  const auto body = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";
  const auto busy = injector("http:429")->handle(*server.context, token_request(body), next);
  CHECK(busy.status == 429);
  CHECK(busy.headers.get("Retry-After") == "1");
  CHECK(body_json(busy)["error"] == "temporarily_unavailable");
  const auto cut = injector("malformed_json")->handle(*server.context, token_request(body), next);
  CHECK(cut.status == 200);
  CHECK(nlohmann::json::parse(cut.body, nullptr, false).is_discarded());
}

TEST_CASE("server.simulate: a client's id_token_no_kid puts the second key in the one JWKS") {
  TestServer server;
  const auto next = [&](const server::ServerRequest& request) { return server.send(request); };
  server::ServerRequest jwks;
  jwks.path = "/.well-known/jwks.json";
  const auto plain = injector("")->handle(*server.context, jwks, next);
  CHECK(body_json(plain)["keys"].size() == 1);
  std::map<std::string, std::vector<server::Fault>> per_client{
    {"demo-client", server::parse_faults("id_token_no_kid").value()}};
  const auto two = injector("", std::move(per_client))->handle(*server.context, jwks, next);
  CHECK(body_json(two)["keys"].size() == 2);
}
