// What every benchmark program shares: timing the best of several rounds and printing one
// aligned line per measurement.
#pragma once

#include <algorithm>
#include <chrono>
#include <string_view>

#include <fmt/format.h>

namespace truc::bench {

// Runs `work` `rounds` times and returns the fastest run in seconds.
template <typename Work>
double BestSeconds(int rounds, Work work) {
  double best = 1e30;
  for (int round = 0; round < rounds; ++round) {
    const auto start = std::chrono::steady_clock::now();
    work();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return best;
}

// "what    12.34 ms    123456 unit/s"
inline void Report(std::string_view what, size_t count, std::string_view unit, double seconds) {
  fmt::print("{:<48} {:>9.2f} ms   {:>12.0f} {}/s\n", what, seconds * 1e3,
             static_cast<double>(count) / seconds, unit);
}

}  // namespace truc::bench
