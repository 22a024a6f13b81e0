// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/token_cache.hpp>
#include <oauthctl/util/atomic_file.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

using namespace oauthctl;
using namespace oauthctl::oauth;

namespace {

// A fresh directory per test case, removed at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "oauthctl-unit-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

TokenResponse token(const std::string& access, std::optional<long long> expires_in,
                    const std::string& refresh = "") {
  TokenResponse response;
  response.access_token = access;
  response.token_type = "Bearer";
  response.expires_in = expires_in;
  response.refresh_token = refresh;
  return response;
}

TokenCacheKey key(const std::string& scope = "") {
  return TokenCacheKey{"http://127.0.0.1:8080", "", "demo-client", "client_credentials", scope, "", "", ""};
}

} // namespace

TEST_SUITE("oauth.token_cache") {
  TEST_CASE("make_cache_key") {
    ClientConfig config;
    config.server = "http://s";
    config.client_id = "c";
    config.client_secret = "never-in-the-key";
    config.scope = "a b";
    const auto k = make_cache_key(config, GrantType::client_credentials);
    CHECK(k.id() == R"(["http://s","","c","client_credentials","a b","","",""])");
    CHECK(k.id().find("never-in-the-key") == std::string::npos);
    config.audience = "aud";
    CHECK_FALSE(make_cache_key(config, GrantType::client_credentials) == k);
    CHECK_FALSE(make_cache_key(config, GrantType::password) ==
                make_cache_key(config, GrantType::client_credentials));
  }

  TEST_CASE("credential_fingerprint") {
    ClientConfig config;
    CHECK(credential_fingerprint("salt", config).empty());
    config.client_secret = "s3cret";
    const auto fp = credential_fingerprint("salt", config);
    CHECK(fp.size() == 16);
    CHECK(fp.find("s3cret") == std::string::npos);
    CHECK(credential_fingerprint("salt", config) == fp);
    CHECK(credential_fingerprint("other-salt", config) != fp);
    config.client_secret = "s3cret2";
    CHECK(credential_fingerprint("salt", config) != fp);
  }

  TEST_CASE("the salt survives a round trip") {
    TokenCache cache;
    CHECK(cache.salt().empty());
    cache.ensure_salt();
    const auto salt = cache.salt();
    CHECK(salt.size() >= 16);
    cache.ensure_salt();
    CHECK(cache.salt() == salt);
    CHECK(TokenCache::parse(cache.serialize())->salt() == salt);
  }

  TEST_CASE("is_fresh keeps a 30 s margin") {
    const auto entry = make_cached_token(key(), "", token("at", 3600), 1000);
    REQUIRE(entry.expires_at == 4600);
    CHECK(is_fresh(entry, 1000));
    CHECK(is_fresh(entry, 4569));
    CHECK_FALSE(is_fresh(entry, 4570));
    CHECK_FALSE(is_fresh(entry, 5000));
    SUBCASE("no expires_in: never reused") {
      CHECK_FALSE(is_fresh(make_cached_token(key(), "", token("at", std::nullopt), 1000), 1000));
    }
    SUBCASE("a lifetime shorter than the margin: never reused") {
      CHECK_FALSE(is_fresh(make_cached_token(key(), "", token("at", 20), 1000), 1000));
    }
  }

  TEST_CASE("remaining_token counts down expires_in") {
    const auto entry = make_cached_token(key(), "", token("at", 3600), 1000);
    const auto later = remaining_token(entry, 1600);
    CHECK(later.expires_in == 3000);
    CHECK(later.raw["expires_in"] == 3000);
    CHECK(later.access_token == "at");
  }

  TEST_CASE("refresh_token_form") {
    CHECK(refresh_token_form("rt", "") ==
          util::FormFields{{"grant_type", "refresh_token"}, {"refresh_token", "rt"}});
    CHECK(refresh_token_form("rt", "s").back() == std::pair<std::string, std::string>{"scope", "s"});
  }

  TEST_CASE("TokenCache round trip, put replaces, remove_if") {
    TokenCache cache;
    cache.put(make_cached_token(key("a"), "dev", token("at1", 60, "rt1"), 10));
    cache.put(make_cached_token(key("b"), "", token("at2", 60), 10));
    cache.put(make_cached_token(key("a"), "dev", token("at3", 60), 20));
    REQUIRE(cache.entries().size() == 2);
    const auto parsed = TokenCache::parse(cache.serialize());
    REQUIRE(parsed);
    const auto* a = parsed->find(key("a"));
    REQUIRE(a != nullptr);
    CHECK(a->token.access_token == "at3");
    CHECK(a->profile == "dev");
    CHECK(a->obtained_at == 20);
    CHECK(a->expires_at == 80);
    auto copy = *parsed;
    const auto removed = copy.remove_if([](const CachedToken& e) { return e.key.scope == "b"; });
    CHECK(removed.size() == 1);
    CHECK(copy.entries().size() == 1);
  }

  TEST_CASE("TokenCache::parse rejects what is not a cache") {
    CHECK_FALSE(TokenCache::parse(""));
    CHECK_FALSE(TokenCache::parse("{\"version\": 1, \"tok"));
    CHECK_FALSE(TokenCache::parse("[]"));
    CHECK_FALSE(TokenCache::parse("{\"version\": 2, \"tokens\": []}"));
    // Malformed entries are dropped, the rest kept.
    const auto parsed = TokenCache::parse(R"({"version":1,"tokens":[42,{"key":{}},
      {"key":{"server":"s"},"response":{"access_token":"x"}}]})");
    REQUIRE(parsed);
    CHECK(parsed->entries().size() == 1);
  }

  TEST_CASE("update_token_cache: modes 0700/0600, atomic, concurrent writers") {
    TempDir dir;
    const auto path = token_cache_path((dir.path / "cache").string());
    REQUIRE(update_token_cache(
      path, [](TokenCache& c) { c.put(make_cached_token(key("x"), "", token("at", 60), 1)); }));
    CHECK(mode_of(dir.path / "cache" / "oauthctl") == 0700);
    CHECK(mode_of(path) == 0600);
    CHECK(load_token_cache(path).entries().size() == 1);

    SUBCASE("a broken file is replaced") {
      REQUIRE(util::write_file_atomic(path, "{broken", 0600));
      CHECK(load_token_cache(path).entries().empty());
      REQUIRE(update_token_cache(
        path, [](TokenCache& c) { c.put(make_cached_token(key("y"), "", token("a", 60), 1)); }));
      CHECK(load_token_cache(path).entries().size() == 1);
    }
    SUBCASE("threads writing different keys lose nothing") {
      std::vector<std::thread> threads;
      for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&, i] {
          CHECK(update_token_cache(path, [&](TokenCache& c) {
            c.put(make_cached_token(key("k" + std::to_string(i)), "", token("at", 60), 1));
          }));
        });
      }
      for (auto& t : threads) {
        t.join();
      }
      CHECK(load_token_cache(path).entries().size() == 9);
      // No temporary files are left behind.
      int files = 0;
      for (const auto& e : std::filesystem::directory_iterator(dir.path / "cache" / "oauthctl")) {
        files += e.path().filename().string().rfind(".tokens.json.tmp", 0) == 0 ? 100 : 1;
      }
      CHECK(files == 2); // tokens.json and tokens.json.lock
    }
  }
}
