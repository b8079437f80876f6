// Placeholder pipeline for the foundation: TYPE I/L 8 pass bytes through, TYPE A N in stream mode
// converts LF <-> CRLF. The full TYPE x STRU x MODE matrix replaces this file (issue 3).
#include "codec/codec.hpp"

namespace ftpspec::codec {
namespace {
class Identity final : public Encoder, public Decoder {
 public:
  void put(std::span<const char> in, std::string& out) override { out.append(in.data(), in.size()); }
  void finish(std::string&) override {}
  void put(std::span<const char> in, std::string& out, std::error_code&) override { out.append(in.data(), in.size()); }
  void finish(std::string&, std::error_code&) override {}
};

class AsciiEncoder final : public Encoder {
 public:
  void put(std::span<const char> in, std::string& out) override {
    for (char c : in) {
      if (c == '\n') out += '\r';
      out += c;
    }
  }
  void finish(std::string&) override {}
};

class AsciiDecoder final : public Decoder {
 public:
  void put(std::span<const char> in, std::string& out, std::error_code&) override {
    for (char c : in) {
      if (pending_cr_) {
        pending_cr_ = false;
        if (c != '\n') out += '\r';
      }
      if (c == '\r') pending_cr_ = true;
      else out += c;
    }
  }
  void finish(std::string& out, std::error_code&) override {
    if (pending_cr_) out += '\r';
    pending_cr_ = false;
  }

 private:
  bool pending_cr_ = false;
};
}  // namespace

std::string unsupported_reason(const Representation& rep) {
  if (rep.structure != Structure::file) return "only file structure is implemented so far";
  if (rep.mode != Mode::stream) return "only stream mode is implemented so far";
  if (rep.type == RepType::ebcdic) return "EBCDIC is not implemented so far";
  if (rep.type == RepType::local && rep.byte_size != 8) return "only L 8 is implemented so far";
  if (rep.type == RepType::ascii && rep.format != FormatControl::non_print) return "only non-print format is implemented so far";
  return {};
}

std::unique_ptr<Encoder> make_encoder(const Representation& rep) {
  if (rep.type == RepType::ascii) return std::make_unique<AsciiEncoder>();
  return std::make_unique<Identity>();
}
std::unique_ptr<Decoder> make_decoder(const Representation& rep) {
  if (rep.type == RepType::ascii) return std::make_unique<AsciiDecoder>();
  return std::make_unique<Identity>();
}

}  // namespace ftpspec::codec
