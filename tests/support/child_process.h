// Real processes for integration tests: start a daemon, wait until it is ready, stop it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace truc::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`; its stdout and stderr go to `output_file`.
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv,
                                             const std::string& output_file);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills the process (SIGKILL) if it still runs.
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  // Waits until `file` exists and is non-empty, or the process exits, or `timeout` passes.
  // Returns the file's contents without the trailing newline, or nullopt.
  std::optional<std::string> WaitForFile(
      const std::string& file, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Sends `signal` and waits for the exit; returns the exit status as waitpid reports it
  // decoded: the exit code, or 128 + signal number when killed.
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Waits for the process to exit on its own; as Stop.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  pid_t pid_;
  std::optional<int> exit_code_;
};

// The full output of a command run through the shell, and its exit code.
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult RunCommand(const std::string& command);

}  // namespace truc::testing
