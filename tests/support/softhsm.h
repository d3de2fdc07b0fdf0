// A SoftHSM2 token for tests: a token directory of its own, a configuration that points at it
// (SOFTHSM2_CONF, read when the module is first initialised in a process), and a token made with
// softhsm2-util, as an operator makes one for a real HSM with its vendor's tool.
#pragma once

#include <string>

#include "tests/support/temp_dir.h"

namespace truc::testing {

inline constexpr char kSoftHsmModule[] = "/usr/lib/softhsm/libsofthsm2.so";

class SoftHsm {
 public:
  // Points SOFTHSM2_CONF at a fresh token directory. One per process: the module reads the
  // variable once.
  SoftHsm();

  // Initialises a token labelled `label` with the user PIN `pin` (softhsm2-util --init-token).
  // Throws when that fails.
  void InitToken(const std::string& label, const std::string& pin);

  const std::string& config_file() const { return config_; }
  const std::string& token_dir() const { return tokens_; }

 private:
  TempDir dir_;
  std::string config_;
  std::string tokens_;
};

}  // namespace truc::testing
