// SPDX-License-Identifier: MIT
#include "server/auth/consent_rules.hpp"
#include "server/auth/scope_words.hpp"
#include "server_test_support.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>
#include <oauthctl/util/form.hpp>

#include <doctest/doctest.h>

using namespace oauthctl;
using test::body_json;
using test::Browser;
using test::hidden_value;
using test::location_param;
using test::TestServer;

namespace {

const std::string k_callback = "http://127.0.0.1:5555/callback";
const std::string k_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-extra-chars";

std::string challenge() {
  return oauth::make_code_challenge(oauth::PkceMethod::s256, k_verifier);
}

// An authorization request for demo-public with PKCE; `extra` is appended as is.
std::string public_query(const std::string& scope = "openid profile patient/*.rs offline_access",
                         const std::string& extra = {}) {
  return util::form_encode({{"response_type", "code"},
                            {"client_id", "demo-public"},
                            {"redirect_uri", k_callback},
                            {"scope", scope},
                            {"state", "st-1"},
                            {"nonce", "n-1"},
                            {"code_challenge", challenge()},
                            {"code_challenge_method", "S256"}}) +
         extra;
}

std::string location(const server::ServerResponse& response) {
  return response.headers.get("Location").value_or("");
}

bool is_error_page(const server::ServerResponse& response) {
  return response.status == 400 && !response.headers.get("Location") &&
         response.content_type.rfind("text/html", 0) == 0;
}

// Signs in as demo/demo from a fresh /auth/authorize answer; returns the next response.
server::ServerResponse sign_in(Browser& browser, const server::ServerResponse& authorize,
                               const std::string& password = "demo") {
  REQUIRE(authorize.status == 302);
  const auto login_url = location(authorize);
  REQUIRE(login_url.rfind("/auth/login?request=", 0) == 0);
  const auto request_id = location_param(login_url, "request");
  const auto page = browser.get("/auth/login", "request=" + request_id);
  REQUIRE(page.status == 200);
  return browser.post("/auth/login", {{"request", hidden_value(page.body, "request")},
                                      {"csrf_token", hidden_value(page.body, "csrf_token")},
                                      {"username", "demo"},
                                      {"password", password}});
}

// Allows at the consent page the login led to; returns the redirect to the client.
server::ServerResponse allow(Browser& browser, const server::ServerResponse& after_login,
                             const std::string& decision = "allow") {
  REQUIRE(after_login.status == 303);
  const auto grant_url = location(after_login);
  REQUIRE(grant_url.rfind("/auth/grant?request=", 0) == 0);
  const auto page = browser.get("/auth/grant", grant_url.substr(grant_url.find('?') + 1));
  REQUIRE(page.status == 200);
  return browser.post("/auth/grant", {{"request", hidden_value(page.body, "request")},
                                      {"csrf_token", hidden_value(page.body, "csrf_token")},
                                      {"decision", decision}});
}

// The whole browser part for demo-public: the code the client receives.
std::string obtain_code(const TestServer& server,
                        const std::string& scope = "openid profile patient/*.rs offline_access") {
  Browser browser{server, {}};
  const auto back = allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query(scope))));
  REQUIRE(back.status == 303);
  REQUIRE(location(back).rfind(k_callback + "?", 0) == 0);
  return location_param(location(back), "code");
}

server::ServerResponse redeem(const TestServer& server, const std::string& code,
                              const std::string& verifier = k_verifier,
                              const std::string& redirect = k_callback) {
  return server.post_form(util::form_encode({{"grant_type", "authorization_code"},
                                             {"code", code},
                                             {"redirect_uri", redirect},
                                             {"client_id", "demo-public"},
                                             {"code_verifier", verifier}}));
}

void check_grant_error(const server::ServerResponse& response, const std::string& error) {
  CAPTURE(response.body);
  CHECK(response.status == 400);
  CHECK(body_json(response)["error"] == error);
}

} // namespace

TEST_SUITE("server.authorize") {
  TEST_CASE("unknown client or unregistered redirect_uri: an error page, never a redirect") {
    const TestServer server;
    Browser browser{server, {}};
    const auto with = [&](const std::string& client, const std::string& redirect) {
      return browser.get("/auth/authorize", util::form_encode({{"response_type", "code"},
                                                               {"client_id", client},
                                                               {"redirect_uri", redirect},
                                                               {"state", "s"},
                                                               {"code_challenge", challenge()},
                                                               {"code_challenge_method", "S256"}}));
    };
    CHECK(is_error_page(with("nobody", k_callback)));
    for (const char* bad :
         {"http://127.0.0.2:5555/callback", "http://127.0.0.1:5555/other", "https://127.0.0.1:5555/callback",
          "http://127.0.0.1:5555/callback?x=1", "http://127.0.0.1:5555/callback#f",
          "http://evil.example/callback", "http://127.0.0.1:5555/callback/",
          "http://user@127.0.0.1:5555/callback", "http://127.0.0.1:x/callback"}) {
      CAPTURE(bad);
      const auto response = with("demo-public", bad);
      CHECK(is_error_page(response));
      CHECK(response.headers.get("X-Frame-Options") == "DENY");
    }
    // Repeated client_id or redirect_uri: also a page, since neither can be trusted.
    CHECK(is_error_page(
      browser.get("/auth/authorize", public_query() + "&redirect_uri=" + util::percent_encode(k_callback))));
    CHECK(is_error_page(browser.get("/auth/authorize", "response_type=code&state=s")));
  }

  TEST_CASE("loopback redirect URIs match on any port (RFC 8252 §7.3)") {
    const TestServer server;
    for (const char* good : {"http://127.0.0.1/callback", "http://127.0.0.1:1/callback",
                             "http://127.0.0.1:65535/callback", "http://localhost:8123/callback"}) {
      CAPTURE(good);
      Browser browser{server, {}};
      const auto response =
        browser.get("/auth/authorize", util::form_encode({{"response_type", "code"},
                                                          {"client_id", "demo-public"},
                                                          {"redirect_uri", good},
                                                          {"code_challenge", challenge()},
                                                          {"code_challenge_method", "S256"}}));
      CHECK(response.status == 302);
      CHECK(location(response).rfind("/auth/login?request=", 0) == 0);
      const auto cookie = response.headers.get("Set-Cookie").value_or("");
      CHECK(cookie.find("HttpOnly") != std::string::npos);
      CHECK(cookie.find("SameSite=Lax") != std::string::npos);
      CHECK(cookie.find("Path=/") != std::string::npos);
      CHECK(cookie.find("Secure") == std::string::npos); // http issuer
    }
  }

  TEST_CASE("errors after the redirect_uri is trusted go back with state and iss (RFC 9207)") {
    const TestServer server;
    Browser browser{server, {}};
    const auto expect = [&](const std::string& query, const std::string& error) {
      CAPTURE(query);
      const auto response = browser.get("/auth/authorize", query);
      REQUIRE(response.status == 302);
      const auto to = location(response);
      CHECK(to.rfind(k_callback + "?", 0) == 0);
      CHECK(location_param(to, "error") == error);
      CHECK(location_param(to, "state") == "st-1");
      CHECK(location_param(to, "iss") == test::k_issuer);
      CHECK_FALSE(location_param(to, "error_description").empty());
    };
    const auto base =
      util::form_encode({{"client_id", "demo-public"}, {"redirect_uri", k_callback}, {"state", "st-1"}});
    // A public client without PKCE, or with plain.
    expect(base + "&response_type=code", "invalid_request");
    expect(base + "&response_type=code&code_challenge=" + challenge() + "&code_challenge_method=plain",
           "invalid_request");
    expect(base + "&response_type=code&code_challenge=" + challenge(), "invalid_request");
    expect(base + "&response_type=code&code_challenge=short&code_challenge_method=S256", "invalid_request");
    expect(base + "&response_type=id_token", "unsupported_response_type");
    expect(base, "invalid_request");
    // demo-public may not use the implicit grant (and has no implicit redirect URIs).
    expect(public_query("openid", "&scope=profile"), "invalid_request"); // repeated parameter
    expect(util::form_encode({{"response_type", "code"},
                              {"client_id", "demo-public"},
                              {"redirect_uri", k_callback},
                              {"state", "st-1"},
                              {"scope", "system/*.read"},
                              {"code_challenge", challenge()},
                              {"code_challenge_method", "S256"}}),
           "invalid_scope");
    expect(public_query("openid user/*.cruds"), "invalid_scope");
    expect(public_query("openid", "&aud=http://elsewhere/fhir"), "invalid_request");
  }

  TEST_CASE("authorization code flow with login, consent, PKCE, id_token and FHIR access") {
    const TestServer server;
    Browser browser{server, {}};
    const auto authorize = browser.get(
      "/auth/authorize",
      public_query() + "&login_hint=demo&aud=" + util::percent_encode(std::string(test::k_issuer) + "/fhir"));
    REQUIRE(authorize.status == 302);
    CHECK_FALSE(browser.cookie.empty());

    // The login page: login_hint pre-fills the username; strict security headers.
    const auto login_url = location(authorize);
    const auto page = browser.get("/auth/login", login_url.substr(login_url.find('?') + 1));
    REQUIRE(page.status == 200);
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK(page.body.find("<html lang=\"en\">") != std::string::npos);
    CHECK(page.body.find("name=\"username\" type=\"text\"") != std::string::npos);
    CHECK(page.body.find("value=\"demo\"") != std::string::npos);
    CHECK(page.headers.get("Content-Security-Policy") ==
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:5555; "
          "frame-ancestors 'none'");
    CHECK(page.headers.get("Cache-Control") == "no-store");
    CHECK(page.headers.get("Referrer-Policy") == "no-referrer");

    // A wrong password: the page says so, and nothing redirects.
    const auto wrong = sign_in(browser, authorize, "nope");
    CHECK(wrong.status == 401);
    CHECK_FALSE(wrong.headers.get("Location"));
    CHECK(wrong.body.find("The username or password is incorrect.") != std::string::npos);

    const auto before = browser.cookie;
    const auto after_login = sign_in(browser, authorize);
    // A new session id after login (session fixation).
    CHECK(browser.cookie != before);
    CHECK(after_login.headers.get("Set-Cookie").value_or("").find("HttpOnly") != std::string::npos);
    const auto back = allow(browser, after_login);
    REQUIRE(back.status == 303);
    const auto to = location(back);
    CHECK(location_param(to, "state") == "st-1");
    CHECK(location_param(to, "iss") == test::k_issuer);
    const auto code = location_param(to, "code");
    REQUIRE(code.size() >= 43);

    const auto response = redeem(server, code);
    REQUIRE(response.status == 200);
    CHECK(response.headers.get("Cache-Control") == "no-store");
    const auto body = body_json(response);
    CHECK(body["token_type"] == "Bearer");
    CHECK(body["scope"] == "openid profile patient/*.rs offline_access");
    CHECK(body["patient"] == "pt-1");
    CHECK(body["refresh_token"].is_string());
    const auto access_token = body["access_token"].get<std::string>();

    const auto access = oauth::decode_jwt(access_token);
    REQUIRE(access.has_value());
    CHECK(access->claims["sub"] == "demo");
    CHECK(access->claims["fhirUser"] == "Patient/pt-1");
    CHECK(access->claims["patient"] == "pt-1");
    CHECK(access->claims["client_id"] == "demo-public");

    const auto id_token = oauth::decode_jwt(body["id_token"].get<std::string>());
    REQUIRE(id_token.has_value());
    CHECK(server.context->keys.current()->verifier.verify_signature(*id_token).has_value());
    const auto& claims = id_token->claims;
    CHECK(id_token->header["alg"] == "RS256");
    CHECK(claims["iss"] == test::k_issuer);
    CHECK(claims["sub"] == "demo");
    CHECK(claims["aud"] == "demo-public");
    CHECK(claims["nonce"] == "n-1");
    CHECK(claims["auth_time"] == 1'700'000'000);
    CHECK(claims["iat"] == 1'700'000'000);
    CHECK(claims["exp"] == 1'700'003'600);
    CHECK(claims["name"] == "Demo User");
    CHECK_FALSE(claims.contains("email")); // no email scope
    // OIDC Core §3.1.3.6, checked independently: base64url(left half of SHA-256).
    CHECK(claims["at_hash"] == util::base64url_encode(util::sha256(access_token).substr(0, 16)));

    // The patient compartment: own record yes, others 404 on read (as an unknown id), filtered in search.
    CHECK(server.get("/fhir/Patient/pt-1", {}, access_token).status == 200);
    CHECK(server.get("/fhir/Patient/pt-2", {}, access_token).status == 404);
    CHECK(server.get("/fhir/Observation/obs-1", {}, access_token).status == 200);
    CHECK(server.get("/fhir/Observation/obs-3", {}, access_token).status == 404);
    CHECK(body_json(server.get("/fhir/Patient", {}, access_token))["total"] == 1);
    CHECK(body_json(server.get("/fhir/Observation", {}, access_token))["total"] == 2);

    // userinfo (OIDC Core §5.3), GET and POST.
    const auto info = server.get("/auth/userinfo", {}, access_token);
    REQUIRE(info.status == 200);
    CHECK(body_json(info)["sub"] == "demo");
    CHECK(body_json(info)["name"] == "Demo User");
    CHECK(body_json(info)["fhirUser"] == "Patient/pt-1");
    server::ServerRequest post;
    post.method = "POST";
    post.path = "/auth/userinfo";
    post.headers.add("Authorization", "Bearer " + access_token);
    CHECK(server.send(post).status == 200);
  }

  TEST_CASE("a code is single use, a replay revokes what it issued") {
    const TestServer server;
    const auto code = obtain_code(server);
    const auto first = redeem(server, code);
    REQUIRE(first.status == 200);
    const auto access_token = body_json(first)["access_token"].get<std::string>();
    const auto refresh_token = body_json(first)["refresh_token"].get<std::string>();
    CHECK(server.get("/fhir/Patient/pt-1", {}, access_token).status == 200);

    check_grant_error(redeem(server, code), "invalid_grant");
    const auto revoked = server.get("/fhir/Patient/pt-1", {}, access_token);
    CHECK(revoked.status == 401);
    CHECK(revoked.headers.get("WWW-Authenticate").value_or("").find("invalid_token") != std::string::npos);
    CHECK(server.get("/auth/userinfo", {}, access_token).status == 401);
    check_grant_error(
      server.post_form("grant_type=refresh_token&client_id=demo-public&refresh_token=" + refresh_token),
      "invalid_grant");
  }

  TEST_CASE("code checks: expiry, PKCE verifier, redirect_uri, client") {
    const TestServer server;
    SUBCASE("expired after 60 s") {
      const auto code = obtain_code(server);
      server.clock->store(server.clock->load() + 61);
      check_grant_error(redeem(server, code), "invalid_grant");
    }
    SUBCASE("still valid at 59 s") {
      const auto code = obtain_code(server);
      server.clock->store(server.clock->load() + 59);
      CHECK(redeem(server, code).status == 200);
    }
    SUBCASE("wrong verifier, and the code is spent") {
      const auto code = obtain_code(server);
      check_grant_error(redeem(server, code, oauth::make_code_verifier()), "invalid_grant");
      check_grant_error(redeem(server, code), "invalid_grant");
    }
    SUBCASE("missing verifier") {
      const auto code = obtain_code(server);
      check_grant_error(server.post_form(util::form_encode({{"grant_type", "authorization_code"},
                                                            {"code", code},
                                                            {"redirect_uri", k_callback},
                                                            {"client_id", "demo-public"}})),
                        "invalid_grant");
    }
    SUBCASE("redirect_uri must be the one of the request, port included") {
      const auto code = obtain_code(server);
      check_grant_error(redeem(server, code, k_verifier, "http://127.0.0.1:5556/callback"), "invalid_grant");
    }
    SUBCASE("another client cannot redeem it") {
      const auto code = obtain_code(server);
      const auto response = server.post_form(util::form_encode({{"grant_type", "authorization_code"},
                                                                {"code", code},
                                                                {"redirect_uri", k_callback},
                                                                {"client_id", "demo-client"},
                                                                {"client_secret", "demo-secret"},
                                                                {"code_verifier", k_verifier}}));
      check_grant_error(response, "invalid_grant");
    }
    SUBCASE("unknown code") {
      check_grant_error(redeem(server, "made-up"), "invalid_grant");
    }
  }

  TEST_CASE("CSRF: a missing or wrong token gets a 403 page") {
    const TestServer server;
    Browser browser{server, {}};
    const auto authorize = browser.get("/auth/authorize", public_query());
    const auto request_id = location_param(location(authorize), "request");
    const auto page = browser.get("/auth/login", "request=" + request_id);
    for (const char* csrf : {"", "wrong"}) {
      util::FormFields fields{{"request", request_id}, {"username", "demo"}, {"password", "demo"}};
      if (*csrf != '\0') {
        fields.emplace_back("csrf_token", csrf);
      }
      const auto response = browser.post("/auth/login", fields);
      CHECK(response.status == 403);
      CHECK_FALSE(response.headers.get("Location"));
      CHECK(response.content_type.rfind("text/html", 0) == 0);
    }
    // Another browser (no session cookie) cannot use the pending request either.
    Browser other{server, {}};
    const auto stolen = other.post("/auth/login", {{"request", request_id},
                                                   {"csrf_token", hidden_value(page.body, "csrf_token")},
                                                   {"username", "demo"},
                                                   {"password", "demo"}});
    CHECK(stolen.status == 400);
    CHECK_FALSE(stolen.headers.get("Location"));
  }

  TEST_CASE("consent: deny redirects with access_denied, allow is remembered for the user") {
    const TestServer server;
    Browser browser{server, {}};
    const auto denied =
      allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query())), "deny");
    REQUIRE(denied.status == 303);
    CHECK(location_param(location(denied), "error") == "access_denied");
    CHECK(location_param(location(denied), "state") == "st-1");
    CHECK(location_param(location(denied), "iss") == test::k_issuer);

    // Signed in already: straight to consent, then remembered.
    const auto again = browser.get("/auth/authorize", public_query());
    REQUIRE(again.status == 302);
    CHECK(location(again).rfind("/auth/grant?request=", 0) == 0);
    const auto grant_page = browser.get("/auth/grant", location(again).substr(location(again).find('?') + 1));
    CHECK(grant_page.body.find("name=\"decision\" value=\"allow\"") != std::string::npos);
    CHECK(grant_page.body.find("patient/*.rs") != std::string::npos);
    const auto allowed =
      browser.post("/auth/grant", {{"request", hidden_value(grant_page.body, "request")},
                                   {"csrf_token", hidden_value(grant_page.body, "csrf_token")},
                                   {"decision", "allow"}});
    CHECK(location_param(location(allowed), "code").size() >= 43);
    const auto third = browser.get("/auth/authorize", public_query());
    CHECK(location(third).rfind(k_callback + "?code=", 0) == 0);
    // prompt=login forces the login page even so.
    const auto forced = browser.get("/auth/authorize", public_query("openid", "&prompt=login"));
    CHECK(location(forced).rfind("/auth/login?request=", 0) == 0);
    // The consent belongs to the user, not the browser session: another browser signing in
    // as demo gets a code without the consent page (the store's consent record).
    Browser other{server, {}};
    const auto elsewhere = sign_in(other, other.get("/auth/authorize", public_query()));
    CHECK(location(elsewhere).rfind(k_callback + "?code=", 0) == 0);
  }

  TEST_CASE("consent decision: per scope, prompt=consent and implicit always ask, first-party never") {
    using server::decide_consent;
    const std::vector<std::string> asked{"openid", "patient/*.rs", "offline_access"};
    // Never allowed anything: every scope is asked, even none at all (a code names the user).
    auto first = decide_consent({false, false, false, asked, std::nullopt});
    CHECK(first.ask);
    CHECK(first.scopes == asked);
    CHECK(first.already.empty());
    CHECK(decide_consent({false, false, false, {}, std::nullopt}).ask);
    // openid allowed before: only the new scopes are asked, openid is named as kept.
    auto more = decide_consent({false, false, false, asked, std::vector<std::string>{"openid"}});
    CHECK(more.ask);
    CHECK(more.scopes == std::vector<std::string>{"patient/*.rs", "offline_access"});
    CHECK(more.already == std::vector<std::string>{"openid"});
    // Everything allowed, or a subset of it: no page.
    CHECK_FALSE(decide_consent({false, false, false, asked, asked}).ask);
    CHECK_FALSE(decide_consent({false, false, false, {"openid"}, asked}).ask);
    CHECK_FALSE(decide_consent({false, false, false, {}, std::vector<std::string>{}}).ask);
    // prompt=consent and implicit ask for everything requested, first-party or not.
    for (const bool first_party : {false, true}) {
      auto prompted = decide_consent({first_party, false, true, asked, asked});
      CHECK(prompted.ask);
      CHECK(prompted.scopes == asked);
      auto implicit = decide_consent({first_party, true, false, asked, asked});
      CHECK(implicit.ask);
      CHECK(implicit.scopes == asked);
    }
    // A first-party client is not asked.
    CHECK_FALSE(decide_consent({true, false, false, asked, std::nullopt}).ask);
    // What an Allow records: the union, in order, without duplicates.
    CHECK(server::merge_scopes({"openid", "profile"}, {"profile", "patient/*.rs"}) ==
          std::vector<std::string>{"openid", "profile", "patient/*.rs"});
  }

  TEST_CASE("consent per scope: a client gets silently only what the user allowed it") {
    const TestServer server;
    Browser browser{server, {}};
    const auto first =
      allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query("openid"))));
    REQUIRE(location_param(location(first), "code").size() >= 43);
    // More scopes than allowed: the consent page again, listing only the new ones.
    const auto wider = browser.get("/auth/authorize", public_query("openid patient/*.rs offline_access"));
    REQUIRE(location(wider).rfind("/auth/grant?request=", 0) == 0);
    const auto page = browser.get("/auth/grant", location(wider).substr(location(wider).find('?') + 1));
    REQUIRE(page.status == 200);
    const auto list = page.body.substr(page.body.find("<ul id=\"scopes\">"));
    const auto items = list.substr(0, list.find("</ul>"));
    CHECK(items.find("<code>patient/*.rs</code>") != std::string::npos);
    CHECK(items.find("<code>offline_access</code>") != std::string::npos);
    CHECK(items.find("<code>openid</code>") == std::string::npos);
    CHECK(page.body.find("allowed it before: <code>openid</code>") != std::string::npos);
    // prompt=none cannot get the wider set: consent_required.
    const auto silent =
      browser.get("/auth/authorize", public_query("openid patient/*.rs offline_access", "&prompt=none"));
    CHECK(location_param(location(silent), "error") == "consent_required");
    const auto allowed = browser.post("/auth/grant", {{"request", hidden_value(page.body, "request")},
                                                      {"csrf_token", hidden_value(page.body, "csrf_token")},
                                                      {"decision", "allow"}});
    const auto code = location_param(location(allowed), "code");
    REQUIRE(code.size() >= 43);
    CHECK(body_json(redeem(server, code))["scope"] == "openid patient/*.rs offline_access");
    // The same request again, and any subset of it: no page.
    const auto same = browser.get("/auth/authorize", public_query("openid patient/*.rs offline_access"));
    CHECK(location(same).rfind(k_callback + "?code=", 0) == 0);
    const auto fewer = browser.get("/auth/authorize", public_query("patient/*.rs"));
    CHECK(location(fewer).rfind(k_callback + "?code=", 0) == 0);
    // One more scope: asked again, for that one alone.
    const auto profile = browser.get("/auth/authorize", public_query("openid profile"));
    REQUIRE(location(profile).rfind("/auth/grant?request=", 0) == 0);
    const auto profile_page =
      browser.get("/auth/grant", location(profile).substr(location(profile).find('?') + 1));
    CHECK(profile_page.body.find("<li>See your name (<code>profile</code>)</li>\n</ul>") !=
          std::string::npos);
    CHECK(profile_page.body.find("<li>Confirm your identity") == std::string::npos);
  }

  TEST_CASE("the consent page says in words what each scope allows") {
    CHECK(server::describe_scope("patient/*.rs") == "Read and search every part of your health record");
    CHECK(server::describe_scope("patient/*.read") == "Read and search every part of your health record");
    CHECK(server::describe_scope("patient/Observation.r") ==
          "Read the observations (test results, vital signs) of your health record");
    CHECK(server::describe_scope("user/*.cruds") ==
          "Create, read, change, delete and search every health record you are allowed to see");
    CHECK(
      server::describe_scope("user/Patient.s") ==
      "Search the personal details (name, birth date, gender) of the health records you are allowed to see");
    CHECK(server::describe_scope("offline_access") == "Keep access while you are away (a refresh token)");
    CHECK(server::describe_scope("custom-scope") == "custom-scope");
    const TestServer server;
    Browser browser{server, {}};
    const auto after_login =
      sign_in(browser, browser.get("/auth/authorize", public_query("openid patient/*.rs")));
    const auto page =
      browser.get("/auth/grant", location(after_login).substr(location(after_login).find('?') + 1));
    REQUIRE(page.status == 200);
    CHECK(page.body.find("Read and search every part of your health record (<code>patient/*.rs</code>)") !=
          std::string::npos);
  }

  TEST_CASE("repeated wrong passwords slow down, without a lockout") {
    const TestServer server;
    Browser browser{server, {}};
    const auto authorize = browser.get("/auth/authorize", public_query());
    for (int i = 0; i < 3; ++i) {
      CHECK(sign_in(browser, authorize, "wrong").status == 401);
    }
    const auto slowed = sign_in(browser, authorize, "demo");
    CHECK(slowed.status == 429);
    CHECK(slowed.headers.get("Retry-After") == "1");
    server.clock->store(server.clock->load() + 2);
    CHECK(sign_in(browser, authorize, "demo").status == 303);
  }

  TEST_CASE("wrong passwords in one browser session do not slow the user's own session") {
    // Both browsers come from one address (a shared NAT, a proxy, loopback): the strict
    // backoff is keyed by the browser session too, so only the guessing session waits.
    const TestServer server;
    Browser attacker{server, {}};
    const auto attack = attacker.get("/auth/authorize", public_query());
    for (int i = 0; i < 4; ++i) {
      CHECK(sign_in(attacker, attack, "wrong").status != 303);
    }
    CHECK(sign_in(attacker, attack, "demo").status == 429);
    Browser user{server, {}};
    const auto signed_in = sign_in(user, user.get("/auth/authorize", public_query()));
    CHECK(signed_in.status == 303);
    CHECK(location(signed_in).rfind("/auth/grant?request=", 0) == 0);
    // A fresh session per guess is no way round: the softer per-username limit (thirty
    // free failures, then seconds) holds every session back, a clean one too.
    for (int i = 0; i < 30; ++i) {
      Browser hopper{server, {}};
      CHECK(sign_in(hopper, hopper.get("/auth/authorize", public_query()), "wrong").status == 401);
    }
    Browser late{server, {}};
    const auto held = sign_in(late, late.get("/auth/authorize", public_query()));
    CHECK(held.status == 429);
    CHECK(held.headers.get("Retry-After") == "1");
  }

  TEST_CASE("escaping: echoed values cannot inject markup") {
    const TestServer server;
    Browser browser{server, {}};
    const auto authorize =
      browser.get("/auth/authorize", public_query("openid", "&login_hint=%22%3E%3Cscript%3E"));
    const auto page = browser.get("/auth/login", "request=" + location_param(location(authorize), "request"));
    CHECK(page.body.find("<script>") == std::string::npos);
    CHECK(page.body.find("&quot;&gt;&lt;script&gt;") != std::string::npos);
  }

  TEST_CASE(
    "implicit grant: off for demo-client, where enabled, consent every time, the token in the fragment") {
    server::ClientSpec spa;
    spa.id = "spa";
    spa.grant_types = {"implicit"};
    spa.first_party = true; // consent is asked all the same (RFC 9700 §2.1.2)
    spa.auth["implicit"].redirect_uris = {"http://localhost/callback"};
    const TestServer server{{spa}};
    Browser browser{server, {}};
    auto implicit_query = [](const std::string& client) {
      return util::form_encode({{"response_type", "token"},
                                {"client_id", client},
                                {"redirect_uri", "http://localhost:9000/callback"},
                                {"scope", "openid user/*.rs"},
                                {"state", "imp"}});
    };
    // The first-party demo client has no implicit grant unless a config gives it one.
    const auto refused = browser.get("/auth/authorize", implicit_query("demo-client"));
    REQUIRE(refused.status == 302);
    CHECK(location_param(location(refused), "error") == "unauthorized_client");

    const auto back = allow(browser, sign_in(browser, browser.get("/auth/authorize", implicit_query("spa"))));
    REQUIRE(back.status == 303);
    const auto to = location(back);
    REQUIRE(to.rfind("http://localhost:9000/callback#", 0) == 0);
    CHECK(location_param(to, "token_type") == "Bearer");
    CHECK(location_param(to, "expires_in") == "3600");
    CHECK(location_param(to, "scope") == "openid user/*.rs");
    CHECK(location_param(to, "state") == "imp");
    CHECK(location_param(to, "iss") == test::k_issuer);
    CHECK(location_param(to, "refresh_token").empty());
    const auto token = location_param(to, "access_token");
    CHECK(server.get("/fhir/Patient/pt-1", {}, token).status == 200); // demo is Patient/pt-1
    CHECK(server.get("/fhir/Patient/pt-2", {}, token).status == 404);
    // Consent was given in this session, yet the next implicit request asks again.
    const auto again = browser.get("/auth/authorize", implicit_query("spa"));
    CHECK(location(again).rfind("/auth/grant?request=", 0) == 0);
  }
}

TEST_SUITE("server.oidc_request") {
  TEST_CASE("prompt=none answers login_required or consent_required instead of a page") {
    const TestServer server;
    Browser browser{server, {}};
    const auto none = [&] { return browser.get("/auth/authorize", public_query("openid", "&prompt=none")); };
    auto first = none();
    REQUIRE(first.status == 302);
    CHECK(location(first).rfind(k_callback + "?", 0) == 0);
    CHECK(location_param(location(first), "error") == "login_required");
    CHECK(location_param(location(first), "state") == "st-1");
    CHECK(location_param(location(first), "iss") == test::k_issuer);

    // Signed in (the consent page is left unanswered): consent is still missing.
    const auto consent = sign_in(browser, browser.get("/auth/authorize", public_query("openid")));
    REQUIRE(location(consent).rfind("/auth/grant?request=", 0) == 0);
    CHECK(location_param(location(none()), "error") == "consent_required");
    REQUIRE(allow(browser, consent).status == 303);
    // Signed in and allowed: prompt=none gets a code without any page.
    const auto silent = none();
    CHECK(location_param(location(silent), "code").size() >= 43);
    CHECK(location_param(location(silent), "error").empty());

    const auto combined = browser.get("/auth/authorize", public_query("openid", "&prompt=none%20login"));
    CHECK(location_param(location(combined), "error") == "invalid_request");
    const auto unknown = browser.get("/auth/authorize", public_query("openid", "&prompt=maybe"));
    CHECK(location_param(location(unknown), "error") == "invalid_request");
  }

  TEST_CASE("prompt=none with the implicit grant answers interaction_required, even after consent") {
    // OIDC Core §3.1.2.6: interaction_required is for a request that cannot complete without
    // a page of some kind. Here that is the implicit grant, whose page confirms every
    // request (RFC 9700 §2.1.2): consent on record cannot spare it, so consent_required
    // would send the client round in a circle.
    server::ClientSpec spa;
    spa.id = "spa";
    spa.grant_types = {"implicit", "authorization_code"};
    spa.auth["implicit"].redirect_uris = {"http://localhost/callback"};
    spa.auth["authorization_code"].redirect_uris = {"http://localhost/callback"};
    const TestServer server{{spa}};
    Browser browser{server, {}};
    const auto query = [](const std::string& response_type, const std::string& prompt) {
      util::FormFields fields{{"response_type", response_type},
                              {"client_id", "spa"},
                              {"redirect_uri", "http://localhost:9000/callback"},
                              {"scope", "openid user/*.rs"},
                              {"state", "imp"}};
      if (!prompt.empty()) {
        fields.emplace_back("prompt", prompt);
      }
      if (response_type == "code") {
        fields.emplace_back("code_challenge", challenge());
        fields.emplace_back("code_challenge_method", "S256");
      }
      return util::form_encode(fields);
    };
    // Not signed in: the login comes first, and its error says so.
    const auto anonymous = browser.get("/auth/authorize", query("token", "none"));
    CHECK(location_param(location(anonymous), "error") == "login_required");
    // Signed in, and every scope allowed once through the implicit page itself.
    const auto back = allow(browser, sign_in(browser, browser.get("/auth/authorize", query("token", ""))));
    REQUIRE(location(back).find("#access_token=") != std::string::npos);
    const auto silent = browser.get("/auth/authorize", query("token", "none"));
    REQUIRE(silent.status == 302);
    const auto to = location(silent);
    CHECK(to.rfind("http://localhost:9000/callback#", 0) == 0);
    CHECK(location_param(to, "error") == "interaction_required");
    CHECK(location_param(to, "state") == "imp");
    CHECK(location_param(to, "iss") == test::k_issuer);
    CHECK(location_param(to, "access_token").empty());
    // The same consent spares the code flow its page: there prompt=none gets a code.
    const auto code = browser.get("/auth/authorize", query("code", "none"));
    CHECK(location_param(location(code), "code").size() >= 43);
    CHECK(location_param(location(code), "error").empty());
  }

  TEST_CASE("prompt=consent asks again, prompt=select_account and login sign in again") {
    const TestServer server;
    Browser browser{server, {}};
    REQUIRE(allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query("openid")))).status ==
            303);
    CHECK(location(browser.get("/auth/authorize", public_query("openid"))).rfind(k_callback + "?code=", 0) ==
          0);
    const auto ask = browser.get("/auth/authorize", public_query("openid", "&prompt=consent"));
    REQUIRE(location(ask).rfind("/auth/grant?request=", 0) == 0);
    const auto page = browser.get("/auth/grant", location(ask).substr(location(ask).find('?') + 1));
    const auto allowed = browser.post("/auth/grant", {{"request", hidden_value(page.body, "request")},
                                                      {"csrf_token", hidden_value(page.body, "csrf_token")},
                                                      {"decision", "allow"}});
    CHECK(location_param(location(allowed), "code").size() >= 43);
    const auto select = browser.get("/auth/authorize", public_query("openid", "&prompt=select_account"));
    CHECK(location(select).rfind("/auth/login?request=", 0) == 0);
  }

  TEST_CASE("max_age: an older sign-in is repeated, and auth_time in the id_token says when") {
    const TestServer server;
    Browser browser{server, {}};
    const auto signed_in_at = server.clock->load();
    REQUIRE(allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query("openid")))).status ==
            303);
    server.clock->store(signed_in_at + 100);
    // Recent enough: straight back with a code.
    const auto recent = browser.get("/auth/authorize", public_query("openid", "&max_age=300"));
    CHECK(location(recent).rfind(k_callback + "?code=", 0) == 0);
    // Too old: the login page, then a code whose id_token has the new auth_time.
    const auto stale = browser.get("/auth/authorize", public_query("openid", "&max_age=50"));
    REQUIRE(location(stale).rfind("/auth/login?request=", 0) == 0);
    const auto back = sign_in(browser, stale);
    REQUIRE(back.status == 303);
    const auto code = location_param(location(back), "code");
    REQUIRE_FALSE(code.empty());
    const auto tokens = body_json(redeem(server, code));
    const auto id_token = oauth::decode_jwt(tokens["id_token"].get<std::string>());
    REQUIRE(id_token.has_value());
    CHECK(id_token->claims["auth_time"] == signed_in_at + 100);
    // max_age=0 always signs in again; with prompt=none that is login_required.
    CHECK(location(browser.get("/auth/authorize", public_query("openid", "&max_age=0")))
            .rfind("/auth/login", 0) == 0);
    const auto none = browser.get("/auth/authorize", public_query("openid", "&max_age=0&prompt=none"));
    CHECK(location_param(location(none), "error") == "login_required");
    for (const char* bad : {"-1", "x", ""}) {
      CAPTURE(bad);
      const auto refused =
        browser.get("/auth/authorize", public_query("openid", std::string("&max_age=") + bad));
      CHECK(location_param(location(refused), "error") == "invalid_request");
    }
  }

  TEST_CASE("response_mode: query, fragment and form_post (an auto-submitting page)") {
    const TestServer server;
    Browser browser{server, {}};
    REQUIRE(allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query("openid")))).status ==
            303);
    const auto query = browser.get("/auth/authorize", public_query("openid", "&response_mode=query"));
    CHECK(location(query).rfind(k_callback + "?code=", 0) == 0);
    const auto fragment = browser.get("/auth/authorize", public_query("openid", "&response_mode=fragment"));
    CHECK(location(fragment).rfind(k_callback + "#code=", 0) == 0);
    const auto bad = browser.get("/auth/authorize", public_query("openid", "&response_mode=web_message"));
    CHECK(location_param(location(bad), "error") == "invalid_request");

    const auto posted = browser.get("/auth/authorize", public_query("openid", "&response_mode=form_post"));
    CHECK(posted.status == 200);
    CHECK_FALSE(posted.headers.get("Location"));
    CHECK(posted.body.find("<form id=\"response\" method=\"post\" action=\"" + k_callback + "\">") !=
          std::string::npos);
    CHECK(hidden_value(posted.body, "code").size() >= 43);
    CHECK(hidden_value(posted.body, "state") == "st-1");
    CHECK(hidden_value(posted.body, "iss") == test::k_issuer);
    // The one script runs because the CSP names its hash, and the form may post only to
    // the client's origin.
    const auto start = posted.body.find("<script>") + 8;
    const auto script = posted.body.substr(start, posted.body.find("</script>") - start);
    const auto csp = posted.headers.get("Content-Security-Policy").value_or("");
    CHECK(csp.find("script-src 'sha256-" + util::base64_encode(util::sha256(script)) + "'") !=
          std::string::npos);
    CHECK(csp.find("form-action http://127.0.0.1:5555;") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    // Errors travel the same way.
    const auto error =
      browser.get("/auth/authorize", public_query("openid user/*.cruds", "&response_mode=form_post"));
    CHECK(error.status == 200);
    CHECK(hidden_value(error.body, "error") == "invalid_scope");
  }

  TEST_CASE("request and request_uri are refused by name, unknown and ignorable parameters are ignored") {
    const TestServer server;
    Browser browser{server, {}};
    const auto request =
      browser.get("/auth/authorize", public_query("openid", "&request=eyJhbGciOiJub25lIn0.e30."));
    CHECK(location_param(location(request), "error") == "request_not_supported");
    const auto request_uri =
      browser.get("/auth/authorize", public_query("openid", "&request_uri=urn%3Aexample%3Ar1"));
    CHECK(location_param(location(request_uri), "error") == "request_uri_not_supported");
    const auto ignored = browser.get(
      "/auth/authorize", public_query("openid", "&ui_locales=fr-CA%20en&display=page&colour=blue"));
    CHECK(location(ignored).rfind("/auth/login?request=", 0) == 0);
  }

  TEST_CASE("id_token_hint: with prompt=none the hinted user gets a code, anyone else login_required") {
    const TestServer server;
    Browser browser{server, {}};
    REQUIRE(allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query("openid")))).status ==
            303);
    const auto now = server.clock->load();
    // An id_token of this server, expired a while ago (OIDC Core §3.1.2.1 accepts that).
    nlohmann::json claims{{"iss", test::k_issuer},
                          {"sub", "demo"},
                          {"aud", "demo-public"},
                          {"iat", now - 7200},
                          {"exp", now - 3600}};
    const auto demo_hint = server.context->keys.current()->signer.sign(claims);
    claims["sub"] = "someone-else";
    const auto other_hint = server.context->keys.current()->signer.sign(claims);
    REQUIRE(demo_hint.has_value());
    REQUIRE(other_hint.has_value());
    const auto silently = [&](Browser& from, const std::string& hint) {
      return location(from.get("/auth/authorize", public_query("openid", "&prompt=none&id_token_hint=" +
                                                                           util::percent_encode(hint))));
    };
    CHECK(location_param(silently(browser, *demo_hint), "code").size() >= 43);
    // The hint names another user than the one signed in: login_required, no code.
    const auto other = silently(browser, *other_hint);
    CHECK(location_param(other, "error") == "login_required");
    CHECK(location_param(other, "code").empty());
    // Nobody signed in: login_required as well.
    Browser fresh{server, {}};
    CHECK(location_param(silently(fresh, *demo_hint), "error") == "login_required");
    // Not an id_token of this server (a changed signature, or not a JWT): invalid_request.
    auto forged = *demo_hint;
    auto& changed = forged[forged.size() - 10]; // inside the signature, not its padding bits
    changed = changed == 'A' ? 'B' : 'A';
    CHECK(location_param(silently(browser, forged), "error") == "invalid_request");
    CHECK(location_param(silently(browser, "x.y.z"), "error") == "invalid_request");
    // Without prompt=none, a hint for another user leads to the login page, name prefilled.
    const auto to_login = location(browser.get(
      "/auth/authorize", public_query("openid", "&id_token_hint=" + util::percent_encode(*other_hint))));
    REQUIRE(to_login.rfind("/auth/login?request=", 0) == 0);
    const auto login = browser.get("/auth/login", "request=" + location_param(to_login, "request"));
    CHECK(login.body.find("value=\"someone-else\"") != std::string::npos);
  }
}

TEST_SUITE("server.consent_records") {
  TEST_CASE("an Allow lasts the consent lifetime, 90 days by default, then the user is asked again") {
    const TestServer server;
    // Where a fresh browser signing in as demo lands: a code (consent on record) or the page.
    const auto after_sign_in = [&](const std::string& scope = "openid") {
      Browser browser{server, {}};
      return location(sign_in(browser, browser.get("/auth/authorize", public_query(scope))));
    };
    REQUIRE(after_sign_in().rfind("/auth/grant?request=", 0) == 0);
    Browser first{server, {}};
    REQUIRE(allow(first, sign_in(first, first.get("/auth/authorize", public_query("openid")))).status == 303);
    const auto allowed_at = server.clock->load();
    server.clock->store(allowed_at + server::k_default_consent_lifetime - 1);
    CHECK(after_sign_in().rfind(k_callback + "?code=", 0) == 0);
    server.clock->store(allowed_at + server::k_default_consent_lifetime);
    CHECK(after_sign_in().rfind("/auth/grant?request=", 0) == 0);
    CHECK(server::k_default_consent_lifetime == 90 * 24 * 3600);

    // A shorter lifetime (serve --consent-lifetime); an Allow for more renews the whole set.
    server.context->auth->set_consent_lifetime(3600);
    Browser second{server, {}};
    REQUIRE(allow(second, sign_in(second, second.get("/auth/authorize", public_query("openid")))).status ==
            303);
    server.clock->store(server.clock->load() + 3000);
    Browser third{server, {}};
    REQUIRE(
      allow(third, sign_in(third, third.get("/auth/authorize", public_query("openid fhirUser")))).status ==
      303);
    server.clock->store(server.clock->load() + 3000);
    CHECK(after_sign_in("openid fhirUser").rfind(k_callback + "?code=", 0) == 0);
    server.clock->store(server.clock->load() + 601);
    CHECK(after_sign_in().rfind("/auth/grant?request=", 0) == 0);

    // 0: until withdrawn.
    server.context->auth->set_consent_lifetime(0);
    Browser fourth{server, {}};
    REQUIRE(allow(fourth, sign_in(fourth, fourth.get("/auth/authorize", public_query("openid")))).status ==
            303);
    server.clock->store(server.clock->load() + 10LL * 365 * 24 * 3600);
    CHECK(after_sign_in().rfind(k_callback + "?code=", 0) == 0);
  }

  TEST_CASE(
    "the consents page lists what the user allowed, and Withdraw asks again and ends refresh tokens") {
    const TestServer server;
    Browser browser{server, {}};
    // Not signed in: the page says so and lists nothing.
    const auto anonymous = browser.get("/auth/consents");
    CHECK(anonymous.status == 401);
    CHECK(anonymous.body.find("not signed in") != std::string::npos);

    // demo allows demo-public (with offline_access) and gets a refresh token.
    const auto back = allow(browser, sign_in(browser, browser.get("/auth/authorize", public_query())));
    REQUIRE(back.status == 303);
    const auto tokens = body_json(redeem(server, location_param(location(back), "code")));
    const auto refresh_token = tokens["refresh_token"].get<std::string>();
    const auto access_token = tokens["access_token"].get<std::string>();
    REQUIRE(server.get("/fhir/Patient/pt-1", {}, access_token).status == 200);

    auto page = browser.get("/auth/consents");
    REQUIRE(page.status == 200);
    CHECK(page.headers.get("X-Frame-Options") == "DENY");
    CHECK(page.body.find("data-client=\"demo-public\"") != std::string::npos);
    CHECK(page.body.find(server::describe_scope("patient/*.rs")) != std::string::npos);
    CHECK(page.body.find("asked again after") != std::string::npos);
    const auto csrf = hidden_value(page.body, "csrf_token");
    REQUIRE_FALSE(csrf.empty());

    // CSRF: without the session's token nothing is withdrawn.
    CHECK(browser.post("/auth/consents", {{"client_id", "demo-public"}}).status == 403);
    CHECK(browser.post("/auth/consents", {{"csrf_token", "forged"}, {"client_id", "demo-public"}}).status ==
          403);
    CHECK(browser.get("/auth/consents").body.find("data-client=\"demo-public\"") != std::string::npos);
    // Another browser (signed in as nobody) cannot withdraw demo's consent with demo's token.
    Browser stranger{server, {}};
    CHECK(stranger.post("/auth/consents", {{"csrf_token", csrf}, {"client_id", "demo-public"}}).status ==
          401);

    const auto withdrawn =
      browser.post("/auth/consents", {{"csrf_token", csrf}, {"client_id", "demo-public"}});
    CHECK(withdrawn.status == 303);
    CHECK(location(withdrawn) == "/auth/consents");
    page = browser.get("/auth/consents");
    CHECK(page.body.find("data-client=") == std::string::npos);
    CHECK(page.body.find("id=\"none\"") != std::string::npos);
    // The client's refresh token and the access token issued with it stop working.
    check_grant_error(server.post_form("grant_type=refresh_token&client_id=demo-public&refresh_token=" +
                                       util::percent_encode(refresh_token)),
                      "invalid_grant");
    CHECK(server.get("/fhir/Patient/pt-1", {}, access_token).status == 401);
    // The next request of the client shows the consent page again, for every scope.
    const auto again = browser.get("/auth/authorize", public_query());
    CHECK(location(again).rfind("/auth/grant?request=", 0) == 0);
  }
}

TEST_SUITE("server.refresh") {
  TEST_CASE("rotation, narrowing, and family revocation on reuse") {
    const TestServer server;
    const auto first = body_json(redeem(server, obtain_code(server)));
    const auto r1 = first["refresh_token"].get<std::string>();
    const auto refresh = [&](const std::string& token, const std::string& scope = {}) {
      std::string body = "grant_type=refresh_token&client_id=demo-public&refresh_token=" + token;
      if (!scope.empty()) {
        body += "&scope=" + util::percent_encode(scope);
      }
      return server.post_form(body);
    };
    // Widening is refused and leaves the token usable.
    check_grant_error(refresh(r1, "openid user/*.rs"), "invalid_scope");
    const auto second = refresh(r1, "openid patient/*.rs");
    REQUIRE(second.status == 200);
    const auto body = body_json(second);
    CHECK(body["scope"] == "openid patient/*.rs");
    CHECK(body["id_token"].is_string());
    const auto r2 = body["refresh_token"].get<std::string>();
    CHECK(r2 != r1);
    const auto a2 = body["access_token"].get<std::string>();
    // Back up to the original grant is allowed (RFC 6749 §6), with r2.
    const auto third = refresh(r2, "openid profile patient/*.rs offline_access");
    REQUIRE(third.status == 200);
    const auto r3 = body_json(third)["refresh_token"].get<std::string>();
    // r1 again: reuse of a rotated token revokes the family, r3 and its tokens included.
    check_grant_error(refresh(r1), "invalid_grant");
    check_grant_error(refresh(r3), "invalid_grant");
    CHECK(server.get("/fhir/Patient/pt-1", {}, a2).status == 401);
    // Bound to the client.
    check_grant_error(
      server.post_form("grant_type=refresh_token&client_id=demo-client&client_secret=demo-secret&"
                       "refresh_token=" +
                       r3),
      "invalid_grant");
  }

  TEST_CASE("no refresh token without offline_access or client setting") {
    server::ClientSpec plain;
    plain.id = "plain";
    plain.grant_types = {"authorization_code", "refresh_token"};
    plain.auth["authorization_code"].redirect_uris = {"http://127.0.0.1/cb"};
    const TestServer server({plain});
    Browser browser{server, {}};
    const auto query = util::form_encode({{"response_type", "code"},
                                          {"client_id", "plain"},
                                          {"redirect_uri", "http://127.0.0.1/cb"},
                                          {"scope", "openid"},
                                          {"code_challenge", challenge()},
                                          {"code_challenge_method", "S256"}});
    const auto back = allow(browser, sign_in(browser, browser.get("/auth/authorize", query)));
    const auto response =
      server.post_form(util::form_encode({{"grant_type", "authorization_code"},
                                          {"code", location_param(location(back), "code")},
                                          {"redirect_uri", "http://127.0.0.1/cb"},
                                          {"client_id", "plain"},
                                          {"code_verifier", k_verifier}}));
    REQUIRE(response.status == 200);
    CHECK_FALSE(body_json(response).contains("refresh_token"));
    CHECK_FALSE(body_json(response).contains("patient"));
    CHECK(body_json(response)["id_token"].is_string());
  }
}

TEST_SUITE("server.userinfo") {
  TEST_CASE("bad, missing or non-openid tokens") {
    const TestServer server;
    const auto missing = server.get("/auth/userinfo");
    CHECK(missing.status == 401);
    CHECK(missing.headers.get("WWW-Authenticate").value_or("").rfind("Bearer", 0) == 0);
    const auto bad = server.get("/auth/userinfo", {}, "a.b.c");
    CHECK(bad.status == 401);
    CHECK(bad.headers.get("WWW-Authenticate").value_or("").find("invalid_token") != std::string::npos);
    // A client_credentials token has no openid scope and no user.
    CHECK(server.get("/auth/userinfo", {}, server.token()).status == 403);
  }

  TEST_CASE("discovery lists the new endpoints") {
    const TestServer server;
    const auto openid = body_json(server.get("/.well-known/openid-configuration"));
    CHECK(openid["authorization_endpoint"] == std::string(test::k_issuer) + "/auth/authorize");
    CHECK(openid["userinfo_endpoint"] == std::string(test::k_issuer) + "/auth/userinfo");
    CHECK(openid["response_types_supported"] == nlohmann::json::array({"code", "token"}));
    CHECK(openid["code_challenge_methods_supported"] == nlohmann::json::array({"S256"}));
    const auto smart = body_json(server.get("/.well-known/smart-configuration"));
    CHECK(smart["capabilities"].dump().find("launch-standalone") != std::string::npos);
    CHECK(smart["capabilities"].dump().find("sso-openid-connect") != std::string::npos);
  }
}
