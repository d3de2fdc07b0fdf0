#include "tests/support/temp_dir.h"

#include <cstdio>
#include <filesystem>

#include <stdlib.h>

namespace truc::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "truc-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace truc::testing
