#include "raftstore/runner/region_task.h"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/snapshot.h"
#include "kv/engine_util/write_batch.h"
#include "raft/logging.h"
#include "raftstore/meta/keys.h"
#include "raftstore/snap/region_snapshot.h"
#include "raftstore/snap/snap_key.h"

namespace raftstore::runner {
namespace {

std::string RegionTag(uint64_t region_id) { return "region " + std::to_string(region_id); }

}  // namespace

std::string DescribeRegionTask(const RegionTask& task) {
  if (const auto* gen = std::get_if<RegionTaskGen>(&task)) {
    return "region gen " + std::to_string(gen->region_id);
  }
  if (const auto* apply = std::get_if<RegionTaskApply>(&task)) {
    return "region apply " + std::to_string(apply->region_id) + " at " +
           std::to_string(apply->snap_meta.term()) + "@" + std::to_string(apply->snap_meta.index());
  }
  return "region destroy " + std::to_string(std::get<RegionTaskDestroy>(task).region_id);
}

RegionTaskHandler::RegionTaskHandler(kv::Engines* engines, snap::SnapManager* snap_mgr,
                                     runtime::Runtime* rt, uint64_t store_id,
                                     RegionTaskOptions options)
    : engines_(engines),
      snap_mgr_(snap_mgr),
      rt_(rt),
      queue_{store_id, std::string(kRegionWorker)},
      options_(options),
      log_(raft::MakeLogger("region-worker " + std::to_string(store_id))) {}

RegionTaskHandler::~RegionTaskHandler() = default;

void RegionTaskHandler::Schedule(RegionTask task) {
  if (std::holds_alternative<RegionTaskGen>(task)) ++gen_scheduled_;
  std::string label = DescribeRegionTask(task);
  rt_->Post(queue_, std::move(label),
            [this, task = std::move(task)]() mutable { Handle(std::move(task)); });
}

void RegionTaskHandler::RunAndWait(RegionTask task) {
  if (std::holds_alternative<RegionTaskGen>(task)) ++gen_scheduled_;
  std::string label = DescribeRegionTask(task);
  rt_->RunAndWait(queue_, std::move(label),
                  [this, task = std::move(task)]() mutable { Handle(std::move(task)); });
}

void RegionTaskHandler::Handle(RegionTask task) {
  // Generating and applying may interleave between regions: each touches only its own
  // region's key range, and a generation reads one consistent engine snapshot.
  std::visit(
      [this](auto& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, RegionTaskGen>) {
          handleGen(t);
        } else if constexpr (std::is_same_v<T, RegionTaskApply>) {
          handleApply(t);
        } else {
          handleDestroy(t);
        }
      },
      task);
}

// ---- RegionTaskGen --------------------------------------------------------------------------

void RegionTaskHandler::handleGen(RegionTaskGen& task) {
  const RegionTaskFaults& f = options_.faults;
  kv::Result<eraftpb::Snapshot> result = kv::Status::Internal("unset");
  if (f.gen_fail_percent > 0 && rt_->Random(100) < f.gen_fail_percent) {
    result = kv::Status::IOError("generate snapshot of " + RegionTag(task.region_id) +
                                 ": injected fault (RegionTaskFaults.gen_fail_percent = " +
                                 std::to_string(f.gen_fail_percent) + ")");
  } else {
    result = generate(task.region_id);
  }
  if (result.ok()) {
    ++generated_;
    log_->info("generated snapshot of {} at {}@{}, {} bytes of files", RegionTag(task.region_id),
               result->metadata().term(), result->metadata().index(), result->data().size());
  } else {
    ++gen_failed_;
    log_->warn("{}", result.status().ToString());
  }
  if (!task.notifier) return;

  runtime::Micros delay = 0;
  if (result.ok() && f.gen_delay_percent > 0 && rt_->Random(100) < f.gen_delay_percent) {
    runtime::Micros span =
        f.gen_delay_max > f.gen_delay_min ? f.gen_delay_max - f.gen_delay_min : 0;
    delay = f.gen_delay_min + (span > 0 ? rt_->Random(span + 1) : 0);
  }
  if (delay == 0) {
    task.notifier(std::move(result));
    return;
  }
  // The snapshot was taken now; only its delivery is late, as with a slow generation: by the
  // time it arrives the leader's log has moved on, which the raftstore must cope with.
  ++gen_delayed_;
  rt_->StartTimer(queue_, delay, "region gen delivery " + std::to_string(task.region_id),
                  [notifier = std::move(task.notifier), result = std::move(result)]() mutable {
                    notifier(std::move(result));
                  });
}

kv::Result<eraftpb::Snapshot> RegionTaskHandler::generate(uint64_t region_id) {
  const std::string what = "generate snapshot of " + RegionTag(region_id);
  // Everything about the region's data comes from one engine snapshot, so the data, the
  // applied index and the region all describe the same instant: applying the snapshot and
  // then the log after its index gives the leader's state, never a key twice or not at all.
  auto engine_snap = engines_->kv->NewSnapshot();
  if (!engine_snap.ok()) return engine_snap.status().Annotate(what);

  raft_serverpb::RaftApplyState apply_state;
  auto found = (*engine_snap)->GetMeta(meta::ApplyStateKey(region_id), &apply_state);
  if (!found.ok()) return found.status().Annotate(what + ": read RaftApplyState");
  if (!*found) {
    return kv::Status::InvalidArgument(what + ": no RaftApplyState in the kv engine");
  }
  raft_serverpb::RegionLocalState region_state;
  found = (*engine_snap)->GetMeta(meta::RegionStateKey(region_id), &region_state);
  if (!found.ok()) return found.status().Annotate(what + ": read RegionLocalState");
  if (!*found) {
    return kv::Status::InvalidArgument(what + ": no RegionLocalState in the kv engine");
  }
  if (region_state.state() == raft_serverpb::PeerState::Tombstone) {
    return kv::Status::InvalidArgument(what + ": the region is a tombstone on this store");
  }

  const uint64_t index = apply_state.applied_index();
  const auto& truncated = apply_state.truncated_state();
  if (index < truncated.index()) {
    return kv::Status::Corruption(what + ": applied index " + std::to_string(index) +
                                  " is below the truncated index " +
                                  std::to_string(truncated.index()));
  }
  uint64_t term = truncated.term();
  if (index != truncated.index()) {
    // An applied entry past the truncated index is still in the raft engine: it is committed
    // (never overwritten) and log GC only deletes up to the truncated index.
    eraftpb::Entry entry;
    auto got = engines_->raft->GetMeta(meta::RaftLogKey(region_id, index), &entry);
    if (!got.ok()) return got.status().Annotate(what + ": read log entry");
    if (!*got) {
      return kv::Status::InvalidArgument(what + ": applied entry " + std::to_string(index) +
                                         " is not in the raft engine (compacted meanwhile?)");
    }
    term = entry.term();
  }

  const snap::SnapKey key{region_id, term, index};
  auto data = snap::BuildRegionSnapshot(**engine_snap, region_state.region(), key, *snap_mgr_);
  if (!data.ok()) return data.status().Annotate(what);

  eraftpb::Snapshot snapshot;
  eraftpb::SnapshotMetadata* md = snapshot.mutable_metadata();
  md->set_index(index);
  md->set_term(term);
  for (const auto& peer : region_state.region().peers()) {
    md->mutable_conf_state()->add_nodes(peer.id());
  }
  if (!data->SerializeToString(snapshot.mutable_data())) {
    return kv::Status::Internal(what + ": serialize RaftSnapshotData");
  }
  return snapshot;
}

// ---- RegionTaskApply ------------------------------------------------------------------------

void RegionTaskHandler::handleApply(RegionTaskApply& task) {
  kv::Status s = apply(task);
  if (s.ok()) {
    ++applied_;
    log_->info("applied snapshot of {} at {}@{}", RegionTag(task.region_id), task.snap_meta.term(),
               task.snap_meta.index());
  } else {
    ++apply_failed_;
    log_->error("{}", s.ToString());
  }
  if (task.notifier) task.notifier(std::move(s));
}

kv::Status RegionTaskHandler::apply(const RegionTaskApply& task) {
  const snap::SnapKey key{task.region_id, task.snap_meta.term(), task.snap_meta.index()};
  const std::string what = "apply snapshot " + key.ToString();
  const auto& data = task.snap_data;
  // The range to clear comes from the snapshot's own region; refuse a task whose fields
  // disagree with it rather than clear a range the snapshot does not refill.
  if (!data.has_region() || data.region().id() != task.region_id) {
    return kv::Status::InvalidArgument(
        what +
        ": RegionTaskApply.snap_data must be the snapshot's RaftSnapshotData (parsed "
        "from eraftpb::Snapshot::data) of region " +
        std::to_string(task.region_id) + "; it holds region " + std::to_string(data.region().id()));
  }
  if (data.region().start_key() != task.start_key || data.region().end_key() != task.end_key) {
    return kv::Status::InvalidArgument(
        what + ": task range [" + kv::HexKey(task.start_key) + ", " + kv::HexKey(task.end_key) +
        ") differs from the snapshot's region [" + kv::HexKey(data.region().start_key()) + ", " +
        kv::HexKey(data.region().end_key()) + ")");
  }
  std::set<std::string> described;
  for (const auto& f : data.meta().cf_files()) described.insert(f.cf());
  for (const std::string& cf : kv::DataCfs()) {
    if (!described.count(cf)) {
      // Applying would clear this column family's part of the region and put nothing back.
      return kv::Status::InvalidArgument(what + ": the snapshot's metadata has no file for cf " +
                                         cf);
    }
  }
  // Verifies every file before deleting anything: a damaged snapshot leaves the engine as it
  // was, and the error names the file and what is wrong with it.
  KV_RETURN_IF_ERROR(snap::IngestRegionSnapshot(*engines_->kv, key, data, *snap_mgr_));
  if (options_.delete_applied_snapshots) {
    kv::Status s = snap_mgr_->Delete(key);
    if (!s.ok()) log_->warn("{}: remove applied files: {}", what, s.ToString());
  }
  return kv::Status::OK();
}

// ---- RegionTaskDestroy ----------------------------------------------------------------------

void RegionTaskHandler::handleDestroy(RegionTaskDestroy& task) {
  kv::Status s = destroy(task);
  if (s.ok()) {
    ++destroyed_;
    log_->info("destroyed the data of {}", RegionTag(task.region_id));
  } else {
    // The keys stay behind, unreachable through the region (it no longer covers them here);
    // a later snapshot for a region over this range clears them before ingesting.
    log_->error("{}", s.ToString());
  }
}

kv::Status RegionTaskHandler::destroy(const RegionTaskDestroy& task) {
  kv::WriteBatch wb;
  for (const std::string& cf : kv::DataCfs()) {
    wb.DeleteRangeCF(cf, task.start_key, task.end_key);
  }
  return engines_->kv->Write(wb, /*sync=*/false)
      .Annotate("destroy the data of " + RegionTag(task.region_id));
}

}  // namespace raftstore::runner
