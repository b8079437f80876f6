// Listing lines: RFC 3659 §7.2 MLSx entries and the LIST styles servers use (Unix, DOS, EPLF).
#include "proto/listing.hpp"

#include <gtest/gtest.h>

namespace ftpspec::proto {
namespace {

TEST(Mlsx, ParsesTheRfcExampleFacts) {
  // RFC 3659 §7.4's sample facts, with a name.
  const auto entry =
      parse_mlsx_line("size=4161;lang=en-US;modify=19970214165800;create=19961001124534;type=file;x.myfact=foo,bar; a b.txt\r\n");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->name, "a b.txt");
  EXPECT_EQ(entry->facts.size(), 6u);
  EXPECT_EQ(*entry->fact("Size"), "4161");
  EXPECT_EQ(*entry->fact("x.myfact"), "foo,bar");
  EXPECT_EQ(entry->fact("perm"), nullptr);
}

TEST(Mlsx, FactNamesAreCaseInsensitiveValuesAreNot) {
  const auto entry = parse_mlsx_line("Type=Dir;UNIX.mode=0755;Perm=ElCmP; sub");
  ASSERT_TRUE(entry);
  EXPECT_EQ(*entry->fact("type"), "Dir");
  EXPECT_EQ(*entry->fact("unix.MODE"), "0755");
  EXPECT_EQ(format_mlsx_entry(*entry), "perm=ElCmP;type=Dir;unix.mode=0755; sub");
}

TEST(Mlsx, EntryWithoutFactsIsSpaceThenName) {
  const auto entry = parse_mlsx_line(" only-a-name");
  ASSERT_TRUE(entry);
  EXPECT_TRUE(entry->facts.empty());
  EXPECT_EQ(entry->name, "only-a-name");
}

TEST(Mlsx, NameKeepsLeadingSpacesAndSemicolons) {
  const auto entry = parse_mlsx_line("type=file;  x;y=z");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->name, " x;y=z");
}

struct Rejection {
  std::string_view line;
  std::size_t offset;
  std::string_view message_part;
};

class MlsxRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(MlsxRejects, WithOffsetAndReason) {
  ListingError error;
  EXPECT_FALSE(parse_mlsx_line(GetParam().line, &error));
  EXPECT_EQ(error.offset, GetParam().offset) << error.message;
  EXPECT_NE(error.message.find(GetParam().message_part), std::string::npos) << error.message;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc3659Section7_2, MlsxRejects,
    ::testing::Values(Rejection{"", 0, "empty entry"},
                      Rejection{"type=file;name", 14, "expected '='"},    // no SP: "name" read as a fact
                      Rejection{"type=file name", 9, "expected ';'"},   // SP inside the facts
                      Rejection{"type=file;", 10, "expected SP"},
                      Rejection{"type=file; ", 11, "empty pathname"},
                      Rejection{"typefile; x", 8, "expected '='"},
                      Rejection{"=file; x", 0, "fact name"},
                      Rejection{"size=12k; x", 5, "1*DIGIT"},
                      Rejection{"size=; x", 5, "1*DIGIT"},
                      Rejection{"modify=2020; x", 7, "YYYYMMDDHHMMSS"},
                      Rejection{"modify=20200101000000.; x", 7, "YYYYMMDDHHMMSS"},
                      Rejection{"perm=rwz; x", 5, "'z'"},
                      Rejection{"type=; x", 5, "type fact"},
                      Rejection{"type=file;Type=dir; x", 10, "twice"},
                      Rejection{"x.a=b c;d; x", 5, "expected ';'"},
                      Rejection{"x.a=b*; x", 5, "expected ';'"},
                      Rejection{std::string_view("type=file; a\0b", 14), 12, "NUL"}));

TEST(Mlsx, AcceptsFractionalTimesAndLfOnly) {
  const auto entry = parse_mlsx_line("modify=20200101120000.123;type=cdir; .\n");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->name, ".");
  EXPECT_EQ(*entry->fact("modify"), "20200101120000.123");
}

TEST(ListUnix, FileDirectoryAndSymlink) {
  auto file = parse_list_line("-rw-r--r--   1 ftp  ftp      4161 Feb 14  1997 read me.txt\r\n");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->style, ListingStyle::unix_ls);
  EXPECT_EQ(file->type, EntryType::file);
  EXPECT_EQ(file->name, "read me.txt");
  EXPECT_EQ(file->size, 4161u);

  auto dir = parse_list_line("drwxr-xr-x+ 2 user group 4096 Jan  1 12:34 sub");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->type, EntryType::directory);
  EXPECT_EQ(dir->name, "sub");

  auto link = parse_list_line("lrwxrwxrwx 1 root root 4 Mar 3 2020 escape -> /etc");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->type, EntryType::symlink);
  EXPECT_EQ(link->name, "escape");
  EXPECT_EQ(link->link_target, "/etc");
}

TEST(ListUnix, WithoutGroupAndDeviceWithoutSize) {
  auto no_group = parse_list_line("-rw-r--r-- 1 owner 12 Dec 31 23:59 f");
  ASSERT_TRUE(no_group);
  EXPECT_EQ(no_group->size, 12u);
  auto device = parse_list_line("crw-rw-rw- 1 root root 1, 3 Jan 1 12:34 null");
  ASSERT_TRUE(device);
  EXPECT_EQ(device->type, EntryType::other);
  EXPECT_FALSE(device->size);
  EXPECT_EQ(device->name, "null");
}

TEST(ListUnix, NameMayLookLikeADate) {
  auto entry = parse_list_line("-rw-r--r-- 1 a b 5 Jan 1 2020 Jan 2 12:00 x");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->name, "Jan 2 12:00 x");
}

TEST(ListUnix, SummaryAndBrokenLinesAreErrors) {
  ListingError error;
  EXPECT_FALSE(parse_list_line("total 12", &error));
  EXPECT_EQ(error.message, "summary line");
  EXPECT_FALSE(parse_list_line("-rw-r--r-- 1 a b 5 Jan 1 2020", &error));
  EXPECT_NE(error.message.find("no name"), std::string::npos);
  EXPECT_FALSE(parse_list_line("-rw-r--r-- 1 a b 5 Foo 1 2020 x", &error));
  EXPECT_EQ(error.offset, 11u);
  EXPECT_FALSE(parse_list_line("hello world", &error));
  EXPECT_NE(error.message.find("not a Unix"), std::string::npos);
}

TEST(ListDos, DirectoryAndFile) {
  auto dir = parse_list_line("01-15-20  10:30AM       <DIR>          Program Files");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->style, ListingStyle::dos);
  EXPECT_EQ(dir->type, EntryType::directory);
  EXPECT_EQ(dir->name, "Program Files");
  EXPECT_FALSE(dir->size);
  auto file = parse_list_line("12-31-2019  22:05               1234 a.txt");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->size, 1234u);
  EXPECT_EQ(file->name, "a.txt");
  ListingError error;
  EXPECT_FALSE(parse_list_line("01-15-20  10:30XM <DIR> x", &error));
  EXPECT_FALSE(parse_list_line("01-15-20  10:30AM big x", &error));
  EXPECT_EQ(error.offset, 18u);
}

TEST(ListEplf, FactsAndName) {
  auto file = parse_list_line("+i8388621.48594,m825718503,r,s280,\tdjb.html\r\n");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->style, ListingStyle::eplf);
  EXPECT_EQ(file->type, EntryType::file);
  EXPECT_EQ(file->size, 280u);
  EXPECT_EQ(file->name, "djb.html");
  auto dir = parse_list_line("+i8388621.50690,m824255907,/,\t514");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->type, EntryType::directory);
  EXPECT_EQ(dir->name, "514");
  ListingError error;
  EXPECT_FALSE(parse_list_line("+r,s280", &error));
  EXPECT_NE(error.message.find("TAB"), std::string::npos);
  EXPECT_FALSE(parse_list_line("+r,sx,\tname", &error));
  EXPECT_EQ(error.offset, 4u);
}

}  // namespace
}  // namespace ftpspec::proto
