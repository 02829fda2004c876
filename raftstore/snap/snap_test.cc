// Region snapshots: build, chunked transfer, ingest, and every way a damaged snapshot is
// refused before it can touch a follower's data.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/engine.h"
#include "kv/engine_util/snapshot.h"
#include "raftstore/snap/checksum.h"
#include "raftstore/snap/region_snapshot.h"
#include "raftstore/snap/snap_manager.h"
#include "testutil/seed.h"

namespace raftstore::snap {
namespace {

using Contents = std::map<std::string, std::string>;  // "cf/key" -> value

metapb::Region RegionOf(const std::string& start, const std::string& end) {
  metapb::Region r;
  r.set_id(2);
  r.set_start_key(start);
  r.set_end_key(end);
  return r;
}

// One store's side: an in-memory file system with a kv engine and a snapshot directory.
struct Side {
  std::shared_ptr<rocksdb::Env> env = kv::NewInMemoryEnv();
  std::unique_ptr<kv::Engine> engine;
  std::unique_ptr<SnapManager> manager;

  Side() {
    kv::EngineOptions o;
    o.path = "/store/kv";
    o.env = env;
    auto e = kv::Engine::Open(kv::Engine::Kind::kKv, o);
    EXPECT_TRUE(e.ok()) << e.status();
    engine = std::move(*e);
    manager = std::make_unique<SnapManager>(env, "/store/snap");
  }

  void Put(const std::string& cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(engine->PutCF(cf, key, value).ok());
  }

  // Every key of every data column family within [start, end) ("" end: no end).
  Contents Read(const std::string& start = "", const std::string& end = "") const {
    Contents out;
    for (const std::string& cf : kv::DataCfs()) {
      auto it = engine->NewIterator(cf);
      EXPECT_TRUE(it.ok());
      for ((*it)->Seek(start); (*it)->Valid(); (*it)->Next()) {
        std::string key((*it)->key());
        if (!end.empty() && key >= end) break;
        out[cf + "/" + key] = std::string((*it)->value());
      }
    }
    return out;
  }

  raft_serverpb::RaftSnapshotData Build(const metapb::Region& region, const SnapKey& key) {
    auto snap = engine->NewSnapshot();
    EXPECT_TRUE(snap.ok());
    auto data = BuildRegionSnapshot(**snap, region, key, *manager);
    EXPECT_TRUE(data.ok()) << data.status();
    return data.ok() ? *data : raft_serverpb::RaftSnapshotData();
  }
};

// Fills `side` with seeded keys a..z in every data cf, values of random length.
void FillRandom(Side& side, uint64_t seed, const std::string& tag) {
  std::mt19937_64 rng(seed);
  for (const std::string& cf : kv::DataCfs()) {
    for (char c = 'a'; c <= 'z'; ++c) {
      for (int i = 0; i < 20; ++i) {
        std::string key = std::string(1, c) + std::to_string(rng() % 1000);
        side.Put(cf, key, tag + std::string(rng() % 300, static_cast<char>('A' + rng() % 26)));
      }
    }
  }
}

// Moves a built snapshot from one side to the other, chunk by chunk.
kv::Status Transfer(Side& from, Side& to, const SnapKey& key,
                    const raft_serverpb::RaftSnapshotData& data, size_t chunk_size = 1000) {
  auto chunks = from.manager->ReadChunks(key, data, chunk_size);
  if (!chunks.ok()) return chunks.status();
  for (const auto& c : *chunks) KV_RETURN_IF_ERROR(to.manager->ReceiveChunk(c, data));
  return to.manager->FinishReceive(key, data);
}

TEST(Snap2C, Crc32cMatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // Checksumming in pieces gives the checksum of the whole.
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), Crc32c("123456789"));
  // The hardware path agrees with the table at every length and alignment.
  std::string bytes;
  std::mt19937_64 rng(testutil::TestSeed());
  for (int i = 0; i < 300; ++i) bytes.push_back(static_cast<char>(rng()));
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; start + len <= bytes.size(); len += 7) {
      std::string_view piece(bytes.data() + start, len);
      ASSERT_EQ(Crc32c(piece, 0x1234), Crc32cPortable(piece, 0x1234))
          << "start " << start << " length " << len;
    }
  }
}

TEST(Snap2C, BuildAndIngestReplaceExactlyTheRegionsKeys) {
  Side leader, follower;
  FillRandom(leader, testutil::DeriveSeed(1), "new");
  FillRandom(follower, testutil::DeriveSeed(2), "stale");
  const metapb::Region region = RegionOf("f", "p");
  const SnapKey key{2, 7, 42};
  const Contents follower_outside_before = follower.Read("", "f");
  const Contents follower_after_before = follower.Read("p", "");

  auto data = leader.Build(region, key);
  ASSERT_EQ(data.meta().cf_files_size(), 3) << "one file description per data column family";
  ASSERT_TRUE(Transfer(leader, follower, key, data).ok());
  kv::Status s = IngestRegionSnapshot(*follower.engine, key, data, *follower.manager);
  ASSERT_TRUE(s.ok()) << s;

  EXPECT_EQ(follower.Read("f", "p"), leader.Read("f", "p"))
      << "after applying the snapshot the follower's keys in [f, p) must be the leader's, with "
         "no stale key left";
  EXPECT_EQ(follower.Read("", "f"), follower_outside_before)
      << "keys before the region's start must not be touched";
  EXPECT_EQ(follower.Read("p", ""), follower_after_before)
      << "keys from the region's end on must not be touched";
}

TEST(Snap2C, SnapshotSeesTheEngineAsOfItsPointInTime) {
  Side leader, follower;
  leader.Put("default", "k1", "v1");
  auto engine_snap = leader.engine->NewSnapshot();
  ASSERT_TRUE(engine_snap.ok());
  leader.Put("default", "k1", "overwritten later");
  leader.Put("write", "k2", "written later");
  const SnapKey key{2, 5, 6};
  auto data = BuildRegionSnapshot(**engine_snap, RegionOf("", ""), key, *leader.manager);
  ASSERT_TRUE(data.ok()) << data.status();
  engine_snap->reset();
  ASSERT_TRUE(Transfer(leader, follower, key, *data).ok());
  ASSERT_TRUE(IngestRegionSnapshot(*follower.engine, key, *data, *follower.manager).ok());
  EXPECT_EQ(follower.Read(), (Contents{{"default/k1", "v1"}}));
}

TEST(Snap2C, EmptyRegionGivesEmptyFilesAndClearsTheFollower) {
  Side leader, follower;
  follower.Put("lock", "m", "stale");
  const SnapKey key{2, 5, 9};
  auto data = leader.Build(RegionOf("a", "z"), key);
  EXPECT_EQ(data.file_size(), 0u);
  ASSERT_TRUE(Transfer(leader, follower, key, data).ok());
  ASSERT_TRUE(IngestRegionSnapshot(*follower.engine, key, data, *follower.manager).ok());
  EXPECT_TRUE(follower.Read().empty()) << "the stale key must be gone";
}

class DamagedSnapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    FillRandom(leader_, testutil::DeriveSeed(3), "v");
    follower_.Put("default", "g1", "stale");
    data_ = leader_.Build(region_, key_);
    auto chunks = leader_.manager->ReadChunks(key_, data_, 512);
    ASSERT_TRUE(chunks.ok()) << chunks.status();
    chunks_ = *chunks;
    ASSERT_GT(chunks_.size(), 3u);
  }

  // Feeds chunks to the follower; the first error, or FinishReceive's answer.
  kv::Status Receive(const std::vector<raft_serverpb::SnapshotChunk>& chunks) {
    for (const auto& c : chunks) KV_RETURN_IF_ERROR(follower_.manager->ReceiveChunk(c, data_));
    return follower_.manager->FinishReceive(key_, data_);
  }

  void ExpectNothingLeftBehind() {
    std::vector<std::string> files;
    ASSERT_TRUE(follower_.env->GetChildren("/store/snap", &files).ok());
    for (const auto& f : files) {
      EXPECT_TRUE(f == "." || f == "..") << "a refused snapshot left " << f << " behind";
    }
    EXPECT_EQ(follower_.Read(), (Contents{{"default/g1", "stale"}}))
        << "a refused snapshot must not change the follower's data";
  }

  Side leader_, follower_;
  metapb::Region region_ = RegionOf("c", "t");
  SnapKey key_{2, 8, 31};
  raft_serverpb::RaftSnapshotData data_;
  std::vector<raft_serverpb::SnapshotChunk> chunks_;
};

TEST_F(DamagedSnapshot, FlippedByteInAChunkIsRefused) {
  (*chunks_[2].mutable_data())[10] ^= 0x40;
  kv::Status s = Receive(chunks_);
  EXPECT_TRUE(s.IsCorruption()) << s;
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s;
  ExpectNothingLeftBehind();
}

TEST_F(DamagedSnapshot, LostChunkIsRefused) {
  chunks_.erase(chunks_.begin() + 1);
  kv::Status s = Receive(chunks_);
  EXPECT_TRUE(s.IsCorruption()) << s;
  EXPECT_NE(s.message().find("lost or came out of order"), std::string::npos) << s;
  ExpectNothingLeftBehind();
}

TEST_F(DamagedSnapshot, ReorderedChunksAreRefused) {
  std::swap(chunks_[0], chunks_[1]);
  EXPECT_TRUE(Receive(chunks_).IsCorruption());
  ExpectNothingLeftBehind();
}

TEST_F(DamagedSnapshot, TruncatedTransferIsRefused) {
  chunks_.pop_back();
  kv::Status s = Receive(chunks_);
  EXPECT_TRUE(s.IsCorruption()) << s;
  EXPECT_NE(s.message().find("incomplete"), std::string::npos) << s;
  ExpectNothingLeftBehind();
}

TEST_F(DamagedSnapshot, ChunkWithConsistentChecksumButWrongBytesFailsTheFileChecksum) {
  // A sender that damaged its file before chunking: each chunk checks, the file does not.
  auto& c = chunks_[1];
  (*c.mutable_data())[0] ^= 0x01;
  c.set_checksum(Crc32c(c.data()));
  kv::Status s = Receive(chunks_);
  EXPECT_TRUE(s.IsCorruption()) << s;
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s;
  ExpectNothingLeftBehind();
}

TEST_F(DamagedSnapshot, FileDamagedOnDiskIsRefusedAtApplyAndChangesNothing) {
  ASSERT_TRUE(Receive(chunks_).ok());
  // Truncate the follower's received default-cf file.
  const std::string path = follower_.manager->CfFilePath(key_, "default");
  std::unique_ptr<rocksdb::WritableFile> f;
  ASSERT_TRUE(follower_.env->NewWritableFile(path, &f, rocksdb::EnvOptions()).ok());
  ASSERT_TRUE(f->Append("short").ok());
  ASSERT_TRUE(f->Close().ok());
  kv::Status s = IngestRegionSnapshot(*follower_.engine, key_, data_, *follower_.manager);
  EXPECT_TRUE(s.IsCorruption()) << s;
  EXPECT_EQ(follower_.Read(), (Contents{{"default/g1", "stale"}}))
      << "a damaged snapshot must not change the follower's data";
}

TEST_F(DamagedSnapshot, ChunkOfUnknownColumnFamilyIsRefused) {
  chunks_[0].set_cf("bogus");
  EXPECT_TRUE(Receive(chunks_).IsCorruption());
  ExpectNothingLeftBehind();
}

// The metadata comes from the sender too (found writing fuzz/snapshot_fuzz.cc, whose seeds
// now hold both cases): a column family listed twice used to crash FinishReceive (the first
// entry's file closed, the second's then dereferenced), and one the engine lacks was accepted
// when it had no bytes.
TEST_F(DamagedSnapshot, MetadataListingAColumnFamilyTwiceIsRefused) {
  *data_.mutable_meta()->add_cf_files() = data_.meta().cf_files(0);
  kv::Status s = Receive(chunks_);
  EXPECT_TRUE(s.IsCorruption()) << s;
  EXPECT_NE(s.message().find("twice"), std::string::npos) << s;
  ExpectNothingLeftBehind();
}

TEST_F(DamagedSnapshot, MetadataNamingAnUnknownColumnFamilyIsRefused) {
  auto* f = data_.mutable_meta()->add_cf_files();
  f->set_cf("../../outside");
  f->set_size(0);
  kv::Status s = Receive(chunks_);
  EXPECT_TRUE(s.IsCorruption()) << s;
  EXPECT_NE(s.message().find("does not have"), std::string::npos) << s;
  ExpectNothingLeftBehind();
  EXPECT_TRUE(follower_.manager->FinishReceive(key_, data_).IsCorruption());
}

// Raft ignores a snapshot its log already covers, so nothing ever applies (and deletes) the
// files of such a duplicate: once the store has applied past it, they are dropped.
TEST_F(DamagedSnapshot, ReceivedSnapshotNeverAppliedIsDroppedOnceAppliedPassesIt) {
  ASSERT_TRUE(Receive(chunks_).ok());
  EXPECT_EQ(follower_.manager->received_count(), 1u);
  EXPECT_EQ(follower_.manager->DropStaleReceived(key_.region_id, key_.index - 1), 0u)
      << "a snapshot above the applied index may still be applied: it must stay";
  EXPECT_EQ(follower_.manager->DropStaleReceived(key_.region_id + 1, key_.index), 0u)
      << "another region's applied index says nothing about this snapshot";
  EXPECT_TRUE(follower_.manager->Verify(key_, data_).ok());
  EXPECT_EQ(follower_.manager->DropStaleReceived(key_.region_id, key_.index), 1u);
  EXPECT_EQ(follower_.manager->received_count(), 0u);
  ExpectNothingLeftBehind();
}

// A transfer whose sender gave up half way (deposed, crashed, the rest lost) holds partial
// files until the store has applied past it.
TEST_F(DamagedSnapshot, StalledTransferIsDroppedOnceAppliedPassesIt) {
  ASSERT_TRUE(follower_.manager->ReceiveChunk(chunks_[0], data_).ok());
  EXPECT_EQ(follower_.manager->DropStaleReceived(key_.region_id, key_.index + 5), 1u);
  ExpectNothingLeftBehind();
}

TEST(Snap2C, DeleteRemovesOnlyThatSnapshotsFiles) {
  Side side;
  side.Put("default", "a", "1");
  const SnapKey k1{2, 5, 3}, k2{2, 5, 31};
  auto d1 = side.Build(RegionOf("", ""), k1);
  auto d2 = side.Build(RegionOf("", ""), k2);
  ASSERT_TRUE(side.manager->Delete(k1).ok());
  EXPECT_FALSE(side.manager->Verify(k1, d1).ok()) << "k1's files should be gone";
  EXPECT_TRUE(side.manager->Verify(k2, d2).ok()) << "k2's files must survive deleting k1";
}

}  // namespace
}  // namespace raftstore::snap
