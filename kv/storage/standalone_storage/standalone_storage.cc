#include "kv/storage/standalone_storage/standalone_storage.h"

#include <utility>

namespace kv {

StandaloneStorage::StandaloneStorage(StandaloneConfig config) : config_(std::move(config)) {
  // Your Code Here (1).
}

StandaloneStorage::~StandaloneStorage() {
  // Your Code Here (1).
}

Status StandaloneStorage::Start() {
  // Your Code Here (1).
  return Status::OK();
}

Status StandaloneStorage::Stop() {
  // Your Code Here (1).
  return Status::OK();
}

Status StandaloneStorage::Write([[maybe_unused]] const kvrpcpb::Context& ctx,
                                [[maybe_unused]] const std::vector<Modify>& batch) {
  // Your Code Here (1).
  return Status::NotSupported("StandaloneStorage::Write is not written yet (lab 1)");
}

Result<std::unique_ptr<StorageReader>> StandaloneStorage::Reader(
    [[maybe_unused]] const kvrpcpb::Context& ctx) {
  // Your Code Here (1).
  // Hint: define a StorageReader subclass (in this file) that reads through an
  // EngineSnapshot.
  return Status::NotSupported("StandaloneStorage::Reader is not written yet (lab 1)");
}

}  // namespace kv
