// Lab 2B: PeerStorage::Append and SaveReadyState, on a fresh store's engines. See
// docs/lab2b.md.

#include <gtest/gtest.h>

#include <memory>

#include "kv/engine_util/engines.h"
#include "raft/util.h"
#include "raftstore/bootstrap.h"
#include "raftstore/meta/keys.h"
#include "raftstore/meta/values.h"
#include "raftstore/peer_storage.h"

namespace raftstore {
namespace {

eraftpb::Entry Ent(uint64_t index, uint64_t term) {
  eraftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  e.set_data("e" + std::to_string(index) + "@" + std::to_string(term));
  return e;
}

std::vector<eraftpb::Entry> Ents(uint64_t first, uint64_t last, uint64_t term) {
  std::vector<eraftpb::Entry> out;
  for (uint64_t i = first; i <= last; ++i) out.push_back(Ent(i, term));
  return out;
}

// The fixture is named after the lab so that --gtest_filter=Raftstore2B.* selects these too.
class Raftstore2B : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = kv::NewInMemoryEnv();
    ASSERT_TRUE(env_->CreateDirIfMissing("/ps").ok());
    auto e = kv::Engines::Open("/ps/store", env_);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engines_ = std::move(e).value();
    region_.set_id(1);
    region_.mutable_region_epoch()->set_conf_ver(1);
    region_.mutable_region_epoch()->set_version(1);
    for (uint64_t id : {1, 2, 3}) {
      metapb::Peer* p = region_.add_peers();
      p->set_id(id);
      p->set_store_id(id);
    }
    ASSERT_TRUE(BootstrapStore(engines_, 1, 1).ok());
    ASSERT_TRUE(PrepareBootstrapCluster(engines_, region_).ok());
    ps_ = Load();
  }

  void TearDown() override {
    ps_.reset();
    (void)engines_.Close();
  }

  // A PeerStorage read back from the engines, as after a restart.
  std::unique_ptr<PeerStorage> Load() {
    auto ps = PeerStorage::Create(&engines_, region_, "[region 1] 1");
    EXPECT_TRUE(ps.ok()) << ps.status().ToString();
    return ps.ok() ? std::move(ps).value() : nullptr;
  }

  // Appends through PeerStorage::Append and writes the batch with the raft state.
  void AppendAndWrite(const std::vector<eraftpb::Entry>& entries) {
    kv::WriteBatch wb;
    kv::Status s = ps_->Append(entries, &wb);
    ASSERT_TRUE(s.ok()) << "PeerStorage::Append: " << s.ToString();
    wb.SetMeta(meta::RaftStateKey(1), ps_->raft_state);
    ASSERT_TRUE(engines_.WriteRaft(wb).ok());
  }

  std::string Log(PeerStorage& ps) {
    auto first = ps.FirstIndex();
    auto last = ps.LastIndex();
    if (!first.ok() || !last.ok()) return "(no range)";
    auto ents = ps.Entries(first.value(), last.value() + 1);
    return "first " + std::to_string(first.value()) + " last " + std::to_string(last.value()) +
           " entries " +
           (ents.ok() ? raft::DescribeEntries(ents.value()) : ents.error().ToString());
  }

  bool StoredEntry(uint64_t index) {
    auto e = meta::GetRaftEntry(*engines_.raft, 1, index);
    return e.ok() && e.value().has_value();
  }

  std::shared_ptr<rocksdb::Env> env_;
  kv::Engines engines_;
  metapb::Region region_;
  std::unique_ptr<PeerStorage> ps_;
};

TEST_F(Raftstore2B, PeerStorageAppendNewEntries) {
  ASSERT_NE(ps_, nullptr);
  AppendAndWrite(Ents(6, 8, 6));
  EXPECT_EQ(ps_->raft_state.last_index(), 8u) << "Append must update raft_state.last_index";
  EXPECT_EQ(ps_->raft_state.last_term(), 6u) << "Append must update raft_state.last_term";
  auto ents = ps_->Entries(6, 9);
  ASSERT_TRUE(ents.ok()) << ents.error().ToString();
  EXPECT_EQ(raft::DescribeEntries(ents.value()), raft::DescribeEntries(Ents(6, 8, 6)));
  EXPECT_EQ(ps_->Term(8).value(), 6u);
  EXPECT_EQ(ps_->Term(5).value(), 5u) << "the initial (truncated) entry keeps term 5";
}

TEST_F(Raftstore2B, PeerStorageAppendOverwritesConflictingTail) {
  ASSERT_NE(ps_, nullptr);
  AppendAndWrite(Ents(6, 10, 6));
  // A new leader's log differs from index 8 on and is shorter.
  AppendAndWrite(Ents(8, 9, 7));
  EXPECT_EQ(ps_->raft_state.last_index(), 9u) << Log(*ps_);
  EXPECT_EQ(ps_->raft_state.last_term(), 7u);
  auto ents = ps_->Entries(6, 10);
  ASSERT_TRUE(ents.ok()) << ents.error().ToString();
  std::vector<eraftpb::Entry> want = Ents(6, 7, 6);
  for (const auto& e : Ents(8, 9, 7)) want.push_back(e);
  EXPECT_EQ(raft::DescribeEntries(ents.value()), raft::DescribeEntries(want));
  EXPECT_FALSE(StoredEntry(10))
      << "entry 10 of the old leader can never be committed: Append must delete it";
}

TEST_F(Raftstore2B, PeerStorageAppendSkipsCompactedEntries) {
  ASSERT_NE(ps_, nullptr);
  // Entries 4 and 5 are at or before the truncated index (5): already covered.
  std::vector<eraftpb::Entry> ents = {Ent(4, 5), Ent(5, 5), Ent(6, 6), Ent(7, 6)};
  AppendAndWrite(ents);
  EXPECT_EQ(ps_->raft_state.last_index(), 7u);
  EXPECT_FALSE(StoredEntry(4)) << "entries before FirstIndex() must not be stored";
  EXPECT_FALSE(StoredEntry(5));
  EXPECT_TRUE(StoredEntry(6));
  EXPECT_TRUE(StoredEntry(7));
}

TEST_F(Raftstore2B, PeerStorageAppendNothing) {
  ASSERT_NE(ps_, nullptr);
  AppendAndWrite(Ents(6, 7, 6));
  kv::WriteBatch wb;
  ASSERT_TRUE(ps_->Append({}, &wb).ok());
  EXPECT_TRUE(wb.empty()) << "appending no entries writes nothing";
  EXPECT_EQ(ps_->raft_state.last_index(), 7u);
}

TEST_F(Raftstore2B, PeerStorageSaveReadyStatePersistsEntriesAndHardState) {
  ASSERT_NE(ps_, nullptr);
  raft::Ready rd;
  rd.entries = Ents(6, 8, 7);
  rd.hard_state.set_term(7);
  rd.hard_state.set_vote(2);
  rd.hard_state.set_commit(6);
  auto saved = ps_->SaveReadyState(rd);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(ps_->raft_state.last_index(), 8u);
  EXPECT_EQ(ps_->raft_state.hard_state().vote(), 2u);

  // What a restart reads back.
  auto stored = meta::GetRaftLocalState(*engines_.raft, 1);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored.value().has_value()) << "SaveReadyState must write the RaftLocalState";
  EXPECT_EQ(stored.value()->last_index(), 8u);
  EXPECT_EQ(stored.value()->last_term(), 7u);
  EXPECT_EQ(raft::DescribeHardState(stored.value()->hard_state()),
            raft::DescribeHardState(rd.hard_state));
  std::unique_ptr<PeerStorage> reloaded = Load();
  ASSERT_NE(reloaded, nullptr);
  auto init = reloaded->InitialState();
  ASSERT_TRUE(init.ok());
  EXPECT_EQ(init.value().hard_state.term(), 7u);
  EXPECT_EQ(init.value().hard_state.vote(), 2u);
  auto ents = reloaded->Entries(6, 9);
  ASSERT_TRUE(ents.ok()) << ents.error().ToString();
  EXPECT_EQ(raft::DescribeEntries(ents.value()), raft::DescribeEntries(rd.entries));
}

TEST_F(Raftstore2B, PeerStorageSaveReadyStateKeepsHardStateWhenUnchanged) {
  ASSERT_NE(ps_, nullptr);
  raft::Ready first;
  first.hard_state.set_term(6);
  first.hard_state.set_vote(1);
  first.hard_state.set_commit(5);
  ASSERT_TRUE(ps_->SaveReadyState(first).ok());
  raft::Ready second;  // entries only: an empty hard state means "unchanged"
  second.entries = Ents(6, 6, 6);
  ASSERT_TRUE(ps_->SaveReadyState(second).ok());
  auto stored = meta::GetRaftLocalState(*engines_.raft, 1);
  ASSERT_TRUE(stored.ok() && stored.value().has_value());
  EXPECT_EQ(stored.value()->hard_state().term(), 6u);
  EXPECT_EQ(stored.value()->hard_state().vote(), 1u)
      << "an empty Ready hard state must not overwrite the stored one";
  EXPECT_EQ(stored.value()->last_index(), 6u);
}

TEST_F(Raftstore2B, PeerStorageSaveReadyStateTruncatesAcrossRestart) {
  ASSERT_NE(ps_, nullptr);
  raft::Ready rd;
  rd.entries = Ents(6, 9, 6);
  rd.hard_state.set_term(6);
  ASSERT_TRUE(ps_->SaveReadyState(rd).ok());
  raft::Ready conflict;
  conflict.entries = Ents(7, 7, 8);
  conflict.hard_state.set_term(8);
  ASSERT_TRUE(ps_->SaveReadyState(conflict).ok());
  std::unique_ptr<PeerStorage> reloaded = Load();
  ASSERT_NE(reloaded, nullptr);
  EXPECT_EQ(reloaded->LastIndex().value(), 7u) << Log(*reloaded);
  EXPECT_EQ(reloaded->Term(7).value(), 8u);
  EXPECT_FALSE(StoredEntry(8));
  EXPECT_FALSE(StoredEntry(9));
}

}  // namespace
}  // namespace raftstore
