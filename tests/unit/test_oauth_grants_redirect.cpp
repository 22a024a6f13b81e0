// SPDX-License-Identifier: MIT
#include <oauthctl/http/client.hpp>
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/id_token.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/cancellation.hpp>
#include <oauthctl/util/crypto.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace oauthctl;
using namespace oauthctl::oauth;

namespace {

constexpr std::string_view k_issuer = "http://127.0.0.1:9";

std::int64_t now_seconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

const SigningKey& test_key() {
  static const SigningKey key = [] {
    auto generated = SigningKey::generate_rsa();
    REQUIRE(generated.has_value());
    return std::move(*generated);
  }();
  return key;
}

nlohmann::json jwks_of(const SigningKey& key) {
  return {{"keys", nlohmann::json::array({key.public_jwk()})}};
}

nlohmann::json id_claims(const std::string& nonce) {
  const auto now = now_seconds();
  return {{"iss", k_issuer},  {"sub", "demo"}, {"aud", "demo-public"},
          {"exp", now + 300}, {"iat", now},    {"nonce", nonce}};
}

std::string sign(const nlohmann::json& claims, const SigningKey& key = test_key()) {
  auto token = key.sign(claims);
  REQUIRE(token.has_value());
  return *token;
}

// k_issuer + `path`. Not std::string(k_issuer) + "...": with the precompiled header, gcc 12
// reports a false -Warray-bounds in the moved temporary (GCC PR 105329).
std::string at_issuer(std::string_view path) {
  std::string url(k_issuer);
  url.append(path);
  return url;
}

ServerMetadata test_metadata() {
  ServerMetadata metadata;
  metadata.issuer = std::string(k_issuer);
  metadata.authorization_endpoint = at_issuer("/auth/authorize");
  metadata.token_endpoint = at_issuer("/auth/token");
  metadata.jwks_uri = at_issuer("/.well-known/jwks.json");
  metadata.source = "test";
  return metadata;
}

// Plays the server's token and JWKS endpoints; records what the grant sent.
class FakeServer final : public http::Client {
public:
  std::string token_body;
  std::vector<http::Request> sent;
  util::Result<http::Response> send(const http::Request& request) override {
    sent.push_back(request);
    http::Response response;
    response.status = 200;
    response.headers.add("Content-Type", "application/json");
    response.body = request.url.find("jwks") != std::string::npos ? jwks_of(test_key()).dump() : token_body;
    return response;
  }
};

// Catches the "Open this URL" instruction so the test can play the browser.
class BrowserObserver final : public FlowObserver {
public:
  void on_step(std::string_view title, std::string_view) override {
    std::lock_guard lock(m_mutex);
    steps.emplace_back(title);
  }
  void on_warning(std::string_view message) override {
    std::lock_guard lock(m_mutex);
    warnings.emplace_back(message);
  }
  void on_instruction(std::string_view message) override {
    std::lock_guard lock(m_mutex);
    m_url = std::string(message.substr(message.find("http")));
    m_cv.notify_all();
  }
  // The authorize URL the grant printed, waiting for it up to five seconds.
  std::string authorize_url() {
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, std::chrono::seconds(5), [this] { return !m_url.empty(); });
    return m_url;
  }
  std::vector<std::string> steps;
  std::vector<std::string> warnings;

private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::string m_url;
};

std::string query_param(const std::string& url, std::string_view name) {
  const auto parsed = http::parse_url(url);
  REQUIRE(parsed.has_value());
  const auto fields = util::form_decode(parsed->query);
  REQUIRE(fields.has_value());
  return util::form_get(*fields, name).value_or("");
}

// Plays the browser coming back: a GET of the redirect URI with `query`.
int deliver(const std::string& redirect_uri, const std::string& query) {
  auto client = http::make_curl_client({}, nullptr);
  http::Request request;
  request.url = redirect_uri + "?" + query;
  const auto response = client->send(request);
  REQUIRE(response.has_value());
  return response->status;
}

ClientConfig public_config() {
  ClientConfig config;
  config.client_id = "demo-public";
  config.redirect.browser = "none";
  config.redirect.timeout = std::chrono::milliseconds(5000);
  return config;
}

} // namespace

TEST_SUITE("oauth.grants.redirect") {
  TEST_CASE("authorization_code_form") {
    const auto form = authorization_code_form("the-code", "http://127.0.0.1:5000/callback", "verifier");
    CHECK(util::form_get(form, "grant_type") == "authorization_code");
    CHECK(util::form_get(form, "code") == "the-code");
    CHECK(util::form_get(form, "redirect_uri") == "http://127.0.0.1:5000/callback");
    CHECK(util::form_get(form, "code_verifier") == "verifier");
    SUBCASE("without PKCE no code_verifier") {
      CHECK_FALSE(util::form_get(authorization_code_form("c", "http://127.0.0.1/cb", ""), "code_verifier"));
    }
  }

  TEST_CASE("refresh_token_form") {
    ClientConfig config;
    config.refresh_token = "rt";
    auto form = refresh_token_form(config);
    CHECK(form == util::FormFields{{"grant_type", "refresh_token"}, {"refresh_token", "rt"}});
    config.scope = "openid";
    form = refresh_token_form(config);
    CHECK(util::form_get(form, "scope") == "openid");
  }

  TEST_CASE("public_client_if_secretless") {
    ClientConfig config;
    config.client_id = "c";
    CHECK(public_client_if_secretless(config).auth_method == AuthMethod::none);
    config.client_secret = "s";
    CHECK(public_client_if_secretless(config).auth_method == AuthMethod::client_secret_basic);
    config.client_secret.clear();
    config.auth_method = AuthMethod::private_key_jwt;
    CHECK(public_client_if_secretless(config).auth_method == AuthMethod::private_key_jwt);
  }

  TEST_CASE("make_authorize_request") {
    ClientConfig config = public_config();
    config.server = "http://127.0.0.1:9";
    config.scope = "openid patient/*.read";
    const auto pkce = make_pkce();
    auto request = make_authorize_request(config, test_metadata(), ResponseType::code,
                                          "http://127.0.0.1:5000/callback", "st", "no", pkce);
    REQUIRE(request.has_value());
    CHECK(request->code_challenge == pkce.challenge);
    SUBCASE("SMART scopes default aud to the FHIR base") {
      CHECK(util::form_get(request->extra, "aud") == "http://127.0.0.1:9/fhir");
    }
    SUBCASE("--audience wins, and login_hint and launch are sent") {
      config.audience = "https://fhir.example/r4";
      config.redirect.login_hint = "demo";
      config.redirect.launch = "xyz";
      request = make_authorize_request(config, test_metadata(), ResponseType::code, "http://127.0.0.1/cb",
                                       "s", "", std::nullopt);
      REQUIRE(request.has_value());
      CHECK(util::form_get(request->extra, "aud") == "https://fhir.example/r4");
      CHECK(util::form_get(request->extra, "login_hint") == "demo");
      CHECK(util::form_get(request->extra, "launch") == "xyz");
      CHECK(request->code_challenge.empty());
    }
    SUBCASE("an explicit aud parameter is not doubled") {
      config.redirect.extra = {{"aud", "x"}};
      request = make_authorize_request(config, test_metadata(), ResponseType::code, "http://127.0.0.1/cb",
                                       "s", "", std::nullopt);
      REQUIRE(request.has_value());
      CHECK(util::form_count(request->extra, "aud") == 1);
      CHECK(build_authorize_url(*request).has_value());
    }
    SUBCASE("no SMART scope, no aud") {
      config.scope = "openid profile";
      request = make_authorize_request(config, test_metadata(), ResponseType::code, "http://127.0.0.1/cb",
                                       "s", "", std::nullopt);
      REQUIRE(request.has_value());
      CHECK_FALSE(util::form_get(request->extra, "aud"));
    }
    SUBCASE("no authorization endpoint") {
      auto metadata = test_metadata();
      metadata.authorization_endpoint.clear();
      const auto missing = make_authorize_request(config, metadata, ResponseType::code, "http://127.0.0.1/cb",
                                                  "s", "", std::nullopt);
      REQUIRE_FALSE(missing.has_value());
      CHECK(missing.error().kind == util::ErrorKind::usage);
    }
  }

  TEST_CASE("verify_id_token") {
    auto keys = JwksVerifier::from_jwks(jwks_of(test_key()));
    REQUIRE(keys.has_value());
    IdTokenExpectations expected;
    expected.issuer = std::string(k_issuer);
    expected.client_id = "demo-public";
    expected.nonce = "n-1";
    expected.now = now_seconds();
    auto claims = id_claims("n-1");
    const auto message_of = [&](const std::string& token) {
      const auto result = verify_id_token(token, *keys, expected);
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == util::ErrorKind::bad_response);
      return result.error().message;
    };

    SUBCASE("valid") {
      CHECK(verify_id_token(sign(claims), *keys, expected).has_value());
    }
    SUBCASE("wrong nonce") {
      claims["nonce"] = "other";
      CHECK(message_of(sign(claims)).find("nonce mismatch") != std::string::npos);
    }
    SUBCASE("missing nonce") {
      claims.erase("nonce");
      CHECK(message_of(sign(claims)).find("nonce") != std::string::npos);
    }
    SUBCASE("wrong aud") {
      claims["aud"] = "someone-else";
      CHECK(message_of(sign(claims)).find("aud") != std::string::npos);
    }
    SUBCASE("aud array with us, without azp") {
      claims["aud"] = {"demo-public", "other"};
      CHECK(message_of(sign(claims)).find("azp") != std::string::npos);
      claims["azp"] = "demo-public";
      CHECK(verify_id_token(sign(claims), *keys, expected).has_value());
    }
    SUBCASE("wrong iss") {
      claims["iss"] = "https://evil.example";
      CHECK(message_of(sign(claims)).find("iss mismatch") != std::string::npos);
    }
    SUBCASE("expired") {
      claims["exp"] = now_seconds() - 3600;
      CHECK(message_of(sign(claims)).find("expired") != std::string::npos);
    }
    SUBCASE("iat in the future") {
      claims["iat"] = now_seconds() + 3600;
      CHECK(message_of(sign(claims)).find("iat") != std::string::npos);
    }
    SUBCASE("bad signature: another key") {
      auto other = SigningKey::generate_rsa();
      REQUIRE(other.has_value());
      CHECK(message_of(sign(claims, *other)).find("signature") != std::string::npos);
    }
    SUBCASE("bad signature: tampered payload") {
      const auto token = sign(claims);
      claims["sub"] = "admin";
      const auto first = token.find('.');
      const auto second = token.find('.', first + 1);
      const auto forged =
        token.substr(0, first + 1) + util::base64url_encode(claims.dump()) + token.substr(second);
      CHECK(message_of(forged).find("signature") != std::string::npos);
    }
    SUBCASE("alg none") {
      const auto header = util::base64url_encode(R"({"alg":"none","typ":"JWT"})");
      CHECK(message_of(header + "." + util::base64url_encode(claims.dump()) + ".").find("signature") !=
            std::string::npos);
    }
    SUBCASE("at_hash") {
      const auto digest = util::sha256("the-access-token");
      claims["at_hash"] = util::base64url_encode(digest.substr(0, 16));
      expected.access_token = "the-access-token";
      CHECK(verify_id_token(sign(claims), *keys, expected).has_value());
      expected.access_token = "another-token";
      CHECK(message_of(sign(claims)).find("at_hash") != std::string::npos);
    }
    SUBCASE("not a JWT") {
      CHECK(message_of("garbage").find("not a signed JWT") != std::string::npos);
    }
  }

  TEST_CASE("run_authorization_code against a fake server") {
    FakeServer server;
    BrowserObserver observer;
    ClientConfig config = public_config();
    const auto metadata = test_metadata();

    SUBCASE("code, PKCE S256, public client, id_token verified") {
      config.scope = "openid profile";
      const FlowContext context{server, config, metadata, observer};
      auto result = std::async(std::launch::async, [&] { return run_authorization_code(context); });
      const auto url = observer.authorize_url();
      REQUIRE_FALSE(url.empty());
      CHECK(query_param(url, "code_challenge_method") == "S256");
      CHECK(query_param(url, "client_id") == "demo-public");
      const auto nonce = query_param(url, "nonce");
      REQUIRE_FALSE(nonce.empty());
      server.token_body = nlohmann::json{{"access_token", "at"},
                                         {"token_type", "Bearer"},
                                         {"refresh_token", "rt"},
                                         {"id_token", sign(id_claims(nonce))}}
                            .dump();
      const auto redirect_uri = query_param(url, "redirect_uri");
      CHECK(deliver(redirect_uri, "code=abc&state=" + query_param(url, "state")) == 200);
      const auto token = result.get();
      REQUIRE_MESSAGE(token.has_value(), token.error().message);
      CHECK(token->refresh_token == "rt");
      REQUIRE(server.sent.size() == 2); // token request, then the JWKS
      const auto form = util::form_decode(server.sent[0].body);
      REQUIRE(form.has_value());
      CHECK(util::form_get(*form, "code") == "abc");
      CHECK(util::form_get(*form, "redirect_uri") == redirect_uri);
      CHECK(util::form_get(*form, "client_id") == "demo-public");
      CHECK_FALSE(server.sent[0].headers.get("Authorization"));
      const auto verifier = util::form_get(*form, "code_verifier");
      REQUIRE(verifier.has_value());
      CHECK(pkce_matches(PkceMethod::s256, *verifier, query_param(url, "code_challenge")));
    }
    SUBCASE("an id_token with another nonce is refused") {
      config.scope = "openid";
      const FlowContext context{server, config, metadata, observer};
      auto result = std::async(std::launch::async, [&] { return run_authorization_code(context); });
      const auto url = observer.authorize_url();
      server.token_body = nlohmann::json{{"access_token", "at"},
                                         {"token_type", "Bearer"},
                                         {"id_token", sign(id_claims("stale"))}}
                            .dump();
      deliver(query_param(url, "redirect_uri"), "code=abc&state=" + query_param(url, "state"));
      const auto token = result.get();
      REQUIRE_FALSE(token.has_value());
      CHECK(token.error().message.find("nonce mismatch") != std::string::npos);
    }
    SUBCASE("state mismatch: refused, no token request") {
      const FlowContext context{server, config, metadata, observer};
      auto result = std::async(std::launch::async, [&] { return run_authorization_code(context); });
      const auto url = observer.authorize_url();
      CHECK(deliver(query_param(url, "redirect_uri"), "code=abc&state=forged") == 400);
      const auto token = result.get();
      REQUIRE_FALSE(token.has_value());
      CHECK(token.error().kind == util::ErrorKind::oauth);
      CHECK(token.error().message.find("state mismatch") != std::string::npos);
      CHECK(server.sent.empty());
    }
    SUBCASE("error redirect") {
      const FlowContext context{server, config, metadata, observer};
      auto result = std::async(std::launch::async, [&] { return run_authorization_code(context); });
      const auto url = observer.authorize_url();
      deliver(query_param(url, "redirect_uri"),
              "error=access_denied&error_description=the+user+said+no&state=" + query_param(url, "state"));
      const auto token = result.get();
      REQUIRE_FALSE(token.has_value());
      CHECK(token.error().kind == util::ErrorKind::oauth);
      CHECK(token.error().oauth_error == "access_denied");
      CHECK(token.error().oauth_error_description == "the user said no");
    }
    SUBCASE("timeout") {
      config.redirect.timeout = std::chrono::milliseconds(200);
      const FlowContext context{server, config, metadata, observer};
      const auto token = run_authorization_code(context);
      REQUIRE_FALSE(token.has_value());
      CHECK(token.error().kind == util::ErrorKind::timeout);
      CHECK(token.error().message.find("--redirect-timeout") != std::string::npos);
    }
    SUBCASE("interrupted") {
      util::Cancellation cancellation;
      const FlowContext context{server, config, metadata, observer, &cancellation};
      auto result = std::async(std::launch::async, [&] { return run_authorization_code(context); });
      REQUIRE_FALSE(observer.authorize_url().empty());
      CHECK(cancellation.cancel() == 1);
      const auto token = result.get();
      REQUIRE_FALSE(token.has_value());
      CHECK(token.error().kind == util::ErrorKind::interrupted);
    }
  }

  TEST_CASE("run_implicit") {
    FakeServer server;
    BrowserObserver observer;
    const ClientConfig config = public_config();
    const auto metadata = test_metadata();
    const FlowContext context{server, config, metadata, observer};
    auto result = std::async(std::launch::async, [&] { return run_implicit(context); });
    const auto url = observer.authorize_url();
    CHECK(query_param(url, "response_type") == "token");
    CHECK(query_param(url, "code_challenge").empty());
    // The page's script posts the fragment back; play it.
    auto client = http::make_curl_client({}, nullptr);
    http::Request post;
    post.method = "POST";
    post.url = query_param(url, "redirect_uri");
    post.headers.add("Content-Type", "application/x-www-form-urlencoded");
    post.body = util::form_encode(
      {{"fragment", "access_token=at&token_type=Bearer&expires_in=60&state=" + query_param(url, "state")}});
    const auto answer = client->send(post);
    REQUIRE(answer.has_value());
    CHECK(answer->status == 200);
    const auto token = result.get();
    REQUIRE_MESSAGE(token.has_value(), token.error().message);
    CHECK(token->access_token == "at");
    CHECK(token->raw["expires_in"] == 60);
    CHECK_FALSE(token->raw.contains("state"));
    CHECK(server.sent.empty()); // no token endpoint call
    REQUIRE_FALSE(observer.warnings.empty());
    CHECK(observer.warnings.front().find("deprecated") != std::string::npos);
  }

  TEST_CASE("run_refresh_token") {
    FakeServer server;
    BrowserObserver observer;
    ClientConfig config = public_config();
    const auto metadata = test_metadata();
    SUBCASE("no refresh token is a usage error") {
      const FlowContext context{server, config, metadata, observer};
      const auto token = run_refresh_token(context);
      REQUIRE_FALSE(token.has_value());
      CHECK(token.error().kind == util::ErrorKind::usage);
    }
    SUBCASE("exchanged as a public client") {
      config.refresh_token = "rt-1";
      server.token_body = R"({"access_token":"at-2","token_type":"Bearer","refresh_token":"rt-2"})";
      const FlowContext context{server, config, metadata, observer};
      const auto token = run_refresh_token(context);
      REQUIRE(token.has_value());
      CHECK(token->refresh_token == "rt-2");
      const auto form = util::form_decode(server.sent.at(0).body);
      REQUIRE(form.has_value());
      CHECK(util::form_get(*form, "refresh_token") == "rt-1");
      CHECK(util::form_get(*form, "client_id") == "demo-public");
    }
  }
}
