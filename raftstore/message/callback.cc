#include "raftstore/message/callback.h"

namespace raftstore {

void Callback::Done(const raft_cmdpb::RaftCmdResponse& resp) {
  if (watcher_) watcher_->OnDone(resp, static_cast<bool>(done_));
  if (!done_) return;
  DoneFn done = std::move(done_);
  done_ = nullptr;
  done(resp, std::move(txn));
}

}  // namespace raftstore
