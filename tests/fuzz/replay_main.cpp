// SPDX-License-Identifier: MIT
// The driver of the fuzz targets in builds without libFuzzer (gcc, the ASan+UBSan tree):
// runs every file of the corpus directories given as arguments, then a fixed number of
// deterministic pseudo-random mutations of each, so ctest replays the corpus and explores
// a little around it on every run. A crashing input is written to
// fuzz-crash-<target>.bin in the working directory before the process dies.
//
//   fuzz_<target> CORPUS_DIR... [--mutations N]   (OAUTHCTL_FUZZ_MUTATIONS also sets N)

#include "fuzz_support.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

// The input being run, for the crash file; sized once so the signal handler never allocates.
std::string g_current;
char g_crash_path[4096] = "fuzz-crash.bin";

void write_current_input() {
  if (FILE* file = std::fopen(g_crash_path, "wb")) {
    std::fwrite(g_current.data(), 1, g_current.size(), file);
    std::fclose(file);
    std::fprintf(stderr, "fuzz replay: the failing input is in %s\n", g_crash_path);
  }
}

extern "C" void on_fatal_signal(int signal) {
  write_current_input();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// xorshift64*: the same mutations on every run and every machine.
class Rng {
public:
  explicit Rng(std::uint64_t seed) : m_state(seed | 1) {}
  std::uint64_t next() {
    m_state ^= m_state >> 12;
    m_state ^= m_state << 25;
    m_state ^= m_state >> 27;
    return m_state * 0x2545F4914F6CDD1DULL;
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

private:
  std::uint64_t m_state;
};

// Bytes that tend to matter to the parsers under test.
constexpr std::array<std::string_view, 40> k_tokens = {"%",      "%00",    "%zz",
                                                       "%2",     "+",      "=",
                                                       "&",      "\"",     "\\",
                                                       "\\u",    "\\u00",  ".",
                                                       ":",      "/",      "//",
                                                       "@",      "[",      "]",
                                                       "#",      "?",      "\n",
                                                       "\r\n",   "\t",     " ",
                                                       "{",      "}",      ",",
                                                       "null",   "1e999",  "-1",
                                                       "\xff",   "\xc3",   std::string_view("\0", 1),
                                                       "eyJ",    "[::1]",  "127.0.0.1",
                                                       "'''",    "\"\"\"", "Basic ",
                                                       "http://"};

std::string mutate(std::string input, const std::vector<std::string>& seeds, Rng& rng) {
  const auto rounds = 1 + rng.below(4);
  for (std::size_t round = 0; round < rounds; ++round) {
    const auto at = rng.below(input.size() + 1);
    switch (rng.below(8)) {
      case 0: // flip one bit
        if (!input.empty()) {
          input[rng.below(input.size())] ^= static_cast<char>(1u << rng.below(8));
        }
        break;
      case 1: // set a random byte
        if (!input.empty()) {
          input[rng.below(input.size())] = static_cast<char>(rng.below(256));
        }
        break;
      case 2: // insert a random byte
        input.insert(at, 1, static_cast<char>(rng.below(256)));
        break;
      case 3: // delete a range
        input.erase(at, 1 + rng.below(16));
        break;
      case 4: { // duplicate a range
        const auto from = rng.below(input.size() + 1);
        const auto piece = input.substr(from, 1 + rng.below(32));
        input.insert(at, piece);
        break;
      }
      case 5: { // insert a token
        const auto token = k_tokens[rng.below(k_tokens.size())];
        input.insert(at, token.data(), token.size());
        break;
      }
      case 6: { // splice in part of another seed
        const auto& other = seeds[rng.below(seeds.size())];
        const auto from = rng.below(other.size() + 1);
        input.insert(at, other.substr(from, 1 + rng.below(64)));
        break;
      }
      default: // truncate
        input.resize(at);
        break;
    }
  }
  return input;
}

void run(const std::string& input) {
  g_current = input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(g_current.data()), g_current.size());
}

} // namespace

int main(int argc, char** argv) {
  std::size_t mutations = 1000;
  if (const char* env = std::getenv("OAUTHCTL_FUZZ_MUTATIONS")) {
    mutations = std::strtoul(env, nullptr, 10);
  }
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::strtoul(argv[++i], nullptr, 10);
    } else if (fs::is_directory(argv[i])) {
      for (const auto& entry : fs::directory_iterator(argv[i])) {
        if (entry.is_regular_file()) {
          files.push_back(entry.path());
        }
      }
    } else if (fs::is_regular_file(argv[i])) {
      files.emplace_back(argv[i]);
    } else {
      std::cerr << "usage: " << argv[0] << " CORPUS_DIR_OR_FILE... [--mutations N]\n";
      return 2;
    }
  }
  if (files.empty()) {
    std::cerr << argv[0] << ": no corpus files given\n";
    return 2;
  }
  std::sort(files.begin(), files.end());

  const auto target = fs::path(argv[0]).filename().string();
  std::snprintf(g_crash_path, sizeof g_crash_path, "fuzz-crash-%s.bin", target.c_str());
  if (__sanitizer_set_death_callback != nullptr) {
    __sanitizer_set_death_callback(write_current_input);
  }
  std::signal(SIGABRT, on_fatal_signal);
  std::signal(SIGSEGV, on_fatal_signal);
  std::signal(SIGFPE, on_fatal_signal);

  std::vector<std::string> seeds;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  g_current.reserve(1 << 16);
  run(std::string());
  std::size_t runs = 1;
  Rng rng(0x6f61757468637431ULL); // "oauthct1"
  for (const auto& seed : seeds) {
    run(seed);
    ++runs;
    for (std::size_t i = 0; i < mutations; ++i) {
      run(mutate(seed, seeds, rng));
      ++runs;
    }
  }
  std::cout << target << ": " << seeds.size() << " corpus files, " << runs << " inputs, no failure\n";
  return 0;
}
