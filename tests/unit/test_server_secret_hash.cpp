// SPDX-License-Identifier: MIT
#include "server/client_registry.hpp"

#include <oauthctl/server/secret_hash.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::server;

TEST_SUITE("server.secret_hash") {
  TEST_CASE("hash and verify") {
    const ScryptCost cheap{4, 1, 1};
    const auto hash = hash_secret("demo-secret", cheap);
    CHECK(hash.rfind("$scrypt$ln=4,r=1,p=1$", 0) == 0);
    CHECK(hash.find("demo-secret") == std::string::npos);
    CHECK(verify_secret("demo-secret", hash));
    CHECK_FALSE(verify_secret("demo-secreT", hash));
    CHECK_FALSE(verify_secret("", hash));
    CHECK(hash_secret("demo-secret", cheap) != hash); // salted
  }

  TEST_CASE("the default cost is the slow one") {
    CHECK(ScryptCost{}.log2_n >= 15);
  }

  TEST_CASE("malformed hashes never verify") {
    for (const char* encoded :
         {"", "demo-secret", "$scrypt$", "$scrypt$ln=4,r=1,p=1$", "$scrypt$ln=4,r=1,p=1$$",
          "$scrypt$ln=40,r=1,p=1$c2FsdA$aGFzaA", "$scrypt$ln=4,r=0,p=1$c2FsdA$aGFzaA",
          "$scrypt$ln=x,r=1,p=1$c2FsdA$aGFzaA", "$pbkdf2$whatever", "$scrypt$ln=4$a$b"}) {
      CAPTURE(encoded);
      CHECK_FALSE(verify_secret("demo-secret", encoded));
    }
  }

  TEST_CASE("ClientRegistry authenticates through its cache") {
    ClientSpec confidential;
    confidential.id = "c";
    ClientSpec public_client;
    public_client.id = "p";
    const ClientRegistry registry({{confidential, hash_secret("s", {4, 1, 1})}, {public_client, ""}});
    CHECK(registry.find("c") != nullptr);
    CHECK(registry.find("x") == nullptr);
    CHECK(registry.authenticate("c", "s") == SecretCheck::valid);
    CHECK(registry.authenticate("c", "s") == SecretCheck::valid); // cached
    CHECK(registry.authenticate("c", "t") == SecretCheck::invalid);
    CHECK(registry.authenticate("x", "s") == SecretCheck::invalid);
    CHECK(registry.authenticate("p", "") == SecretCheck::invalid);
    CHECK(registry.authenticate("p", "s") == SecretCheck::invalid);
  }
}
