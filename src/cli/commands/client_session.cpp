// SPDX-License-Identifier: MIT
#include "cli/commands/client_session.hpp"

#include "cli/interrupt_watcher.hpp"

#include <fmt/format.h>

#include <optional>

namespace oauthctl::cli {

util::Result<const oauth::GrantInfo*> resolve_grant(std::string_view name) {
  const auto* grant = oauth::find_grant(name);
  if (grant == nullptr) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("unknown grant \"{}\" (valid: {})", name, oauth::grant_names()));
  }
  if (grant->run == nullptr) {
    return util::fail(util::ErrorKind::usage, fmt::format("grant {} is not implemented yet", grant->name));
  }
  return grant;
}

util::Result<void> check_grant_inputs(oauth::GrantType grant, const oauth::ClientConfig& config) {
  using oauth::GrantType;
  const auto missing = [](const char* what) { return util::fail(util::ErrorKind::usage, what); };
  switch (grant) {
    case GrantType::password:
      if (config.password.username.empty()) {
        return missing("missing --username (or OAUTHCTL_USERNAME) for --grant password");
      }
      if (config.password.password.empty() && !config.password.prompt) {
        return missing("missing password: set OAUTHCTL_PASSWORD, pass --password - to read it from stdin, "
                       "or run on a terminal to be asked");
      }
      break;
    case GrantType::refresh_token:
      if (config.refresh_token.empty()) {
        return missing("missing --refresh-token (or OAUTHCTL_REFRESH_TOKEN; '-' reads it from stdin)");
      }
      break;
    case GrantType::token_exchange:
      if (config.exchange.subject_token.empty()) {
        return missing("missing --subject-token (or OAUTHCTL_SUBJECT_TOKEN; '-' reads it from stdin)");
      }
      break;
    case GrantType::jwt_bearer:
      if (config.assertion.assertion.empty() && config.assertion.assertion_key_pem.empty()) {
        return missing("--grant jwt_bearer needs --assertion JWT (or '-' for stdin, or OAUTHCTL_ASSERTION), "
                       "or --assertion-key FILE to sign one");
      }
      break;
    default:
      break;
  }
  return {};
}

ClientSession::ClientSession(const ResolvedClient& resolved, Io& io, Narration narration, ShowSecrets secrets,
                             std::ostream& trace, std::ostream* curl)
    : m_resolved(resolved),
      m_observer(trace, io.err, narration, secrets, &trace == &io.out ? Style::for_stdout(io) : Style(false),
                 io.err_is_tty ? Animate::yes : Animate::no),
      m_curl(curl != nullptr ? std::make_unique<CurlPrinter>(*curl) : nullptr),
      m_fanout(m_observer, m_curl.get()), m_client(http::make_curl_client(resolved.http, &m_fanout)) {
  if (narration == Narration::trace) {
    // -v: where the server and each credential came from, before the first request.
    for (const auto& origin : resolved.origins) {
      m_observer.note(origin);
    }
  }
  for (const auto& warning : resolved.warnings) {
    m_observer.on_warning(warning);
  }
  if (resolved.http.verify_tls == http::VerifyTls::no) {
    m_observer.on_warning(
      "--insecure: TLS certificates are not verified; anyone on the path can read the secrets");
  }
}

util::Result<oauth::ServerMetadata> ClientSession::metadata(oauth::Discovery mode) {
  return oauth::resolve_metadata(*m_client, m_resolved.config, mode);
}

util::Result<oauth::TokenResponse> ClientSession::obtain_token(const oauth::ServerMetadata& metadata,
                                                               const oauth::GrantInfo& grant) {
  const bool redirect_grant = grant.grant == oauth::GrantType::authorization_code ||
                              grant.grant == oauth::GrantType::implicit ||
                              grant.grant == oauth::GrantType::device_code;
  if (redirect_grant && m_resolved.redirect_profile_error) {
    return tl::unexpected(*m_resolved.redirect_profile_error);
  }
  const oauth::FlowContext context{*m_client, m_resolved.config, metadata, m_observer, &m_cancellation};
  // Only the grants that wait for the user need Ctrl-C turned into a clean stop (the
  // listener closed, exit 130); the others keep SIGINT's default.
  std::optional<InterruptWatcher> watcher;
  if (grant.grant == oauth::GrantType::authorization_code || grant.grant == oauth::GrantType::implicit ||
      grant.grant == oauth::GrantType::device_code) {
    watcher.emplace(m_cancellation);
  }
  return oauth::run_grant(context, grant.grant);
}

} // namespace oauthctl::cli
