#include "proto/utf8_fields.h"

#include <string>

#include <fmt/format.h>

#include "core/base/utf8.h"

namespace truc::proto {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The path of the first string field below `message` that is not UTF-8, "" when there is none.
std::string FindInvalid(const Message& message, const std::string& prefix) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string name = prefix + field->name();
    const bool is_string = field->type() == FieldDescriptor::TYPE_STRING;
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!is_string && !is_message) continue;
    if (!field->is_repeated()) {
      if (is_string) {
        std::string scratch;
        if (!IsValidUtf8(reflection.GetStringReference(message, field, &scratch))) return name;
      } else if (std::string found = FindInvalid(reflection.GetMessage(message, field), name + ".");
                 !found.empty()) {
        return found;
      }
      continue;
    }
    for (int i = 0; i < reflection.FieldSize(message, field); ++i) {
      const std::string element = fmt::format("{}[{}]", name, i);
      if (is_string) {
        std::string scratch;
        if (!IsValidUtf8(reflection.GetRepeatedStringReference(message, field, i, &scratch))) {
          return element;
        }
      } else if (std::string found =
                     FindInvalid(reflection.GetRepeatedMessage(message, field, i), element + ".");
                 !found.empty()) {
        return found;
      }
    }
  }
  return "";
}

}  // namespace

Status CheckUtf8Fields(const Message& message) {
  const std::string found = FindInvalid(message, "");
  if (found.empty()) return OkStatus();
  return InvalidArgumentError(
      fmt::format("the {} field {} is not valid UTF-8", message.GetTypeName(), found),
      "proto.invalid_utf8");
}

}  // namespace truc::proto
