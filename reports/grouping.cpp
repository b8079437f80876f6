#include "reports/grouping.hpp"

#include <algorithm>
#include <cctype>

namespace ftpspec::reports {

namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

template <class Group>
Group& group_named(std::vector<Group>& groups, const std::string& name, std::string Group::*key) {
  for (auto& group : groups)
    if (group.*key == name) return group;
  Group& group = groups.emplace_back();
  group.*key = name;
  return group;
}

}  // namespace

bool natural_less(std::string_view a, std::string_view b) noexcept {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      std::size_t i_end = i, j_end = j;
      while (i_end < a.size() && is_digit(a[i_end])) ++i_end;
      while (j_end < b.size() && is_digit(b[j_end])) ++j_end;
      // Without leading zeros, the longer run is the larger number.
      std::string_view x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
      while (x.size() > 1 && x.front() == '0') x.remove_prefix(1);
      while (y.size() > 1 && y.front() == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::string section_of(const run::CaseResult& c) {
  if (c.rfc.empty()) return "";
  const std::size_t space = c.rfc.front().find(' ');
  return space == std::string::npos ? "" : c.rfc.front().substr(space + 1);
}

std::vector<RfcGroup> group_by_rfc(const std::vector<run::CaseResult>& cases) {
  std::vector<RfcGroup> groups;
  for (const auto& c : cases) {
    RfcGroup& group = group_named(groups, c.rfc_number(), &RfcGroup::rfc);
    group.cases.push_back(&c);
    group.counts.add(c.verdict);
    SectionGroup& section = group_named(group.sections, section_of(c), &SectionGroup::section);
    section.cases.push_back(&c);
    section.counts.add(c.verdict);
  }
  std::sort(groups.begin(), groups.end(), [](const RfcGroup& a, const RfcGroup& b) { return natural_less(a.rfc, b.rfc); });
  for (auto& group : groups)
    std::stable_sort(group.sections.begin(), group.sections.end(),
                     [](const SectionGroup& a, const SectionGroup& b) { return natural_less(a.section, b.section); });
  return groups;
}

}  // namespace ftpspec::reports
