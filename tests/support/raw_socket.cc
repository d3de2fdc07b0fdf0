#include "tests/support/raw_socket.h"

#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace truc::testing {

LoopbackSocket::LoopbackSocket(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    if (fd_ >= 0) close(fd_);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
}

LoopbackSocket::~LoopbackSocket() { close(fd_); }

void LoopbackSocket::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("cannot send on a loopback connection");
    sent += static_cast<size_t>(n);
  }
}

std::string LoopbackSocket::ReceiveAll(std::chrono::seconds timeout) {
  timeval limit{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  std::string received;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd_, buffer, sizeof(buffer), 0)) > 0) {
    received.append(buffer, static_cast<size_t>(n));
  }
  return received;
}

std::string RawExchange(uint16_t port, const std::string& bytes, std::chrono::seconds timeout) {
  LoopbackSocket socket(port);
  socket.Send(bytes);
  return socket.ReceiveAll(timeout);
}

uint16_t PortOf(const std::string& endpoint) {
  return static_cast<uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

}  // namespace truc::testing
