#include "raft/errors.h"

namespace raft {

const char* ErrorName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone:
      return "OK";
    case ErrorCode::kCompacted:
      return "ErrCompacted";
    case ErrorCode::kUnavailable:
      return "ErrUnavailable";
    case ErrorCode::kSnapOutOfDate:
      return "ErrSnapOutOfDate";
    case ErrorCode::kSnapshotTemporarilyUnavailable:
      return "ErrSnapshotTemporarilyUnavailable";
    case ErrorCode::kProposalDropped:
      return "ErrProposalDropped";
    case ErrorCode::kOther:
      return "Error";
  }
  return "UnknownError";
}

std::string Error::ToString() const {
  std::string s = ErrorName(code_);
  if (!detail_.empty()) s += ": " + detail_;
  return s;
}

}  // namespace raft
