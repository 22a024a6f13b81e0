// SPDX-License-Identifier: MIT
#include <oauthctl/oauth/smart_scope.hpp>

#include <doctest/doctest.h>

using namespace oauthctl::oauth;

TEST_SUITE("oauth.smart_scope") {
  TEST_CASE("v1 scopes") {
    const auto read = parse_smart_scope("system/Patient.read");
    REQUIRE(read.has_value());
    CHECK(read->context == "system");
    CHECK(read->resource_type == "Patient");
    CHECK(read->version == 1);
    CHECK(read->allows("Patient", Interaction::read));
    CHECK(read->allows("Patient", Interaction::search));
    CHECK_FALSE(read->allows("Patient", Interaction::create));
    CHECK_FALSE(read->allows("Observation", Interaction::read));

    const auto write = parse_smart_scope("user/*.write");
    REQUIRE(write.has_value());
    CHECK(write->allows("Observation", Interaction::update));
    CHECK_FALSE(write->allows("Observation", Interaction::read));

    const auto all = parse_smart_scope("patient/*.*");
    REQUIRE(all.has_value());
    CHECK(all->allows("Patient", Interaction::remove));
    CHECK(all->allows("Patient", Interaction::search));
  }

  TEST_CASE("v2 scopes") {
    const auto rs = parse_smart_scope("system/Patient.rs");
    REQUIRE(rs.has_value());
    CHECK(rs->version == 2);
    CHECK(rs->allows("Patient", Interaction::read));
    CHECK(rs->allows("Patient", Interaction::search));
    CHECK_FALSE(rs->allows("Patient", Interaction::update));

    const auto r = parse_smart_scope("system/Patient.r");
    REQUIRE(r.has_value());
    CHECK(r->allows("Patient", Interaction::read));
    CHECK_FALSE(r->allows("Patient", Interaction::search));

    const auto cruds = parse_smart_scope("system/*.cruds");
    REQUIRE(cruds.has_value());
    CHECK(cruds->create);
    CHECK(cruds->remove);

    const auto granular = parse_smart_scope("patient/Observation.rs?category=laboratory");
    REQUIRE(granular.has_value());
    CHECK(granular->query == "category=laboratory");
    // Not enforced yet, so a constrained scope grants nothing (fail closed).
    CHECK_FALSE(granular->allows("Observation", Interaction::search));
  }

  TEST_CASE("covers") {
    const auto wide = *parse_smart_scope("system/*.read");
    CHECK(wide.covers(*parse_smart_scope("system/Patient.rs")));
    CHECK(wide.covers(*parse_smart_scope("system/Patient.r")));
    CHECK_FALSE(wide.covers(*parse_smart_scope("system/Patient.cruds")));
    CHECK_FALSE(wide.covers(*parse_smart_scope("user/Patient.rs")));
    CHECK_FALSE(parse_smart_scope("system/Patient.rs")->covers(*parse_smart_scope("system/*.rs")));
  }

  TEST_CASE("not SMART resource scopes") {
    for (const char* scope : {"openid",
                              "profile",
                              "fhirUser",
                              "offline_access",
                              "launch",
                              "launch/patient",
                              "system/Patient",
                              "system/.read",
                              "system/patient.read",
                              "admin/Patient.read",
                              "system/Patient.sr",
                              "system/Patient.rr",
                              "system/Patient.x",
                              "system/Patient.",
                              "system/Patient.readx",
                              "system/Patient.read?x=1",
                              "system/Patient.rs?",
                              "system/Patient.rs?%zz",
                              "system/Pa-tient.rs",
                              "",
                              "/",
                              "system/*.crudsx"}) {
      CAPTURE(scope);
      CHECK_FALSE(parse_smart_scope(scope).has_value());
    }
  }

  TEST_CASE("split and join") {
    CHECK(split_scopes("  a b   c ") == std::vector<std::string>{"a", "b", "c"});
    CHECK(split_scopes("").empty());
    CHECK(join_scopes({"a", "b"}) == "a b");
  }
}
