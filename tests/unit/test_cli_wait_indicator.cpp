// SPDX-License-Identifier: MIT
#include "cli/wait_indicator.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <thread>

using namespace oauthctl::cli;

TEST_SUITE("cli.wait_indicator") {
  TEST_CASE("render") {
    CHECK(WaitIndicator::render("waiting for the browser", 0, std::chrono::seconds(125)) ==
          "⠋ waiting for the browser (2:05 left, Ctrl-C to stop)");
    CHECK(WaitIndicator::render("w", 11, std::chrono::seconds(-3)) == "⠙ w (0:00 left, Ctrl-C to stop)");
  }

  TEST_CASE("not a terminal: one plain line, nothing else") {
    std::ostringstream out;
    {
      const WaitIndicator indicator(out, Animate::no, "waiting for the browser at http://x",
                                    std::chrono::seconds(120));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(out.str() == "oauthctl: waiting for the browser at http://x (up to 2:00)\n");
  }

  TEST_CASE("a terminal: redrawn frames, erased at the end") {
    std::ostringstream out;
    {
      const WaitIndicator indicator(out, Animate::yes, "waiting", std::chrono::seconds(60));
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    const auto text = out.str();
    CHECK(text.find("⠋ waiting (") != std::string::npos);
    CHECK(text.find("⠙ waiting (") != std::string::npos);
    CHECK(text.size() >= 6);
    CHECK(text.substr(text.size() - 5) == "\r\033[2K");
    CHECK(text.find('\n') == std::string::npos);
  }
}
