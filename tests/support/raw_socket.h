// Raw loopback connections, for tests that send what no well-behaved HTTP client would: bytes the
// library's own client refuses to write, idle connections, smuggled requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace truc::testing {

// A connected TCP socket to 127.0.0.1:`port`; closed when destroyed. Throws std::runtime_error
// when the connection cannot be made.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(uint16_t port);
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;
  ~LoopbackSocket();

  // Sends all of `bytes`; throws when it cannot.
  void Send(const std::string& bytes);
  // Everything received until the peer closes the connection or `timeout` passes.
  std::string ReceiveAll(std::chrono::seconds timeout = std::chrono::seconds(10));

 private:
  int fd_;
};

// Sends `bytes` on a new connection to 127.0.0.1:`port` and returns everything the server sends
// back before closing (or until `timeout` passes).
std::string RawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::seconds timeout = std::chrono::seconds(10));

// The port of an endpoint "host:port".
uint16_t PortOf(const std::string& endpoint);

}  // namespace truc::testing
