// Internal: the pieces every codec pipeline is built from. A pipeline is a chain of push stages;
// each receives events (data, end of record, end of file, restart marker) and forwards transformed
// events to the next one. Encoders run type -> structure -> logical-byte packing -> mode framing;
// decoders run the same pieces in reverse. Not part of the public API.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "codec/codec.hpp"
#include "codec/error.hpp"

namespace ftpspec::codec::detail {

/// State shared by all stages of one pipeline.
struct Flow {
  std::string* out = nullptr;     ///< where the last stage appends (wire or local bytes)
  std::error_code ec;             ///< sticky: set once, every stage stops
  bool marker_written = false;    ///< encoder: the mode framer wrote the last restart marker
  bool wire_eof = false;          ///< decoder: the wire data itself signalled end of file
  std::uint64_t local_bytes = 0;  ///< decoder: local bytes produced so far
  std::vector<RestartMark> marks; ///< decoder: restart markers seen, oldest first

  void fail(errc e) {
    if (!ec) ec = e;
  }
};

/// One push stage. "Record" also means "line" inside the text stages.
class Stage {
 public:
  virtual ~Stage() = default;
  virtual void data(std::string_view bytes) = 0;
  virtual void end_record() = 0;
  virtual void end_file() = 0;
  virtual void restart_marker(std::string_view marker) = 0;
};

/// A stage that forwards every event it does not override to `next`.
class Forwarding : public Stage {
 public:
  Forwarding(Flow& flow, Stage& next) : flow_(flow), next_(next) {}
  void data(std::string_view bytes) override { next_.data(bytes); }
  void end_record() override { next_.end_record(); }
  void end_file() override { next_.end_file(); }
  void restart_marker(std::string_view marker) override { next_.restart_marker(marker); }

 protected:
  Flow& flow_;
  Stage& next_;
};

/// Decoder tail: appends local bytes and counts them.
class LocalOutput final : public Stage {
 public:
  explicit LocalOutput(Flow& flow) : flow_(flow) {}
  void data(std::string_view bytes) override {
    flow_.out->append(bytes);
    flow_.local_bytes += bytes.size();
  }
  void end_record() override {}
  void end_file() override {}
  void restart_marker(std::string_view) override {}

 private:
  Flow& flow_;
};

/// True when `marker` may be sent as a restart marker: 1..max printable characters, no SP
/// (RFC 959 §3.4.2).
bool restart_marker_valid(std::string_view marker, std::size_t max_size) noexcept;

}  // namespace ftpspec::codec::detail
