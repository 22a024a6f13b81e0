// SPDX-License-Identifier: MIT
#pragma once

// The contract of server/state/state_store.hpp, written against the interface only, so that
// every implementation runs the same checks: call check_state_contract(factory) from a
// TEST_CASE; `factory` returns a fresh, empty, migrated store each time it is called.

#include "server/state/state_store.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace oauthctl::server::state::contract {

using StateFactory = std::function<std::unique_ptr<StateStore>()>;

// Unwraps a Result, failing the test case on an error.
template<typename T>
T ok(util::Result<T> result) {
  REQUIRE_MESSAGE(result.has_value(), (result ? std::string() : result.error().message));
  return std::move(*result);
}
inline void ok(util::Result<void> result) {
  REQUIRE_MESSAGE(result.has_value(), (result ? std::string() : result.error().message));
}

// Runs `body(i)` on `threads` threads released at once.
inline void race(int threads, const std::function<void(int)>& body) {
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      while (!go.load()) {
        std::this_thread::yield();
      }
      body(i);
    });
  }
  go.store(true);
  for (auto& thread : pool) {
    thread.join();
  }
}

constexpr std::int64_t k_now = 1'800'000'000;

inline RefreshRecord refresh_row(std::string hash, std::string family,
                                 std::int64_t expires_at = k_now + 3600) {
  RefreshRecord token;
  token.token_hash = std::move(hash);
  token.family = std::move(family);
  token.client_id = "app";
  token.user_id = "alice";
  token.scopes = {"openid", "offline_access"};
  token.auth_time = k_now - 10;
  token.expires_at = expires_at;
  return token;
}

inline CodeRecord code_row(std::string hash, std::int64_t expires_at = k_now + 60) {
  CodeRecord code;
  code.code_hash = std::move(hash);
  code.client_id = "app";
  code.redirect_uri = "http://127.0.0.1:9/cb";
  code.code_challenge = "challenge";
  code.nonce = "n-1";
  code.user_id = "alice";
  code.scopes = {"openid", "patient/*.read"};
  code.auth_time = k_now - 5;
  code.expires_at = expires_at;
  return code;
}

inline DeviceRecord device_row(std::string device_hash, std::string user_hash, std::string client = "tv") {
  DeviceRecord device;
  device.device_hash = std::move(device_hash);
  device.user_code_hash = std::move(user_hash);
  device.client_id = std::move(client);
  device.scopes = {"openid"};
  device.interval = 5;
  device.created_at = k_now;
  device.expires_at = k_now + 600;
  return device;
}

inline bool revoked_in(StateStore& store, const std::string& jti) {
  for (const auto& row : ok(store.revocations_since(0)).added) {
    if (row.jti == jti) {
      return true;
    }
  }
  return false;
}

inline void check_state_contract(const StateFactory& factory) {
  auto store_ptr = factory();
  REQUIRE(store_ptr != nullptr);
  auto& store = *store_ptr;

  SUBCASE("clients and users: upsert, source, delete, directory version") {
    const auto v0 = ok(store.directory_version());
    ok(store.put_client({"app", R"({"id":"app"})", "h1", Source::config, 0}));
    ok(store.put_client({"app", R"({"id":"app","x":1})", "h2", Source::demo, 0}));
    ok(store.put_client({"admin-made", R"({"id":"admin-made"})", "", Source::admin, 0}));
    const auto clients = ok(store.clients());
    REQUIRE(clients.size() == 2);
    const auto app = ok(store.client("app"));
    REQUIRE(app.has_value());
    CHECK(app->secret_hash == "h2");
    CHECK(app->resource_json == R"({"id":"app","x":1})");
    CHECK(app->source == Source::demo);
    CHECK(app->updated_at > 0);
    CHECK(ok(store.client("admin-made"))->source == Source::admin);
    CHECK_FALSE(ok(store.client("nobody")).has_value());
    const auto v1 = ok(store.directory_version());
    CHECK(v1 != v0);
    CHECK(ok(store.delete_client("app")));
    CHECK_FALSE(ok(store.delete_client("app")));
    CHECK_FALSE(ok(store.client("app")).has_value());
    CHECK(ok(store.directory_version()) != v1);

    ok(store.put_user({"alice", R"({"id":"alice"})", "scrypt-hash", Source::config, 0}));
    CHECK(ok(store.user("alice"))->secret_hash == "scrypt-hash");
    CHECK(ok(store.users()).size() == 1);
    CHECK(ok(store.delete_user("alice")));
    CHECK(ok(store.users()).empty());
  }

  SUBCASE("signing keys: a first key only while none is active") {
    CHECK(ok(store.add_first_key({"first", "RS256", "pem-1", k_now, 0, 0})));
    CHECK_FALSE(ok(store.add_first_key({"second", "RS256", "pem-2", k_now, 0, 0})));
    auto keys = ok(store.keys());
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].kid == "first");
    CHECK(ok(store.retire_key("first", k_now, k_now + 300)));
    CHECK(ok(store.add_first_key({"third", "RS256", "pem-3", k_now, 0, 0})));
    keys = ok(store.keys());
    REQUIRE(keys.size() == 2);
    CHECK(keys[1].kid == "third");
  }

  SUBCASE("signing keys: add once, retire, published until pruned") {
    CHECK(ok(store.add_key({"k1", "RS256", "pem-1", k_now - 100, 0, 0})));
    CHECK_FALSE(ok(store.add_key({"k1", "RS256", "other", k_now, 0, 0})));
    CHECK(ok(store.add_key({"k2", "RS256", "pem-2", k_now, 0, 0})));
    auto keys = ok(store.keys());
    REQUIRE(keys.size() == 2);
    CHECK(keys[0].kid == "k1");
    CHECK(keys[0].pem == "pem-1");
    const auto version = ok(store.directory_version());
    CHECK(ok(store.retire_key("k1", k_now, k_now + 300)));
    CHECK_FALSE(ok(store.retire_key("k1", k_now, k_now + 300)));
    CHECK(ok(store.directory_version()) != version);
    keys = ok(store.keys());
    REQUIRE(keys.size() == 2);
    CHECK(keys[0].retired_at == k_now);
    CHECK(keys[0].publish_until == k_now + 300);
    CHECK(keys[1].retired_at == 0);
    ok(store.prune(k_now + 299));
    CHECK(ok(store.keys()).size() == 2);
    ok(store.prune(k_now + 300));
    keys = ok(store.keys());
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].kid == "k2");
  }

  SUBCASE("sessions: expiry, and a login replaces the session and moves its pending requests") {
    ok(store.put_session({"s1", "csrf-1", "", 0, k_now, k_now + 600}));
    auto session = ok(store.session("s1", k_now));
    REQUIRE(session.has_value());
    CHECK(session->csrf_token == "csrf-1");
    CHECK(session->user_id.empty());
    CHECK_FALSE(ok(store.session("s1", k_now + 600)).has_value());
    CHECK_FALSE(ok(store.session("nope", k_now)).has_value());

    PendingRecord request;
    request.id = "p1";
    request.session_id = "s1";
    request.client_id = "app";
    request.expires_at = k_now + 600;
    ok(store.put_pending(request));
    CHECK(ok(store.replace_session("s1", {"s2", "csrf-2", "alice", k_now, k_now, k_now + 600})));
    CHECK_FALSE(ok(store.session("s1", k_now)).has_value());
    session = ok(store.session("s2", k_now));
    REQUIRE(session.has_value());
    CHECK(session->user_id == "alice");
    CHECK(session->auth_time == k_now);
    CHECK(ok(store.pending("p1", k_now))->session_id == "s2");
    CHECK_FALSE(ok(store.replace_session("s1", {"s3", "c", "mallory", k_now, k_now, k_now + 600})));
    CHECK_FALSE(ok(store.session("s3", k_now)).has_value());
    SessionRecord carried{"s4", "csrf-4", "alice", k_now, k_now, k_now + 600};
    CHECK(ok(store.replace_session("s2", carried)));
    CHECK(ok(store.session("s4", k_now))->csrf_token == "csrf-4");
    ok(store.delete_session("s4"));
    CHECK_FALSE(ok(store.session("s4", k_now)).has_value());
    ok(store.delete_session("s2"));
    CHECK_FALSE(ok(store.session("s2", k_now)).has_value());
  }

  SUBCASE("pending requests: every field round-trips, login once, answered once") {
    PendingRecord request;
    request.id = "p1";
    request.session_id = "s1";
    request.client_id = "app";
    request.redirect_uri = "http://127.0.0.1:9/cb?x=1";
    request.response_type = "code";
    request.state = "st";
    request.scopes = {"openid", "launch/patient"};
    request.code_challenge = "cc";
    request.nonce = "nn";
    request.login_hint = "alice";
    request.prompt_login = true;
    request.max_age = 30;
    request.extra_json = R"({"prompt":"login"})";
    request.created_at = k_now;
    request.expires_at = k_now + 600;
    ok(store.put_pending(request));
    auto got = ok(store.pending("p1", k_now));
    REQUIRE(got.has_value());
    CHECK(got->session_id == "s1");
    CHECK(got->redirect_uri == request.redirect_uri);
    CHECK(got->response_type == "code");
    CHECK(got->state == "st");
    CHECK(got->scopes == request.scopes);
    CHECK(got->code_challenge == "cc");
    CHECK(got->nonce == "nn");
    CHECK(got->login_hint == "alice");
    CHECK(got->prompt_login);
    CHECK(got->max_age == 30);
    CHECK(got->extra_json == request.extra_json);
    CHECK(got->created_at == k_now);
    CHECK_FALSE(ok(store.pending("p1", k_now + 600)).has_value());
    ok(store.pending_login_done("p1"));
    CHECK_FALSE(ok(store.pending("p1", k_now))->prompt_login);
    CHECK(ok(store.take_pending("p1")));
    CHECK_FALSE(ok(store.take_pending("p1")));
    CHECK_FALSE(ok(store.pending("p1", k_now)).has_value());
  }

  SUBCASE("codes: used at most once; a wrong client does not burn it; a replay returns what it produced") {
    ok(store.put_code(code_row("c1")));
    auto [wrong, none] = ok(store.use_code("c1", "other-app"));
    CHECK(wrong == CodeUse::wrong_client);
    CHECK(none.user_id.empty()); // nothing about another client's code
    auto [use, code] = ok(store.use_code("c1", "app"));
    REQUIRE(use == CodeUse::ok);
    CHECK(code.user_id == "alice");
    CHECK(code.redirect_uri == "http://127.0.0.1:9/cb");
    CHECK(code.code_challenge == "challenge");
    CHECK(code.nonce == "n-1");
    CHECK(code.scopes == std::vector<std::string>{"openid", "patient/*.read"});
    CHECK(code.auth_time == k_now - 5);
    CHECK(code.expires_at == k_now + 60);
    ok(store.link_code("c1", "jti-1", k_now + 300, "fam-1"));
    auto [again, replayed] = ok(store.use_code("c1", "app"));
    CHECK(again == CodeUse::replayed);
    REQUIRE(replayed.linked_jtis.size() == 1);
    CHECK(replayed.linked_jtis[0].jti == "jti-1");
    CHECK(replayed.linked_jtis[0].expires_at == k_now + 300);
    CHECK(replayed.family == "fam-1");
    CHECK(ok(store.use_code("never-issued", "app")).first == CodeUse::unknown);
  }

  SUBCASE("codes: of concurrent redemptions exactly one succeeds") {
    for (int round = 0; round < 20; ++round) {
      const auto hash = "race-" + std::to_string(round);
      ok(store.put_code(code_row(hash)));
      std::atomic<int> winners{0};
      std::atomic<int> errors{0};
      race(6, [&](int) {
        auto used = store.use_code(hash, "app");
        if (!used) {
          ++errors;
        } else if (used->first == CodeUse::ok) {
          ++winners;
        }
      });
      CHECK(errors.load() == 0);
      CHECK(winners.load() == 1);
    }
  }

  SUBCASE("refresh: rotation is a compare-and-swap; reuse revokes the family and its access tokens") {
    ok(store.put_refresh(refresh_row("r1", "fam")));
    ok(store.add_family_token("fam", "at-1", k_now + 300));
    CHECK(ok(store.family_of("at-1")) == "fam");
    CHECK(ok(store.family_of("unknown-jti")).empty());
    auto stored = ok(store.refresh("r1"));
    REQUIRE(stored.has_value());
    CHECK_FALSE(stored->rotated);
    CHECK(stored->scopes == std::vector<std::string>{"openid", "offline_access"});

    CHECK(ok(store.rotate_refresh({"r1", "other-app", k_now, "never", k_now + 3600})).first ==
          RefreshUse::wrong_client);
    CHECK_FALSE(ok(store.refresh("never")).has_value());
    auto [use, old] = ok(store.rotate_refresh({"r1", "app", k_now, "r2", k_now + 7200}));
    REQUIRE(use == RefreshUse::ok);
    CHECK(old.family == "fam");
    CHECK(old.user_id == "alice");
    CHECK(old.auth_time == k_now - 10);
    auto successor = ok(store.refresh("r2"));
    REQUIRE(successor.has_value());
    CHECK(successor->family == "fam");
    CHECK(successor->expires_at == k_now + 7200);
    CHECK(successor->scopes == old.scopes);
    CHECK(ok(store.refresh("r1"))->rotated);

    // r1 presented again: the family goes, r2 with it, and access token at-1.
    CHECK(ok(store.rotate_refresh({"r1", "app", k_now + 1, "r3", k_now + 7200})).first ==
          RefreshUse::replayed);
    CHECK_FALSE(ok(store.refresh("r3")).has_value());
    CHECK(ok(store.refresh("r2"))->family_revoked);
    CHECK(ok(store.rotate_refresh({"r2", "app", k_now + 2, "r4", k_now + 7200})).first ==
          RefreshUse::replayed);
    CHECK(revoked_in(store, "at-1"));
    // An access token issued in the revoked family (a race) is revoked at once.
    ok(store.add_family_token("fam", "at-late", k_now + 300));
    CHECK(revoked_in(store, "at-late"));
    CHECK(ok(store.rotate_refresh({"none", "app", k_now, "", 0})).first == RefreshUse::unknown);
  }

  SUBCASE("refresh: the live families of one user and client") {
    ok(store.put_refresh(refresh_row("a1", "fam-a")));
    ok(store.put_refresh(refresh_row("a2", "fam-a")));
    ok(store.put_refresh(refresh_row("b1", "fam-b")));
    auto other_client = refresh_row("c1", "fam-c");
    other_client.client_id = "other-app";
    ok(store.put_refresh(other_client));
    auto other_user = refresh_row("d1", "fam-d");
    other_user.user_id = "bob";
    ok(store.put_refresh(other_user));
    CHECK(ok(store.families_of("alice", "app")) == std::vector<std::string>{"fam-a", "fam-b"});
    ok(store.revoke_family("fam-a"));
    CHECK(ok(store.families_of("alice", "app")) == std::vector<std::string>{"fam-b"});
    CHECK(ok(store.families_of("alice", "other-app")) == std::vector<std::string>{"fam-c"});
    CHECK(ok(store.families_of("bob", "app")) == std::vector<std::string>{"fam-d"});
    CHECK(ok(store.families_of("carol", "app")).empty());
  }

  SUBCASE("refresh: a family bound to a client certificate rotates only with that certificate") {
    // RFC 8705 §4: a public client's refresh family, bound to its TLS client certificate.
    auto bound = refresh_row("b1", "fam-bound");
    bound.certificate_thumbprint = "thumb-A";
    ok(store.put_refresh(bound));
    CHECK(ok(store.refresh("b1"))->certificate_thumbprint == "thumb-A");
    // Another certificate, or none: refused, nothing inserted, nothing rotated or revoked.
    CHECK(ok(store.rotate_refresh({"b1", "app", k_now, "b-other", k_now + 3600, "thumb-B"})).first ==
          RefreshUse::wrong_certificate);
    CHECK(ok(store.rotate_refresh({"b1", "app", k_now, "b-none", k_now + 3600, ""})).first ==
          RefreshUse::wrong_certificate);
    CHECK_FALSE(ok(store.refresh("b-other")).has_value());
    CHECK_FALSE(ok(store.refresh("b-none")).has_value());
    CHECK_FALSE(ok(store.refresh("b1"))->rotated);
    CHECK_FALSE(ok(store.refresh("b1"))->family_revoked);
    // Another client with the right certificate is still another client.
    CHECK(ok(store.rotate_refresh({"b1", "other-app", k_now, "b-x", k_now + 3600, "thumb-A"})).first ==
          RefreshUse::wrong_client);
    // The certificate it is bound to rotates it; the successor inherits the binding.
    auto [use, presented] = ok(store.rotate_refresh({"b1", "app", k_now, "b2", k_now + 7200, "thumb-A"}));
    CHECK(use == RefreshUse::ok);
    CHECK(presented.certificate_thumbprint == "thumb-A");
    CHECK(ok(store.refresh("b2"))->certificate_thumbprint == "thumb-A");
    CHECK(ok(store.rotate_refresh({"b2", "app", k_now + 1, "b3", k_now + 7200, "thumb-B"})).first ==
          RefreshUse::wrong_certificate);
    // A rotated token presented with the wrong certificate proves nothing: the family lives.
    CHECK(ok(store.rotate_refresh({"b1", "app", k_now + 1, "b4", k_now + 7200, "thumb-B"})).first ==
          RefreshUse::wrong_certificate);
    CHECK_FALSE(ok(store.refresh("b2"))->family_revoked);
    // A token put into an existing family keeps the family's binding, whatever it carries.
    auto stray = refresh_row("b5", "fam-bound");
    stray.certificate_thumbprint = "thumb-C";
    ok(store.put_refresh(stray));
    CHECK(ok(store.refresh("b5"))->certificate_thumbprint == "thumb-A");
    // With the right certificate a replay still revokes the family (RFC 9700 §4.14.2).
    CHECK(ok(store.rotate_refresh({"b1", "app", k_now + 2, "b6", k_now + 7200, "thumb-A"})).first ==
          RefreshUse::replayed);
    CHECK(ok(store.refresh("b2"))->family_revoked);
    // An unbound family rotates with or without a certificate, and stays unbound.
    ok(store.put_refresh(refresh_row("u1", "fam-free")));
    CHECK(ok(store.refresh("u1"))->certificate_thumbprint.empty());
    CHECK(ok(store.rotate_refresh({"u1", "app", k_now, "u2", k_now + 3600, "thumb-A"})).first ==
          RefreshUse::ok);
    CHECK(ok(store.refresh("u2"))->certificate_thumbprint.empty());
    CHECK(ok(store.rotate_refresh({"u2", "app", k_now, "u3", k_now + 3600})).first == RefreshUse::ok);
  }

  SUBCASE("refresh: an expired token is refused and stays unrotated") {
    ok(store.put_refresh(refresh_row("old", "fam-x", k_now - 1)));
    CHECK(ok(store.rotate_refresh({"old", "app", k_now, "new", k_now + 10})).first == RefreshUse::expired);
    CHECK_FALSE(ok(store.refresh("new")).has_value());
    CHECK_FALSE(ok(store.refresh("old"))->family_revoked);
  }

  SUBCASE("refresh: of concurrent rotations exactly one succeeds") {
    for (int round = 0; round < 10; ++round) {
      const auto hash = "rt-" + std::to_string(round);
      ok(store.put_refresh(refresh_row(hash, "fam-" + std::to_string(round))));
      std::atomic<int> winners{0};
      std::atomic<int> errors{0};
      race(6, [&](int i) {
        auto rotated =
          store.rotate_refresh({hash, "app", k_now, hash + "-next-" + std::to_string(i), k_now + 3600});
        if (!rotated) {
          ++errors;
        } else if (rotated->first == RefreshUse::ok) {
          ++winners;
        }
      });
      CHECK(errors.load() == 0);
      CHECK(winners.load() == 1);
      // The losers presented a rotated token: the family is revoked (RFC 9700 §4.14.2).
      CHECK(ok(store.refresh(hash))->family_revoked);
    }
  }

  SUBCASE("revocations: a growing version, deltas since it, idempotent") {
    const auto start = ok(store.revocations_since(0));
    CHECK(start.added.empty());
    ok(store.revoke_access("a", k_now + 100));
    const auto first = ok(store.revocations_since(start.version));
    REQUIRE(first.added.size() == 1);
    CHECK(first.added[0].jti == "a");
    CHECK(first.added[0].expires_at == k_now + 100);
    CHECK(first.version > start.version);
    CHECK(ok(store.revocations_since(first.version)).added.empty());
    CHECK(ok(store.revocations_since(first.version)).version == first.version);
    ok(store.revoke_access("b", k_now + 5));
    ok(store.revoke_access("a", k_now + 100));
    const auto second = ok(store.revocations_since(first.version));
    CHECK(second.version > first.version);
    CHECK(second.added.size() >= 1);
    ok(store.prune(k_now + 10)); // "b" expired
    const auto after_prune = ok(store.revocations_since(0));
    CHECK(after_prune.version >= second.version); // never goes back
    REQUIRE(after_prune.added.size() == 1);
    CHECK(after_prune.added[0].jti == "a");
  }

  SUBCASE("device codes: user code once, decision once, polling interval, single hand-out") {
    CHECK(ok(store.put_device(device_row("d1", "u1"))));
    CHECK_FALSE(ok(store.put_device(device_row("d2", "u1")))); // user code taken
    CHECK(ok(store.pending_device("u1", k_now)).has_value());
    CHECK_FALSE(ok(store.pending_device("u1", k_now + 600)).has_value());
    CHECK(ok(store.count(Bounded::device_codes, k_now, "tv")) == 1);
    CHECK(ok(store.count(Bounded::device_codes, k_now, "other")) == 0);

    CHECK(ok(store.poll_device("d1", "other", k_now)).first == DevicePollResult::unknown);
    CHECK(ok(store.poll_device("d1", "tv", k_now)).first == DevicePollResult::pending);
    CHECK(ok(store.poll_device("d1", "tv", k_now + 2)).first == DevicePollResult::slow_down);
    // The interval grew to 10 s.
    CHECK(ok(store.poll_device("d1", "tv", k_now + 9)).first == DevicePollResult::slow_down);
    CHECK(ok(store.poll_device("d1", "tv", k_now + 30)).first == DevicePollResult::pending);

    CHECK(ok(store.decide_device("u1", true, "alice", k_now - 3, k_now + 31)));
    CHECK_FALSE(ok(store.decide_device("u1", false, "mallory", k_now, k_now + 31)));
    CHECK_FALSE(ok(store.pending_device("u1", k_now + 31)).has_value());
    auto [result, approved] = ok(store.poll_device("d1", "tv", k_now + 40));
    REQUIRE(result == DevicePollResult::approved);
    CHECK(approved.user_id == "alice");
    CHECK(approved.auth_time == k_now - 3);
    CHECK(approved.scopes == std::vector<std::string>{"openid"});
    CHECK(ok(store.poll_device("d1", "tv", k_now + 50)).first == DevicePollResult::unknown);

    CHECK(ok(store.put_device(device_row("d3", "u3"))));
    CHECK(ok(store.decide_device("u3", false, "alice", k_now, k_now)));
    CHECK(ok(store.poll_device("d3", "tv", k_now + 1)).first == DevicePollResult::denied);
    CHECK(ok(store.poll_device("d3", "tv", k_now + 601)).first == DevicePollResult::expired);
    CHECK(ok(store.poll_device("never", "tv", k_now)).first == DevicePollResult::unknown);

    // An expired authorization keeps its row a while (expired_token) but frees its user code.
    CHECK(ok(store.put_device(device_row("d4", "u4"))));
    auto reuse = device_row("d5", "u4");
    reuse.created_at = k_now + 600;
    reuse.expires_at = k_now + 1200;
    CHECK(ok(store.put_device(reuse)));
  }

  SUBCASE("consent: per user and client, replaced, expiring, deleted") {
    ok(store.put_consent({"alice", "app", {"openid"}, k_now, 0}));
    ok(store.put_consent({"alice", "app", {"openid", "profile"}, k_now + 1, 0}));
    auto consent = ok(store.consent("alice", "app", k_now + 5));
    REQUIRE(consent.has_value());
    CHECK(consent->scopes == std::vector<std::string>{"openid", "profile"});
    CHECK_FALSE(ok(store.consent("bob", "app", k_now)).has_value());
    ok(store.put_consent({"bob", "app", {"openid"}, k_now, k_now + 10}));
    CHECK(ok(store.consent("bob", "app", k_now + 9)).has_value());
    CHECK_FALSE(ok(store.consent("bob", "app", k_now + 10)).has_value());
    // A user's consents, by client, without the expired ones.
    ok(store.put_consent({"alice", "other", {"fhirUser"}, k_now, k_now + 10}));
    ok(store.put_consent({"alice", "gone", {"openid"}, k_now, k_now + 3}));
    const auto listed = ok(store.consents("alice", k_now + 5));
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].client_id == "app");
    CHECK(listed[0].scopes == std::vector<std::string>{"openid", "profile"});
    CHECK(listed[1].client_id == "other");
    CHECK(listed[1].expires_at == k_now + 10);
    CHECK(ok(store.consents("bob", k_now + 11)).empty());
    CHECK(ok(store.consents("nobody", k_now)).empty());
    ok(store.delete_consent("alice", "app"));
    CHECK_FALSE(ok(store.consent("alice", "app", k_now)).has_value());
    CHECK(ok(store.consents("alice", k_now + 5)).size() == 1);
  }

  SUBCASE("login backoff: counted in the store, forgotten after the window, cleared on success") {
    CHECK_FALSE(ok(store.backoff("alice|127.0.0.1", k_now)).has_value());
    CHECK(ok(store.add_failure("alice|127.0.0.1", k_now, 900)).failures == 1);
    const auto second = ok(store.add_failure("alice|127.0.0.1", k_now + 1, 900));
    CHECK(second.failures == 2);
    CHECK(second.last_failure == k_now + 1);
    CHECK(second.expires_at == k_now + 901);
    CHECK(ok(store.backoff("alice|127.0.0.1", k_now + 2))->failures == 2);
    CHECK_FALSE(ok(store.backoff("alice|127.0.0.1", k_now + 901)).has_value());
    CHECK(ok(store.add_failure("alice|127.0.0.1", k_now + 901, 900)).failures == 1);
    ok(store.clear_failures("alice|127.0.0.1"));
    CHECK_FALSE(ok(store.backoff("alice|127.0.0.1", k_now + 902)).has_value());

    std::atomic<int> errors{0};
    race(8, [&](int) {
      if (!store.add_failure("bob", k_now, 900)) {
        ++errors;
      }
    });
    CHECK(errors.load() == 0);
    CHECK(ok(store.backoff("bob", k_now))->failures == 8);
  }

  SUBCASE("jtis: single use per kind and issuer, usable again after expiry, one winner in a race") {
    CHECK(ok(store.use_jti(JtiKind::client_assertion, "app", "j1", k_now + 60, k_now)));
    CHECK_FALSE(ok(store.use_jti(JtiKind::client_assertion, "app", "j1", k_now + 60, k_now + 1)));
    CHECK(ok(store.use_jti(JtiKind::client_assertion, "other", "j1", k_now + 60, k_now)));
    CHECK(ok(store.use_jti(JtiKind::dpop_proof, "app", "j1", k_now + 60, k_now)));
    CHECK(ok(store.use_jti(JtiKind::client_assertion, "app", "j1", k_now + 200, k_now + 60)));
    std::atomic<int> fresh{0};
    race(6, [&](int) {
      auto used = store.use_jti(JtiKind::jwt_bearer, "app", "contended", k_now + 60, k_now);
      if (used && *used) {
        ++fresh;
      }
    });
    CHECK(fresh.load() == 1);
  }

  SUBCASE("bounded anonymous state: count and evict the soonest-expiring") {
    for (int i = 0; i < 5; ++i) {
      ok(store.put_session({"anon-" + std::to_string(i), "c", "", 0, k_now, k_now + 100 + i}));
    }
    ok(store.put_session({"known", "c", "alice", k_now, k_now, k_now + 50}));
    CHECK(ok(store.count(Bounded::anonymous_sessions, k_now)) == 5);
    CHECK(ok(store.evict(Bounded::anonymous_sessions, 3)) == 2);
    CHECK(ok(store.count(Bounded::anonymous_sessions, k_now)) == 3);
    CHECK_FALSE(ok(store.session("anon-0", k_now)).has_value());
    CHECK(ok(store.session("anon-4", k_now)).has_value());
    CHECK(ok(store.session("known", k_now)).has_value()); // signed-in sessions are not anonymous

    for (int i = 0; i < 4; ++i) {
      PendingRecord request;
      request.id = "p" + std::to_string(i);
      request.expires_at = k_now + 10 + i;
      ok(store.put_pending(request));
    }
    CHECK(ok(store.count(Bounded::pending_requests, k_now)) == 4);
    CHECK(ok(store.evict(Bounded::pending_requests, 1)) == 3);
    CHECK(ok(store.pending("p3", k_now)).has_value());
  }

  SUBCASE("prune: expired rows go, used codes are remembered a while, live rows stay") {
    ok(store.put_session({"s-old", "c", "", 0, k_now - 100, k_now - 1}));
    ok(store.put_session({"s-live", "c", "", 0, k_now, k_now + 100}));
    ok(store.put_code(code_row("c-old", k_now - 1)));
    ok(store.put_refresh(refresh_row("r-old", "f-old", k_now - 1)));
    ok(store.put_refresh(refresh_row("r-live", "f-live", k_now + 100)));
    ok(store.add_family_token("f-old", "at-old", k_now - 1));
    CHECK(ok(store.use_jti(JtiKind::client_assertion, "app", "j-old", k_now - 1, k_now - 2)));
    ok(store.add_failure("k", k_now - 1000, 900));
    CHECK(ok(store.prune(k_now)) >= 5);
    CHECK_FALSE(ok(store.session("s-old", k_now - 10)).has_value());
    CHECK(ok(store.session("s-live", k_now)).has_value());
    CHECK_FALSE(ok(store.refresh("r-old")).has_value());
    CHECK(ok(store.refresh("r-live")).has_value());
    CHECK(ok(store.family_of("at-old")).empty());
    CHECK_FALSE(ok(store.backoff("k", k_now - 500)).has_value());
    // The expired code is still known (a replay must be recognised) until the memory ends.
    CHECK(ok(store.use_code("c-old", "app")).first == CodeUse::ok);
    ok(store.prune(k_now - 1 + k_used_code_memory));
    CHECK(ok(store.use_code("c-old", "app")).first == CodeUse::unknown);
    // The jti expired: pruned, so usable again (it would fail its own exp check anyway).
    CHECK(ok(store.use_jti(JtiKind::client_assertion, "app", "j-old", k_now + 60, k_now)));
  }
}

} // namespace oauthctl::server::state::contract
