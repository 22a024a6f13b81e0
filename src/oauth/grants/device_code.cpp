// SPDX-License-Identifier: MIT
#include "oauth/grants/browser_redirect.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/browser.hpp>
#include <oauthctl/oauth/client_auth.hpp>
#include <oauthctl/oauth/device_code.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>
#include <oauthctl/util/cancellation.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace oauthctl::oauth {

namespace {

using util::ErrorKind;
using Json = nlohmann::json;
using std::chrono::seconds;

// RFC 8628 §3.5: slow_down makes every later poll wait 5 seconds longer.
constexpr seconds k_slow_down_step{5};

std::string text_member(const Json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

util::Result<seconds> seconds_member(const Json& object, const char* name, seconds fallback, bool required) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) {
      return util::fail(ErrorKind::bad_response,
                        fmt::format("the device authorization response has no {}", name));
    }
    return fallback;
  }
  if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 7LL * 86400) {
    return util::fail(ErrorKind::bad_response,
                      fmt::format("the device authorization response's {} is not a number of seconds", name));
  }
  return seconds(it->get<long long>());
}

std::string format_wait(seconds duration) {
  return duration.count() % 60 == 0 && duration.count() >= 60 ? fmt::format("{} min", duration.count() / 60)
                                                              : fmt::format("{} s", duration.count());
}

// Sleeps `duration` unless `cancellation` fires first; true when it did.
bool sleep_cancellable(util::Cancellation* cancellation, std::chrono::milliseconds duration) {
  std::mutex mutex;
  std::condition_variable wake;
  bool cancelled = false;
  const util::CancellationScope scope(cancellation, [&] {
    const std::lock_guard lock(mutex);
    cancelled = true;
    wake.notify_all();
  });
  std::unique_lock lock(mutex);
  wake.wait_for(lock, duration, [&] { return cancelled; });
  return cancelled;
}

// Sends the device authorization request (RFC 8628 §3.1), authenticated as the client
// would be at the token endpoint.
util::Result<DeviceAuthorization> request_device_authorization(const FlowContext& context,
                                                               const std::string& endpoint) {
  auto form = device_authorization_form(context.config);
  http::Request request;
  request.method = "POST";
  request.url = endpoint;
  // A private_key_jwt assertion names the token endpoint as its audience (RFC 7523 §3).
  if (auto ok = apply_client_auth(context.config, context.metadata.token_endpoint, form, request.headers);
      !ok) {
    return tl::unexpected(ok.error());
  }
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  request.headers.add("Accept", "application/json");
  request.body = util::form_encode(form);
  const auto url = http::parse_url(endpoint);
  if (url && url->scheme == "http" && !url->is_loopback()) {
    context.observer.on_warning(fmt::format(
      "sending client credentials over plain http to {} (RFC 8628 §3.1 requires TLS)", url->origin()));
  }
  context.observer.on_step(
    "Device authorization request",
    fmt::format("POST {} (client authentication: {})", endpoint, to_string(context.config.auth_method)));
  auto response = context.client.send(request);
  if (!response) {
    return tl::unexpected(response.error());
  }
  return parse_device_authorization(*response);
}

} // namespace

std::string device_authorization_endpoint(const ClientConfig& config, const ServerMetadata& metadata) {
  if (!metadata.device_authorization_endpoint.empty()) {
    return metadata.device_authorization_endpoint;
  }
  if (!config.server.empty()) {
    return http::join_url(config.server, "auth/device");
  }
  return {};
}

util::FormFields device_authorization_form(const ClientConfig& config) {
  util::FormFields form;
  if (!config.scope.empty()) {
    form.emplace_back("scope", config.scope); // RFC 8628 §3.1
  }
  if (!config.audience.empty()) {
    form.emplace_back("audience", config.audience);
  }
  if (!config.resource.empty()) {
    form.emplace_back("resource", config.resource); // RFC 8707 §2
  }
  return form;
}

util::Result<DeviceAuthorization> parse_device_authorization(const http::Response& response) {
  if (response.status < 200 || response.status >= 300) {
    return tl::unexpected(parse_error_response(response));
  }
  const auto body = Json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return util::fail(ErrorKind::bad_response, "the device authorization response is not a JSON object");
  }
  DeviceAuthorization out;
  out.device_code = text_member(body, "device_code");
  out.user_code = text_member(body, "user_code");
  out.verification_uri = text_member(body, "verification_uri");
  if (out.verification_uri.empty()) {
    // Google's endpoint predates the RFC's name.
    out.verification_uri = text_member(body, "verification_url");
  }
  out.verification_uri_complete = text_member(body, "verification_uri_complete");
  for (const auto& [name, value] :
       {std::pair{"device_code", &out.device_code}, std::pair{"user_code", &out.user_code},
        std::pair{"verification_uri", &out.verification_uri}}) {
    if (value->empty()) {
      return util::fail(ErrorKind::bad_response,
                        fmt::format("the device authorization response has no {}", name));
    }
  }
  if (!http::parse_url(out.verification_uri)) {
    return util::fail(ErrorKind::bad_response, "the device authorization response's verification_uri is "
                                               "not an http(s) URL");
  }
  if (!out.verification_uri_complete.empty() && !http::parse_url(out.verification_uri_complete)) {
    out.verification_uri_complete.clear();
  }
  auto expires_in = seconds_member(body, "expires_in", seconds(0), true);
  if (!expires_in) {
    return tl::unexpected(expires_in.error());
  }
  auto interval = seconds_member(body, "interval", seconds(5), false);
  if (!interval) {
    return tl::unexpected(interval.error());
  }
  out.expires_in = *expires_in;
  out.interval = std::max(seconds(1), *interval);
  return out;
}

util::FormFields device_token_form(std::string_view device_code) {
  return {{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
          {"device_code", std::string(device_code)}};
}

PollSchedule::PollSchedule(seconds interval) : m_interval(std::max(seconds(1), interval)) {}

PollSchedule::Next PollSchedule::after_error(std::string_view oauth_error) {
  if (oauth_error == "authorization_pending") {
    return Next::poll_again;
  }
  if (oauth_error == "slow_down") {
    m_interval += k_slow_down_step;
    return Next::poll_again;
  }
  return Next::stop;
}

util::Result<TokenResponse> run_device_code(const FlowContext& context) {
  // A device client is often public: client_id alone then (RFC 8628 §3.1, RFC 6749 §3.2.1).
  const auto config = public_client_if_secretless(context.config);
  const FlowContext client_context{context.client, config, context.metadata, context.observer,
                                   context.cancellation};
  const auto endpoint = device_authorization_endpoint(config, context.metadata);
  if (endpoint.empty()) {
    return util::fail(ErrorKind::usage,
                      "the server names no device_authorization_endpoint: give --server (its /auth/device is "
                      "used)");
  }
  auto authorization = request_device_authorization(client_context, endpoint);
  if (!authorization) {
    return tl::unexpected(authorization.error());
  }
  const auto& device = *authorization;
  context.observer.on_step("User code",
                           fmt::format("user_code {}, valid for {}, poll every {}", device.user_code,
                                       format_wait(device.expires_in), format_wait(device.interval)));
  // RFC 8628 §3.3: the user goes to verification_uri on any device and enters the code.
  context.observer.on_instruction(
    fmt::format("Open {} and enter the code {}", device.verification_uri, device.user_code));
  if (!device.verification_uri_complete.empty()) {
    context.observer.on_instruction(fmt::format("or open {}", device.verification_uri_complete));
  }
  const auto& browser = config.redirect.browser;
  if (!browser.empty() && browser != "none") {
    // Only when asked: the user may well be on another device (RFC 8628 §3.3.1).
    const auto& target =
      device.verification_uri_complete.empty() ? device.verification_uri : device.verification_uri_complete;
    const auto launch = open_browser(browser, target);
    if (!launch) {
      return tl::unexpected(launch.error());
    }
  }

  // The wait on the user: --redirect-timeout, but never past the device code's expiry.
  const auto budget =
    std::min(std::chrono::duration_cast<seconds>(config.redirect.timeout + std::chrono::milliseconds(999)),
             device.expires_in);
  const bool code_expires_first = device.expires_in <= config.redirect.timeout;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  PollSchedule schedule(device.interval);
  context.observer.on_step("Polling", fmt::format("{} every {} until the user answers (at most {})",
                                                  context.metadata.token_endpoint,
                                                  format_wait(schedule.interval()), format_wait(budget)));
  context.observer.on_waiting(fmt::format("waiting for code {} to be approved", device.user_code), budget);
  struct WaitDone {
    const FlowContext& context;
    ~WaitDone() { context.observer.on_wait_done(); }
  } wait_done{context};
  for (;;) {
    const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return util::fail(
        ErrorKind::timeout,
        code_expires_first
          ? fmt::format("timed out: the device code expired after {} without an answer",
                        format_wait(device.expires_in))
          : fmt::format("timed out: no answer for code {} within {} (raise --redirect-timeout "
                        "to wait longer)",
                        device.user_code, format_wait(budget)));
    }
    if (sleep_cancellable(context.cancellation,
                          std::min<std::chrono::milliseconds>(schedule.interval(), left))) {
      return util::fail(ErrorKind::interrupted, "interrupted while waiting for the device to be approved");
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      continue; // out of time: the message above
    }
    auto token = exchange_at_token_endpoint(client_context, device_token_form(device.device_code));
    if (token) {
      // OIDC Core §3.1.3.7 (no nonce in this grant): the id_token is verified before use.
      if (scope_contains(config.scope, "openid")) {
        if (auto ok = check_id_token(context, *token, {}, IdTokenRequired::no); !ok) {
          return tl::unexpected(ok.error());
        }
      }
      return token;
    }
    if (token.error().kind != ErrorKind::oauth ||
        schedule.after_error(token.error().oauth_error) == PollSchedule::Next::stop) {
      return token;
    }
    if (token.error().oauth_error == "slow_down") {
      context.observer.on_warning(
        fmt::format("the server asked to slow down: polling every {} now", format_wait(schedule.interval())));
    }
  }
}

} // namespace oauthctl::oauth
