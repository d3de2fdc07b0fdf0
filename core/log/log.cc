#include "core/log/log.h"

#include <atomic>
#include <cstdint>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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

// Length in bytes of the UTF-8 sequence starting at s[i], or 0 if it is malformed (overlong forms,
// surrogates and code points above U+10FFFF included). Stores the code point in `code_point`.
size_t Utf8SequenceLength(std::string_view s, size_t i, uint32_t& code_point) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length;
  uint32_t min_code_point;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  if ((lead & 0xe0) == 0xc0) {
    length = 2, min_code_point = 0x80, code_point = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, min_code_point = 0x800, code_point = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, min_code_point = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3f);
  }
  const bool surrogate = code_point >= 0xd800 && code_point <= 0xdfff;
  if (code_point < min_code_point || code_point > 0x10ffff || surrogate) return 0;
  return length;
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
