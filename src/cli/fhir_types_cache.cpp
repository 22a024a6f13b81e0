// SPDX-License-Identifier: MIT
#include "cli/fhir_types_cache.hpp"

#include "cli/xdg_directory.hpp"

#include <oauthctl/oauth/fhir_capability.hpp>
#include <oauthctl/util/atomic_file.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>

namespace oauthctl::cli {

namespace {

using Json = nlohmann::json;

// The cache file: {"<fhir base>": {"fetched_at": SECONDS, "types": [...]}, ...}. A broken
// file counts as empty; its entries are re-checked by capability_resource_types' rules.
Json read_cache(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) {
    return Json::object();
  }
  auto cache = Json::parse(*text, nullptr, false);
  return cache.is_object() ? cache : Json::object();
}

} // namespace

std::string fhir_types_cache_file(const Io& io) {
  const auto base = xdg_directory(io, "XDG_CACHE_HOME", ".cache");
  return base.empty() ? std::string() : base + "/oauthctl/fhir-types.json";
}

util::Result<std::vector<std::string>> cached_resource_types(http::Client& client,
                                                             const std::string& fhir_base,
                                                             const std::string& path, std::int64_t now) {
  auto cache = path.empty() ? Json::object() : read_cache(path);
  if (const auto entry = cache.find(fhir_base); entry != cache.end() && entry->is_object()) {
    const auto fetched_at = entry->value("fetched_at", Json());
    if (fetched_at.is_number_integer() && now - fetched_at.get<std::int64_t>() < k_fhir_types_ttl &&
        fetched_at.get<std::int64_t>() <= now) {
      // The stored list goes through the same checks as a fetched one.
      const auto types = oauth::capability_resource_types(
        {{"resourceType", "CapabilityStatement"}, {"rest", {{{"resource", entry->value("types", Json())}}}}});
      if (!types.empty()) {
        return types;
      }
    }
  }
  auto types = oauth::fetch_resource_types(client, fhir_base);
  if (!types || path.empty()) {
    return types;
  }
  Json listed = Json::array();
  for (const auto& type : *types) {
    listed.push_back({{"type", type}});
  }
  cache[fhir_base] = {{"fetched_at", now}, {"types", listed}};
  // A cache is an optimisation: a read-only home must not fail the listing.
  if (util::ensure_private_directory(std::filesystem::path(path).parent_path().string(), 0700)) {
    static_cast<void>(util::write_file_atomic(path, cache.dump(), 0600));
  }
  return types;
}

} // namespace oauthctl::cli
