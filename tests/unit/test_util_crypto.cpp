// SPDX-License-Identifier: MIT
// The random bytes every secret and token id comes from (served from a per-thread block
// of RAND_bytes output for small requests), and the prepared HMAC key of the server's
// credential cache.
#include <oauthctl/util/crypto.hpp>
#include <oauthctl/util/hmac_key.hpp>

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace oauthctl::util;

namespace {

// RFC 4231 test vectors are given in hex.
std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

// Distinct 16-byte values out of `count` draws of `size` bytes (their first 16 bytes).
std::size_t distinct_draws(std::size_t size, std::size_t count) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < count; ++i) {
    const auto bytes = random_bytes(size);
    REQUIRE(bytes.size() == size);
    seen.insert(bytes.substr(0, 16));
  }
  return seen.size();
}

} // namespace

TEST_SUITE("util") {
  TEST_CASE("random_bytes never repeats, whatever the size and across block boundaries") {
    // 16 and 32 bytes as token ids and secrets use; 24 and 48 do not divide the block
    // size, so draws straddle the refill; 65 and 4096 bypass the block.
    for (const std::size_t size : {16, 24, 32, 48, 64, 65, 4096}) {
      CAPTURE(size);
      CHECK(distinct_draws(size, 2000) == 2000);
    }
    CHECK(random_bytes(0).empty());
    // Not all zero (a block wiped but not refilled would hand out zeros).
    const auto sample = random_bytes(32);
    CHECK(sample != std::string(32, '\0'));
  }

  TEST_CASE("random_bytes from several threads at once hands each value out once") {
    constexpr std::size_t k_threads = 4;
    constexpr std::size_t k_draws = 3000;
    std::mutex mutex;
    std::set<std::string> seen;
    std::size_t total = 0;
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < k_threads; ++t) {
      threads.emplace_back([&] {
        std::vector<std::string> mine;
        for (std::size_t i = 0; i < k_draws; ++i) {
          mine.push_back(random_bytes(16));
        }
        const std::lock_guard lock(mutex);
        total += mine.size();
        seen.insert(mine.begin(), mine.end());
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    CHECK(total == k_threads * k_draws);
    CHECK(seen.size() == total);
  }

  TEST_CASE("random_bytes in a forked child differs from what the parent draws next") {
    // Both have the same block in memory after fork(); the child must not hand out the
    // bytes the parent is about to.
    static_cast<void>(random_bytes(16)); // the block is filled before the fork
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      std::string drawn;
      for (int i = 0; i < 8; ++i) {
        drawn += random_bytes(16);
      }
      const auto written = ::write(fds[1], drawn.data(), drawn.size());
      ::_exit(written == static_cast<ssize_t>(drawn.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string parent;
    for (int i = 0; i < 8; ++i) {
      parent += random_bytes(16);
    }
    std::string from_child(parent.size(), '\0');
    std::size_t got = 0;
    while (got < from_child.size()) {
      const auto n = ::read(fds[0], from_child.data() + got, from_child.size() - got);
      if (n <= 0) {
        break;
      }
      got += static_cast<std::size_t>(n);
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(got == from_child.size());
    CHECK(WIFEXITED(status));
    for (std::size_t i = 0; i < parent.size(); i += 16) {
      CAPTURE(i);
      CHECK(parent.substr(i, 16) != from_child.substr(i, 16));
    }
  }

  TEST_CASE("HmacSha256Key matches RFC 4231 and hmac_sha256") {
    // RFC 4231 §4.2 (test case 1) and §4.7 (test case 6: a key longer than the block).
    const HmacSha256Key short_key(std::string(20, '\x0b'));
    CHECK(to_hex(short_key.mac("Hi There")) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    const HmacSha256Key long_key(std::string(131, '\xaa'));
    CHECK(to_hex(long_key.mac("Test Using Larger Than Block-Size Key - Hash Key First")) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(short_key.mac("Hi There") ==
          from_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
    // Every call starts from the keyed state: the same input gives the same MAC, and
    // one call leaves nothing behind for the next.
    const auto key = random_bytes(32);
    const HmacSha256Key prepared(key);
    const std::vector<std::string> inputs{"", "c:demo-client", std::string("a\0b", 3),
                                          std::string(5000, 'x')};
    for (const auto& data : inputs) {
      CHECK(prepared.mac(data) == hmac_sha256(key, data));
      CHECK(prepared.mac(data) == prepared.mac(data));
    }
    CHECK(prepared.mac("a") != prepared.mac("b"));
  }

  TEST_CASE("HmacSha256Key from several threads at once") {
    const auto key = random_bytes(32);
    const HmacSha256Key prepared(key);
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (std::size_t t = 0; t < wrong.size(); ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 500; ++i) {
          const auto data = "client-" + std::to_string(t) + "-" + std::to_string(i);
          if (prepared.mac(data) != hmac_sha256(key, data)) {
            ++wrong[t];
          }
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    CHECK(wrong == std::vector<int>(4, 0));
  }
}
