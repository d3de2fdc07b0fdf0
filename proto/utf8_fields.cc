#include "proto/utf8_fields.h"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/base/utf8.h"

namespace truc::proto {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Whether some string field below `message` is not UTF-8; then `path` gets its path, innermost
// part first. Names are only put together for the field found: this runs on every audit record.
bool FindInvalid(const Message& message, std::vector<std::string>& path) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  std::string scratch;
  for (const FieldDescriptor* field : fields) {
    const bool is_string = field->type() == FieldDescriptor::TYPE_STRING;
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!is_string && !is_message) continue;
    if (!field->is_repeated()) {
      if (is_string ? !IsValidUtf8(reflection.GetStringReference(message, field, &scratch))
                    : FindInvalid(reflection.GetMessage(message, field), path)) {
        path.push_back(field->name());
        return true;
      }
      continue;
    }
    for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
      if (is_string
              ? !IsValidUtf8(reflection.GetRepeatedStringReference(message, field, i, &scratch))
              : FindInvalid(reflection.GetRepeatedMessage(message, field, i), path)) {
        path.push_back(fmt::format("{}[{}]", field->name(), i));
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Status CheckUtf8Fields(const Message& message) {
  std::vector<std::string> path;
  if (!FindInvalid(message, path)) return OkStatus();
  std::string found;
  for (auto part = path.rbegin(); part != path.rend(); ++part) {
    if (!found.empty()) found += '.';
    found += *part;
  }
  return InvalidArgumentError(
      fmt::format("the {} field {} is not valid UTF-8", message.GetTypeName(), found),
      "proto.invalid_utf8");
}

}  // namespace truc::proto
