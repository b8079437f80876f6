#include "load/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ftpspec::load {

std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) noexcept {
  if (micros < sub_count) return static_cast<std::size_t>(micros);
  const unsigned exponent = static_cast<unsigned>(std::bit_width(micros)) - 1;  // >= sub_bits
  const unsigned shift = exponent - sub_bits;
  return static_cast<std::size_t>(sub_count * (shift + 1) + ((micros >> shift) - sub_count));
}

std::uint64_t LatencyHistogram::upper_bound_of(std::size_t bucket) noexcept {
  if (bucket < sub_count) return bucket;
  const std::uint64_t shift = bucket / sub_count - 1;
  const std::uint64_t mantissa = sub_count + bucket % sub_count;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::record(std::chrono::microseconds latency) noexcept {
  const auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
  ++buckets_[bucket_of(micros)];
  ++count_;
  sum_ += micros;
  max_ = std::max(max_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

std::chrono::microseconds LatencyHistogram::percentile(double fraction) const noexcept {
  if (count_ == 0) return {};
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(clamped * double(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::chrono::microseconds(std::min(upper_bound_of(i), max_));
  }
  return max();
}

std::chrono::microseconds LatencyHistogram::mean() const noexcept {
  return std::chrono::microseconds(count_ == 0 ? 0 : sum_ / count_);
}

}  // namespace ftpspec::load
