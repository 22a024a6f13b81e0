// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/token_cache.hpp>
#include <oauthctl/util/atomic_file.hpp>
#include <oauthctl/util/crypto.hpp>

#include <filesystem>

namespace oauthctl::oauth {

namespace {

using nlohmann::json;

json key_json(const TokenCacheKey& key) {
  return json{{"server", key.server},     {"token_url", key.token_url},  {"client_id", key.client_id},
              {"grant", key.grant},       {"scope", key.scope},          {"audience", key.audience},
              {"resource", key.resource}, {"credential", key.credential}};
}

std::string string_field(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<CachedToken> entry_from_json(const json& item) {
  if (!item.is_object() || !item.contains("key") || !item["key"].is_object() || !item.contains("response") ||
      !item["response"].is_object()) {
    return std::nullopt;
  }
  const auto& k = item["key"];
  CachedToken entry;
  entry.key =
    TokenCacheKey{string_field(k, "server"),   string_field(k, "token_url"), string_field(k, "client_id"),
                  string_field(k, "grant"),    string_field(k, "scope"),     string_field(k, "audience"),
                  string_field(k, "resource"), string_field(k, "credential")};
  entry.profile = string_field(item, "profile");
  const auto& raw = item["response"];
  entry.token.raw = raw;
  entry.token.access_token = string_field(raw, "access_token");
  entry.token.token_type = string_field(raw, "token_type");
  entry.token.refresh_token = string_field(raw, "refresh_token");
  entry.token.scope = string_field(raw, "scope");
  entry.token.id_token = string_field(raw, "id_token");
  entry.token.issued_token_type = string_field(raw, "issued_token_type");
  if (entry.token.access_token.empty() && entry.token.refresh_token.empty()) {
    return std::nullopt;
  }
  if (item.contains("obtained_at") && item["obtained_at"].is_number_integer()) {
    entry.obtained_at = item["obtained_at"].get<std::int64_t>();
  }
  if (item.contains("expires_at") && item["expires_at"].is_number_integer()) {
    entry.expires_at = item["expires_at"].get<std::int64_t>();
  }
  return entry;
}

} // namespace

std::string TokenCacheKey::id() const {
  return json::array({server, token_url, client_id, grant, scope, audience, resource, credential}).dump();
}

TokenCacheKey make_cache_key(const ClientConfig& config, GrantType grant) {
  return TokenCacheKey{config.server, config.token_url, config.client_id, std::string(to_string(grant)),
                       config.scope,  config.audience,  config.resource,  {}};
}

std::string credential_fingerprint(const std::string& salt, const ClientConfig& config) {
  // A signing key, or a jwt_bearer assertion (whose sub may name another user), tells
  // tokens apart as a secret does.
  const auto& signed_jwts = config.assertion;
  std::string credential = config.client_secret;
  if (!signed_jwts.private_key_pem.empty() || !signed_jwts.assertion.empty() ||
      !signed_jwts.assertion_key_pem.empty()) {
    credential += '\n' + signed_jwts.private_key_pem + '\n' + signed_jwts.kid + '\n' + signed_jwts.alg +
                  '\n' + signed_jwts.assertion + '\n' + signed_jwts.assertion_key_pem + '\n' +
                  signed_jwts.assertion_claims;
  }
  if (credential.empty()) {
    return {};
  }
  // Keyed and truncated: enough to tell secrets apart, useless as a stored secret.
  return util::to_hex(util::hmac_sha256(salt, credential)).substr(0, 16);
}

bool is_fresh(const CachedToken& entry, std::int64_t now) {
  return !entry.token.access_token.empty() && entry.expires_at &&
         *entry.expires_at - k_expiry_margin_seconds > now;
}

TokenResponse remaining_token(const CachedToken& entry, std::int64_t now) {
  auto token = entry.token;
  if (entry.expires_at) {
    const auto remaining = std::max<std::int64_t>(0, *entry.expires_at - now);
    token.expires_in = remaining;
    if (token.raw.is_object()) {
      token.raw["expires_in"] = remaining;
    }
  }
  return token;
}

CachedToken make_cached_token(const TokenCacheKey& key, std::string profile, const TokenResponse& token,
                              std::int64_t now) {
  CachedToken entry{key, std::move(profile), token, now, std::nullopt};
  if (token.expires_in) {
    entry.expires_at = now + *token.expires_in;
  }
  if (!entry.token.raw.is_object()) {
    // Responses built in code (tests) carry no raw JSON: keep the fields we know.
    entry.token.raw = json{{"access_token", token.access_token}, {"token_type", token.token_type}};
    if (!token.refresh_token.empty()) {
      entry.token.raw["refresh_token"] = token.refresh_token;
    }
    if (!token.scope.empty()) {
      entry.token.raw["scope"] = token.scope;
    }
    if (token.expires_in) {
      entry.token.raw["expires_in"] = *token.expires_in;
    }
  }
  return entry;
}

util::FormFields refresh_token_form(const std::string& refresh_token, const std::string& scope) {
  util::FormFields form{{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
  // RFC 6749 §6: scope may only narrow what was granted; omit it to keep the same scope.
  if (!scope.empty()) {
    form.emplace_back("scope", scope);
  }
  return form;
}

util::Result<TokenCache> TokenCache::parse(std::string_view text) {
  const auto document = json::parse(text, nullptr, false);
  if (document.is_discarded() || !document.is_object() || document.value("version", 0) != 1 ||
      !document.contains("tokens") || !document["tokens"].is_array()) {
    return util::fail(util::ErrorKind::bad_response, "the token cache is not a version 1 oauthctl cache");
  }
  TokenCache cache;
  if (document.contains("salt") && document["salt"].is_string()) {
    cache.m_salt = document["salt"].get<std::string>();
  }
  for (const auto& item : document["tokens"]) {
    if (auto entry = entry_from_json(item)) {
      cache.put(std::move(*entry));
    }
  }
  return cache;
}

std::string TokenCache::serialize() const {
  json tokens = json::array();
  for (const auto& entry : m_entries) {
    json item{{"key", key_json(entry.key)},
              {"profile", entry.profile},
              {"obtained_at", entry.obtained_at},
              {"response", entry.token.raw}};
    if (entry.expires_at) {
      item["expires_at"] = *entry.expires_at;
    }
    tokens.push_back(std::move(item));
  }
  return json{{"version", 1}, {"salt", m_salt}, {"tokens", std::move(tokens)}}.dump(2) + "\n";
}

void TokenCache::ensure_salt() {
  if (m_salt.empty()) {
    m_salt = util::random_token(16);
  }
}

const CachedToken* TokenCache::find(const TokenCacheKey& key) const {
  for (const auto& entry : m_entries) {
    if (entry.key == key) {
      return &entry;
    }
  }
  return nullptr;
}

void TokenCache::put(CachedToken entry) {
  for (auto& existing : m_entries) {
    if (existing.key == entry.key) {
      existing = std::move(entry);
      return;
    }
  }
  m_entries.push_back(std::move(entry));
}

std::vector<CachedToken> TokenCache::remove_if(const std::function<bool(const CachedToken&)>& matches) {
  std::vector<CachedToken> removed;
  std::vector<CachedToken> kept;
  for (auto& entry : m_entries) {
    (matches(entry) ? removed : kept).push_back(std::move(entry));
  }
  m_entries = std::move(kept);
  return removed;
}

std::string token_cache_path(const std::string& cache_home) {
  return cache_home + "/oauthctl/tokens.json";
}

TokenCache load_token_cache(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) {
    return {};
  }
  auto cache = TokenCache::parse(*text);
  return cache ? std::move(*cache) : TokenCache{};
}

util::Result<void> update_token_cache(const std::string& path,
                                      const std::function<void(TokenCache&)>& change) {
  const auto directory = std::filesystem::path(path).parent_path().string();
  // 0700: the directory listing alone tells which servers one talks to.
  if (auto made = util::ensure_private_directory(directory, 0700); !made) {
    return made;
  }
  auto lock = util::FileLock::acquire(path + ".lock");
  if (!lock) {
    return tl::unexpected(lock.error());
  }
  auto cache = load_token_cache(path);
  change(cache);
  return util::write_file_atomic(path, cache.serialize(), 0600);
}

} // namespace oauthctl::oauth
