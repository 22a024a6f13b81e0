// SPDX-License-Identifier: MIT
#include "cli/parse_errors.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace oauthctl::cli {

namespace {

std::vector<CLI::App*> subcommands_of(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

// Every option name `app` (and, for fallthrough subcommands, its parents) accepts.
std::vector<std::string> option_names(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* current = &app; current != nullptr;
       current = current->get_fallthrough() ? current->get_parent() : nullptr) {
    for (const auto* option : current->get_options()) {
      for (const auto& name : option->get_lnames()) {
        names.push_back("--" + name);
      }
      for (const auto& name : option->get_snames()) {
        names.push_back("-" + name);
      }
    }
  }
  return names;
}

// The option `name` in `app` or a parent it falls through to; null when there is none.
const CLI::Option* find_option(CLI::App& app, const std::string& name) {
  for (CLI::App* current = &app; current != nullptr;
       current = current->get_fallthrough() ? current->get_parent() : nullptr) {
    if (const auto* option = current->get_option_no_throw(name); option != nullptr) {
      return option;
    }
  }
  return nullptr;
}

std::string command_path(CLI::App& app) {
  std::string path;
  for (CLI::App* current = &app; current != nullptr && current->get_parent() != nullptr;
       current = current->get_parent()) {
    path = current->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

std::string suggestion(const std::string& guess) {
  return guess.empty() ? std::string() : fmt::format("; did you mean `{}`?", guess);
}

} // namespace

std::string explain_unknown_word(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* current = &app;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--") {
      break;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      const auto eq = arg.find('=');
      // "-abc" may be short flags run together; only the first one is checked.
      const auto name = arg[1] == '-' ? arg.substr(0, eq) : arg.substr(0, 2);
      const auto* option = find_option(*current, name);
      if (option == nullptr) {
        const auto where = command_path(*current);
        return fmt::format("unknown option {}{}{}", name, where.empty() ? "" : " for " + where,
                           suggestion(nearest(name, option_names(*current))));
      }
      if (option->get_type_size_max() > 0 && eq == std::string::npos && (arg[1] == '-' || arg.size() == 2)) {
        ++i; // its value: never a command
      }
      continue;
    }
    const auto subcommands = subcommands_of(*current);
    const auto match = std::find_if(subcommands.begin(), subcommands.end(),
                                    [&](CLI::App* sub) { return sub->check_name(arg); });
    if (match != subcommands.end()) {
      current = *match;
      continue;
    }
    if (!subcommands.empty() && current->get_require_subcommand_min() > 0) {
      std::vector<std::string> names;
      for (auto* sub : subcommands) {
        names.push_back(sub->get_name());
      }
      const auto where = command_path(*current);
      return fmt::format("unknown command {}{}{}", where.empty() ? "" : where + " ", arg,
                         suggestion(nearest(arg, names)));
    }
  }
  return {};
}

} // namespace oauthctl::cli
