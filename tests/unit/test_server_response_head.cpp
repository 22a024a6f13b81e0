// SPDX-License-Identifier: MIT
// The status line and header fields serve writes (response_head.hpp): what a client reads
// before the body, byte for byte.
#include "server/response_head.hpp"

#include <doctest/doctest.h>

using namespace oauthctl::server;

TEST_SUITE("server.response_head") {
  TEST_CASE("a JSON answer on a kept-alive HTTP/1.1 connection") {
    ServerResponse response;
    response.body = R"({"a":1})";
    response.headers.add("Cache-Control", "no-store");
    CHECK(response_head(response, 11, true) ==
          "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Type: application/json\r\n"
          "Content-Length: 7\r\n\r\n");
  }

  TEST_CASE("Connection says what the version does not imply") {
    ServerResponse response;
    response.status = 400;
    CHECK(response_head(response, 11, false) ==
          "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 0\r\n"
          "Connection: close\r\n\r\n");
    CHECK(response_head(response, 10, true) ==
          "HTTP/1.0 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 0\r\n"
          "Connection: keep-alive\r\n\r\n");
    CHECK(response_head(response, 10, false).find("Connection") == std::string::npos);
  }

  TEST_CASE("204 carries neither Content-Length nor Content-Type (RFC 9110 §8.6)") {
    ServerResponse response;
    response.status = 204;
    CHECK(response_head(response, 11, true) == "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(has_no_content(204));
    CHECK(has_no_content(100));
    CHECK_FALSE(has_no_content(200));
    CHECK_FALSE(has_no_content(304));
  }

  TEST_CASE("Content-Length is the body's size, sent or not (HEAD)") {
    ServerResponse response;
    response.content_type = "application/fhir+json";
    response.body = std::string(1234, 'x');
    CHECK(response_head(response, 11, true) ==
          "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: 1234\r\n\r\n");
  }

  TEST_CASE("the fields computed here replace the response's own, whatever their case") {
    ServerResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.headers.add("content-type", "text/plain");
    response.headers.add("CONTENT-LENGTH", "99");
    response.headers.add("connection", "upgrade");
    response.headers.add("Location", "https://app.example/cb?code=abc");
    response.body = "hello";
    CHECK(response_head(response, 11, true) ==
          "HTTP/1.1 200 OK\r\nLocation: https://app.example/cb?code=abc\r\n"
          "Content-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\n");
  }

  TEST_CASE("a value cannot end the header or add a field") {
    ServerResponse response;
    response.status = 302;
    response.headers.add("Location", "https://app.example/\r\nSet-Cookie: a=b\r\n\r\n<html>");
    response.headers.add("X-Nul", std::string("a\0b", 3));
    const auto head = response_head(response, 11, true);
    CHECK(head == "HTTP/1.1 302 Found\r\nLocation: https://app.example/  Set-Cookie: a=b    <html>\r\n"
                  "X-Nul: a b\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n");
  }

  TEST_CASE("every status serve sends has its phrase, an unknown one an empty phrase") {
    for (const int status :
         {200, 201, 204, 302, 303, 400, 401, 403, 404, 405, 409, 413, 415, 429, 431, 500, 501, 502, 503}) {
      CAPTURE(status);
      CHECK_FALSE(reason_phrase(status).empty());
    }
    ServerResponse response;
    response.status = 299;
    CHECK(response_head(response, 11, true).rfind("HTTP/1.1 299 \r\n", 0) == 0);
  }
}
