#include "core/log/log.h"

#include <atomic>
#include <cstdint>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base/utf8.h"

namespace truc::log {
namespace {

struct GlobalState {
  std::mutex mu;
  LogOptions options;  // Guarded by mu.
  // A copy of options.level, read without the lock to drop disabled events cheaply.
  std::atomic<Level> level{Level::kInfo};
};

GlobalState& State() {
  // Never destroyed, so that logging keeps working during static destruction.
  static auto* const state = new GlobalState();
  return *state;
}

// Appends `text` to `out` with '\', control characters (C0, DEL, C1) and invalid UTF-8 escaped,
// and '"' too when `escape_quotes` is set.
void AppendEscaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    uint32_t code_point = 0;
    const size_t length = Utf8SequenceLength(text, i, code_point);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
      ++i;
      continue;
    }
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f)) {
      out += fmt::format("\\u{:04x}", code_point);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
}

// A key or string value of the text format: bare when that is unambiguous, quoted otherwise.
void AppendTextToken(std::string& out, std::string_view text) {
  std::string escaped;
  AppendEscaped(escaped, text, /*escape_quotes=*/true);
  const bool bare =
      !text.empty() && escaped == text && text.find_first_of(" \"=") == std::string_view::npos;
  if (bare) {
    out += escaped;
  } else {
    out += '"';
    out += escaped;
    out += '"';
  }
}

std::string_view TextLevel(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO ";
    case Level::kWarning:
      return "WARN ";
    case Level::kError:
      return "ERROR";
  }
  return "?????";
}

std::string FormatText(TimePoint time, Level level, std::string_view component,
                       std::string_view message, std::span<const Field> fields) {
  std::string line = FormatRfc3339(time);
  line += ' ';
  line += TextLevel(level);
  line += ' ';
  AppendEscaped(line, component, /*escape_quotes=*/false);
  line += ": ";
  AppendEscaped(line, message, /*escape_quotes=*/false);
  for (const Field& field : fields) {
    line += ' ';
    AppendTextToken(line, field.key());
    line += '=';
    std::visit(
        [&line](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            AppendTextToken(line, value);
          } else if constexpr (std::is_same_v<T, bool>) {
            line += value ? "true" : "false";
          } else {
            line += fmt::format("{}", value);
          }
        },
        field.value());
  }
  return line;
}

std::string FormatJson(TimePoint time, Level level, std::string_view component,
                       std::string_view message, std::span<const Field> fields) {
  nlohmann::ordered_json object;
  object["time"] = FormatRfc3339(time);
  object["level"] = LevelName(level);
  object["component"] = component;
  object["msg"] = message;
  for (const Field& field : fields) {
    const std::string_view name = field.key();
    const bool reserved = name == "time" || name == "level" || name == "component" || name == "msg";
    const std::string key = reserved ? fmt::format("_{}", name) : std::string(name);
    std::visit([&](const auto& value) { object[key] = value; }, field.value());
  }
  return object.dump(-1, ' ', /*ensure_ascii=*/false,
                     nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "unknown";
}

void Configure(LogOptions options) {
  GlobalState& state = State();
  std::lock_guard lock(state.mu);
  state.options = options;
  state.level.store(options.level, std::memory_order_relaxed);
}

bool Logger::Enabled(Level level) { return level >= State().level.load(std::memory_order_relaxed); }

void Logger::Log(Level level, std::string_view message, std::span<const Field> fields) const {
  if (!Enabled(level)) return;
  GlobalState& state = State();
  std::lock_guard lock(state.mu);
  // The level may have been raised since the check above.
  const LogOptions& options = state.options;
  if (level < options.level) return;
  const TimePoint now = options.clock->Now();
  std::string line = options.format == Format::kJson
                         ? FormatJson(now, level, component_, message, fields)
                         : FormatText(now, level, component_, message, fields);
  line += '\n';
  options.output->write(line.data(), static_cast<std::streamsize>(line.size()));
  options.output->flush();
}

}  // namespace truc::log
