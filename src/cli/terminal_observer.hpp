// SPDX-License-Identifier: MIT
#pragma once

#include "cli/output.hpp"
#include "cli/wait_indicator.hpp"

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/flow.hpp>

#include <iosfwd>
#include <memory>
#include <string_view>

namespace oauthctl::cli {

enum class ShowSecrets { no, yes };

// How much a TerminalObserver says.
enum class Narration {
  silent,    // nothing but instructions (the URL to open) and errors: `token --quiet`
  quiet,     // warnings only (on stderr)
  trace,     // -v: steps and every exchange, compactly, on the trace stream (stderr)
  narrative, // flow: numbered steps and every exchange in full, on the trace stream (stdout)
};

// Prints what the core reports (ninja's StatusPrinter): HTTP exchanges redacted unless
// `secrets` is yes, steps as headings, warnings always on `warnings`.
class TerminalObserver final : public http::ExchangeObserver, public oauth::FlowObserver {
public:
  // `animate`: whether the warnings stream is a terminal, where a wait shows a spinner.
  TerminalObserver(std::ostream& trace, std::ostream& warnings, Narration narration, ShowSecrets secrets,
                   Style style, Animate animate = Animate::no);
  TerminalObserver(const TerminalObserver&) = delete;
  TerminalObserver& operator=(const TerminalObserver&) = delete;
  ~TerminalObserver() override;

  void on_exchange(const http::Request& request, const util::Result<http::Response>& response) override;
  void on_step(std::string_view title, std::string_view detail) override;
  void on_warning(std::string_view message) override;
  // Always printed on the warnings stream (stderr), without a prefix.
  void on_instruction(std::string_view message) override;
  // A WaitIndicator on the warnings stream until on_wait_done (none when silent).
  void on_waiting(std::string_view what, std::chrono::seconds timeout) override;
  void on_wait_done() override;

  // Prints a line of detail under the current step (narrative and trace only).
  void note(std::string_view text);
  // `flow --brief`: each exchange as its request line and status only, no headers or bodies.
  void set_brief(bool brief) { m_brief = brief; }
  // `flow` on a terminal: the discovery documents' and JWK Sets' bodies are summed up in
  // one line (they are long and rarely the point); `--full` shows them.
  void set_collapse_documents(bool collapse) { m_collapse_documents = collapse; }
  [[nodiscard]] const Style& style() const { return m_style; }
  [[nodiscard]] bool shows_secrets() const { return m_secrets == ShowSecrets::yes; }

private:
  void print_body(std::string_view prefix, const std::string& body, const std::string& content_type);
  // Output during a wait (a device grant's polls) first erases the spinner, which is drawn
  // again afterwards with the time still left; the plain line off a TTY stays as it is.
  void pause_wait();
  void resume_wait();
  class PausedWait {
  public:
    explicit PausedWait(TerminalObserver& observer);
    PausedWait(const PausedWait&) = delete;
    PausedWait& operator=(const PausedWait&) = delete;
    ~PausedWait();

  private:
    TerminalObserver& m_observer;
  };

  std::ostream& m_trace;
  std::ostream& m_warnings;
  Narration m_narration;
  ShowSecrets m_secrets;
  Style m_style;
  Animate m_animate;
  std::unique_ptr<WaitIndicator> m_wait;
  bool m_wait_paused = false;
  std::string m_wait_what;
  std::chrono::steady_clock::time_point m_wait_deadline;
  int m_step = 0;
  bool m_brief = false;
  bool m_collapse_documents = false;
};

} // namespace oauthctl::cli
