#include "core/crypto/random.h"

#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace truc::crypto {
namespace {

std::string Draw(size_t n) {
  std::string bytes(n, '\0');
  RandomBytes({reinterpret_cast<unsigned char*>(bytes.data()), bytes.size()});
  return bytes;
}

TEST_CASE("Random bytes never repeat, across refills and threads", "[crypto]") {
  std::set<std::string> seen;
  // More than a buffer's worth, in pieces that straddle refills.
  for (int i = 0; i < 1000; ++i) CHECK(seen.insert(Draw(16)).second);
  CHECK(Draw(10000).find(std::string(64, '\0')) == std::string::npos);
  std::vector<std::string> others(4);
  std::vector<std::thread> threads;
  for (std::string& other : others) threads.emplace_back([&other] { other = Draw(16); });
  for (std::thread& thread : threads) thread.join();
  for (const std::string& other : others) CHECK(seen.insert(other).second);
}

TEST_CASE("A forked child does not repeat its parent's random bytes", "[crypto]") {
  Draw(16);  // The parent's buffer is filled.
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const std::string bytes = Draw(32);
    const ssize_t written = write(pipe_fds[1], bytes.data(), bytes.size());
    _exit(written == 32 ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::array<char, 32> from_child{};
  REQUIRE(read(pipe_fds[0], from_child.data(), from_child.size()) == 32);
  close(pipe_fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WEXITSTATUS(status) == 0);
  // Without the fork handler, the child would hand out exactly what the parent does next.
  CHECK(Draw(32) != std::string(from_child.data(), from_child.size()));
}

}  // namespace
}  // namespace truc::crypto
