#pragma once

// The fixture of the lab 1 suites (public and hidden): a StandaloneStorage on an in-memory
// file system, a Server on top of it, helpers that call the raw API and say, on failure,
// which call failed and what it returned, and Restart() (stop the storage, start a new one on
// the same directory).

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/engine.h"
#include "kv/engine_util/status.h"
#include "kv/server/server.h"
#include "kv/storage/standalone_storage/standalone_storage.h"
#include "proto/kvrpcpb.pb.h"

namespace kv::lab1 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// "[('a', '1'), ('b', '2')]" for failure messages; binary bytes in hex.
std::string Describe(const Pairs& pairs);

class Lab1Fixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Stops the storage and starts a new one on the same directory and env (a restart).
  void Restart();

  // --- Through the Storage interface (the StandaloneStorage part of the lab) ---------------
  // Each returns false after recording a failure that names the call and the error.
  bool StoragePut(std::string_view cf, std::string_view key, std::string_view value);
  bool StorageDelete(std::string_view cf, std::string_view key);
  // The value through a fresh reader; records a failure (and returns nullopt) on an error.
  std::optional<std::string> StorageGet(std::string_view cf, std::string_view key);
  // Every pair of `cf` from `start` on, through a fresh reader's IterCF.
  Pairs StorageScan(std::string_view cf, std::string_view start = "");

  // --- Through the raw API (the Server part of the lab) ------------------------------------
  kvrpcpb::RawGetResponse Get(std::string_view cf, std::string_view key);
  kvrpcpb::RawPutResponse Put(std::string_view cf, std::string_view key, std::string_view value);
  kvrpcpb::RawDeleteResponse Delete(std::string_view cf, std::string_view key);
  kvrpcpb::RawScanResponse Scan(std::string_view cf, std::string_view start, uint32_t limit);
  // Records a failure unless RawPut / RawDelete answered without an error.
  bool MustPut(std::string_view cf, std::string_view key, std::string_view value);
  bool MustDelete(std::string_view cf, std::string_view key);
  // The pairs RawScan returned (recording a failure if it reported an error).
  Pairs MustScan(std::string_view cf, std::string_view start, uint32_t limit);

  std::shared_ptr<rocksdb::Env> env_;
  StandaloneConfig config_;
  std::unique_ptr<StandaloneStorage> storage_;
  std::unique_ptr<Server> server_;
  kvrpcpb::Context ctx_;
};

}  // namespace kv::lab1
