// Latency distribution with bounded memory and ~3% relative precision (HdrHistogram's idea in
// miniature): 32 linear sub-buckets per power of two of microseconds. Merging is adding counts,
// so every I/O thread keeps its own and the report adds them up.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>

namespace ftpspec::load {

class LatencyHistogram {
 public:
  void record(std::chrono::microseconds latency) noexcept;
  void merge(const LatencyHistogram& other) noexcept;
  std::uint64_t count() const noexcept { return count_; }
  /// The latency at or below which `fraction` (0..1] of the samples lie, to the bucket's
  /// precision; exact for the maximum. Zero when empty.
  std::chrono::microseconds percentile(double fraction) const noexcept;
  std::chrono::microseconds max() const noexcept { return std::chrono::microseconds(max_); }
  std::chrono::microseconds mean() const noexcept;

 private:
  static constexpr unsigned sub_bits = 5;
  static constexpr std::uint64_t sub_count = 1u << sub_bits;
  static constexpr std::size_t bucket_count = sub_count * (64 - sub_bits + 1);
  static std::size_t bucket_of(std::uint64_t micros) noexcept;
  /// The largest value that falls into `bucket`.
  static std::uint64_t upper_bound_of(std::size_t bucket) noexcept;

  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace ftpspec::load
