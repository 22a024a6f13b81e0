// SPDX-License-Identifier: MIT
#include "cli/profile.hpp"

#include "cli/xdg_directory.hpp"

#include <oauthctl/util/atomic_file.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

extern char** environ; // POSIX: the secret command inherits our environment

namespace oauthctl::cli {

namespace {

using util::ErrorKind;

// Each key with the ClientSettings field it fills; null for keys that only some
// commands read through ResolvedClient::profile_values (grant_settings.cpp).
struct KeyBinding {
  ProfileKey key;
  std::string ClientSettings::*field;
};

constexpr std::array<KeyBinding, 26> k_keys{{
  {{"server", "server base URL (Aidbox base)"}, &ClientSettings::server},
  {{"token_url", "token endpoint, instead of discovery"}, &ClientSettings::token_url},
  {{"fhir_url", "FHIR base URL"}, &ClientSettings::fhir_url},
  {{"issuer", "the issuer discovery must find (default: the server URL)"}, &ClientSettings::issuer},
  {{"client_id", "client id"}, &ClientSettings::client_id},
  {{"auth_method", "client_secret_basic, client_secret_post, private_key_jwt or none"},
   &ClientSettings::auth_method},
  {{"scope", "space-separated scopes"}, &ClientSettings::scope},
  {{"audience", "audience to request"}, &ClientSettings::audience},
  {{"resource", "resource indicator (RFC 8707)"}, &ClientSettings::resource},
  {{"redirect_uri", "redirect URI for browser grants"}, nullptr},
  {{"private_key", "path of the PEM key for private_key_jwt"}, nullptr},
  {{"kid", "key id for private_key_jwt and signed assertions"}, nullptr},
  {{"alg", "signing algorithm: RS256, RS384, ES256 or ES384"}, nullptr},
  {{"authorize_url", "authorization endpoint, instead of discovery"}, nullptr},
  {{"browser", "command that opens the authorization URL, or none"}, nullptr},
  {{"pkce", "PKCE method: S256, plain or none"}, nullptr},
  {{"login_hint", "login_hint for the login page"}, nullptr},
  {{"redirect_timeout", "seconds to wait for the browser"}, nullptr},
  {{"cacert", "PEM file of CA certificates to trust"}, &ClientSettings::cacert},
  {{"client_cert", "PEM client certificate for mutual TLS"}, &ClientSettings::client_cert},
  {{"client_key", "PEM private key of client_cert"}, &ClientSettings::client_key},
  {{"timeout", "per-request timeout in seconds"}, &ClientSettings::timeout},
  {{"client_secret_env", "name of the environment variable holding the secret"}, nullptr},
  {{"client_secret_file", "path of a file holding the secret"}, nullptr},
  {{"client_secret_command", "command whose standard output is the secret"}, nullptr},
  {{"description", "free text, for `config list`"}, nullptr},
}};

constexpr std::string_view k_inline_secret =
  "inline client_secret is not allowed (config files get copied and shared); reference it with "
  "client_secret_env, client_secret_file or client_secret_command";

std::string valid_keys() {
  std::string out;
  for (const auto& binding : k_keys) {
    out += out.empty() ? "" : ", ";
    out += binding.key.name;
  }
  return out;
}

bool known_key(std::string_view key) {
  return std::any_of(k_keys.begin(), k_keys.end(), [&](const KeyBinding& b) { return b.key.name == key; });
}

bool bare_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Reads one TOML string starting at `text[pos]` (a quote), leaves `pos` after it.
tl::expected<std::string, std::string> read_string(std::string_view text, std::size_t& pos) {
  const char quote = text[pos++];
  std::string out;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (c == quote) {
      return out;
    }
    if (quote == '"' && c == '\\') {
      if (pos >= text.size()) {
        break;
      }
      const char e = text[pos++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'u':
        case 'U': {
          const std::size_t digits = e == 'u' ? 4 : 8;
          if (pos + digits > text.size()) {
            return tl::unexpected(std::string("truncated \\u escape"));
          }
          unsigned code = 0;
          for (std::size_t i = 0; i < digits; ++i) {
            const char h = text[pos++];
            const int v = (h >= '0' && h <= '9')   ? h - '0'
                          : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                          : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                   : -1;
            if (v < 0) {
              return tl::unexpected(std::string("bad hex digit in \\u escape"));
            }
            code = code * 16 + static_cast<unsigned>(v);
          }
          if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return tl::unexpected(std::string("\\u escape is not a Unicode scalar value"));
          }
          append_utf8(out, code);
          break;
        }
        default:
          return tl::unexpected(fmt::format("unknown escape \\{}", e));
      }
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      return tl::unexpected(std::string("control character in string"));
    }
    out += c;
  }
  return tl::unexpected(std::string("unterminated string"));
}

// After a value or header: only whitespace and a comment may follow.
bool rest_is_empty(std::string_view text, std::size_t pos) {
  const auto rest = trim(text.substr(pos));
  return rest.empty() || rest.front() == '#';
}

// Parses a table header `[profile.NAME]`; returns the NAME.
tl::expected<std::string, std::string> parse_header(std::string_view line) {
  const auto close = line.find(']');
  if (close == std::string_view::npos) {
    return tl::unexpected(std::string("table header without ']'"));
  }
  if (!rest_is_empty(line, close + 1)) {
    return tl::unexpected(std::string("unexpected text after the table header"));
  }
  const auto inner = trim(line.substr(1, close - 1));
  if (inner.substr(0, 8) != "profile.") {
    return tl::unexpected(fmt::format("unknown table [{}]: profiles are [profile.NAME]", inner));
  }
  std::string_view name = trim(inner.substr(8));
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '\'') && name.back() == name.front()) {
    name = name.substr(1, name.size() - 2);
  }
  if (name.empty() || !std::all_of(name.begin(), name.end(), bare_char)) {
    return tl::unexpected(fmt::format("bad profile name \"{}\": use letters, digits, '-' and '_'", name));
  }
  return std::string(name);
}

std::string home_expanded(const std::string& path, const Io& io) {
  if (path.size() >= 2 && path[0] == '~' && path[1] == '/') {
    return io.getenv("HOME") + path.substr(1);
  }
  return path;
}

std::string profile_path(const Profile& profile, const std::string& path, const Io& io) {
  const auto expanded = home_expanded(path, io);
  if (expanded.empty() || expanded.front() == '/' || profile.directory.empty()) {
    return expanded;
  }
  return (std::filesystem::path(profile.directory) / expanded).string();
}

util::Result<std::string> run_secret_command(const Profile& profile, const std::string& command) {
  auto argv = split_command(command);
  if (!argv) {
    return tl::unexpected(argv.error());
  }
  std::vector<char*> c_argv;
  for (auto& word : *argv) {
    c_argv.push_back(word.data());
  }
  c_argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return util::fail(ErrorKind::io,
                      fmt::format("cannot run client_secret_command: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // stdout into our pipe, stdin from /dev/null (the command must not eat our stdin);
  // stderr stays ours so its complaints reach the user.
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return util::fail(ErrorKind::config, fmt::format("profile {}: client_secret_command: cannot run {}: {}",
                                                     profile.name, (*argv)[0], std::strerror(spawned)));
  }
  std::string output;
  char buffer[4096];
  for (;;) {
    const auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return util::fail(ErrorKind::config,
                      fmt::format("profile {}: client_secret_command {} failed ({})", profile.name,
                                  (*argv)[0],
                                  WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                                                    : std::string("killed by a signal")));
  }
  auto secret = std::string(trim(output));
  if (secret.empty()) {
    return util::fail(ErrorKind::config, fmt::format("profile {}: client_secret_command {} printed nothing",
                                                     profile.name, (*argv)[0]));
  }
  return secret;
}

} // namespace

void add_profile_options(CLI::App& app, ClientSettings& settings, EnvBindings& env) {
  env.add(app, "--profile", settings.profile, "OAUTHCTL_PROFILE",
          "profile of the config file to use (default: the profile named default)");
  env.add(app, "--config-file", settings.config_file, "OAUTHCTL_CONFIG",
          "client config file (default: $XDG_CONFIG_HOME/oauthctl/config.toml)");
}

void add_no_profile_option(CLI::App& app, ClientSettings& settings, EnvBindings& env) {
  env.add_flag(app, "--no-profile", settings.no_profile, "OAUTHCTL_NO_PROFILE",
               "use no profile of the config file, not even default");
}

std::string Profile::get(const std::string& key) const {
  const auto it = values.find(key);
  return it == values.end() ? std::string() : it->second;
}

const Profile* ConfigFile::find(std::string_view name) const {
  const auto it =
    std::find_if(profiles.begin(), profiles.end(), [&](const Profile& p) { return p.name == name; });
  return it == profiles.end() ? nullptr : &*it;
}

std::span<const ProfileKey> profile_keys() {
  static const auto keys = [] {
    std::array<ProfileKey, k_keys.size()> out{};
    std::transform(k_keys.begin(), k_keys.end(), out.begin(), [](const KeyBinding& b) { return b.key; });
    return out;
  }();
  return keys;
}

util::Result<ConfigFile> parse_config(std::string_view text, const std::string& path) {
  ConfigFile config;
  config.path = path;
  const auto directory = std::filesystem::path(path).parent_path().string();
  Profile* current = nullptr;
  int line_number = 0;
  std::size_t start = 0;
  const auto error = [&](const std::string& what) {
    return util::fail(ErrorKind::config, fmt::format("{}:{}: {}", path, line_number, what));
  };
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const auto raw = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#') {
      if (end == text.size()) {
        break;
      }
      continue;
    }
    if (line.front() == '[') {
      if (line.size() > 1 && line[1] == '[') {
        return error("arrays of tables ([[...]]) are not used in oauthctl's config");
      }
      auto name = parse_header(line);
      if (!name) {
        return error(name.error());
      }
      if (config.find(*name) != nullptr) {
        return error(fmt::format("profile {} is defined twice", *name));
      }
      config.profiles.push_back(Profile{*name, directory, {}, {}});
      current = &config.profiles.back();
      continue;
    }
    std::size_t pos = 0;
    while (pos < line.size() && bare_char(line[pos])) {
      ++pos;
    }
    const std::string key(line.substr(0, pos));
    if (key.empty()) {
      return error(fmt::format("expected `key = \"value\"` or [profile.NAME], got \"{}\"", line));
    }
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
      ++pos;
    }
    if (pos >= line.size() || line[pos] != '=') {
      return error(fmt::format("expected '=' after key {}", key));
    }
    ++pos;
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
      ++pos;
    }
    std::string value;
    if (pos < line.size() && (line[pos] == '"' || line[pos] == '\'')) {
      if (line.substr(pos, 3) == "\"\"\"" || line.substr(pos, 3) == "'''") {
        return error("multi-line strings are not supported");
      }
      auto parsed = read_string(line, pos);
      if (!parsed) {
        return error(parsed.error());
      }
      value = std::move(*parsed);
    } else {
      // Bare numbers and booleans (timeout = 10) are kept as their text.
      const auto begin = pos;
      while (pos < line.size() && (bare_char(line[pos]) || line[pos] == '.' || line[pos] == '+')) {
        ++pos;
      }
      value = std::string(line.substr(begin, pos - begin));
      const bool number = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-' || c == 'e' || c == 'E';
      });
      if (!number && value != "true" && value != "false") {
        return error(fmt::format("value of {} must be a quoted string", key));
      }
    }
    if (!rest_is_empty(line, pos)) {
      return error(fmt::format("unexpected text after the value of {}", key));
    }
    if (key == "client_secret") {
      return error(std::string(k_inline_secret));
    }
    if (current == nullptr) {
      return error(fmt::format("key {} outside a [profile.NAME] table", key));
    }
    if (!known_key(key)) {
      return error(
        fmt::format("unknown key {} in [profile.{}] (valid: {})", key, current->name, valid_keys()));
    }
    if (current->values.count(key) != 0) {
      return error(fmt::format("key {} is set twice in [profile.{}]", key, current->name));
    }
    current->values.emplace(key, std::move(value));
    current->lines.emplace(key, line_number);
    if (end == text.size()) {
      break;
    }
  }
  return config;
}

std::string config_path(const Io& io, const std::string& override_path) {
  if (!override_path.empty()) {
    return override_path;
  }
  const auto base = xdg_directory(io, "XDG_CONFIG_HOME", ".config");
  return base.empty() ? std::string() : base + "/oauthctl/config.toml";
}

util::Result<ConfigFile> load_config(const std::string& path, ConfigRequired required) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) {
    if (required == ConfigRequired::yes) {
      return util::fail(ErrorKind::config, fmt::format("config file {} does not exist", path));
    }
    ConfigFile empty;
    empty.path = path;
    return empty;
  }
  auto text = util::read_file(path);
  if (!text) {
    return tl::unexpected(text.error());
  }
  return parse_config(*text, path);
}

util::Result<std::optional<Profile>> select_profile(const ClientSettings& settings, const Io& io) {
  const auto path = config_path(io, settings.config_file);
  const bool named = !settings.profile.empty();
  auto config = load_config(path, settings.config_file.empty() ? ConfigRequired::no : ConfigRequired::yes);
  if (!config) {
    return tl::unexpected(config.error());
  }
  const std::string name = named ? settings.profile : "default";
  const auto* profile = config->find(name);
  if (profile == nullptr) {
    if (!named) {
      return std::optional<Profile>();
    }
    std::string names;
    for (const auto& p : config->profiles) {
      names += names.empty() ? "" : ", ";
      names += p.name;
    }
    return util::fail(ErrorKind::config, fmt::format("no profile {} in {} ({})", name, path,
                                                     names.empty() ? "it has none" : "profiles: " + names));
  }
  return std::optional<Profile>(*profile);
}

void apply_profile(const Profile& profile, ClientSettings& settings) {
  for (const auto& binding : k_keys) {
    if (binding.field == nullptr) {
      continue;
    }
    auto& target = settings.*binding.field;
    const auto it = profile.values.find(std::string(binding.key.name));
    if (target.empty() && it != profile.values.end()) {
      target = it->second;
    }
  }
}

util::Result<std::string> resolve_profile_secret(const Profile& profile, const Io& io) {
  const auto env = profile.get("client_secret_env");
  const auto file = profile.get("client_secret_file");
  const auto command = profile.get("client_secret_command");
  if (static_cast<int>(!env.empty()) + static_cast<int>(!file.empty()) + static_cast<int>(!command.empty()) >
      1) {
    return util::fail(ErrorKind::config, fmt::format("profile {}: give only one of client_secret_env, "
                                                     "client_secret_file and client_secret_command",
                                                     profile.name));
  }
  if (!env.empty()) {
    auto value = io.getenv(env);
    if (value.empty()) {
      return util::fail(
        ErrorKind::config,
        fmt::format("profile {}: client_secret_env names {}, which is not set", profile.name, env));
    }
    return value;
  }
  if (!file.empty()) {
    const auto path = profile_path(profile, file, io);
    auto text = util::read_file(path);
    if (!text) {
      return util::fail(ErrorKind::config,
                        fmt::format("profile {}: cannot read client_secret_file {}", profile.name, path));
    }
    auto secret = std::string(trim(*text));
    if (secret.empty()) {
      return util::fail(ErrorKind::config,
                        fmt::format("profile {}: client_secret_file {} is empty", profile.name, path));
    }
    return secret;
  }
  if (!command.empty()) {
    return run_secret_command(profile, command);
  }
  return std::string();
}

util::Result<std::vector<std::string>> split_command(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (const char c : command) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    return util::fail(ErrorKind::config, "client_secret_command has an unterminated quote");
  }
  if (in_word) {
    words.push_back(std::move(word));
  }
  if (words.empty()) {
    return util::fail(ErrorKind::config, "client_secret_command is empty");
  }
  return words;
}

std::string toml_quote(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string set_config_value(std::string_view text, const std::string& profile, const std::string& key,
                             const std::string& value) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  const auto assignment = fmt::format("{} = {}", key, toml_quote(value));
  bool in_table = false;
  std::optional<std::size_t> last_in_table;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto line = trim(lines[i]);
    if (!line.empty() && line.front() == '[') {
      const auto name = parse_header(line);
      in_table = name && *name == profile;
      if (in_table) {
        last_in_table = i;
      }
      continue;
    }
    if (!in_table || line.empty() || line.front() == '#') {
      continue;
    }
    last_in_table = i;
    std::size_t pos = 0;
    while (pos < line.size() && bare_char(line[pos])) {
      ++pos;
    }
    if (line.substr(0, pos) == key) {
      lines[i] = assignment;
      last_in_table.reset();
      in_table = false;
      std::string out;
      for (const auto& l : lines) {
        out += l + "\n";
      }
      return out;
    }
  }
  if (last_in_table) {
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(*last_in_table) + 1, assignment);
  } else {
    if (!lines.empty() && !trim(lines.back()).empty()) {
      lines.emplace_back();
    }
    lines.push_back(fmt::format("[profile.{}]", profile));
    lines.push_back(assignment);
  }
  std::string out;
  for (const auto& l : lines) {
    out += l + "\n";
  }
  return out;
}

} // namespace oauthctl::cli

namespace oauthctl::cli {

namespace {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    out += line + "\n";
  }
  return out;
}

// The table name a line opens, or nullopt when it is not a (valid) table header.
std::optional<std::string> header_name(std::string_view line) {
  const auto trimmed = trim(line);
  if (trimmed.empty() || trimmed.front() != '[') {
    return std::nullopt;
  }
  auto name = parse_header(trimmed);
  return name ? std::optional<std::string>(*name) : std::optional<std::string>(std::string());
}

} // namespace

std::optional<std::string> unset_config_value(std::string_view text, const std::string& profile,
                                              const std::string& key) {
  auto lines = split_lines(text);
  bool in_table = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (const auto name = header_name(lines[i])) {
      in_table = *name == profile;
      continue;
    }
    const auto line = trim(lines[i]);
    if (!in_table || line.empty() || line.front() == '#') {
      continue;
    }
    std::size_t pos = 0;
    while (pos < line.size() && bare_char(line[pos])) {
      ++pos;
    }
    if (line.substr(0, pos) == key) {
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
      return join_lines(lines);
    }
  }
  return std::nullopt;
}

std::optional<std::string> delete_config_profile(std::string_view text, const std::string& profile) {
  auto lines = split_lines(text);
  std::optional<std::size_t> first;
  std::size_t last = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (const auto name = header_name(lines[i])) {
      if (first) {
        last = i;
        break;
      }
      if (*name == profile) {
        first = i;
      }
    }
  }
  if (!first) {
    return std::nullopt;
  }
  // Comments right above a table (no blank line between) belong to it: they go with it.
  while (*first > 0 && !trim(lines[*first - 1]).empty() && trim(lines[*first - 1]).front() == '#') {
    --*first;
  }
  // Comments right above the next table belong to it: keep them.
  while (last > *first + 1 && !trim(lines[last - 1]).empty() && trim(lines[last - 1]).front() == '#') {
    --last;
  }
  lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(*first),
              lines.begin() + static_cast<std::ptrdiff_t>(last));
  // No blank lines left doubled or trailing where the table was.
  std::vector<std::string> kept;
  for (const auto& line : lines) {
    if (trim(line).empty() && (kept.empty() || trim(kept.back()).empty())) {
      continue;
    }
    kept.push_back(line);
  }
  while (!kept.empty() && trim(kept.back()).empty()) {
    kept.pop_back();
  }
  return join_lines(kept);
}

} // namespace oauthctl::cli
