// Cases grouped the way every report shows them: by RFC, then by the section of the case's first
// citation ("959 §4.1.3" -> RFC "959", section "§4.1.3"), in natural order: numbers compare as
// numbers, so RFC 959 < 2389 < 2428 and §4.1.2 < §4.1.10.
#pragma once
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "run/result.hpp"

namespace ftpspec::reports {

/// Every verdict, in the order reports list them.
inline constexpr std::array<run::Verdict, 7> kVerdictOrder = {
    run::Verdict::pass,    run::Verdict::fail,    run::Verdict::warn, run::Verdict::unsupported,
    run::Verdict::blocked, run::Verdict::skipped, run::Verdict::error};

/// Counts per verdict, indexed by static_cast<int>(run::Verdict).
struct VerdictCounts {
  std::array<int, run::kAllVerdicts.size()> counts{};
  void add(run::Verdict verdict) noexcept { ++counts[static_cast<std::size_t>(verdict)]; }
  int operator[](run::Verdict verdict) const noexcept { return counts[static_cast<std::size_t>(verdict)]; }
};

struct SectionGroup {
  std::string section;  ///< "§4.1.3", or "" when the citation names no section
  std::vector<const run::CaseResult*> cases;
  VerdictCounts counts;
};

struct RfcGroup {
  std::string rfc;  ///< "959"
  std::vector<const run::CaseResult*> cases;
  VerdictCounts counts;
  std::vector<SectionGroup> sections;
};

/// Groups in natural order; cases keep their suite order inside a group.
std::vector<RfcGroup> group_by_rfc(const std::vector<run::CaseResult>& cases);

/// "§4.1.3" from "959 §4.1.3" (the first citation), or "".
std::string section_of(const run::CaseResult& c);

/// Compares digit runs as numbers: "959" < "2389", "§4.1.2" < "§4.1.10".
bool natural_less(std::string_view a, std::string_view b) noexcept;

}  // namespace ftpspec::reports
