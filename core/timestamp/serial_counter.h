// Serial numbers for timestamp tokens that stay unique across restarts and crashes.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/base/status.h"

namespace truc::timestamp {

// Hands out increasing serial numbers. Serials are reserved on disk in blocks: before the first
// serial of a block is used, the end of the block is written durably to the state file, so after
// a crash the counter resumes past anything it may have handed out (some serials are skipped,
// none repeats). Thread-safe.
class SerialCounter {
 public:
  static constexpr uint64_t kDefaultBlock = 4096;

  // Opens (or creates) the state file. kDataLoss if the file exists but is not a valid counter
  // state, naming it: refusing is safer than restarting from 1.
  static StatusOr<std::unique_ptr<SerialCounter>> Open(std::string path,
                                                       uint64_t block = kDefaultBlock);

  // The next serial. Fails (nothing handed out) when the next block cannot be reserved durably.
  StatusOr<uint64_t> Next();

 private:
  SerialCounter(std::string path, uint64_t block, uint64_t next)
      : path_(std::move(path)), block_(block), next_(next), reserved_end_(next) {}

  const std::string path_;
  const uint64_t block_;
  std::mutex mu_;
  uint64_t next_;          // Guarded by mu_.
  uint64_t reserved_end_;  // Guarded by mu_. Serials below it are durably reserved.
};

}  // namespace truc::timestamp
