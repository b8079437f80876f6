// Streaming converters between a local file (a Unix byte stream) and the bytes on a data
// connection, for any Representation. Sans-I/O and bounded: each put() handles one chunk.
//   Encoder: local bytes -> wire bytes (the sender: RETR on the server, STOR on the client)
//   Decoder: wire bytes -> local bytes (the receiver)
// docs/codecs.md states every mapping rule between local file and wire.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "codec/error.hpp"
#include "codec/representation.hpp"

namespace ftpspec::codec {

/// A restart marker seen by a decoder (RFC 959 §3.5): the sender's marker text and the number
/// of local bytes the decoder had produced when the marker arrived (the receiver's mark).
struct RestartMark {
  std::string marker;
  std::uint64_t local_offset = 0;
  friend bool operator==(const RestartMark&, const RestartMark&) = default;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  /// Appends the wire form of `local` to `wire`.
  virtual void put(std::span<const char> local, std::string& wire) = 0;
  /// Appends whatever ends the transfer (pending bytes, EOF marks / descriptors).
  virtual void finish(std::string& wire) = 0;
  /// MODE B/C only (RFC 959 §3.5): appends a restart marker block (B) or escape + byte string (C)
  /// at the current point, after flushing pending data. Returns false, writing nothing, in MODE S,
  /// for an invalid marker (empty, SP, non-printable, longer than 127 in C / 65535 in B), or
  /// for TYPE L n when the point is not on a transfer-byte boundary.
  virtual bool emit_restart_marker(std::string_view /*marker*/, std::string& /*wire*/) { return false; }
  /// Same, with the marker text being the decimal local_offset() (the meaning ftpspec gives to
  /// markers: REST <marker> resumes at that local byte offset).
  bool emit_restart_marker(std::string& wire) { return emit_restart_marker(std::to_string(local_offset()), wire); }
  /// Local bytes consumed so far.
  virtual std::uint64_t local_offset() const noexcept { return 0; }
  /// Sticky error for local data the representation cannot carry (TYPE L n with a local byte
  /// wider than n bits, a cut logical byte, a bad local record escape); empty when all is well.
  virtual std::error_code error() const noexcept { return {}; }
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  /// Appends the local form of `wire` to `local`; sets `ec` on malformed input (sticky).
  virtual void put(std::span<const char> wire, std::string& local, std::error_code& ec) = 0;
  /// Called at the end of the data (connection closed, or EOF seen); sets `ec` if the wire data
  /// ended in the middle of a unit (truncated header, missing EOF in block mode...).
  virtual void finish(std::string& local, std::error_code& ec) = 0;
  /// True once the wire data itself signalled end of file (MODE B/C EOF descriptor, STRU R EOF
  /// control code, STRU P last page).
  virtual bool saw_eof() const noexcept { return false; }
  /// Restart markers seen since the last call, oldest first (RFC 959 §3.5: a server answers
  /// "110 MARK <theirs> = <ours>").
  virtual std::vector<RestartMark> take_restart_marks() { return {}; }
  /// The marker texts only, same queue as take_restart_marks().
  std::vector<std::string> take_restart_markers() {
    std::vector<std::string> texts;
    for (auto& mark : take_restart_marks()) texts.push_back(std::move(mark.marker));
    return texts;
  }
};

/// Why `rep` cannot be transferred (a server replies 504 with this reason, RFC 959 §5.4), or an
/// empty string when make_encoder/make_decoder support it.
std::string unsupported_reason(const Representation& rep);

/// Builds the converter for `rep`. Never null.
std::unique_ptr<Encoder> make_encoder(const Representation& rep);
std::unique_ptr<Decoder> make_decoder(const Representation& rep);

/// Whole-buffer helpers (for the Python binding and tests). encode_all throws std::system_error
/// when the local data is not representable; the overload with `ec` reports it instead.
std::string encode_all(const Representation& rep, std::string_view local);
std::string encode_all(const Representation& rep, std::string_view local, std::error_code& ec);
/// Decodes a complete transfer (put + finish); `ec` is set on malformed wire data.
std::string decode_all(const Representation& rep, std::string_view wire, std::error_code& ec);

}  // namespace ftpspec::codec
