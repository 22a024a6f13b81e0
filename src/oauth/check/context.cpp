// SPDX-License-Identifier: MIT
#include "oauth/grants/browser_redirect.hpp"

#include <oauthctl/http/redacted.hpp>
#include <oauthctl/http/url.hpp>
#include <oauthctl/oauth/assertion.hpp>
#include <oauthctl/oauth/check_context.hpp>
#include <oauthctl/oauth/grants.hpp>
#include <oauthctl/oauth/id_token.hpp>
#include <oauthctl/oauth/token_endpoint.hpp>
#include <oauthctl/util/crypto.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace oauthctl::oauth::check {

namespace {

constexpr std::size_t k_max_shown_body = 1500;
constexpr std::size_t k_max_exchanges = 8;

std::string shown_body(const std::string& body) {
  if (body.size() <= k_max_shown_body) {
    return body;
  }
  return body.substr(0, k_max_shown_body) + fmt::format("… ({} bytes)", body.size());
}

// One exchange as text, secrets redacted (http/redacted): what a JUnit failure shows.
std::string format_exchange(const http::Request& raw_request,
                            const util::Result<http::Response>& raw_response) {
  const auto request = http::redacted(raw_request);
  std::string text = fmt::format("> {} {}\n", request.method, request.url);
  for (const auto& [name, value] : request.headers.fields()) {
    text += fmt::format("> {}: {}\n", name, value);
  }
  if (!request.body.empty()) {
    text += "> " + shown_body(request.body) + "\n";
  }
  if (!raw_response) {
    return text + "< (no response: " + raw_response.error().message + ")\n";
  }
  const auto response = http::redacted(*raw_response);
  text += fmt::format("< HTTP {} ({:.0f} ms)\n", response.status, response.elapsed_ms);
  for (const auto& [name, value] : response.headers.fields()) {
    text += fmt::format("< {}: {}\n", name, value);
  }
  if (!response.body.empty()) {
    text += "< " + shown_body(response.body) + "\n";
  }
  return text;
}

bool lists(const nlohmann::json& document, std::string_view field, std::string_view value) {
  if (!document.is_object()) {
    return false;
  }
  const auto it = document.find(field);
  return it != document.end() && it->is_array() &&
         std::any_of(it->begin(), it->end(),
                     [&](const nlohmann::json& v) { return v.is_string() && v == value; });
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& scope : scopes) {
    out += (out.empty() ? "" : " ") + scope;
  }
  return out;
}

// `url` without the query parameters named in `names`.
std::string without_params(const std::string& url, const std::vector<std::string>& names) {
  const auto question = url.find('?');
  if (question == std::string::npos) {
    return url;
  }
  auto fields = util::form_decode(std::string_view(url).substr(question + 1)).value_or(util::FormFields{});
  std::erase_if(fields, [&](const auto& field) {
    return std::find(names.begin(), names.end(), field.first) != names.end();
  });
  return url.substr(0, question + 1) + util::form_encode(fields);
}

} // namespace

// Passes every request to the real client and keeps the last few exchanges as text.
class Context::Recorder final : public http::Client {
public:
  explicit Recorder(http::Client& transport) : m_transport(transport) {}
  util::Result<http::Response> send(const http::Request& request) override {
    auto response = m_transport.send(request);
    if (m_exchanges.size() == k_max_exchanges) {
      m_exchanges.erase(m_exchanges.begin());
    }
    m_exchanges.push_back(format_exchange(request, response));
    return response;
  }
  std::vector<std::string> take() { return std::exchange(m_exchanges, {}); }

private:
  http::Client& m_transport;
  std::vector<std::string> m_exchanges;
};

std::string AuthorizeTrip::param(std::string_view name) const {
  return util::form_get(response, name).value_or("");
}

Context::Context(http::Client& transport, Settings settings)
    : m_recorder(std::make_unique<Recorder>(transport)), m_settings(std::move(settings)),
      m_code_client(public_client_if_secretless(m_settings.config)) {}

Context::~Context() = default;

http::Client& Context::client() {
  return *m_recorder;
}

void Context::begin_check() {
  static_cast<void>(m_recorder->take());
}

std::vector<std::string> Context::take_exchanges() {
  return m_recorder->take();
}

std::int64_t Context::now() const {
  return unix_now();
}

util::Result<void> Context::discover() {
  const auto urls = discovery_urls(config().server);
  if (urls.size() < 2) {
    return util::fail(util::ErrorKind::usage,
                      fmt::format("--server {} is not an http(s) URL", config().server));
  }
  const auto smart_base = config().fhir_url.empty() ? config().server : config().fhir_url;
  m_oauth.url = urls[0];
  m_openid.url = urls[1];
  m_smart.url = http::join_url(smart_base, ".well-known/smart-configuration");
  int reached = 0;
  util::Error last_error;
  for (auto* document : {&m_oauth, &m_openid, &m_smart}) {
    http::Request request;
    request.url = document->url;
    request.headers.set("Accept", "application/json");
    const auto response = client().send(request);
    if (!response) {
      last_error = response.error();
      document->problem = response.error().message;
      continue;
    }
    ++reached;
    document->status = response->status;
    if (response->status != 200) {
      document->problem = fmt::format("HTTP {}", response->status);
      continue;
    }
    auto parsed = nlohmann::json::parse(response->body, nullptr, false);
    if (!parsed.is_object()) {
      document->problem = "the body is not a JSON object";
      continue;
    }
    document->json = std::move(parsed);
  }
  if (reached == 0) {
    return tl::unexpected(last_error);
  }
  m_metadata = aidbox_defaults(config().server);
  for (const auto* document : {&m_oauth, &m_openid, &m_smart}) {
    if (!document->usable()) {
      continue;
    }
    if (auto parsed = parse_metadata(document->json.dump(), document->url)) {
      m_metadata = std::move(*parsed);
      break;
    }
  }
  static_cast<void>(take_exchanges());
  return {};
}

const nlohmann::json& Context::document() const {
  for (const auto* document : {&m_oauth, &m_openid, &m_smart}) {
    if (document->usable()) {
      return document->json;
    }
  }
  static const nlohmann::json none;
  return none;
}

bool Context::advertises(std::string_view field, std::string_view value) const {
  return lists(m_oauth.json, field, value) || lists(m_openid.json, field, value) ||
         lists(m_smart.json, field, value);
}

bool Context::has_endpoint(std::string_view field) const {
  for (const auto* document : {&m_oauth, &m_openid, &m_smart}) {
    const auto& json = document->json;
    if (document->usable() && json.contains(field) && json[std::string(field)].is_string()) {
      return true;
    }
  }
  return false;
}

std::string Context::fhir_base() const {
  if (!config().fhir_url.empty()) {
    return config().fhir_url;
  }
  return http::join_url(config().server, "fhir");
}

bool Context::has_client_credentials() const {
  if (config().client_id.empty()) {
    return false;
  }
  if (config().auth_method == AuthMethod::private_key_jwt) {
    return !config().assertion.private_key_pem.empty();
  }
  return config().auth_method == AuthMethod::none || !config().client_secret.empty();
}

std::string Context::client_scope() const {
  if (!config().scope.empty()) {
    return config().scope;
  }
  for (const char* scope : {"system/*.rs", "system/*.read"}) {
    if (advertises("scopes_supported", scope)) {
      return scope;
    }
  }
  return {};
}

std::string Context::user_scope() const {
  if (!config().scope.empty()) {
    return config().scope;
  }
  std::vector<std::string> scopes;
  for (const char* scope : {"openid", "profile", "fhirUser", "offline_access"}) {
    if (advertises("scopes_supported", scope)) {
      scopes.emplace_back(scope);
    }
  }
  for (const char* scope : {"patient/*.rs", "patient/*.read", "user/*.rs", "user/*.read"}) {
    if (advertises("scopes_supported", scope)) {
      scopes.emplace_back(scope);
      break;
    }
  }
  return join_scopes(scopes);
}

std::string Context::redirect_uri() const {
  return config().redirect.redirect_uri.empty() ? "http://127.0.0.1/callback"
                                                : config().redirect.redirect_uri;
}

util::Result<http::Response> Context::post_token(util::FormFields form, const ClientConfig& as) {
  auto request = build_token_request(as, m_metadata, std::move(form));
  if (!request) {
    return tl::unexpected(request.error());
  }
  return client().send(*request);
}

const util::Result<TokenResponse>& Context::client_token() {
  if (!m_client_token) {
    auto config = m_settings.config;
    config.scope = client_scope();
    auto response = post_token(client_credentials_form(config), config);
    m_client_token = response ? parse_token_response(*response) : tl::unexpected(response.error());
  }
  return *m_client_token;
}

const util::Result<nlohmann::json>& Context::jwks_document() {
  if (!m_jwks_document) {
    m_jwks_document = [&]() -> util::Result<nlohmann::json> {
      const auto& uri = m_metadata.jwks_uri;
      if (uri.empty()) {
        return util::fail(util::ErrorKind::bad_response, "no jwks_uri in the metadata");
      }
      http::Request request;
      request.url = uri;
      request.headers.set("Accept", "application/json");
      const auto response = client().send(request);
      if (!response) {
        return util::fail(response.error().kind, fmt::format("{}: {}", uri, response.error().message));
      }
      if (response->status != 200) {
        return util::fail(util::ErrorKind::bad_response,
                          fmt::format("{} answered HTTP {}", uri, response->status));
      }
      auto jwks = nlohmann::json::parse(response->body, nullptr, false);
      if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array()) {
        return util::fail(util::ErrorKind::bad_response, fmt::format("{} is not a JWK Set", uri));
      }
      return jwks;
    }();
  }
  return *m_jwks_document;
}

const util::Result<JwksVerifier>& Context::jwks() {
  if (!m_jwks) {
    const auto& document = jwks_document();
    m_jwks = document ? JwksVerifier::from_jwks(*document)
                      : util::Result<JwksVerifier>(tl::unexpected(document.error()));
  }
  return *m_jwks;
}

const util::Result<JwksVerifier>& Context::jwks_naming(const nlohmann::json& header) {
  const auto kid = header.is_object() && header.contains("kid") && header["kid"].is_string()
                     ? header["kid"].get<std::string>()
                     : std::string();
  const auto& document = jwks_document();
  const auto known = [&] {
    if (!document) {
      return false;
    }
    const auto& keys = (*document)["keys"];
    return std::any_of(keys.begin(), keys.end(), [&](const nlohmann::json& key) {
      return key.is_object() && key.value("kid", nlohmann::json()) == kid;
    });
  };
  if (!kid.empty() && !m_jwks_fetched_again && !known()) {
    m_jwks_fetched_again = true;
    m_jwks_document.reset();
    m_jwks.reset();
  }
  return jwks();
}

std::string Context::browser_flow_blocker() const {
  if (m_metadata.authorization_endpoint.empty()) {
    return "no authorization_endpoint in the metadata";
  }
  if (config().client_id.empty()) {
    return "no --client-id";
  }
  const auto& browser = config().redirect.browser;
  if (m_settings.login.username.empty() && (browser.empty() || browser == "none")) {
    return "no --login (or --browser CMD) for the browser flows";
  }
  return {};
}

util::Result<AuthorizeTrip> Context::authorize(const std::function<void(AuthorizeRequest&)>& adjust,
                                               bool pkce, const std::vector<std::string>& drop) {
  AuthorizeTrip trip;
  if (pkce) {
    trip.pkce = make_pkce(PkceMethod::s256);
  }
  auto config = m_code_client;
  config.scope = user_scope();
  auto request = make_authorize_request(config, m_metadata, ResponseType::code, redirect_uri(),
                                        util::random_token(16), util::random_token(16), trip.pkce);
  if (!request) {
    return tl::unexpected(request.error());
  }
  if (adjust) {
    adjust(*request);
  }
  trip.request = *request;
  auto url = build_authorize_url(trip.request);
  if (!url) {
    return tl::unexpected(url.error());
  }
  if (!drop.empty()) {
    *url = without_params(*url, drop);
  }
  auto outcome = authorize_headless(client(), m_jar, *url, trip.request.redirect_uri, m_settings.login);
  if (!outcome) {
    return tl::unexpected(outcome.error());
  }
  trip.outcome = std::move(*outcome);
  if (trip.outcome.redirected) {
    const auto& location = trip.outcome.location;
    const auto query = location.find('?');
    const auto hash = location.find('#');
    std::string_view params;
    if (query != std::string::npos) {
      params = std::string_view(location).substr(query + 1, hash == std::string::npos ? std::string::npos
                                                                                      : hash - query - 1);
    } else if (hash != std::string::npos) {
      params = std::string_view(location).substr(hash + 1);
    }
    trip.response = util::form_decode(params).value_or(util::FormFields{});
  }
  return trip;
}

util::Result<AuthorizeTrip> Context::authorize_in_browser_command() {
  // The grants' own browser trip: loopback listener, --browser CMD, state and iss checked.
  auto config = m_code_client;
  config.scope = user_scope();
  SilentFlowObserver observer;
  const FlowContext flow{client(), config, m_metadata, observer, nullptr};
  auto browser = oauth::authorize_in_browser(flow, ResponseType::code);
  if (!browser) {
    return tl::unexpected(browser.error());
  }
  AuthorizeTrip trip;
  trip.request.client_id = config.client_id;
  trip.request.redirect_uri = browser->redirect_uri;
  trip.request.scope = config.scope;
  trip.request.state = browser->response.state;
  trip.request.nonce = browser->nonce;
  trip.pkce = browser->pkce;
  trip.outcome.redirected = true;
  trip.outcome.location = browser->redirect_uri;
  trip.response = browser->response.fields;
  return trip;
}

util::Result<AuthorizeTrip> Context::authorize_for_code(const std::function<void(AuthorizeRequest&)>& adjust,
                                                        bool pkce) {
  if (!headless()) {
    if (adjust || !pkce) {
      return util::fail(util::ErrorKind::usage,
                        "needs --login: a --browser trip sends only the plain request");
    }
    return authorize_in_browser_command();
  }
  auto trip = authorize(adjust, pkce);
  if (!trip) {
    return trip;
  }
  if (!trip->outcome.redirected) {
    return util::fail(util::ErrorKind::oauth,
                      fmt::format("the authorization request ended at HTTP {} on {} instead of a redirect",
                                  trip->outcome.last.status, trip->outcome.last_url));
  }
  if (trip->param("code").empty()) {
    const auto error = trip->param("error");
    return util::fail(util::ErrorKind::oauth,
                      fmt::format("the redirect carries no code (error={} {})",
                                  error.empty() ? "none" : error, trip->param("error_description")));
  }
  return trip;
}

util::Result<http::Response> Context::redeem(const AuthorizeTrip& trip,
                                             const std::optional<std::string>& verifier,
                                             const std::string& redirect_uri) {
  auto form = authorization_code_form(trip.param("code"), redirect_uri, "");
  if (verifier) {
    form.emplace_back("code_verifier", *verifier);
  }
  return post_token(std::move(form), m_code_client);
}

const util::Result<CodeFlow>& Context::code_flow() {
  if (!m_code_flow) {
    m_code_flow = fresh_code_flow();
  }
  return *m_code_flow;
}

util::Result<CodeFlow> Context::fresh_code_flow() {
  return [&]() -> util::Result<CodeFlow> {
    auto trip = authorize_for_code();
    if (!trip) {
      return tl::unexpected(trip.error());
    }
    auto response = redeem(*trip, trip->pkce->verifier, trip->request.redirect_uri);
    if (!response) {
      return tl::unexpected(response.error());
    }
    auto token = parse_token_response(*response);
    if (!token) {
      return tl::unexpected(token.error());
    }
    return CodeFlow{std::move(*trip), std::move(*response), std::move(*token)};
  }();
}

std::string oauth_error_code(const http::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) {
    return {};
  }
  return body["error"].get<std::string>();
}

std::string describe_answer(const http::Response& response) {
  const auto error = oauth_error_code(response);
  return error.empty() ? fmt::format("HTTP {}", response.status)
                       : fmt::format("HTTP {} {}", response.status, error);
}

} // namespace oauthctl::oauth::check
