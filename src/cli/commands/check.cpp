// SPDX-License-Identifier: MIT
// `oauthctl check`: runs the conformance checks of oauth/check.hpp against a server and
// reports them as a table, JSON and JUnit XML. Options and printing only; the checks, the
// headless login and the reports live in the library.
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/settings.hpp"

#include <oauthctl/oauth/check.hpp>
#include <oauthctl/oauth/check_context.hpp>
#include <oauthctl/oauth/grant_type.hpp>
#include <oauthctl/util/atomic_file.hpp>
#include <oauthctl/util/text.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

namespace check = oauth::check;

struct CheckOptions {
  ClientSettings client;
  std::string output = "table";
  std::vector<std::string> only, skip;
  std::string junit, baseline, explain, login, password_file, unauthorized_grant;
  bool list = false;
  EnvBindings env;
};

int explain(const std::string& id, Io& io) {
  const auto* info = check::find_check(id);
  if (info == nullptr) {
    return report_usage(io, fmt::format("unknown check \"{}\" (see oauthctl check --list)", id));
  }
  io.out << info->id << "  (" << info->group << ")\n"
         << "spec: " << info->spec << "\n\n"
         << info->explain << '\n'
         << std::flush;
  return k_exit_ok;
}

int list_checks(Io& io) {
  std::size_t width = 0;
  for (const auto& info : check::check_table()) {
    width = std::max(width, info.id.size());
  }
  for (const auto& info : check::check_table()) {
    io.out << fmt::format("{:<{}}  {}\n", info.id, width, info.spec);
  }
  io.out << std::flush;
  return k_exit_ok;
}

std::string status_cell(check::Status status, const Style& style) {
  const auto text = std::string(check::to_string(status));
  switch (status) {
    case check::Status::pass:
      return style.green(text);
    case check::Status::fail:
      return style.red(text);
    case check::Status::warn:
      return style.yellow(text);
    case check::Status::skip:
      return style.dim(text);
  }
  return text;
}

void print_table(const std::vector<check::Result>& results, const std::string& baseline_file, Io& io) {
  const auto style = Style::for_stdout(io);
  std::size_t width = 0;
  for (const auto& result : results) {
    width = std::max(width, result.info->id.size());
  }
  for (const auto& result : results) {
    auto reason = util::printable_line(result.reason, 160);
    if (result.known_failure) {
      reason = "(baseline) " + reason;
    }
    io.out << fmt::format("{:<{}}  {}  {:>6}  {}\n", result.info->id, width,
                          status_cell(result.status, style), fmt::format("{:.0f}ms", result.elapsed_ms),
                          reason);
  }
  const auto counts = check::tally(results);
  if (counts.known > 0) {
    io.out << fmt::format("{} known failure(s) listed in {}\n", counts.known, baseline_file);
  }
  for (const auto& result : results) {
    if (result.baseline_fixed) {
      io.out << fmt::format("{} passes now: remove it from {}\n", result.info->id, baseline_file);
    }
  }
  io.out << check::summary_line(counts) << '\n' << std::flush;
}

// The resource owner for --login: the password from --password-file, else as the password
// grant reads it (OAUTHCTL_PASSWORD, --password -, a terminal prompt).
util::Result<oauth::LoginCredentials> login_credentials(const CheckOptions& options,
                                                        const oauth::ClientConfig& config) {
  oauth::LoginCredentials login;
  login.username = options.login;
  if (login.username.empty()) {
    return login;
  }
  if (!options.password_file.empty()) {
    auto text = util::read_file(options.password_file);
    if (!text) {
      return tl::unexpected(text.error());
    }
    login.password = text->substr(0, text->find_first_of("\r\n"));
  } else {
    login.password = config.password.password;
  }
  if (login.password.empty() && config.password.prompt) {
    auto asked = config.password.prompt(login.username);
    if (!asked) {
      return tl::unexpected(asked.error());
    }
    login.password = std::move(*asked);
  }
  if (login.password.empty()) {
    return util::fail(
      util::ErrorKind::usage,
      fmt::format("--login {} needs a password: OAUTHCTL_PASSWORD, --password - or --password-file",
                  login.username));
  }
  return login;
}

// --unauthorized-grant as the grant_type value a token request carries: a CLI grant name
// (device_code) becomes its RFC value (the URN), any other absolute URI is taken as it is.
util::Result<std::string> unauthorized_grant_type(const std::string& value) {
  if (value.empty()) {
    return std::string{};
  }
  if (const auto grant = oauth::parse_grant_type(value)) {
    const auto parameter = oauth::grant_type_parameter(*grant);
    if (parameter.empty()) {
      return util::fail(util::ErrorKind::usage, "--unauthorized-grant implicit: the implicit grant makes no "
                                                "token request; name a grant_type the token endpoint takes");
    }
    return std::string(parameter);
  }
  if (value.find(':') == std::string::npos) {
    return util::fail(
      util::ErrorKind::usage,
      fmt::format("--unauthorized-grant {}: not a grant (client_credentials, authorization_code, "
                  "password, refresh_token, token_exchange, device_code, jwt_bearer, or an "
                  "extension grant's URI)",
                  value));
  }
  return value;
}

int run_check(CheckOptions& options, Io& io) {
  options.env.apply(io);
  if (!options.explain.empty()) {
    return explain(options.explain, io);
  }
  if (options.list) {
    return list_checks(io);
  }
  if (options.output != "table" && options.output != "json") {
    return report_usage(io, fmt::format("invalid -o {} (valid: table, json)", options.output));
  }
  const check::Selection selection{options.only, options.skip};
  if (const auto unknown = check::unknown_names(selection); !unknown.empty()) {
    return report_usage(
      io, fmt::format("no check or group named {} (see oauthctl check --list)", fmt::join(unknown, ", ")));
  }
  check::Baseline baseline;
  if (!options.baseline.empty()) {
    const auto text = util::read_file(options.baseline);
    if (!text) {
      return report(io, text.error());
    }
    baseline = check::parse_baseline(*text);
    for (const auto& id : baseline) {
      if (check::find_check(id) == nullptr) {
        return report_usage(io, fmt::format("{}: no check named \"{}\"", options.baseline, id));
      }
    }
  }
  const bool credentials = !options.client.client_id.empty() || !options.client.profile.empty();
  const auto resolved =
    resolve_client(options.client, io, credentials ? NeedCredentials::yes : NeedCredentials::no);
  if (!resolved) {
    return report(io, resolved.error());
  }
  if (resolved->config.server.empty()) {
    return report_usage(io, "missing --server (or OAUTHCTL_SERVER, or a profile)");
  }
  auto login = login_credentials(options, resolved->config);
  if (!login) {
    return report(io, login.error());
  }
  auto unauthorized_grant = unauthorized_grant_type(options.unauthorized_grant);
  if (!unauthorized_grant) {
    return report(io, unauthorized_grant.error());
  }
  const auto transport = http::make_curl_client(resolved->http, nullptr);
  check::Context context(
    *transport, check::Settings{resolved->config, std::move(*login), std::move(*unauthorized_grant)});
  if (auto reached = context.discover(); !reached) {
    return report(io, reached.error());
  }
  const auto results = check::run_checks(context, selection, baseline);
  if (!options.junit.empty()) {
    if (auto written =
          util::write_file_atomic(options.junit, check::junit_xml(results, resolved->config.server), 0644);
        !written) {
      return report(io, written.error());
    }
  }
  if (options.output == "json") {
    io.out << check::results_json(results, resolved->config.server).dump(2) << '\n' << std::flush;
  } else {
    print_table(results, options.baseline, io);
  }
  return check::tally(results).failed > 0 ? k_exit_check_failed : k_exit_ok;
}

} // namespace

Runner setup_check(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  add_client_options(app, options->client, options->env);
  app.add_option("--only", options->only, "run only these checks or groups (repeatable)")->take_all();
  app.add_option("--skip", options->skip, "leave out these checks or groups (repeatable)")->take_all();
  app.add_option("--junit", options->junit, "also write a JUnit XML report to FILE");
  app.add_option("-o,--output", options->output, "table (default) or json");
  app.add_option("--baseline", options->baseline,
                 "FILE of known failures (one check id a line) that do not fail the run");
  app.add_option("--explain", options->explain, "print what check ID sends, expects and why, then exit");
  app.add_flag("--list", options->list, "list every check id with its spec section, then exit");
  options->env.add(app, "--login", options->login, "OAUTHCTL_LOGIN",
                   "sign in as USER headlessly (login and consent forms) for the browser flows");
  app.add_option("--password-file", options->password_file, "read --login's password from FILE");
  app.add_option(
    "--unauthorized-grant", options->unauthorized_grant,
    "a GRANT this client is not registered for (token.unauthorized-grant expects unauthorized_client)");
  return [options](Io& io) { return run_check(*options, io); };
}

} // namespace oauthctl::cli
