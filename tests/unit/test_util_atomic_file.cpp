// SPDX-License-Identifier: MIT
#include <oauthctl/util/atomic_file.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

using namespace oauthctl;

TEST_SUITE("util.atomic_file") {
  TEST_CASE("write_file_atomic") {
    std::string pattern = (std::filesystem::temp_directory_path() / "oauthctl-unit-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    const std::filesystem::path dir(pattern);
    const auto file = (dir / "f.json").string();
    SUBCASE("creates with the mode, replaces, reads back") {
      REQUIRE(util::write_file_atomic(file, "one", 0600));
      struct stat st {};
      REQUIRE(::stat(file.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
      REQUIRE(util::write_file_atomic(file, "two", 0600));
      CHECK(util::read_file(file).value() == "two");
    }
    SUBCASE("a missing directory is an io error, and nothing is left behind") {
      const auto result = util::write_file_atomic((dir / "missing" / "f").string(), "x", 0600);
      REQUIRE_FALSE(result);
      CHECK(result.error().kind == util::ErrorKind::io);
    }
    SUBCASE("read_file of a missing file") {
      CHECK_FALSE(util::read_file((dir / "nope").string()));
    }
    SUBCASE("ensure_private_directory") {
      const auto sub = (dir / "a" / "b").string();
      REQUIRE(util::ensure_private_directory(sub, 0700));
      struct stat st {};
      REQUIRE(::stat(sub.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0700);
    }
    SUBCASE("FileLock can be taken again after release") {
      const auto lock = (dir / "l").string();
      {
        auto first = util::FileLock::acquire(lock);
        REQUIRE(first);
      }
      auto second = util::FileLock::acquire(lock);
      CHECK(second);
    }
    std::filesystem::remove_all(dir);
  }
}
