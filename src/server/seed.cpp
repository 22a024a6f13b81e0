// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/oauth/jwt.hpp>
#include <oauthctl/server/demo.hpp>
#include <oauthctl/server/seed.hpp>

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace oauthctl::server {

namespace {

using util::ErrorKind;
using Json = nlohmann::json;

tl::unexpected<util::Error> bad(std::string_view where, std::string_view what) {
  return util::fail(ErrorKind::config, fmt::format("{}: {}", where, what));
}

// A grant name as this server knows it: Aidbox writes `code` for authorization_code, and
// RFC URNs (token exchange, device code, JWT bearer) map to their short names. Names we do
// not know (Aidbox's `basic`) are kept: they are inert.
std::string normalise_grant(std::string name) {
  if (name == "code") {
    return "authorization_code";
  }
  const auto grant = oauth::parse_grant_type(name);
  return grant ? std::string(oauth::to_string(*grant)) : name;
}

util::Result<std::optional<std::string>> optional_string(const Json& object, const char* name,
                                                         std::string_view where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::optional<std::string>{};
  }
  if (!it->is_string()) {
    return bad(where, fmt::format("`{}` must be a string", name));
  }
  return std::optional<std::string>(it->get<std::string>());
}

// A string or an array of strings (Aidbox writes `redirect_uri` as one string).
util::Result<std::vector<std::string>> string_list(const Json& object, const char* name,
                                                   std::string_view where, bool split_spaces) {
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
    return bad(where, fmt::format("`{}` must be a string or an array of strings", name));
  }
  for (const auto& item : *it) {
    if (!item.is_string()) {
      return bad(where, fmt::format("`{}` must hold only strings", name));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

util::Result<std::optional<std::int64_t>> optional_seconds(const Json& object, const char* name,
                                                           std::string_view where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::optional<std::int64_t>{};
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() <= 0 ||
      it->get<std::int64_t>() > 10LL * 365 * 86400) {
    return bad(where, fmt::format("`{}` must be a positive number of seconds", name));
  }
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

util::Result<std::optional<bool>> optional_bool(const Json& object, const char* name,
                                                std::string_view where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    return std::optional<bool>{};
  }
  if (!it->is_boolean()) {
    return bad(where, fmt::format("`{}` must be true or false", name));
  }
  return std::optional<bool>(it->get<bool>());
}

util::Result<GrantSettings> parse_grant_settings(const Json& object, std::string_view where) {
  if (!object.is_object()) {
    return bad(where, "must be an object");
  }
  GrantSettings settings;
  auto redirect = string_list(object, "redirect_uri", where, false);
  if (!redirect) {
    return tl::unexpected(redirect.error());
  }
  auto format = optional_string(object, "token_format", where);
  if (!format) {
    return tl::unexpected(format.error());
  }
  auto expiration = optional_seconds(object, "access_token_expiration", where);
  if (!expiration) {
    return tl::unexpected(expiration.error());
  }
  auto refresh = optional_bool(object, "refresh_token", where);
  if (!refresh) {
    return tl::unexpected(refresh.error());
  }
  auto refresh_expiration = optional_seconds(object, "refresh_token_expiration", where);
  if (!refresh_expiration) {
    return tl::unexpected(refresh_expiration.error());
  }
  auto secret_required = optional_bool(object, "secret_required", where);
  if (!secret_required) {
    return tl::unexpected(secret_required.error());
  }
  auto pkce = optional_bool(object, "pkce", where);
  if (!pkce) {
    return tl::unexpected(pkce.error());
  }
  auto audience = string_list(object, "audience", where, false);
  if (!audience) {
    return tl::unexpected(audience.error());
  }
  settings.redirect_uris = std::move(*redirect);
  settings.token_format = format->value_or("jwt");
  settings.access_token_expiration = *expiration;
  settings.refresh_token = *refresh;
  settings.refresh_token_expiration = *refresh_expiration;
  settings.secret_required = *secret_required;
  settings.pkce = *pkce;
  settings.audience = std::move(*audience);
  return settings;
}

util::Result<std::string> required_id(const Json& resource, std::string_view where) {
  const auto it = resource.find("id");
  if (it == resource.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return bad(where, "`id` must be a non-empty string");
  }
  const auto& id = it->get_ref<const std::string&>();
  if (id.size() > 256) {
    return bad(where, "`id` is longer than 256 characters");
  }
  for (const char c : id) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return bad(where, "`id` must not contain spaces or control characters");
    }
  }
  return id;
}

void add_resource(const Json& resource, std::string_view where, Seed& seed, util::Error& error,
                  bool& failed) {
  if (failed) {
    return;
  }
  if (!resource.is_object()) {
    error = bad(where, "must be a JSON object").value();
    failed = true;
    return;
  }
  const auto type = resource.value("resourceType", std::string());
  if (type == "Client") {
    auto client = parse_client(resource, where);
    if (!client) {
      error = client.error();
      failed = true;
      return;
    }
    seed.clients.push_back(std::move(*client));
  } else if (type == "User") {
    auto user = parse_user(resource, where);
    if (!user) {
      error = user.error();
      failed = true;
      return;
    }
    seed.users.push_back(std::move(*user));
  } else if (type == "TokenIntrospector") {
    seed.token_introspectors.push_back(resource);
  } else {
    error = bad(where, "`resourceType` must be \"Client\", \"User\" or \"TokenIntrospector\"").value();
    failed = true;
  }
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

util::Result<ClientSpec> parse_client(const Json& resource, std::string_view where) {
  if (!resource.is_object()) {
    return bad(where, "a Client must be a JSON object");
  }
  ClientSpec client;
  auto id = required_id(resource, where);
  if (!id) {
    return tl::unexpected(id.error());
  }
  client.id = std::move(*id);
  const auto at = fmt::format("{} (Client {})", where, client.id);
  auto secret = optional_string(resource, "secret", at);
  if (!secret) {
    return tl::unexpected(secret.error());
  }
  client.secret = std::move(*secret);
  auto grants = string_list(resource, "grant_types", at, false);
  if (!grants) {
    return tl::unexpected(grants.error());
  }
  for (auto& grant : *grants) {
    client.grant_types.push_back(normalise_grant(std::move(grant)));
  }
  auto first_party = optional_bool(resource, "first_party", at);
  if (!first_party) {
    return tl::unexpected(first_party.error());
  }
  client.first_party = first_party->value_or(false);
  if (resource.contains("scope") && !resource["scope"].is_null()) {
    auto scopes = string_list(resource, "scope", at, true);
    if (!scopes) {
      return tl::unexpected(scopes.error());
    }
    client.scopes = std::move(*scopes);
  }
  if (resource.contains("jwks") && !resource["jwks"].is_null()) {
    if (!resource["jwks"].is_object()) {
      return bad(at, "`jwks` must be a JWK Set object");
    }
    client.jwks = resource["jwks"];
    // RFC 7523 §3: the keys verify signed assertions; a set with none we can use is a
    // configuration mistake better reported now than as invalid_client later.
    if (const auto keys = oauth::JwksVerifier::from_jwks(client.jwks); !keys) {
      return bad(at, fmt::format("`jwks`: {}", keys.error().message));
    }
  }
  auto jwks_uri = optional_string(resource, "jwks_uri", at);
  if (!jwks_uri) {
    return tl::unexpected(jwks_uri.error());
  }
  client.jwks_uri = jwks_uri->value_or("");
  if (const auto auth = resource.find("auth"); auth != resource.end() && !auth->is_null()) {
    if (!auth->is_object()) {
      return bad(at, "`auth` must be an object");
    }
    for (const auto& [grant, value] : auth->items()) {
      auto settings = parse_grant_settings(value, fmt::format("{}: auth.{}", at, grant));
      if (!settings) {
        return tl::unexpected(settings.error());
      }
      client.auth[normalise_grant(grant)] = std::move(*settings);
    }
  }
  return client;
}

util::Result<UserSpec> parse_user(const Json& resource, std::string_view where) {
  if (!resource.is_object()) {
    return bad(where, "a User must be a JSON object");
  }
  UserSpec user;
  auto id = required_id(resource, where);
  if (!id) {
    return tl::unexpected(id.error());
  }
  user.id = std::move(*id);
  const auto at = fmt::format("{} (User {})", where, user.id);
  auto password = optional_string(resource, "password", at);
  auto email = optional_string(resource, "email", at);
  if (!password) {
    return tl::unexpected(password.error());
  }
  if (!email) {
    return tl::unexpected(email.error());
  }
  user.password = std::move(*password);
  user.email = email->value_or("");
  if (const auto name = resource.find("name"); name != resource.end() && !name->is_null()) {
    if (!name->is_string() && !name->is_object()) {
      return bad(at, "`name` must be a string or an object");
    }
    user.name = *name;
  }
  if (const auto fhir_user = resource.find("fhirUser");
      fhir_user != resource.end() && !fhir_user->is_null()) {
    if (!fhir_user->is_string() && !fhir_user->is_object()) {
      return bad(at, "`fhirUser` must be a reference string or an object");
    }
    user.fhir_user = *fhir_user;
  }
  return user;
}

util::Result<Seed> parse_seed(const Json& document, std::string_view source) {
  Seed seed;
  util::Error error;
  bool failed = false;
  if (document.is_array()) {
    for (std::size_t i = 0; i < document.size(); ++i) {
      add_resource(document[i], fmt::format("{}: [{}]", source, i), seed, error, failed);
    }
  } else if (document.is_object() && document.value("resourceType", std::string()) == "Bundle") {
    const auto entries = document.find("entry");
    if (entries != document.end() && !entries->is_array()) {
      return bad(source, "Bundle `entry` must be an array");
    }
    for (std::size_t i = 0; entries != document.end() && i < entries->size(); ++i) {
      const auto& entry = (*entries)[i];
      const auto where = fmt::format("{}: entry[{}]", source, i);
      if (!entry.is_object() || !entry.contains("resource")) {
        return bad(where, "must be an object with a `resource`");
      }
      add_resource(entry["resource"], where, seed, error, failed);
    }
  } else if (document.is_object() && (document.contains("clients") || document.contains("users") ||
                                      document.contains("token_introspectors"))) {
    for (const char* list : {"clients", "users", "token_introspectors"}) {
      const auto it = document.find(list);
      if (it == document.end()) {
        continue;
      }
      if (!it->is_array()) {
        return bad(source, fmt::format("`{}` must be an array", list));
      }
      for (std::size_t i = 0; i < it->size(); ++i) {
        const auto where = fmt::format("{}: {}[{}]", source, list, i);
        auto resource = (*it)[i];
        // Entries of "clients" are Clients even without a resourceType.
        if (resource.is_object() && !resource.contains("resourceType")) {
          const std::string name(list);
          resource["resourceType"] = name == "clients" ? "Client"
                                     : name == "users" ? "User"
                                                       : "TokenIntrospector";
        }
        add_resource(resource, where, seed, error, failed);
      }
    }
  } else if (document.is_object() && document.contains("resourceType")) {
    add_resource(document, std::string(source), seed, error, failed);
  } else {
    return bad(
      source, "expected {\"clients\":[...],\"users\":[...]}, a Bundle, or an array of Client/User resources");
  }
  if (failed) {
    return tl::unexpected(error);
  }
  return seed;
}

util::Result<Seed> load_seed_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return util::fail(ErrorKind::config, fmt::format("{}: cannot be read", path));
  }
  std::ostringstream text;
  text << file.rdbuf();
  const auto document = Json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) {
    return util::fail(ErrorKind::config, fmt::format("{}: not valid JSON", path));
  }
  return parse_seed(document, path);
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
