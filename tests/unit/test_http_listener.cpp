// SPDX-License-Identifier: MIT
#include <oauthctl/http/listener.hpp>

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace oauthctl;
using namespace std::chrono_literals;

namespace {

struct Reply {
  long status = 0;
  std::string body;
  std::vector<std::string> headers;
  bool connected = false;

  [[nodiscard]] bool has_header(std::string_view prefix) const {
    for (const auto& header : headers) {
      if (header.rfind(prefix, 0) == 0) {
        return true;
      }
    }
    return false;
  }
};

std::size_t collect_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<Reply*>(user)->body.append(data, size * count);
  return size * count;
}

std::size_t collect_header(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<Reply*>(user)->headers.emplace_back(data, size * count);
  return size * count;
}

// A real HTTP request on loopback, as the browser would send it.
Reply send(const std::string& url, const std::string* post_body = nullptr,
           const std::vector<std::string>& extra_headers = {}) {
  Reply reply;
  CURL* curl = curl_easy_init();
  REQUIRE(curl != nullptr);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_slist* headers = nullptr;
  for (const auto& header : extra_headers) {
    headers = curl_slist_append(headers, header.c_str());
  }
  if (post_body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (curl_easy_perform(curl) == CURLE_OK) {
    reply.connected = true;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

std::unique_ptr<http::Listener> start(http::ListenerOptions options = {}) {
  auto listener = http::start_listener(options);
  REQUIRE_MESSAGE(listener.has_value(), listener.error().message);
  return std::move(*listener);
}

} // namespace

TEST_SUITE("http") {
  TEST_CASE("start_listener redirect URI") {
    SUBCASE("default: free port, /callback") {
      auto listener = start();
      CHECK(listener->port() > 0);
      CHECK(listener->redirect_uri() == "http://127.0.0.1:" + std::to_string(listener->port()) + "/callback");
    }
    SUBCASE("given path, port 0 or none means a free port") {
      for (const std::string uri : {"http://127.0.0.1:0/cb/here", "http://127.0.0.1/cb/here"}) {
        auto listener = start({uri, http::CallbackMode::query, {}});
        CHECK(listener->port() > 0);
        CHECK(listener->redirect_uri() ==
              "http://127.0.0.1:" + std::to_string(listener->port()) + "/cb/here");
      }
    }
    SUBCASE("localhost keeps its name") {
      auto listener = start({"http://localhost/callback", http::CallbackMode::query, {}});
      CHECK(listener->redirect_uri() == "http://localhost:" + std::to_string(listener->port()) + "/callback");
    }
    SUBCASE("explicit port is bound; a taken one is a network error") {
      auto first = start();
      const auto uri = "http://127.0.0.1:" + std::to_string(first->port()) + "/other";
      const auto second = http::start_listener({uri, http::CallbackMode::query, {}});
      REQUIRE_FALSE(second.has_value());
      CHECK(second.error().kind == util::ErrorKind::network);
      const auto port = first->port();
      first.reset();
      auto again = start({uri, http::CallbackMode::query, {}});
      CHECK(again->port() == port);
      CHECK(again->redirect_uri() == uri);
    }
    SUBCASE("non-loopback, https, fragment or garbage is a usage error") {
      for (const std::string uri :
           {"http://example.com/callback", "https://127.0.0.1/callback", "http://127.0.0.1/cb#frag",
            "not a url", "http://10.0.0.1:80/cb", "http://user@127.0.0.1/cb", "com.example.app:/callback"}) {
        const auto listener = http::start_listener({uri, http::CallbackMode::query, {}});
        REQUIRE_FALSE(listener.has_value());
        CHECK(listener.error().kind == util::ErrorKind::usage);
      }
    }
  }

  TEST_CASE("Listener query callback") {
    http::Callback judged;
    auto listener = start({"", http::CallbackMode::query, [&](const http::Callback& callback) {
                             judged = callback;
                             return http::CallbackPage{http::CallbackPage::Outcome::failure,
                                                       "state mismatch <script>alert(1)</script>"};
                           }});
    const auto base = "http://127.0.0.1:" + std::to_string(listener->port());

    // Unrelated requests do not consume the one callback.
    const auto favicon = send(base + "/favicon.ico");
    CHECK(favicon.status == 404);
    CHECK(send(base + "/callbackx?code=1").status == 404);
    CHECK(send(base + "/callback?code=1", nullptr, {"Host: evil.example"}).status == 400);

    const auto reply = send(listener->redirect_uri() + "?code=abc%2F1&state=xyz");
    CHECK(reply.status == 400);
    CHECK(reply.has_header("Content-Security-Policy: default-src 'none'"));
    CHECK(reply.has_header("Cache-Control: no-store"));
    CHECK(reply.has_header("Referrer-Policy: no-referrer"));
    CHECK(reply.body.find("Sign-in failed") != std::string::npos);
    CHECK(reply.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(reply.body.find("<script>alert") == std::string::npos);
    CHECK(reply.body.find("close this tab") != std::string::npos);

    // A second redirect is refused and does not replace the first.
    const auto second = send(listener->redirect_uri() + "?code=evil&state=xyz");
    CHECK(second.status == 409);

    const auto callback = listener->wait(5s);
    REQUIRE(callback.has_value());
    CHECK(callback->query == "code=abc%2F1&state=xyz");
    CHECK(callback->fragment.empty());
    CHECK(judged.query == callback->query);

    // Stopped: nothing listens any more.
    CHECK_FALSE(send(listener->redirect_uri() + "?code=late").connected);
  }

  TEST_CASE("Listener default page and POST in query mode") {
    auto listener = start();
    const std::string body = "fragment=access_token%3Dx";
    CHECK(send(listener->redirect_uri(), &body, {"Content-Type: application/x-www-form-urlencoded"}).status ==
          405);
    const auto reply = send(listener->redirect_uri() + "?error=access_denied");
    CHECK(reply.status == 200);
    CHECK(reply.body.find("Signed in") != std::string::npos);
    const auto callback = listener->wait(5s);
    REQUIRE(callback.has_value());
    CHECK(callback->query == "error=access_denied");
  }

  TEST_CASE("Listener fragment callback") {
    auto listener = start(
      {"http://127.0.0.1:0/implicit/cb", http::CallbackMode::fragment, [](const http::Callback& callback) {
         return http::CallbackPage{http::CallbackPage::Outcome::success,
                                   "got " + std::to_string(callback.fragment.size()) + " bytes"};
       }});
    const auto uri = listener->redirect_uri();

    // The page the browser lands on reads location.hash and posts it back.
    const auto page = send(uri);
    CHECK(page.status == 200);
    CHECK(page.body.find("location.hash") != std::string::npos);
    CHECK(page.body.find("method: 'POST'") != std::string::npos);
    CHECK(page.body.find("'fragment=' + encodeURIComponent(fragment)") != std::string::npos);
    CHECK(page.body.find("<script nonce=\"") != std::string::npos);
    CHECK(page.has_header("Content-Security-Policy: default-src 'none'; script-src 'nonce-"));
    CHECK(page.has_header("Cache-Control: no-store"));

    // Bad POSTs are refused without consuming the callback.
    const std::string no_field = "other=1";
    CHECK(send(uri, &no_field, {"Content-Type: application/x-www-form-urlencoded"}).status == 400);
    const std::string twice = "fragment=a&fragment=b";
    CHECK(send(uri, &twice, {"Content-Type: application/x-www-form-urlencoded"}).status == 400);
    const std::string body =
      "fragment=" + std::string("access_token%3Dtok%26token_type%3DBearer%26state%3Ds");
    CHECK(send(uri, &body, {"Content-Type: text/plain"}).status == 400);
    CHECK(
      send(uri, &body, {"Content-Type: application/x-www-form-urlencoded", "Origin: https://evil.example"})
        .status == 403);

    const auto origin = "Origin: http://127.0.0.1:" + std::to_string(listener->port());
    const auto posted = send(uri, &body, {"Content-Type: application/x-www-form-urlencoded", origin});
    CHECK(posted.status == 200);
    CHECK(posted.body == "got 42 bytes");
    CHECK(posted.has_header("Cache-Control: no-store"));
    CHECK(send(uri, &body, {"Content-Type: application/x-www-form-urlencoded"}).status == 409);

    const auto callback = listener->wait(5s);
    REQUIRE(callback.has_value());
    CHECK(callback->fragment == "access_token=tok&token_type=Bearer&state=s");
    CHECK(callback->query.empty());
  }

  TEST_CASE("Listener fragment mode takes an error in the query") {
    auto listener = start({"", http::CallbackMode::fragment, {}});
    CHECK(send(listener->redirect_uri() + "?error=invalid_request&state=s").status == 200);
    const auto callback = listener->wait(5s);
    REQUIRE(callback.has_value());
    CHECK(callback->query == "error=invalid_request&state=s");
  }

  TEST_CASE("Listener timeout") {
    auto listener = start();
    CHECK(
      send(listener->redirect_uri().substr(0, listener->redirect_uri().size() - 9) + "/favicon.ico").status ==
      404);
    const auto started = std::chrono::steady_clock::now();
    const auto callback = listener->wait(200ms);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(callback.has_value());
    CHECK(callback.error().kind == util::ErrorKind::timeout);
    CHECK(callback.error().message.rfind("no redirect arrived within 200 ms", 0) == 0);
    CHECK(elapsed >= 200ms);
    CHECK(elapsed < 3s);
  }

  TEST_CASE("Listener stop from another thread") {
    auto listener = start();
    std::thread stopper([&] {
      std::this_thread::sleep_for(50ms);
      listener->stop();
    });
    const auto started = std::chrono::steady_clock::now();
    const auto callback = listener->wait(10s);
    stopper.join();
    REQUIRE_FALSE(callback.has_value());
    CHECK(callback.error().kind == util::ErrorKind::timeout);
    CHECK(callback.error().message.find("cancelled") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    listener->stop();
  }
}
