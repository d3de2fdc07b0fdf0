// Structured logging: one line per event, with a level, the component that logged it, a message
// and key/value fields. Human-readable text by default, one JSON object per line on request.
//
//   Logger log("gateway");
//   log.Info("listening", {{"address", address}, {"port", 8443}});
//
// text: 2026-11-23T16:40:50.123Z INFO  gateway: listening address=127.0.0.1 port=8443
// json: {"time":"2026-11-23T16:40:50.123Z","level":"info","component":"gateway","msg":"listening",
//        "address":"127.0.0.1","port":8443}
//
// Text format. Time (RFC 3339, UTC, milliseconds), the level as DEBUG, INFO, WARN or ERROR padded
// to five characters, "component:", the message, then " key=value" per field in the order given.
// The component and message are written as they are, except that '\', control characters and
// bytes that are not UTF-8 are escaped (\\, \n, \r, \t, \u00XX, \xNN). A key or string value is
// written bare when it is non-empty and holds no space, '"', '=', '\', control character or
// invalid UTF-8; otherwise it is written in double quotes with '"' and '\' escaped as well.
// Non-ASCII UTF-8 is kept. Numbers are decimal (doubles in their shortest exact form, "nan",
// "inf"), booleans true/false.
//
// JSON format. An object with "time", "level" ("debug", "info", "warning", "error"), "component",
// "msg", then the fields in order. Strings are escaped as JSON requires and non-ASCII is kept as
// UTF-8; bytes that are not UTF-8 become U+FFFD. A field whose key is one of the four above is
// written with a leading '_' ("_msg"); when keys repeat, the last value is kept at the place of the
// first. Non-finite doubles are written as null.
//
// Either way a line never contains a raw newline, and each line is written with a single write
// under a process-wide mutex, so lines from concurrent threads never interleave.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/base/clock.h"

namespace truc::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

enum class Format { kText, kJson };

// "debug", "info", "warning", "error".
std::string_view LevelName(Level level);

struct LogOptions {
  // Events below this level are dropped.
  Level level = Level::kInfo;
  Format format = Format::kText;
  // Where lines go. Not owned; must stay valid until a later Configure() that replaces it has
  // returned. Only the logger writes to it while it is configured.
  std::ostream* output = &std::cerr;
  // Where the time of each line comes from. Not owned; same lifetime rule as `output`.
  const Clock* clock = &SystemClock::Instance();
};

// Replaces the process-wide options. Thread-safe: lines being written finish with the old options,
// and once Configure returns no line uses the old stream or clock. Until the first call, the
// defaults of LogOptions apply.
void Configure(LogOptions options);

namespace internal {
template <typename T>
concept ExactlyBool = std::same_as<T, bool>;
template <typename T>
concept LoggableInteger =
    std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
    !std::same_as<T, signed char> && !std::same_as<T, unsigned char> && !std::same_as<T, wchar_t> &&
    !std::same_as<T, char8_t> && !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;
}  // namespace internal

// One key/value pair of an event. A view: it refers to the key and to a string value without
// copying them, so it is only meant to be built in the argument list of a logging call.
class Field {
 public:
  using Value = std::variant<std::string_view, int64_t, uint64_t, double, bool>;

  Field(std::string_view key, std::string_view value) : key_(key), value_(value) {}
  Field(std::string_view key, const char* value) : key_(key), value_(std::string_view(value)) {}
  Field(std::string_view key, const std::string& value)
      : key_(key), value_(std::string_view(value)) {}
  // Any integer type but bool and the character types, which would otherwise convert silently.
  template <internal::LoggableInteger T>
  Field(std::string_view key, T value) : key_(key), value_(MakeInteger(value)) {}
  template <std::floating_point T>
  Field(std::string_view key, T value) : key_(key), value_(static_cast<double>(value)) {}
  // A template so that pointers and other types do not convert to bool by accident.
  template <internal::ExactlyBool T>
  Field(std::string_view key, T value) : key_(key), value_(value) {}

  std::string_view key() const { return key_; }
  const Value& value() const { return value_; }

 private:
  template <typename T>
  static Value MakeInteger(T value) {
    if constexpr (std::is_signed_v<T>) {
      return static_cast<int64_t>(value);
    } else {
      return static_cast<uint64_t>(value);
    }
  }

  std::string_view key_;
  Value value_;
};

// Logs on behalf of one component ("gateway", "registry.sync"). Immutable and thread-safe: one
// Logger may be shared by any number of threads. Logging reports no errors: a line the stream
// fails to take is lost. It throws only std::bad_alloc when memory runs out, or what the output
// stream throws if it was told to throw.
class Logger {
 public:
  explicit Logger(std::string component) : component_(std::move(component)) {}

  const std::string& component() const { return component_; }

  // Whether an event at `level` would currently be written; lets callers skip costly fields.
  static bool Enabled(Level level);

  void Debug(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kDebug, message, std::span(fields.begin(), fields.size()));
  }
  void Info(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kInfo, message, std::span(fields.begin(), fields.size()));
  }
  void Warning(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kWarning, message, std::span(fields.begin(), fields.size()));
  }
  void Error(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kError, message, std::span(fields.begin(), fields.size()));
  }

  // Writes one line if `level` is enabled.
  void Log(Level level, std::string_view message, std::span<const Field> fields) const;

 private:
  std::string component_;
};

}  // namespace truc::log
