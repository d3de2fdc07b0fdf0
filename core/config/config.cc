#include "core/config/config.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <unordered_set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/config/duration.h"
#include "core/config/messages.h"

namespace truc::config {
namespace internal {

struct DocumentState {
  std::string source_name;
  toml::table root;
  // Every node that a getter has looked up. Nodes live on the heap and never move, so their
  // addresses identify them for the document's lifetime.
  std::unordered_set<const toml::node*> read;
};

// The one place that reaches into ConfigTable's private members.
struct TableAccess {
  static DocumentState& Doc(const ConfigTable& table) { return *table.doc_; }
  static const toml::table* Table(const ConfigTable& table) {
    return static_cast<const toml::table*>(table.table_);
  }
  static ConfigTable Make(DocumentState* doc, const toml::table* table, std::string path) {
    return ConfigTable(doc, table, std::move(path));
  }
};

}  // namespace internal

namespace {

using internal::DocumentState;
using internal::TableAccess;

constexpr std::string_view kInvalid = "config.invalid";
constexpr std::string_view kMissing = "config.missing";
constexpr std::string_view kUnreadable = "config.unreadable";

bool IsBareKey(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string JoinPath(std::string_view path, std::string_view key) {
  std::string quoted = IsBareKey(key) ? std::string(key) : internal::QuoteForMessage(key);
  if (path.empty()) return quoted;
  return fmt::format("{}.{}", path, quoted);
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
  }
  return "unknown";
}

// "source:line:column" for a known position, "source" otherwise.
std::string Where(const DocumentState& doc, const toml::source_position& position) {
  if (position.line == 0) return doc.source_name;
  return fmt::format("{}:{}:{}", doc.source_name, position.line, position.column);
}

// A field looked up in a table: its full path, and its node when it is present.
struct Field {
  DocumentState* doc;
  std::string path;
  const toml::node* node;
};

Status Invalid(const Field& field, std::string_view message) {
  const toml::source_position position =
      field.node != nullptr ? field.node->source().begin : toml::source_position{};
  return InvalidArgumentError(
      fmt::format("{}: {}: {}", Where(*field.doc, position), field.path, message),
      std::string(kInvalid));
}

Status Missing(const Field& field) {
  return InvalidArgumentError(
      fmt::format("{}: {}: required field is missing", field.doc->source_name, field.path),
      std::string(kMissing));
}

// Finds `key` in `table` without marking it as read.
Field Find(const ConfigTable& table, std::string_view key) {
  const toml::table* toml_table = TableAccess::Table(table);
  const toml::node* node = toml_table != nullptr ? toml_table->get(key) : nullptr;
  return Field{&TableAccess::Doc(table), JoinPath(table.path(), key), node};
}

// Finds `key` in `table` and marks it as read.
Field Read(const ConfigTable& table, std::string_view key) {
  Field field = Find(table, key);
  if (field.node != nullptr) field.doc->read.insert(field.node);
  return field;
}

// The value of `key` converted by `convert(field)`, or the default when it is absent.
template <typename T, typename Convert>
StatusOr<T> GetValue(const ConfigTable& table, std::string_view key, std::optional<T> default_value,
                     Convert convert) {
  const Field field = Read(table, key);
  if (field.node == nullptr) {
    if (default_value.has_value()) return std::move(*default_value);
    return Missing(field);
  }
  return convert(field);
}

StatusOr<std::string> ConvertString(const Field& field) {
  if (const auto* value = field.node->as_string()) return value->get();
  return Invalid(field, fmt::format("expected a string, got {}", TypeName(*field.node)));
}

struct IntConverter {
  int64_t min;
  int64_t max;

  StatusOr<int64_t> operator()(const Field& field) const {
    const auto* value = field.node->as_integer();
    if (value != nullptr && value->get() >= min && value->get() <= max) return value->get();
    const std::string got =
        value != nullptr ? std::to_string(value->get()) : std::string(TypeName(*field.node));
    return Invalid(field,
                   fmt::format("expected an integer between {} and {}, got {}", min, max, got));
  }
};

StatusOr<bool> ConvertBool(const Field& field) {
  if (const auto* value = field.node->as_boolean()) return value->get();
  return Invalid(field, fmt::format("expected a boolean, got {}", TypeName(*field.node)));
}

StatusOr<double> ConvertDouble(const Field& field) {
  if (const auto* value = field.node->as_floating_point()) return value->get();
  if (const auto* value = field.node->as_integer()) return static_cast<double>(value->get());
  return Invalid(field, fmt::format("expected a number, got {}", TypeName(*field.node)));
}

StatusOr<std::chrono::milliseconds> ConvertDuration(const Field& field) {
  const auto* value = field.node->as_string();
  if (value == nullptr) {
    return Invalid(field, fmt::format("expected a duration such as {}, got {}",
                                      internal::kDurationExamples, TypeName(*field.node)));
  }
  StatusOr<std::chrono::milliseconds> duration = ParseDuration(value->get());
  if (!duration.ok()) return Invalid(field, duration.status().message());
  return *duration;
}

StatusOr<std::vector<std::string>> ConvertStringArray(const Field& field) {
  const toml::array* array = field.node->as_array();
  if (array == nullptr) {
    return Invalid(field,
                   fmt::format("expected an array of strings, got {}", TypeName(*field.node)));
  }
  std::vector<std::string> strings;
  strings.reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = (*array)[i];
    const auto* value = element.as_string();
    if (value == nullptr) {
      return Invalid(Field{field.doc, fmt::format("{}[{}]", field.path, i), &element},
                     fmt::format("expected a string, got {}", TypeName(element)));
    }
    strings.push_back(value->get());
  }
  return strings;
}

StatusOr<std::vector<ConfigTable>> ConvertTableArray(const Field& field) {
  const toml::array* array = field.node->as_array();
  if (array == nullptr) {
    return Invalid(field,
                   fmt::format("expected an array of tables, got {}", TypeName(*field.node)));
  }
  std::vector<ConfigTable> tables;
  tables.reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = (*array)[i];
    Field element_field{field.doc, fmt::format("{}[{}]", field.path, i), &element};
    const toml::table* table = element.as_table();
    if (table == nullptr) {
      return Invalid(element_field, fmt::format("expected a table, got {}", TypeName(element)));
    }
    tables.push_back(TableAccess::Make(field.doc, table, std::move(element_field.path)));
  }
  return tables;
}

// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
std::string ListChoices(const std::vector<std::string_view>& choices) {
  std::string out;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
    out += internal::QuoteForMessage(choices[i]);
  }
  return out;
}

struct UnknownField {
  toml::source_position position;
  std::string message;
};

void CollectUnknownFields(const DocumentState& doc, const toml::table& table,
                          const std::string& path, std::vector<UnknownField>& out) {
  for (const auto& [key, node] : table) {
    const std::string child_path = JoinPath(path, key.str());
    if (!doc.read.contains(&node)) {
      out.push_back({key.source().begin, fmt::format("{}: {}: unknown field",
                                                     Where(doc, key.source().begin), child_path)});
      continue;
    }
    if (const toml::table* sub_table = node.as_table()) {
      CollectUnknownFields(doc, *sub_table, child_path, out);
    } else if (const toml::array* array = node.as_array()) {
      for (size_t i = 0; i < array->size(); ++i) {
        if (const toml::table* element = (*array)[i].as_table()) {
          CollectUnknownFields(doc, *element, fmt::format("{}[{}]", child_path, i), out);
        }
      }
    }
  }
}

}  // namespace

bool ConfigTable::Has(std::string_view key) const { return Find(*this, key).node != nullptr; }

StatusOr<std::string> ConfigTable::GetString(std::string_view key) {
  return GetValue<std::string>(*this, key, std::nullopt, ConvertString);
}
StatusOr<std::string> ConfigTable::GetString(std::string_view key, std::string default_value) {
  return GetValue<std::string>(*this, key, std::move(default_value), ConvertString);
}

StatusOr<int64_t> ConfigTable::GetInt(std::string_view key, int64_t min, int64_t max) {
  return GetValue<int64_t>(*this, key, std::nullopt, IntConverter{min, max});
}
StatusOr<int64_t> ConfigTable::GetInt(std::string_view key, int64_t min, int64_t max,
                                      int64_t default_value) {
  return GetValue<int64_t>(*this, key, default_value, IntConverter{min, max});
}

StatusOr<bool> ConfigTable::GetBool(std::string_view key) {
  return GetValue<bool>(*this, key, std::nullopt, ConvertBool);
}
StatusOr<bool> ConfigTable::GetBool(std::string_view key, bool default_value) {
  return GetValue<bool>(*this, key, default_value, ConvertBool);
}

StatusOr<double> ConfigTable::GetDouble(std::string_view key) {
  return GetValue<double>(*this, key, std::nullopt, ConvertDouble);
}
StatusOr<double> ConfigTable::GetDouble(std::string_view key, double default_value) {
  return GetValue<double>(*this, key, default_value, ConvertDouble);
}

StatusOr<std::chrono::milliseconds> ConfigTable::GetDuration(std::string_view key) {
  return GetValue<std::chrono::milliseconds>(*this, key, std::nullopt, ConvertDuration);
}
StatusOr<std::chrono::milliseconds> ConfigTable::GetDuration(
    std::string_view key, std::chrono::milliseconds default_value) {
  return GetValue<std::chrono::milliseconds>(*this, key, default_value, ConvertDuration);
}

StatusOr<std::vector<std::string>> ConfigTable::GetStringArray(std::string_view key) {
  return GetValue<std::vector<std::string>>(*this, key, std::nullopt, ConvertStringArray);
}
StatusOr<std::vector<std::string>> ConfigTable::GetStringArray(
    std::string_view key, std::vector<std::string> default_value) {
  return GetValue<std::vector<std::string>>(*this, key, std::move(default_value),
                                            ConvertStringArray);
}

StatusOr<ConfigTable> ConfigTable::GetTable(std::string_view key) {
  const Field field = Read(*this, key);
  if (field.node == nullptr) return Missing(field);
  const toml::table* table = field.node->as_table();
  if (table == nullptr) {
    return Invalid(field, fmt::format("expected a table, got {}", TypeName(*field.node)));
  }
  return TableAccess::Make(doc_, table, field.path);
}

StatusOr<ConfigTable> ConfigTable::GetOptionalTable(std::string_view key) {
  if (!Has(key)) return ConfigTable(doc_, nullptr, JoinPath(path_, key));
  return GetTable(key);
}

StatusOr<std::vector<ConfigTable>> ConfigTable::GetTableArray(std::string_view key) {
  return GetValue<std::vector<ConfigTable>>(*this, key, std::nullopt, ConvertTableArray);
}

StatusOr<std::vector<ConfigTable>> ConfigTable::GetOptionalTableArray(std::string_view key) {
  return GetValue<std::vector<ConfigTable>>(*this, key, std::vector<ConfigTable>{},
                                            ConvertTableArray);
}

StatusOr<size_t> ConfigTable::GetChoice(std::string_view key,
                                        const std::vector<std::string_view>& choices,
                                        std::optional<size_t> default_index) {
  return GetValue<size_t>(*this, key, default_index, [&](const Field& field) -> StatusOr<size_t> {
    const auto* value = field.node->as_string();
    if (value != nullptr) {
      const auto it = std::find(choices.begin(), choices.end(), value->get());
      if (it != choices.end()) return static_cast<size_t>(it - choices.begin());
    }
    return Invalid(field, fmt::format("expected {}, got {}", ListChoices(choices),
                                      value != nullptr ? internal::QuoteForMessage(value->get())
                                                       : std::string(TypeName(*field.node))));
  });
}

Status ConfigTable::FieldError(std::string_view key, std::string_view message) const {
  return Invalid(Find(*this, key), message);
}

Status ConfigTable::CheckNoUnknownKeys() const {
  const toml::table* table = TableAccess::Table(*this);
  if (table == nullptr) return OkStatus();
  std::vector<UnknownField> unknown;
  CollectUnknownFields(*doc_, *table, path_, unknown);
  if (unknown.empty()) return OkStatus();
  std::stable_sort(unknown.begin(), unknown.end(), [](const auto& a, const auto& b) {
    return std::pair(a.position.line, a.position.column) <
           std::pair(b.position.line, b.position.column);
  });
  std::string message;
  for (const UnknownField& field : unknown) {
    if (!message.empty()) message += '\n';
    message += field.message;
  }
  return InvalidArgumentError(std::move(message), std::string(kInvalid));
}

StatusOr<ConfigDocument> ConfigDocument::FromFile(const std::string& path) {
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) {
    const int error = errno;
    std::string message = fmt::format("cannot read configuration file {}: {}", path,
                                      std::generic_category().message(error));
    if (error == ENOENT) return NotFoundError(std::move(message), std::string(kUnreadable));
    if (error == EACCES) return PermissionDeniedError(std::move(message), std::string(kUnreadable));
    return UnavailableError(std::move(message), std::string(kUnreadable));
  }
  std::string text;
  std::array<char, 64 * 1024> buffer;
  while (true) {
    const size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    text.append(buffer.data(), n);
    if (n < buffer.size()) break;
  }
  if (std::ferror(file.get())) {
    const int error = errno;
    return UnavailableError(fmt::format("cannot read configuration file {}: {}", path,
                                        std::generic_category().message(error)),
                            std::string(kUnreadable));
  }
  return FromString(text, path);
}

StatusOr<ConfigDocument> ConfigDocument::FromString(std::string_view text,
                                                    std::string source_name) {
  auto state = std::make_unique<internal::DocumentState>();
  state->source_name = std::move(source_name);
  try {
    state->root = toml::parse(text, std::string_view(state->source_name));
  } catch (const toml::parse_error& error) {
    return InvalidArgumentError(
        fmt::format("{}: {}", Where(*state, error.source().begin), error.description()),
        std::string(kInvalid));
  }
  return ConfigDocument(std::move(state));
}

ConfigDocument::ConfigDocument(std::unique_ptr<internal::DocumentState> state)
    : state_(std::move(state)) {}
ConfigDocument::ConfigDocument(ConfigDocument&& other) noexcept = default;
ConfigDocument& ConfigDocument::operator=(ConfigDocument&& other) noexcept = default;
ConfigDocument::~ConfigDocument() = default;

const std::string& ConfigDocument::source_name() const { return state_->source_name; }

ConfigTable ConfigDocument::root() { return TableAccess::Make(state_.get(), &state_->root, ""); }

Status ConfigDocument::CheckNoUnknownKeys() const {
  return TableAccess::Make(state_.get(), &state_->root, "").CheckNoUnknownKeys();
}

}  // namespace truc::config
