// SPDX-License-Identifier: MIT
#include "cli/password_prompt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>

namespace oauthctl::cli {

namespace {

// What a signal handler needs to put the terminal back: set before the handlers are
// installed, cleared after they are removed. Only async-signal-safe calls touch them.
volatile std::sig_atomic_t g_tty_fd = -1;
termios g_saved_mode{};

constexpr std::array<int, 3> k_signals{SIGINT, SIGTERM, SIGHUP};

extern "C" void restore_terminal_and_reraise(int signal_number) {
  const int fd = g_tty_fd;
  if (fd >= 0) {
    tcsetattr(fd, TCSAFLUSH, &g_saved_mode);
    const char newline = '\n';
    [[maybe_unused]] const auto written = write(fd, &newline, 1);
  }
  // The default action now: Ctrl-C ends the process as SIGINT always does (exit 130).
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// Owns the terminal fd, its echo-off mode and the signal handlers for the prompt's span.
class NoEchoTerminal {
public:
  NoEchoTerminal() = default;
  NoEchoTerminal(const NoEchoTerminal&) = delete;
  NoEchoTerminal& operator=(const NoEchoTerminal&) = delete;

  bool open() {
    m_fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m_fd < 0 || tcgetattr(m_fd, &m_saved) != 0) {
      return false;
    }
    g_saved_mode = m_saved;
    g_tty_fd = m_fd;
    struct sigaction action {};
    action.sa_handler = restore_terminal_and_reraise;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < k_signals.size(); ++i) {
      m_installed[i] = sigaction(k_signals[i], &action, &m_previous[i]) == 0;
    }
    termios quiet = m_saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL | ICANON;
    m_echo_off = tcsetattr(m_fd, TCSAFLUSH, &quiet) == 0;
    return m_echo_off;
  }

  ~NoEchoTerminal() {
    if (m_fd < 0) {
      return;
    }
    if (m_echo_off) {
      tcsetattr(m_fd, TCSAFLUSH, &m_saved);
    }
    for (std::size_t i = 0; i < k_signals.size(); ++i) {
      if (m_installed[i]) {
        sigaction(k_signals[i], &m_previous[i], nullptr);
      }
    }
    g_tty_fd = -1;
    ::close(m_fd);
  }

  [[nodiscard]] int fd() const { return m_fd; }

private:
  int m_fd = -1;
  termios m_saved{};
  bool m_echo_off = false;
  std::array<struct sigaction, 3> m_previous{};
  std::array<bool, 3> m_installed{};
};

tl::unexpected<util::Error> no_terminal() {
  return util::fail(util::ErrorKind::usage,
                    "missing password and no terminal to ask on: set OAUTHCTL_PASSWORD, or pass --password - "
                    "to read it from stdin");
}

} // namespace

util::Result<std::string> prompt_password(std::string_view prompt) {
  NoEchoTerminal terminal;
  if (!terminal.open()) {
    return no_terminal();
  }
  if (write(terminal.fd(), prompt.data(), prompt.size()) < 0) {
    return no_terminal();
  }
  std::string line;
  // Wiped on the way out: the password lives only in the returned string.
  std::array<char, 256> buffer{};
  bool ended = false;
  while (!ended && line.size() < 4096) {
    const auto got = read(terminal.fd(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      break;
    }
    for (ssize_t i = 0; i < got; ++i) {
      if (buffer[static_cast<std::size_t>(i)] == '\n') {
        ended = true;
        break;
      }
      line += buffer[static_cast<std::size_t>(i)];
    }
  }
  buffer.fill('\0');
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  if (line.empty()) {
    return util::fail(util::ErrorKind::usage, "no password entered");
  }
  return line;
}

} // namespace oauthctl::cli
