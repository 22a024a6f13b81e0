// SPDX-License-Identifier: MIT
#pragma once

// Shared by the fuzz targets: each defines LLVMFuzzerTestOneInput, which libFuzzer drives
// in the clang build (OAUTHCTL_FUZZ=ON) and replay_main.cpp drives from the committed
// corpus in every other build.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

// A property every input must keep; a violation aborts so both drivers report it.
#define FUZZ_CHECK(condition)                                                                                \
  do {                                                                                                       \
    if (!(condition)) {                                                                                      \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #condition);             \
      std::abort();                                                                                          \
    }                                                                                                        \
  } while (false)

namespace oauthctl::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` at the first '\n': (before, after); (text, "") when there is none.
inline std::pair<std::string_view, std::string_view> split_line(std::string_view text) {
  const auto newline = text.find('\n');
  if (newline == std::string_view::npos) {
    return {text, {}};
  }
  return {text.substr(0, newline), text.substr(newline + 1)};
}

} // namespace oauthctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
