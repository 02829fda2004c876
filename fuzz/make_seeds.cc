// Writes the starting corpus of each fuzz target (fuzz/corpus/<target>/seed-*): real inputs
// made by the framework itself, so that mutations start from what a store really receives
// or reads. Run by scripts/fuzz.sh --seeds (bazel run //fuzz:make_seeds -- <corpus dir>).
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/engine.h"
#include "kv/engine_util/snapshot.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/meta/keys.h"
#include "raftstore/snap/region_snapshot.h"
#include "raftstore/snap/snap_manager.h"

namespace {

void Write(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
}

std::string Framed(const std::vector<raft_serverpb::RaftMessage>& msgs) {
  std::string out;
  for (const auto& m : msgs) {
    const std::string b = m.SerializeAsString();
    out += static_cast<char>(b.size() >> 8);
    out += static_cast<char>(b.size() & 0xff);
    out += b;
  }
  return out;
}

void KeySeeds(const std::string& dir) {
  using namespace raftstore::meta;
  Write(dir, "seed-log-key", RaftLogKey(2, 31));
  Write(dir, "seed-raft-state-key", RaftStateKey(2));
  Write(dir, "seed-apply-state-key", ApplyStateKey(2));
  Write(dir, "seed-region-state-key", RegionStateKey(2));
  Write(dir, "seed-store-ident-key", StoreIdentKey());
}

void ValueSeeds(const std::string& dir) {
  raft_serverpb::RegionLocalState region;
  region.mutable_region()->set_id(7);
  region.mutable_region()->add_peers()->set_id(1);
  region.mutable_region()->mutable_region_epoch()->set_version(3);
  raft_serverpb::RaftLocalState raft;
  raft.mutable_hard_state()->set_term(6);
  raft.mutable_hard_state()->set_commit(9);
  raft.set_last_index(9);
  raft.set_last_term(6);
  raft_serverpb::RaftApplyState apply;
  apply.set_applied_index(9);
  apply.mutable_truncated_state()->set_index(5);
  apply.mutable_truncated_state()->set_term(5);
  eraftpb::Entry entry;
  entry.set_term(6);
  entry.set_index(6);
  entry.set_data("put k v");
  Write(dir, "seed-region-state", std::string(1, '\0') + region.SerializeAsString());
  Write(dir, "seed-raft-state", std::string(1, '\1') + raft.SerializeAsString());
  Write(dir, "seed-apply-state", std::string(1, '\2') + apply.SerializeAsString());
  Write(dir, "seed-entry", std::string(1, '\3') + entry.SerializeAsString());
}

int SnapshotSeeds(const std::string& dir) {
  std::shared_ptr<rocksdb::Env> env = kv::NewInMemoryEnv();
  kv::EngineOptions o;
  o.path = "/seed/kv";
  o.env = env;
  auto engine = kv::Engine::Open(kv::Engine::Kind::kKv, o);
  if (!engine.ok()) return 1;
  for (const std::string& cf : kv::DataCfs()) {
    for (int i = 0; i < 20; ++i) {
      if (!(*engine)->PutCF(cf, "k" + std::to_string(i), std::string(i * 7, 'v')).ok()) return 1;
    }
  }
  raftstore::snap::SnapManager mgr(env, "/seed/snap");
  metapb::Region region;
  region.set_id(2);
  region.add_peers()->set_id(1);
  const raftstore::snap::SnapKey key{2, 8, 31};
  auto snap = (*engine)->NewSnapshot();
  if (!snap.ok()) return 1;
  auto data = raftstore::snap::BuildRegionSnapshot(**snap, region, key, mgr);
  if (!data.ok()) return 1;
  raft_serverpb::RaftMessage base;
  base.set_region_id(2);
  base.mutable_from_peer()->set_id(1);
  base.mutable_to_peer()->set_id(2);
  eraftpb::Message* m = base.mutable_message();
  m->set_msg_type(eraftpb::MsgSnapshot);
  m->set_term(8);
  m->mutable_snapshot()->mutable_metadata()->set_term(8);
  m->mutable_snapshot()->mutable_metadata()->set_index(31);
  m->mutable_snapshot()->set_data(data->SerializeAsString());
  for (size_t chunk_size : {size_t{256}, size_t{4096}}) {
    auto chunks = mgr.ReadChunks(key, *data, chunk_size);
    if (!chunks.ok()) return 1;
    std::vector<raft_serverpb::RaftMessage> msgs;
    for (const auto& c : *chunks) {
      raft_serverpb::RaftMessage cm = base;
      *cm.mutable_snap_chunk() = c;
      msgs.push_back(cm);
    }
    msgs.push_back(base);
    Write(dir, "seed-snapshot-" + std::to_string(chunk_size), Framed(msgs));
  }
  Write(dir, "seed-snapshot-no-chunks", Framed({base}));
  // Metadata that lists a column family twice, and one the engine does not have (with no
  // bytes, so no chunk is needed): both must be refused, not crash or be accepted.
  for (const char* what : {"dup-cf", "unknown-cf"}) {
    raft_serverpb::RaftSnapshotData odd = *data;
    if (std::string(what) == "dup-cf") {
      *odd.mutable_meta()->add_cf_files() = odd.meta().cf_files(0);
    } else {
      auto* f = odd.mutable_meta()->add_cf_files();
      f->set_cf("../../outside");
      f->set_size(0);
    }
    raft_serverpb::RaftMessage odd_base = base;
    odd_base.mutable_message()->mutable_snapshot()->set_data(odd.SerializeAsString());
    auto chunks = mgr.ReadChunks(key, *data, 4096);
    if (!chunks.ok()) return 1;
    std::vector<raft_serverpb::RaftMessage> msgs;
    for (const auto& c : *chunks) {
      raft_serverpb::RaftMessage cm = odd_base;
      *cm.mutable_snap_chunk() = c;
      msgs.push_back(cm);
    }
    msgs.push_back(odd_base);
    Write(dir, std::string("seed-snapshot-") + what, Framed(msgs));
  }
  return 0;
}

}  // namespace

// Messages a follower (id 1 of 1, 2, 3) receives: a vote request, a leader's appends and
// heartbeats of its term, a snapshot, and their answers from its peers.
void RaftMessageSeeds(const std::string& dir) {
  auto wrap = [](eraftpb::Message m) {
    raft_serverpb::RaftMessage rm;
    rm.set_region_id(1);
    rm.mutable_from_peer()->set_id(m.from());
    rm.mutable_to_peer()->set_id(m.to());
    *rm.mutable_message() = std::move(m);
    return rm;
  };
  auto msg = [](eraftpb::MessageType type, uint64_t from, uint64_t term) {
    eraftpb::Message m;
    m.set_msg_type(type);
    m.set_from(from);
    m.set_to(1);
    m.set_term(term);
    return m;
  };
  eraftpb::Message vote = msg(eraftpb::MsgRequestVote, 2, 2);
  vote.set_log_term(1);
  vote.set_index(3);
  eraftpb::Message append = msg(eraftpb::MsgAppend, 2, 2);
  append.set_log_term(0);
  append.set_index(0);
  for (uint64_t i = 1; i <= 3; ++i) {
    eraftpb::Entry* e = append.add_entries();
    e->set_term(2);
    e->set_index(i);
    e->set_data("put " + std::to_string(i));
  }
  append.set_commit(2);
  eraftpb::Message heartbeat = msg(eraftpb::MsgHeartbeat, 2, 2);
  heartbeat.set_commit(3);
  eraftpb::Message snap = msg(eraftpb::MsgSnapshot, 3, 3);
  snap.mutable_snapshot()->mutable_metadata()->set_index(10);
  snap.mutable_snapshot()->mutable_metadata()->set_term(3);
  for (uint64_t p : {1, 2, 3})
    snap.mutable_snapshot()->mutable_metadata()->mutable_conf_state()->add_nodes(p);
  eraftpb::Message granted = msg(eraftpb::MsgRequestVoteResponse, 2, 1);
  eraftpb::Message append_resp = msg(eraftpb::MsgAppendResponse, 3, 1);
  append_resp.set_index(1);
  Write(dir, "seed-vote-append-heartbeat", Framed({wrap(vote), wrap(append), wrap(heartbeat)}));
  Write(dir, "seed-snapshot-then-append", Framed({wrap(snap), wrap(append), wrap(heartbeat)}));
  Write(dir, "seed-responses", Framed({wrap(granted), wrap(append_resp)}));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds CORPUS_ROOT (writes CORPUS_ROOT/<target>/seed-*)\n");
    return 2;
  }
  const std::string root = argv[1];
  KeySeeds(root + "/meta_keys_fuzz");
  ValueSeeds(root + "/meta_values_fuzz");
  RaftMessageSeeds(root + "/raft_message_fuzz");
  return SnapshotSeeds(root + "/snapshot_fuzz");
}
