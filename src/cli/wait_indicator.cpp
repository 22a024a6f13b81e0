// SPDX-License-Identifier: MIT
#include "cli/wait_indicator.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace oauthctl::cli {

namespace {

// Braille frames: one cell wide in every UTF-8 terminal.
constexpr std::array<std::string_view, 10> k_frames{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

std::string format_left(std::chrono::seconds left) {
  const auto s = std::max<long long>(0, left.count());
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

} // namespace

WaitIndicator::WaitIndicator(std::ostream& out, Animate animate, std::string message,
                             std::chrono::seconds timeout)
    : m_out(out), m_message(std::move(message)), m_deadline(std::chrono::steady_clock::now() + timeout) {
  if (animate == Animate::no) {
    m_out << "oauthctl: " << m_message << fmt::format(" (up to {})", format_left(timeout)) << '\n'
          << std::flush;
    return;
  }
  m_thread = std::thread([this] { run(); });
}

WaitIndicator::~WaitIndicator() {
  if (!m_thread.joinable()) {
    return;
  }
  {
    const std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_thread.join();
  // Erase the spinner line so what follows starts clean (ANSI EL, "erase in line").
  m_out << "\r\033[2K" << std::flush;
}

std::string WaitIndicator::render(const std::string& message, int frame, std::chrono::seconds left) {
  return fmt::format("{} {} ({} left, Ctrl-C to stop)",
                     k_frames[static_cast<std::size_t>(frame) % k_frames.size()], message, format_left(left));
}

void WaitIndicator::run() {
  std::unique_lock lock(m_mutex);
  for (int frame = 0; !m_stop; ++frame) {
    const auto left =
      std::chrono::duration_cast<std::chrono::seconds>(m_deadline - std::chrono::steady_clock::now());
    m_out << "\r\033[2K" << render(m_message, frame, left) << std::flush;
    m_wake.wait_for(lock, std::chrono::milliseconds(100), [this] { return m_stop; });
  }
}

} // namespace oauthctl::cli
