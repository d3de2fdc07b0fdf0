// Configuration files of the gateway, the registry and the CLI: TOML documents read through typed,
// strict accessors. The format and its error messages are specified in docs/configuration.md.
//
// A typed configuration struct is filled from a ConfigTable, then the document is asked whether
// the file held anything that was never read, which catches misspelt keys:
//
//   TRUC_ASSIGN_OR_RETURN(ConfigDocument doc, ConfigDocument::FromFile(path));
//   ConfigTable root = doc.root();
//   TRUC_ASSIGN_OR_RETURN(ConfigTable listen, root.GetTable("listen"));
//   TRUC_ASSIGN_OR_RETURN(options.port, listen.GetInt("port", 1, 65535, 8443));
//   TRUC_ASSIGN_OR_RETURN(options.timeout, listen.GetDuration("timeout",
//   std::chrono::seconds(30))); TRUC_RETURN_IF_ERROR(doc.CheckNoUnknownKeys());
//
// Every error is an InvalidArgument whose message names the field by its full dotted path and,
// when the field is in the file, its position (the position of the value, 1-based):
//
//   gateway.toml:12:8: listen.port: expected an integer between 1 and 65535, got 70000
//   gateway.toml: tls.key_file: required field is missing
//
// Reasons: "config.missing" for a missing required field, "config.unreadable" when the file cannot
// be read, "config.invalid" for everything else (syntax, types, ranges, unknown fields).
//
// Keys given to the getters are single TOML keys, never dotted paths: reach "tls.key_file" through
// GetTable("tls") and then GetString("key_file").
//
// Thread-safety: a ConfigDocument and the ConfigTables taken from it are not thread-safe, not even
// for reading, because every read records the field as used. Use one document from one thread at a
// time (configuration is read at startup). Different documents are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/base/status.h"

namespace truc::config {

namespace internal {
struct DocumentState;
struct TableAccess;
}  // namespace internal

// A handle on one TOML table (or inline table) of a ConfigDocument, with the dotted path that
// leads to it. Cheap to copy; copies refer to the same table and share the record of what was read.
//
// Lifetime: a ConfigTable points into its ConfigDocument and must not be used after the document
// is destroyed (moving the document is fine).
//
// Getters come in two forms: without a default the field is required, and its absence is an error
// with reason "config.missing"; with a default the field is optional and the default is returned
// when it is absent. A present field of the wrong type or out of range is always an error, even
// when a default exists. Every getter that finds its key marks it as read, whether or not the
// value is valid.
class ConfigTable {
 public:
  // The dotted path of this table from the root ("" for the root, "listen", "routes[2].tls").
  // Keys that are not bare TOML keys (letters, digits, '_' and '-') are quoted: servers."a.b".
  const std::string& path() const { return path_; }

  // Whether `key` is present. Does not mark it as read.
  bool Has(std::string_view key) const;

  // A string. Error: "expected a string, got integer".
  StatusOr<std::string> GetString(std::string_view key);
  StatusOr<std::string> GetString(std::string_view key, std::string default_value);

  // An integer in [min, max] (min <= max). Errors: "expected an integer between 1 and 65535, got
  // 70000" (out of range) and "expected an integer between 1 and 65535, got string" (wrong type).
  StatusOr<int64_t> GetInt(std::string_view key, int64_t min, int64_t max);
  StatusOr<int64_t> GetInt(std::string_view key, int64_t min, int64_t max, int64_t default_value);

  // true or false. Error: "expected a boolean, got string".
  StatusOr<bool> GetBool(std::string_view key);
  StatusOr<bool> GetBool(std::string_view key, bool default_value);

  // A number; TOML integers are accepted and converted. Error: "expected a number, got string".
  StatusOr<double> GetDouble(std::string_view key);
  StatusOr<double> GetDouble(std::string_view key, double default_value);

  // A duration written as a string, "250ms", "30s", "5m", "2h" or "1d" (see duration.h). Errors:
  // "expected a duration such as "250ms", "30s", "5m", "2h" or "1d", got "30 seconds"" and, for a
  // value that is not a string, the same ending in "got integer".
  StatusOr<std::chrono::milliseconds> GetDuration(std::string_view key);
  StatusOr<std::chrono::milliseconds> GetDuration(std::string_view key,
                                                  std::chrono::milliseconds default_value);

  // An array of strings, possibly empty. Errors: "expected an array of strings, got string" at the
  // field, or "expected a string, got integer" naming the element ("hosts[1]") at its position.
  StatusOr<std::vector<std::string>> GetStringArray(std::string_view key);
  StatusOr<std::vector<std::string>> GetStringArray(std::string_view key,
                                                    std::vector<std::string> default_value);

  // One of the strings in `choices`, mapped onto its value. The error lists the allowed strings:
  // "expected "text" or "json", got "xml"" (or "got integer" for a value that is not a string).
  // Without a default, name the type: table.GetEnum<Format>("format", {{"text", Format::kText}}).
  template <typename E>
  StatusOr<E> GetEnum(
      std::string_view key,
      std::initializer_list<std::pair<std::string_view, std::type_identity_t<E>>> choices);
  template <typename E>
  StatusOr<E> GetEnum(
      std::string_view key,
      std::initializer_list<std::pair<std::string_view, std::type_identity_t<E>>> choices,
      E default_value);

  // A required sub-table ([listen] or listen = { ... }). Error: "expected a table, got string".
  StatusOr<ConfigTable> GetTable(std::string_view key);
  // An optional sub-table: when `key` is absent, an empty table with the path the sub-table would
  // have, so that its optional getters return their defaults and its required getters report
  // "listen.port: required field is missing".
  StatusOr<ConfigTable> GetOptionalTable(std::string_view key);

  // A required array of tables ([[routes]] or routes = [{ ... }, ...]), possibly empty. Errors:
  // "expected an array of tables, got string" at the field, or "expected a table, got integer"
  // naming the element ("routes[1]") at its position.
  StatusOr<std::vector<ConfigTable>> GetTableArray(std::string_view key);
  // As GetTableArray, but an absent key gives an empty vector.
  StatusOr<std::vector<ConfigTable>> GetOptionalTableArray(std::string_view key);

  // An InvalidArgument (reason "config.invalid") about `key` in this table, formatted as every
  // other configuration error: "gateway.toml:7:12: tls.key_file: file is not readable". For checks
  // the getters cannot make (a file that must exist, two fields that must agree). The position is
  // the value's when the key is present; the key need not be present. Does not mark it as read.
  Status FieldError(std::string_view key, std::string_view message) const;

  // Fields of this table and, recursively, of the sub-tables and arrays of tables that were read,
  // that no getter has read. OK when there are none; otherwise InvalidArgument (reason
  // "config.invalid") with one line per field in file order, separated by "\n", each giving the
  // position of the key: "gateway.toml:3:1: lisen: unknown field". A sub-table that was never read
  // is reported as one unknown field, not field by field.
  Status CheckNoUnknownKeys() const;

 private:
  friend class ConfigDocument;
  friend struct internal::TableAccess;

  // `table` is the toml::table, kept opaque so that this header does not pull in toml++; nullptr
  // for an absent optional table.
  ConfigTable(internal::DocumentState* doc, const void* table, std::string path)
      : doc_(doc), table_(table), path_(std::move(path)) {}

  // Index into `choices` of the value at `key`, or `default_index` when absent (nullopt: the field
  // is required).
  StatusOr<size_t> GetChoice(std::string_view key, const std::vector<std::string_view>& choices,
                             std::optional<size_t> default_index);

  internal::DocumentState* doc_;
  const void* table_;
  std::string path_;
};

// A parsed TOML document. Move-only; the ConfigTables it hands out stay valid across moves and
// until it is destroyed.
class ConfigDocument {
 public:
  // Reads and parses the file at `path`, which also names the document in errors. Errors:
  // NotFound (reason "config.unreadable") when the file does not exist, PermissionDenied (same
  // reason) when it may not be read, Unavailable (same reason) for other read errors, and the
  // errors of FromString.
  static StatusOr<ConfigDocument> FromFile(const std::string& path);

  // Parses `text`; `source_name` names the document in errors (usually the file name). A syntax
  // error gives InvalidArgument (reason "config.invalid") with the message
  // "source:line:column: <description from the TOML parser>".
  static StatusOr<ConfigDocument> FromString(std::string_view text, std::string source_name);

  ConfigDocument(ConfigDocument&& other) noexcept;
  ConfigDocument& operator=(ConfigDocument&& other) noexcept;
  ConfigDocument(const ConfigDocument&) = delete;
  ConfigDocument& operator=(const ConfigDocument&) = delete;
  ~ConfigDocument();

  const std::string& source_name() const;

  // The top-level table, whose path is "".
  ConfigTable root();

  // root().CheckNoUnknownKeys(): every field of the document must have been read.
  Status CheckNoUnknownKeys() const;

 private:
  explicit ConfigDocument(std::unique_ptr<internal::DocumentState> state);

  std::unique_ptr<internal::DocumentState> state_;
};

template <typename E>
StatusOr<E> ConfigTable::GetEnum(
    std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::type_identity_t<E>>> choices) {
  std::vector<std::string_view> names;
  for (const auto& choice : choices) names.push_back(choice.first);
  TRUC_ASSIGN_OR_RETURN(const size_t index, GetChoice(key, names, std::nullopt));
  return (choices.begin() + index)->second;
}

template <typename E>
StatusOr<E> ConfigTable::GetEnum(
    std::string_view key,
    std::initializer_list<std::pair<std::string_view, std::type_identity_t<E>>> choices,
    E default_value) {
  std::vector<std::string_view> names;
  for (const auto& choice : choices) names.push_back(choice.first);
  TRUC_ASSIGN_OR_RETURN(const size_t index, GetChoice(key, names, names.size()));
  if (index == names.size()) return default_value;
  return (choices.begin() + index)->second;
}

}  // namespace truc::config
