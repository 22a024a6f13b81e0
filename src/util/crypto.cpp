// SPDX-License-Identifier: MIT
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace oauthctl::util {

namespace {

[[noreturn]] void random_failed() {
  std::fputs("oauthctl: internal error: the random generator failed\n", stderr);
  std::abort();
}

void fill_random(unsigned char* out, std::size_t count) {
  if (count > 0 && RAND_bytes(out, static_cast<int>(count)) != 1) {
    random_failed();
  }
}

// Small requests (token ids, session ids, codes: 16 to 32 bytes) are served from a
// per-thread block of RAND_bytes output. Each RAND_bytes call costs a getpid() system call
// (OpenSSL 3's fork check) and a DRBG round: about 2 us of CPU for 16 bytes against 0.07 us
// per 16 bytes of a 512-byte block (bench/transport.sh: one of the four system calls of a
// client_credentials token). The bytes are the same generator's output, each handed out
// once and wiped from the block as it is; the block only holds bytes no caller has seen,
// as the generator's own state does. A fork (pthread_atfork) invalidates every block, so
// a child never repeats what its parent hands out.
constexpr std::size_t k_block_size = 512;
constexpr std::size_t k_largest_pooled = 64;

std::atomic<unsigned> g_fork_generation{0};

struct RandomBlock {
  std::array<unsigned char, k_block_size> bytes{};
  std::size_t used = k_block_size;
  unsigned generation = 0;
  RandomBlock() = default;
  RandomBlock(const RandomBlock&) = delete;
  RandomBlock& operator=(const RandomBlock&) = delete;
  ~RandomBlock() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

void take_pooled(unsigned char* out, std::size_t count) {
  static const int registered = pthread_atfork(nullptr, nullptr, [] { g_fork_generation.fetch_add(1); });
  static_cast<void>(registered);
  thread_local RandomBlock block;
  const auto generation = g_fork_generation.load(std::memory_order_relaxed);
  if (block.generation != generation || block.used + count > block.bytes.size()) {
    fill_random(block.bytes.data(), block.bytes.size());
    block.used = 0;
    block.generation = generation;
  }
  unsigned char* taken = block.bytes.data() + block.used;
  std::memcpy(out, taken, count);
  OPENSSL_cleanse(taken, count);
  block.used += count;
}

} // namespace

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  auto* data = reinterpret_cast<unsigned char*>(out.data());
  if (count <= k_largest_pooled) {
    take_pooled(data, count);
  } else {
    fill_random(data, count);
  }
  return out;
}

std::string random_token(std::size_t bytes) {
  return base64url_encode(random_bytes(bytes));
}

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &length, EVP_sha256(),
             nullptr);
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), reinterpret_cast<unsigned char*>(out.data()), &length);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(std::string_view data) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const char c : data) {
    out += k_digits[(static_cast<unsigned char>(c) >> 4) & 0xF];
    out += k_digits[static_cast<unsigned char>(c) & 0xF];
  }
  return out;
}

} // namespace oauthctl::util
