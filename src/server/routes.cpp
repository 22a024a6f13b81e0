// SPDX-License-Identifier: MIT
#include "server/routes.hpp"

#include "server/fhir/fhir_endpoint.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace oauthctl::server {

namespace {

using Clock = std::chrono::steady_clock;

// Set when routing starts on this worker thread, read by the logger on the same thread.
thread_local Clock::time_point t_request_start{};

// Request logs never carry the query string (it may hold codes or tokens) and never
// carry control characters (httplib has already percent-decoded the path).
std::string loggable_path(std::string_view path) {
  std::string out;
  for (const char c : path.substr(0, 200)) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  }
  return out;
}

ServerRequest to_server_request(const httplib::Request& request) {
  ServerRequest out;
  out.method = request.method;
  out.path = request.path;
  const auto question = request.target.find('?');
  if (question != std::string::npos) {
    out.query = request.target.substr(question + 1);
  }
  for (const auto& [name, value] : request.headers) {
    out.headers.add(name, value);
  }
  out.body = request.body;
  return out;
}

void write_response(const ServerResponse& from, httplib::Response& to) {
  to.status = from.status;
  for (const auto& [name, value] : from.headers.fields()) {
    to.set_header(name, value);
  }
  to.set_content(from.body, from.content_type);
}

bool is_fhir_path(std::string_view path) {
  return path == "/fhir" || path.substr(0, 6) == "/fhir/";
}

class HttplibListener final : public HttpListener {
public:
  HttplibListener(RequestHandler handler, const ListenerOptions& options)
      : m_handler(std::move(handler)), m_log(options.log) {
    const auto threads = options.threads;
    m_server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    // Benchmarks and real clients reuse connections: do not close them after 5 requests.
    m_server.set_keep_alive_max_count(10000);
    m_server.set_keep_alive_timeout(5);
    m_server.set_tcp_nodelay(true);
    // httplib's default also sets SO_REUSEPORT, which lets a second `serve` bind a port in
    // use and silently share its traffic. SO_REUSEADDR alone allows fast restarts only.
    m_server.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    // A token request is tiny; the FHIR API here is read-only. 1 MiB is generous.
    m_server.set_payload_max_length(1024 * 1024);

    const httplib::Server::Handler adapter = [this](const httplib::Request& request,
                                                    httplib::Response& response) {
      write_response(m_handler(to_server_request(request)), response);
    };
    // One catch-all per method: handle_request owns the route table (app.cpp), so routing
    // stays testable without a socket and httplib does no per-route regex work.
    m_server.Get(".*", adapter);
    m_server.Post(".*", adapter);
    m_server.Put(".*", adapter);
    m_server.Patch(".*", adapter);
    m_server.Delete(".*", adapter);
    m_server.Options(".*", adapter);

    m_server.set_pre_routing_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response&) {
        t_request_start = Clock::now();
        return httplib::Server::HandlerResponse::Unhandled;
      }));

    // httplib calls this for every status >= 400, ours included: only fill bodies it left
    // empty (413 payload too large, 400 unparsable request, 404 for odd methods).
    m_server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        const bool too_large = response.status == 413;
        const auto description = too_large ? "the request body is too large" : "the request is malformed";
        ServerResponse body;
        if (is_fhir_path(request.path)) {
          body = operation_outcome(response.status, too_large ? "too-costly" : "invalid", description);
        } else {
          // RFC 6749 §5.2 answers bad token requests with 400 invalid_request.
          body = oauth_error(too_large || response.status == 400 ? 400 : response.status,
                             response.status == 404 ? "not_found" : "invalid_request", description);
        }
        write_response(body, response);
        return httplib::Server::HandlerResponse::Handled;
      }));

    m_server.set_exception_handler(
      [this](const httplib::Request& request, httplib::Response& response, std::exception_ptr) {
        write_response(oauth_error(500, "server_error", "internal error"), response);
        emit(fmt::format("error: unhandled exception while serving {} {}", request.method,
                         loggable_path(request.path)));
      });

    if (m_log) {
      m_server.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
        const auto start = t_request_start;
        t_request_start = {};
        const double ms = start == Clock::time_point{}
                            ? 0.0
                            : std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        emit(
          fmt::format("{} {} {} {:.1f}ms", request.method, loggable_path(request.path), response.status, ms));
      });
    }
  }

  util::Result<void> bind_socket(const std::string& host, int port) {
    if (port == 0) {
      m_port = m_server.bind_to_any_port(host);
      if (m_port <= 0) {
        return util::fail(util::ErrorKind::network, fmt::format("cannot listen on {}: no free port", host));
      }
      return {};
    }
    if (!m_server.bind_to_port(host, port)) {
      return util::fail(
        util::ErrorKind::network,
        fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)", host, port));
    }
    m_port = port;
    return {};
  }

  int port() const override { return m_port; }

  void run() override {
    m_in_run = true;
    if (!m_stopped) {
      m_server.listen_after_bind();
    }
    m_in_run = false;
  }

  void stop() override {
    m_stopped = true;
    // httplib's stop() only acts once listening began: wait out a run() that is about to
    // start listening, so a stop() racing run() is never lost.
    while (m_in_run && !m_server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    m_server.stop();
  }

private:
  void emit(const std::string& line) {
    if (!m_log) {
      return;
    }
    const std::lock_guard lock(m_log_mutex);
    m_log(line);
  }

  RequestHandler m_handler;
  std::function<void(std::string_view)> m_log;
  std::mutex m_log_mutex;
  httplib::Server m_server;
  int m_port = 0;
  std::atomic<bool> m_in_run{false};
  std::atomic<bool> m_stopped{false};
};

} // namespace

util::Result<std::unique_ptr<HttpListener>> HttpListener::bind(RequestHandler handler,
                                                               const ListenerOptions& options) {
  auto listener = std::make_unique<HttplibListener>(std::move(handler), options);
  if (auto bound = listener->bind_socket(options.host, options.port); !bound) {
    return tl::unexpected(bound.error());
  }
  return std::unique_ptr<HttpListener>(std::move(listener));
}

} // namespace oauthctl::server
