// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/browser.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;

namespace oauthctl::oauth {

namespace {

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
      ++i;
    }
    const auto start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      ++i;
    }
    if (i > start) {
      words.emplace_back(text.substr(start, i - start));
    }
  }
  return words;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) {
    return false;
  }
  std::string_view rest = path;
  while (true) {
    const auto colon = rest.find(':');
    const auto dir = rest.substr(0, colon);
    if (!dir.empty()) {
      std::error_code ec;
      const auto candidate = std::filesystem::path(dir) / program;
      if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
        return true;
      }
    }
    if (colon == std::string_view::npos) {
      return false;
    }
    rest = rest.substr(colon + 1);
  }
}

// Starts `argv` without a shell, so nothing in the URL (';', '&', '$(...)') can ever be
// interpreted; the child is reaped in the background because browsers may run for hours.
std::optional<std::string> spawn(const std::vector<std::string>& argv) {
  std::vector<char*> raw;
  raw.reserve(argv.size() + 1);
  for (const auto& arg : argv) {
    raw.push_back(const_cast<char*>(arg.c_str()));
  }
  raw.push_back(nullptr);
  // stdout carries only oauthctl's result (a token a script captures), so whatever the
  // browser prints goes to stderr; stdin stays ours for prompts.
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  ::posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, raw[0], &actions, nullptr, raw.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return std::string(std::strerror(rc));
  }
  std::thread([pid] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }).detach();
  return std::nullopt;
}

} // namespace

util::Result<BrowserLaunch> open_browser(std::string_view browser_option, const std::string& url) {
  // The URL is passed as one argv element; one that began with '-' could be read as an
  // option by the browser, so only http(s) URLs are handed over.
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return util::fail(util::ErrorKind::usage, "only http(s) URLs are opened in a browser");
  }
  if (browser_option == "none") {
    return BrowserLaunch{};
  }
  if (!browser_option.empty()) {
    auto argv = split_words(browser_option);
    if (argv.empty()) {
      return util::fail(util::ErrorKind::config, "--browser needs a command or 'none'");
    }
    argv.push_back(url);
    if (const auto failure = spawn(argv)) {
      return util::fail(util::ErrorKind::config,
                        fmt::format("cannot run the browser command '{}': {}", argv.front(), *failure));
    }
    return BrowserLaunch{true, argv.front()};
  }

  // $BROWSER as Python's webbrowser and xdg-utils read it: a ':'-separated list of
  // commands, each given the URL in place of '%s' or as its last argument.
  if (const char* env = std::getenv("BROWSER"); env != nullptr && *env != '\0') {
    std::string_view rest = env;
    while (true) {
      const auto colon = rest.find(':');
      auto argv = split_words(rest.substr(0, colon));
      if (!argv.empty()) {
        bool substituted = false;
        for (auto& arg : argv) {
          if (const auto at = arg.find("%s"); at != std::string::npos) {
            arg.replace(at, 2, url);
            substituted = true;
          }
        }
        if (!substituted) {
          argv.push_back(url);
        }
        if (!spawn(argv)) {
          return BrowserLaunch{true, argv.front()};
        }
      }
      if (colon == std::string_view::npos) {
        break;
      }
      rest = rest.substr(colon + 1);
    }
  }
  // `open` is macOS's opener; on Debian the same name is openvt, so it is not tried there.
#ifdef __APPLE__
  const std::string program = "open";
#else
  const std::string program = "xdg-open";
#endif
  if (on_path(program) && !spawn({program, url})) {
    return BrowserLaunch{true, program};
  }
  return BrowserLaunch{};
}

} // namespace oauthctl::oauth
