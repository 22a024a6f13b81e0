// SPDX-License-Identifier: MIT
// Compact JWS decoding, JWK Set parsing and signature verification: everything a token
// from the network or a JWKS document from a jwks_uri goes through.
//
// Input: `<compact JWT>\n<JWK Set JSON>`. Without a JWK Set after the newline, the token
// is checked against a fixed set of two RSA keys (kids fuzz-1 and fuzz-2) whose validly
// signed tokens are in the seed corpus, so mutations reach the signature check.

#include "fuzz_support.hpp"

#include <oauthctl/oauth/jwt.hpp>

#include <nlohmann/json.hpp>

namespace {

using namespace oauthctl;

constexpr std::string_view k_fixed_jwks =
  R"({"keys":[{"kty":"RSA","kid":"fuzz-1","use":"sig","alg":"RS256","n":"vlhTlVbzhB9QDoN7EcPFgb6fJx08MxhjPI6cpy-LThcw2BSWuGpaEK6jDzoNRq7yVz_lM8aAuLZMY2fsrPTTZqn4mJlD_UDRN_oRrsfzygezYOKbSd4zS1dkhNDQvliZ-fpcbJSy_rhQeuRFB7R0r6TJdL2Qp9U2fEltQocDzZep1-mqXZkPGYZaPdiHeZCEhbLpycxlKKvJuL8ycU0-T0qCppEPeylXhHdRQagvNHM54CT0YXKMs_sIYghqJs9Zj2GWawWYsghmRUC2b9Zbx48mGYGRvXq2hCZ0zGc3rdF6YGV1ScBD_Yfq1FuFNs0fmYrrNkT_NNTk7bmFhWIfPQ","e":"AQAB"},{"kty":"RSA","kid":"fuzz-2","n":"za7hGS3RVd9gHASvY8m4-yFDN4ReYp-cddAH8Z5hF1NXbHmzdO9_8tkSTbeT0lIsb_rv62919XHLj-RhMzI-mxnUpE0OvmuupTXaISBc8nPzVU5IgoQ8kjm5nUScNsq2zys3I9LBnUFTSszSIu6LTxCijtHcGSOey1L1FcvYCMWIdvqsWfBe7WchW0pawJ-BHqkLYI8UqundA6-bMlHk73txG4op4vjoM86E5ge4EqyluWV-DjDZk9bZ9OaTt5lSdrGFPQTHfEjs6PHKwg4Q8aGhdKKtRFte5zHgP_Uz3pSrSWHrJuwVJ3OFgd9hYM_6l2sHvMLaov3MNvd23DIzQw","e":"AQAB"}]})";

const oauth::JwksVerifier& fixed_verifier() {
  static const auto verifier = [] {
    auto built = oauth::JwksVerifier::from_jwks(nlohmann::json::parse(k_fixed_jwks));
    FUZZ_CHECK(built && built->size() == 2);
    return std::move(*built);
  }();
  return verifier;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [token, jwks_text] = fuzz::split_line(fuzz::as_text(data, size));
  const auto jwt = oauth::decode_jwt(token);
  if (jwt) {
    FUZZ_CHECK(jwt->header.is_object() && jwt->claims.is_object());
    FUZZ_CHECK(token.substr(0, jwt->signing_input.size()) == jwt->signing_input);
    (void)fixed_verifier().verify_signature(*jwt);
    oauth::ClaimChecks checks;
    checks.issuer = "https://issuer.example";
    checks.audiences = {"https://fhir.example"};
    checks.now = 1'700'000'100;
    checks.leeway = 60;
    (void)oauth::check_claims(jwt->claims, checks);
    checks = oauth::ClaimChecks{};
    checks.require_exp = false;
    (void)oauth::check_claims(jwt->claims, checks);
  }
  if (!jwks_text.empty()) {
    const auto document = nlohmann::json::parse(jwks_text, nullptr, false);
    if (!document.is_discarded()) {
      const auto verifier = oauth::JwksVerifier::from_jwks(document);
      if (verifier) {
        FUZZ_CHECK(verifier->size() > 0);
        if (jwt) {
          (void)verifier->verify_signature(*jwt);
        }
      }
    }
  }
  return 0;
}
