// SPDX-License-Identifier: MIT
// The discovery group: the metadata documents (RFC 8414, OpenID Connect Discovery 1.0,
// SMART App Launch 2.0 §2.0.4) and what they point at.
#include "oauth/check/checks.hpp"

#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/metadata_audit.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace oauthctl::oauth::check {

namespace {

using nlohmann::json;

std::string missing_fields(const json& document, std::initializer_list<const char*> fields) {
  std::string missing;
  for (const char* field : fields) {
    if (!document.contains(field) || document[field].is_null()) {
      missing += (missing.empty() ? "" : ", ") + std::string(field);
    }
  }
  return missing;
}

Outcome document_outcome(const Document& document, const char* what) {
  if (document.usable()) {
    return passed(fmt::format("{} served at {}", what, document.url));
  }
  return failed(fmt::format("{} at {}: {}", what, document.url, document.problem));
}

std::vector<const Document*> usable_documents(const Context& context) {
  std::vector<const Document*> out;
  for (const auto* document :
       {&context.oauth_document(), &context.openid_document(), &context.smart_document()}) {
    if (document->usable()) {
      out.push_back(document);
    }
  }
  return out;
}

} // namespace

Outcome check_oauth_metadata(Context& context) {
  const auto& document = context.oauth_document();
  if (!document.usable() && context.openid_document().usable()) {
    return warned(fmt::format("no RFC 8414 document at {} ({}); the OpenID configuration serves instead",
                              document.url, document.problem));
  }
  return document_outcome(document, "RFC 8414 metadata");
}

Outcome check_openid_configuration(Context& context) {
  const auto& document = context.openid_document();
  if (!document.usable() && !context.advertises("scopes_supported", "openid")) {
    return skipped(
      fmt::format("no OpenID configuration at {} and no openid in scopes_supported", document.url));
  }
  return document_outcome(document, "OpenID configuration");
}

Outcome check_smart_configuration(Context& context) {
  const auto& document = context.smart_document();
  if (!document.usable()) {
    return skipped(
      fmt::format("no SMART configuration at {} ({}): not a SMART server", document.url, document.problem));
  }
  return passed(fmt::format("SMART configuration served at {}", document.url));
}

Outcome check_issuer_exact(Context& context) {
  const auto documents = usable_documents(context);
  if (documents.empty()) {
    return skipped("no metadata document to read");
  }
  for (const auto* document : documents) {
    const auto issuer = string_member(document->json, "issuer");
    if (issuer.empty()) {
      if (document == &context.smart_document()) {
        continue; // SMART §2.0.4: issuer is required only with sso-openid-connect
      }
      return failed(fmt::format("{} has no issuer", document->url));
    }
    // --issuer: the deployment's issuer differs from its URL (a proxy); every document,
    // SMART's too, must name that one instead.
    if (const auto& expected = context.config().issuer; !expected.empty()) {
      if (comparable_issuer(issuer) != comparable_issuer(expected)) {
        return failed(fmt::format("{} says issuer {}, not --issuer {}", document->url, issuer, expected));
      }
      continue;
    }
    if (document == &context.smart_document()) {
      if (!context.issuer().empty() && issuer != context.issuer()) {
        return failed(
          fmt::format("SMART issuer {} differs from the discovered issuer {}", issuer, context.issuer()));
      }
      continue;
    }
    // RFC 8414 §3.3, OIDC Discovery §4.3: the issuer is exactly the URL the well-known
    // path was derived from.
    const auto derived = discovery_urls(issuer);
    if (std::find(derived.begin(), derived.end(), document->url) == derived.end()) {
      return failed(
        fmt::format("{} says issuer {}, which does not derive this document's URL", document->url, issuer));
    }
  }
  return passed(fmt::format("issuer {} matches every document", context.issuer()));
}

Outcome check_required_fields(Context& context) {
  const auto documents = usable_documents(context);
  if (documents.empty()) {
    return skipped("no metadata document to read");
  }
  for (const auto* document : documents) {
    std::string missing;
    if (document == &context.oauth_document()) {
      missing = missing_fields(document->json, {"issuer", "token_endpoint", "response_types_supported"});
    } else if (document == &context.openid_document()) {
      missing =
        missing_fields(document->json, {"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
                                        "response_types_supported", "subject_types_supported",
                                        "id_token_signing_alg_values_supported"});
    } else {
      missing = missing_fields(document->json, {"authorization_endpoint", "token_endpoint", "capabilities",
                                                "code_challenge_methods_supported", "grant_types_supported"});
    }
    if (!missing.empty()) {
      return failed(fmt::format("{} lacks {}", document->url, missing));
    }
  }
  return passed(fmt::format("{} document(s) carry their required fields", documents.size()));
}

Outcome check_pkce_methods(Context& context) {
  if (context.metadata().authorization_endpoint.empty()) {
    return skipped("no authorization_endpoint: no code flow to protect");
  }
  if (!context.advertises("code_challenge_methods_supported", "S256")) {
    return failed("code_challenge_methods_supported lacks S256");
  }
  const auto& smart = context.smart_document().json;
  const auto smart_methods = smart.is_object() && smart.contains("code_challenge_methods_supported")
                               ? smart["code_challenge_methods_supported"]
                               : json::array();
  if (smart_methods.is_array() && std::count(smart_methods.begin(), smart_methods.end(), "plain") > 0) {
    return failed("the SMART configuration offers PKCE plain (SMART App Launch 2.0 §2.0.4: SHALL NOT)");
  }
  if (context.advertises("code_challenge_methods_supported", "plain")) {
    return warned("PKCE plain is offered beside S256 (RFC 9700 §2.1.1 recommends S256 only)");
  }
  return passed("S256 advertised, plain not");
}

Outcome check_jwks(Context& context) {
  const auto& uri = context.metadata().jwks_uri;
  if (uri.empty()) {
    return context.openid_document().usable() ? failed("the OpenID configuration has no jwks_uri")
                                              : skipped("no jwks_uri in the metadata");
  }
  // The run's one fetch, which the id_token checks use too (they fetch again only for a
  // kid this set lacks).
  const auto& document = context.jwks_document();
  if (!document) {
    return failed(document.error().message);
  }
  const auto& jwks = *document;
  std::size_t signing = 0;
  for (const auto& key : jwks["keys"]) {
    if (!key.is_object() || !key.contains("use") || string_member(key, "use") == "sig") {
      ++signing;
    }
    if (key.is_object() && (key.contains("d") || key.contains("p") || key.contains("k"))) {
      return failed("the JWK Set publishes private or symmetric key material");
    }
  }
  const auto verifier = JwksVerifier::from_jwks(jwks);
  if (!verifier) {
    return failed(fmt::format("no usable key: {}", verifier.error().message));
  }
  if (verifier->size() != signing) {
    return warned(
      fmt::format("{} of {} signing keys are usable (RSA, EC P-256/P-384)", verifier->size(), signing));
  }
  return passed(fmt::format("{} key(s), all usable", verifier->size()));
}

Outcome check_https(Context& context) {
  std::string plain;
  for (const auto& [name, value] : context.document().items()) {
    if (!value.is_string()) {
      continue;
    }
    const auto url = http::parse_url(value.get<std::string>());
    if (url && url->scheme == "http" && !url->is_loopback()) {
      plain += (plain.empty() ? "" : ", ") + name;
    }
  }
  if (!plain.empty()) {
    return failed(fmt::format("plain http on a non-loopback host: {}", plain));
  }
  const auto server = http::parse_url(context.config().server);
  return passed(server && server->scheme == "http" ? "plain http, on loopback only"
                                                   : "every endpoint is https");
}

Outcome check_endpoints_answer(Context& context) {
  if (context.document().is_null()) {
    return skipped("no metadata document to read");
  }
  std::string problems;
  int answered = 0;
  for (const auto& [name, value] : context.document().items()) {
    if (!value.is_string() || name.size() < 9 || name.substr(name.size() - 9) != "_endpoint") {
      continue;
    }
    // The endpoints that take only POST are probed with an empty POST form: a GET may
    // well be 404 there (a router without the method), which says nothing.
    static constexpr std::array k_post_only{"token_endpoint",
                                            "introspection_endpoint",
                                            "revocation_endpoint",
                                            "registration_endpoint",
                                            "device_authorization_endpoint",
                                            "pushed_authorization_request_endpoint",
                                            "backchannel_authentication_endpoint"};
    http::Request request;
    request.url = value.get<std::string>();
    if (std::find(k_post_only.begin(), k_post_only.end(), name) != k_post_only.end()) {
      request.method = "POST";
      request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    }
    const auto response = context.client().send(request);
    if (!response) {
      problems += fmt::format("{} ({}); ", name, response.error().message);
    } else if (response->status == 404 || response->status >= 500) {
      problems += fmt::format("{} (HTTP {}); ", name, response->status);
    } else {
      ++answered;
    }
  }
  if (!problems.empty()) {
    return failed("unreachable: " + problems.substr(0, problems.size() - 2));
  }
  return passed(fmt::format("{} endpoint(s) answer", answered));
}

Outcome check_rfc9700_audit(Context& context) {
  if (context.document().is_null()) {
    return skipped("no metadata document to read");
  }
  const auto findings = audit_metadata(context.document());
  if (findings.empty()) {
    return passed("no finding");
  }
  std::string text;
  for (const auto& finding : findings) {
    text += (text.empty() ? "" : "; ") + finding;
  }
  return warned(text);
}

} // namespace oauthctl::oauth::check
