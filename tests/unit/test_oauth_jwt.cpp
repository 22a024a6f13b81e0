// SPDX-License-Identifier: MIT
#include "server_test_support.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace oauthctl;
using oauth::decode_jwt;
using oauth::JwksVerifier;

namespace {

std::string b64(const std::string& text) {
  return util::base64url_encode(text);
}

JwksVerifier verifier_for(const oauth::SigningKey& key) {
  auto verifier = JwksVerifier::from_jwks({{"keys", nlohmann::json::array({key.public_jwk()})}});
  REQUIRE(verifier.has_value());
  return std::move(*verifier);
}

// A token whose header is replaced by `header`, keeping payload and signature.
std::string with_header(const std::string& token, const nlohmann::json& header) {
  return b64(header.dump()) + token.substr(token.find('.'));
}

} // namespace

TEST_SUITE("oauth.jwt") {
  TEST_CASE("sign, decode and verify") {
    const auto key = test::test_key();
    const auto token = key.sign({{"sub", "alice"}, {"exp", 2'000'000'000}});
    REQUIRE(token.has_value());
    const auto jwt = decode_jwt(*token);
    REQUIRE(jwt.has_value());
    CHECK(jwt->header["alg"] == "RS256");
    CHECK(jwt->header["typ"] == "JWT");
    CHECK(jwt->header["kid"] == key.kid());
    CHECK(jwt->claims["sub"] == "alice");
    CHECK(verifier_for(key).verify_signature(*jwt).has_value());
  }

  // The key's signing context is set up once and copied per signature; the server signs
  // from one loop thread per core at once, so the copies must not disturb each other.
  TEST_CASE("one key signs from several threads at once, RSA and EC") {
    for (const auto alg : {oauth::JwsAlg::rs256, oauth::JwsAlg::es256}) {
      CAPTURE(oauth::to_string(alg));
      auto made = alg == oauth::JwsAlg::rs256 ? oauth::SigningKey::from_pem(test::test_key_pem())
                                              : oauth::SigningKey::generate(alg);
      REQUIRE(made.has_value());
      const auto& key = *made;
      std::vector<std::string> tokens(4 * 50);
      std::vector<std::thread> threads;
      for (std::size_t t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          for (std::size_t i = t * 50; i < (t + 1) * 50; ++i) {
            tokens[i] = key.sign({{"sub", std::to_string(i)}}).value_or("");
          }
        });
      }
      for (auto& thread : threads) {
        thread.join();
      }
      const auto verifier = verifier_for(key);
      std::size_t good = 0;
      for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto jwt = decode_jwt(tokens[i]);
        good += jwt && verifier.verify_signature(*jwt) && jwt->claims["sub"] == std::to_string(i) ? 1 : 0;
      }
      CHECK(good == tokens.size());
    }
  }

  TEST_CASE("kid is the RFC 7638 thumbprint and the PEM round-trips") {
    const auto key = test::test_key();
    const auto jwk = key.public_jwk();
    const auto canonical = R"({"e":")" + jwk["e"].get<std::string>() + R"(","kty":"RSA","n":")" +
                           jwk["n"].get<std::string>() + R"("})";
    CHECK(key.kid() == util::base64url_encode(util::sha256(canonical)));
    CHECK(jwk["use"] == "sig");
    CHECK_FALSE(jwk.contains("d"));
    const auto again = oauth::SigningKey::from_pem(key.to_pem());
    REQUIRE(again.has_value());
    CHECK(again->kid() == key.kid());
  }

  TEST_CASE("RS384 and RS512") {
    for (const auto alg : {oauth::JwsAlg::rs384, oauth::JwsAlg::rs512}) {
      const auto key = oauth::SigningKey::from_pem(test::test_key_pem(), alg);
      REQUIRE(key.has_value());
      CHECK(key->alg() == oauth::to_string(alg));
      const auto token = key->sign({{"sub", "x"}});
      REQUIRE(token.has_value());
      CHECK(verifier_for(*key).verify_signature(*decode_jwt(*token)).has_value());
      // The JWK pins the alg: an RS256 header against an RS512 key is refused.
      const auto jwt = decode_jwt(with_header(*token, {{"alg", "RS256"}, {"kid", key->kid()}}));
      CHECK_FALSE(verifier_for(*key).verify_signature(*jwt).has_value());
    }
  }

  TEST_CASE("decode_jwt hostile input") {
    const std::string object = b64(R"({"alg":"RS256"})");
    CHECK_FALSE(decode_jwt("").has_value());
    CHECK_FALSE(decode_jwt("abc").has_value());
    CHECK_FALSE(decode_jwt(object + "." + object).has_value());
    CHECK_FALSE(decode_jwt(object + "." + object + ".c.d.e").has_value()); // JWE shape
    CHECK_FALSE(decode_jwt(object + "." + object + ".sig.").has_value());
    CHECK_FALSE(decode_jwt("!!!." + object + ".c2ln").has_value());
    CHECK_FALSE(decode_jwt(object + "." + object + ".c2ln+").has_value());
    CHECK_FALSE(decode_jwt(b64("[1,2]") + "." + object + ".c2ln").has_value());
    CHECK_FALSE(decode_jwt(object + "." + b64("\"text\"") + ".c2ln").has_value());
    CHECK_FALSE(decode_jwt(object + "." + b64("{\"a\":") + ".c2ln").has_value());
    CHECK_FALSE(decode_jwt(std::string(oauth::k_max_jwt_length + 1, 'a')).has_value());
    const auto empty_signature = decode_jwt(object + "." + object + ".");
    REQUIRE(empty_signature.has_value());
    CHECK(empty_signature->signature.empty());
  }

  TEST_CASE("verify_signature refuses forged tokens") {
    const auto key = test::test_key();
    const auto verifier = verifier_for(key);
    const auto token = *key.sign({{"sub", "alice"}});
    const auto dot = token.rfind('.');

    SUBCASE("alg none") {
      const auto forged = b64(R"({"alg":"none","kid":")" + key.kid() + R"("})") +
                          token.substr(token.find('.'), dot - token.find('.')) + ".";
      CHECK_FALSE(verifier.verify_signature(*decode_jwt(forged)).has_value());
    }
    SUBCASE("HS256 with the public key as the HMAC secret") {
      const auto header = b64(nlohmann::json{{"alg", "HS256"}, {"kid", key.kid()}}.dump());
      const auto input = header + token.substr(token.find('.'), dot - token.find('.'));
      const auto secret = key.public_jwk().dump();
      const auto forged = input + "." + b64(util::hmac_sha256(secret, input));
      CHECK_FALSE(verifier.verify_signature(*decode_jwt(forged)).has_value());
    }
    SUBCASE("kid mismatch") {
      const auto jwt = decode_jwt(with_header(token, {{"alg", "RS256"}, {"kid", "other"}}));
      CHECK_FALSE(verifier.verify_signature(*jwt).has_value());
      const auto numeric = decode_jwt(with_header(token, {{"alg", "RS256"}, {"kid", 7}}));
      CHECK_FALSE(verifier.verify_signature(*numeric).has_value());
    }
    SUBCASE("truncated signature") {
      const auto jwt = decode_jwt(token.substr(0, token.size() - 10));
      REQUIRE(jwt.has_value());
      CHECK_FALSE(verifier.verify_signature(*jwt).has_value());
    }
    SUBCASE("tampered payload") {
      const auto forged =
        token.substr(0, token.find('.') + 1) + b64(R"({"sub":"mallory"})") + token.substr(dot);
      CHECK_FALSE(verifier.verify_signature(*decode_jwt(forged)).has_value());
    }
    SUBCASE("header without alg") {
      const auto jwt = decode_jwt(with_header(token, {{"kid", key.kid()}}));
      CHECK_FALSE(verifier.verify_signature(*jwt).has_value());
    }
  }

  TEST_CASE("from_jwks hostile input") {
    CHECK_FALSE(JwksVerifier::from_jwks(nlohmann::json::array()).has_value());
    CHECK_FALSE(JwksVerifier::from_jwks({{"keys", "x"}}).has_value());
    CHECK_FALSE(JwksVerifier::from_jwks({{"keys", nlohmann::json::array()}}).has_value());
    CHECK_FALSE(JwksVerifier::from_jwks({{"keys", {{{"kty", "oct"}, {"k", "c2VjcmV0"}}}}}).has_value());
    CHECK_FALSE(
      JwksVerifier::from_jwks({{"keys", {{{"kty", "RSA"}, {"n", "!!"}, {"e", "AQAB"}}}}}).has_value());
    CHECK_FALSE(
      JwksVerifier::from_jwks({{"keys", {{{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}}}}).has_value());
    auto jwk = test::test_key().public_jwk();
    jwk["use"] = "enc";
    CHECK_FALSE(JwksVerifier::from_jwks({{"keys", {jwk}}}).has_value());
    jwk["use"] = "sig";
    jwk["alg"] = "HS256";
    CHECK_FALSE(JwksVerifier::from_jwks({{"keys", {jwk}}}).has_value());
    // One bad key among good ones is skipped, not fatal.
    const auto mixed =
      JwksVerifier::from_jwks({{"keys", {{{"kty", "EC"}}, test::test_key().public_jwk(), 42}}});
    REQUIRE(mixed.has_value());
    CHECK(mixed->size() == 1);
  }

  TEST_CASE("weak keys are refused") {
    CHECK_FALSE(oauth::SigningKey::generate_rsa(1024).has_value());
    CHECK_FALSE(oauth::SigningKey::from_pem("not a pem").has_value());
    CHECK_FALSE(oauth::SigningKey::from_pem("").has_value());
  }

  TEST_CASE("check_claims") {
    const nlohmann::json claims{{"iss", "https://as"}, {"aud", {"a", "b"}}, {"exp", 1000}, {"nbf", 100}};
    CHECK(oauth::check_claims(claims, {"https://as", {"b"}, 500, 0, true}).has_value());
    CHECK_FALSE(oauth::check_claims(claims, {"https://as", {"b"}, 1000, 0, true}).has_value()); // expired
    CHECK(oauth::check_claims(claims, {"https://as", {"b"}, 1000, 30, true}).has_value());      // leeway
    CHECK_FALSE(oauth::check_claims(claims, {"https://as", {"b"}, 50, 0, true}).has_value());   // nbf
    CHECK_FALSE(oauth::check_claims(claims, {"https://other", {"b"}, 500, 0, true}).has_value());
    CHECK_FALSE(oauth::check_claims(claims, {"https://as", {"c"}, 500, 0, true}).has_value());
    CHECK(oauth::check_claims({{"aud", "c"}, {"exp", 1000}}, {"", {"c"}, 500, 0, true}).has_value());
    CHECK_FALSE(oauth::check_claims({{"aud", "c"}}, {"", {"c"}, 500, 0, true}).has_value()); // no exp
    CHECK_FALSE(oauth::check_claims({{"exp", "1000"}}, {"", {}, 500, 0, true}).has_value());
    CHECK_FALSE(oauth::check_claims({{"iss", 5}, {"exp", 1000}}, {"5", {}, 500, 0, true}).has_value());
    // Found by fuzz_jwt's hostile seeds under UBSan: dates no clock reaches are invalid
    // claims, not an overflow in the cast or in exp + leeway.
    const oauth::ClaimChecks leeway{"", {}, 500, 60, true};
    for (const auto& exp :
         {nlohmann::json(1e300), nlohmann::json(-1e300), nlohmann::json(9223372036854775807LL),
          nlohmann::json(18446744073709551615ULL), nlohmann::json(-9223372036854775807LL - 1)}) {
      CAPTURE(exp.dump());
      CHECK_FALSE(oauth::check_claims({{"exp", exp}}, leeway).has_value());
      CHECK_FALSE(oauth::check_claims({{"exp", 1000}, {"nbf", exp}}, leeway).has_value());
    }
    CHECK(oauth::check_claims({{"exp", 4102444800.5}, {"nbf", 0}}, leeway).has_value());
  }
}
