// Whole-file reads and durable, atomic whole-file writes.
#pragma once

#include <string>
#include <string_view>

#include <sys/types.h>

#include "core/base/status.h"

namespace truc {

// Reads the file at `path`. kNotFound if it does not exist, kPermissionDenied if it cannot be
// opened, kFailedPrecondition if it is larger than `max_bytes`; messages name the path.
StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes = 64 << 20);

enum class WriteMode { kCreateOnly, kReplace };

// Writes `data` to `path` so that readers see either the old file or the whole new one, and the
// new one survives a crash once this returns: a temporary file in the same directory is written,
// fsync'd and renamed (or, for kCreateOnly, hard-linked, which fails with kAlreadyExists when
// `path` exists), then the directory is fsync'd. The file gets permission bits `permissions`
// (e.g. 0600 for keys) regardless of the umask.
Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t permissions,
                           WriteMode mode = WriteMode::kReplace);

// The permission bits (e.g. 0644) of the file at `path`.
StatusOr<mode_t> FilePermissions(const std::string& path);

}  // namespace truc
