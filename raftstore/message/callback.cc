#include "raftstore/message/callback.h"

namespace raftstore {

void Callback::Done(const raft_cmdpb::RaftCmdResponse& resp) {
  if (!done_) return;
  DoneFn done = std::move(done_);
  done_ = nullptr;
  done(resp, std::move(txn));
}

}  // namespace raftstore
