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
#include "proto/raft_cmdpb.pb.h"
#include "proto/raft_serverpb.pb.h"
#include "raftstore/meta/keys.h"
#include "raftstore/snap/region_snapshot.h"
#include "raftstore/snap/snap_manager.h"

namespace {

void Write(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
}

// One frame of the targets' input format (raft_message_stream.h).
std::string Frame(const std::string& bytes) {
  return std::string(1, static_cast<char>(bytes.size() >> 8)) +
         static_cast<char>(bytes.size() & 0xff) + bytes;
}

std::string Framed(const std::vector<raft_serverpb::RaftMessage>& msgs) {
  std::string out;
  for (const auto& m : msgs) out += Frame(m.SerializeAsString());
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

// Commands for raft_cmd_fuzz (its one-peer region 1 is ["b", "y"), epoch 1/1, peer 1 on store
// 1; the peer's first entries: 6 is the new leader's no-op in term 6, then one per command).
// Each frame: how it arrives (0 raw into the log, 1 a client's with this peer's header, 2 a
// client's with its own header), then the bytes.
void RaftCmdSeeds(const std::string& dir) {
  auto header = [](raft_cmdpb::RaftCmdRequest* c) {
    c->mutable_header()->set_region_id(1);
    c->mutable_header()->mutable_peer()->set_id(1);
    c->mutable_header()->mutable_peer()->set_store_id(1);
    c->mutable_header()->mutable_region_epoch()->set_conf_ver(1);
    c->mutable_header()->mutable_region_epoch()->set_version(1);
  };
  auto request = [](raft_cmdpb::CmdType type, const std::string& cf, const std::string& key) {
    raft_cmdpb::Request r;
    r.set_cmd_type(type);
    if (type == raft_cmdpb::Put) {
      r.mutable_put()->set_cf(cf);
      r.mutable_put()->set_key(key);
      r.mutable_put()->set_value("v of " + key);
    } else if (type == raft_cmdpb::Delete) {
      r.mutable_delete_()->set_cf(cf);
      r.mutable_delete_()->set_key(key);
    } else if (type == raft_cmdpb::Get) {
      r.mutable_get()->set_cf(cf);
      r.mutable_get()->set_key(key);
    } else if (type == raft_cmdpb::Snap) {
      r.mutable_snap();
    }
    return r;
  };
  auto cmd = [&](std::vector<raft_cmdpb::Request> rs) {
    raft_cmdpb::RaftCmdRequest c;
    header(&c);
    for (auto& r : rs) *c.add_requests() = std::move(r);
    return c;
  };
  auto compact = [&](uint64_t index, uint64_t term) {
    raft_cmdpb::RaftCmdRequest c;
    header(&c);
    c.mutable_admin_request()->set_cmd_type(raft_cmdpb::CompactLog);
    c.mutable_admin_request()->mutable_compact_log()->set_compact_index(index);
    c.mutable_admin_request()->mutable_compact_log()->set_compact_term(term);
    return c;
  };
  auto as = [](char how, const raft_cmdpb::RaftCmdRequest& c) {
    return Frame(std::string(1, how) + c.SerializeAsString());
  };
  const auto put = cmd({request(raft_cmdpb::Put, "", "k")});
  Write(dir, "seed-cmd-put-get-delete-snap",
        as(1, cmd({request(raft_cmdpb::Put, "lock", "k"), request(raft_cmdpb::Get, "lock", "k"),
                   request(raft_cmdpb::Delete, "write", "m"), request(raft_cmdpb::Snap, "", "")})) +
            as(2, put) + as(0, put));
  Write(dir, "seed-cmd-unknown-cf",
        as(1, cmd({request(raft_cmdpb::Put, "", "k"), request(raft_cmdpb::Put, "nope", "k")})) +
            as(0, cmd({request(raft_cmdpb::Get, "raft", "k")})));
  Write(dir, "seed-cmd-unknown-type",
        as(0, cmd({request(raft_cmdpb::Put, "", "k"), request(raft_cmdpb::Invalid, "", "k")})));
  Write(dir, "seed-cmd-key-outside",
        as(0, cmd({request(raft_cmdpb::Put, "", "k"), request(raft_cmdpb::Put, "", "z")})) +
            as(1, cmd({request(raft_cmdpb::Delete, "", "a")})));
  auto stale = cmd({request(raft_cmdpb::Put, "", "k")});
  stale.mutable_header()->mutable_region_epoch()->set_version(0);
  auto other_region = put;
  other_region.mutable_header()->set_region_id(7);
  Write(dir, "seed-cmd-stale-epoch-other-region",
        as(0, stale) + as(0, other_region) + as(2, stale));
  Write(dir, "seed-cmd-not-a-command",
        Frame(std::string("\0") + "not a RaftCmdRequest") + Frame(std::string("\0\xff\xff\xff")));
  Write(dir, "seed-cmd-compact-log",
        as(1, put) + as(1, put) + as(1, compact(7, 6)) + as(1, put) + as(0, compact(9, 6)));
  Write(dir, "seed-cmd-compact-log-bad",
        as(1, put) + as(0, compact(7, 3)) + as(0, compact(100, 6)) + as(0, compact(7, 6)));
  auto both = compact(6, 6);
  *both.add_requests() = request(raft_cmdpb::Put, "", "k");
  Write(dir, "seed-cmd-admin-and-requests", as(0, both));
}

// Snapshot files for snapshot_sst_fuzz: a control frame [flags][offset: 2 bytes][patch...],
// then records [cf 0-3][op 0 put, 1 delete, 2 range delete][key length][key][value].
void SstSeeds(const std::string& dir) {
  auto control = [](char flags, uint16_t offset, const std::string& patch) {
    return Frame(std::string(1, flags) + static_cast<char>(offset >> 8) +
                 static_cast<char>(offset & 0xff) + patch);
  };
  auto record = [](char cf, char op, const std::string& key, const std::string& value) {
    return Frame(std::string(1, cf) + op + static_cast<char>(key.size()) + key + value);
  };
  std::string puts;
  for (char cf = 0; cf < 3; ++cf) {
    for (const char* k : {"b", "c1", "m", "x9"})
      puts += record(cf, 0, k, std::string("value ") + k);
  }
  Write(dir, "seed-sst-good", control(0, 0, "") + puts);
  Write(dir, "seed-sst-key-outside", control(0, 0, "") + puts + record(0, 0, "a2", "out"));
  Write(dir, "seed-sst-key-at-end",
        control(0, 0, "") + puts + record(1, 0, "y", "end is exclusive"));
  Write(dir, "seed-sst-delete-outside", control(0, 0, "") + puts + record(0, 1, "z", ""));
  Write(dir, "seed-sst-range-delete", control(0, 0, "") + puts + record(2, 2, "a", "zz"));
  Write(dir, "seed-sst-reverse-order", control(1, 0, "") + puts);
  Write(dir, "seed-sst-cf-swapped", control(8, 0, "") + puts);
  Write(dir, "seed-sst-meta-cf", control(0, 0, "") + puts + record(3, 0, "m", "meta"));
  Write(dir, "seed-sst-truncated", control(4, 200, "") + puts);
  Write(dir, "seed-sst-flipped", control(2, 300, "\x01\x80") + puts);
  Write(dir, "seed-sst-huge-value", control(0, 0, "") + record(0, 0, "h", std::string(60000, 'h')));
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
  RaftCmdSeeds(root + "/raft_cmd_fuzz");
  SstSeeds(root + "/snapshot_sst_fuzz");
  return SnapshotSeeds(root + "/snapshot_fuzz");
}
