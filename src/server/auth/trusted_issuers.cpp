// SPDX-License-Identifier: MIT
#include "server/auth/trusted_issuers.hpp"

#include "server/event_loop_guard.hpp"

#include <oauthctl/http/client.hpp>
#include <oauthctl/http/url.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace oauthctl::server {

namespace {

using Json = nlohmann::json;
using util::ErrorKind;

// How long fetched keys are trusted, and how often a failing signature may refetch them.
constexpr std::int64_t k_jwks_lifetime = 300;
constexpr std::int64_t k_refetch_interval = 10;
// A JWKS larger than this is not a key set.
constexpr std::size_t k_max_jwks_bytes = 256 * 1024;

tl::unexpected<util::Error> bad(std::string_view where, std::string_view what) {
  return util::fail(ErrorKind::config, fmt::format("{}: {}", where, what));
}

util::Result<std::string> optional_string(const Json& object, const char* name, std::string_view where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return bad(where, fmt::format("`{}` must be a string", name));
  }
  return it->get<std::string>();
}

// A string or an array of strings; `split` splits a string at spaces (scope lists).
util::Result<std::optional<std::vector<std::string>>> string_list(const Json& object, const char* name,
                                                                  std::string_view where, bool split) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::optional<std::vector<std::string>>{};
  }
  std::vector<std::string> out;
  if (it->is_string()) {
    if (!split) {
      out.push_back(it->get<std::string>());
    } else {
      std::istringstream words(it->get<std::string>());
      for (std::string word; words >> word;) {
        out.push_back(word);
      }
    }
    return std::optional(std::move(out));
  }
  if (!it->is_array()) {
    return bad(where, fmt::format("`{}` must be a string or an array of strings", name));
  }
  for (const auto& item : *it) {
    if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
      return bad(where, fmt::format("`{}` must hold non-empty strings only", name));
    }
    out.push_back(item.get<std::string>());
  }
  return std::optional(std::move(out));
}

util::Result<oauth::JwksVerifier> keys_from(const Json& jwks, std::string_view what) {
  if (!jwks.is_object()) {
    return util::fail(ErrorKind::bad_response, fmt::format("{} is not a JWK Set object", what));
  }
  auto verifier = oauth::JwksVerifier::from_jwks(jwks);
  if (!verifier) {
    return util::fail(ErrorKind::bad_response, fmt::format("{}: {}", what, verifier.error().message));
  }
  return verifier;
}

util::Result<Json> read_json_file(const std::string& path, std::string_view where) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return bad(where, fmt::format("jwks_file {} cannot be read", path));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (text.str().size() > k_max_jwks_bytes) {
    return bad(where, fmt::format("jwks_file {} is too large for a JWK Set", path));
  }
  auto document = Json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) {
    return bad(where, fmt::format("jwks_file {} is not valid JSON", path));
  }
  return document;
}

std::vector<std::string> scopes_of(const Json& claim) {
  std::vector<std::string> out;
  if (claim.is_string()) {
    std::istringstream words(claim.get<std::string>());
    for (std::string word; words >> word;) {
      out.push_back(word);
    }
  } else if (claim.is_array()) {
    for (const auto& item : claim) {
      if (item.is_string() && !item.get_ref<const std::string&>().empty()) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  return out;
}

} // namespace

util::Result<TrustedIssuerSpec> parse_token_introspector(const Json& resource, std::string_view where_prefix,
                                                         const std::string& base_dir) {
  if (!resource.is_object()) {
    return bad(where_prefix, "TokenIntrospector must be a JSON object");
  }
  TrustedIssuerSpec spec;
  auto id = optional_string(resource, "id", where_prefix);
  if (!id) {
    return tl::unexpected(id.error());
  }
  spec.id = *id;
  const auto where = spec.id.empty() ? std::string(where_prefix)
                                     : fmt::format("{} (TokenIntrospector {})", where_prefix, spec.id);
  auto type = optional_string(resource, "type", where);
  if (!type) {
    return tl::unexpected(type.error());
  }
  if (*type != "jwt") {
    // Aidbox also has "opaque" (RFC 7662 introspection at the issuer); not supported here.
    return bad(where, "`type` must be \"jwt\" (the only kind of TokenIntrospector supported)");
  }
  const auto jwt = resource.find("jwt");
  if (jwt == resource.end() || !jwt->is_object()) {
    return bad(where, "`jwt` must be an object with the issuer in `jwt.iss`");
  }
  auto issuer = optional_string(*jwt, "iss", where);
  if (!issuer) {
    return tl::unexpected(issuer.error());
  }
  if (issuer->empty()) {
    return bad(where, "`jwt.iss` is missing: tokens are trusted by their exact issuer");
  }
  spec.issuer = *issuer;
  if (jwt->contains("secret")) {
    // RFC 8725 §3.2: a shared HMAC secret lets anyone who verifies also forge; refused.
    return bad(where, "`jwt.secret` (HMAC) is not accepted: give `jwks_uri`, `jwks_file` or `jwks`");
  }
  auto jwks_uri = optional_string(resource, "jwks_uri", where);
  auto jwks_file = optional_string(resource, "jwks_file", where);
  if (!jwks_uri || !jwks_file) {
    return tl::unexpected(!jwks_uri ? jwks_uri.error() : jwks_file.error());
  }
  spec.jwks_uri = *jwks_uri;
  const auto inline_jwks = resource.find("jwks");
  const bool has_inline = inline_jwks != resource.end() && !inline_jwks->is_null();
  const int sources = static_cast<int>(!spec.jwks_uri.empty()) + static_cast<int>(!jwks_file->empty()) +
                      static_cast<int>(has_inline);
  if (sources != 1) {
    return bad(where, "give exactly one of `jwks_uri`, `jwks_file` and `jwks`");
  }
  if (!spec.jwks_uri.empty()) {
    const auto url = http::parse_url(spec.jwks_uri);
    if (!url) {
      return bad(where, "`jwks_uri` must be an http(s) URL");
    }
  }
  if (!jwks_file->empty()) {
    std::filesystem::path path(*jwks_file);
    if (path.is_relative() && !base_dir.empty()) {
      path = std::filesystem::path(base_dir) / path;
    }
    spec.jwks_file = path.string();
    auto document = read_json_file(spec.jwks_file, where);
    if (!document) {
      return tl::unexpected(document.error());
    }
    spec.jwks = std::move(*document);
  } else if (has_inline) {
    spec.jwks = *inline_jwks;
  }
  if (!spec.jwks.is_null()) {
    if (auto keys = keys_from(spec.jwks, "the JWK Set"); !keys) {
      return bad(where, keys.error().message);
    }
  }
  auto audiences = string_list(resource, "audience", where, false);
  if (!audiences) {
    return tl::unexpected(audiences.error());
  }
  spec.audiences = audiences->value_or(std::vector<std::string>{});
  for (const auto& [member, target] :
       {std::pair{"subject_claim", &spec.subject_claim}, std::pair{"scope_claim", &spec.scope_claim}}) {
    auto value = optional_string(resource, member, where);
    if (!value) {
      return tl::unexpected(value.error());
    }
    if (!value->empty()) {
      *target = *value;
    }
  }
  auto scopes = string_list(resource, "scope", where, true);
  if (!scopes) {
    return tl::unexpected(scopes.error());
  }
  spec.scopes = std::move(*scopes);
  if (const auto leeway = resource.find("leeway"); leeway != resource.end() && !leeway->is_null()) {
    if (!leeway->is_number_integer() || leeway->get<std::int64_t>() < 0 ||
        leeway->get<std::int64_t>() > 600) {
      return bad(where, "`leeway` must be a whole number of seconds from 0 to 600");
    }
    spec.leeway = leeway->get<std::int64_t>();
  }
  if (const auto subjects = resource.find("subjects"); subjects != resource.end() && !subjects->is_null()) {
    if (!subjects->is_object()) {
      return bad(where, "`subjects` must map the issuer's subjects to local user ids");
    }
    for (const auto& [external, local] : subjects->items()) {
      if (external.empty() || !local.is_string() || local.get<std::string>().empty()) {
        return bad(where, "`subjects` must map the issuer's subjects to local user ids (non-empty strings)");
      }
      spec.subjects.emplace(external, local.get<std::string>());
    }
  }
  return spec;
}

std::string local_subject(const TrustedIssuerSpec& issuer, const std::string& external_subject) {
  if (const auto mapped = issuer.subjects.find(external_subject); mapped != issuer.subjects.end()) {
    return mapped->second;
  }
  return issuer.issuer + "#" + external_subject;
}

JwksFetch http_jwks_fetch() {
  return [](const std::string& url) -> util::Result<Json> {
    http::ClientOptions options;
    options.timeout = std::chrono::milliseconds(5000);
    options.user_agent = "oauthctl-serve";
    const auto client = http::make_curl_client(options, nullptr);
    http::Request request;
    request.url = url;
    request.headers.add("Accept", "application/json");
    auto response = client->send(request);
    if (!response) {
      return tl::unexpected(response.error());
    }
    if (response->status != 200) {
      return util::fail(ErrorKind::bad_response,
                        fmt::format("the JWKS URL answered HTTP {}", response->status));
    }
    if (response->body.size() > k_max_jwks_bytes) {
      return util::fail(ErrorKind::bad_response, "the JWKS document is too large");
    }
    auto document = Json::parse(response->body, nullptr, false);
    if (document.is_discarded()) {
      return util::fail(ErrorKind::bad_response, "the JWKS URL did not answer with JSON");
    }
    return document;
  };
}

TrustedIssuers::TrustedIssuers(std::vector<Entry> entries, JwksFetch fetch)
    : m_fetch(std::move(fetch)), m_entries(std::move(entries)) {}

util::Result<std::unique_ptr<TrustedIssuers>> TrustedIssuers::create(std::vector<TrustedIssuerSpec> specs,
                                                                     JwksFetch fetch) {
  std::vector<Entry> entries;
  for (auto& spec : specs) {
    for (const auto& entry : entries) {
      if (entry.spec.issuer == spec.issuer) {
        return util::fail(ErrorKind::config,
                          fmt::format("two TokenIntrospectors trust the issuer {}", spec.issuer));
      }
    }
    Entry entry;
    if (!spec.jwks.is_null()) {
      auto keys = keys_from(spec.jwks, fmt::format("TokenIntrospector {}: the JWK Set", spec.id));
      if (!keys) {
        return util::fail(ErrorKind::config, keys.error().message);
      }
      entry.keys = std::make_shared<const oauth::JwksVerifier>(std::move(*keys));
    }
    entry.spec = std::move(spec);
    entries.push_back(std::move(entry));
  }
  return std::unique_ptr<TrustedIssuers>(new TrustedIssuers(std::move(entries), std::move(fetch)));
}

const TrustedIssuerSpec* TrustedIssuers::find(std::string_view iss) const {
  for (const auto& entry : m_entries) {
    if (entry.spec.issuer == iss) {
      return &entry.spec;
    }
  }
  return nullptr;
}

util::Result<std::shared_ptr<const oauth::JwksVerifier>>
TrustedIssuers::keys_for(std::size_t index, std::int64_t now, bool refresh) const {
  require_worker(); // the lock below is held across a fetch
  const std::lock_guard lock(m_mutex);
  auto& entry = m_entries[index];
  if (entry.spec.jwks_uri.empty()) {
    return entry.keys; // a file or inline JWKS: loaded once at start-up
  }
  const bool stale = !entry.keys || now - entry.fetched_at >= k_jwks_lifetime || refresh;
  if (!stale || (entry.keys && now - entry.attempted_at < k_refetch_interval)) {
    return entry.keys;
  }
  if (!entry.keys && entry.attempted_at != 0 && now - entry.attempted_at < 1) {
    return util::fail(ErrorKind::network, "the trusted issuer's JWKS could not be fetched");
  }
  entry.attempted_at = now;
  util::Result<Json> document = util::fail(ErrorKind::network, "no HTTP client to fetch the JWKS with");
  if (m_fetch) {
    document = m_fetch(entry.spec.jwks_uri);
  }
  if (!document) {
    if (entry.keys) {
      return entry.keys; // keep what worked until the issuer is reachable again
    }
    return util::fail(document.error().kind, fmt::format("the trusted issuer's JWKS could not be fetched: {}",
                                                         document.error().message));
  }
  auto keys = keys_from(*document, "the trusted issuer's JWKS");
  if (!keys) {
    if (entry.keys) {
      return entry.keys;
    }
    return tl::unexpected(keys.error());
  }
  entry.keys = std::make_shared<const oauth::JwksVerifier>(std::move(*keys));
  entry.fetched_at = now;
  return entry.keys;
}

util::Result<ExternalToken> TrustedIssuers::verify(const oauth::Jwt& jwt, const TrustedIssuerSpec& issuer,
                                                   const std::vector<std::string>& default_audiences,
                                                   std::int64_t now) const {
  std::size_t index = m_entries.size();
  for (std::size_t i = 0; i < m_entries.size(); ++i) {
    if (&m_entries[i].spec == &issuer) {
      index = i;
    }
  }
  if (index == m_entries.size()) {
    return util::fail(ErrorKind::internal, "unknown trusted issuer");
  }
  auto keys = keys_for(index, now, false);
  if (!keys) {
    return tl::unexpected(keys.error());
  }
  auto verified = (*keys)->verify_signature(jwt);
  if (!verified && !issuer.jwks_uri.empty()) {
    // Perhaps the issuer rotated its keys: fetch again (rate-limited) and retry once.
    auto fresh = keys_for(index, now, true);
    if (fresh && *fresh != *keys) {
      verified = (*fresh)->verify_signature(jwt);
    }
  }
  if (!verified) {
    return util::fail(ErrorKind::bad_response, fmt::format("signature: {}", verified.error().message));
  }
  oauth::ClaimChecks checks;
  checks.issuer = issuer.issuer;
  checks.audiences = issuer.audiences.empty() ? default_audiences : issuer.audiences;
  checks.now = now;
  checks.leeway = issuer.leeway;
  checks.require_exp = true;
  if (auto ok = oauth::check_claims(jwt.claims, checks); !ok) {
    return tl::unexpected(ok.error());
  }
  ExternalToken out;
  out.issuer = &issuer;
  out.claims = jwt.claims;
  const auto subject = jwt.claims.find(issuer.subject_claim);
  if (subject == jwt.claims.end() || !subject->is_string() ||
      subject->get_ref<const std::string&>().empty()) {
    return util::fail(ErrorKind::bad_response,
                      fmt::format("the token has no `{}` claim", issuer.subject_claim));
  }
  out.subject = subject->get<std::string>();
  if (const auto scope = jwt.claims.find(issuer.scope_claim); scope != jwt.claims.end()) {
    out.scopes = scopes_of(*scope);
  }
  return out;
}

} // namespace oauthctl::server
