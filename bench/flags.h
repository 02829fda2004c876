#pragma once

// `--name=value` flags for the kit's bench and stress binaries (they are run by hand, so a
// typo or a malformed number stops the program with its usage line instead of being
// ignored or read as 0).
//
//   bench::Flags flags("storage_bench", "[--keys=N] [--keep]");
//   flags.Add("keys", &keys).Add("keep", &keep);
//   flags.Parse(argc, argv);  // exits with status 2 and the usage on a bad flag

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace bench {

class Flags {
 public:
  Flags(std::string program, std::string usage);

  // `--name=N`: a non-negative integer.
  Flags& Add(const std::string& name, uint64_t* out);
  Flags& Add(const std::string& name, int* out);
  Flags& Add(const std::string& name, double* out);
  Flags& Add(const std::string& name, std::string* out);
  // `--name` alone sets it; `--name=0` / `--name=1` also work.
  Flags& Add(const std::string& name, bool* out);
  // Anything else: `set` gets the text after '=' and returns false if it is not acceptable.
  Flags& Add(const std::string& name, std::function<bool(const std::string&)> set);

  void Parse(int argc, char** argv) const;
  // Prints "program: message" and the usage line to stderr, and exits with status 2.
  [[noreturn]] void Fail(const std::string& message) const;

 private:
  std::string program_;
  std::string usage_;
  std::map<std::string, std::function<bool(const std::string&)>> setters_;
  std::map<std::string, bool*> switches_;
};

}  // namespace bench
