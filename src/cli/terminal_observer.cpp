// SPDX-License-Identifier: MIT
#include "cli/terminal_observer.hpp"

#include <oauthctl/http/redacted.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>

namespace oauthctl::cli {

namespace {

// A trace is for reading, not archiving: long bodies (a Bundle, say) are cut.
constexpr std::size_t k_max_body_shown = 4096;
constexpr std::size_t k_max_lines_shown = 40;

// Server-controlled text must not drive the terminal: escape sequences are dropped.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 && c != '\n' && c != '\t') || u == 0x7F ? '?' : c;
  }
  return out;
}

// Discovery documents and JWK Sets: long, and the same on every run.
bool is_document_url(std::string_view url) {
  const auto path = url.substr(0, url.find('?'));
  return path.find("/.well-known/") != std::string_view::npos || path.find("jwks") != std::string_view::npos;
}

} // namespace

TerminalObserver::TerminalObserver(std::ostream& trace, std::ostream& warnings, Narration narration,
                                   ShowSecrets secrets, Style style, Animate animate)
    : m_trace(trace), m_warnings(warnings), m_narration(narration), m_secrets(secrets), m_style(style),
      m_animate(animate) {}

TerminalObserver::~TerminalObserver() = default;

void TerminalObserver::on_waiting(std::string_view what, std::chrono::seconds timeout) {
  m_wait.reset();
  if (m_narration == Narration::silent) {
    return;
  }
  m_warnings << std::flush;
  m_wait = std::make_unique<WaitIndicator>(m_warnings, m_animate, std::string(what), timeout);
  m_wait_what = std::string(what);
  m_wait_deadline = std::chrono::steady_clock::now() + timeout;
}

void TerminalObserver::on_wait_done() {
  m_wait.reset();
  m_wait_paused = false;
}

TerminalObserver::PausedWait::PausedWait(TerminalObserver& observer) : m_observer(observer) {
  m_observer.pause_wait();
}

TerminalObserver::PausedWait::~PausedWait() {
  m_observer.resume_wait();
}

void TerminalObserver::pause_wait() {
  if (m_wait && m_animate == Animate::yes) {
    m_wait.reset();
    m_wait_paused = true;
  }
}

void TerminalObserver::resume_wait() {
  if (!m_wait_paused) {
    return;
  }
  m_wait_paused = false;
  const auto left =
    std::chrono::duration_cast<std::chrono::seconds>(m_wait_deadline - std::chrono::steady_clock::now());
  m_wait = std::make_unique<WaitIndicator>(m_warnings, m_animate, m_wait_what,
                                           std::max(left, std::chrono::seconds(0)));
}

void TerminalObserver::on_step(std::string_view title, std::string_view detail) {
  if (m_narration == Narration::quiet || m_narration == Narration::silent) {
    return;
  }
  const PausedWait paused(*this);
  if (m_narration == Narration::trace) {
    m_trace << "* " << title << (detail.empty() ? "" : ": ") << printable(detail) << '\n';
    return;
  }
  ++m_step;
  m_trace << (m_step > 1 ? "\n" : "") << m_style.bold(fmt::format("{}. {}", m_step, title)) << '\n';
  if (!detail.empty()) {
    m_trace << "   " << printable(detail) << '\n';
  }
}

void TerminalObserver::note(std::string_view text) {
  if (m_narration == Narration::quiet || m_narration == Narration::silent) {
    return;
  }
  const PausedWait paused(*this);
  m_trace << (m_narration == Narration::trace ? "* " : "   ") << printable(text) << '\n';
}

void TerminalObserver::on_warning(std::string_view message) {
  if (m_narration == Narration::silent) {
    return; // --quiet: errors only
  }
  const PausedWait paused(*this);
  m_warnings << "oauthctl: warning: " << printable(message) << '\n' << std::flush;
}

void TerminalObserver::on_instruction(std::string_view message) {
  const PausedWait paused(*this);
  // The user acts on it (opens the URL), so it is shown whatever the narration level.
  m_warnings << printable(message) << '\n' << std::flush;
}

void TerminalObserver::print_body(std::string_view prefix, const std::string& body,
                                  const std::string& content_type) {
  if (body.empty()) {
    return;
  }
  std::string shown = body;
  if (m_narration == Narration::narrative && content_type.find("json") != std::string::npos) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_discarded()) {
      shown = parsed.dump(2);
    }
  }
  std::string tail;
  if (shown.size() > k_max_body_shown) {
    tail = fmt::format("... ({} more bytes)", shown.size() - k_max_body_shown);
    shown.resize(k_max_body_shown);
  }
  if (m_narration == Narration::narrative) {
    // A pretty-printed Bundle runs to hundreds of lines; the summary below says the rest.
    std::size_t lines = 0;
    for (std::size_t i = 0; i < shown.size(); ++i) {
      if (shown[i] == '\n' && ++lines == k_max_lines_shown) {
        tail = fmt::format("... ({} more lines)", std::count(shown.begin() + long(i), shown.end(), '\n'));
        shown.resize(i);
        break;
      }
    }
  }
  m_trace << prefix << '\n';
  std::size_t pos = 0;
  while (pos <= shown.size()) {
    const auto end = std::min(shown.find('\n', pos), shown.size());
    m_trace << prefix << ' ' << printable(std::string_view(shown).substr(pos, end - pos)) << '\n';
    pos = end + 1;
  }
  if (!tail.empty()) {
    m_trace << prefix << ' ' << m_style.dim(tail) << '\n';
  }
}

void TerminalObserver::on_exchange(const http::Request& request,
                                   const util::Result<http::Response>& response) {
  if (m_narration == Narration::quiet || m_narration == Narration::silent) {
    return;
  }
  const PausedWait paused(*this);
  const auto shown_request = m_secrets == ShowSecrets::yes ? request : http::redacted(request);
  const auto out = m_style.cyan(">");
  const auto in = m_style.cyan("<");
  m_trace << out << ' ' << m_style.bold(shown_request.method) << ' ' << printable(shown_request.url) << '\n';
  if (!m_brief) {
    for (const auto& [name, value] : shown_request.headers.fields()) {
      m_trace << out << ' ' << printable(name) << ": " << printable(value) << '\n';
    }
    print_body(out, shown_request.body, shown_request.headers.get("Content-Type").value_or(""));
  }
  if (!response) {
    m_trace << m_style.red("! " + printable(response.error().message)) << '\n';
    return;
  }
  const auto shown = m_secrets == ShowSecrets::yes ? *response : http::redacted(*response);
  const auto status = fmt::format("HTTP {}", shown.status);
  const auto coloured = shown.status < 300   ? m_style.green(status)
                        : shown.status < 400 ? m_style.yellow(status)
                                             : m_style.red(status);
  m_trace << in << ' ' << coloured << ' ' << m_style.dim(fmt::format("({:.1f} ms)", shown.elapsed_ms))
          << '\n';
  if (m_brief) {
    m_trace << std::flush;
    return;
  }
  if (m_collapse_documents && shown.status == 200 && is_document_url(request.url)) {
    const auto lines = std::count(shown.body.begin(), shown.body.end(), '\n') + 1;
    m_trace << in << ' '
            << m_style.dim(
                 fmt::format("({} bytes, {} line{} of {}: collapsed; --full shows it)", shown.body.size(),
                             lines, lines == 1 ? "" : "s",
                             request.url.find("jwks") != std::string::npos ? "JWK Set" : "metadata"))
            << '\n'
            << std::flush;
    return;
  }
  for (const auto& [name, value] : shown.headers.fields()) {
    m_trace << in << ' ' << printable(name) << ": " << printable(value) << '\n';
  }
  print_body(in, shown.body, shown.headers.get("Content-Type").value_or(""));
  m_trace << std::flush;
}

} // namespace oauthctl::cli
