// SPDX-License-Identifier: MIT
#include "cli/assertion_settings.hpp"

#include "cli/settings.hpp"

#include <oauthctl/oauth/assertion.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace oauthctl::cli {

namespace {

using util::ErrorKind;

util::Result<std::string> read_text_file(const std::string& path, std::string_view what) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return util::fail(ErrorKind::io, fmt::format("cannot read {} {}", what, path));
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (content.str().empty()) {
    return util::fail(ErrorKind::config, fmt::format("{} {} is empty", what, path));
  }
  return content.str();
}

// Reads the PEM key at `path` and checks it signs with `alg` (wrapping the error with the path).
util::Result<std::string> read_key(const std::string& path, const std::string& alg, std::string_view option) {
  auto pem = read_text_file(path, "private key file");
  if (!pem) {
    return pem;
  }
  if (auto key = oauth::load_assertion_key(*pem, alg, {}); !key) {
    auto error = key.error();
    if (error.kind != ErrorKind::usage) {
      error.message = fmt::format("{} {}: {}", option, path, error.message);
    }
    return tl::unexpected(error);
  }
  return pem;
}

} // namespace

void add_assertion_options(CLI::App& app, AssertionSettings& settings, EnvBindings& env, bool jwt_bearer) {
  env.add(app, "--private-key", settings.private_key, "OAUTHCTL_PRIVATE_KEY",
          "PEM private key (RSA or EC) for --auth-method private_key_jwt; implies that method");
  env.add(app, "--kid", settings.kid, "OAUTHCTL_KID",
          "key id for the signed JWTs (default: the key's RFC 7638 thumbprint)");
  env.add(app, "--alg", settings.alg, "OAUTHCTL_ALG",
          "signing algorithm: RS256, RS384, ES256, ES384 (default: ES256/ES384 by curve, RS384 for RSA)");
  if (!jwt_bearer) {
    return;
  }
  env.add(app, "--assertion", settings.assertion, "OAUTHCTL_ASSERTION",
          "JWT for --grant jwt_bearer; '-' reads one line from stdin");
  env.add(app, "--assertion-key", settings.assertion_key, "OAUTHCTL_ASSERTION_KEY",
          "PEM private key to sign the jwt_bearer assertion with");
  env.add(app, "--assertion-claims", settings.assertion_claims, "OAUTHCTL_ASSERTION_CLAIMS",
          "JSON claims (or @FILE) for the signed assertion; iss, sub, aud, iat, exp, jti default");
}

util::Result<void> resolve_assertion_settings(const AssertionSettings& given, Io& io,
                                              oauth::ClientConfig& config,
                                              const std::map<std::string, std::string>& profile_values,
                                              bool auth_method_given) {
  // flag > env > profile: EnvBindings::apply has run, the profile fills what is still empty.
  AssertionSettings settings = given;
  const auto from_profile = [&](std::string& field, const std::string& key) {
    const auto it = profile_values.find(key);
    if (field.empty() && it != profile_values.end()) {
      field = it->second;
    }
  };
  from_profile(settings.private_key, "private_key");
  from_profile(settings.kid, "kid");
  from_profile(settings.alg, "alg");
  auto& options = config.assertion;
  options.kid = settings.kid;
  options.alg = settings.alg;
  if (!settings.alg.empty()) {
    const auto alg = oauth::parse_jws_alg(settings.alg);
    if (!alg || *alg == oauth::JwsAlg::rs512) {
      return util::fail(ErrorKind::usage,
                        fmt::format("invalid --alg {} (valid: RS256, RS384, ES256, ES384)", settings.alg));
    }
  }
  if (!settings.private_key.empty()) {
    auto pem = read_key(settings.private_key, settings.alg, "--private-key");
    if (!pem) {
      return tl::unexpected(pem.error());
    }
    options.private_key_pem = std::move(*pem);
    if (!auth_method_given) {
      config.auth_method = oauth::AuthMethod::private_key_jwt;
    }
  }
  if (!settings.assertion_key.empty()) {
    auto pem = read_key(settings.assertion_key, settings.alg, "--assertion-key");
    if (!pem) {
      return tl::unexpected(pem.error());
    }
    options.assertion_key_pem = std::move(*pem);
  }
  options.assertion_claims = settings.assertion_claims;
  if (!options.assertion_claims.empty() && options.assertion_claims.front() == '@') {
    auto text = read_text_file(options.assertion_claims.substr(1), "assertion claims file");
    if (!text) {
      return tl::unexpected(text.error());
    }
    options.assertion_claims = std::move(*text);
  }
  if (!options.assertion_claims.empty()) {
    const auto claims = nlohmann::json::parse(options.assertion_claims, nullptr, false);
    if (claims.is_discarded() || !claims.is_object()) {
      return util::fail(ErrorKind::usage, "--assertion-claims must be a JSON object (or @FILE holding one)");
    }
  }
  options.assertion = settings.assertion;
  if (options.assertion == "-") {
    // `--assertion -`: one line from stdin, so the JWT never shows in `ps`.
    auto line = read_stdin_line(io, "--assertion", "assertion");
    if (!line) {
      return tl::unexpected(line.error());
    }
    options.assertion = std::move(*line);
  }
  return {};
}

} // namespace oauthctl::cli
