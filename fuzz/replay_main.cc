// Runs every file of a fuzz target's committed corpus through the target once (built with
// the normal toolchain, no libFuzzer): the regression test that keeps what fuzzing found
// fixed. The corpus directories are this test's data (fuzz/corpus/<target>/).
#include <dirent.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--skip-unless-reference") {
    std::printf("not replayed: this target checks the reference (bazel test --config=reference)\n");
    return 0;
  }
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::string> names;
    if (DIR* d = opendir(argv[i])) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] != '.') names.push_back(std::string(argv[i]) + "/" + e->d_name);
      }
      closedir(d);
    } else {
      names.push_back(argv[i]);
    }
    for (const std::string& name : names) {
      std::ifstream f(name, std::ios::binary);
      if (!f) {
        std::fprintf(stderr, "cannot read %s\n", name.c_str());
        return 1;
      }
      std::stringstream ss;
      ss << f.rdbuf();
      const std::string bytes = ss.str();
      std::fprintf(stderr, "replay %s (%zu bytes)\n", name.c_str(), bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++files;
    }
  }
  std::printf("[       OK ] replayed %d corpus file(s)\n", files);
  return files > 0 ? 0 : 1;
}
