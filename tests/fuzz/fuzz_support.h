// What the libFuzzer targets share: a reader that cuts the fuzzer's bytes into fields, a check
// that stops the run with a message, and fresh seed inputs for targets whose interesting inputs
// are signed (tests/fuzz/README.md).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace truc::fuzz {

// Stops the run when an invariant does not hold: libFuzzer keeps the input as a crash.
inline void Require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

// Cuts the input into fields at a separator byte; the last field is the rest.
class Fields {
 public:
  Fields(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // The bytes up to the next `separator` (or the end), which is consumed.
  std::string_view Next(char separator = '\n') {
    const size_t at = rest_.find(separator);
    std::string_view field = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return field;
  }
  std::string_view Rest() {
    std::string_view rest = rest_;
    rest_ = {};
    return rest;
  }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// With TRUC_FUZZ_FRESH_SEEDS=DIR in the environment, writes `seeds` there as files NAME-i (a
// target calls this from LLVMFuzzerInitialize): inputs signed with this run's throwaway keys,
// which committed seeds cannot be.
inline void WriteFreshSeeds(const std::string& name, const std::vector<std::string>& seeds) {
  const char* dir = std::getenv("TRUC_FUZZ_FRESH_SEEDS");
  if (dir == nullptr || *dir == '\0') return;
  std::filesystem::create_directories(dir);
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream out(std::filesystem::path(dir) / (name + "-" + std::to_string(i)),
                      std::ios::binary);
    out << seeds[i];
  }
}

}  // namespace truc::fuzz
