#include "kv/engine_util/rocks_status.h"

#include <string>

namespace kv {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg = s.getState() != nullptr ? s.getState() : "";
  if (!what.empty()) msg = std::string(what) + ": " + msg;
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotSupported()) return Status::NotSupported(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsAborted()) return Status::Busy(msg);
  if (s.IsIOError()) {
    // The LOCK file of a directory another engine has open: not a broken disk.
    if (msg.find("LOCK") != std::string::npos || msg.find("lock") != std::string::npos) {
      return Status::Busy(msg + " (is the directory open in another engine?)");
    }
    return Status::IOError(msg);
  }
  if (s.IsNotFound() || s.IsPathNotFound()) return Status::IOError(msg);
  return Status::Internal(msg + " (" + s.ToString() + ")");
}

}  // namespace kv
