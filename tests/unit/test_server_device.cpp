// SPDX-License-Identifier: MIT
#include "server/auth/device_grants.hpp"
#include "server_test_support.hpp"
#include "state_test_store.hpp"

#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace oauthctl;
using test::body_json;
using test::Browser;
using test::hidden_value;
using test::TestServer;

namespace {

const std::string k_demo_basic = "Basic " + util::base64_encode("demo-client:demo-secret");
const std::string k_device_grant = "urn:ietf:params:oauth:grant-type:device_code";

server::ServerResponse device_request(const TestServer& server, const std::string& body,
                                      const std::string& authorization = {}) {
  server::ServerRequest request;
  request.method = "POST";
  request.path = "/auth/device";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  if (!authorization.empty()) {
    request.headers.add("Authorization", authorization);
  }
  request.body = body;
  return server.send(std::move(request));
}

// A device authorization for demo-client with `scope`: the JSON answer.
nlohmann::json start_device(const TestServer& server, const std::string& scope = "openid patient/*.rs") {
  const auto response = device_request(server, "scope=" + util::percent_encode(scope), k_demo_basic);
  CAPTURE(response.body);
  REQUIRE(response.status == 200);
  CHECK(response.headers.get("Cache-Control") == "no-store");
  return body_json(response);
}

server::ServerResponse poll(const TestServer& server, const std::string& device_code,
                            const std::string& authorization = k_demo_basic, const std::string& extra = {}) {
  return server.post_form("grant_type=" + util::percent_encode(k_device_grant) +
                            "&device_code=" + util::percent_encode(device_code) + extra,
                          authorization);
}

std::string error_of(const server::ServerResponse& response) {
  const auto body = body_json(response);
  return body.value("error", "");
}

// Signs in as demo on the verification page; returns the code entry page.
server::ServerResponse sign_in(Browser& browser, const std::string& query = {}) {
  const auto page = browser.get("/auth/device/verify", query);
  REQUIRE(page.status == 200);
  REQUIRE(page.body.find("id=\"username\"") != std::string::npos);
  const auto entered =
    browser.post("/auth/device/verify", {{"step", "login"},
                                         {"csrf_token", hidden_value(page.body, "csrf_token")},
                                         {"user_code", hidden_value(page.body, "user_code")},
                                         {"username", "demo"},
                                         {"password", "demo"}});
  REQUIRE(entered.status == 200);
  REQUIRE(entered.body.find("id=\"user_code\"") != std::string::npos);
  return entered;
}

server::ServerResponse enter_code(Browser& browser, const server::ServerResponse& page,
                                  const std::string& code) {
  return browser.post(
    "/auth/device/verify",
    {{"step", "code"}, {"csrf_token", hidden_value(page.body, "csrf_token")}, {"user_code", code}});
}

server::ServerResponse decide(Browser& browser, const server::ServerResponse& confirm,
                              const std::string& decision) {
  return browser.post("/auth/device/verify", {{"step", "decide"},
                                              {"csrf_token", hidden_value(confirm.body, "csrf_token")},
                                              {"user_code", hidden_value(confirm.body, "user_code")},
                                              {"decision", decision}});
}

} // namespace

TEST_SUITE("server.device") {
  TEST_CASE("user codes: RFC 8628 §6.1 alphabet, XXXX-XXXX, case and dashes ignored") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
      const auto code = server::make_user_code();
      REQUIRE(code.size() == 9);
      CHECK(code[4] == '-');
      for (std::size_t j = 0; j < code.size(); ++j) {
        if (j != 4) {
          CHECK(server::k_user_code_alphabet.find(code[j]) != std::string_view::npos);
        }
      }
      seen.insert(code);
      CHECK(server::normalise_user_code(code) == code.substr(0, 4) + code.substr(5));
    }
    CHECK(seen.size() > 190);
    CHECK(server::normalise_user_code("bcdf-ghjk") == "BCDFGHJK");
    CHECK(server::normalise_user_code(" BCDFGHJK ") == "BCDFGHJK");
    CHECK(server::normalise_user_code("bc-df-gh-jk") == "BCDFGHJK");
    CHECK_FALSE(server::normalise_user_code("BCDF-GHJ"));   // too short
    CHECK_FALSE(server::normalise_user_code("BCDF-GHJKL")); // too long
    CHECK_FALSE(server::normalise_user_code("BCDF-GHJA"));  // a vowel
    CHECK_FALSE(server::normalise_user_code("BCDF-GHJ1"));  // a digit
    CHECK_FALSE(server::normalise_user_code(""));
    CHECK(server::format_user_code("BCDFGHJK") == "BCDF-GHJK");
  }

  TEST_CASE("poll schedule: pending, slow_down grows the interval by 5 s, expiry, single use") {
    const auto store = test::memory_state_store();
    server::DeviceGrants grants(*store, 10, 5, 600);
    constexpr std::int64_t t0 = 1'000'000;
    auto issued = grants.start({"app", {"openid"}, 0}, t0);
    REQUIRE(issued);
    server::DeviceApproval out;
    CHECK(grants.poll(issued->device_code, "app", t0 + 5, out) == server::DevicePoll::pending);
    CHECK(grants.poll(issued->device_code, "app", t0 + 9, out) == server::DevicePoll::slow_down);
    // The interval is 10 s now, counted from the last poll.
    CHECK(grants.poll(issued->device_code, "app", t0 + 18, out) == server::DevicePoll::slow_down);
    CHECK(grants.poll(issued->device_code, "app", t0 + 33, out) == server::DevicePoll::pending);
    CHECK(grants.poll(issued->device_code, "app", t0 + 48, out) == server::DevicePoll::pending);
    CHECK(grants.poll(issued->device_code, "other", t0 + 100, out) == server::DevicePoll::unknown);
    CHECK(grants.poll("made-up", "app", t0 + 100, out) == server::DevicePoll::unknown);
    const auto code = *server::normalise_user_code(issued->user_code);
    REQUIRE(grants.find_pending(code, t0 + 100));
    CHECK(grants.find_pending(code, t0 + 100)->client_id == "app");
    REQUIRE(grants.decide(code, true, "demo", t0 + 90, t0 + 100));
    CHECK_FALSE(grants.decide(code, false, "demo", t0 + 90, t0 + 100)); // one decision per code
    CHECK_FALSE(grants.find_pending(code, t0 + 100));
    REQUIRE(grants.poll(issued->device_code, "app", t0 + 101, out) == server::DevicePoll::approved);
    CHECK(out.user_id == "demo");
    CHECK(out.scopes == std::vector<std::string>{"openid"});
    CHECK(out.auth_time == t0 + 90);
    CHECK(grants.poll(issued->device_code, "app", t0 + 120, out) == server::DevicePoll::unknown);

    auto late = grants.start({"app", {}, 0}, t0);
    REQUIRE(late);
    CHECK(grants.poll(late->device_code, "app", t0 + 600, out) == server::DevicePoll::expired);
    CHECK_FALSE(grants.decide(*server::normalise_user_code(late->user_code), true, "demo", t0, t0 + 600));

    auto denied = grants.start({"app", {}, 0}, t0);
    REQUIRE(denied);
    REQUIRE(grants.decide(*server::normalise_user_code(denied->user_code), false, "demo", t0, t0 + 1));
    CHECK(grants.poll(denied->device_code, "app", t0 + 2, out) == server::DevicePoll::denied);
    CHECK(grants.poll(denied->device_code, "app", t0 + 3, out) == server::DevicePoll::denied);
  }

  TEST_CASE("capacity is bounded, expired grants make room") {
    const auto store = test::memory_state_store();
    server::DeviceGrants grants(*store, 2, 5, 60);
    CHECK(grants.start({"app", {}, 0}, 100));
    CHECK(grants.start({"app", {}, 0}, 100));
    CHECK_FALSE(grants.start({"app", {}, 0}, 120));
    CHECK(grants.start({"app", {}, 0}, 160));
  }

  TEST_CASE("one client cannot take the whole capacity (per-client quota)") {
    const auto store = test::memory_state_store();
    server::DeviceGrants grants(*store, 10, 5, 60, 2);
    CHECK(grants.start({"greedy", {}, 0}, 100));
    CHECK(grants.start({"greedy", {}, 0}, 100));
    CHECK_FALSE(grants.start({"greedy", {}, 0}, 100));
    CHECK(grants.start({"polite", {}, 0}, 100));
  }

  TEST_CASE("device grants live in the store: another instance (process) sees them") {
    const auto store = test::memory_state_store();
    server::DeviceGrants a(*store, 10, 5, 600);
    server::DeviceGrants b(*store, 10, 5, 600);
    auto issued = a.start({"app", {"openid"}, 0}, 1000);
    REQUIRE(issued);
    const auto code = *server::normalise_user_code(issued->user_code);
    REQUIRE(b.find_pending(code, 1001));
    REQUIRE(b.decide(code, true, "demo", 1001, 1001));
    server::DeviceApproval out;
    CHECK(a.poll(issued->device_code, "app", 1002, out) == server::DevicePoll::approved);
    CHECK(b.poll(issued->device_code, "app", 1010, out) == server::DevicePoll::unknown);
  }

  TEST_CASE("wrong user codes are rate-limited per user") {
    const auto store = test::memory_state_store();
    server::DeviceGrants grants(*store, 10, 5, 600);
    for (int i = 0; i < 5; ++i) {
      CHECK(grants.entry_wait("demo", 100) == 0);
      grants.record_entry("demo", true, 100);
    }
    CHECK(grants.entry_wait("demo", 100) == 15);
    CHECK(grants.entry_wait("other", 100) == 0);
    CHECK(grants.entry_wait("demo", 115) == 0);
    grants.record_entry("demo", true, 115);
    CHECK(grants.entry_wait("demo", 115) == 30);
    grants.record_entry("demo", false, 200);
    CHECK(grants.entry_wait("demo", 200) == 0);
  }

  TEST_CASE("device authorization endpoint: answer, client authentication, grant and scope checks") {
    const TestServer server({[] {
      server::ClientSpec spec;
      spec.id = "no-device";
      spec.secret = "s3cret";
      spec.grant_types = {"client_credentials"};
      return spec;
    }()});
    const auto body = start_device(server);
    CHECK(body["device_code"].get<std::string>().size() >= 43);
    const auto user_code = body["user_code"].get<std::string>();
    CHECK(server::normalise_user_code(user_code));
    CHECK(body["verification_uri"] == std::string(test::k_issuer) + "/auth/device/verify");
    CHECK(body["verification_uri_complete"] ==
          std::string(test::k_issuer) + "/auth/device/verify?user_code=" + user_code);
    CHECK(body["expires_in"] == 600);
    CHECK(body["interval"] == 5);

    // A public client sends client_id alone.
    CHECK(device_request(server, "client_id=demo-public&scope=openid").status == 200);
    // A confidential client must authenticate.
    auto response = device_request(server, "client_id=demo-client");
    CHECK(response.status == 401);
    CHECK(error_of(response) == "invalid_client");
    response = device_request(server, "", "Basic " + util::base64_encode("demo-client:wrong"));
    CHECK(response.status == 401);
    CHECK(response.headers.get("WWW-Authenticate"));
    CHECK(device_request(server, "").status == 401);
    response = device_request(server, "client_id=no-device&client_secret=s3cret");
    CHECK(response.status == 400);
    CHECK(error_of(response) == "unauthorized_client");
    response = device_request(server, "scope=system/*.read", k_demo_basic);
    CHECK(error_of(response) == "invalid_scope");
    response = device_request(server, "client_id=demo-public&scope=user/*.cruds");
    CHECK(error_of(response) == "invalid_scope");
    // Discovery names the endpoint and the grant.
    const auto metadata = body_json(server.get("/.well-known/openid-configuration"));
    CHECK(metadata["device_authorization_endpoint"] == std::string(test::k_issuer) + "/auth/device");
    const auto& grants = metadata["grant_types_supported"];
    CHECK(std::find(grants.begin(), grants.end(), k_device_grant) != grants.end());
    // Only POST.
    CHECK(server.get("/auth/device").status == 405);
  }

  TEST_CASE("the whole grant: pending, slow_down, approval on the page, tokens once") {
    const TestServer server;
    const auto body = start_device(server, "openid profile patient/*.rs offline_access");
    const auto device_code = body["device_code"].get<std::string>();
    const auto user_code = body["user_code"].get<std::string>();

    auto response = poll(server, device_code);
    CHECK(response.status == 400);
    CHECK(error_of(response) == "authorization_pending");
    CHECK(error_of(poll(server, device_code)) == "slow_down");
    *server.clock += 10;
    CHECK(error_of(poll(server, device_code)) == "authorization_pending");
    // Another client's device code, a made-up one.
    CHECK(error_of(poll(server, device_code, {}, "&client_id=demo-public")) == "invalid_grant");
    CHECK(error_of(poll(server, "made-up")) == "invalid_grant");
    CHECK(error_of(poll(server, "")) == "invalid_request");

    Browser browser{server, {}};
    // verification_uri_complete pre-fills the code through the sign-in.
    const auto code_page = sign_in(browser, "user_code=" + util::percent_encode(user_code));
    CHECK(hidden_value(code_page.body, "csrf_token").size() > 20);
    CHECK(code_page.body.find("value=\"" + user_code + "\"") != std::string::npos);
    // Lower case without the dash is the same code.
    std::string typed = user_code.substr(0, 4) + user_code.substr(5);
    for (auto& c : typed) {
      c = static_cast<char>(c - 'A' + 'a');
    }
    const auto confirm = enter_code(browser, code_page, typed);
    CAPTURE(confirm.body);
    REQUIRE(confirm.status == 200);
    CHECK(confirm.body.find("id=\"client\">demo-client<") != std::string::npos);
    CHECK(confirm.body.find("<code>patient/*.rs</code>") != std::string::npos);
    CHECK(confirm.body.find(user_code) != std::string::npos);
    CHECK(confirm.headers.get("Content-Security-Policy").value_or("").find("frame-ancestors 'none'") !=
          std::string::npos);
    // Still pending until the user decides.
    *server.clock += 10;
    CHECK(error_of(poll(server, device_code)) == "authorization_pending");
    const auto done = decide(browser, confirm, "allow");
    CHECK(done.status == 200);
    CHECK(done.body.find("id=\"done\"") != std::string::npos);

    *server.clock += 10;
    response = poll(server, device_code);
    CAPTURE(response.body);
    REQUIRE(response.status == 200);
    const auto tokens = body_json(response);
    CHECK(tokens["token_type"] == "Bearer");
    CHECK(tokens.contains("id_token"));
    CHECK(tokens.contains("refresh_token"));
    CHECK(tokens["scope"] == "openid profile patient/*.rs offline_access");
    const auto claims = oauth::decode_jwt(tokens["access_token"].get<std::string>());
    REQUIRE(claims);
    CHECK(claims->claims["sub"] == "demo");
    CHECK(claims->claims["client_id"] == "demo-client");
    CHECK(server.get("/fhir/Patient", {}, tokens["access_token"].get<std::string>()).status == 200);
    // Single use.
    *server.clock += 10;
    CHECK(error_of(poll(server, device_code)) == "invalid_grant");
    // The code cannot be entered again.
    const auto again = enter_code(browser, code_page, user_code);
    CHECK(again.status == 400);
  }

  TEST_CASE("step=decide counts wrong codes too: guessing cannot skip the throttle") {
    const TestServer server;
    Browser browser{server, {}};
    const auto code_page = sign_in(browser);
    const auto body = start_device(server);
    const auto guess = [&](const std::string& code) {
      return browser.post("/auth/device/verify", {{"step", "decide"},
                                                  {"csrf_token", hidden_value(code_page.body, "csrf_token")},
                                                  {"user_code", code},
                                                  {"decision", "deny"}});
    };
    for (int i = 0; i < 5; ++i) {
      CHECK(guess("BCDF-GHJK").status == 400);
    }
    // The sixth try waits, even with the right code, and decides nothing.
    const auto refused = guess(body.at("user_code").get<std::string>());
    CHECK(refused.status == 429);
    CHECK(refused.headers.get("Retry-After") == "15");
    CHECK(error_of(poll(server, body.at("device_code").get<std::string>())) == "authorization_pending");
    // The code entry step shares the count.
    CHECK(enter_code(browser, code_page, body.at("user_code").get<std::string>()).status == 429);
  }

  TEST_CASE("denied, expired, wrong codes, CSRF and a missing sign-in on the page") {
    const TestServer server;
    Browser browser{server, {}};
    const auto code_page = sign_in(browser);
    const auto field = [](const nlohmann::json& body, const char* name) {
      return body.at(name).get<std::string>();
    };
    {
      const auto body = start_device(server);
      const auto confirm = enter_code(browser, code_page, field(body, "user_code"));
      REQUIRE(confirm.status == 200);
      CHECK(decide(browser, confirm, "deny").status == 200);
      CHECK(error_of(poll(server, field(body, "device_code"))) == "access_denied");
    }
    {
      const auto body = start_device(server);
      *server.clock += 600;
      CHECK(error_of(poll(server, field(body, "device_code"))) == "expired_token");
      CHECK(enter_code(browser, code_page, field(body, "user_code")).status == 400);
    }
    // CSRF: a post without the session's token is refused.
    const auto user_code = field(start_device(server), "user_code");
    const auto forged = browser.post("/auth/device/verify",
                                     {{"step", "code"}, {"csrf_token", "forged"}, {"user_code", user_code}});
    CHECK(forged.status == 403);
    // Without a sign-in the code page is not reachable.
    Browser stranger{server, {}};
    const auto login = stranger.get("/auth/device/verify");
    const auto refused = stranger.post(
      "/auth/device/verify",
      {{"step", "code"}, {"csrf_token", hidden_value(login.body, "csrf_token")}, {"user_code", user_code}});
    CHECK(refused.status == 401);
    CHECK(refused.body.find("id=\"username\"") != std::string::npos);
    // A wrong password is refused like on /auth/login.
    const auto wrong =
      stranger.post("/auth/device/verify", {{"step", "login"},
                                            {"csrf_token", hidden_value(login.body, "csrf_token")},
                                            {"username", "demo"},
                                            {"password", "nope"}});
    CHECK(wrong.status == 401);
    // Wrong codes: five free (the expired one above was the first), then 429 with
    // Retry-After, even for the right code.
    *server.clock += 1;
    server::ServerResponse last;
    for (int i = 0; i < 4; ++i) {
      last = enter_code(browser, code_page, "BCDF-GHJK");
      CHECK(last.status == 400);
      CHECK(last.body.find("id=\"error\"") != std::string::npos);
    }
    last = enter_code(browser, code_page, user_code);
    CHECK(last.status == 429);
    CHECK(last.headers.get("Retry-After") == "15");
    *server.clock += 15;
    CHECK(enter_code(browser, code_page, user_code).status == 200);
  }
}
