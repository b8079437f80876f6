// Throughput of every codec, encode and decode, on 8 MiB of local data handed over in 64 KiB
// chunks (as a data connection would). Reports bytes/s of local data.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "codec/codec.hpp"

namespace {
using namespace ftpspec::codec;

constexpr std::size_t data_size = 8u << 20;
constexpr std::size_t chunk_size = 64u << 10;

/// Local data the representation can carry: text lines for A/E, whole records for binary
/// STRU R, logical bytes with zero top bits for L n.
std::string make_local(const Representation& rep) {
  std::mt19937 random(42);
  std::string local;
  local.reserve(data_size + 128);
  const bool text = rep.type == RepType::ascii || rep.type == RepType::ebcdic;
  const int n = rep.type == RepType::local ? rep.byte_size : 8;
  const unsigned first_mask = n % 8 == 0 ? 0xFF : (1u << (n % 8)) - 1;
  const std::size_t unit = static_cast<std::size_t>((n + 7) / 8);
  while (local.size() < data_size) {
    if (text) {
      const auto length = random() % 80;
      for (std::size_t i = 0; i < length; ++i) local += static_cast<char>(' ' + random() % 95);
      local += '\n';
    } else {
      for (std::size_t i = 0; i < unit; ++i) {
        // Runs now and then, so compressed mode has something to do.
        const auto octet = static_cast<unsigned char>(random() % 4 == 0 ? 0 : random());
        local += static_cast<char>(i == 0 ? (octet & first_mask) : octet);
      }
      if (rep.structure == Structure::record && random() % 200 == 0) local += "\xFF\x01";
      if (rep.structure == Structure::record && local.back() == '\xFF') local.back() = 0;
    }
  }
  return local;
}

/// Encodes into `wire` (cleared first; its capacity is kept between iterations, as a data
/// connection reuses its buffer, so the benchmark measures the codec and not malloc + page faults).
void encode_chunked(const Representation& rep, const std::string& local, std::string& wire) {
  wire.clear();
  auto encoder = make_encoder(rep);
  for (std::size_t at = 0; at < local.size(); at += chunk_size)
    encoder->put(std::string_view(local).substr(at, chunk_size), wire);
  encoder->finish(wire);
}

void encode(benchmark::State& state, Representation rep) {
  const std::string local = make_local(rep);
  std::string wire;
  for (auto _ : state) {
    encode_chunked(rep, local, wire);
    benchmark::DoNotOptimize(wire.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * local.size()));
}

void decode(benchmark::State& state, Representation rep) {
  const std::string local = make_local(rep);
  std::string wire;
  encode_chunked(rep, local, wire);
  std::string out;
  for (auto _ : state) {
    auto decoder = make_decoder(rep);
    out.clear();
    std::error_code ec;
    for (std::size_t at = 0; at < wire.size(); at += chunk_size)
      decoder->put(std::string_view(wire).substr(at, chunk_size), out, ec);
    decoder->finish(out, ec);
    if (ec) state.SkipWithError(ec.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * local.size()));
}

Representation rep(RepType type, Structure structure, Mode mode, FormatControl format = FormatControl::non_print,
                   int byte_size = 8) {
  Representation r;
  r.type = type;
  r.format = format;
  r.byte_size = byte_size;
  r.structure = structure;
  r.mode = mode;
  return r;
}

void register_all() {
  struct Named {
    const char* name;
    Representation rep;
  };
  const Named cases[] = {
      {"I/F/S", rep(RepType::image, Structure::file, Mode::stream)},
      {"I/F/B", rep(RepType::image, Structure::file, Mode::block)},
      {"I/F/C", rep(RepType::image, Structure::file, Mode::compressed)},
      {"I/R/S", rep(RepType::image, Structure::record, Mode::stream)},
      {"I/P/S", rep(RepType::image, Structure::page, Mode::stream)},
      {"A-N/F/S", rep(RepType::ascii, Structure::file, Mode::stream)},
      {"A-N/R/S", rep(RepType::ascii, Structure::record, Mode::stream)},
      {"A-C/F/S", rep(RepType::ascii, Structure::file, Mode::stream, FormatControl::carriage_control)},
      {"A-N/F/B", rep(RepType::ascii, Structure::file, Mode::block)},
      {"A-N/F/C", rep(RepType::ascii, Structure::file, Mode::compressed)},
      {"E-N/F/S", rep(RepType::ebcdic, Structure::file, Mode::stream)},
      {"E-N/R/B", rep(RepType::ebcdic, Structure::record, Mode::block)},
      {"L36/F/S", rep(RepType::local, Structure::file, Mode::stream, FormatControl::non_print, 36)},
      {"L36/P/S", rep(RepType::local, Structure::page, Mode::stream, FormatControl::non_print, 36)},
      {"L7/F/S", rep(RepType::local, Structure::file, Mode::stream, FormatControl::non_print, 7)},
  };
  for (const auto& c : cases) {
    benchmark::RegisterBenchmark((std::string("encode/") + c.name).c_str(), encode, c.rep)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("decode/") + c.name).c_str(), decode, c.rep)->Unit(benchmark::kMillisecond);
  }
}
}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
