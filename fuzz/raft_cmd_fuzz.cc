// Fuzz target: raft commands as a store's apply path receives them. A one-peer region (keys
// ["b", "y")) on a store with real engines (RocksDB on an in-memory file system, emptied for
// each input: reused_engines.h) elects itself;
// then each frame of the input (see raft_message_stream.h) is one command: its first byte says
// how it arrives, the rest is its bytes.
//   0: proposed as they are, as a committed entry's data (what a damaged or hostile log holds:
//      the bytes need not parse);
//   1: parsed as a RaftCmdRequest, given this peer's header (region, epoch, peer) and sent as
//      a client's command (MsgRaftCmd: the checks before proposing, then the log);
//   2: the same with the header as the bytes give it.
// The reference PeerMsgHandler (built with --config=reference) handles the Ready after each
// one. Whatever the bytes: no crash; every command is answered exactly once, an answer without
// an error holding one response per request; the applied index moves by exactly one per new
// log entry; the apply state and region state read back from the engine parse and agree with
// the peer's; the region never changes; and the kv engine holds no key outside the region.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz/fuzz_check.h"
#include "fuzz/raft_message_stream.h"
#include "fuzz/reused_engines.h"
#include "kv/engine_util/cf.h"
#include "kv/engine_util/engine.h"
#include "kv/engine_util/engines.h"
#include "proto/raft_cmdpb.pb.h"
#include "raftstore/bootstrap.h"
#include "raftstore/global_context.h"
#include "raftstore/meta/values.h"
#include "raftstore/peer.h"
#include "raftstore/peer_msg_handler.h"
#include "raftstore/util/cmd_resp.h"

namespace {

constexpr uint64_t kStore = 1;

metapb::Region TheRegion() {
  metapb::Region r;
  r.set_id(1);
  r.set_start_key("b");
  r.set_end_key("y");
  r.mutable_region_epoch()->set_conf_ver(1);
  r.mutable_region_epoch()->set_version(1);
  metapb::Peer* p = r.add_peers();
  p->set_id(1);
  p->set_store_id(kStore);
  return r;
}

// The answers a command got: Callback answers once, so more than one is a bug of the kit.
struct Answers {
  int count = 0;
  raft_cmdpb::RaftCmdResponse last;
};

class OneStore {
 public:
  explicit OneStore(kv::Engines& engines) : engines_(engines) {
    FUZZ_CHECK(raftstore::BootstrapStore(engines_, 1, kStore).ok(), "bootstrap store");
    FUZZ_CHECK(raftstore::PrepareBootstrapCluster(engines_, TheRegion()).ok(), "bootstrap region");
    ctx_.store.set_id(kStore);
    ctx_.engines = &engines_;
    auto peer = raftstore::Peer::Create(kStore, ctx_.cfg, &engines_, TheRegion(), 1);
    FUZZ_CHECK(peer.ok(), "cannot create the peer");
    peer_ = std::move(peer).value();
    peer_->log->set_level(spdlog::level::off);  // a refused command is logged; not here
    FUZZ_CHECK(!peer_->raft_group->Campaign(), "campaign");
    handleReadies();
    FUZZ_CHECK(peer_->IsLeader(), "a one-peer region elects itself");
  }

  // One command, arriving as `how` says (see the top of this file).
  void Command(uint8_t how, const uint8_t* bytes, size_t len) {
    auto answers = std::make_shared<Answers>();
    raftstore::Callback cb(
        [answers](const raft_cmdpb::RaftCmdResponse& resp, std::shared_ptr<kv::EngineSnapshot>) {
          ++answers->count;
          answers->last = resp;
        });
    const std::string data(reinterpret_cast<const char*>(bytes), len);
    raft_cmdpb::RaftCmdRequest req;
    const bool parsed = req.ParseFromString(data);
    const uint64_t last_before = peer_->NextProposalIndex() - 1;
    const uint64_t applied_before = peer_->peer_storage->AppliedIndex();
    if (how % 3 == 0) {
      // Straight into the log, past every check: the apply path alone must cope.
      raftstore::Proposal p{peer_->NextProposalIndex(), peer_->Term(), std::move(cb)};
      if (peer_->raft_group->Propose(data)) return;  // refused by Raft: nothing to check
      peer_->proposals.push_back(std::move(p));
    } else {
      if (!parsed) return;  // the server would not have parsed it either
      if (how % 3 == 1) {
        req.mutable_header()->set_region_id(peer_->RegionId());
        *req.mutable_header()->mutable_region_epoch() = peer_->Region().region_epoch();
        *req.mutable_header()->mutable_peer() = peer_->meta;
      }
      raftstore::Msg msg = raftstore::MsgRaftCmd{req, std::move(cb)};
      raftstore::PeerMsgHandler(peer_.get(), &ctx_).HandleMsg(msg);
    }
    handleReadies();
    const uint64_t last_after = peer_->NextProposalIndex() - 1;
    FUZZ_CHECK(answers->count == 1, "a command was not answered exactly once");
    FUZZ_CHECK(peer_->peer_storage->AppliedIndex() == applied_before + (last_after - last_before),
               "the applied index did not move by exactly one per new entry");
    FUZZ_CHECK(peer_->peer_storage->AppliedIndex() == last_after,
               "a one-peer region left an entry unapplied");
    if (!raftstore::RespError(answers->last)) {
      FUZZ_CHECK(parsed, "bytes that are no RaftCmdRequest were answered without an error");
      if (req.has_admin_request()) {
        FUZZ_CHECK(answers->last.has_admin_response(), "an admin command without its response");
      } else {
        FUZZ_CHECK(answers->last.responses_size() == req.requests_size(),
                   "an answer without an error lacks a response per request");
      }
    }
    checkEngine();
  }

 private:
  void handleReadies() {
    for (int round = 0; peer_->raft_group->HasReady(); ++round) {
      FUZZ_CHECK(round < 100, "the peer has a Ready after 100 rounds");
      raftstore::PeerMsgHandler(peer_.get(), &ctx_).HandleRaftReady();
    }
  }

  // What a restart would read back agrees with the peer, and no write escaped the region.
  void checkEngine() {
    const raftstore::PeerStorage& ps = *peer_->peer_storage;
    auto apply = raftstore::meta::GetApplyState(*engines_.kv, peer_->RegionId());
    FUZZ_CHECK(apply.ok() && apply.value().has_value(), "the apply state does not read back");
    FUZZ_CHECK(apply.value()->SerializeAsString() == ps.apply_state.SerializeAsString(),
               "the apply state in the engine differs from the peer's");
    FUZZ_CHECK(ps.TruncatedIndex() <= ps.AppliedIndex(), "the log was truncated past applied");
    auto region = raftstore::meta::GetRegionLocalState(*engines_.kv, peer_->RegionId());
    FUZZ_CHECK(region.ok() && region.value().has_value(), "the region state does not read back");
    FUZZ_CHECK(region.value()->region().SerializeAsString() == TheRegion().SerializeAsString(),
               "the region state changed");
    FUZZ_CHECK(peer_->Region().SerializeAsString() == TheRegion().SerializeAsString(),
               "the peer's region changed");
    for (const std::string& cf : kv::DataCfs()) {
      auto it = engines_.kv->NewIterator(cf);
      FUZZ_CHECK(it.ok(), "cannot iterate the kv engine");
      for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
        const std::string key((*it)->key());
        FUZZ_CHECK(key >= "b" && key < "y", "the kv engine holds a key outside the region");
      }
    }
  }

  kv::Engines& engines_;
  raftstore::GlobalContext ctx_;
  std::unique_ptr<raftstore::Peer> peer_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Never destroyed: RocksDB's own statics may be gone by the time exit would close them.
  static fuzz::ReusedEngines& engines = *new fuzz::ReusedEngines;
  OneStore store(engines.Empty());
  fuzz::ForEachFrame(data, size, [&](const uint8_t* frame, size_t len, int /*step*/) {
    if (len > 0) store.Command(frame[0], frame + 1, len - 1);
  });
  return 0;
}
