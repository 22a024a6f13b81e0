// SPDX-License-Identifier: MIT
#pragma once

#include "cli/curl_output.hpp"
#include "cli/settings.hpp"
#include "cli/terminal_observer.hpp"

#include <oauthctl/http/client.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/metadata.hpp>

#include <memory>
#include <string_view>

namespace oauthctl::cli {

// The grant named `name`: `usage` error listing the valid names when there is none,
// or saying it is not implemented yet.
[[nodiscard]] util::Result<const oauth::GrantInfo*> resolve_grant(std::string_view name);

// What `grant` cannot run without (a username, a password or a way to ask for it, a
// refresh token, a subject token, an assertion), checked before the first request so the
// user is not told after discovery. `usage` error with the grant's own message.
[[nodiscard]] util::Result<void> check_grant_inputs(oauth::GrantType grant,
                                                    const oauth::ClientConfig& config);

// One client command's HTTP client and observer, wired as `resolved` and `narration` say.
class ClientSession {
public:
  // `curl`, when not null, receives every request as a curl command line (`-o curl`).
  ClientSession(const ResolvedClient& resolved, Io& io, Narration narration, ShowSecrets secrets,
                std::ostream& trace, std::ostream* curl = nullptr);

  [[nodiscard]] http::Client& client() { return *m_client; }
  [[nodiscard]] TerminalObserver& observer() { return m_observer; }

  // Discovery (or the --token-url override) for this session's config.
  [[nodiscard]] util::Result<oauth::ServerMetadata> metadata(oauth::Discovery mode);

  // Runs `grant` against `metadata`; Ctrl-C meanwhile makes a waiting grant fail with
  // `interrupted` (exit 130).
  [[nodiscard]] util::Result<oauth::TokenResponse> obtain_token(const oauth::ServerMetadata& metadata,
                                                                const oauth::GrantInfo& grant);

private:
  const ResolvedClient& m_resolved;
  TerminalObserver m_observer;
  std::unique_ptr<CurlPrinter> m_curl;
  ExchangeFanout m_fanout;
  std::unique_ptr<http::Client> m_client;
  util::Cancellation m_cancellation; // Ctrl-C while a grant waits for the browser
};

} // namespace oauthctl::cli
