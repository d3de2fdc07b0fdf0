// A gateway's configuration file (TOML) as an operator may get it wrong: parsed and read into the
// gateway's settings, every mistake an error naming the field, never a crash.
#include "core/config/config.h"
#include "gateway/gateway_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  truc::StatusOr<truc::config::ConfigDocument> document =
      truc::config::ConfigDocument::FromString(text, "gateway.toml");
  if (!document.ok()) return 0;
  // Paths resolve under a directory that does not exist: reading files fails cleanly.
  (void)truc::gateway::ReadGatewayConfig(document->root(), "/nonexistent/truc-fuzz/gateway.toml");
  return 0;
}
