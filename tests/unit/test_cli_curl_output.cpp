// SPDX-License-Identifier: MIT
#include "cli/curl_output.hpp"

#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

using oauthctl::cli::format_curl;
using oauthctl::cli::secret_variable;
using oauthctl::http::Request;

namespace {

Request token_request(oauthctl::util::FormFields fields) {
  Request request;
  request.method = "POST";
  request.url = "http://127.0.0.1:8080/auth/token";
  request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  request.body = oauthctl::util::form_encode(fields);
  return request;
}

} // namespace

TEST_CASE("secret_variable names the shell variable after the field") {
  CHECK(secret_variable("client_secret") == "OAUTHCTL_CLIENT_SECRET");
  CHECK(secret_variable("code_verifier") == "OAUTHCTL_CODE_VERIFIER");
  CHECK(secret_variable("set-cookie") == "OAUTHCTL_SET_COOKIE");
}

TEST_CASE("format_curl: Basic credentials become -u with the secret as a reference") {
  auto request = token_request({{"grant_type", "client_credentials"}, {"scope", "system/*.read"}});
  request.headers.add("Authorization",
                      "Basic " + oauthctl::util::base64_encode("demo-client:s3cr%27et-value"));
  const auto line = format_curl(request);
  CHECK(line == "curl -sS -X 'POST' 'http://127.0.0.1:8080/auth/token' -H 'Content-Type: "
                "application/x-www-form-urlencoded' -u \"demo-client:$OAUTHCTL_CLIENT_SECRET\" "
                "--data-urlencode 'grant_type=client_credentials' --data-urlencode 'scope=system/*.read'");
  CHECK(line.find("s3cr") == std::string::npos);
  CHECK(line.find("Basic") == std::string::npos);
}

TEST_CASE("format_curl: secret form fields are references, the others decoded and quoted") {
  const auto line = format_curl(token_request({{"grant_type", "authorization_code"},
                                               {"code", "the-code-123"},
                                               {"code_verifier", "verifier-abc"},
                                               {"client_secret", "hunter2"},
                                               {"redirect_uri", "http://127.0.0.1:5/cb?x=1&y=2"}}));
  CHECK(line.find("--data-urlencode 'code='\"$OAUTHCTL_CODE\"") != std::string::npos);
  CHECK(line.find("--data-urlencode 'code_verifier='\"$OAUTHCTL_CODE_VERIFIER\"") != std::string::npos);
  CHECK(line.find("--data-urlencode 'client_secret='\"$OAUTHCTL_CLIENT_SECRET\"") != std::string::npos);
  CHECK(line.find("--data-urlencode 'redirect_uri=http://127.0.0.1:5/cb?x=1&y=2'") != std::string::npos);
  CHECK(line.find("the-code-123") == std::string::npos);
  CHECK(line.find("verifier-abc") == std::string::npos);
  CHECK(line.find("hunter2") == std::string::npos);
}

TEST_CASE("format_curl: single quotes in values are closed, escaped and reopened") {
  const auto line = format_curl(token_request({{"scope", "it's"}}));
  CHECK(line.find("--data-urlencode 'scope=it'\\''s'") != std::string::npos);
  Request get;
  get.url = "http://h/o'k";
  CHECK(format_curl(get) == "curl -sS -X 'GET' 'http://h/o'\\''k'");
}

TEST_CASE("format_curl: bearer tokens and secret query parameters are references") {
  Request request;
  request.url = "http://h/fhir/Patient?_count=1&access_token=abcdefabcdef&x=2#frag";
  request.headers.add("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig");
  request.headers.add("Accept", "application/fhir+json");
  const auto line = format_curl(request);
  CHECK(line ==
        "curl -sS -X 'GET' 'http://h/fhir/Patient?_count=1&access_token='\"$OAUTHCTL_ACCESS_TOKEN\"'&x=2' "
        "-H \"Authorization: Bearer $OAUTHCTL_ACCESS_TOKEN\" -H 'Accept: application/fhir+json'");
  CHECK(line.find("eyJ") == std::string::npos);
  CHECK(line.find("abcdef") == std::string::npos);
}

TEST_CASE("CurlPrinter prints one line per exchange") {
  std::ostringstream out;
  oauthctl::cli::CurlPrinter printer(out);
  printer.on_exchange(token_request({{"grant_type", "client_credentials"}}), oauthctl::http::Response{});
  printer.on_exchange(token_request({{"grant_type", "client_credentials"}}), oauthctl::http::Response{});
  const auto text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}
