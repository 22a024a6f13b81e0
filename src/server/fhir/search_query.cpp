// SPDX-License-Identifier: MIT
#include "server/fhir/search_query.hpp"

#include <oauthctl/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace oauthctl::server {

namespace {

using Kind = SearchCriterion::Kind;

constexpr std::size_t k_max_count = 1000;
constexpr std::string_view k_gender_system = "http://hl7.org/fhir/administrative-gender";

std::vector<std::string> split_values(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto at = text.find(',');
    out.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) {
      return out;
    }
    text.remove_prefix(at + 1);
  }
}

// The search parameters of each served type and how they search.
struct ParamSpec {
  std::string_view type;
  std::string_view name;
  Kind kind;
  std::string_view search_type; // FHIR's name for how it searches
};

constexpr std::array<ParamSpec, 12> k_params{{
  {"Patient", "_id", Kind::id, "token"},
  {"Patient", "identifier", Kind::identifier, "token"},
  {"Patient", "name", Kind::name, "string"},
  {"Patient", "family", Kind::family, "string"},
  {"Patient", "given", Kind::given, "string"},
  {"Patient", "gender", Kind::gender, "token"},
  {"Patient", "birthdate", Kind::birthdate, "date"},
  {"Observation", "_id", Kind::id, "token"},
  {"Observation", "patient", Kind::patient, "reference"},
  {"Observation", "subject", Kind::patient, "reference"},
  {"Observation", "code", Kind::code, "token"},
  {"Observation", "date", Kind::date, "date"},
}};

const ParamSpec* find_param(std::string_view type, std::string_view name) {
  for (const auto& spec : k_params) {
    if (spec.type == type && spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

bool is_string_kind(Kind kind) {
  return kind == Kind::name || kind == Kind::family || kind == Kind::given;
}

// The shapes of a FHIR date/dateTime search value once a time zone and fractional seconds
// are removed; '9' stands for a digit.
constexpr std::array<std::string_view, 5> k_date_shapes{"9999", "9999-99", "9999-99-99", "9999-99-99T99:99",
                                                        "9999-99-99T99:99:99"};

bool has_shape(std::string_view value, std::string_view shape) {
  if (value.size() != shape.size()) {
    return false;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(value[i])) != 0;
    if (shape[i] == '9' ? !digit : value[i] != shape[i]) {
      return false;
    }
  }
  return true;
}

// A date value reduced to the part that compares as text: UTC only (the data set holds UTC
// times), fractional seconds dropped.
tl::expected<std::string, std::string> normalise_date(std::string_view value) {
  std::string text(value);
  if (!text.empty() && text.back() == 'Z') {
    text.pop_back();
  } else if (text.size() > 6 && text.find('T') != std::string::npos &&
             (text[text.size() - 6] == '+' || text[text.size() - 6] == '-')) {
    const auto offset = text.substr(text.size() - 5);
    if (offset != "00:00") {
      return tl::unexpected(fmt::format("date {} has a time zone offset; use UTC (Z)", value));
    }
    text.resize(text.size() - 6);
  }
  if (const auto dot = text.find('.'); dot != std::string::npos && text.find('T') != std::string::npos) {
    text.resize(dot);
  }
  for (const auto shape : k_date_shapes) {
    if (has_shape(text, shape)) {
      return text;
    }
  }
  return tl::unexpected(
    fmt::format("{} is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)", value));
}

tl::expected<DateBound, std::string> read_date(std::string_view value) {
  DateBound bound{"eq", {}, {}};
  if (value.size() >= 2 && std::isalpha(static_cast<unsigned char>(value[0])) != 0 &&
      std::isalpha(static_cast<unsigned char>(value[1])) != 0) {
    bound.prefix = std::string(value.substr(0, 2));
    value.remove_prefix(2);
    static constexpr std::array<std::string_view, 6> k_prefixes{"eq", "ne", "lt", "gt", "le", "ge"};
    if (std::find(k_prefixes.begin(), k_prefixes.end(), bound.prefix) == k_prefixes.end()) {
      return tl::unexpected(
        fmt::format("date prefix {} is not supported (eq, ne, lt, gt, le, ge are)", bound.prefix));
    }
  }
  auto low = normalise_date(value);
  if (!low) {
    return tl::unexpected(low.error());
  }
  bound.low = std::move(*low);
  bound.high = bound.low + '\x7f';
  return bound;
}

// FHIR R4 §3.1.1.4.6: each prefix compares the range of the search value with the range of
// the resource's value (both implied by their precision).
bool date_matches(const DateBound& search, std::string_view value) {
  if (value.empty()) {
    return false;
  }
  const auto normalised = normalise_date(value);
  if (!normalised) {
    return false;
  }
  const std::string low = *normalised;
  const std::string high = low + '\x7f';
  const bool contained = search.low <= low && high <= search.high;
  if (search.prefix == "eq") {
    return contained;
  }
  if (search.prefix == "ne") {
    return !contained;
  }
  const bool above = high > search.high; // part of the resource's range lies after the value's
  const bool below = low < search.low;
  if (search.prefix == "gt") {
    return above;
  }
  if (search.prefix == "lt") {
    return below;
  }
  if (search.prefix == "ge") {
    return above || contained;
  }
  return below || contained; // le
}

// FHIR token search (R4 §3.1.1.4.10) against " system|code " tokens: "code", "system|code",
// "|code" (no system) or "system|" (any code of the system).
bool token_matches(std::string_view tokens, std::string_view value) {
  if (value.find('|') == std::string_view::npos) {
    return tokens.find(fmt::format("|{} ", value)) != std::string_view::npos;
  }
  if (value.back() == '|') {
    return tokens.find(fmt::format(" {}", value)) != std::string_view::npos;
  }
  return tokens.find(fmt::format(" {} ", value)) != std::string_view::npos;
}

// FHIR string search (R4 §3.1.1.4.13): case-insensitive; by default a name part starting
// with the value, `:exact` the whole part, `:contains` anywhere in it.
bool string_matches(const std::vector<std::string>& parts, std::string_view modifier,
                    std::string_view value) {
  const auto wanted = util::ascii_lower(value);
  return std::any_of(parts.begin(), parts.end(), [&](const std::string& part) {
    const auto text = util::ascii_lower(part);
    if (modifier == "exact") {
      return text == wanted;
    }
    if (modifier == "contains") {
      return text.find(wanted) != std::string::npos;
    }
    return text.rfind(wanted, 0) == 0;
  });
}

// A reference search value: "pt-1", "Patient/pt-1" or "<base>/Patient/pt-1"; another
// resource type than Patient matches nothing.
bool reference_matches(std::string_view patient_id, std::string_view value) {
  const auto slash = value.rfind('/');
  if (slash == std::string_view::npos) {
    return value == patient_id;
  }
  const auto head = value.substr(0, slash);
  const auto type_start = head.rfind('/');
  const auto type = type_start == std::string_view::npos ? head : head.substr(type_start + 1);
  return type == "Patient" && value.substr(slash + 1) == patient_id;
}

bool value_matches(const FhirResource& item, const SearchCriterion& criterion, std::size_t index) {
  const auto& value = criterion.values[index];
  switch (criterion.kind) {
    case Kind::id:
      return item.id == value;
    case Kind::identifier:
      return token_matches(item.identifiers, value);
    case Kind::name: {
      auto parts = item.families;
      parts.insert(parts.end(), item.givens.begin(), item.givens.end());
      return string_matches(parts, criterion.modifier, value);
    }
    case Kind::family:
      return string_matches(item.families, criterion.modifier, value);
    case Kind::given:
      return string_matches(item.givens, criterion.modifier, value);
    case Kind::gender:
      return !item.gender.empty() &&
             token_matches(fmt::format(" {}|{} ", k_gender_system, item.gender), value);
    case Kind::patient:
      return reference_matches(item.patient_id, value);
    case Kind::code:
      return token_matches(item.codes, value);
    case Kind::birthdate:
    case Kind::date:
      return date_matches(criterion.dates[index], item.date);
  }
  return false;
}

tl::expected<std::size_t, std::string> read_size(std::string_view name, std::string_view value) {
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size()) {
    return tl::unexpected(fmt::format("{} must be a non-negative integer", name));
  }
  return number;
}

// Reads one supported search parameter into `out`.
tl::expected<void, std::string> read_criterion(const ParamSpec& spec, std::string_view modifier,
                                               std::string_view value, SearchQuery& out) {
  SearchCriterion criterion;
  criterion.kind = spec.kind;
  const bool string_modifier = is_string_kind(spec.kind) && (modifier == "exact" || modifier == "contains");
  const bool type_modifier = spec.kind == Kind::patient && modifier == "Patient";
  if (!modifier.empty() && !string_modifier && !type_modifier) {
    // FHIR R4 §3.1.1.5.5: a server rejects a modifier it does not support.
    return tl::unexpected(fmt::format("modifier :{} is not supported for {}", modifier, spec.name));
  }
  criterion.modifier = type_modifier ? std::string() : std::string(modifier);
  criterion.values = split_values(value);
  if (spec.kind == Kind::birthdate || spec.kind == Kind::date) {
    for (const auto& text : criterion.values) {
      auto bound = read_date(text);
      if (!bound) {
        return tl::unexpected(fmt::format("{}: {}", spec.name, bound.error()));
      }
      criterion.dates.push_back(std::move(*bound));
    }
  }
  out.criteria.push_back(std::move(criterion));
  return {};
}

} // namespace

tl::expected<SearchQuery, std::string> read_search_query(std::string_view type,
                                                         const util::FormFields& params) {
  SearchQuery out;
  for (const auto& [full_name, value] : params) {
    const auto colon = full_name.find(':');
    const std::string_view name = std::string_view(full_name).substr(0, colon);
    const std::string_view modifier =
      colon == std::string::npos ? std::string_view() : std::string_view(full_name).substr(colon + 1);
    if (name == "_count" && modifier.empty()) {
      const auto count = read_size("_count", value);
      if (!count) {
        return tl::unexpected(count.error());
      }
      out.count = std::min(*count, k_max_count);
      continue; // the links carry the page size themselves
    }
    if (name == "_offset" && modifier.empty()) {
      const auto offset = read_size("_offset", value);
      if (!offset) {
        return tl::unexpected(offset.error());
      }
      out.offset = *offset;
      continue;
    }
    if (name == "_summary" && modifier.empty() && (value == "count" || value == "false")) {
      out.summary_count = value == "count";
      out.applied.emplace_back(full_name, value);
      continue;
    }
    const auto* spec = find_param(type, name);
    if (spec == nullptr) {
      out.ignored.push_back(full_name);
      continue;
    }
    if (auto read = read_criterion(*spec, modifier, value, out); !read) {
      return tl::unexpected(read.error());
    }
    out.applied.emplace_back(full_name, value);
  }
  return out;
}

std::vector<SearchParamInfo> supported_search_params(std::string_view type) {
  std::vector<SearchParamInfo> out;
  for (const auto& spec : k_params) {
    if (spec.type == type) {
      out.push_back({spec.name, spec.search_type});
    }
  }
  out.push_back({"_count", "number"});
  out.push_back({"_summary", "token"});
  return out;
}

bool matches_search(const FhirResource& item, const SearchQuery& query) {
  for (const auto& criterion : query.criteria) {
    bool any = false;
    for (std::size_t i = 0; i < criterion.values.size() && !any; ++i) {
      any = value_matches(item, criterion, i);
    }
    if (!any) {
      return false;
    }
  }
  return true;
}

} // namespace oauthctl::server
