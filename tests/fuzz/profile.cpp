// SPDX-License-Identifier: MIT
// oauthctl's config file (the TOML subset of profiles), the argv split of a
// client_secret_command, and the quoting `config set` writes.
//
// Input: the config file text.

#include "cli/profile.hpp"

#include "fuzz_support.hpp"

using namespace oauthctl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto config = cli::parse_config(text, "/fuzz/config.toml");
  if (config) {
    for (const auto& profile : config->profiles) {
      FUZZ_CHECK(config->find(profile.name) == &profile);
      FUZZ_CHECK(profile.values.size() == profile.lines.size());
    }
  } else {
    FUZZ_CHECK(config.error().message.rfind("/fuzz/config.toml:", 0) == 0);
  }
  (void)cli::split_command(text);

  // Any value `config set` writes reads back as itself.
  const auto written = cli::set_config_value("", "fuzz", "client_id", std::string(text));
  const auto read_back = cli::parse_config(written, "/fuzz/config.toml");
  FUZZ_CHECK(read_back.has_value());
  const auto* profile = read_back->find("fuzz");
  FUZZ_CHECK(profile != nullptr && profile->get("client_id") == text);
  if (config) {
    const auto updated = cli::set_config_value(text, "fuzz", "client_id", "x");
    const auto reparsed = cli::parse_config(updated, "/fuzz/config.toml");
    FUZZ_CHECK(reparsed.has_value());
    const auto* updated_profile = reparsed->find("fuzz");
    FUZZ_CHECK(updated_profile != nullptr && updated_profile->get("client_id") == "x");
  }
  return 0;
}
