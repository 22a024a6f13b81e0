// SPDX-License-Identifier: MIT
// `serve --simulate`: faults applied around the route table, so the endpoints stay as they
// are and each fault is one small rewrite here (fault_table.cpp says what each one does).
#include "server/simulate/fault_injector.hpp"

#include "server/auth/login_pages.hpp"
#include "server/endpoints/client_authentication.hpp"
#include "server/event_loop_guard.hpp"
#include "server/fhir/fhir_endpoint.hpp"

#include <oauthctl/oauth/pkce.hpp>
#include <oauthctl/util/base64url.hpp>
#include <oauthctl/util/form.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace oauthctl::server {

namespace {

// pkce_not_checked: every code is bound to this verifier's challenge, and every
// redemption presents it, so whatever the client sends passes.
constexpr std::string_view k_simulated_verifier = "oauthctl-simulate-pkce-not-checked-verifier-0123456789";

// Bounds the bookkeeping maps; a simulated server is for tests, not for a week's traffic.
constexpr std::size_t k_max_remembered = 10000;

const Fault* find(const std::vector<Fault>& faults, std::string_view name) {
  const auto it = std::find_if(faults.begin(), faults.end(), [&](const Fault& f) { return f.name == name; });
  return it == faults.end() ? nullptr : &*it;
}

bool has(const std::vector<Fault>& faults, std::string_view name) {
  return find(faults, name) != nullptr;
}

bool is_client_endpoint(std::string_view path) {
  return path == "/auth/token" || path == "/auth/introspect" || path == "/auth/revoke";
}

bool is_jwks(std::string_view path) {
  return path == "/.well-known/jwks.json" || path == "/auth/jwks";
}

bool is_authorization_redirect(const ServerRequest& request, const ServerResponse& response) {
  return (request.path == "/auth/authorize" || request.path == "/auth/login" ||
          request.path == "/auth/grant") &&
         response.status >= 300 && response.status < 400 && response.headers.get("Location").has_value();
}

util::FormFields fields_of(std::string_view encoded) {
  return util::form_decode(encoded).value_or(util::FormFields{});
}

void set_field(util::FormFields& fields, std::string_view name, std::string value) {
  std::erase_if(fields, [&](const auto& field) { return field.first == name; });
  fields.emplace_back(std::string(name), std::move(value));
}

// The redirect's query without `name`.
// The header is checked, not dereferenced blindly: gcc 12 at -O3 (the packager's build) could
// not see it was there and warned about a memchr over SIZE_MAX bytes in find().
void drop_location_param(ServerResponse& response, std::string_view name) {
  const auto header = response.headers.get("Location");
  if (!header) {
    return;
  }
  const std::string_view location = *header;
  const auto question = location.find('?');
  if (question == std::string_view::npos) {
    return;
  }
  auto fields = fields_of(location.substr(question + 1));
  std::erase_if(fields, [&](const auto& field) { return field.first == name; });
  std::string rewritten(location.substr(0, question + 1));
  rewritten += util::form_encode(fields);
  response.headers.set("Location", std::move(rewritten));
}

// Rewrites the JSON object of `response.body` with `change` (nothing when it is not one).
template<typename Change>
void edit_json(ServerResponse& response, Change change) {
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && change(body)) {
    response.body = body.dump();
  }
}

// A 400 whose OAuth error is `from` answers `to` instead (a server misnaming an error).
void rename_error(ServerResponse& response, std::string_view from, std::string_view to) {
  if (response.status != 400) {
    return;
  }
  edit_json(response, [&](nlohmann::json& body) {
    if (body.value("error", "") != from) {
      return false;
    }
    body["error"] = to;
    return true;
  });
}

ServerResponse refused_bearer(std::string_view description) {
  auto response = operation_outcome(401, "login", description);
  response.headers.set(
    "WWW-Authenticate",
    fmt::format(R"(Bearer realm="oauthctl", error="invalid_token", error_description="{}")", description));
  return response;
}

ServerResponse status_answer(int status) {
  const bool unavailable = status == 429 || status == 503;
  auto response = oauth_error(status, unavailable ? "temporarily_unavailable" : "server_error",
                              fmt::format("simulated: http:{}", status));
  if (unavailable) {
    response.headers.set("Retry-After", "1");
  }
  return response;
}

ServerResponse without_header(ServerResponse response, std::string_view name) {
  http::Headers kept;
  for (const auto& [field, value] : response.headers.fields()) {
    if (!std::equal(field.begin(), field.end(), name.begin(), name.end(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      kept.add(field, value);
    }
  }
  response.headers = std::move(kept);
  return response;
}

} // namespace

util::Result<std::unique_ptr<FaultInjector>>
FaultInjector::create(std::vector<Fault> global, std::map<std::string, std::vector<Fault>> per_client) {
  auto injector = std::unique_ptr<FaultInjector>(new FaultInjector());
  bool no_kid = has(global, "id_token_no_kid");
  for (const auto& [client, faults] : per_client) {
    no_kid = no_kid || has(faults, "id_token_no_kid");
  }
  injector->m_always_publish_extra_key = no_kid;
  if (no_kid || has(global, "jwks_rotated")) {
    auto key = oauth::SigningKey::generate_rsa(2048, oauth::JwsAlg::rs256);
    if (!key) {
      return tl::unexpected(key.error());
    }
    injector->m_extra_key = std::move(*key);
  }
  injector->m_global = std::move(global);
  injector->m_per_client = std::move(per_client);
  return injector;
}

std::vector<Fault> FaultInjector::faults_for(const std::string& client_id) const {
  auto faults = m_global;
  if (const auto it = m_per_client.find(client_id); !client_id.empty() && it != m_per_client.end()) {
    faults.insert(faults.end(), it->second.begin(), it->second.end());
  }
  return faults;
}

std::string FaultInjector::client_of(const ServerRequest& request) {
  if (m_per_client.empty()) {
    return {};
  }
  const auto& path = request.path;
  if (path == "/auth/authorize") {
    return util::form_get(fields_of(request.query), "client_id").value_or("");
  }
  if (is_client_endpoint(path)) {
    const auto presented = read_client_credentials(request, fields_of(request.body));
    return presented ? presented->client_id : std::string();
  }
  if (path == "/auth/login" || path == "/auth/grant") {
    auto pending = util::form_get(fields_of(request.query), "request");
    if (!pending) {
      pending = util::form_get(fields_of(request.body), "request");
    }
    const std::lock_guard lock(m_mutex);
    const auto it = pending ? m_pending_clients.find(*pending) : m_pending_clients.end();
    return it == m_pending_clients.end() ? std::string() : it->second;
  }
  if (path == "/fhir" || path.starts_with("/fhir/")) {
    const auto authorization = request.headers.get("Authorization").value_or("");
    if (authorization.starts_with("Bearer ")) {
      if (auto jwt = oauth::decode_jwt(authorization.substr(7))) {
        const auto it = jwt->claims.find("client_id");
        return it != jwt->claims.end() && it->is_string() ? it->get<std::string>() : std::string();
      }
    }
  }
  return {};
}

void FaultInjector::remember_pending(const ServerRequest& request, const ServerResponse& response,
                                     const std::string& client) {
  if (client.empty() || request.path != "/auth/authorize") {
    return;
  }
  const auto location = response.headers.get("Location").value_or("");
  for (const std::string_view page : {"/auth/login?", "/auth/grant?"}) {
    if (location.starts_with(page)) {
      if (auto pending =
            util::form_get(fields_of(std::string_view(location).substr(page.size())), "request")) {
        const std::lock_guard lock(m_mutex);
        if (m_pending_clients.size() >= k_max_remembered) {
          m_pending_clients.clear();
        }
        m_pending_clients[*pending] = client;
      }
    }
  }
}

ServerResponse FaultInjector::handle(const AppContext& context, const ServerRequest& request,
                                     const Next& next) {
  const auto client = client_of(request);
  const auto faults = faults_for(client);
  if (faults.empty()) {
    auto response = next(request);
    remember_pending(request, response, client);
    if (m_always_publish_extra_key && is_jwks(request.path) && response.status == 200) {
      rewrite_jwks(response, faults);
    }
    return response;
  }
  ServerRequest changed = request;
  if (auto answer = answer_instead(changed, faults)) {
    return std::move(*answer);
  }
  auto response = next(changed);
  remember_pending(request, response, client);
  rewrite(context, request, response, faults);
  return response;
}

std::optional<ServerResponse> FaultInjector::answer_instead(ServerRequest& request,
                                                            const std::vector<Fault>& faults) {
  const auto& path = request.path;
  if (path == "/auth/authorize") {
    if (has(faults, "auth_invalid_client_id")) {
      return error_page(400, "Unknown client",
                        "The client_id is not registered here (simulated: auth_invalid_client_id).");
    }
    if (has(faults, "auth_invalid_redirect_uri")) {
      return error_page(
        400, "Invalid redirect_uri",
        "The redirect_uri is not registered for this client (simulated: auth_invalid_redirect_uri).");
    }
    auto query = fields_of(request.query);
    if (has(faults, "pkce_not_checked") &&
        util::form_get(query, "response_type").value_or("").find("code") != std::string::npos) {
      set_field(query, "code_challenge",
                oauth::make_code_challenge(oauth::PkceMethod::s256, k_simulated_verifier));
      set_field(query, "code_challenge_method", "S256");
      request.query = util::form_encode(query);
    }
    return std::nullopt;
  }
  if (path == "/fhir" || path.starts_with("/fhir/")) {
    if (!request.headers.get("Authorization").value_or("").starts_with("Bearer ")) {
      return std::nullopt;
    }
    if (has(faults, "request_invalid_token")) {
      return refused_bearer("the access token is not valid (simulated: request_invalid_token)");
    }
    if (has(faults, "request_expired_token")) {
      return refused_bearer("the access token has expired (simulated: request_expired_token)");
    }
    return std::nullopt;
  }
  if (!is_client_endpoint(path)) {
    return std::nullopt;
  }
  auto params = fields_of(request.body);
  const auto presented = read_client_credentials(request, params);
  if (presented && presented->secret && has(faults, "auth_invalid_client_secret")) {
    return invalid_client(presented->method,
                          "unknown client or wrong secret (simulated: auth_invalid_client_secret)");
  }
  if (path != "/auth/token") {
    return std::nullopt;
  }
  if (presented && presented->method == PresentedMethod::private_key_jwt &&
      has(faults, "token_invalid_jti")) {
    return invalid_client(
      presented->method,
      "client_assertion rejected: its jti was already used (simulated: token_invalid_jti)");
  }
  if (const auto* slow = find(faults, "slow")) {
    // On a worker thread (the token endpoint may start on an event loop), so waiting here
    // stalls only this request.
    require_worker();
    std::this_thread::sleep_for(std::chrono::milliseconds(slow->value));
  }
  if (const auto* status = find(faults, "http")) {
    return status_answer(static_cast<int>(status->value));
  }
  if (has(faults, "token_invalid_scope")) {
    return oauth_error(400, "invalid_scope",
                       "the requested scope is invalid (simulated: token_invalid_scope)");
  }
  const auto grant = util::form_get(params, "grant_type").value_or("");
  if (grant == "authorization_code") {
    if (has(faults, "token_invalid_token")) {
      return oauth_error(400, "invalid_grant",
                         "the code is not valid for this client (simulated: token_invalid_token)");
    }
    if (has(faults, "code_reusable")) {
      const std::lock_guard lock(m_mutex);
      if (const auto it = m_answers.find("code:" + util::form_get(params, "code").value_or(""));
          it != m_answers.end()) {
        return it->second;
      }
    }
    if (has(faults, "pkce_not_checked")) {
      set_field(params, "code_verifier", std::string(k_simulated_verifier));
      request.body = util::form_encode(params);
    }
  }
  if (grant == "refresh_token") {
    if (has(faults, "token_expired_refresh_token")) {
      return oauth_error(400, "invalid_grant",
                         "the refresh token has expired (simulated: token_expired_refresh_token)");
    }
    const auto token = util::form_get(params, "refresh_token").value_or("");
    const std::lock_guard lock(m_mutex);
    if (has(faults, "refresh_reuse_allowed")) {
      if (const auto it = m_answers.find("refresh:" + token); it != m_answers.end()) {
        return it->second;
      }
    }
    if (has(faults, "refresh_not_rotated")) {
      if (const auto it = m_current_refresh.find(token); it != m_current_refresh.end()) {
        set_field(params, "refresh_token", it->second);
        request.body = util::form_encode(params);
      }
    }
  }
  return std::nullopt;
}

void FaultInjector::rewrite(const AppContext& context, const ServerRequest& request, ServerResponse& response,
                            const std::vector<Fault>& faults) {
  const auto& path = request.path;
  if (path == "/auth/authorize" && has(faults, "auth_invalid_scope") && response.status >= 300 &&
      response.status < 400) {
    const auto query = fields_of(request.query);
    const auto location = response.headers.get("Location").value_or("");
    const auto redirect_uri = util::form_get(query, "redirect_uri").value_or("");
    // Only a request the server accepted (redirected on to the login, the consent or the
    // client with a code) is answered with the error, so no unchecked redirect_uri is used.
    if (!redirect_uri.empty() && location.find("error=") == std::string::npos) {
      util::FormFields error{
        {"error", "invalid_scope"},
        {"error_description", "the requested scope is invalid (simulated: auth_invalid_scope)"}};
      if (const auto state = util::form_get(query, "state")) {
        error.emplace_back("state", *state);
      }
      error.emplace_back("iss", context.issuer);
      response.headers.set("Location", redirect_uri +
                                         (redirect_uri.find('?') == std::string::npos ? "?" : "&") +
                                         util::form_encode(error));
    }
  }
  if (is_authorization_redirect(request, response)) {
    if (has(faults, "no_state")) {
      drop_location_param(response, "state");
    }
    if (has(faults, "no_iss")) {
      drop_location_param(response, "iss");
    }
  }
  if (path == "/auth/token") {
    const auto params = fields_of(request.body);
    const auto grant = util::form_get(params, "grant_type").value_or("");
    if (has(faults, "no_cache_control")) {
      response = without_header(std::move(response), "Cache-Control");
      response = without_header(std::move(response), "Pragma");
    }
    if (has(faults, "unsupported_grant_as_invalid_request")) {
      rename_error(response, "unsupported_grant_type", "invalid_request");
    }
    if (has(faults, "unauthorized_client_as_invalid_grant")) {
      rename_error(response, "unauthorized_client", "invalid_grant");
    }
    if (response.status != 200) {
      return;
    }
    if (has(faults, "expires_in_string")) {
      edit_json(response, [](nlohmann::json& body) {
        if (!body.contains("expires_in") || !body["expires_in"].is_number_integer()) {
          return false;
        }
        body["expires_in"] = std::to_string(body["expires_in"].get<long long>());
        return true;
      });
    }
    rewrite_id_token(context, response, faults);
    const auto refresh = util::form_get(params, "refresh_token").value_or("");
    if (grant == "refresh_token" && has(faults, "refresh_not_rotated")) {
      // The client keeps the token it has; the server's new one is used on its behalf.
      edit_json(response, [&](nlohmann::json& body) {
        if (!body.contains("refresh_token") || !body["refresh_token"].is_string()) {
          return false;
        }
        const std::lock_guard lock(m_mutex);
        if (m_current_refresh.size() >= k_max_remembered) {
          m_current_refresh.clear();
        }
        m_current_refresh[refresh] = body["refresh_token"].get<std::string>();
        body["refresh_token"] = refresh;
        return true;
      });
    }
    const std::string key = grant == "authorization_code" && has(faults, "code_reusable")
                              ? "code:" + util::form_get(params, "code").value_or("")
                            : grant == "refresh_token" && has(faults, "refresh_reuse_allowed")
                              ? "refresh:" + refresh
                              : std::string();
    if (!key.empty()) {
      const std::lock_guard lock(m_mutex);
      if (m_answers.size() >= k_max_remembered) {
        m_answers.clear();
      }
      m_answers.emplace(key, response);
    }
    if (has(faults, "malformed_json")) {
      response.body.resize(response.body.size() / 2);
    }
    return;
  }
  if (is_jwks(path) && response.status == 200) {
    rewrite_jwks(response, faults);
  }
  if (has(faults, "plain_advertised") && path.find("/.well-known/") != std::string::npos) {
    edit_json(response, [](nlohmann::json& body) {
      if (!body.contains("code_challenge_methods_supported") ||
          !body["code_challenge_methods_supported"].is_array()) {
        return false;
      }
      body["code_challenge_methods_supported"].push_back("plain");
      return true;
    });
  }
  if (has(faults, "smart_wrong_issuer") && path.find("smart-configuration") != std::string::npos) {
    edit_json(response, [&](nlohmann::json& body) {
      body["issuer"] = context.issuer + "/simulated-other-issuer";
      return true;
    });
  }
  if (has(faults, "introspection_leaks") && path == "/auth/introspect" && response.status == 200) {
    edit_json(response, [](nlohmann::json& body) {
      if (body != nlohmann::json{{"active", false}}) {
        return false;
      }
      body["token_type"] = "Bearer";
      return true;
    });
  }
}

void FaultInjector::rewrite_jwks(ServerResponse& response, const std::vector<Fault>& faults) {
  if (!m_extra_key) {
    return;
  }
  // jwks_rotated: the first fetch sees the old set; from the second on, the new key is in.
  const bool rotated = has(faults, "jwks_rotated") && m_rotated.exchange(true);
  if (!rotated && !m_always_publish_extra_key) {
    return;
  }
  auto jwk = m_extra_key->public_jwk();
  edit_json(response, [&](nlohmann::json& body) {
    if (!body.contains("keys") || !body["keys"].is_array()) {
      return false;
    }
    body["keys"].push_back(jwk);
    return true;
  });
}

void FaultInjector::rewrite_id_token(const AppContext& context, ServerResponse& response,
                                     const std::vector<Fault>& faults) {
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("id_token") || !body["id_token"].is_string()) {
    return;
  }
  auto token = body["id_token"].get<std::string>();
  auto jwt = oauth::decode_jwt(token);
  if (!jwt) {
    return;
  }
  auto& claims = jwt->claims;
  bool changed = false;
  if (has(faults, "id_token_wrong_nonce")) {
    claims["nonce"] = "simulated-wrong-nonce";
    changed = true;
  }
  if (has(faults, "id_token_wrong_aud")) {
    claims["aud"] = "simulated-other-client";
    changed = true;
  }
  if (has(faults, "id_token_wrong_iss")) {
    claims["iss"] = context.issuer + "/simulated-other-issuer";
    changed = true;
  }
  for (const char* claim : {"sub", "iat"}) {
    if (has(faults, fmt::format("id_token_missing_{}", claim))) {
      claims.erase(claim);
      changed = true;
    }
  }
  // Which key signs: the server's, the rotated-in one (its new kid), or the extra one
  // without a kid although the JWKS lists two keys.
  std::optional<oauth::SigningKey> unnamed;
  const auto key_set = context.keys.current(); // one set for this response
  const oauth::SigningKey* signer = &key_set->signer;
  if (m_extra_key && has(faults, "jwks_rotated") && m_rotated.load()) {
    signer = &*m_extra_key;
    changed = true;
  }
  if (m_extra_key && has(faults, "id_token_no_kid")) {
    if (auto copy = oauth::SigningKey::from_pem(key_set->signer.to_pem(), key_set->signer.jws_alg())) {
      unnamed = std::move(*copy);
      unnamed->set_kid("");
      signer = &*unnamed;
      changed = true;
    }
  }
  if (changed) {
    auto signed_again = signer->sign(claims);
    if (!signed_again) {
      return;
    }
    token = std::move(*signed_again);
  }
  if (has(faults, "id_token_alg_none")) {
    token = util::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
            util::base64url_encode(claims.dump()) + ".";
  }
  if (has(faults, "id_token_bad_signature")) {
    auto& c = token[token.size() - 5];
    c = c == 'A' ? 'B' : 'A';
  }
  body["id_token"] = token;
  response.body = body.dump();
}

Clock simulated_clock(const std::vector<Fault>& faults) {
  if (const auto* skew = find(faults, "clock_skew")) {
    return [seconds = skew->value] { return system_now() + seconds; };
  }
  return system_now;
}

std::chrono::milliseconds simulated_poll_delay(const std::vector<Fault>& faults) {
  const auto* late = find(faults, "late_state_poll");
  return std::chrono::milliseconds(late != nullptr ? late->value : 0);
}

} // namespace oauthctl::server
