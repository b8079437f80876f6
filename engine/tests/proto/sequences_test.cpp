// The RFC 959 §5.4 table and its extensions.
#include "proto/sequences.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ftpspec::proto {
namespace {

TEST(Sequences, SpotChecksAgainstRfc959Section5_4) {
  EXPECT_TRUE(is_allowed("TYPE", 504));
  EXPECT_FALSE(is_allowed("TYPE", 502));  // TYPE is in the §5.1 minimum: 502 is not an answer
  EXPECT_TRUE(is_allowed("MODE", 504));
  EXPECT_TRUE(is_allowed("retr", 150));
  EXPECT_FALSE(is_allowed("RETR", 226));  // a completion needs a 1yz first
  EXPECT_TRUE(is_allowed("RETR", 226, ReplyStage::after_preliminary));
  EXPECT_FALSE(is_allowed("RETR", 150, ReplyStage::after_preliminary));
  EXPECT_FALSE(is_allowed("NOOP", 250));
  EXPECT_TRUE(is_allowed("ABOR", 225));
  EXPECT_FALSE(is_allowed("DELE", 226));
  EXPECT_TRUE(is_allowed("RNTO", 503));
  EXPECT_FALSE(is_allowed("MKD", 250));
  EXPECT_FALSE(is_allowed("QUIT", 200));
}

TEST(Sequences, AnyCommandMayGet421) {
  for (const auto& entry : all_sequences()) EXPECT_TRUE(is_allowed(entry.verb, 421)) << entry.verb;
}

TEST(Sequences, UnknownVerbsAllowOnlyRejections) {
  EXPECT_TRUE(is_allowed("XYZZ", 500));
  EXPECT_TRUE(is_allowed("XYZZ", 502));
  EXPECT_FALSE(is_allowed("XYZZ", 200));
}

TEST(Sequences, TableIsWellFormed) {
  std::set<std::string> seen;
  for (const auto& entry : all_sequences()) {
    EXPECT_TRUE(seen.insert(std::string(entry.verb)).second) << "duplicate " << entry.verb;
    EXPECT_FALSE(entry.first.empty()) << entry.verb;
    EXPECT_FALSE(entry.source.empty()) << entry.verb;
    for (int code : entry.first) EXPECT_TRUE(code >= 110 && code <= 559) << entry.verb << " " << code;
    const bool has_preliminary = std::any_of(entry.first.begin(), entry.first.end(), [](int c) { return c / 100 == 1; });
    EXPECT_EQ(has_preliminary, !entry.after_preliminary.empty()) << entry.verb;
  }
  // Every command of RFC 959 §4.1 is in the table.
  for (const char* verb : {"USER", "PASS", "ACCT", "CWD", "CDUP", "SMNT", "REIN", "QUIT", "PORT", "PASV", "TYPE",
                           "STRU", "MODE", "RETR", "STOR", "STOU", "APPE", "ALLO", "REST", "RNFR", "RNTO", "ABOR",
                           "DELE", "RMD", "MKD", "PWD", "LIST", "NLST", "SITE", "SYST", "STAT", "HELP", "NOOP"})
    EXPECT_TRUE(find_sequence(verb)) << verb;
}

TEST(Sequences, AllowedCodesText) {
  EXPECT_EQ(allowed_codes_text("NOOP"), "200, 500, 421");
}

}  // namespace
}  // namespace ftpspec::proto
