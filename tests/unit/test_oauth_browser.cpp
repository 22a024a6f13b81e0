// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/browser.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

using namespace oauthctl;
namespace fs = std::filesystem;

namespace {

// Waits for the spawned fake browser to write its file (the launch is not waited for).
std::string read_when_written(const fs::path& path) {
  for (int i = 0; i < 300; ++i) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find('\n') != std::string::npos) {
      return text.str();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

} // namespace

TEST_SUITE("oauth") {
  TEST_CASE("open_browser") {
    SUBCASE("none runs nothing") {
      const auto launch = oauth::open_browser("none", "http://127.0.0.1:8080/auth/authorize?x=1");
      REQUIRE(launch.has_value());
      CHECK_FALSE(launch->launched);
    }
    SUBCASE("CMD gets the URL as its last argument, with no shell") {
      const auto dir = fs::temp_directory_path() / ("oauthctl-browser-" + std::to_string(::getpid()));
      fs::create_directories(dir);
      const auto script = dir / "fake-browser";
      {
        std::ofstream out(script);
        out << "#!/bin/sh\nprintf '%s|%s\\n' \"$#\" \"$2\" > \"$1\"\n";
      }
      fs::permissions(script, fs::perms::owner_all);
      const auto out = dir / "argv";
      const std::string url = "http://127.0.0.1:8080/auth/authorize?a=1&b=$(touch pwned);c='x' \"y\"";
      const auto launch = oauth::open_browser(script.string() + "  " + out.string(), url);
      REQUIRE(launch.has_value());
      CHECK(launch->launched);
      CHECK(launch->command == script.string());
      CHECK(read_when_written(out) == "2|" + url + "\n");
      CHECK_FALSE(fs::exists("pwned"));
      fs::remove_all(dir);
    }
    SUBCASE("a command that cannot run is a config error") {
      const auto launch = oauth::open_browser("/nonexistent/browser-xyz", "http://127.0.0.1/");
      REQUIRE_FALSE(launch.has_value());
      CHECK(launch.error().kind == util::ErrorKind::config);
    }
    SUBCASE("only http(s) URLs") {
      for (const std::string url :
           {"-remote-debugging-port=1", "file:///etc/passwd", "javascript:alert(1)"}) {
        const auto launch = oauth::open_browser("none", url);
        REQUIRE_FALSE(launch.has_value());
        CHECK(launch.error().kind == util::ErrorKind::usage);
      }
    }
  }
}
