#include "proto/sequences.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ftpspec::proto {
namespace {

// Codes per verb, transcribed from RFC 959 §5.4 (page 50-52) unless the source says otherwise.
// Where a later RFC defines the verb, its own reply list is used. Additions to RFC 959's lists:
//  - 530 on PWD: §5.4 omits it, but §4.2.1 defines 530 "Not logged in" for any command that needs
//    login and every server uses it; leaving it out would fail every real server for no reason.
//  - 554 on RETR/STOR/APPE: RFC 1123 §4.1.3.4 lets a server refuse a REST offset there.
//  - 534/533 (RFC 2228 §3) on commands a security policy may refuse.
constexpr int kUser_first[] = {230, 530, 500, 501, 421, 331, 332, 232, 336, 534};
constexpr int kPass_first[] = {230, 202, 530, 500, 501, 503, 421, 332};
constexpr int kAcct_first[] = {230, 202, 530, 500, 501, 503, 421};
constexpr int kCwd_first[] = {250, 500, 501, 502, 421, 530, 550};
constexpr int kCdup_first[] = {200, 250, 500, 501, 502, 421, 530, 550};  // 250: RFC 959 §4.1.1 CDUP is CWD
constexpr int kSmnt_first[] = {202, 250, 500, 501, 502, 421, 530, 550};
constexpr int kRein_first[] = {120, 220, 421, 500, 502};
constexpr int kRein_after[] = {220};
constexpr int kQuit_first[] = {221, 500};
constexpr int kPort_first[] = {200, 500, 501, 421, 530};
constexpr int kPasv_first[] = {227, 500, 501, 502, 421, 530};
constexpr int kTypeLike_first[] = {200, 500, 501, 504, 421, 530};  // MODE, TYPE, STRU
constexpr int kAllo_first[] = {200, 202, 500, 501, 504, 421, 530};
constexpr int kRest_first[] = {350, 500, 501, 502, 421, 530};
constexpr int kStore_first[] = {125, 150, 532, 450, 452, 553, 500, 501, 421, 530, 554, 425, 534};  // STOR, STOU
constexpr int kStore_after[] = {110, 226, 250, 425, 426, 451, 551, 552};
constexpr int kRetr_first[] = {125, 150, 450, 550, 500, 501, 421, 530, 554, 425, 534};
constexpr int kRetr_after[] = {110, 226, 250, 425, 426, 451};
constexpr int kList_first[] = {125, 150, 450, 500, 501, 502, 421, 530, 425, 534};  // LIST, NLST
constexpr int kList_after[] = {226, 250, 425, 426, 451};
constexpr int kAppe_first[] = {125, 150, 532, 450, 550, 452, 553, 500, 501, 502, 421, 530, 554, 425, 534};
constexpr int kRnfr_first[] = {350, 450, 550, 500, 501, 502, 421, 530};
constexpr int kRnto_first[] = {250, 532, 553, 500, 501, 502, 503, 421, 530};
constexpr int kDele_first[] = {250, 450, 550, 500, 501, 502, 421, 530};
constexpr int kRmd_first[] = {250, 500, 501, 502, 421, 530, 550};
constexpr int kMkd_first[] = {257, 500, 501, 502, 421, 530, 550};
constexpr int kPwd_first[] = {257, 500, 501, 502, 421, 550, 530};
constexpr int kAbor_first[] = {225, 226, 500, 501, 502, 421};
constexpr int kSyst_first[] = {215, 500, 501, 502, 421};
constexpr int kStat_first[] = {211, 212, 213, 450, 500, 501, 502, 421, 530};
constexpr int kHelp_first[] = {211, 214, 500, 501, 502, 421};
constexpr int kSite_first[] = {200, 202, 214, 500, 501, 530};  // 214: SITE HELP, common practice
constexpr int kNoop_first[] = {200, 500, 421};
// RFC 2389 §3.2, §4.2. FEAT: §3.2 also names 501 (an argument given); 530 as for any command a
// server serves only after login (RFC 959 §4.2.1; RFC 2389 does not require FEAT before login).
constexpr int kFeat_first[] = {211, 500, 501, 502, 530};
constexpr int kOpts_first[] = {200, 451, 500, 501, 502};
// RFC 2428 §2, §3, §4
constexpr int kEprt_first[] = {200, 500, 501, 522, 421, 530};
constexpr int kEpsv_first[] = {229, 200, 500, 501, 522, 421, 530};  // 200: "EPSV ALL" accepted
// RFC 3659 §3.1, §4.1, §7.1
constexpr int kMdtm_first[] = {213, 500, 501, 502, 550, 421, 530};
constexpr int kSize_first[] = {213, 500, 501, 502, 550, 421, 530};
constexpr int kMlst_first[] = {250, 500, 501, 502, 550, 421, 530};
constexpr int kMlsd_first[] = {125, 150, 450, 500, 501, 502, 550, 421, 530, 425};
constexpr int kMlsd_after[] = {226, 250, 425, 426, 451};
// RFC 2228 §3 as profiled by RFC 4217 §4-§9
constexpr int kAuth_first[] = {234, 334, 431, 500, 501, 502, 504, 534, 421};
constexpr int kPbsz_first[] = {200, 503, 530, 500, 501, 502, 421};
constexpr int kProt_first[] = {200, 504, 536, 503, 534, 431, 500, 501, 502, 421, 530};
// 501: RFC 959 §4.2.1's syntax error in parameters, for an argument CCC does not take (PBSZ and
// PROT list it too).
constexpr int kCcc_first[] = {200, 500, 501, 533, 534, 502, 421};
// RFC 2640 §4.1
constexpr int kLang_first[] = {200, 500, 501, 502, 504, 421};
// RFC 7151 §3.2
constexpr int kHost_first[] = {220, 120, 421, 500, 501, 502, 503, 504};
constexpr int kHost_after[] = {220, 421};
// RFC 1639 §2, §3 (521: address family not supported)
constexpr int kLprt_first[] = {200, 500, 501, 521, 421, 530};
constexpr int kLpsv_first[] = {228, 500, 501, 502, 521, 421, 530};
constexpr std::span<const int> kNone{};

constexpr std::string_view k959 = "RFC 959 §5.4";
constexpr std::string_view k1123 = "RFC 1123 §4.1.3.1 (X-verbs as RFC 959 §5.4)";

const std::array kTable = {
    ReplySequence{"USER", k959, kUser_first, kNone},
    ReplySequence{"PASS", k959, kPass_first, kNone},
    ReplySequence{"ACCT", k959, kAcct_first, kNone},
    ReplySequence{"CWD", k959, kCwd_first, kNone},
    ReplySequence{"XCWD", k1123, kCwd_first, kNone},
    ReplySequence{"CDUP", k959, kCdup_first, kNone},
    ReplySequence{"XCUP", k1123, kCdup_first, kNone},
    ReplySequence{"SMNT", k959, kSmnt_first, kNone},
    ReplySequence{"REIN", k959, kRein_first, kRein_after},
    ReplySequence{"QUIT", k959, kQuit_first, kNone},
    ReplySequence{"PORT", k959, kPort_first, kNone},
    ReplySequence{"PASV", k959, kPasv_first, kNone},
    ReplySequence{"MODE", k959, kTypeLike_first, kNone},
    ReplySequence{"TYPE", k959, kTypeLike_first, kNone},
    ReplySequence{"STRU", k959, kTypeLike_first, kNone},
    ReplySequence{"ALLO", k959, kAllo_first, kNone},
    ReplySequence{"REST", k959, kRest_first, kNone},
    ReplySequence{"STOR", k959, kStore_first, kStore_after},
    ReplySequence{"STOU", k959, kStore_first, kStore_after},
    ReplySequence{"RETR", k959, kRetr_first, kRetr_after},
    ReplySequence{"LIST", k959, kList_first, kList_after},
    ReplySequence{"NLST", k959, kList_first, kList_after},
    ReplySequence{"APPE", k959, kAppe_first, kStore_after},
    ReplySequence{"RNFR", k959, kRnfr_first, kNone},
    ReplySequence{"RNTO", k959, kRnto_first, kNone},
    ReplySequence{"DELE", k959, kDele_first, kNone},
    ReplySequence{"RMD", k959, kRmd_first, kNone},
    ReplySequence{"XRMD", k1123, kRmd_first, kNone},
    ReplySequence{"MKD", k959, kMkd_first, kNone},
    ReplySequence{"XMKD", k1123, kMkd_first, kNone},
    ReplySequence{"PWD", k959, kPwd_first, kNone},
    ReplySequence{"XPWD", k1123, kPwd_first, kNone},
    ReplySequence{"ABOR", k959, kAbor_first, kNone},
    ReplySequence{"SYST", k959, kSyst_first, kNone},
    ReplySequence{"STAT", k959, kStat_first, kNone},
    ReplySequence{"HELP", k959, kHelp_first, kNone},
    ReplySequence{"SITE", k959, kSite_first, kNone},
    ReplySequence{"NOOP", k959, kNoop_first, kNone},
    ReplySequence{"FEAT", "RFC 2389 §3.2", kFeat_first, kNone},
    ReplySequence{"OPTS", "RFC 2389 §4.2", kOpts_first, kNone},
    ReplySequence{"EPRT", "RFC 2428 §2", kEprt_first, kNone},
    ReplySequence{"EPSV", "RFC 2428 §3", kEpsv_first, kNone},
    ReplySequence{"MDTM", "RFC 3659 §3.1", kMdtm_first, kNone},
    ReplySequence{"SIZE", "RFC 3659 §4.1", kSize_first, kNone},
    ReplySequence{"MLST", "RFC 3659 §7.1", kMlst_first, kNone},
    ReplySequence{"MLSD", "RFC 3659 §7.1", kMlsd_first, kMlsd_after},
    ReplySequence{"AUTH", "RFC 2228 §3 / RFC 4217 §4", kAuth_first, kNone},
    ReplySequence{"PBSZ", "RFC 2228 §3 / RFC 4217 §8", kPbsz_first, kNone},
    ReplySequence{"PROT", "RFC 2228 §3 / RFC 4217 §9", kProt_first, kNone},
    ReplySequence{"CCC", "RFC 2228 §3 / RFC 4217 §6", kCcc_first, kNone},
    ReplySequence{"LANG", "RFC 2640 §4.1", kLang_first, kNone},
    ReplySequence{"HOST", "RFC 7151 §3.2", kHost_first, kHost_after},
    ReplySequence{"LPRT", "RFC 1639 §2", kLprt_first, kNone},
    ReplySequence{"LPSV", "RFC 1639 §3", kLpsv_first, kNone},
};

bool equal_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}
bool contains(std::span<const int> codes, int code) { return std::find(codes.begin(), codes.end(), code) != codes.end(); }

}  // namespace

std::optional<ReplySequence> find_sequence(std::string_view verb) noexcept {
  for (const auto& entry : kTable)
    if (equal_ignore_case(entry.verb, verb)) return entry;
  return std::nullopt;
}

bool is_allowed(std::string_view verb, int code, ReplyStage stage) noexcept {
  if (code == 421) return true;
  const auto sequence = find_sequence(verb);
  if (!sequence) return code == 500 || code == 502 || code == 501 || code == 530;
  return contains(stage == ReplyStage::first ? sequence->first : sequence->after_preliminary, code);
}

std::string allowed_codes_text(std::string_view verb, ReplyStage stage) {
  const auto sequence = find_sequence(verb);
  if (!sequence) return "500, 501, 502, 530, 421";
  std::string out;
  for (int code : stage == ReplyStage::first ? sequence->first : sequence->after_preliminary) {
    if (!out.empty()) out += ", ";
    out += std::to_string(code);
  }
  return out;
}

Obligation obligation(std::string_view command) noexcept {
  static constexpr std::array<std::string_view, 24> kRequired = {
      "USER", "PASS", "PORT", "PASV", "TYPE", "MODE", "STRU", "RETR", "STOR", "APPE", "RNFR", "RNTO",
      "DELE", "CWD",  "CDUP", "RMD",  "MKD",  "PWD",  "LIST", "NLST", "SYST", "STAT", "HELP", "NOOP"};
  static constexpr std::array<std::string_view, 6> kRecommended = {"XCWD", "XCUP", "XRMD", "XMKD", "XPWD", "ACCT"};
  const std::size_t space = command.find(' ');
  const std::string_view verb = command.substr(0, space);
  const std::string_view arg = space == std::string_view::npos ? std::string_view{} : command.substr(space + 1);
  const auto is = equal_ignore_case;
  const auto listed = [&](const auto& list) { return std::any_of(list.begin(), list.end(), [&](std::string_view v) { return is(verb, v); }); };
  if (is(verb, "QUIT")) return Obligation::required;
  if (listed(kRecommended)) return Obligation::recommended;
  if (!listed(kRequired)) return Obligation::optional;
  if (arg.empty()) return Obligation::required;
  const bool required_parameter = is(verb, "TYPE")   ? is(arg, "A") || is(arg, "A N") || is(arg, "I") || is(arg, "L 8")
                                  : is(verb, "MODE") ? is(arg, "S")
                                  : is(verb, "STRU") ? is(arg, "F")
                                                     : true;
  return required_parameter ? Obligation::required : Obligation::optional;
}

std::span<const ReplySequence> all_sequences() noexcept { return kTable; }

}  // namespace ftpspec::proto
