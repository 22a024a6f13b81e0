// SPDX-License-Identifier: MIT
#include "failing_state_store.hpp"
#include "server/event_loop_guard.hpp"
#include "server_test_support.hpp"
#include "state_test_store.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace oauthctl;
using test::body_json;
using test::TestServer;

TEST_SUITE("server.state_outage") {
  TEST_CASE("a lost state store: 503 temporarily_unavailable with Retry-After, then service again") {
    const auto failing = std::make_shared<server::state::FailingStateStore>(test::memory_state_store());
    const TestServer server({}, failing);
    const std::string password_grant =
      "grant_type=password&client_id=demo-client&client_secret=demo-secret&username=demo&password=demo";
    REQUIRE(server.post_form(password_grant).status == 200);

    failing->down = true;
    for (const auto* body : {password_grant.c_str(),
                             "grant_type=refresh_token&client_id=demo-client"
                             "&client_secret=demo-secret&refresh_token=abc",
                             "grant_type=authorization_code&client_id=demo-client&client_secret=demo-secret"
                             "&code=abc&redirect_uri=http://127.0.0.1/cb"}) {
      CAPTURE(body);
      const auto response = server.post_form(body);
      CHECK(response.status == 503);
      CHECK(body_json(response)["error"] == "temporarily_unavailable");
      CHECK(response.headers.get("Retry-After").value_or("") == std::to_string(server::k_state_retry_after));
    }
    // The authorization endpoint needs a session: the same answer, no page without state.
    const auto authorize = server.get(
      "/auth/authorize", "response_type=code&client_id=demo-public&redirect_uri=http://127.0.0.1/callback"
                         "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                         "&code_challenge_method=S256&state=s");
    CAPTURE(authorize.body);
    CHECK(authorize.status == 503);

    failing->down = false; // the database is back: served again, no restart
    const auto again = server.post_form(password_grant);
    CHECK(again.status == 200);
  }

  TEST_CASE("the revocation view: a revocation by another process is seen after a refresh, a view older "
            "than its 1 s bound that cannot be refreshed fails closed") {
    const auto shared = test::memory_state_store();
    const auto failing = std::make_shared<server::state::FailingStateStore>(shared);
    const TestServer a({}, failing);
    const TestServer b({}, shared); // another process on the same database
    const auto token = a.token();
    REQUIRE(a.get("/fhir/Patient", "", token).status == 200);
    // Revoked at B: A refuses it once its view has polled (the maintenance thread polls
    // every 250 ms in serve; here the poll is called directly).
    const auto revoke = b.send([&] {
      server::ServerRequest request;
      request.method = "POST";
      request.path = "/auth/revoke";
      request.headers.add("Content-Type", "application/x-www-form-urlencoded");
      request.body = "token=" + token + "&client_id=demo-client&client_secret=demo-secret";
      return request;
    }());
    REQUIRE(revoke.status == 200);
    REQUIRE(a.context->auth->refresh_revocations().has_value());
    CHECK(a.get("/fhir/Patient", "", token).status == 401);

    // Fresh token, then the store goes away: within the bound, reads go on from the view...
    const auto second = a.token();
    REQUIRE(a.context->auth->refresh_revocations().has_value());
    failing->down = true;
    CHECK(a.get("/fhir/Patient", "", second).status == 200);
    // ...past it, the view cannot say whether the token was revoked elsewhere: 503.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const auto stale = a.get("/fhir/Patient", "", second);
    CHECK(stale.status == 503);
    CHECK(body_json(stale)["error"] == "temporarily_unavailable");
    // Back: the next read past the retry time (100 ms after the failed refresh) refreshes.
    failing->down = false;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(a.get("/fhir/Patient", "", second).status == 200);
  }

  TEST_CASE("a revocation view past its bound while the store is up (a late poll): the read that finds it "
            "so leaves the event loop and refreshes it on a worker, 200 and no 503") {
    const auto store = test::memory_state_store();
    const TestServer server({}, store);
    const auto token = server.token();
    REQUIRE(server.context->auth->refresh_revocations().has_value());
    CHECK(server.get("/fhir/Patient", "", token).status == 200);
    // Nobody refreshed it for longer than the bound (serve's maintenance thread normally
    // does, every 250 ms).
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    // On an event loop the read does not wait on the store: WouldBlock, so the transport
    // runs it again on a worker...
    bool would_block = false;
    std::thread loop([&] {
      const server::EventLoopThread on_loop;
      try {
        (void)server.get("/fhir/Patient", "", token);
      } catch (const server::WouldBlock&) {
        would_block = true;
      }
    });
    loop.join();
    CHECK(would_block);
    // ...where it refreshes the view and answers.
    const auto on_worker = server.get("/fhir/Patient", "", token);
    CHECK(on_worker.status == 200);
    // Fresh again: the loop answers by itself.
    bool again_blocked = false;
    int status = 0;
    std::thread loop_again([&] {
      const server::EventLoopThread on_loop;
      try {
        status = server.get("/fhir/Patient", "", token).status;
      } catch (const server::WouldBlock&) {
        again_blocked = true;
      }
    });
    loop_again.join();
    CHECK_FALSE(again_blocked);
    CHECK(status == 200);
  }
}
