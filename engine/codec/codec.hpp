// Streaming converters between a local file (a Unix byte stream) and the bytes on a data
// connection, for any Representation. Sans-I/O and bounded: each put() handles one chunk.
//   Encoder: local bytes -> wire bytes (the sender: RETR on the server, STOR on the client)
//   Decoder: wire bytes -> local bytes (the receiver)
#pragma once
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "codec/representation.hpp"

namespace ftpspec::codec {

class Encoder {
 public:
  virtual ~Encoder() = default;
  /// Appends the wire form of `local` to `wire`.
  virtual void put(std::span<const char> local, std::string& wire) = 0;
  /// Appends whatever ends the transfer (pending bytes, EOF marks / descriptors).
  virtual void finish(std::string& wire) = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  /// Appends the local form of `wire` to `local`; sets `ec` on malformed input (sticky).
  virtual void put(std::span<const char> wire, std::string& local, std::error_code& ec) = 0;
  /// Called at the end of the data (connection closed, or EOF seen); sets `ec` if the wire data
  /// ended in the middle of a unit (truncated header, missing EOF in block mode...).
  virtual void finish(std::string& local, std::error_code& ec) = 0;
  /// True once the wire data itself signalled end of file (MODE B/C EOF descriptor).
  virtual bool saw_eof() const noexcept { return false; }
};

/// Why `rep` cannot be transferred (a server replies 504 with this reason, RFC 959 §5.4), or an
/// empty string when make_encoder/make_decoder support it.
std::string unsupported_reason(const Representation& rep);

/// Builds the converter for `rep`. Never null.
std::unique_ptr<Encoder> make_encoder(const Representation& rep);
std::unique_ptr<Decoder> make_decoder(const Representation& rep);

}  // namespace ftpspec::codec
