// Assembles every TYPE x STRU x MODE converter from the same small stages (stage.hpp):
//   encoder: text/type stage -> structure stage -> L n bit packing -> mode framing
//   decoder: mode parsing -> L n bit unpacking -> structure stage -> text/type stage -> output
// TYPE I (or L 8), STRU F, MODE S skips all of it: a plain copy.
#include "codec/codec.hpp"

#include <memory>
#include <utility>
#include <vector>

#include "codec/ebcdic.hpp"
#include "codec/mode_stages.hpp"
#include "codec/stage.hpp"
#include "codec/structure_stages.hpp"
#include "codec/text_stages.hpp"

namespace ftpspec::codec {
namespace {
using namespace detail;

bool is_text(const Representation& rep) { return rep.type == RepType::ascii || rep.type == RepType::ebcdic; }
int logical_bits(const Representation& rep) { return rep.type == RepType::local ? rep.byte_size : 8; }

/// RFC 959 §3.4.3: SP for A and E, zero for I and L.
unsigned char filler_of(const Representation& rep) {
  return rep.type == RepType::ascii ? 0x20 : rep.type == RepType::ebcdic ? ebcdic_space : 0x00;
}

/// Owns the stages of one pipeline; stages are added tail first, `head` receives the input.
/// The Flow lives on the heap so the stages' references survive moving the Pipeline.
struct Pipeline {
  std::unique_ptr<Flow> flow = std::make_unique<Flow>();
  std::vector<std::unique_ptr<Stage>> stages;
  Stage* head = nullptr;

  template <class S, class... Args>
  Stage& add(Args&&... args) {
    stages.push_back(std::make_unique<S>(*flow, std::forward<Args>(args)...));
    head = stages.back().get();
    return *head;
  }
  /// Adds a Forwarding stage in front of the current head.
  template <class S, class... Args>
  Stage& prepend(Args&&... args) {
    return add<S>(*head, std::forward<Args>(args)...);
  }
};

// ---- encoder assembly ----

void add_mode_framer(Pipeline& p, const Representation& rep) {
  switch (rep.mode) {
    case Mode::stream:
      p.add<WireOutput>();
      if (rep.structure == Structure::record) p.prepend<RecordEscapeWriter>(true);
      return;
    case Mode::block: p.add<BlockFramer>(); return;
    case Mode::compressed: p.add<CompressedFramer>(filler_of(rep)); return;
  }
}

void add_text_encoding(Pipeline& p, const Representation& rep) {
  const bool ebcdic = rep.type == RepType::ebcdic;
  const bool asa = rep.format == FormatControl::carriage_control;
  if (rep.structure == Structure::record) {  // each local line is a record
    if (ebcdic) p.prepend<Translator>(latin1_to_ebcdic);
    if (asa) p.prepend<AsaEncoder>();
    p.prepend<LineSplitter>(false, true);
    return;
  }
  if (!asa) {  // N and T: only the end of line changes
    if (ebcdic) {
      p.prepend<Translator>(latin1_to_ebcdic);  // LF -> NL is in the table
    } else {
      p.prepend<LineJoiner>("\r\n");
      p.prepend<LineSplitter>(false, false);
    }
    return;
  }
  p.prepend<LineJoiner>(ebcdic ? std::string_view("\x15", 1) : std::string_view("\r\n"));
  if (ebcdic) p.prepend<Translator>(latin1_to_ebcdic);
  p.prepend<AsaEncoder>();
  p.prepend<LineSplitter>(false, false);
}

Pipeline encoder_pipeline(const Representation& rep) {
  Pipeline p;
  add_mode_framer(p, rep);
  if (logical_bits(rep) != 8) p.prepend<BitPacker>(logical_bits(rep));
  if (rep.structure == Structure::page) p.prepend<PageFramer>(logical_bits(rep));
  if (is_text(rep)) add_text_encoding(p, rep);
  else if (rep.structure == Structure::record) p.prepend<RecordEscapeParser>(false);
  return p;
}

// ---- decoder assembly ----

void add_text_decoding(Pipeline& p, const Representation& rep) {
  const bool ebcdic = rep.type == RepType::ebcdic;
  const bool asa = rep.format == FormatControl::carriage_control;
  if (asa) p.prepend<AsaDecoder>();
  if (rep.structure == Structure::record) {
    if (!asa) p.prepend<LineJoiner>("\n");
  } else if (!asa) {
    if (!ebcdic) {  // E: NL -> LF is in the table
      p.prepend<LineJoiner>("\n");
      p.prepend<LineSplitter>(true, false);
    }
  } else {
    p.prepend<LineSplitter>(!ebcdic, false);  // E: NL is LF once translated
  }
  if (ebcdic) p.prepend<Translator>(ebcdic_to_latin1);
}

Pipeline decoder_pipeline(const Representation& rep) {
  Pipeline p;
  p.add<LocalOutput>();
  if (is_text(rep)) add_text_decoding(p, rep);
  else if (rep.structure == Structure::record) p.prepend<RecordEscapeWriter>(false);
  switch (rep.structure) {
    case Structure::file: p.prepend<DropRecords>(); break;
    case Structure::record: p.prepend<RecordCheck>(); break;
    case Structure::page: p.prepend<PageParser>(logical_bits(rep)); break;
  }
  if (logical_bits(rep) != 8) p.prepend<BitUnpacker>(logical_bits(rep));
  switch (rep.mode) {
    case Mode::stream:
      if (rep.structure == Structure::record) p.prepend<RecordEscapeParser>(true);
      break;
    case Mode::block: p.prepend<BlockParser>(); break;
    case Mode::compressed: p.prepend<CompressedParser>(filler_of(rep)); break;
  }
  return p;
}

// ---- the converters ----

/// TYPE I / L 8, STRU F, MODE S: bytes pass unchanged.
class PlainEncoder final : public Encoder {
 public:
  void put(std::span<const char> local, std::string& wire) override {
    wire.append(local.data(), local.size());
    offset_ += local.size();
  }
  void finish(std::string&) override {}
  std::uint64_t local_offset() const noexcept override { return offset_; }

 private:
  std::uint64_t offset_ = 0;
};

class PlainDecoder final : public Decoder {
 public:
  void put(std::span<const char> wire, std::string& local, std::error_code&) override {
    local.append(wire.data(), wire.size());
  }
  void finish(std::string&, std::error_code&) override {}
};

class PipelineEncoder final : public Encoder {
 public:
  explicit PipelineEncoder(Pipeline pipeline) : p_(std::move(pipeline)) {}
  void put(std::span<const char> local, std::string& wire) override {
    if (p_.flow->ec || finished_) return;
    p_.flow->out = &wire;
    p_.head->data(std::string_view(local.data(), local.size()));
    offset_ += local.size();
  }
  void finish(std::string& wire) override {
    if (p_.flow->ec || finished_) return;
    finished_ = true;
    p_.flow->out = &wire;
    p_.head->end_file();
  }
  bool emit_restart_marker(std::string_view marker, std::string& wire) override {
    if (p_.flow->ec || finished_) return false;
    p_.flow->out = &wire;
    p_.flow->marker_written = false;
    p_.head->restart_marker(marker);
    return p_.flow->marker_written;
  }
  using Encoder::emit_restart_marker;
  std::uint64_t local_offset() const noexcept override { return offset_; }
  std::error_code error() const noexcept override { return p_.flow->ec; }

 private:
  Pipeline p_;
  std::uint64_t offset_ = 0;
  bool finished_ = false;
};

class PipelineDecoder final : public Decoder {
 public:
  explicit PipelineDecoder(Pipeline pipeline) : p_(std::move(pipeline)) {}
  void put(std::span<const char> wire, std::string& local, std::error_code& ec) override {
    if (!p_.flow->ec && !finished_) {
      p_.flow->out = &local;
      p_.head->data(std::string_view(wire.data(), wire.size()));
    }
    if (p_.flow->ec) ec = p_.flow->ec;
  }
  void finish(std::string& local, std::error_code& ec) override {
    if (!p_.flow->ec && !finished_) {
      finished_ = true;
      p_.flow->out = &local;
      p_.head->end_file();
    }
    if (p_.flow->ec) ec = p_.flow->ec;
  }
  bool saw_eof() const noexcept override { return p_.flow->wire_eof; }
  std::vector<RestartMark> take_restart_marks() override { return std::exchange(p_.flow->marks, {}); }

 private:
  Pipeline p_;
  bool finished_ = false;
};

/// Built for a Representation unsupported_reason() refuses: reports representation_unsupported.
class Refusing final : public Encoder, public Decoder {
 public:
  void put(std::span<const char>, std::string&) override {}
  void finish(std::string&) override {}
  std::error_code error() const noexcept override { return errc::representation_unsupported; }
  void put(std::span<const char>, std::string&, std::error_code& ec) override { ec = errc::representation_unsupported; }
  void finish(std::string&, std::error_code& ec) override { ec = errc::representation_unsupported; }
};
}  // namespace

std::string unsupported_reason(const Representation& rep) {
  if (rep.type == RepType::local && (rep.byte_size < 1 || rep.byte_size > 255))
    return "TYPE L needs a logical byte size from 1 to 255 (RFC 959 §3.1.1.4)";
  if (!is_text(rep) && rep.format != FormatControl::non_print)
    return "format control (N, T, C) applies only to TYPE A and E (RFC 959 §3.1.1.5)";
  if (rep.structure == Structure::page && logical_bits(rep) < 3)
    return "STRU P needs a logical byte of at least 3 bits: the page header length (4 or 5) is one logical "
           "byte (RFC 959 §3.1.2.3)";
  return {};
}

std::unique_ptr<Encoder> make_encoder(const Representation& rep) {
  if (!unsupported_reason(rep).empty()) return std::make_unique<Refusing>();
  if (rep.is_plain_binary()) return std::make_unique<PlainEncoder>();
  return std::make_unique<PipelineEncoder>(encoder_pipeline(rep));
}

std::unique_ptr<Decoder> make_decoder(const Representation& rep) {
  if (!unsupported_reason(rep).empty()) return std::make_unique<Refusing>();
  if (rep.is_plain_binary()) return std::make_unique<PlainDecoder>();
  return std::make_unique<PipelineDecoder>(decoder_pipeline(rep));
}

std::string encode_all(const Representation& rep, std::string_view local, std::error_code& ec) {
  auto encoder = make_encoder(rep);
  std::string wire;
  encoder->put(local, wire);
  encoder->finish(wire);
  ec = encoder->error();
  return wire;
}

std::string encode_all(const Representation& rep, std::string_view local) {
  std::error_code ec;
  std::string wire = encode_all(rep, local, ec);
  if (ec) throw std::system_error(ec, "encode_all");
  return wire;
}

std::string decode_all(const Representation& rep, std::string_view wire, std::error_code& ec) {
  auto decoder = make_decoder(rep);
  std::string local;
  decoder->put(wire, local, ec);
  decoder->finish(local, ec);
  return local;
}

}  // namespace ftpspec::codec
