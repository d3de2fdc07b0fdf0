#include "core/timestamp/serial_counter.h"

#include <charconv>

#include <fmt/format.h>

#include "core/base/file.h"
#include "core/base/strings.h"

namespace truc::timestamp {

StatusOr<std::unique_ptr<SerialCounter>> SerialCounter::Open(std::string path, uint64_t block) {
  uint64_t next = 1;
  StatusOr<std::string> contents = ReadFile(path, 64);
  if (contents.ok()) {
    const std::string_view text = TrimWhitespace(*contents);
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), next);
    if (error != std::errc() || end != text.data() + text.size() || next == 0) {
      return DataLossError(
          fmt::format("serial state file {} is corrupt ('{}'); refusing to reuse serial numbers",
                      path, text),
          "tsa.serial_state_corrupt");
    }
  } else if (contents.status().code() != StatusCode::kNotFound) {
    return contents.status();
  }
  return std::unique_ptr<SerialCounter>(new SerialCounter(std::move(path), block, next));
}

StatusOr<uint64_t> SerialCounter::Next() {
  std::lock_guard lock(mu_);
  if (next_ == reserved_end_) {
    const uint64_t new_end = reserved_end_ + block_;
    TRUC_RETURN_IF_ERROR(
        WriteFileAtomically(path_, fmt::format("{}\n", new_end), 0600, WriteMode::kReplace)
            .Annotate("cannot reserve timestamp serial numbers"));
    reserved_end_ = new_end;
  }
  return next_++;
}

}  // namespace truc::timestamp
