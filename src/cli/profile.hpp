// SPDX-License-Identifier: MIT
#pragma once

#include "cli/run.hpp"
#include "cli/settings.hpp"

#include <oauthctl/util/error.hpp>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::cli {

// One `[profile.NAME]` table of the config file: its keys (values as written) and the
// line each key is on, for error messages.
struct Profile {
  std::string name;
  std::string directory; // of the config file: relative paths in the profile start here
  std::map<std::string, std::string> values;
  std::map<std::string, int> lines;

  // The value of `key`, or "" when the profile does not set it.
  [[nodiscard]] std::string get(const std::string& key) const;
};

// A parsed config file: the profiles in file order.
struct ConfigFile {
  std::string path;
  std::vector<Profile> profiles;

  // The profile named `name`, or null.
  [[nodiscard]] const Profile* find(std::string_view name) const;
};

// Binds `--profile NAME` (OAUTHCTL_PROFILE) and `--config-file FILE` (OAUTHCTL_CONFIG) to
// `settings`. (`serve --config` names the server's seed file, hence --config-file.)
void add_profile_options(CLI::App& app, ClientSettings& settings, EnvBindings& env);

// Binds `--no-profile` (OAUTHCTL_NO_PROFILE): no profile applies, not even default. Only
// client commands have it (`config` edits profiles).
void add_no_profile_option(CLI::App& app, ClientSettings& settings, EnvBindings& env);

// One key a profile may hold, with a line of help (for `config list`, errors and the man page).
struct ProfileKey {
  std::string_view name;
  std::string_view description;
};

// Every key a profile may hold.
std::span<const ProfileKey> profile_keys();

// Parses `text` (read from `path`) as oauthctl's config: a strict TOML subset of
// comments, `[profile.NAME]` tables and `key = "string"` lines. `config` error of the
// form `path:line: what is wrong` for bad syntax, unknown keys, duplicate keys or
// tables, and an inline `client_secret` (secrets are only referenced).
[[nodiscard]] util::Result<ConfigFile> parse_config(std::string_view text, const std::string& path);

// The config file path: `override_path` (--config-file / OAUTHCTL_CONFIG) when set,
// else $XDG_CONFIG_HOME/oauthctl/config.toml, else ~/.config/oauthctl/config.toml; ""
// when neither variable is set (no config file then).
std::string config_path(const Io& io, const std::string& override_path);

// Whether a missing config file is an error (it was named explicitly) or means "no profiles".
enum class ConfigRequired { yes, no };

// Reads and parses the config file at `path`: an empty ConfigFile when it does not exist
// and `required` is no; `io` error when it exists but cannot be read or is missing and
// required; parse errors as parse_config.
[[nodiscard]] util::Result<ConfigFile> load_config(const std::string& path, ConfigRequired required);

// The profile `settings` select (`--profile` / OAUTHCTL_PROFILE, else `default`) from the
// config file they select; nullopt when no profile is named and there is no `default`.
// `config` error when a named profile or explicitly named file does not exist.
[[nodiscard]] util::Result<std::optional<Profile>> select_profile(const ClientSettings& settings,
                                                                  const Io& io);

// Fills every option of `settings` that neither a flag nor the environment set from
// `profile`, which gives flag > env > profile > default.
void apply_profile(const Profile& profile, ClientSettings& settings);

// The client secret `profile` references: the named environment variable
// (`client_secret_env`), the file (`client_secret_file`) or the trimmed stdout of a
// command run without a shell (`client_secret_command`); "" when it references none.
// `config` error when the reference is broken (unset variable, unreadable file,
// command failing or printing nothing) or when more than one is given.
[[nodiscard]] util::Result<std::string> resolve_profile_secret(const Profile& profile, const Io& io);

// Splits a `client_secret_command` into argv: whitespace separates words, single and
// double quotes group them (no expansions: there is no shell). `config` error on an
// unterminated quote or an empty command.
[[nodiscard]] util::Result<std::vector<std::string>> split_command(std::string_view command);

// `text` with `key = "value"` set in `[profile.NAME]` (the key's line replaced, or added
// at the end of the table, or a new table appended); everything else is kept as is.
std::string set_config_value(std::string_view text, const std::string& profile, const std::string& key,
                             const std::string& value);

// `text` without the line that sets `key` in `[profile.NAME]`; nullopt when the profile
// does not set it.
std::optional<std::string> unset_config_value(std::string_view text, const std::string& profile,
                                              const std::string& key);

// `text` without the table `[profile.NAME]`, its keys and the comment lines right above
// it (those above the next table stay); nullopt when there is no such table.
std::optional<std::string> delete_config_profile(std::string_view text, const std::string& profile);

// `value` as a TOML basic string, quotes included.
std::string toml_quote(std::string_view value);

} // namespace oauthctl::cli
