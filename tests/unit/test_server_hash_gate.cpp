// SPDX-License-Identifier: MIT
#include "server/auth/hash_gate.hpp"
#include "server/auth/user_directory.hpp"
#include "server/client_registry.hpp"

#include <oauthctl/server/secret_hash.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <thread>

using namespace oauthctl::server;

namespace {

// Occupies every slot and queue place of `gate` until `release` is counted down; returns
// once the slots are taken (queued callers cannot signal, so wait for them briefly).
std::vector<std::future<std::optional<int>>> fill(const HashGate& gate, std::size_t slots, std::size_t queue,
                                                  std::atomic<std::size_t>& running, std::latch& release) {
  std::vector<std::future<std::optional<int>>> held;
  for (std::size_t i = 0; i < slots + queue; ++i) {
    held.push_back(std::async(std::launch::async, [&] {
      return gate.run([&] {
        ++running;
        release.wait();
        return 1;
      });
    }));
  }
  while (running.load() < slots) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100)); // let the queued ones queue
  return held;
}

} // namespace

TEST_SUITE("server.hash_gate") {
  TEST_CASE("a full gate refuses at once, and admits again once a slot frees") {
    const HashGate gate(1, 1, std::chrono::seconds(30));
    std::atomic<std::size_t> running{0};
    std::latch release(1);
    auto held = fill(gate, 1, 1, running, release);
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(gate.run([] { return 2; }).has_value());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    release.count_down();
    for (auto& future : held) {
      CHECK(future.get() == std::optional<int>(1)); // the queued one ran too
    }
    CHECK(gate.run([] { return 3; }) == std::optional<int>(3));
  }

  TEST_CASE("a queued caller gives up after the longest wait") {
    const HashGate gate(1, 1, std::chrono::milliseconds(50));
    std::latch running(1);
    std::latch release(1);
    auto slot = std::async(std::launch::async, [&] {
      return gate.run([&] {
        running.count_down();
        release.wait();
        return 1;
      });
    });
    running.wait();
    CHECK_FALSE(gate.run([] { return 2; }).has_value());
    release.count_down();
    CHECK(slot.get() == std::optional<int>(1));
  }

  TEST_CASE("overloaded: wrong secrets are refused unchecked, a cached correct one still passes") {
    const auto gate = std::make_shared<const HashGate>(1, 1, std::chrono::seconds(30));
    ClientSpec spec;
    spec.id = "c";
    const auto cache = std::make_shared<CredentialCache>(gate);
    const ClientRegistry registry({{spec, hash_secret("s", {4, 1, 1})}}, cache);
    UserSpec user_spec;
    user_spec.id = "u";
    const UserDirectory users({{user_spec, hash_secret("pw", {4, 1, 1})}}, cache);
    REQUIRE(registry.authenticate("c", "s") == SecretCheck::valid);
    std::atomic<std::size_t> running{0};
    std::latch release(1);
    auto held = fill(*gate, 1, 1, running, release);
    CHECK(registry.authenticate("c", "wrong") == SecretCheck::overloaded);
    CHECK(registry.authenticate("unknown", "s") == SecretCheck::overloaded);
    CHECK(registry.authenticate("c", "s") == SecretCheck::valid); // from the cache
    CHECK(users.authenticate("u", "pw").overloaded);
    release.count_down();
    for (auto& future : held) {
      future.get();
    }
    const auto check = users.authenticate("u", "pw");
    CHECK_FALSE(check.overloaded);
    CHECK(check.user != nullptr);
    CHECK(users.authenticate("u", "nope").user == nullptr);
  }
}
