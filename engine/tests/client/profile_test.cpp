// Client profiles: parsing, diagnostics, and the placeholders a command gets (quoting included).
#include "client/profile.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ftpspec::client {
namespace {

ClientRequest sample_request() {
  ClientRequest request;
  request.operation = Operation::list;
  request.port = 2121;
  request.user = "al ice";
  request.password = "p@ss:w'rd";
  request.path = "dir/two words";
  request.local = "/tmp/work/two words";
  request.workdir = "/tmp/work";
  return request;
}

TEST(ClientProfile, ParsesCommandsContinuationsAndFallbacks) {
  const ProfileResult result = parse_profile(
      "# comment\nname = demo\nversion = demo --version\ndownload = demo get \\\n   {url} \\\n   {local}\nany = demo {operation}\n"
      "upload+tls = demo --tls put {local} {url}\n",
      "/profiles/demo.profile");
  ASSERT_TRUE(result.profile) << result.diagnostics.front().str();
  const ClientProfile& profile = *result.profile;
  EXPECT_EQ(profile.name, "demo");
  EXPECT_EQ(profile.directory, "/profiles");
  EXPECT_EQ(profile.command_for(Operation::download, false), "demo get {url} {local}");
  EXPECT_EQ(profile.command_for(Operation::mkdir, false), "demo {operation}");  // "any"
  EXPECT_EQ(profile.command_for(Operation::upload, true), "demo --tls put {local} {url}");
  EXPECT_FALSE(profile.command_for(Operation::download, true));  // no download+tls, no any+tls
}

TEST(ClientProfile, Diagnostics) {
  auto first = [](std::string_view text) {
    const ProfileResult result = parse_profile(text, "p.profile");
    return result.diagnostics.empty() ? std::string() : result.diagnostics.front().str();
  };
  EXPECT_EQ(first("download curl {url}\n"), "p.profile:1:1: expected 'key = value'");
  EXPECT_EQ(first("fetch = curl\n"),
            "p.profile:1:1: unknown key 'fetch' (name, version, download, upload, list, resume, delete, mkdir, any, "
            "each command also with +tls)");
  EXPECT_EQ(first("download = curl {uri}\n"),
            "p.profile:1:1: unknown placeholder '{uri}' (known: url, root_url, host, port, operation, user, password, "
            "path, remote_dir, name, local, workdir, profile_dir; the quoted ones also as NAME:escaped)");
  EXPECT_EQ(first("download = a\ndownload = b\n"), "p.profile:2:1: duplicate 'download'");
  EXPECT_EQ(first("name = nothing\n"), "p.profile:0: the profile has no command (download = ..., upload = ...)");
  EXPECT_EQ(first("download = a \\"), "p.profile:1:1: the value continues past the end of the file (a trailing '\\')");
  EXPECT_EQ(check_template("echo ${HOME} {url:escaped}"), "unknown placeholder '{url:escaped}' (known: url, root_url, host, "
                                                            "port, operation, user, password, path, remote_dir, name, local, "
                                                            "workdir, profile_dir; the quoted ones also as NAME:escaped)");
}

TEST(ClientProfile, PlaceholdersAreShellSafe) {
  const ClientRequest request = sample_request();
  EXPECT_EQ(request.url(), "ftp://al%20ice:p%40ss%3Aw%27rd@127.0.0.1:2121/dir/two%20words/");  // a list: a folder
  EXPECT_EQ(expand_template("c {url} {user} {password} {path} {remote_dir} {name} {local} {profile_dir} ${HOME} {port}",
                            request, "/p d"),
            "c ftp://al%20ice:p%40ss%3Aw%27rd@127.0.0.1:2121/dir/two%20words/ 'al ice' 'p@ss:w'\\''rd' 'dir/two words' "
            "'dir' 'two words' '/tmp/work/two words' '/p d' ${HOME} 2121");
  // For command languages read on stdin (ftp(1)): a backslash before blanks, quotes, backslashes.
  EXPECT_EQ(expand_template("{path:escaped} {password:escaped}", request, "/"), "'dir/two\\ words' 'p@ss:w\\'\\''rd'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace ftpspec::client
