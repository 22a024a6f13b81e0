// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/client_config.hpp>
#include <oauthctl/oauth/metadata.hpp>
#include <oauthctl/oauth/token_response.hpp>
#include <oauthctl/util/cancellation.hpp>

#include <chrono>
#include <string_view>

namespace oauthctl::oauth {

// Told what a grant is doing, step by step; the CLI prints it (`flow`, `-v`). HTTP
// exchanges arrive separately through http::ExchangeObserver.
class FlowObserver {
public:
  virtual ~FlowObserver() = default;
  // A new step begins: a short title ("Token request") and a line of detail.
  virtual void on_step(std::string_view title, std::string_view detail) = 0;
  // Something the user should know but that does not stop the flow.
  virtual void on_warning(std::string_view message) = 0;
  // Something the user must do now ("Open this URL in a browser: ..."); always shown,
  // even when steps are not.
  virtual void on_instruction(std::string_view message) { on_warning(message); }
  // The grant starts waiting for the user (`what`: "the browser at http://..."), for at
  // most `timeout`; the CLI shows a wait indicator. on_wait_done() follows, whatever
  // the outcome.
  virtual void on_waiting(std::string_view what, std::chrono::seconds timeout) {
    static_cast<void>(what);
    static_cast<void>(timeout);
  }
  virtual void on_wait_done() {}
};

// A FlowObserver that ignores everything.
class SilentFlowObserver final : public FlowObserver {
public:
  void on_step(std::string_view, std::string_view) override {}
  void on_warning(std::string_view) override {}
};

// What every grant runs with.
struct FlowContext {
  http::Client& client;
  const ClientConfig& config;
  const ServerMetadata& metadata;
  FlowObserver& observer;
  // Cancelled when the user interrupts (Ctrl-C); a grant waiting for the browser stops
  // waiting and fails with `interrupted`. Null: nothing can interrupt.
  util::Cancellation* cancellation = nullptr;
};

} // namespace oauthctl::oauth
