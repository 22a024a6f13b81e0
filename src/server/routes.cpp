// SPDX-License-Identifier: MIT
// The transport adapter of `serve`: Boost.Beast on Boost.Asio, C++20 coroutines. The only
// translation unit that includes Beast, so its compile time is paid once.
//
// Threads: one event loop per core, each on a thread of its own; a connection stays on one
// loop (no strand, no hand-over between loop threads), and one waiting for bytes costs a
// coroutine frame and a buffer, not a thread. Endpoints run on a fixed
// worker pool, because some of them block (scrypt, the SQLite store, JWKS fetches), and
// a blocked event loop would stall every other connection. The routes app.hpp lists as
// starts_on_event_loop (FHIR, discovery, JWKS, the token endpoint) are first run on the
// event loop itself; one that reaches a wait throws WouldBlock there (event_loop_guard.hpp)
// and is run again on a worker.
//
// TLS (`serve --tls-cert`): the same loop over asio::ssl::stream, the handshake under the
// header deadline; the deadlines sit on the TCP stream below it, so they bound TLS and
// HTTP bytes alike.
#include "server/routes.hpp"

#include "server/app.hpp"
#include "server/event_loop_guard.hpp"
#include "server/fhir/fhir_endpoint.hpp"
#include "server/heap_bounds.hpp"
#include "server/response_head.hpp"

#include <oauthctl/util/form.hpp>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <latch>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace oauthctl::server {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<beast::tcp_stream&>;
using SteadyClock = std::chrono::steady_clock; // not Clock: app.hpp has one (unity batches)
constexpr auto k_tuple = asio::as_tuple(asio::use_awaitable);

// Request logs never carry the query string (it may hold codes or tokens) and never
// carry control characters (the path is already percent-decoded).
std::string loggable_path(std::string_view path) {
  std::string out;
  for (const char c : path.substr(0, 200)) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  }
  return out;
}

bool is_fhir_path(std::string_view path) {
  return path == "/fhir" || path.substr(0, 6) == "/fhir/";
}

// A transport-level refusal in the shape the endpoint's clients parse: a FHIR
// OperationOutcome under /fhir, an RFC 6749 §5.2 error everywhere else.
ServerResponse transport_error(std::string_view path, int status, std::string_view description) {
  if (is_fhir_path(path)) {
    return operation_outcome(status, status == 413 || status == 431 ? "too-costly" : "invalid", description);
  }
  return oauth_error(status, "invalid_request", description);
}

// Reads one request straight into a ServerRequest. A parser of our own (rather than
// beast's http::request_parser) because it also counts header fields: Beast bounds their
// total size only, and many tiny fields cost far more memory than their bytes (review H3).
class RequestReader final : public bhttp::basic_parser<true> {
public:
  explicit RequestReader(std::size_t max_fields) : m_max_fields(max_fields) {}

  [[nodiscard]] ServerRequest& request() { return m_request; }
  [[nodiscard]] const std::string& target() const { return m_target; }
  [[nodiscard]] int version() const { return m_version; }

private:
  void on_request_impl(bhttp::verb /*method*/, beast::string_view method, beast::string_view target,
                       int version, beast::error_code& /*ec*/) override {
    m_request.method = std::string(method);
    m_target = std::string(target);
    m_version = version;
    const auto question = target.find('?');
    const auto raw_path = target.substr(0, question);
    // Like cpp-httplib before: the path is percent-decoded ('+' stays), the query raw.
    auto decoded = util::percent_decode(std::string_view(raw_path.data(), raw_path.size()), false);
    m_request.path = decoded ? std::move(*decoded) : std::string(raw_path);
    if (question != beast::string_view::npos) {
      m_request.query = std::string(target.substr(question + 1));
    }
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field /*name*/, beast::string_view name, beast::string_view value,
                     beast::error_code& ec) override {
    if (++m_fields > m_max_fields) {
      ec = bhttp::error::header_limit;
      return;
    }
    m_request.headers.add(std::string(name), std::string(value));
  }
  void on_header_impl(beast::error_code& /*ec*/) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code& /*ec*/) override {
    // The parser has already refused a Content-Length beyond the body limit.
    if (length) {
      m_request.body.reserve(static_cast<std::size_t>(*length));
    }
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code& /*ec*/) override {
    m_request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code& /*ec*/) override {
    m_request.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code& /*ec*/) override {}

  ServerRequest m_request;
  std::string m_target;
  int m_version = 11;
  std::size_t m_max_fields;
  std::size_t m_fields = 0;
};

// --max-connections may exceed the usual soft descriptor limit (1024): raise it toward the
// hard limit, as servers do, so accept() does not fail with EMFILE below our own cap.
void raise_descriptor_limit(std::size_t connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return;
  }
  const auto wanted = static_cast<rlim_t>(connections + 256);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// The server side of TLS: certificate and key from PEM files, TLS 1.2 and later, and an
// optional client certificate that the handshake accepts whatever it is
// (RFC 8705 leaves the decision to the endpoint: a self-signed certificate is what
// self_signed_tls_client_auth expects); whether it chains to --tls-client-ca is recorded.
util::Result<std::unique_ptr<asio::ssl::context>> make_tls_context(const TlsOptions& tls) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return util::fail(util::ErrorKind::tls, "cannot set up TLS: OpenSSL refused TLS 1.2");
  }
  // An idle kept-alive connection then holds no TLS read/write buffers (about 34 KiB).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  for (const auto* file : {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
      return util::fail(util::ErrorKind::config, fmt::format("cannot read {}", *file));
    }
  }
  if (context->use_certificate_chain_file(tls.cert_file, ec); ec) {
    return util::fail(util::ErrorKind::config,
                      fmt::format("--tls-cert {}: not a PEM certificate", tls.cert_file));
  }
  if (context->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec); ec) {
    return util::fail(
      util::ErrorKind::config,
      fmt::format("--tls-key {}: not a PEM private key (an encrypted key is not supported)", tls.key_file));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return util::fail(util::ErrorKind::config, fmt::format("--tls-key {} does not belong to --tls-cert {}",
                                                           tls.key_file, tls.cert_file));
  }
  if (!tls.client_ca_file.empty()) {
    if (context->load_verify_file(tls.client_ca_file, ec); ec) {
      return util::fail(util::ErrorKind::config,
                        fmt::format("--tls-client-ca {}: not a PEM certificate bundle", tls.client_ca_file));
    }
    // Named in the certificate request, so a client with several certificates picks one
    // issued by them.
    if (auto* names = SSL_load_client_CA_file(tls.client_ca_file.c_str()); names != nullptr) {
      SSL_CTX_set_client_CA_list(native, names);
    }
  }
  // An optional client certificate, whatever it is: a client without one connects as
  // before, and the endpoints decide what one proves. Not asked for at all on a port
  // where mutual TLS has its own (TlsOptions::request_client_certificate).
  if (tls.request_client_certificate) {
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER,
                       [](int /*preverified*/, X509_STORE_CTX* /*store*/) { return 1; });
  }
  // Session resumption with client certificates needs a context id (else OpenSSL refuses
  // resumed handshakes).
  static constexpr std::string_view k_session_context = "oauthctl-serve";
  SSL_CTX_set_session_id_context(native, reinterpret_cast<const unsigned char*>(k_session_context.data()),
                                 static_cast<unsigned>(k_session_context.size()));
  return context;
}

// The certificate the client presented in the handshake on `ssl`, or null.
std::shared_ptr<const PeerCertificate> peer_certificate(SSL* ssl, bool have_trust_anchors) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) {
    return nullptr;
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  X509_free(cert);
  if (length <= 0) {
    return nullptr;
  }
  auto out = std::make_shared<PeerCertificate>();
  out->der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  out->chain_trusted = have_trust_anchors && SSL_get_verify_result(ssl) == X509_V_OK;
  return out;
}

// One accepted socket. Touched only on its loop's thread.
struct Connection {
  Connection(tcp::socket socket, std::string peer) : stream(std::move(socket)), address(std::move(peer)) {}
  beast::tcp_stream stream;
  std::unique_ptr<TlsStream> tls; // over `stream`, on an HTTPS listener after the handshake
  std::shared_ptr<const PeerCertificate> certificate;
  std::string address;
  // True while no request is in progress: shutdown closes such connections at once.
  bool waiting = true;
  // Set after a refusal (400, 413, 431): the client may still be sending.
  bool linger = false;
};

class BeastListener final : public HttpListener {
public:
  BeastListener(RequestHandler handler, const ListenerOptions& options)
      : m_handler(std::move(handler)), m_log(options.log), m_limits(options.limits),
        m_io_threads(std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8)),
        m_loops(make_loops(m_io_threads)), m_acceptor(*m_loops.front()), m_grace(*m_loops.front()),
        m_guards(make_guards(m_loops)), m_loop_threads(start_loop_threads()),
        m_workers(std::max<std::size_t>(options.threads, 1)) {}

  ~BeastListener() override {
    stop_loops();
    join_loop_threads();
    m_workers.stop();
    m_workers.join();
  }
  BeastListener(const BeastListener&) = delete;
  BeastListener& operator=(const BeastListener&) = delete;

  util::Result<void> bind_socket(const std::string& host, int port, const TlsOptions& tls) {
    if (tls.enabled()) {
      auto context = make_tls_context(tls);
      if (!context) {
        return tl::unexpected(context.error());
      }
      m_tls = std::move(*context);
      m_client_trust_anchors = !tls.client_ca_file.empty();
    }
    raise_descriptor_limit(m_limits.max_connections);
    boost::system::error_code ec;
    tcp::resolver resolver(*m_loops.front());
    const auto endpoints = resolver.resolve(host, std::to_string(port),
                                            tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    const auto where = port == 0 ? host : fmt::format("{}:{}", host, port);
    if (ec || endpoints.empty()) {
      return util::fail(util::ErrorKind::network, fmt::format("cannot listen on {}: unknown address", where));
    }
    for (const auto& entry : endpoints) {
      ec = {};
      m_acceptor.open(entry.endpoint().protocol(), ec);
      // SO_REUSEADDR allows fast restarts; SO_REUSEPORT is not set, so a second `serve`
      // cannot bind a port in use and silently share its traffic.
      if (!ec) {
        m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
      }
      if (!ec) {
        m_acceptor.bind(entry.endpoint(), ec);
      }
      if (!ec) {
        m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
      }
      if (!ec) {
        m_port = m_acceptor.local_endpoint().port();
        return {};
      }
      boost::system::error_code ignored;
      m_acceptor.close(ignored);
    }
    return util::fail(
      util::ErrorKind::network,
      port == 0 ? fmt::format("cannot listen on {}: no free port", host)
                : fmt::format("cannot listen on {} (in use, or not an address of this machine)", where));
  }

  int port() const override { return m_port; }

  void run() override {
    if (m_stopping.load()) {
      return;
    }
    asio::co_spawn(m_acceptor.get_executor(), accept_loop(), asio::detached);
    {
      const EventLoopThread on_loop;
      m_loops.front()->run();
    }
    join_loop_threads();
  }

  void stop() override {
    if (m_stopping.exchange(true)) {
      return;
    }
    asio::post(m_acceptor.get_executor(), [this] {
      boost::system::error_code ignored;
      m_acceptor.close(ignored);
      m_grace.expires_after(m_limits.shutdown_grace);
      m_grace.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
          emit("shutdown: requests still in progress after the grace period were cut off");
          stop_loops();
        }
      });
      const std::lock_guard lock(m_mutex);
      for (const auto& connection : m_connections) {
        asio::post(connection->stream.get_executor(), [connection] {
          if (connection->waiting) {
            connection->stream.cancel();
          }
        });
      }
      finish_if_idle_locked();
    });
  }

private:
  static std::vector<std::unique_ptr<asio::io_context>> make_loops(std::size_t count) {
    std::vector<std::unique_ptr<asio::io_context>> loops;
    for (std::size_t i = 0; i < count; ++i) {
      loops.push_back(std::make_unique<asio::io_context>(1)); // concurrency hint: one thread
    }
    return loops;
  }

  // A loop without connections must not return from run(): each keeps a work guard
  // until stop_loops().
  static std::vector<asio::executor_work_guard<asio::io_context::executor_type>>
  make_guards(const std::vector<std::unique_ptr<asio::io_context>>& loops) {
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (const auto& loop : loops) {
      guards.push_back(asio::make_work_guard(*loop));
    }
    return guards;
  }

  // Loops 1..n-1 run on threads of their own from here on (loop 0 on the thread that calls
  // run()); they have no work before accept_loop() hands them connections. Started before
  // the worker pool, and each takes its malloc arena before this returns, so every loop
  // thread has an arena no other loop thread shares (heap_bounds.hpp).
  std::vector<std::thread> start_loop_threads() {
    std::latch claimed(static_cast<std::ptrdiff_t>(m_loops.size() - 1));
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < m_loops.size(); ++i) {
      threads.emplace_back([loop = m_loops[i].get(), &claimed] {
        claim_heap_arena();
        claimed.count_down();
        const EventLoopThread on_loop;
        loop->run();
      });
    }
    claimed.wait();
    return threads;
  }

  void join_loop_threads() {
    for (auto& thread : m_loop_threads) {
      if (thread.joinable()) {
        thread.join();
      }
    }
  }

  void stop_loops() {
    for (const auto& loop : m_loops) {
      loop->stop();
    }
  }

  asio::awaitable<void> accept_loop() {
    while (!m_stopping.load()) {
      // Connections go round the loops; a connection then lives on one thread.
      auto& loop = *m_loops[m_next_loop++ % m_loops.size()];
      auto [ec, socket] = co_await m_acceptor.async_accept(loop, k_tuple);
      if (ec) {
        if (m_stopping.load() || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
          co_return;
        }
        // Out of descriptors (EMFILE) and the like: back off instead of spinning.
        asio::steady_timer pause(m_acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(k_tuple);
        continue;
      }
      boost::system::error_code peer_ec;
      const auto peer = socket.remote_endpoint(peer_ec);
      auto address = peer_ec ? std::string() : peer.address().to_string();
      std::shared_ptr<Connection> connection;
      {
        const std::lock_guard lock(m_mutex);
        auto& from_address = m_per_address[address];
        if (m_connections.size() >= m_limits.max_connections ||
            from_address >= m_limits.max_connections_per_address) {
          if (from_address == 0) {
            m_per_address.erase(address);
          }
          // Closed unread: the cheapest refusal, and it holds nothing.
          socket.close(peer_ec);
          continue;
        }
        ++from_address;
        socket.set_option(tcp::no_delay(true), peer_ec);
        connection = std::make_shared<Connection>(std::move(socket), std::move(address));
        m_connections.insert(connection);
      }
      auto executor = connection->stream.get_executor();
      asio::co_spawn(executor, serve_connection(connection), asio::detached);
    }
  }

  void release(const std::shared_ptr<Connection>& connection) {
    const std::lock_guard lock(m_mutex);
    m_connections.erase(connection);
    const auto it = m_per_address.find(connection->address);
    if (it != m_per_address.end() && --it->second == 0) {
      m_per_address.erase(it);
    }
    finish_if_idle_locked();
  }

  void finish_if_idle_locked() {
    if (m_stopping.load() && m_connections.empty()) {
      stop_loops();
    }
  }

  asio::awaitable<void> serve_connection(std::shared_ptr<Connection> connection) {
    beast::flat_buffer buffer;
    try {
      if (!m_tls) {
        co_await serve_requests(*connection, connection->stream, buffer);
      } else if (co_await start_tls(*connection, buffer)) {
        co_await serve_requests(*connection, *connection->tls, buffer);
      }
    } catch (const std::exception&) {
      // A transport error the coroutine did not expect: drop this connection only.
    }
    boost::system::error_code ignored;
    if (connection->linger) {
      co_await drain(*connection);
    }
    connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection->stream.close();
    release(connection);
  }

  // The first bytes decide: a TLS record starts with 22, a handshake (RFC 8446 §5.1).
  // Anything else is plain HTTP sent to the HTTPS port, answered in plain HTTP with a 400
  // that says so (as nginx does) rather than a handshake failure a client shows as noise.
  // The handshake has the header's deadline, so a client trickling its ClientHello is
  // closed like one trickling its header.
  asio::awaitable<bool> start_tls(Connection& connection, beast::flat_buffer& buffer) {
    connection.stream.expires_after(m_limits.idle_timeout);
    auto [ec, n] = co_await connection.stream.async_read_some(buffer.prepare(4096), k_tuple);
    if (ec) {
      co_return false;
    }
    buffer.commit(n);
    const auto start = SteadyClock::now();
    if (static_cast<const unsigned char*>(buffer.data().data())[0] != 0x16) {
      connection.waiting = false;
      connection.linger = true;
      // Named, not temporaries in the co_await expression (GCC 12 may destroy those twice).
      const ServerRequest unread;
      const auto refusal = oauth_error(400, "invalid_request", "this port speaks HTTPS: use an https:// URL");
      co_await write(connection, connection.stream, unread, refusal, 11, false, start);
      co_return false;
    }
    connection.tls = std::make_unique<TlsStream>(connection.stream, *m_tls);
    connection.stream.expires_after(m_limits.header_timeout);
    auto [handshake_ec, used] =
      co_await connection.tls->async_handshake(asio::ssl::stream_base::server, buffer.data(), k_tuple);
    if (handshake_ec) {
      co_return false;
    }
    buffer.consume(used);
    connection.certificate = peer_certificate(connection.tls->native_handle(), m_client_trust_anchors);
    co_return true;
  }

  template<class Stream>
  asio::awaitable<void> serve_requests(Connection& connection, Stream& stream, beast::flat_buffer& buffer) {
    while (!m_stopping.load()) {
      connection.waiting = true;
      if (buffer.size() == 0) {
        // Keep-alive: the next request's first byte must come within the idle timeout.
        connection.stream.expires_after(m_limits.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), k_tuple);
        if (ec) {
          co_return;
        }
        buffer.commit(n);
      }
      // From the first byte, the whole header has one deadline, however it trickles in.
      RequestReader reader(m_limits.max_header_count);
      reader.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(m_limits.max_header_bytes, UINT32_MAX)));
      // Beast checks Content-Length against this when the header ends; the route's own
      // limit, known once the path is, is applied below.
      reader.body_limit(std::max(m_limits.max_token_body_bytes, m_limits.max_body_bytes));
      connection.stream.expires_after(m_limits.header_timeout);
      auto [header_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, reader, k_tuple);
      connection.waiting = false;
      const auto start = SteadyClock::now();
      auto& request = reader.request();
      request.client_certificate = connection.certificate;
      request.client_address = connection.address;
      if (header_ec) {
        if (header_ec == bhttp::error::header_limit) {
          co_await refuse(connection, stream, request, 431,
                          "the request header fields are too large or too many", start);
        } else if (header_ec == bhttp::error::body_limit) {
          co_await refuse(connection, stream, request, 413, "the request body is too large", start);
        } else if (header_ec != beast::error::timeout && header_ec != asio::error::operation_aborted &&
                   header_ec != bhttp::error::end_of_stream && header_ec != asio::error::eof &&
                   header_ec != asio::error::connection_reset) {
          co_await refuse(connection, stream, request, 400, "the request is malformed", start);
        }
        co_return;
      }
      const auto body_limit =
        takes_long_body(request.path) ? m_limits.max_token_body_bytes : m_limits.max_body_bytes;
      if (const auto length = reader.content_length(); length && *length > body_limit) {
        co_await refuse(connection, stream, request, 413, "the request body is too large", start);
        co_return;
      }
      reader.body_limit(body_limit);
      if (!reader.is_done()) {
        // curl and others wait for this before sending a body (RFC 9110 §10.1.1).
        const auto expect = request.headers.get("Expect");
        if (expect && http::iequals(*expect, "100-continue")) {
          static constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
          connection.stream.expires_after(m_limits.body_timeout);
          auto [write_ec, written] =
            co_await asio::async_write(stream, asio::buffer(k_continue.data(), k_continue.size()), k_tuple);
          if (write_ec) {
            co_return;
          }
        }
        connection.stream.expires_after(m_limits.body_timeout);
        auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, reader, k_tuple);
        if (body_ec == bhttp::error::body_limit) {
          co_await refuse(connection, stream, request, 413, "the request body is too large", start);
          co_return;
        }
        if (body_ec) {
          if (body_ec != beast::error::timeout && body_ec != asio::error::operation_aborted &&
              body_ec != bhttp::error::partial_message && body_ec != asio::error::eof &&
              body_ec != asio::error::connection_reset) {
            co_await refuse(connection, stream, request, 400, "the request is malformed", start);
          }
          co_return;
        }
      }
      const bool keep_alive = reader.keep_alive();
      ServerResponse response;
      try {
        bool answered = false;
        if (starts_on_event_loop(request.path)) {
          answered = answer_on_loop(request, response);
        }
        // An if, not ?: with co_await in one branch: GCC 12 destroys such temporaries twice.
        if (!answered) {
          response = co_await asio::co_spawn(
            m_workers,
            [this, &request]() -> asio::awaitable<ServerResponse> { co_return m_handler(request); },
            asio::use_awaitable);
        }
      } catch (const std::exception&) {
        response = oauth_error(500, "server_error", "internal error");
        emit(fmt::format("error: unhandled exception while serving {} {}", request.method,
                         loggable_path(request.path)));
      }
      const bool keep = keep_alive && !m_stopping.load();
      if (!co_await write(connection, stream, request, response, reader.version(), keep, start)) {
        co_return;
      }
      if (!keep) {
        co_return;
      }
    }
  }

  // Runs the handler on this event loop: false when it reached a wait (WouldBlock), and
  // the request goes to a worker. Not a coroutine: no co_await may sit in a handler.
  bool answer_on_loop(const ServerRequest& request, ServerResponse& response) {
    try {
      response = m_handler(request);
      return true;
    } catch (const WouldBlock&) {
      return false;
    }
  }

  // After a refusal the client may still be sending; closing with unread bytes makes the
  // kernel send a reset that can destroy our answer before the client reads it. So stop
  // writing, then read and discard for a bounded time and amount (a "lingering close").
  asio::awaitable<void> drain(Connection& connection) {
    boost::system::error_code ignored;
    connection.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    connection.stream.expires_after(std::chrono::seconds(2));
    std::array<char, 16 * 1024> scratch{};
    std::size_t total = 0;
    while (total < 1024 * 1024) {
      auto [ec, n] = co_await connection.stream.async_read_some(asio::buffer(scratch), k_tuple);
      if (ec) {
        break;
      }
      total += n;
    }
  }

  // Answers a request the transport refused, then the connection closes: what follows
  // on the socket cannot be trusted to start a new request.
  template<class Stream>
  asio::awaitable<void> refuse(Connection& connection, Stream& stream, const ServerRequest& request,
                               int status, std::string_view description, SteadyClock::time_point start) {
    connection.linger = true;
    const auto refusal = transport_error(request.path, status, description);
    co_await write(connection, stream, request, refusal, 11, false, start);
  }

  template<class Stream>
  asio::awaitable<bool> write(Connection& connection, Stream& stream, const ServerRequest& request,
                              const ServerResponse& from, int version, bool keep_alive,
                              SteadyClock::time_point start) {
    // HEAD: the length the GET would have, without the body (RFC 9110 §9.3.2).
    const bool send_body = request.method != "HEAD" && !has_no_content(from.status);
    const auto head = response_head(from, version == 10 ? 10 : 11, keep_alive);
    // One gather write: the head and the body leave in one system call.
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), send_body ? asio::buffer(from.body)
                                                                                  : asio::const_buffer()};
    connection.stream.expires_after(m_limits.body_timeout);
    auto [ec, written] = co_await asio::async_write(stream, buffers, k_tuple);
    connection.stream.expires_never();
    if (m_log) {
      const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      emit(fmt::format("{} {} {} {:.1f}ms", request.method.empty() ? "-" : request.method,
                       loggable_path(request.path), from.status, ms));
    }
    co_return !ec;
  }

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
  TransportLimits m_limits;
  std::size_t m_io_threads;
  // One event loop per thread, each run by that thread alone: a connection's handlers
  // then need no strand, and a loop never wakes another thread to hand work over (the
  // profile of a FHIR read had 1.3 futex calls per request with one shared loop).
  std::vector<std::unique_ptr<asio::io_context>> m_loops;
  std::size_t m_next_loop = 0; // touched by the accept loop only
  tcp::acceptor m_acceptor;    // on the first loop
  asio::steady_timer m_grace;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> m_guards;
  std::vector<std::thread> m_loop_threads; // declared before m_workers: started first
  asio::thread_pool m_workers;
  std::unique_ptr<asio::ssl::context> m_tls; // null: plain HTTP
  bool m_client_trust_anchors = false;       // --tls-client-ca was given
  std::mutex m_mutex;                        // guards the two below
  std::unordered_set<std::shared_ptr<Connection>> m_connections;
  std::unordered_map<std::string, std::size_t> m_per_address;
  std::atomic<bool> m_stopping{false};
  int m_port = 0;
};

} // namespace

util::Result<std::unique_ptr<HttpListener>> HttpListener::bind(RequestHandler handler,
                                                               const ListenerOptions& options) {
  auto listener = std::make_unique<BeastListener>(std::move(handler), options);
  if (auto bound = listener->bind_socket(options.host, options.port, options.tls); !bound) {
    return tl::unexpected(bound.error());
  }
  return std::unique_ptr<HttpListener>(std::move(listener));
}

} // namespace oauthctl::server
