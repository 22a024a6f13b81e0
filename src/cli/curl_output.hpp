// SPDX-License-Identifier: MIT
#pragma once

#include <oauthctl/http/client.hpp>
#include <oauthctl/http/message.hpp>

#include <ostream>
#include <string>
#include <string_view>

namespace oauthctl::cli {

// The shell variable that stands for the secret named `name` in `-o curl` output:
// client_secret -> OAUTHCTL_CLIENT_SECRET, code_verifier -> OAUTHCTL_CODE_VERIFIER.
std::string secret_variable(std::string_view name);

// `request` as one replayable curl command line (no newline): every part single-quoted
// for a POSIX shell, every secret (client secret, Basic credentials, bearer tokens,
// codes, verifiers, passwords, assertions) replaced by a "$OAUTHCTL_..." reference so
// the line can be shared and re-run with the variables set.
std::string format_curl(const http::Request& request);

// Prints each exchange's request as a curl command line on `out` (`-o curl`).
class CurlPrinter final : public http::ExchangeObserver {
public:
  explicit CurlPrinter(std::ostream& out) : m_out(out) {}
  void on_exchange(const http::Request& request, const util::Result<http::Response>& response) override;

private:
  std::ostream& m_out;
};

// Passes each exchange to `first` and then, when not null, to `second`.
class ExchangeFanout final : public http::ExchangeObserver {
public:
  ExchangeFanout(http::ExchangeObserver& first, http::ExchangeObserver* second)
      : m_first(first), m_second(second) {}
  void on_exchange(const http::Request& request, const util::Result<http::Response>& response) override {
    m_first.on_exchange(request, response);
    if (m_second != nullptr) {
      m_second->on_exchange(request, response);
    }
  }

private:
  http::ExchangeObserver& m_first;
  http::ExchangeObserver* m_second;
};

} // namespace oauthctl::cli
