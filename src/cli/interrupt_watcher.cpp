// SPDX-License-Identifier: MIT
#include "cli/interrupt_watcher.hpp"

#include "cli/exit_codes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>

namespace oauthctl::cli {

namespace {

// The write end of the active watcher's pipe; the handler may only do async-signal-safe
// things, so it writes one byte and the watcher thread does the rest.
std::atomic<int> g_signal_fd{-1};

constexpr char k_interrupt = 'i';
constexpr char k_quit = 'q';

extern "C" void on_sigint(int /*signal*/) {
  const int saved_errno = errno;
  const int fd = g_signal_fd.load();
  if (fd >= 0) {
    const char byte = k_interrupt;
    [[maybe_unused]] const auto written = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

} // namespace

InterruptWatcher::InterruptWatcher(util::Cancellation& cancellation) : m_cancellation(cancellation) {
  if (g_signal_fd.load() >= 0 || ::pipe2(m_pipe, O_CLOEXEC) != 0) {
    return;
  }
  g_signal_fd.store(m_pipe[1]);
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &m_previous);
  m_installed = true;
  m_thread = std::thread([this] { watch(); });
}

InterruptWatcher::~InterruptWatcher() {
  if (!m_installed) {
    return;
  }
  ::sigaction(SIGINT, &m_previous, nullptr);
  g_signal_fd.store(-1);
  const char byte = k_quit;
  [[maybe_unused]] const auto written = ::write(m_pipe[1], &byte, 1);
  m_thread.join();
  ::close(m_pipe[0]);
  ::close(m_pipe[1]);
}

void InterruptWatcher::watch() {
  bool interrupted = false;
  for (;;) {
    char byte = 0;
    const auto got = ::read(m_pipe[0], &byte, 1);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0 || byte == k_quit) {
      return;
    }
    // Nothing to wake (the grant is not waiting on anything we can stop), or the user
    // pressed Ctrl-C twice: exit as SIGINT's default would, with 130.
    if (interrupted || m_cancellation.cancel() == 0) {
      std::_Exit(k_exit_interrupted);
    }
    interrupted = true;
  }
}

} // namespace oauthctl::cli
