// SPDX-License-Identifier: MIT
#include "server/config_document.hpp"
#include "server/seed_place.hpp"
#include "server/seed_rules.hpp"
#include "server/state/state_store.hpp"

#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/server/demo.hpp>
#include <oauthctl/server/seed.hpp>
#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <sstream>

namespace oauthctl::server {

namespace {

using util::ErrorKind;
using Json = nlohmann::json;

template<typename T>
tl::unexpected<util::Error> error_of(const util::Result<T>& result) {
  return tl::unexpected(result.error());
}

util::Result<std::optional<std::string>> optional_string(const Json& object, const char* name,
                                                         const SeedPlace& place) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::optional<std::string>{};
  }
  if (!it->is_string()) {
    return place.member(name).fail("must be a string");
  }
  return std::optional<std::string>(it->get<std::string>());
}

// A string or an array of strings (Aidbox writes `redirect_uri` as one string).
util::Result<std::vector<std::string>> string_list(const Json& object, const char* name,
                                                   const SeedPlace& place, bool split_spaces) {
  std::vector<std::string> out;
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return out;
  }
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    if (!split_spaces) {
      out.push_back(text);
      return out;
    }
    std::istringstream words(text);
    for (std::string word; words >> word;) {
      out.push_back(word);
    }
    return out;
  }
  if (!it->is_array()) {
    return place.member(name).fail("must be a string or an array of strings");
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return place.member(name).item(i).fail("must be a string");
    }
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

util::Result<std::optional<std::int64_t>> optional_seconds(const Json& object, const char* name,
                                                           const SeedPlace& place) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::optional<std::int64_t>{};
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() <= 0 ||
      it->get<std::int64_t>() > 10LL * 365 * 86400) {
    return place.member(name).fail("must be a positive whole number of seconds (at most ten years)");
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

util::Result<std::optional<bool>> optional_bool(const Json& object, const char* name,
                                                const SeedPlace& place) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::optional<bool>{};
  }
  if (!it->is_boolean()) {
    return place.member(name).fail("must be true or false");
  }
  return std::optional<bool>(it->get<bool>());
}

util::Result<GrantSettings> parse_grant_settings(const Json& object, const SeedPlace& place) {
  if (!object.is_object()) {
    return place.fail("must be an object");
  }
  if (auto known = check_members(object, client_grant_members(), place); !known) {
    return error_of(known);
  }
  GrantSettings settings;
  auto redirect = string_list(object, "redirect_uri", place, false);
  if (!redirect) {
    return error_of(redirect);
  }
  for (std::size_t i = 0; i < redirect->size(); ++i) {
    const auto at =
      object["redirect_uri"].is_array() ? place.member("redirect_uri").item(i) : place.member("redirect_uri");
    if (auto usable = check_redirect_uri((*redirect)[i], at); !usable) {
      return error_of(usable);
    }
  }
  auto format = optional_string(object, "token_format", place);
  if (!format) {
    return error_of(format);
  }
  if (format->has_value() && !(*format)->empty() && **format != "jwt") {
    return place.member("token_format").fail("must be \"jwt\" (the only format this server issues)");
  }
  auto expiration = optional_seconds(object, "access_token_expiration", place);
  if (!expiration) {
    return error_of(expiration);
  }
  auto refresh = optional_bool(object, "refresh_token", place);
  if (!refresh) {
    return error_of(refresh);
  }
  auto refresh_expiration = optional_seconds(object, "refresh_token_expiration", place);
  if (!refresh_expiration) {
    return error_of(refresh_expiration);
  }
  auto secret_required = optional_bool(object, "secret_required", place);
  if (!secret_required) {
    return error_of(secret_required);
  }
  auto pkce = optional_bool(object, "pkce", place);
  if (!pkce) {
    return error_of(pkce);
  }
  auto audience = string_list(object, "audience", place, false);
  if (!audience) {
    return error_of(audience);
  }
  settings.redirect_uris = std::move(*redirect);
  settings.token_format = format->value_or("").empty() ? "jwt" : **format;
  settings.access_token_expiration = *expiration;
  settings.refresh_token = *refresh;
  settings.refresh_token_expiration = *refresh_expiration;
  settings.secret_required = *secret_required;
  settings.pkce = *pkce;
  settings.audience = std::move(*audience);
  return settings;
}

util::Result<std::string> required_id(const Json& resource, const SeedPlace& place) {
  const auto it = resource.find("id");
  const auto at = place.member("id");
  if (it == resource.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return at.fail("must be a non-empty string");
  }
  const auto& id = it->get_ref<const std::string&>();
  if (id.size() > 256) {
    return at.fail("is longer than 256 characters");
  }
  for (const char c : id) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return at.fail("must not contain spaces or control characters");
    }
  }
  return id;
}

// The id of `resource` for the label of its errors, before it is checked.
std::string label_of(std::string_view type, const Json& resource) {
  const auto id = resource.find("id");
  if (id != resource.end() && id->is_string() && !id->get_ref<const std::string&>().empty()) {
    return fmt::format("{} {}", type, util::printable_line(id->get_ref<const std::string&>(), 80));
  }
  return std::string(type);
}

// The RFC 7591/8705 client metadata of mutual TLS: the auth method, the certificate name
// of tls_client_auth, bound tokens. Checked here, so a client that could never
// authenticate fails the start instead of every token request.
util::Result<void> parse_mutual_tls(const Json& resource, const SeedPlace& place, ClientSpec& client) {
  auto method = optional_string(resource, "token_endpoint_auth_method", place);
  if (!method) {
    return error_of(method);
  }
  client.token_endpoint_auth_method = method->value_or("");
  static constexpr std::string_view k_methods[] = {"client_secret_basic", "client_secret_post",
                                                   "private_key_jwt",     "none",
                                                   "tls_client_auth",     "self_signed_tls_client_auth"};
  if (!client.token_endpoint_auth_method.empty() &&
      std::find(std::begin(k_methods), std::end(k_methods), client.token_endpoint_auth_method) ==
        std::end(k_methods)) {
    return place.member("token_endpoint_auth_method")
      .fail(fmt::format("{} is not one this server supports", client.token_endpoint_auth_method));
  }
  int names = 0;
  for (const auto& [member, target] :
       {std::pair{"tls_client_auth_subject_dn", &client.tls_client_auth_subject_dn},
        std::pair{"tls_client_auth_san_dns", &client.tls_client_auth_san_dns},
        std::pair{"tls_client_auth_san_uri", &client.tls_client_auth_san_uri},
        std::pair{"tls_client_auth_san_ip", &client.tls_client_auth_san_ip},
        std::pair{"tls_client_auth_san_email", &client.tls_client_auth_san_email}}) {
    auto value = optional_string(resource, member, place);
    if (!value) {
      return error_of(value);
    }
    *target = value->value_or("");
    names += target->empty() ? 0 : 1;
  }
  auto bound = optional_bool(resource, "tls_client_certificate_bound_access_tokens", place);
  if (!bound) {
    return error_of(bound);
  }
  client.tls_client_certificate_bound_access_tokens = *bound;
  if (client.uses_mutual_tls() && client.secret) {
    // RFC 7591 §2: one authentication method per client.
    return place.member("secret").fail(
      fmt::format("and token_endpoint_auth_method {}: choose one", client.token_endpoint_auth_method));
  }
  if (client.token_endpoint_auth_method == "tls_client_auth" && names != 1) {
    // RFC 8705 §2.1.2: exactly one of the five names.
    return place.member("token_endpoint_auth_method")
      .fail("tls_client_auth needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, "
            "tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email");
  }
  if (client.token_endpoint_auth_method == "self_signed_tls_client_auth" && client.jwks.is_null() &&
      client.jwks_uri.empty()) {
    // RFC 8705 §2.2.2: the certificates are registered as a JWK Set, inline or by URL.
    return place.member("token_endpoint_auth_method")
      .fail("self_signed_tls_client_auth needs `jwks` or `jwks_uri` with the client's certificate or key");
  }
  return {};
}

util::Result<ClientSpec> parse_client_at(const Json& resource, const SeedPlace& where) {
  if (!resource.is_object()) {
    return where.fail("a Client must be an object");
  }
  const auto place = where.resource(label_of("Client", resource));
  ClientSpec client;
  auto id = required_id(resource, place);
  if (!id) {
    return error_of(id);
  }
  client.id = std::move(*id);
  if (auto known = check_members(resource, client_members(), place); !known) {
    return error_of(known);
  }
  auto secret = optional_string(resource, "secret", place);
  if (!secret) {
    return error_of(secret);
  }
  client.secret = std::move(*secret);
  auto grants = string_list(resource, "grant_types", place, false);
  if (!grants) {
    return error_of(grants);
  }
  for (std::size_t i = 0; i < grants->size(); ++i) {
    const auto at =
      resource["grant_types"].is_array() ? place.member("grant_types").item(i) : place.member("grant_types");
    auto grant = known_grant((*grants)[i], at);
    if (!grant) {
      return error_of(grant);
    }
    client.grant_types.push_back(std::move(*grant));
  }
  auto first_party = optional_bool(resource, "first_party", place);
  if (!first_party) {
    return error_of(first_party);
  }
  client.first_party = first_party->value_or(false);
  if (resource.contains("scope") && !resource["scope"].is_null()) {
    auto scopes = string_list(resource, "scope", place, true);
    if (!scopes) {
      return error_of(scopes);
    }
    client.scopes = std::move(*scopes);
  }
  if (resource.contains("jwks") && !resource["jwks"].is_null()) {
    if (!resource["jwks"].is_object()) {
      return place.member("jwks").fail("must be a JWK Set object");
    }
    client.jwks = resource["jwks"];
    // RFC 7523 §3: the keys verify signed assertions; a set with none we can use is a
    // configuration mistake better reported now than as invalid_client later.
    if (const auto keys = oauth::JwksVerifier::from_jwks(client.jwks); !keys) {
      return place.member("jwks").fail(keys.error().message);
    }
  }
  auto jwks_uri = optional_string(resource, "jwks_uri", place);
  if (!jwks_uri) {
    return error_of(jwks_uri);
  }
  client.jwks_uri = jwks_uri->value_or("");
  // `serve --simulate` faults for this client's requests only (simulate.hpp): a list of
  // fault names or one comma-separated string. Config only: never stored.
  auto faults = string_list(resource, "simulate", place, false);
  if (!faults) {
    return error_of(faults);
  }
  if (!faults->empty()) {
    std::string joined;
    for (const auto& fault : *faults) {
      joined += fault + ",";
    }
    auto parsed = parse_faults(joined, true);
    if (!parsed) {
      return place.member("simulate").fail(parsed.error().message);
    }
    client.simulate = std::move(*parsed);
  }
  if (auto mutual_tls = parse_mutual_tls(resource, place, client); !mutual_tls) {
    return error_of(mutual_tls);
  }
  if (const auto auth = resource.find("auth"); auth != resource.end() && !auth->is_null()) {
    if (!auth->is_object()) {
      return place.member("auth").fail("must be an object (grant name -> settings)");
    }
    for (const auto& [grant, value] : auth->items()) {
      const auto at = place.member("auth").member(grant);
      auto name = known_grant(grant, at);
      if (!name) {
        return error_of(name);
      }
      auto settings = parse_grant_settings(value, at);
      if (!settings) {
        return error_of(settings);
      }
      client.auth[*name] = std::move(*settings);
    }
  }
  return client;
}

util::Result<UserSpec> parse_user_at(const Json& resource, const SeedPlace& where) {
  if (!resource.is_object()) {
    return where.fail("a User must be an object");
  }
  const auto place = where.resource(label_of("User", resource));
  UserSpec user;
  auto id = required_id(resource, place);
  if (!id) {
    return error_of(id);
  }
  user.id = std::move(*id);
  if (auto known = check_members(resource, user_members(), place); !known) {
    return error_of(known);
  }
  auto password = optional_string(resource, "password", place);
  if (!password) {
    return error_of(password);
  }
  auto email = optional_string(resource, "email", place);
  if (!email) {
    return error_of(email);
  }
  user.password = std::move(*password);
  user.email = email->value_or("");
  if (const auto name = resource.find("name"); name != resource.end() && !name->is_null()) {
    if (!name->is_string() && !name->is_object()) {
      return place.member("name").fail("must be a string or an object (givenName, familyName)");
    }
    user.name = *name;
  }
  if (const auto fhir_user = resource.find("fhirUser");
      fhir_user != resource.end() && !fhir_user->is_null()) {
    if (!fhir_user->is_string() && !fhir_user->is_object()) {
      return place.member("fhirUser").fail("must be a reference string (Patient/pt-1) or an object");
    }
    user.fhir_user = *fhir_user;
  }
  return user;
}

// Rules that span fields of one seeded Client: a grant that authenticates the client
// needs something to authenticate it with.
util::Result<void> check_client_credentials(const ClientSpec& client, const SeedPlace& place) {
  const bool has_secret = client.secret.has_value() && !client.secret->empty();
  // RFC 8705 §2: a mutual TLS client authenticates with its certificate.
  const bool has_keys = !client.jwks.is_null() || !client.jwks_uri.empty() || client.uses_mutual_tls();
  if (client.secret.has_value() && client.secret->empty()) {
    return place.member("secret").fail("is empty: leave it out for a public client");
  }
  if (has_secret || has_keys) {
    return {};
  }
  for (const char* grant : {"client_credentials", "jwt_bearer"}) {
    if (client.allows_grant(grant)) {
      return place.fail(fmt::format(
        "the {} grant needs a confidential client: give `secret`, `jwks` or `jwks_uri` (RFC 6749 §4.4)",
        grant));
    }
  }
  for (const auto& [grant, settings] : client.auth) {
    if (settings.secret_required.value_or(false)) {
      return place.member("auth")
        .member(grant)
        .member("secret_required")
        .fail("is true, but the client has no `secret` (or `jwks`/`jwks_uri`)");
    }
  }
  return {};
}

// Collects the resources of a seed document, checking each where it stands.
class SeedReader {
public:
  explicit SeedReader(SeedPlace document) : m_document(std::move(document)) {}

  util::Result<void> add(const Json& resource, const SeedPlace& place, std::string_view implied_type = {}) {
    if (!resource.is_object()) {
      return place.fail("must be an object (a Client, User or TokenIntrospector resource)");
    }
    auto type = resource.value("resourceType", std::string(implied_type));
    if (type == "Client") {
      return add_client(resource, place);
    }
    if (type == "User") {
      return add_user(resource, place);
    }
    if (type == "TokenIntrospector") {
      return add_introspector(resource, place);
    }
    return place.member("resourceType").fail("must be \"Client\", \"User\" or \"TokenIntrospector\"");
  }

  Seed take() { return std::move(m_seed); }

private:
  // Two resources of one kind with one id: the second would silently replace the first.
  util::Result<void> check_unique(std::map<std::string, std::optional<int>>& seen, const std::string& id,
                                  const SeedPlace& place) {
    const auto [first, inserted] = seen.emplace(id, place.member("id").line());
    if (!inserted) {
      return place.member("id").fail(
        first->second ? fmt::format("duplicate id (first on line {})", *first->second) : "duplicate id");
    }
    return {};
  }

  util::Result<void> add_client(const Json& resource, const SeedPlace& place) {
    auto client = parse_client_at(resource, place);
    if (!client) {
      return error_of(client);
    }
    const auto at = place.resource("Client " + client->id);
    if (auto unique = check_unique(m_client_ids, client->id, at); !unique) {
      return unique;
    }
    if (auto credentials = check_client_credentials(*client, at); !credentials) {
      return credentials;
    }
    m_seed.clients.push_back(std::move(*client));
    return {};
  }

  util::Result<void> add_user(const Json& resource, const SeedPlace& place) {
    auto user = parse_user_at(resource, place);
    if (!user) {
      return error_of(user);
    }
    if (auto unique = check_unique(m_user_ids, user->id, place.resource("User " + user->id)); !unique) {
      return unique;
    }
    m_seed.users.push_back(std::move(*user));
    return {};
  }

  util::Result<void> add_introspector(const Json& resource, const SeedPlace& place) {
    const auto at = place.resource(label_of("TokenIntrospector", resource));
    if (auto known = check_members(resource, token_introspector_members(), at); !known) {
      return known;
    }
    if (const auto id = resource.find("id"); id != resource.end() && id->is_string()) {
      if (auto unique = check_unique(m_introspector_ids, id->get<std::string>(), at); !unique) {
        return unique;
      }
    }
    Json copy = resource;
    copy["resourceType"] = "TokenIntrospector";
    m_seed.token_introspectors.push_back(std::move(copy));
    m_seed.token_introspector_places.push_back(at.describe());
    return {};
  }

  SeedPlace m_document;
  Seed m_seed;
  std::map<std::string, std::optional<int>> m_client_ids, m_user_ids, m_introspector_ids;
};

util::Result<Seed> read_seed(const Json& document, const SeedPlace& place) {
  SeedReader reader(place);
  std::string store; // the object form's `store` member
  if (document.is_array()) {
    for (std::size_t i = 0; i < document.size(); ++i) {
      if (auto added = reader.add(document[i], place.item(i)); !added) {
        return error_of(added);
      }
    }
  } else if (document.is_object() && document.value("resourceType", std::string()) == "Bundle") {
    static const std::array<std::string_view, 6> k_bundle{"resourceType", "id",   "type",
                                                          "entry",        "meta", "timestamp"};
    static const std::array<std::string_view, 3> k_entry{"resource", "request", "fullUrl"};
    if (auto known = check_members(document, {k_bundle, {}}, place); !known) {
      return error_of(known);
    }
    const auto entries = document.find("entry");
    if (entries != document.end() && !entries->is_array()) {
      return place.member("entry").fail("must be an array");
    }
    for (std::size_t i = 0; entries != document.end() && i < entries->size(); ++i) {
      const auto& entry = (*entries)[i];
      const auto at = place.member("entry").item(i);
      if (!entry.is_object() || !entry.contains("resource")) {
        return at.fail("must be an object with a `resource`");
      }
      if (auto known = check_members(entry, {k_entry, {}}, at); !known) {
        return error_of(known);
      }
      if (auto added = reader.add(entry["resource"], at.member("resource")); !added) {
        return error_of(added);
      }
    }
  } else if (document.is_object() && !document.contains("resourceType")) {
    // `store` names the store (read by `serve` before the seed).
    static const std::array<std::string_view, 4> k_lists{"clients", "users", "token_introspectors", "store"};
    if (document.empty()) {
      return place.fail(
        "expected {\"clients\":[...],\"users\":[...]}, a Bundle, or an array of Client/User resources");
    }
    if (auto known = check_members(document, {k_lists, {}}, place); !known) {
      return error_of(known);
    }
    if (const auto it = document.find("store"); it != document.end()) {
      const auto bad = [&] {
        return place.member("store").fail("must be sqlite:PATH or postgres://USER@HOST:PORT/DB");
      };
      if (!it->is_string() || !state::parse_store_location(it->get<std::string>())) {
        return bad();
      }
      store = it->get<std::string>();
    }
    for (const auto& [list, type] : {std::pair{"clients", "Client"}, std::pair{"users", "User"},
                                     std::pair{"token_introspectors", "TokenIntrospector"}}) {
      const auto it = document.find(list);
      if (it == document.end() || it->is_null()) {
        continue;
      }
      if (!it->is_array()) {
        return place.member(list).fail("must be an array");
      }
      for (std::size_t i = 0; i < it->size(); ++i) {
        // Entries of "clients" are Clients even without a resourceType.
        const auto& resource = (*it)[i];
        const auto at = place.member(list).item(i);
        if (resource.is_object() && resource.contains("resourceType") &&
            resource["resourceType"] != Json(type)) {
          return at.member("resourceType").fail(fmt::format("must be \"{}\" in `{}`", type, list));
        }
        if (auto added = reader.add(resource, at, type); !added) {
          return error_of(added);
        }
      }
    }
  } else if (document.is_object()) {
    if (auto added = reader.add(document, place); !added) {
      return error_of(added);
    }
  } else {
    return place.fail(
      "expected {\"clients\":[...],\"users\":[...]}, a Bundle, or an array of Client/User resources");
  }
  auto seed = reader.take();
  seed.store = std::move(store);
  return seed;
}

} // namespace

bool ClientSpec::allows_grant(std::string_view grant) const {
  for (const auto& name : grant_types) {
    if (name == grant) {
      return true;
    }
  }
  return false;
}

const GrantSettings& ClientSpec::settings(std::string_view grant) const {
  static const GrantSettings k_empty;
  const auto it = auth.find(std::string(grant));
  return it == auth.end() ? k_empty : it->second;
}

bool ClientSpec::uses_mutual_tls() const {
  return token_endpoint_auth_method == "tls_client_auth" ||
         token_endpoint_auth_method == "self_signed_tls_client_auth";
}

bool ClientSpec::binds_tokens_to_certificate() const {
  return tls_client_certificate_bound_access_tokens.value_or(uses_mutual_tls());
}

util::Result<ClientSpec> parse_client(const Json& resource, std::string_view where) {
  return parse_client_at(resource, SeedPlace(where, nullptr));
}

util::Result<UserSpec> parse_user(const Json& resource, std::string_view where) {
  return parse_user_at(resource, SeedPlace(where, nullptr));
}

util::Result<Seed> parse_seed(const Json& document, std::string_view source, const LineIndex* lines) {
  return read_seed(document, SeedPlace(source, lines));
}

util::Result<Seed> load_seed_file(const std::string& path) {
  auto document = read_config_document(path);
  if (!document) {
    return error_of(document);
  }
  return parse_seed(document->value, path, &document->lines);
}

Json to_resource(const ClientSpec& client) {
  Json resource{{"resourceType", "Client"},
                {"id", client.id},
                {"grant_types", client.grant_types},
                {"first_party", client.first_party}};
  if (client.scopes) {
    resource["scope"] = *client.scopes;
  }
  if (!client.jwks.is_null()) {
    resource["jwks"] = client.jwks;
  }
  if (!client.jwks_uri.empty()) {
    resource["jwks_uri"] = client.jwks_uri;
  }
  for (const auto& [member, value] :
       {std::pair{"token_endpoint_auth_method", &client.token_endpoint_auth_method},
        std::pair{"tls_client_auth_subject_dn", &client.tls_client_auth_subject_dn},
        std::pair{"tls_client_auth_san_dns", &client.tls_client_auth_san_dns},
        std::pair{"tls_client_auth_san_uri", &client.tls_client_auth_san_uri},
        std::pair{"tls_client_auth_san_ip", &client.tls_client_auth_san_ip},
        std::pair{"tls_client_auth_san_email", &client.tls_client_auth_san_email}}) {
    if (!value->empty()) {
      resource[member] = *value;
    }
  }
  if (client.tls_client_certificate_bound_access_tokens) {
    resource["tls_client_certificate_bound_access_tokens"] =
      *client.tls_client_certificate_bound_access_tokens;
  }
  Json auth = Json::object();
  for (const auto& [grant, settings] : client.auth) {
    Json entry = Json::object();
    if (!settings.redirect_uris.empty()) {
      entry["redirect_uri"] = settings.redirect_uris;
    }
    entry["token_format"] = settings.token_format;
    if (settings.access_token_expiration) {
      entry["access_token_expiration"] = *settings.access_token_expiration;
    }
    if (settings.refresh_token) {
      entry["refresh_token"] = *settings.refresh_token;
    }
    if (settings.refresh_token_expiration) {
      entry["refresh_token_expiration"] = *settings.refresh_token_expiration;
    }
    if (settings.secret_required) {
      entry["secret_required"] = *settings.secret_required;
    }
    if (settings.pkce) {
      entry["pkce"] = *settings.pkce;
    }
    if (!settings.audience.empty()) {
      entry["audience"] = settings.audience;
    }
    auth[grant] = std::move(entry);
  }
  resource["auth"] = std::move(auth);
  return resource;
}

Json to_resource(const UserSpec& user) {
  Json resource{{"resourceType", "User"}, {"id", user.id}};
  if (!user.email.empty()) {
    resource["email"] = user.email;
  }
  if (!user.name.is_null()) {
    resource["name"] = user.name;
  }
  if (!user.fhir_user.is_null()) {
    resource["fhirUser"] = user.fhir_user;
  }
  return resource;
}

Seed demo_seed() {
  const std::vector<std::string> loopback{"http://127.0.0.1/callback", "http://localhost/callback"};
  ClientSpec confidential;
  confidential.id = std::string(k_demo_client_id);
  confidential.secret = std::string(k_demo_client_secret);
  // No implicit (RFC 9700 §2.1.2): a --config Client with this id can enable it.
  confidential.grant_types = {"client_credentials", "authorization_code", "password",  "refresh_token",
                              "token_exchange",     "device_code",        "jwt_bearer"};
  confidential.first_party = true;
  confidential.scopes = std::vector<std::string>{
    "system/*.read", "system/*.rs", "system/*.cruds", "system/*.*",     "user/*.read",     "user/*.rs",
    "user/*.cruds",  "user/*.*",    "patient/*.read", "patient/*.rs",   "patient/*.cruds", "patient/*.*",
    "openid",        "profile",     "fhirUser",       "offline_access", "launch",          "launch/patient"};
  confidential.auth["authorization_code"].redirect_uris = loopback;
  confidential.auth["authorization_code"].refresh_token = true;
  confidential.auth["password"].refresh_token = true;

  ClientSpec public_client;
  public_client.id = std::string(k_demo_public_client_id);
  public_client.grant_types = {"authorization_code", "refresh_token", "device_code"};
  // Not first-party, so the demo shows (and browser tests can drive) the consent page.
  public_client.first_party = false;
  public_client.scopes =
    std::vector<std::string>{"user/*.read", "user/*.rs", "patient/*.read", "patient/*.rs",  "openid",
                             "profile",     "fhirUser",  "offline_access", "launch/patient"};
  auto& code = public_client.auth["authorization_code"];
  code.redirect_uris = loopback;
  code.pkce = true;
  code.secret_required = false;
  code.refresh_token = true;

  UserSpec user;
  user.id = std::string(k_demo_username);
  user.password = std::string(k_demo_password);
  user.email = "demo@example.org";
  user.name = {{"givenName", "Demo"}, {"familyName", "User"}};
  user.fhir_user = "Patient/pt-1";

  Seed seed;
  seed.clients = {std::move(confidential), std::move(public_client)};
  seed.users = {std::move(user)};
  return seed;
}

} // namespace oauthctl::server
