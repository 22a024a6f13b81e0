// SPDX-License-Identifier: MIT
#include "server/auth/auth_state.hpp"
#include "server/auth/redirect_uri.hpp"
#include "server/store/auth_journal.hpp"

#include <oauthctl/server/store.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::server;

TEST_SUITE("server.auth_state") {
  TEST_CASE("refresh tokens and revocations survive a restart through the store") {
    auto store = open_sqlite_store(k_memory_store);
    REQUIRE(store.has_value());
    constexpr std::int64_t now = 1'700'000'000;
    const auto family = AuthState::new_family();
    const RefreshGrant grant{family, "app", "demo", {"openid", "offline_access"}, now, now + 1000};
    std::string t1;
    std::string t2;
    {
      AuthState first;
      first.set_journal(make_store_journal(**store, {}));
      t1 = first.issue_refresh(grant);
      first.add_family_token(family, "jti-1", now + 100);
      RefreshGrant out;
      REQUIRE(first.rotate_refresh(t1, "app", now, out) == Redemption::ok);
      CHECK(out.scopes == grant.scopes);
      t2 = first.issue_refresh(grant);
    }
    {
      AuthState second;
      REQUIRE(restore_auth_state(**store, second, now).has_value());
      second.set_journal(make_store_journal(**store, {}));
      RefreshGrant out;
      CHECK(second.rotate_refresh(t2, "other", now, out) == Redemption::wrong_client);
      // The rotation of t1 was saved: its reuse after the restart revokes the family.
      CHECK(second.rotate_refresh(t1, "app", now, out) == Redemption::replayed);
      CHECK(second.is_revoked("jti-1"));
      CHECK(second.rotate_refresh(t2, "app", now, out) == Redemption::replayed);
    }
    AuthState third;
    REQUIRE(restore_auth_state(**store, third, now).has_value());
    CHECK(third.is_revoked("jti-1"));
    CHECK_FALSE(third.is_revoked("jti-2"));
    RefreshGrant out;
    CHECK(third.rotate_refresh(t2, "app", now, out) == Redemption::unknown);
    // Expired revocations are not loaded.
    AuthState later;
    REQUIRE(restore_auth_state(**store, later, now + 101).has_value());
    CHECK_FALSE(later.is_revoked("jti-1"));
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
