// Where an auditor's last verification of a gateway's audit log ended, so that the next one
// resumes there (`truc audit verify --checkpoint FILE`): the size and root of the sealed head it
// verified. The next run verifies only the records after it, and that the log before them is
// still the one verified (its root, from the tree's frontier and from a consistency proof).
//
// The file is JSON, written by `truc` and meant to be kept by the auditor:
//   {"server_id": "VN/GOV/000100/gw1", "size": 1000000, "root": "<64 hex digits>",
//    "verified_at": "2026-12-07T10:00:00Z", "configuration_version": 42}
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/clock.h"
#include "core/base/status.h"

namespace truc::cli {

struct VerifyCheckpoint {
  std::string server_id;
  uint64_t size = 0;
  std::string root;  // 32 bytes.
  TimePoint verified_at;
  uint64_t configuration_version = 0;
};

// The checkpoint in the file at `path`, nullopt when there is no file. kInvalidArgument
// ("cli.bad_checkpoint") naming the file and the field for anything malformed.
StatusOr<std::optional<VerifyCheckpoint>> ReadVerifyCheckpoint(const std::string& path);

// Replaces the file at `path` with `checkpoint` (atomically, mode 0644).
Status WriteVerifyCheckpoint(const std::string& path, const VerifyCheckpoint& checkpoint);

}  // namespace truc::cli
