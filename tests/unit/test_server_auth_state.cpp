// SPDX-License-Identifier: MIT
#include "server/auth/auth_state.hpp"
#include "server/auth/redirect_uri.hpp"
#include "state_test_store.hpp"

#include <doctest/doctest.h>

using namespace oauthctl::server;

TEST_SUITE("server.auth_state") {
  TEST_CASE(
    "two instances on one store (two processes, or a restart) share refresh families and revocations") {
    const auto store = oauthctl::test::memory_state_store();
    constexpr std::int64_t now = 1'700'000'000;
    const auto family = AuthState::new_family();
    const RefreshGrant grant{family, "app", "demo", {"openid", "offline_access"}, now, now + 1000};
    AuthState first(*store);
    AuthState second(*store);
    const auto t1 = first.issue_refresh(grant);
    first.add_family_token(family, "jti-1", now + 100);
    RefreshGrant out;
    REQUIRE(first.rotate_refresh(t1, "app", now, out) == Redemption::ok);
    CHECK(out.scopes == grant.scopes);
    const auto t2 = first.issue_refresh(grant);
    CHECK(second.rotate_refresh(t2, "other", now, out) == Redemption::wrong_client);
    // The rotation of t1 is the store's: its reuse at the other instance revokes the family.
    CHECK(second.rotate_refresh(t1, "app", now, out) == Redemption::replayed);
    CHECK(second.is_revoked("jti-1"));
    CHECK(second.rotate_refresh(t2, "app", now, out) == Redemption::replayed);
    // The first instance learns the revocation by its poll (the maintenance thread's job).
    REQUIRE(first.refresh_revocations().has_value());
    CHECK(first.is_revoked("jti-1"));
    CHECK_FALSE(first.is_revoked("jti-2"));
  }

  // Issue 9: the successor is stored by the rotation itself (one transaction on PostgreSQL
  // instead of two), in the family, with the family's scopes and the given expiry.
  TEST_CASE("a refresh rotation stores the successor it is given") {
    const auto store = oauthctl::test::memory_state_store();
    constexpr std::int64_t now = 1'700'000'000;
    const auto family = AuthState::new_family();
    const RefreshGrant grant{family, "app", "demo", {"openid", "offline_access"}, now, now + 1000};
    AuthState auth(*store);
    const auto t1 = auth.issue_refresh(grant);
    const auto t2 = AuthState::new_refresh_token();
    CHECK(t2 != t1);
    CHECK_FALSE(auth.active_refresh(t2, now).has_value());
    RefreshGrant out;
    REQUIRE(auth.rotate_refresh(t1, "app", now, out, t2, now + 5000) == Redemption::ok);
    const auto successor = auth.active_refresh(t2, now);
    REQUIRE(successor.has_value());
    CHECK(successor->family == family);
    CHECK(successor->scopes == grant.scopes);
    CHECK(successor->expires_at == now + 5000);
    CHECK_FALSE(auth.active_refresh(t1, now).has_value());
    // A failed rotation stores nothing: a replay of t1 offers t3, which never works.
    const auto t3 = AuthState::new_refresh_token();
    CHECK(auth.rotate_refresh(t1, "app", now, out, t3, now + 5000) == Redemption::replayed);
    CHECK_FALSE(auth.active_refresh(t3, now).has_value());
  }

  TEST_CASE("a code is redeemed once across instances, its replay revokes what it produced") {
    const auto store = oauthctl::test::memory_state_store();
    constexpr std::int64_t now = 1'700'000'000;
    AuthState a(*store);
    AuthState b(*store);
    const auto code = a.issue_code({"app", "http://127.0.0.1/cb", "", "", "demo", {"openid"}, now, now + 60});
    CodeGrant out;
    CHECK(b.redeem_code(code, "other", now, out) == Redemption::wrong_client);
    REQUIRE(b.redeem_code(code, "app", now, out) == Redemption::ok);
    CHECK(out.user_id == "demo");
    b.link_code(code, "jti-from-code", now + 300, "");
    CHECK(a.redeem_code(code, "app", now, out) == Redemption::replayed);
    CHECK(a.is_revoked("jti-from-code"));
    REQUIRE(b.refresh_revocations().has_value());
    CHECK(b.is_revoked("jti-from-code"));
  }

  TEST_CASE("a login moves the session and its pending requests, in the store") {
    const auto store = oauthctl::test::memory_state_store();
    constexpr std::int64_t now = 1'700'000'000;
    AuthState a(*store);
    AuthState b(*store);
    const auto session = a.create_session(now + 600);
    PendingAuthorization request;
    request.client_id = "app";
    request.session_id = session;
    request.expires_at = now + 600;
    const auto pending = a.add_pending(request);
    const auto signed_in = b.sign_in(session, "demo", now);
    REQUIRE_FALSE(signed_in.empty());
    CHECK_FALSE(a.session(session, now).has_value());
    CHECK(a.session(signed_in, now)->user_id == "demo");
    CHECK(a.pending(pending, now)->session_id == signed_in);
  }

  TEST_CASE("consent is kept per user and client in the store, and only grows") {
    const auto store = oauthctl::test::memory_state_store();
    constexpr std::int64_t now = 1'700'000'000;
    AuthState a(*store);
    AuthState b(*store);
    CHECK_FALSE(a.consented_scopes("demo", "app", now).has_value());
    a.remember_consent("demo", "app", {"openid"}, now);
    b.remember_consent("demo", "app", {"openid", "patient/*.rs"}, now + 1);
    CHECK(a.consented_scopes("demo", "app", now + 2) == std::vector<std::string>{"openid", "patient/*.rs"});
    a.remember_consent("demo", "app", {"profile"}, now + 3);
    CHECK(b.consented_scopes("demo", "app", now + 4) ==
          std::vector<std::string>{"openid", "patient/*.rs", "profile"});
    CHECK_FALSE(b.consented_scopes("other", "app", now).has_value());
    CHECK_FALSE(b.consented_scopes("demo", "other-app", now).has_value());
  }

  TEST_CASE("redirect_uri_matches") {
    CHECK(redirect_uri_matches("https://app.example/cb", "https://app.example/cb"));
    CHECK_FALSE(redirect_uri_matches("https://app.example/cb", "https://app.example:444/cb"));
    CHECK(redirect_uri_matches("http://[::1]/cb", "http://[::1]:8080/cb"));
    CHECK(redirect_uri_matches("http://127.0.0.1:9/cb", "http://127.0.0.1/cb"));
    CHECK_FALSE(redirect_uri_matches("http://[::1]/cb", "http://[::2]:8080/cb"));
    CHECK_FALSE(redirect_uri_matches("http://localhost/cb", "http://127.0.0.1:80/cb"));
    CHECK_FALSE(redirect_uri_matches("http://localhost/cb", "http://localhost.evil.example:80/cb"));
    CHECK_FALSE(redirect_uri_matches("http://localhost/cb", "http://localhost:80@evil.example/cb"));
    CHECK_FALSE(redirect_uri_matches("http://localhost/cb", "http://localhost:123456/cb"));
    CHECK(uri_origin("http://127.0.0.1:5555/callback?x") == "http://127.0.0.1:5555");
    CHECK(uri_origin("not a uri").empty());
    CHECK(uri_origin("http://a'b/").empty());
    CHECK(append_to_uri("http://h/cb?x=1", "a=b", false) == "http://h/cb?x=1&a=b");
    CHECK(append_to_uri("http://h/cb", "a=b", true) == "http://h/cb#a=b");
  }
}
