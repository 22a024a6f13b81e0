// SPDX-License-Identifier: MIT
#include <oauthctl/util/cancellation.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

using namespace oauthctl;

TEST_SUITE("util") {
  // Ctrl-C stops the redirect listener from the watcher thread while the grant's thread,
  // woken by that very stop, returns and destroys the listener: the scope's end must wait
  // until the action has returned (clang's UBSan caught stop() running on a freed listener).
  TEST_CASE("Cancellation: a scope ending while its action runs waits for the action") {
    util::Cancellation cancellation;
    std::atomic<bool> started{false};
    auto alive = std::make_unique<std::atomic<int>>(0);
    auto* object = alive.get();
    std::optional<util::CancellationScope> scope;
    scope.emplace(&cancellation, [&started, object] {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      object->fetch_add(1); // uses what the subscriber destroys after its scope ends
    });
    std::thread watcher([&] { cancellation.cancel(); });
    while (!started) {
      std::this_thread::yield();
    }
    scope.reset(); // must block until the action has returned
    CHECK(object->load() == 1);
    alive.reset();
    watcher.join();
  }

  TEST_CASE("Cancellation: an action unsubscribed before cancel() never runs, one added after runs at once") {
    util::Cancellation cancellation;
    int runs = 0;
    {
      const util::CancellationScope scope(&cancellation, [&] { ++runs; });
      const util::CancellationScope gone(&cancellation, [&] { runs += 100; });
    }
    CHECK(cancellation.cancel() == 0);
    CHECK(cancellation.cancelled());
    const util::CancellationScope late(&cancellation, [&] { ++runs; });
    CHECK(runs == 1);
  }
}
