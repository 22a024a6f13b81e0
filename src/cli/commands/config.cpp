// SPDX-License-Identifier: MIT
// `oauthctl config list|get|set|unset|delete-profile|path|profiles`: read and edit the client config file.
#include "cli/commands/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "cli/parse_errors.hpp"
#include "cli/profile.hpp"
#include "cli/profile_validation.hpp"

#include <oauthctl/util/atomic_file.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <ostream>

namespace oauthctl::cli {

namespace {

enum class ConfigAction { list, get, set, unset, delete_profile, path, profiles };

struct ConfigOptions {
  ClientSettings settings; // only profile and config_file are bound
  EnvBindings env;
  ConfigAction action = ConfigAction::list;
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

// "unknown key K", with the nearest key when K looks like a typo of one, else the list.
std::string unknown_key(const std::string& key) {
  std::vector<std::string> names;
  for (const auto& k : profile_keys()) {
    names.emplace_back(k.name);
  }
  const auto guess = nearest(key, names);
  return guess.empty() ? fmt::format("unknown key {} (valid: {})", key, key_names())
                       : fmt::format("unknown key {}; did you mean `{}`?", key, guess);
}

std::string selected_profile(const ConfigOptions& options) {
  return options.settings.profile.empty() ? std::string("default") : options.settings.profile;
}

// The config file's text, checked to parse: we refuse to edit what we cannot read
// correctly, we would only make it worse. "" when it does not exist yet.
util::Result<std::string> current_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return std::string();
  }
  auto current = util::read_file(path);
  if (!current) {
    return tl::unexpected(current.error());
  }
  if (auto parsed = parse_config(*current, path); !parsed) {
    return tl::unexpected(parsed.error());
  }
  return current;
}

int write_checked(const std::string& path, const std::string& updated, Io& io) {
  if (auto parsed = parse_config(updated, path); !parsed) {
    return report(io, parsed.error()); // e.g. a bad profile name
  }
  if (auto written = util::write_file_atomic(path, updated, 0600); !written) {
    return report(io, written.error());
  }
  return k_exit_ok;
}

// `config unset KEY`: the key's line removed from the selected profile.
int run_unset(ConfigOptions& options, const std::string& path, Io& io) {
  if (!valid_key(options.key)) {
    return report_usage(io, unknown_key(options.key));
  }
  const auto text = current_text(path);
  if (!text) {
    return report(io, text.error());
  }
  const auto profile = selected_profile(options);
  const auto updated = unset_config_value(*text, profile, options.key);
  if (!updated) {
    return report(
      io,
      util::Error{
        util::ErrorKind::config, fmt::format("profile {} does not set {}", profile, options.key), {}, {}, 0});
  }
  return write_checked(path, *updated, io);
}

// `config delete-profile NAME`: the whole table removed.
int run_delete_profile(ConfigOptions& options, const std::string& path, Io& io) {
  const auto text = current_text(path);
  if (!text) {
    return report(io, text.error());
  }
  const auto updated = delete_config_profile(*text, options.value);
  if (!updated) {
    return report(
      io, util::Error{
            util::ErrorKind::config, fmt::format("no profile {} in {}", options.value, path), {}, {}, 0});
  }
  return write_checked(path, *updated, io);
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
    return report_usage(io, unknown_key(options.key));
  }
  const auto profile = selected_profile(options);
  // The flag's rules, now: a value that would fail every later command is refused here.
  if (auto valid = validate_profile_value(options.key, options.value); !valid) {
    auto error = valid.error();
    error.message = fmt::format("profile {}: {}", profile, error.message);
    return report(io, error);
  }
  const auto text = current_text(path);
  if (!text) {
    return report(io, text.error());
  }
  if (text->empty()) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      if (auto made = util::ensure_private_directory(parent.string(), 0700); !made) {
        return report(io, made.error());
      }
    }
  }
  return write_checked(path, set_config_value(*text, profile, options.key, options.value), io);
}

int run_config(ConfigOptions& options, Io& io) {
  options.env.apply(io);
  const auto path = config_path(io, options.settings.config_file);
  if (path.empty()) {
    return report_usage(io, "no config file location: set HOME, XDG_CONFIG_HOME or --config-file");
  }
  if (options.action == ConfigAction::path) {
    io.out << path << '\n' << std::flush;
    return k_exit_ok;
  }
  if (options.action == ConfigAction::set) {
    return run_set(options, path, io);
  }
  if (options.action == ConfigAction::unset) {
    return run_unset(options, path, io);
  }
  if (options.action == ConfigAction::delete_profile) {
    return run_delete_profile(options, path, io);
  }
  const auto config =
    load_config(path, options.settings.config_file.empty() ? ConfigRequired::no : ConfigRequired::yes);
  if (!config) {
    return report(io, config.error());
  }
  if (options.action == ConfigAction::profiles) {
    for (const auto& profile : config->profiles) {
      io.out << profile.name << '\n';
    }
    io.out << std::flush;
    return k_exit_ok;
  }
  const bool named = !options.settings.profile.empty();
  const auto name = named ? options.settings.profile : std::string("default");
  const auto* profile = config->find(name);
  if (options.action == ConfigAction::list && !named) {
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
  if (options.action == ConfigAction::list) {
    print_profile(io.out, *profile);
    io.out << std::flush;
    return k_exit_ok;
  }
  if (!valid_key(options.key)) {
    return report_usage(io, unknown_key(options.key));
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
  const auto add = [&](const char* name, const char* description, ConfigAction action) {
    auto* sub = app.add_subcommand(name, description);
    // --profile and --config-file may follow the action too: `config get server --profile x`.
    sub->fallthrough();
    sub->parse_complete_callback([options, action] { options->action = action; });
    return sub;
  };
  add("list", "print the selected profile (without --profile: every profile)", ConfigAction::list);
  add("get", "print one key of the selected profile", ConfigAction::get)
    ->add_option("key", options->key, "the key")
    ->required();
  auto* set =
    add("set", "set a key of the selected profile (default: default), keeping the rest", ConfigAction::set);
  set->add_option("key", options->key, "the key")->required();
  set->add_option("value", options->value, "the value")->required();
  add("unset", "remove a key from the selected profile (default: default)", ConfigAction::unset)
    ->add_option("key", options->key, "the key")
    ->required();
  add("delete-profile", "remove a profile and all its keys", ConfigAction::delete_profile)
    ->add_option("name", options->value, "the profile")
    ->required();
  add("path", "print the config file's path", ConfigAction::path);
  add("profiles", "print the profile names, one per line", ConfigAction::profiles);
  return [options](Io& io) { return run_config(*options, io); };
}

} // namespace oauthctl::cli
