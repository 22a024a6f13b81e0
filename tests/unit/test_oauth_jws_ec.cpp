// SPDX-License-Identifier: MIT
#include "oauth/jws_openssl.hpp"
#include "server_test_support.hpp"

#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/crypto.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

using namespace oauthctl;
using oauth::decode_jwt;
using oauth::JwksVerifier;
using oauth::JwsAlg;
using oauth::SigningKey;

namespace {

std::string b64(const std::string& text) {
  return util::base64url_encode(text);
}

// One key per curve per test binary: generation is cheap, but stable keys help debugging.
const SigningKey& ec_key(JwsAlg alg) {
  static const SigningKey p256 = *SigningKey::generate_ec(JwsAlg::es256);
  static const SigningKey p384 = *SigningKey::generate_ec(JwsAlg::es384);
  return alg == JwsAlg::es256 ? p256 : p384;
}

JwksVerifier verifier_for(const nlohmann::json& jwk) {
  auto verifier = JwksVerifier::from_jwks({{"keys", nlohmann::json::array({jwk})}});
  REQUIRE(verifier.has_value());
  return std::move(*verifier);
}

// `token` with its signature replaced by `signature` (raw bytes).
std::string with_signature(const std::string& token, const std::string& signature) {
  return token.substr(0, token.rfind('.') + 1) + b64(signature);
}

} // namespace

TEST_SUITE("oauth.jws_ec") {
  TEST_CASE("ES256 and ES384 sign and verify with r || s signatures") {
    for (const auto alg : {JwsAlg::es256, JwsAlg::es384}) {
      CAPTURE(oauth::to_string(alg));
      const auto& key = ec_key(alg);
      CHECK(key.alg() == oauth::to_string(alg));
      CHECK(key.jws_alg() == alg);
      const auto jwk = key.public_jwk();
      CHECK(jwk["kty"] == "EC");
      CHECK(jwk["crv"] == (alg == JwsAlg::es256 ? "P-256" : "P-384"));
      CHECK_FALSE(jwk.contains("d"));
      const std::size_t size = alg == JwsAlg::es256 ? 32 : 48;
      CHECK(util::base64url_decode(jwk["x"].get<std::string>())->size() == size);
      CHECK(util::base64url_decode(jwk["y"].get<std::string>())->size() == size);
      const auto token = key.sign({{"sub", "svc"}});
      REQUIRE(token.has_value());
      const auto jwt = decode_jwt(*token);
      REQUIRE(jwt.has_value());
      CHECK(jwt->header["alg"] == oauth::to_string(alg));
      // RFC 7518 §3.4: the JWS signature is r || s, 64 or 96 bytes, never DER.
      CHECK(jwt->signature.size() == 2 * size);
      CHECK(verifier_for(jwk).verify_signature(*jwt).has_value());
    }
  }

  TEST_CASE("EC kid is the RFC 7638 thumbprint and the PEM round-trips") {
    const auto& key = ec_key(JwsAlg::es384);
    const auto jwk = key.public_jwk();
    const auto canonical = R"({"crv":"P-384","kty":"EC","x":")" + jwk["x"].get<std::string>() + R"(","y":")" +
                           jwk["y"].get<std::string>() + R"("})";
    CHECK(key.kid() == b64(util::sha256(canonical)));
    const auto again = SigningKey::from_pem(key.to_pem(), JwsAlg::es384);
    REQUIRE(again.has_value());
    CHECK(again->kid() == key.kid());
    const auto any = SigningKey::from_pem_any(key.to_pem());
    REQUIRE(any.has_value());
    CHECK(any->alg() == "ES384");
    CHECK(SigningKey::from_pem_any(ec_key(JwsAlg::es256).to_pem())->alg() == "ES256");
    CHECK(SigningKey::from_pem_any(test::test_key_pem())->alg() == "RS384");
  }

  TEST_CASE("RFC 7515 Appendix A.3: the ES256 example verifies") {
    // The JWK and JWS of RFC 7515 A.3, a fixed third-party vector.
    const nlohmann::json jwk{{"kty", "EC"},
                             {"crv", "P-256"},
                             {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                             {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}};
    const std::string token =
      "eyJhbGciOiJFUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    const auto jwt = decode_jwt(token);
    REQUIRE(jwt.has_value());
    CHECK(verifier_for(jwk).verify_signature(*jwt).has_value());
    // One flipped bit in s: invalid.
    auto flipped = jwt->signature;
    flipped.back() = static_cast<char>(flipped.back() ^ 1);
    CHECK_FALSE(verifier_for(jwk).verify_signature(*decode_jwt(with_signature(token, flipped))).has_value());
  }

  TEST_CASE("hostile EC signatures and keys") {
    const auto& key = ec_key(JwsAlg::es256);
    const auto token = *key.sign({{"sub", "svc"}});
    const auto jwt = *decode_jwt(token);
    const auto verifier = verifier_for(key.public_jwk());

    SUBCASE("wrong-length signatures") {
      for (const std::size_t length : {0UL, 1UL, 63UL, 65UL, 96UL, 128UL}) {
        CAPTURE(length);
        const auto signature =
          jwt.signature.substr(0, std::min(length, jwt.signature.size())) +
          std::string(length > jwt.signature.size() ? length - jwt.signature.size() : 0, '\1');
        CHECK_FALSE(verifier.verify_signature(*decode_jwt(with_signature(token, signature))).has_value());
      }
    }
    SUBCASE("a DER signature presented raw") {
      const auto der = oauth::detail::ecdsa_raw_to_der(jwt.signature, 32);
      REQUIRE_FALSE(der.empty());
      CHECK(oauth::detail::ecdsa_der_to_raw(der, 32) == jwt.signature);
      CHECK_FALSE(verifier.verify_signature(*decode_jwt(with_signature(token, der))).has_value());
    }
    SUBCASE("r = s = 0") {
      CHECK_FALSE(
        verifier.verify_signature(*decode_jwt(with_signature(token, std::string(64, '\0')))).has_value());
    }
    SUBCASE("alg/key mismatch: RS256 or ES384 in the header of a P-256 key") {
      for (const char* alg : {"RS256", "ES384", "HS256", "none"}) {
        CAPTURE(alg);
        const auto forged =
          b64(nlohmann::json{{"alg", alg}, {"kid", key.kid()}}.dump()) + token.substr(token.find('.'));
        CHECK_FALSE(verifier.verify_signature(*decode_jwt(forged)).has_value());
      }
    }
    SUBCASE("an ES256 token against the P-384 key with the same kid") {
      auto other = ec_key(JwsAlg::es384).public_jwk();
      other["kid"] = key.kid();
      CHECK_FALSE(verifier_for(other).verify_signature(jwt).has_value());
    }
    SUBCASE("an RSA-signed token against an EC key") {
      auto rsa = *SigningKey::from_pem(test::test_key_pem(), JwsAlg::rs256);
      rsa.set_kid(key.kid());
      CHECK_FALSE(verifier.verify_signature(*decode_jwt(*rsa.sign({{"sub", "x"}}))).has_value());
    }
    SUBCASE("JWKs that are refused") {
      auto jwk = key.public_jwk();
      const auto refused = [](nlohmann::json bad) {
        return !JwksVerifier::from_jwks({{"keys", nlohmann::json::array({bad})}}).has_value();
      };
      auto curve = jwk;
      curve["crv"] = "P-521";
      CHECK(refused(curve));
      auto contradiction = jwk;
      contradiction["alg"] = "ES384"; // a P-256 key pinned to ES384
      CHECK(refused(contradiction));
      auto rsa_alg = jwk;
      rsa_alg["alg"] = "RS256";
      CHECK(refused(rsa_alg));
      auto short_x = jwk;
      short_x["x"] = b64(util::base64url_decode(jwk["x"].get<std::string>())->substr(1));
      CHECK(refused(short_x));
      auto off_curve = jwk;
      auto y = *util::base64url_decode(jwk["y"].get<std::string>());
      y.back() = static_cast<char>(y.back() ^ 1);
      off_curve["y"] = b64(y);
      CHECK(refused(off_curve)); // the invalid-curve attack's point
      auto with_private = jwk;
      with_private["d"] = "AAAA";
      CHECK(refused(with_private));
      auto no_y = jwk;
      no_y.erase("y");
      CHECK(refused(no_y));
      // An RSA JWK pinned to an EC alg is refused too.
      auto rsa_jwk = test::test_key().public_jwk();
      rsa_jwk["alg"] = "ES256";
      CHECK(refused(rsa_jwk));
    }
  }

  TEST_CASE("from_pem refuses curve and type mismatches") {
    const auto p256 = ec_key(JwsAlg::es256).to_pem();
    const auto p384 = ec_key(JwsAlg::es384).to_pem();
    CHECK(SigningKey::from_pem(p256, JwsAlg::es256).has_value());
    CHECK_FALSE(SigningKey::from_pem(p256, JwsAlg::es384).has_value());
    CHECK_FALSE(SigningKey::from_pem(p384, JwsAlg::es256).has_value());
    CHECK_FALSE(SigningKey::from_pem(p256, JwsAlg::rs256).has_value());
    CHECK_FALSE(SigningKey::from_pem(test::test_key_pem(), JwsAlg::es256).has_value());
    const auto error = SigningKey::from_pem(p384, JwsAlg::es256).error();
    CHECK(error.kind == util::ErrorKind::config);
    CHECK(error.message.find("P-256") != std::string::npos);
    CHECK_FALSE(SigningKey::generate_ec(JwsAlg::rs256).has_value());
    // An encrypted PEM is refused without prompting for a passphrase.
    CHECK_FALSE(SigningKey::from_pem_any("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED "
                                         "PRIVATE KEY-----\n")
                  .has_value());
  }

  TEST_CASE("a single key without kid verifies a token with a kid, a wrong kid among several does not") {
    const auto& key = ec_key(JwsAlg::es256);
    auto jwk = key.public_jwk();
    jwk.erase("kid");
    const auto jwt = *decode_jwt(*key.sign({{"sub", "x"}}));
    CHECK(verifier_for(jwk).verify_signature(jwt).has_value());
    auto other = ec_key(JwsAlg::es384).public_jwk();
    other.erase("kid");
    const auto two = JwksVerifier::from_jwks({{"keys", nlohmann::json::array({jwk, other})}});
    REQUIRE(two.has_value());
    CHECK_FALSE(two->verify_signature(jwt).has_value());
  }

  TEST_CASE("check_claims refuses dates out of range instead of overflowing") {
    for (const nlohmann::json& exp :
         {nlohmann::json(1e300), nlohmann::json(-1e300), nlohmann::json(INT64_MAX),
          nlohmann::json(UINT64_MAX), nlohmann::json(std::numeric_limits<double>::quiet_NaN())}) {
      CAPTURE(exp.dump());
      CHECK_FALSE(oauth::check_claims({{"exp", exp}}, {"", {}, 1000, 30, true}).has_value());
      CHECK_FALSE(oauth::check_claims({{"exp", 2000}, {"nbf", exp}}, {"", {}, 1000, 30, true}).has_value());
    }
    CHECK(oauth::check_claims({{"exp", 2000.5}}, {"", {}, 1000, 30, true}).has_value());
  }

  TEST_CASE("set_kid changes the header and the JWK") {
    auto key = *SigningKey::from_pem(ec_key(JwsAlg::es256).to_pem(), JwsAlg::es256);
    key.set_kid("registered-kid");
    CHECK(key.public_jwk()["kid"] == "registered-kid");
    const auto jwt = decode_jwt(*key.sign({{"sub", "x"}}));
    CHECK(jwt->header["kid"] == "registered-kid");
    CHECK(verifier_for(key.public_jwk()).verify_signature(*jwt).has_value());
  }

  TEST_CASE("client assertions (RFC 7523 §2.2)") {
    oauth::ClientConfig config;
    config.client_id = "svc";
    config.auth_method = oauth::AuthMethod::private_key_jwt;
    config.assertion.private_key_pem = ec_key(JwsAlg::es384).to_pem();
    const auto token = oauth::sign_client_assertion(config, "https://as/auth/token", 1000);
    REQUIRE(token.has_value());
    const auto jwt = *decode_jwt(*token);
    CHECK(jwt.header["alg"] == "ES384");
    CHECK(jwt.claims["iss"] == "svc");
    CHECK(jwt.claims["sub"] == "svc");
    CHECK(jwt.claims["aud"] == "https://as/auth/token");
    CHECK(jwt.claims["iat"] == 1000);
    CHECK(jwt.claims["exp"].get<std::int64_t>() - 1000 <= 300);
    CHECK(jwt.claims["jti"].get<std::string>().size() >= 16);
    // A fresh jti every time.
    CHECK(decode_jwt(*oauth::sign_client_assertion(config, "a", 1000))->claims["jti"] != jwt.claims["jti"]);
    config.assertion.alg = "RS384";
    CHECK(oauth::sign_client_assertion(config, "a", 1000).error().kind == util::ErrorKind::config);
    config.assertion.alg = "HS256";
    CHECK(oauth::sign_client_assertion(config, "a", 1000).error().kind == util::ErrorKind::usage);
    config.assertion.alg.clear();
    config.assertion.private_key_pem.clear();
    CHECK(oauth::sign_client_assertion(config, "a", 1000).error().kind == util::ErrorKind::usage);
  }
}
