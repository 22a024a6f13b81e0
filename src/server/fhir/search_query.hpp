// SPDX-License-Identifier: MIT
#pragma once

#include "server/fhir/dataset.hpp"

#include <oauthctl/util/form.hpp>

#include <tl/expected.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace oauthctl::server {

// A date search value (FHIR R4 §3.1.1.4.6): a prefix and the range its precision covers,
// as [low, high] strings that compare lexicographically (high = low + '\x7f').
struct DateBound {
  std::string prefix; // eq ne lt gt le ge
  std::string low;
  std::string high;
};

// One search parameter of the request: a resource matches when one of its values does
// (a comma is OR, FHIR R4 §3.1.1.5.4); every criterion must match (repeating is AND).
struct SearchCriterion {
  enum class Kind { id, identifier, name, family, given, gender, birthdate, patient, code, date };
  Kind kind = Kind::id;
  std::string modifier; // string: "", "exact" or "contains"
  std::vector<std::string> values;
  std::vector<DateBound> dates; // for birthdate and date
};

// A search request read against the parameters this server supports.
struct SearchQuery {
  std::vector<SearchCriterion> criteria;
  std::size_t count = 50;           // _count: page size
  std::size_t offset = 0;           // _offset: where the page starts (our paging links)
  bool summary_count = false;       // _summary=count: the total only
  util::FormFields applied;         // the parameters that took effect, for the Bundle's links
  std::vector<std::string> ignored; // names of the parameters left out (FHIR R4 §3.1.1.3.3)
};

// Reads the search parameters of `type` (Patient: _id identifier name family given gender
// birthdate; Observation: _id patient subject code date; both: _count _offset _summary).
// Any other parameter lands in `ignored`; a malformed value of a supported one, or an
// unsupported modifier or prefix, is an error whose text says which.
tl::expected<SearchQuery, std::string> read_search_query(std::string_view type,
                                                         const util::FormFields& params);

// A search parameter as the CapabilityStatement lists it: name and FHIR search type.
struct SearchParamInfo {
  std::string_view name;
  std::string_view type; // token, string, date, reference, number
};

// The parameters read_search_query applies for `type`, from the same table, so the
// CapabilityStatement lists exactly what works.
std::vector<SearchParamInfo> supported_search_params(std::string_view type);

// True when `item` satisfies every criterion of `query`.
bool matches_search(const FhirResource& item, const SearchQuery& query);

} // namespace oauthctl::server
