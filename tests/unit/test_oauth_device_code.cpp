// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/device_code.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using oauth::PollSchedule;
using std::chrono::seconds;

namespace {

http::Response json_response(int status, const std::string& body) {
  http::Response response;
  response.status = status;
  response.headers.add("Content-Type", "application/json");
  response.body = body;
  return response;
}

} // namespace

TEST_SUITE("oauth.device_code") {
  TEST_CASE("poll schedule: pending keeps the interval, slow_down adds 5 s each time, others stop") {
    PollSchedule schedule(seconds(5));
    CHECK(schedule.interval() == seconds(5));
    CHECK(schedule.after_error("authorization_pending") == PollSchedule::Next::poll_again);
    CHECK(schedule.interval() == seconds(5));
    CHECK(schedule.after_error("slow_down") == PollSchedule::Next::poll_again);
    CHECK(schedule.interval() == seconds(10));
    CHECK(schedule.after_error("slow_down") == PollSchedule::Next::poll_again);
    CHECK(schedule.interval() == seconds(15));
    CHECK(schedule.after_error("authorization_pending") == PollSchedule::Next::poll_again);
    CHECK(schedule.interval() == seconds(15));
    for (const char* final_error :
         {"access_denied", "expired_token", "invalid_grant", "invalid_client", ""}) {
      CHECK(schedule.after_error(final_error) == PollSchedule::Next::stop);
    }
    CHECK(PollSchedule(seconds(0)).interval() == seconds(1));
  }

  TEST_CASE("device authorization response") {
    auto parsed = oauth::parse_device_authorization(json_response(
      200, R"({"device_code":"dc","user_code":"BCDF-GHJK","verification_uri":"https://as.example/device",
               "verification_uri_complete":"https://as.example/device?user_code=BCDF-GHJK",
               "expires_in":1800,"interval":7})"));
    REQUIRE(parsed);
    CHECK(parsed->device_code == "dc");
    CHECK(parsed->user_code == "BCDF-GHJK");
    CHECK(parsed->verification_uri == "https://as.example/device");
    CHECK(parsed->verification_uri_complete == "https://as.example/device?user_code=BCDF-GHJK");
    CHECK(parsed->expires_in == seconds(1800));
    CHECK(parsed->interval == seconds(7));

    // interval defaults to 5 s (RFC 8628 §3.2); Google's verification_url is understood.
    parsed = oauth::parse_device_authorization(json_response(
      200,
      R"({"device_code":"dc","user_code":"X","verification_url":"https://g.example/device","expires_in":60})"));
    REQUIRE(parsed);
    CHECK(parsed->interval == seconds(5));
    CHECK(parsed->verification_uri == "https://g.example/device");
    CHECK(parsed->verification_uri_complete.empty());

    for (const char* bad :
         {R"({"user_code":"X","verification_uri":"https://a/","expires_in":60})",
          R"({"device_code":"d","verification_uri":"https://a/","expires_in":60})",
          R"({"device_code":"d","user_code":"X","expires_in":60})",
          R"({"device_code":"d","user_code":"X","verification_uri":"javascript:x","expires_in":60})",
          R"({"device_code":"d","user_code":"X","verification_uri":"https://a/"})",
          R"({"device_code":"d","user_code":"X","verification_uri":"https://a/","expires_in":"60"})",
          R"([1])", "not json"}) {
      CAPTURE(bad);
      const auto error = oauth::parse_device_authorization(json_response(200, bad));
      REQUIRE_FALSE(error);
      CHECK(error.error().kind == util::ErrorKind::bad_response);
    }
    const auto refused = oauth::parse_device_authorization(
      json_response(400, R"({"error":"unauthorized_client","error_description":"no device grant"})"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == util::ErrorKind::oauth);
    CHECK(refused.error().oauth_error == "unauthorized_client");
  }

  TEST_CASE("endpoint, request and poll forms") {
    oauth::ClientConfig config;
    config.server = "https://aidbox.example/";
    oauth::ServerMetadata metadata;
    CHECK(oauth::device_authorization_endpoint(config, metadata) == "https://aidbox.example/auth/device");
    metadata.device_authorization_endpoint = "https://as.example/device/auth";
    CHECK(oauth::device_authorization_endpoint(config, metadata) == "https://as.example/device/auth");
    CHECK(oauth::device_authorization_endpoint({}, {}).empty());

    config.scope = "openid patient/*.rs";
    const auto form = oauth::device_authorization_form(config);
    CHECK(util::form_get(form, "scope") == "openid patient/*.rs");
    CHECK_FALSE(util::form_get(form, "client_id")); // added by client authentication
    const auto poll = oauth::device_token_form("dc");
    CHECK(util::form_get(poll, "grant_type") == "urn:ietf:params:oauth:grant-type:device_code");
    CHECK(util::form_get(poll, "device_code") == "dc");
  }
}
