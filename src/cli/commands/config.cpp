// SPDX-License-Identifier: MIT
// `oauthctl config list|get|set|path|profiles`: read and edit the client config file.
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/profile.hpp"

#include <oauthctl/util/atomic_file.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

enum class Action { list, get, set, path, profiles };

struct ConfigOptions {
  ClientSettings settings; // only profile and config_file are bound
  EnvBindings env;
  Action action = Action::list;
  std::string key;
  std::string value;
};

bool valid_key(const std::string& key) {
  for (const auto& k : profile_keys()) {
    if (k.name == key) {
      return true;
    }
  }
  return false;
}

std::string key_names() {
  std::string out;
  for (const auto& k : profile_keys()) {
    out += out.empty() ? "" : ", ";
    out += k.name;
  }
  return out;
}

void print_profile(std::ostream& out, const Profile& profile) {
  out << fmt::format("[profile.{}]\n", profile.name);
  for (const auto& [key, value] : profile.values) {
    out << fmt::format("{} = {}\n", key, toml_quote(value));
  }
}

int run_set(ConfigOptions& options, const std::string& path, Io& io) {
  if (options.key == "client_secret") {
    return report_usage(io, "config set client_secret: secrets are not stored in the config file; set "
                            "client_secret_env, client_secret_file or client_secret_command instead");
  }
  if (!valid_key(options.key)) {
    return report_usage(io, fmt::format("unknown key {} (valid: {})", options.key, key_names()));
  }
  std::string text;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto current = util::read_file(path);
    if (!current) {
      return report(io, current.error());
    }
    // Refuse to edit a file we cannot read correctly: we would only make it worse.
    if (auto parsed = parse_config(*current, path); !parsed) {
      return report(io, parsed.error());
    }
    text = std::move(*current);
  } else {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      if (auto made = util::ensure_private_directory(parent.string(), 0700); !made) {
        return report(io, made.error());
      }
    }
  }
  const auto profile = options.settings.profile.empty() ? std::string("default") : options.settings.profile;
  const auto updated = set_config_value(text, profile, options.key, options.value);
  if (auto parsed = parse_config(updated, path); !parsed) {
    return report(io, parsed.error()); // e.g. a bad profile name
  }
  if (auto written = util::write_file_atomic(path, updated, 0600); !written) {
    return report(io, written.error());
  }
  return k_exit_ok;
}

int run_config(ConfigOptions& options, Io& io) {
  options.env.apply(io);
  const auto path = config_path(io, options.settings.config_file);
  if (path.empty()) {
    return report_usage(io, "no config file location: set HOME, XDG_CONFIG_HOME or --config-file");
  }
  if (options.action == Action::path) {
    io.out << path << '\n' << std::flush;
    return k_exit_ok;
  }
  if (options.action == Action::set) {
    return run_set(options, path, io);
  }
  const auto config =
    load_config(path, options.settings.config_file.empty() ? ConfigRequired::no : ConfigRequired::yes);
  if (!config) {
    return report(io, config.error());
  }
  if (options.action == Action::profiles) {
    for (const auto& profile : config->profiles) {
      io.out << profile.name << '\n';
    }
    io.out << std::flush;
    return k_exit_ok;
  }
  const bool named = !options.settings.profile.empty();
  const auto name = named ? options.settings.profile : std::string("default");
  const auto* profile = config->find(name);
  if (options.action == Action::list && !named) {
    // Without --profile, list shows every profile: the whole picture.
    for (std::size_t i = 0; i < config->profiles.size(); ++i) {
      io.out << (i == 0 ? "" : "\n");
      print_profile(io.out, config->profiles[i]);
    }
    io.out << std::flush;
    return k_exit_ok;
  }
  if (profile == nullptr) {
    return report(
      io, util::Error{util::ErrorKind::config, fmt::format("no profile {} in {}", name, path), {}, {}, 0});
  }
  if (options.action == Action::list) {
    print_profile(io.out, *profile);
    io.out << std::flush;
    return k_exit_ok;
  }
  if (!valid_key(options.key)) {
    return report_usage(io, fmt::format("unknown key {} (valid: {})", options.key, key_names()));
  }
  const auto it = profile->values.find(options.key);
  if (it == profile->values.end()) {
    // Like `git config`: a key that is not set is not a crash, but scripts must see it.
    return report(io, util::Error{util::ErrorKind::config,
                                  fmt::format("profile {} does not set {}", profile->name, options.key),
                                  {},
                                  {},
                                  0});
  }
  io.out << it->second << '\n' << std::flush;
  return k_exit_ok;
}

} // namespace

Runner setup_config(CLI::App& app) {
  auto options = std::make_shared<ConfigOptions>();
  add_profile_options(app, options->settings, options->env);
  app.require_subcommand(1);
  const auto add = [&](const char* name, const char* description, Action action) {
    auto* sub = app.add_subcommand(name, description);
    // --profile and --config-file may follow the action too: `config get server --profile x`.
    sub->fallthrough();
    sub->parse_complete_callback([options, action] { options->action = action; });
    return sub;
  };
  add("list", "print the selected profile (without --profile: every profile)", Action::list);
  add("get", "print one key of the selected profile", Action::get)
    ->add_option("key", options->key, "the key")
    ->required();
  auto* set =
    add("set", "set a key of the selected profile (default: default), keeping the rest", Action::set);
  set->add_option("key", options->key, "the key")->required();
  set->add_option("value", options->value, "the value")->required();
  add("path", "print the config file's path", Action::path);
  add("profiles", "print the profile names, one per line", Action::profiles);
  return [options](Io& io) { return run_config(*options, io); };
}

} // namespace oauthctl::cli
