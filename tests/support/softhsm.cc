#include "tests/support/softhsm.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "tests/support/child_process.h"

namespace truc::testing {

SoftHsm::SoftHsm() : config_(dir_.File("softhsm2.conf")), tokens_(dir_.File("tokens")) {
  std::filesystem::create_directories(tokens_);
  std::ofstream(config_) << "directories.tokendir = " << tokens_
                         << "\nobjectstore.backend = file\nlog.level = ERROR\n";
  setenv("SOFTHSM2_CONF", config_.c_str(), 1);
}

void SoftHsm::InitToken(const std::string& label, const std::string& pin) {
  const CommandResult result = RunCommand(fmt::format(
      "SOFTHSM2_CONF={} softhsm2-util --init-token --free --label '{}' --pin '{}' --so-pin "
      "'so-{}' 2>&1",
      config_, label, pin, pin));
  if (result.exit_code != 0) {
    throw std::runtime_error("softhsm2-util --init-token failed: " + result.output);
  }
}

}  // namespace truc::testing
