// SPDX-License-Identifier: MIT
// The headless login's HTML form reader: our own login and consent pages (rendered by the
// server module), a generic login page, and hostile markup.
#include "server/auth/login_pages.hpp"

#include <oauthctl/oauth/html_form.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace oauthctl;
using namespace oauthctl::oauth;

TEST_SUITE("oauth") {
  TEST_CASE("parse_html_forms reads serve's login page") {
    server::LoginPage page;
    page.request_id = "req&1";
    page.csrf_token = "csrf\"token";
    page.client_id = "demo-client";
    const auto html = server::login_page(200, page).body;
    const auto forms = parse_html_forms(html);
    REQUIRE(forms.size() == 1);
    const auto& form = forms[0];
    CHECK(form.action == "/auth/login");
    CHECK(form.method == "post");
    REQUIRE(form.password_input() != nullptr);
    CHECK(form.password_input()->name == "password");
    CHECK(form.approve_button() == nullptr);
    const auto fields = form_entries(form, {{"username", "demo"}, {"password", "pw"}}, nullptr);
    // The hidden inputs come back with their entities decoded.
    CHECK(util::form_get(fields, "request") == "req&1");
    CHECK(util::form_get(fields, "csrf_token") == "csrf\"token");
    CHECK(util::form_get(fields, "username") == "demo");
    CHECK(util::form_get(fields, "password") == "pw");
  }

  TEST_CASE("parse_html_forms reads serve's consent page and picks Allow, not Deny") {
    server::ConsentPage page;
    page.request_id = "r";
    page.csrf_token = "c";
    page.client_id = "demo-public";
    page.scopes = {"openid"};
    const auto forms = parse_html_forms(server::consent_page(page).body);
    REQUIRE(forms.size() == 1);
    const auto* allow = forms[0].approve_button();
    REQUIRE(allow != nullptr);
    CHECK(allow->name == "decision");
    CHECK(allow->value == "allow");
    const auto fields = form_entries(forms[0], {}, allow);
    CHECK(util::form_get(fields, "decision") == "allow");
    CHECK(util::form_count(fields, "decision") == 1);
  }

  TEST_CASE("a generic login page: unquoted attributes, submit inputs, checkboxes") {
    const std::string html = R"(<html><head><script>var s = "<form action=/evil>";</script></head><body>
      <!-- <form action="/commented"> -->
      <form id=search action=/search><input name=q></form>
      <FORM Method=POST action='login?x=1&amp;y=2'>
        <input type=hidden name=_csrf value=abc123>
        <input type=email name=email>
        <input type=PASSWORD name=pass>
        <input type=checkbox name=remember value=1>
        <input type=checkbox name=terms value=yes checked>
        <input type=submit name=op value="Log in">
      </FORM>
      <form action="/consent" method="post"><button name="action" value="reject">Cancel</button>
        <button name="action" value="ok">Yes, authorize</button></form>
    </body></html>)";
    const auto forms = parse_html_forms(html);
    REQUIRE(forms.size() == 3);
    CHECK(forms[0].action == "/search");
    const auto& login = forms[1];
    CHECK(login.method == "post");
    CHECK(login.action == "login?x=1&y=2");
    REQUIRE(login.password_input() != nullptr);
    CHECK(login.password_input()->name == "pass");
    const auto fields = form_entries(login, {{"email", "a@b"}, {"pass", "pw"}}, &login.controls.back());
    CHECK(fields ==
          util::FormFields{
            {"_csrf", "abc123"}, {"email", "a@b"}, {"pass", "pw"}, {"terms", "yes"}, {"op", "Log in"}});
    const auto* approve = forms[2].approve_button();
    REQUIRE(approve != nullptr);
    CHECK(approve->value == "ok");
    CHECK(approve->text == "Yes, authorize");
  }

  TEST_CASE("hostile markup never crashes and yields what it can") {
    for (const std::string& html :
         {std::string("<form"), std::string("<form action=\"unterminated>"),
          std::string("<<<>>>&#xFFFFFFFF;"),
          std::string("<form><input name=a value=&#0;&#xD800;&#99999999;&bogus;></form>"),
          std::string("<form><button>never closed"), std::string("<!-- never closed <form>"),
          std::string("<script>never closed <form>"), std::string(2'000'000, '<')}) {
      CAPTURE(html.substr(0, 60));
      const auto forms = parse_html_forms(html);
      CHECK(forms.size() <= 1);
    }
    const auto forms = parse_html_forms("<form><input name=a value=&#0;&#x41;&amp&lt;></form>");
    REQUIRE(forms.size() == 1);
    REQUIRE(forms[0].controls.size() == 1);
    CHECK(forms[0].controls[0].value == "\xEF\xBF\xBD"
                                        "A&amp<");
    std::string many;
    for (int i = 0; i < 100; ++i) {
      many += "<form>";
    }
    CHECK(parse_html_forms(many).size() == 64);
  }

  TEST_CASE("resolve_url") {
    const std::string base = "http://127.0.0.1:8080/auth/authorize?client_id=x";
    CHECK(resolve_url(base, "/auth/login") == "http://127.0.0.1:8080/auth/login");
    CHECK(resolve_url(base, "login") == "http://127.0.0.1:8080/auth/login");
    CHECK(resolve_url(base, "") == base);
    CHECK(resolve_url(base, "?a=b") == "http://127.0.0.1:8080/auth/authorize?a=b");
    CHECK(resolve_url(base, "https://idp.example/x") == "https://idp.example/x");
    CHECK(resolve_url(base, "//idp.example/x") == "http://idp.example/x");
    CHECK(resolve_url(base, "myapp:/cb?code=1") == "myapp:/cb?code=1");
    CHECK_FALSE(resolve_url("not a url", "/x").has_value());
  }
}
