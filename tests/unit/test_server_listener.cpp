// SPDX-License-Identifier: MIT
// The real socket path: Server::start on a free loopback port, raw HTTP/1.1 requests.
#include <oauthctl/server/server.hpp>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace oauthctl::server;

namespace {

// Sends `request` as is and reads the whole answer (the request asks to close).
std::string http_exchange(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  std::size_t sent = 0;
  while (sent < request.size()) {
    const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break; // the server may answer and close before reading everything
    }
    sent += static_cast<std::size_t>(n);
  }
  // Read one response, framed by Content-Length: we must not wait out a keep-alive timeout.
  std::string answer;
  char buffer[4096];
  for (ssize_t n = 0; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
    answer.append(buffer, static_cast<std::size_t>(n));
    const auto end_of_headers = answer.find("\r\n\r\n");
    if (end_of_headers == std::string::npos) {
      continue;
    }
    const auto length_at = answer.find("Content-Length: ");
    const auto length =
      length_at < end_of_headers ? std::stoul(answer.substr(length_at + 16)) : std::size_t{0};
    if (answer.size() >= end_of_headers + 4 + length) {
      break;
    }
  }
  ::close(fd);
  return answer;
}

std::string post(const std::string& path, const std::string& type, const std::string& body,
                 const std::string& extra = {}) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

} // namespace

TEST_SUITE("server.listener") {
  TEST_CASE("serves over a socket, maps transport errors to JSON, logs without secrets, stops") {
    std::mutex mutex;
    std::vector<std::string> lines;
    ServerOptions options;
    options.port = 0;
    options.demo = true;
    options.persistence = Persistence::ephemeral;
    options.threads = 4;
    options.log = [&](std::string_view line) {
      const std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
    auto started = Server::start(options);
    REQUIRE(started.has_value());
    auto& server = **started;
    const int port = server.port();
    std::thread runner([&] { server.run(); });

    const auto metadata =
      http_exchange(port, "GET /fhir/metadata?secret=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(metadata.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(metadata.find("application/fhir+json") != std::string::npos);

    const auto token = http_exchange(port, post("/auth/token", "application/x-www-form-urlencoded",
                                                "grant_type=client_credentials",
                                                "Authorization: Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=\r\n"));
    CHECK(token.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(token.find("\"access_token\"") != std::string::npos);
    CHECK(token.find("Cache-Control: no-store") != std::string::npos);

    // Over the token endpoint's body limit (64 KiB): 413 with RFC 6749 JSON.
    const auto huge =
      http_exchange(port, post("/auth/token", "application/json", std::string(1100 * 1024, ' ')));
    CHECK(huge.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(huge.find("\"invalid_request\"") != std::string::npos);

    // A 20 KB form reaches the token endpoint (cpp-httplib refused forms over 8 KiB).
    const auto big_form =
      http_exchange(port, post("/auth/token", "application/x-www-form-urlencoded", std::string(20'000, 'a')));
    CHECK(big_form.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(big_form.find("\"invalid_request\"") != std::string::npos);

    const auto garbage = http_exchange(port, "GARBAGE\r\n\r\n");
    CHECK(garbage.find("HTTP/1.1 400") == 0);

    const auto fhir_garbage =
      http_exchange(port, post("/fhir/Patient", "application/fhir+json", std::string(1100 * 1024, ' ')));
    CHECK(fhir_garbage.find("OperationOutcome") != std::string::npos);

    // Still serving after all of that.
    CHECK(http_exchange(port, "GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .rfind("HTTP/1.1 200", 0) == 0);

    server.stop();
    runner.join();

    const std::lock_guard lock(mutex);
    bool saw_token_line = false;
    for (const auto& line : lines) {
      CAPTURE(line);
      CHECK(line.find("secret") == std::string::npos);
      CHECK(line.find("ZGVtby1") == std::string::npos);
      CHECK(line.find('?') == std::string::npos);
      saw_token_line = saw_token_line || line.rfind("POST /auth/token 200 ", 0) == 0;
    }
    CHECK(saw_token_line);
  }

  TEST_CASE("stop before run returns at once") {
    ServerOptions options;
    options.port = 0;
    options.persistence = Persistence::ephemeral;
    auto started = Server::start(options);
    REQUIRE(started.has_value());
    (*started)->stop();
    (*started)->run();
  }

  TEST_CASE("a busy port is a network error") {
    ServerOptions options;
    options.port = 0;
    options.persistence = Persistence::ephemeral;
    auto first = Server::start(options);
    REQUIRE(first.has_value());
    options.port = (*first)->port();
    auto second = Server::start(options);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().kind == oauthctl::util::ErrorKind::network);
  }
}
