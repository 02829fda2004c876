#include "raftstore/runner/raftlog_gc_task.h"

#include <spdlog/spdlog.h>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/write_batch.h"
#include "raft/logging.h"
#include "raftstore/meta/keys.h"

namespace raftstore::runner {

std::string RaftLogGCTask::ToString() const {
  return "raftlog-gc region " + std::to_string(region_id) + " [" + std::to_string(start_idx) +
         ", " + std::to_string(end_idx) + ")";
}

RaftLogGCTaskHandler::RaftLogGCTaskHandler(kv::Engine* raft_engine, runtime::Runtime* rt,
                                           uint64_t store_id)
    : raft_engine_(raft_engine),
      rt_(rt),
      queue_{store_id, std::string(kRaftLogGcWorker)},
      log_(raft::MakeLogger("raftlog-gc " + std::to_string(store_id))) {}

RaftLogGCTaskHandler::~RaftLogGCTaskHandler() = default;

void RaftLogGCTaskHandler::Schedule(const RaftLogGCTask& task) {
  rt_->Post(queue_, task.ToString(), [this, task] {
    auto removed = Handle(task);
    if (!removed.ok()) {
      // Nothing to hand the error back to: the entries stay, unreachable, and the next
      // compaction's task covers them again (its range starts at the old truncated index).
      log_->error("{} failed: {}", task.ToString(), removed.status().ToString());
    }
  });
}

kv::Result<uint64_t> RaftLogGCTaskHandler::Handle(const RaftLogGCTask& task) {
  ++tasks_handled_;
  if (task.start_idx >= task.end_idx) {
    log_->debug("{}: empty range, nothing to do", task.ToString());
    return uint64_t{0};
  }
  const std::string start = meta::RaftLogKey(task.region_id, task.start_idx);
  const std::string end = meta::RaftLogKey(task.region_id, task.end_idx);

  // Count what is really there, so that the figure is exact when part of the range was
  // deleted before (an earlier task, a snapshot that cleared the log) and so that a range
  // that is already empty costs no write at all.
  uint64_t present = 0;
  {
    auto it = raft_engine_->NewIterator(kv::kCfRaft);
    if (!it.ok()) {
      ++failures_;
      return it.status().Annotate(task.ToString());
    }
    for ((*it)->Seek(start); (*it)->Valid() && (*it)->key() < end; (*it)->Next()) ++present;
    kv::Status s = (*it)->status();
    if (!s.ok()) {
      ++failures_;
      return s.Annotate(task.ToString());
    }
  }
  if (present == 0) {
    log_->debug("{}: already gone", task.ToString());
    return uint64_t{0};
  }

  // One range deletion: log keys are the region prefix plus a big-endian index, so
  // [RaftLogKey(start), RaftLogKey(end)) is exactly those entries and nothing else.
  kv::WriteBatch wb;
  wb.DeleteRangeCF(kv::kCfRaft, start, end);
  kv::Status s = raft_engine_->Write(wb, /*sync=*/false);
  if (!s.ok()) {
    ++failures_;
    return s.Annotate(task.ToString());
  }
  entries_removed_ += present;
  log_->debug("{}: deleted {} entries", task.ToString(), present);
  return present;
}

}  // namespace raftstore::runner
