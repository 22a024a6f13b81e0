// SPDX-License-Identifier: MIT
#include <oauthctl/http/listener.hpp>
#include <oauthctl/http/url.hpp>
#include <oauthctl/util/crypto.hpp>
#include <oauthctl/util/form.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>
#include <httplib.h>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace oauthctl::http {

namespace {

constexpr std::string_view k_default_path = "/callback";
// A fragment carries at most a few tokens; anything larger is not a redirect.
constexpr std::size_t k_max_body = 64 * 1024;
constexpr int k_worker_threads = 4;

// Where to bind and what to call the redirect URI, from ListenerOptions::redirect_uri.
struct Target {
  std::string bind_host = "127.0.0.1";
  std::string uri_host = "127.0.0.1"; // as written in the URI ("[::1]" for IPv6)
  int port = 0;                       // 0: any free port
  std::string path = std::string(k_default_path);
  std::string query;
};

util::Result<Target> parse_target(const std::string& redirect_uri) {
  Target target;
  if (redirect_uri.empty()) {
    return target;
  }
  const auto refuse = [&](std::string_view why) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("cannot listen for the redirect URI '{}': {}", redirect_uri, why));
  };
  // RFC 6749 §3.1.2: a redirect URI MUST NOT include a fragment.
  if (redirect_uri.find('#') != std::string::npos) {
    return refuse("it has a fragment");
  }
  // Port 0 (or none) asks for a free port, which RFC 8252 §7.3 lets the server accept
  // for any loopback redirect URI; parse_url knows only real ports, so strip it first.
  std::string text = redirect_uri;
  const auto scheme_end = text.find("://");
  const auto authority_begin = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto authority_end = std::min(text.find_first_of("/?", authority_begin), text.size());
  const auto authority = std::string_view(text).substr(authority_begin, authority_end - authority_begin);
  const auto colon = authority.rfind(':');
  const bool has_port =
    colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos;
  bool any_port = !has_port;
  if (has_port && authority.substr(colon + 1) == "0") {
    text.erase(authority_begin + colon, 2);
    any_port = true;
  }
  const auto url = parse_url(text);
  if (!url) {
    return refuse("it is not a valid URL");
  }
  // RFC 8252 §7.3 and §8.3: native apps catch redirects on the loopback interface over
  // plain http; anything else cannot reach this process.
  if (url->scheme != "http" || !url->is_loopback()) {
    return refuse("only http://127.0.0.1, http://[::1] or http://localhost redirect URIs can be caught "
                  "locally (RFC 8252 §7.3)");
  }
  if (url->host == "::1") {
    target.bind_host = "::1";
    target.uri_host = "[::1]";
  } else if (url->host == "localhost") {
    // RFC 8252 §8.3: listen on the IP literal; browsers fall back to it for localhost.
    target.uri_host = "localhost";
  } else {
    target.bind_host = url->host;
    target.uri_host = url->host;
  }
  target.port = any_port ? 0 : url->port;
  target.path = url->path;
  target.query = url->query;
  return target;
}

std::string format_duration(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0) {
    return fmt::format("{} s", timeout.count() / 1000);
  }
  return fmt::format("{} ms", timeout.count());
}

// The browser shows these pages on a local origin: nothing may load from elsewhere,
// frame them, be cached, or leak the redirect URL (with its code) through a Referer
// (RFC 9700 §4.2.4, RFC 6749 §10.6).
void set_security_headers(httplib::Response& res, const std::string& nonce) {
  res.set_header(
    "Content-Security-Policy",
    fmt::format("default-src 'none'; script-src 'nonce-{0}'; style-src 'nonce-{0}'; "
                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                nonce));
  res.set_header("Cache-Control", "no-store");
  res.set_header("Pragma", "no-cache");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
}

constexpr std::string_view k_style =
  "body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;line-height:1.5;"
  "color:#1a1a1a;background:#fff}h1{font-size:1.4em}#result{white-space:pre-wrap}";

std::string render_page(std::string_view title, std::string_view message, const std::string& nonce,
                        std::string_view script = {}) {
  std::string page =
    fmt::format("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>oauthctl: {0}</title><style nonce=\"{2}\">{3}</style></head>\n<body><main>"
                "<h1 id=\"title\">{0}</h1><p id=\"result\" role=\"status\">{1}</p>"
                "<p>You can close this tab and return to the terminal.</p></main>\n",
                util::html_escape(title), util::html_escape(message), nonce, k_style);
  if (!script.empty()) {
    page += fmt::format("<script nonce=\"{}\">{}</script>\n", nonce, script);
  }
  page += "</body></html>\n";
  return page;
}

// RFC 6749 §4.2.2: the implicit grant's parameters travel in the fragment, which the
// browser never sends; this script reads it, takes it out of the address bar and
// history (RFC 9700 §2.1.2), and posts it to the same path as a form body.
constexpr std::string_view k_fragment_script = R"JS((function () {
  var title = document.getElementById('title');
  var result = document.getElementById('result');
  var fragment = location.hash.length > 1 ? location.hash.substring(1) : '';
  history.replaceState(null, '', location.pathname + location.search);
  fetch(location.pathname, {
    method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: 'fragment=' + encodeURIComponent(fragment),
    credentials: 'omit',
    cache: 'no-store'
  }).then(function (response) {
    return response.text().then(function (text) {
      title.textContent = response.ok ? 'Signed in' : 'Sign-in failed';
      result.textContent = text;
    });
  }).catch(function () {
    title.textContent = 'Sign-in failed';
    result.textContent = 'oauthctl is no longer listening for this sign-in.';
  });
})();)JS";

class HttplibListener final : public Listener {
public:
  HttplibListener(ListenerOptions options, Target target)
      : m_options(std::move(options)), m_target(std::move(target)) {}

  HttplibListener(const HttplibListener&) = delete;
  HttplibListener& operator=(const HttplibListener&) = delete;

  ~HttplibListener() override {
    stop();
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

  util::Result<void> start() {
    m_server.new_task_queue = [] { return new httplib::ThreadPool(k_worker_threads); };
    // One request per connection and short timeouts: a browser's idle or speculative
    // connection must not hold up stop() for httplib's default five seconds.
    m_server.set_keep_alive_max_count(1);
    m_server.set_keep_alive_timeout(1);
    m_server.set_read_timeout(1, 0);
    m_server.set_write_timeout(1, 0);
    m_server.set_payload_max_length(k_max_body);
    // httplib's default adds SO_REUSEPORT, which would let a second process bind the
    // same port and take the redirect (RFC 8252 §8.3); keep only SO_REUSEADDR.
    m_server.set_socket_options([](socket_t sock) {
      const int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    m_server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) { on_get(req, res); });
    m_server.Post(".*", [this](const httplib::Request& req, httplib::Response& res) { on_post(req, res); });

    if (m_target.port == 0) {
      m_port = m_server.bind_to_any_port(m_target.bind_host);
    } else if (m_server.bind_to_port(m_target.bind_host, m_target.port)) {
      m_port = m_target.port;
    }
    if (m_port <= 0) {
      return util::fail(util::ErrorKind::network,
                        m_target.port == 0
                          ? fmt::format("cannot listen on {} for the redirect", m_target.bind_host)
                          : fmt::format("cannot listen on {}:{} for the redirect (is the port in use?)",
                                        m_target.uri_host, m_target.port));
    }
    m_allowed_hosts = {
      fmt::format("{}:{}", m_target.uri_host, m_port),
      fmt::format("{}:{}", m_target.bind_host == "::1" ? "[::1]" : m_target.bind_host, m_port),
      fmt::format("localhost:{}", m_port)};
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    // httplib's stop() is a no-op until the accept loop runs: wait for it, so a stop()
    // that follows at once cannot be lost.
    for (int i = 0; i < 2000 && !m_server.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return {};
  }

  int port() const override { return m_port; }

  std::string redirect_uri() const override {
    auto uri = fmt::format("http://{}:{}{}", m_target.uri_host, m_port, m_target.path);
    if (!m_target.query.empty()) {
      uri += '?';
      uri += m_target.query;
    }
    return uri;
  }

  util::Result<Callback> wait(std::chrono::milliseconds timeout) override {
    {
      std::unique_lock lock(m_mutex);
      m_cv.wait_for(lock, timeout, [this] { return m_callback.has_value() || m_cancelled; });
    }
    // Joining also lets the worker finish writing the page the browser is waiting for.
    stop_server();
    if (m_thread.joinable()) {
      m_thread.join();
    }
    std::lock_guard lock(m_mutex);
    if (m_callback) {
      return *m_callback;
    }
    if (m_cancelled) {
      return util::fail(util::ErrorKind::timeout, "stopped waiting for the redirect (cancelled)");
    }
    return util::fail(
      util::ErrorKind::timeout,
      fmt::format("no redirect arrived within {} (the sign-in in the browser was not completed)",
                  format_duration(timeout)));
  }

  void stop() override {
    {
      std::lock_guard lock(m_mutex);
      m_cancelled = true;
    }
    m_cv.notify_all();
    stop_server();
  }

private:
  void stop_server() {
    std::call_once(m_stop_once, [this] { m_server.stop(); });
  }

  // RFC 8252 §8.3 notes other local processes and web pages can reach the loopback
  // port; a Host outside ours means DNS rebinding, and such a request gets nothing.
  bool host_allowed(const httplib::Request& req) const {
    const auto host = req.get_header_value("Host");
    return std::find(m_allowed_hosts.begin(), m_allowed_hosts.end(), host) != m_allowed_hosts.end();
  }

  // Answers requests that are not the callback (favicon, wrong host, wrong method)
  // without consuming it.
  static void refuse(httplib::Response& res, int status, std::string_view message) {
    set_security_headers(res, util::random_token(16));
    res.status = status;
    res.set_content(std::string(message) + "\n", "text/plain; charset=utf-8");
  }

  // Records the one callback and returns the verdict to show, or nullopt when a
  // callback was already taken (a replayed or second redirect).
  std::optional<CallbackPage> take(Callback callback) {
    {
      std::lock_guard lock(m_mutex);
      if (m_taken) {
        return std::nullopt;
      }
      m_taken = true;
    }
    CallbackPage page{CallbackPage::Outcome::success, "oauthctl received the response from the server."};
    if (m_options.judge) {
      try {
        page = m_options.judge(callback);
      } catch (...) {
        page = {CallbackPage::Outcome::failure, "oauthctl could not check the response."};
      }
    }
    {
      std::lock_guard lock(m_mutex);
      m_callback = std::move(callback);
    }
    m_cv.notify_all();
    return page;
  }

  bool is_callback_path(const httplib::Request& req) const { return req.path == m_target.path; }

  // Refuses, and returns false for, a request with a foreign Host (DNS rebinding) or for a
  // path other than the callback's, so favicon and probes never consume the one callback.
  bool addressed_to_callback(const httplib::Request& req, httplib::Response& res) const {
    if (!host_allowed(req)) {
      refuse(res, 400, "Unexpected Host header.");
      return false;
    }
    if (!is_callback_path(req)) {
      refuse(res, 404, "Not found.");
      return false;
    }
    return true;
  }

  void on_get(const httplib::Request& req, httplib::Response& res) {
    if (!addressed_to_callback(req, res)) {
      return;
    }
    const auto question = req.target.find('?');
    auto query = question == std::string::npos ? std::string{} : req.target.substr(question + 1);
    // Strip the redirect URI's own query, if it had one, from what the server added.
    if (!m_target.query.empty() && query.compare(0, m_target.query.size(), m_target.query) == 0) {
      query.erase(0, std::min(query.size(), m_target.query.size() + 1));
    }
    const auto nonce = util::random_token(16);
    set_security_headers(res, nonce);
    if (m_options.mode == CallbackMode::fragment && query.empty()) {
      res.set_content(
        render_page("Completing sign-in", "Passing the response to oauthctl...", nonce, k_fragment_script),
        "text/html; charset=utf-8");
      return;
    }
    const auto page = take(Callback{std::move(query), {}});
    if (!page) {
      res.status = 409;
      res.set_content(
        render_page("Already handled",
                    "oauthctl already received a response for this sign-in; this one was ignored.", nonce),
        "text/html; charset=utf-8");
      return;
    }
    const bool ok = page->outcome == CallbackPage::Outcome::success;
    res.status = ok ? 200 : 400;
    res.set_content(render_page(ok ? "Signed in" : "Sign-in failed", page->message, nonce),
                    "text/html; charset=utf-8");
  }

  void on_post(const httplib::Request& req, httplib::Response& res) {
    if (!addressed_to_callback(req, res)) {
      return;
    }
    if (m_options.mode != CallbackMode::fragment) {
      refuse(res, 405, "Method not allowed.");
      return;
    }
    // Only our own page posts here: a browser marks a cross-site POST with its Origin.
    const auto origin = req.get_header_value("Origin");
    if (!origin.empty() &&
        std::none_of(m_allowed_hosts.begin(), m_allowed_hosts.end(),
                     [&](const std::string& host) { return origin == "http://" + host; })) {
      refuse(res, 403, "Cross-origin request refused.");
      return;
    }
    const auto content_type = req.get_header_value("Content-Type");
    const auto fields = util::form_decode(req.body);
    if (content_type.rfind("application/x-www-form-urlencoded", 0) != 0 || !fields ||
        util::form_count(*fields, "fragment") != 1) {
      refuse(res, 400, "Expected a form body with one fragment field.");
      return;
    }
    const auto page = take(Callback{{}, *util::form_get(*fields, "fragment")});
    if (!page) {
      refuse(res, 409, "oauthctl already received a response for this sign-in; this one was ignored.");
      return;
    }
    const bool ok = page->outcome == CallbackPage::Outcome::success;
    set_security_headers(res, util::random_token(16));
    res.status = ok ? 200 : 400;
    res.set_content(page->message, "text/plain; charset=utf-8");
  }

  ListenerOptions m_options;
  Target m_target;
  httplib::Server m_server;
  std::thread m_thread;
  std::once_flag m_stop_once;
  int m_port = 0;
  std::array<std::string, 3> m_allowed_hosts;

  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_taken = false;
  bool m_cancelled = false;
  std::optional<Callback> m_callback;
};

} // namespace

util::Result<std::unique_ptr<Listener>> start_listener(const ListenerOptions& options) {
  auto target = parse_target(options.redirect_uri);
  if (!target) {
    return tl::unexpected(target.error());
  }
  auto listener = std::make_unique<HttplibListener>(options, std::move(*target));
  if (auto started = listener->start(); !started) {
    return tl::unexpected(started.error());
  }
  return std::unique_ptr<Listener>(std::move(listener));
}

} // namespace oauthctl::http
