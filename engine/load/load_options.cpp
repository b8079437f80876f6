#include "load/load_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace ftpspec::load {

namespace {
constexpr std::string_view kNames[op_kind_count] = {"retr", "stor", "list", "nlst", "noop"};

std::string join_path(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (path.empty() || path.back() != '/') path += '/';
  return path.append(name);
}
}  // namespace

std::string_view op_name(OpKind op) noexcept { return kNames[static_cast<std::size_t>(op)]; }

std::optional<OpKind> parse_op_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < op_kind_count; ++i) {
    const auto& known = kNames[i];
    const bool same = name.size() == known.size() &&
                      std::equal(name.begin(), name.end(), known.begin(), [](char a, char b) {
                        return (a >= 'A' && a <= 'Z' ? char(a - 'A' + 'a') : a) == b;
                      });
    if (same) return static_cast<OpKind>(i);
  }
  return std::nullopt;
}

std::optional<Mix> Mix::parse(std::string_view text, std::string& error) {
  Mix mix;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    const std::size_t colon = item.find(':');
    const std::string_view name = item.substr(0, colon);
    const auto op = parse_op_name(name);
    if (!op) {
      error = fmt::format("unknown operation '{}' (known: retr, stor, list, nlst, noop)", name);
      return std::nullopt;
    }
    unsigned weight = 1;
    if (colon != std::string_view::npos) {
      const std::string_view digits = item.substr(colon + 1);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), weight);
      if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty() || weight > 1'000'000) {
        error = fmt::format("bad weight '{}' for {}", digits, name);
        return std::nullopt;
      }
    }
    if (mix.contains(*op)) {
      error = fmt::format("operation '{}' given twice", name);
      return std::nullopt;
    }
    if (weight == 0) continue;
    mix.entries_.push_back({*op, weight});
    mix.total_ += weight;
  }
  if (mix.total_ == 0) {
    error = "the mix has no operation with a weight above 0";
    return std::nullopt;
  }
  return mix;
}

OpKind Mix::pick(std::uint32_t ticket) const noexcept {
  for (const auto& entry : entries_) {
    if (ticket < entry.weight) return entry.op;
    ticket -= entry.weight;
  }
  return entries_.empty() ? OpKind::noop : entries_.back().op;
}

bool Mix::contains(OpKind op) const noexcept {
  return std::any_of(entries_.begin(), entries_.end(), [op](const Entry& e) { return e.op == op; });
}

std::string Mix::str() const {
  std::string text;
  for (const auto& entry : entries_)
    text += fmt::format("{}{}:{}", text.empty() ? "" : ",", op_name(entry.op), entry.weight);
  return text;
}

std::optional<DataMode> parse_data_mode(std::string_view text) noexcept {
  if (text == "S" || text == "s") return DataMode::stream;
  if (text == "B" || text == "b") return DataMode::block;
  if (text == "best") return DataMode::best;
  return std::nullopt;
}

std::string_view data_mode_name(DataMode mode) noexcept {
  switch (mode) {
    case DataMode::stream: return "S";
    case DataMode::block: return "B";
    case DataMode::best: return "best";
  }
  return "S";
}

std::string retr_path(const LoadOptions& options, unsigned index) {
  return join_path(options.dir, fmt::format("ftpspec-load-{}.dat", index));
}

std::string stor_path(const LoadOptions& options, unsigned user) {
  return join_path(options.dir, fmt::format("ftpspec-load-up-{}.dat", user));
}

}  // namespace ftpspec::load
