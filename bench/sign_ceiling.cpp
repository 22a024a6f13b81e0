// SPDX-License-Identifier: MIT
// The ceiling for bench/transport.sh's token figure on this machine: the least an HTTP/1.1
// server can do per request and still sign one RSA-2048 (PKCS#1 v1.5, SHA-256) signature,
// as the token endpoint must. One epoll loop per core (SO_REUSEPORT), keep-alive, no
// parsing beyond finding the end of the request, a fixed claims set, the signature
// hex-encoded into a JSON body of about the token response's size. No client
// authentication, no JWT, no limits, no error handling: a measuring stick, not a server.
//
// wrk on the same cores costs what it costs against any server, so the token endpoint's
// requests/s against this one's, in the same run, says how much of what is left is ours.
//
// Usage: sign_ceiling PORT [THREADS]   (bench/transport.sh builds and runs it)
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

EVP_PKEY* g_key = nullptr;
int g_port = 0;

constexpr const char* k_claims =
  R"({"iss":"http://127.0.0.1:8080","sub":"demo-client","aud":"http://127.0.0.1:8080/fhir",)"
  R"("exp":1764660000,"iat":1764656400,"jti":"abcdefghijklmnopqrstuv","scope":"system/Patient.read",)"
  R"("client_id":"demo-client"})";

std::string signed_response() {
  unsigned char signature[512];
  std::size_t length = sizeof signature;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, g_key);
  EVP_DigestSign(ctx, signature, &length, reinterpret_cast<const unsigned char*>(k_claims),
                 std::strlen(k_claims));
  EVP_MD_CTX_free(ctx);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string body = std::string(R"({"access_token":")") + k_claims;
  for (std::size_t i = 0; i < length; ++i) {
    body += k_hex[signature[i] >> 4];
    body += k_hex[signature[i] & 15];
  }
  body += R"(","token_type":"Bearer","expires_in":300,"scope":"system/Patient.read"})";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

void serve_loop() {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(g_port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 512) != 0) {
    std::perror("sign_ceiling: bind");
    std::exit(1);
  }
  const int poll = epoll_create1(0);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener;
  epoll_ctl(poll, EPOLL_CTL_ADD, listener, &event);
  std::unordered_map<int, std::string> pending; // bytes received per connection
  epoll_event ready[64];
  char chunk[8192];
  for (;;) {
    const int count = epoll_wait(poll, ready, 64, -1);
    for (int i = 0; i < count; ++i) {
      const int fd = ready[i].data.fd;
      if (fd == listener) {
        for (int client; (client = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event added{};
          added.events = EPOLLIN;
          added.data.fd = client;
          epoll_ctl(poll, EPOLL_CTL_ADD, client, &added);
        }
        continue;
      }
      const auto received = recv(fd, chunk, sizeof chunk, 0);
      if (received <= 0) {
        close(fd);
        pending.erase(fd);
        continue;
      }
      auto& bytes = pending[fd];
      bytes.append(chunk, static_cast<std::size_t>(received));
      for (;;) {
        const auto end = bytes.find("\r\n\r\n");
        if (end == std::string::npos) {
          break;
        }
        const auto field = bytes.find("Content-Length: ");
        const std::size_t body =
          field != std::string::npos && field < end ? std::strtoul(&bytes[field + 16], nullptr, 10) : 0;
        if (bytes.size() < end + 4 + body) {
          break;
        }
        bytes.erase(0, end + 4 + body);
        const auto response = signed_response();
        send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      }
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sign_ceiling PORT [THREADS]\n");
    return 2;
  }
  g_port = std::atoi(argv[1]);
  EVP_PKEY_CTX* generate = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr);
  EVP_PKEY_keygen_init(generate);
  EVP_PKEY_CTX_set_rsa_keygen_bits(generate, 2048);
  EVP_PKEY_keygen(generate, &g_key);
  EVP_PKEY_CTX_free(generate);
  const int threads = argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  std::vector<std::thread> loops;
  for (int i = 0; i < threads; ++i) {
    loops.emplace_back(serve_loop);
  }
  for (auto& loop : loops) {
    loop.join();
  }
}
