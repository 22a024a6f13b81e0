// SPDX-License-Identifier: MIT
// The client and user directory as snapshots that follow the store (server/directory.hpp):
// what another replica writes reaches a running one at its next refresh, a request holding
// an older snapshot keeps valid pointers, a stale directory fails closed, and no cache lets
// a changed secret keep working.
#include "failing_state_store.hpp"
#include "server/directory.hpp"
#include "server/state/state_unavailable.hpp"
#include "state_test_store.hpp"

#include <oauthctl/server/secret_hash.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

using namespace oauthctl;
using namespace oauthctl::server;
using state::PrincipalRecord;
using state::Source;

namespace {

// Cheap scrypt parameters: the tests are about which hash is used, not its cost.
std::string quick_hash(std::string_view secret) {
  return hash_secret(secret, {4, 1, 1});
}

PrincipalRecord client_row(const std::string& id, const std::string& secret, Source source = Source::admin) {
  nlohmann::json resource{{"resourceType", "Client"},
                          {"id", id},
                          {"grant_types", {"client_credentials"}},
                          {"scope", "system/*.read"}};
  return {id, resource.dump(), quick_hash(secret), source, 0};
}

PrincipalRecord user_row(const std::string& id, const std::string& password) {
  nlohmann::json resource{{"resourceType", "User"}, {"id", id}, {"name", "User " + id}};
  return {id, resource.dump(), quick_hash(password), Source::admin, 0};
}

std::shared_ptr<const Directory> empty_directory() {
  return make_directory({}, {}, std::make_shared<CredentialCache>());
}

} // namespace

TEST_SUITE("server.directory") {
  TEST_CASE("a client or user written elsewhere reaches the directory at the next refresh") {
    const auto store = test::memory_state_store();
    REQUIRE(store->put_client(client_row("a", "secret-a")).has_value());
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*store, directory);
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.find("a") != nullptr);
    CHECK(directory.current()->clients.find("b") == nullptr);

    // Another replica adds a client and a user, then drops the first client.
    REQUIRE(store->put_client(client_row("b", "secret-b")).has_value());
    REQUIRE(store->put_user(user_row("alice", "pw")).has_value());
    REQUIRE(refresher.refresh().has_value());
    const auto added = directory.current();
    CHECK(added->clients.find("b") != nullptr);
    CHECK(added->clients.authenticate("b", "secret-b") == SecretCheck::valid);
    REQUIRE(added->users.find("alice") != nullptr);
    CHECK(added->users.authenticate("alice", "pw").user == added->users.find("alice"));

    REQUIRE(store->delete_client("a").has_value());
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.find("a") == nullptr);
    CHECK(directory.current()->clients.authenticate("a", "secret-a") == SecretCheck::invalid);
  }

  TEST_CASE("a request holding the old snapshot keeps valid pointers while it is replaced") {
    const auto store = test::memory_state_store();
    REQUIRE(store->put_client(client_row("a", "secret-a")).has_value());
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*store, directory);
    REQUIRE(refresher.refresh().has_value());

    const auto held = directory.current(); // as a request does, for its whole duration
    const auto* client = held->clients.find("a");
    REQUIRE(client != nullptr);
    REQUIRE(store->delete_client("a").has_value());
    REQUIRE(store->put_client(client_row("c", "secret-c")).has_value());
    REQUIRE(refresher.refresh().has_value());

    CHECK(directory.current() != held);
    CHECK(directory.current()->clients.find("a") == nullptr);
    // The held snapshot is unchanged and what it handed out is still there.
    CHECK(client->spec.id == "a");
    CHECK(held->clients.find("a") == client);
    CHECK(held->clients.find("c") == nullptr);
  }

  TEST_CASE("an unchanged store keeps the same snapshot (no reload per poll)") {
    const auto store = test::memory_state_store();
    REQUIRE(store->put_client(client_row("a", "secret-a")).has_value());
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*store, directory);
    REQUIRE(refresher.refresh().has_value());
    const auto first = directory.current();
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current() == first);
  }

  TEST_CASE("a secret changed elsewhere: the old one stops working, the cache does not keep it") {
    const auto store = test::memory_state_store();
    REQUIRE(store->put_client(client_row("a", "old-secret")).has_value());
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*store, directory);
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.authenticate("a", "old-secret") == SecretCheck::valid);
    CHECK(directory.current()->clients.authenticate("a", "old-secret") == SecretCheck::valid); // cached

    REQUIRE(store->put_client(client_row("a", "new-secret")).has_value());
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.authenticate("a", "old-secret") == SecretCheck::invalid);
    CHECK(directory.current()->clients.authenticate("a", "new-secret") == SecretCheck::valid);
  }

  TEST_CASE("the seed's secret is trusted only while the stored hash is the one this process knows") {
    const auto store = test::memory_state_store();
    auto seeded = client_row("seeded", "seed-secret", Source::config);
    seeded.secret_hash = std::string(k_unhashed_secret); // as sync_seed leaves a new one
    REQUIRE(store->put_client(seeded).has_value());
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*store, directory);
    REQUIRE(refresher.refresh().has_value());
    directory.cache()->trust_seed(CredentialKind::client, "seeded", "seed-secret", seeded.secret_hash);
    CHECK(directory.current()->clients.authenticate("seeded", "seed-secret") == SecretCheck::valid);
    CHECK(directory.current()->clients.authenticate("seeded", "other") == SecretCheck::invalid);

    // This process stores the seed's hash (finish_seed_hashes): still trusted.
    const auto own_hash = quick_hash("seed-secret");
    directory.cache()->accept_seed_hash(CredentialKind::client, "seeded", own_hash);
    seeded.secret_hash = own_hash;
    REQUIRE(store->put_client(seeded).has_value());
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.authenticate("seeded", "seed-secret") == SecretCheck::valid);

    // Another replica, started with another config, stores another secret: this process's
    // seed no longer speaks for the row.
    REQUIRE(store->put_client(client_row("seeded", "their-secret", Source::config)).has_value());
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.authenticate("seeded", "seed-secret") == SecretCheck::invalid);
    CHECK(directory.current()->clients.authenticate("seeded", "their-secret") == SecretCheck::valid);
  }

  TEST_CASE("a seeded user's password changed elsewhere: the new one logs in, the seed's no longer") {
    const auto store = test::memory_state_store();
    const auto first = user_row("alice", "seed-pw");
    REQUIRE(store->put_user(first).has_value());
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*store, directory);
    REQUIRE(refresher.refresh().has_value());
    directory.cache()->trust_seed(CredentialKind::user, "alice", "seed-pw", first.secret_hash);
    CHECK(directory.current()->users.authenticate("alice", "seed-pw").user != nullptr);

    REQUIRE(store->put_user(user_row("alice", "new-pw")).has_value());
    REQUIRE(refresher.refresh().has_value());
    const auto now = directory.current();
    CHECK(now->users.authenticate("alice", "seed-pw").user == nullptr);
    CHECK(now->users.authenticate("alice", "new-pw").user == now->users.find("alice"));
  }

  TEST_CASE("a directory past its bound refreshes on the spot, fails closed when it cannot, and recovers") {
    const auto failing = std::make_shared<state::FailingStateStore>(test::memory_state_store());
    REQUIRE(failing->put_client(client_row("a", "secret-a")).has_value());
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*failing, directory);
    REQUIRE(refresher.refresh().has_value());
    directory.follow([&refresher] { return refresher.refresh(); }, std::chrono::milliseconds(300));
    CHECK(directory.current()->clients.find("a") != nullptr);

    // Nobody polled for longer than the bound: the reader refreshes and sees the change.
    REQUIRE(failing->put_client(client_row("b", "secret-b")).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    CHECK(directory.current()->clients.find("b") != nullptr);

    // The store goes away: within the bound the snapshot still serves, past it nothing.
    failing->down = true;
    CHECK_FALSE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.find("a") != nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    CHECK_THROWS_AS((void)directory.current(), state::StateUnavailable);

    // Back: the next request past the retry time (100 ms after the failed refresh) refreshes.
    failing->down = false;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(directory.current()->clients.find("a") != nullptr);
  }

  TEST_CASE("an unreadable row written elsewhere leaves that entry out, not the directory") {
    const auto store = test::memory_state_store();
    REQUIRE(store->put_client(client_row("a", "secret-a")).has_value());
    REQUIRE(store->put_client({"broken", "not json", "", Source::admin, 0}).has_value());
    std::vector<std::string> logged;
    LiveDirectory directory(empty_directory());
    DirectoryRefresher refresher(*store, directory,
                                 [&](std::string_view line) { logged.emplace_back(line); });
    REQUIRE(refresher.refresh().has_value());
    CHECK(directory.current()->clients.find("a") != nullptr);
    CHECK(directory.current()->clients.find("broken") == nullptr);
    REQUIRE(logged.size() == 1);
    CHECK(logged[0].find("client broken") != std::string::npos);
  }
}
