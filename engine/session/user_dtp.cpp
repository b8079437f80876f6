// Transfers (RFC 959 §4.1.3) following the RFC 959 §5.4 sequence for transfer commands:
//   [REST -> 350]  command -> 1yz -> data -> 2yz   (or 4yz/5yz at once, no data),
// with the data connection itself in data_link.cpp.
#include <algorithm>
#include <fmt/format.h>
#include <optional>
#include <utility>

#include "codec/codec.hpp"
#include "session/data_link.hpp"
#include "session/session.hpp"
#include "session/session_impl.hpp"

namespace ftpspec::session {
namespace {
bool is_completion(const proto::Reply& reply) { return reply.code / 100 == 2; }

std::string with_path(std::string_view verb, const std::string& path) {
  return path.empty() ? std::string(verb) : fmt::format("{} {}", verb, path);
}

/// After the client gave up on a data connection (closed now, which prompts the server's 426/451),
/// reads the final reply for up to Timeouts::drain so the next command does not get it instead.
void resynchronise(SessionState& s, DataLink& data, TransferResult& result) {
  data.close("closed by the client after a failure");
  if (data.final_reply()) {
    result.final_reply = *data.final_reply();
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + s.timeouts.drain;
  try {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      proto::Reply reply = s.read_reply(std::max(left, std::chrono::milliseconds{0}));
      result.replies.push_back(reply);
      if (!reply.is_preliminary()) {
        result.final_reply = reply;
        return;
      }
    }
  } catch (const Error& e) {
    if (e.code() != errc::timeout) throw;
    s.transcript.event(Channel::control, "no final reply within the drain timeout: a late one may answer the next command");
  }
}

/// Ends a transfer whose data side failed: resynchronise, then throw with the data failure's code.
[[noreturn]] void throw_data_failure(SessionState& s, DataLink& data, TransferResult& result) {
  const DataFailure failure = *data.failure();
  resynchronise(s, data, result);
  std::string what = failure.what;
  if (result.final_reply.code != 0) what += fmt::format("; the server then answered {}", result.final_reply.code);
  throw Error(failure.code, what);
}
}  // namespace

TransferResult Session::transfer(std::string_view line, std::optional<std::string_view> upload,
                                 const TransferOptions& options) {
  if (!upload) return run_transfer(line, nullptr, options);
  // The string as a source: slices of it, in order.
  const UploadSource source = [rest = *upload](std::span<char> buffer) mutable {
    const std::size_t n = std::min(buffer.size(), rest.size());
    std::copy_n(rest.data(), n, buffer.data());
    rest.remove_prefix(n);
    return n;
  };
  return run_transfer(line, &source, options);
}

TransferResult Session::transfer_from(std::string_view line, UploadSource source, const TransferOptions& options) {
  if (!source) throw Error(errc::invalid_argument, "transfer_from needs a source");
  return run_transfer(line, &source, options);
}

TransferResult Session::run_transfer(std::string_view line, const UploadSource* source, const TransferOptions& options) {
  auto& s = *impl_;
  s.require_connected();
  TransferResult result;
  const auto stop = [&](const proto::Reply& reply) {
    result.final_reply = reply;
    result.final_command = s.last_command;
    return result;
  };

  if (options.representation) {
    for (auto& reply : set_representation(*options.representation, options.type_form)) {
      result.replies.push_back(reply);
      if (!is_completion(reply)) return stop(reply);
    }
  }
  DataLink data(s, result);
  if (auto refused = data.prepare(options.connection)) return stop(*refused);

  if (options.restart) {
    s.send_command("REST", std::to_string(*options.restart));
    result.replies.push_back(s.read_reply());
    if (result.replies.back().code != 350) return stop(result.replies.back());
  }

  s.send_line(line);
  proto::Reply reply = s.read_reply();
  result.replies.push_back(reply);
  if (reply.is_negative()) return stop(reply);  // 4yz/5yz: refused, no data connection
  if (!reply.is_preliminary()) {
    const std::string what = fmt::format("\"{}\" answered {} without a 1yz first (RFC 959 §5.4)", escape_bytes(line), reply.code);
    s.transcript.event(Channel::control, what);
    throw Error(errc::unexpected_reply, what);
  }

  // Each step may end early: a final reply arriving instead of the data ends it (not an error); a
  // timeout or TLS failure throws once the control connection is back in step.
  DataWait how = data.open();
  if (how == DataWait::done) {
    if (source) {
      const auto encoder = codec::make_encoder(s.representation);
      how = data.upload(*encoder, *source, options.restart_marker_interval, options.restart.value_or(0), options.keep_open);
      result.codec_error = encoder->error();  // local data the representation cannot carry
    } else {
      // Read the data to its end before the final reply: the 226 may arrive first.
      const auto decoder = codec::make_decoder(s.representation);
      how = data.download(*decoder, options);
    }
  }
  if (how == DataWait::failed) throw_data_failure(s, data, result);
  if (data.final_reply()) {
    if (how == DataWait::ended_by_reply)
      s.transcript.event(Channel::data, fmt::format("the server's final reply {} ended the wait on the data connection", data.final_reply()->code));
    result.data_connection_kept = data.keep(data.final_reply()->code);
    return stop(*data.final_reply());
  }
  if (result.truncated) {
    resynchronise(s, data, result);  // the server may not answer at all after the client's close
    result.final_command = s.last_command;
    return result;
  }
  do {
    reply = s.read_reply();
    result.replies.push_back(reply);
  } while (reply.is_preliminary());
  result.data_connection_kept = data.keep(reply.code);
  return stop(reply);
}

TransferResult Session::retr(const std::string& path, const TransferOptions& options) {
  return transfer(with_path("RETR", path), std::nullopt, options);
}
TransferResult Session::retr_to(const std::string& path, std::function<void(std::string_view)> sink, TransferOptions options) {
  options.sink = std::move(sink);
  return transfer(with_path("RETR", path), std::nullopt, options);
}
TransferResult Session::stor(const std::string& path, std::string_view local_data, const TransferOptions& options) {
  return transfer(with_path("STOR", path), local_data, options);
}
TransferResult Session::stor_from(const std::string& path, UploadSource source, const TransferOptions& options) {
  return transfer_from(with_path("STOR", path), std::move(source), options);
}
TransferResult Session::appe(const std::string& path, std::string_view local_data, const TransferOptions& options) {
  return transfer(with_path("APPE", path), local_data, options);
}
TransferResult Session::stou(std::string_view local_data, const TransferOptions& options) {
  return transfer("STOU", local_data, options);
}
TransferResult Session::list(const std::string& path, const TransferOptions& options) {
  return transfer(with_path("LIST", path), std::nullopt, options);
}
TransferResult Session::nlst(const std::string& path, const TransferOptions& options) {
  return transfer(with_path("NLST", path), std::nullopt, options);
}

}  // namespace ftpspec::session
