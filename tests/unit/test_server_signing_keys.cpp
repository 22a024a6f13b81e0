// SPDX-License-Identifier: MIT
#include "server/auth/signing_keys.hpp"
#include "state_test_store.hpp"

#include <oauthctl/server/signing_key_admin.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>

using namespace oauthctl;
using server::state::KeyRecord;

namespace {

KeyRecord stored_key(std::int64_t created_at) {
  auto key = oauth::SigningKey::generate_rsa(2048);
  REQUIRE(key.has_value());
  return {key->kid(), key->alg(), key->to_pem(), created_at, 0, 0};
}

std::vector<std::string> jwks_kids(const server::KeySet& set) {
  std::vector<std::string> kids;
  const auto jwks = nlohmann::json::parse(set.jwks_json); // kept alive through the loop
  for (const auto& jwk : jwks["keys"]) {
    kids.push_back(jwk["kid"]);
  }
  return kids;
}

} // namespace

TEST_SUITE("server.signing_keys") {
  TEST_CASE("the newest active key signs, a retired one is published until publish_until") {
    auto old_key = stored_key(100);
    const auto new_key = stored_key(200);
    old_key.retired_at = 200;
    old_key.publish_until = 5000;
    const auto during = server::key_set_from({old_key, new_key}, 4999);
    REQUIRE(during.has_value());
    CHECK((*during)->signer.kid() == new_key.kid);
    CHECK(jwks_kids(**during) == std::vector<std::string>{new_key.kid, old_key.kid});
    // A token the old key signed still verifies; so does one of the new key.
    const auto old_signer = oauth::SigningKey::from_pem(old_key.pem);
    REQUIRE(old_signer.has_value());
    const auto old_token = old_signer->sign({{"sub", "x"}});
    REQUIRE(old_token.has_value());
    const auto jwt = oauth::decode_jwt(*old_token);
    REQUIRE(jwt.has_value());
    CHECK((*during)->verifier.verify_signature(*jwt).has_value());

    const auto after = server::key_set_from({old_key, new_key}, 5000);
    REQUIRE(after.has_value());
    CHECK(jwks_kids(**after) == std::vector<std::string>{new_key.kid});
    CHECK_FALSE((*after)->verifier.verify_signature(*jwt).has_value());

    // Two active keys for a moment (mid-rotation): the newer signs.
    const auto both = server::key_set_from({stored_key(100), new_key}, 300);
    REQUIRE(both.has_value());
    CHECK((*both)->signer.kid() == new_key.kid);
    old_key.retired_at = 1;
    CHECK_FALSE(server::key_set_from({old_key}, 0).has_value()); // no active key: refused
  }

  TEST_CASE("a refresher follows the store: a rotation elsewhere replaces the set at the next refresh") {
    const auto store = test::memory_state_store();
    const auto first = stored_key(100);
    REQUIRE(store->add_key(first).has_value());
    auto initial = server::key_set_from(*store->keys(), 1000);
    REQUIRE(initial.has_value());
    server::SigningKeys keys(*initial);
    server::KeyRefresher refresher(*store, keys);
    REQUIRE(refresher.refresh(1000).has_value());
    const auto unchanged = keys.current();
    CHECK(unchanged->signer.kid() == first.kid);

    const auto second = stored_key(200);
    REQUIRE(store->add_key(second).has_value());
    REQUIRE(store->retire_key(first.kid, 1001, 5000).has_value());
    REQUIRE(refresher.refresh(1001).has_value());
    CHECK(keys.current()->signer.kid() == second.kid);
    CHECK(keys.current()->kids == std::vector<std::string>{second.kid, first.kid});
    CHECK(unchanged->signer.kid() == first.kid); // a request's snapshot stays whole
    // publish_until passes without a write: the minute's recheck drops the old key.
    REQUIRE(refresher.refresh(5061).has_value());
    CHECK(keys.current()->kids == std::vector<std::string>{second.kid});
  }

  TEST_CASE("serve keys rotate: a new active key, the old one retired until the longest token lifetime "
            "plus 60 s") {
    const auto dir = std::filesystem::temp_directory_path() / ("oauthctl-keys-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    server::ServerOptions options;
    options.store = "sqlite:" + (dir / "serve.db").string();
    {
      auto store = server::state::open_sqlite_state_store((dir / "serve.db").string());
      REQUIRE(store.has_value());
      REQUIRE((*store)->add_key(stored_key(100)).has_value());
      server::state::PrincipalRecord client{
        "long", R"({"resourceType":"Client","id":"long","grant_types":["client_credentials"],
                   "auth":{"client_credentials":{"access_token_expiration":7200}}})",
        "", server::state::Source::config, 0};
      REQUIRE((*store)->put_client(client).has_value());
    }
    const auto before = server::list_signing_keys(options);
    REQUIRE(before.has_value());
    REQUIRE(before->size() == 1);
    const auto added = server::rotate_signing_key(options, 1000);
    REQUIRE(added.has_value());
    CHECK(added->kid != before->front().kid);
    CHECK(added->alg == "RS256");
    const auto after = server::list_signing_keys(options);
    REQUIRE(after.has_value());
    REQUIRE(after->size() == 2);
    CHECK(after->front().kid == before->front().kid);
    CHECK(after->front().retired_at == 1000);
    CHECK(after->front().publish_until == 1000 + 7200 + 60);
    CHECK(after->back().kid == added->kid);
    CHECK(after->back().retired_at == 0);
    std::filesystem::remove_all(dir);
  }
}
