// Unit tests of the engine layer: every helper, reopening, and the error paths. The EngineTest
// cases run on both backends (RocksDB on an in-memory env, and the in-memory engine of
// simulated clusters): the same calls must give the same answers.

#include "kv/engine_util/engine.h"

#include <gtest/gtest.h>
#include <rocksdb/sst_file_writer.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kv/engine_util/cf.h"
#include "kv/engine_util/cf_iterator.h"
#include "kv/engine_util/engines.h"
#include "kv/engine_util/snapshot.h"
#include "kv/engine_util/status.h"
#include "kv/engine_util/write_batch.h"
#include "proto/eraftpb.pb.h"

namespace kv {
namespace {

// A directory on disk that no other test uses.
std::string FreshDiskDir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/engine_test_" + name;
  std::string cmd = "rm -rf '" + dir + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return dir;
}

enum class Backend { kRocksDb, kMemory };

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kRocksDb ? "RocksDb" : "Memory";
}

class EngineTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { engine_ = MustOpen(Engine::Kind::kKv); }

  // Options for an engine at `path` on this test's backend.
  EngineOptions Options(const std::string& path) {
    EngineOptions o;
    o.path = path;
    o.env = env_;
    if (GetParam() == Backend::kMemory) o.memory = memory_;
    return o;
  }

  std::unique_ptr<Engine> MustOpen(Engine::Kind kind, const std::string& path = "/mem/kv") {
    Result<std::unique_ptr<Engine>> e = Engine::Open(kind, Options(path));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  std::optional<std::string> MustGet(std::string_view cf, std::string_view key) {
    Result<std::optional<std::string>> v = engine_->GetCF(cf, key);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  // All pairs of `cf` in order, as "k=v,k=v".
  std::string Dump(std::string_view cf) {
    Result<std::unique_ptr<CfIterator>> it = engine_->NewIterator(cf);
    EXPECT_TRUE(it.ok()) << it.status();
    if (!it.ok()) return "";
    std::string out;
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      out +=
          (out.empty() ? "" : ",") + std::string((*it)->key()) + "=" + std::string((*it)->value());
    }
    EXPECT_TRUE((*it)->status().ok()) << (*it)->status();
    return out;
  }

  std::shared_ptr<rocksdb::Env> env_ = NewInMemoryEnv();
  std::shared_ptr<MemoryEngines> memory_ = NewMemoryEngines();
  std::unique_ptr<Engine> engine_;
};

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest,
                         ::testing::Values(Backend::kRocksDb, Backend::kMemory), BackendName);

TEST(EngineUtilStatus, ToStringAnnotateAndHexKey) {
  EXPECT_EQ(Status::OK().ToString(), "OK");
  Status s = Status::Corruption("bad block");
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(s.ToString(), "Corruption: bad block");
  EXPECT_EQ(s.Annotate("apply").ToString(), "Corruption: apply: bad block");
  EXPECT_TRUE(Status::OK().Annotate("x").ok());
  EXPECT_EQ(HexKey("k1"), "0x6b31 'k1'");
  EXPECT_EQ(HexKey(std::string("\x01\xff", 2)), "0x01ff");
  EXPECT_EQ(HexKey(""), "0x (empty)");
  EXPECT_NE(HexKey(std::string(100, 'a')).find("(100 bytes)"), std::string::npos);

  Result<int> r = Status::IOError("disk");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsIOError());
  Result<int> bad = Status::OK();  // a misuse: must not look like a value
  EXPECT_FALSE(bad.ok());
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
}

TEST_P(EngineTest, ColumnFamiliesOfEachKind) {
  EXPECT_EQ(engine_->column_families(),
            (std::vector<std::string>{"default", "lock", "write", "raft"}));
  std::unique_ptr<Engine> raft = MustOpen(Engine::Kind::kRaft, "/mem/raft");
  ASSERT_NE(raft, nullptr);
  EXPECT_EQ(raft->column_families(), (std::vector<std::string>{"default", "raft"}));
  EXPECT_FALSE(raft->HasCf(kCfWrite));
  EXPECT_EQ(DataCfs(), (std::vector<std::string>{"default", "lock", "write"}));
}

TEST_P(EngineTest, PutGetDeleteAndNotFound) {
  EXPECT_EQ(MustGet(kCfDefault, "k"), std::nullopt);
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "k", "v").ok());
  EXPECT_EQ(MustGet(kCfDefault, "k"), "v");
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "k", "v2").ok());
  EXPECT_EQ(MustGet(kCfDefault, "k"), "v2");
  ASSERT_TRUE(engine_->DeleteCF(kCfDefault, "k").ok());
  EXPECT_EQ(MustGet(kCfDefault, "k"), std::nullopt);
  // Deleting a missing key is not an error.
  EXPECT_TRUE(engine_->DeleteCF(kCfDefault, "never").ok());
}

TEST_P(EngineTest, EmptyValueIsAValueAndEmptyKeyIsAKey) {
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "k", "").ok());
  EXPECT_EQ(MustGet(kCfDefault, "k"), std::optional<std::string>(""));
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "", "empty-key").ok());
  EXPECT_EQ(MustGet(kCfDefault, ""), "empty-key");
  EXPECT_EQ(Dump(kCfDefault), "=empty-key,k=");
}

TEST_P(EngineTest, BinaryKeysAndLargeValues) {
  std::string key("\x00\x01\xff", 3);
  std::string big(3 << 20, 'x');
  big[12345] = '\0';
  ASSERT_TRUE(engine_->PutCF(kCfWrite, key, big).ok());
  EXPECT_EQ(MustGet(kCfWrite, key), big);
}

TEST_P(EngineTest, ColumnFamiliesAreIsolated) {
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "k", "d").ok());
  ASSERT_TRUE(engine_->PutCF(kCfLock, "k", "l").ok());
  EXPECT_EQ(MustGet(kCfDefault, "k"), "d");
  EXPECT_EQ(MustGet(kCfLock, "k"), "l");
  EXPECT_EQ(MustGet(kCfWrite, "k"), std::nullopt);
  ASSERT_TRUE(engine_->DeleteCF(kCfLock, "k").ok());
  EXPECT_EQ(MustGet(kCfDefault, "k"), "d");
  EXPECT_EQ(Dump(kCfLock), "");
}

TEST_P(EngineTest, UnknownColumnFamilyIsAnInvalidArgument) {
  Result<std::optional<std::string>> v = engine_->GetCF("nope", "k");
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().IsInvalidArgument()) << v.status();
  EXPECT_NE(v.status().message().find("'nope'"), std::string::npos) << v.status();
  EXPECT_NE(v.status().message().find("/mem/kv"), std::string::npos) << v.status();
  EXPECT_TRUE(engine_->PutCF("nope", "k", "v").IsInvalidArgument());
  EXPECT_TRUE(engine_->DeleteRangeCF("nope", "a", "b").IsInvalidArgument());
  EXPECT_TRUE(engine_->NewIterator("nope").status().IsInvalidArgument());
  EXPECT_FALSE(engine_->CfHandle("nope").ok());
  // RocksDB's own handles exist only on the RocksDB backend.
  Result<rocksdb::ColumnFamilyHandle*> h = engine_->CfHandle(kCfLock);
  if (GetParam() == Backend::kRocksDb) {
    EXPECT_TRUE(h.ok()) << h.status();
  } else {
    EXPECT_TRUE(h.status().IsNotSupported()) << h.status();
  }
}

TEST_P(EngineTest, WriteBatchIsAtomic) {
  WriteBatch wb;
  wb.SetCF(kCfDefault, "a", "1");
  wb.SetCF(kCfWrite, "b", "2");
  wb.DeleteCF(kCfDefault, "gone");
  EXPECT_EQ(wb.Len(), 3u);
  EXPECT_EQ(wb.ByteSize(), 1u + 1 + 1 + 1 + 4);
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "gone", "x").ok());
  ASSERT_TRUE(wb.WriteToDB(*engine_, /*sync=*/true).ok());
  EXPECT_EQ(Dump(kCfDefault), "a=1");
  EXPECT_EQ(Dump(kCfWrite), "b=2");

  // One bad column family: nothing of the batch is written, and the error says which op.
  WriteBatch bad;
  bad.SetCF(kCfDefault, "c", "3");
  bad.SetCF("bogus", "d", "4");
  Status s = engine_->Write(bad, false);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_NE(s.message().find("op 1"), std::string::npos) << s;
  EXPECT_EQ(MustGet(kCfDefault, "c"), std::nullopt);

  wb.Reset();
  EXPECT_TRUE(wb.empty());
  EXPECT_EQ(wb.ByteSize(), 0u);
  EXPECT_TRUE(engine_->Write(wb, false).ok());
}

TEST_P(EngineTest, WriteBatchSafePoints) {
  WriteBatch wb;
  wb.SetCF(kCfDefault, "a", "1");
  wb.SetSafePoint();
  wb.SetCF(kCfDefault, "b", "2");
  wb.SetSafePoint();
  wb.SetCF(kCfDefault, "c", "3");
  wb.RollbackToSafePoint();  // drops c
  EXPECT_EQ(wb.Len(), 2u);
  wb.RollbackToSafePoint();  // drops b
  EXPECT_EQ(wb.Len(), 1u);
  EXPECT_EQ(wb.ByteSize(), 2u);
  ASSERT_TRUE(engine_->Write(wb, false).ok());
  EXPECT_EQ(Dump(kCfDefault), "a=1");
  wb.RollbackToSafePoint();  // no safe point left: drops everything
  EXPECT_TRUE(wb.empty());
}

TEST_P(EngineTest, MetaValues) {
  eraftpb::HardState hs;
  EXPECT_EQ(engine_->GetMeta("state", &hs).ok(), true);
  EXPECT_FALSE(*engine_->GetMeta("state", &hs));

  hs.set_term(5);
  hs.set_vote(2);
  hs.set_commit(9);
  WriteBatch wb;
  wb.SetMeta("state", hs);
  ASSERT_TRUE(engine_->Write(wb, true).ok());
  eraftpb::HardState got;
  Result<bool> found = engine_->GetMeta("state", &got);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(*found);
  EXPECT_EQ(got.term(), 5u);
  EXPECT_EQ(got.vote(), 2u);
  EXPECT_EQ(got.commit(), 9u);

  // Meta values live in cf raft, out of the way of user data.
  EXPECT_EQ(MustGet(kCfDefault, "state"), std::nullopt);
  EXPECT_TRUE(MustGet(kCfRaft, "state").has_value());
  EXPECT_EQ(Dump(kCfDefault), "");

  hs.set_term(6);
  ASSERT_TRUE(engine_->PutMeta("state", hs).ok());
  ASSERT_TRUE(*engine_->GetMeta("state", &got));
  EXPECT_EQ(got.term(), 6u);

  WriteBatch del;
  del.DeleteMeta("state");
  ASSERT_TRUE(engine_->Write(del, false).ok());
  EXPECT_FALSE(*engine_->GetMeta("state", &got));
}

TEST_P(EngineTest, MetaValueThatDoesNotParseIsCorruption) {
  ASSERT_TRUE(engine_->PutCF(kCfRaft, "m", std::string("\xff\xff\xff", 3)).ok());
  eraftpb::HardState hs;
  Result<bool> r = engine_->GetMeta("m", &hs);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsCorruption()) << r.status();
  EXPECT_NE(r.status().message().find("eraftpb.HardState"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("0x6d 'm'"), std::string::npos) << r.status();
}

TEST_P(EngineTest, IteratorSeeksAndWalksOneColumnFamily) {
  for (const char* k : {"b", "d", "a", "c"}) ASSERT_TRUE(engine_->PutCF(kCfLock, k, k).ok());
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "bb", "other cf").ok());
  Result<std::unique_ptr<CfIterator>> r = engine_->NewIterator(kCfLock);
  ASSERT_TRUE(r.ok()) << r.status();
  CfIterator& it = **r;
  EXPECT_EQ(it.cf(), "lock");
  it.Seek("bb");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "c");  // no cf prefix, and cf default's "bb" is not there
  EXPECT_EQ(it.value(), "c");
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "d");
  it.Next();
  EXPECT_FALSE(it.Valid());
  it.Next();  // harmless past the end
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().ok());
  it.Seek("");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "a");
  it.SeekToLast();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "d");
  it.Prev();
  EXPECT_EQ(it.key(), "c");
  it.Seek("z");
  EXPECT_FALSE(it.Valid());
}

TEST_P(EngineTest, IteratorDoesNotSeeLaterWrites) {
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "a", "1").ok());
  Result<std::unique_ptr<CfIterator>> it = engine_->NewIterator(kCfDefault);
  ASSERT_TRUE(it.ok());
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "b", "2").ok());
  ASSERT_TRUE(engine_->DeleteCF(kCfDefault, "a").ok());
  (*it)->SeekToFirst();
  ASSERT_TRUE((*it)->Valid());
  EXPECT_EQ((*it)->key(), "a");
  (*it)->Next();
  EXPECT_FALSE((*it)->Valid());
}

TEST_P(EngineTest, SnapshotGivesOneConsistentView) {
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "a", "1").ok());
  eraftpb::HardState hs;
  hs.set_term(1);
  ASSERT_TRUE(engine_->PutMeta("hs", hs).ok());
  Result<std::unique_ptr<EngineSnapshot>> snap = engine_->NewSnapshot();
  ASSERT_TRUE(snap.ok()) << snap.status();

  ASSERT_TRUE(engine_->PutCF(kCfDefault, "a", "2").ok());
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "b", "new").ok());
  hs.set_term(2);
  ASSERT_TRUE(engine_->PutMeta("hs", hs).ok());

  EXPECT_EQ((*snap)->GetCF(kCfDefault, "a").value(), "1");
  EXPECT_EQ((*snap)->GetCF(kCfDefault, "b").value(), std::nullopt);
  eraftpb::HardState old;
  ASSERT_TRUE((*snap)->GetMeta("hs", &old).value());
  EXPECT_EQ(old.term(), 1u);
  EXPECT_TRUE((*snap)->GetCF("nope", "a").status().IsInvalidArgument());

  // An iterator made later from the snapshot still reads the snapshot, and may outlive it.
  Result<std::unique_ptr<CfIterator>> it = (*snap)->NewIterator(kCfDefault);
  ASSERT_TRUE(it.ok());
  snap = Status::Internal("dropped");  // destroys the EngineSnapshot
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "0", "newer").ok());
  std::string seen;
  for ((*it)->Seek(""); (*it)->Valid(); (*it)->Next()) {
    seen += std::string((*it)->key()) + "=" + std::string((*it)->value()) + ";";
  }
  EXPECT_EQ(seen, "a=1;");
  EXPECT_EQ(MustGet(kCfDefault, "a"), "2");
}

TEST_P(EngineTest, DeleteRange) {
  for (const char* k : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(engine_->PutCF(kCfDefault, k, "1").ok());
    ASSERT_TRUE(engine_->PutCF(kCfWrite, k, "1").ok());
  }
  ASSERT_TRUE(engine_->DeleteRangeCF(kCfDefault, "b", "d").ok());
  EXPECT_EQ(Dump(kCfDefault), "a=1,d=1,e=1");
  EXPECT_EQ(Dump(kCfWrite), "a=1,b=1,c=1,d=1,e=1");  // other column families untouched
  // An empty end means "to the last key".
  ASSERT_TRUE(engine_->DeleteRangeCF(kCfWrite, "c", "").ok());
  EXPECT_EQ(Dump(kCfWrite), "a=1,b=1");
  // Empty and inverted ranges delete nothing.
  ASSERT_TRUE(engine_->DeleteRangeCF(kCfDefault, "d", "d").ok());
  ASSERT_TRUE(engine_->DeleteRangeCF(kCfDefault, "e", "a").ok());
  ASSERT_TRUE(engine_->DeleteRangeCF(kCfLock, "", "").ok());  // an empty cf
  EXPECT_EQ(Dump(kCfDefault), "a=1,d=1,e=1");
  // In a batch, with other writes.
  WriteBatch wb;
  wb.DeleteRangeCF(kCfDefault, "", "");
  wb.SetCF(kCfDefault, "z", "after");
  ASSERT_TRUE(engine_->Write(wb, false).ok());
  EXPECT_EQ(Dump(kCfDefault), "z=after");
}

// Several points in time at once, each seeing only its own state, whatever is overwritten,
// deleted or range-deleted after it and whichever is released first.
TEST_P(EngineTest, SnapshotsOfSeveralPointsInTime) {
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(engine_->PutCF(kCfDefault, k, "1").ok());
  Result<std::unique_ptr<EngineSnapshot>> s1 = engine_->NewSnapshot();
  ASSERT_TRUE(s1.ok());
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "a", "2").ok());
  ASSERT_TRUE(engine_->DeleteCF(kCfDefault, "b").ok());
  Result<std::unique_ptr<EngineSnapshot>> s2 = engine_->NewSnapshot();
  ASSERT_TRUE(s2.ok());
  ASSERT_TRUE(engine_->DeleteRangeCF(kCfDefault, "", "").ok());
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "b", "3").ok());
  Result<std::unique_ptr<EngineSnapshot>> s3 = engine_->NewSnapshot();
  ASSERT_TRUE(s3.ok());
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "d", "4").ok());

  auto dump = [](const EngineSnapshot& snap) {
    Result<std::unique_ptr<CfIterator>> it = snap.NewIterator(kCfDefault);
    EXPECT_TRUE(it.ok());
    std::string out;
    for ((*it)->SeekToFirst(); (*it)->Valid(); (*it)->Next()) {
      out += std::string((*it)->key()) + "=" + std::string((*it)->value()) + ",";
    }
    return out;
  };
  EXPECT_EQ(dump(**s1), "a=1,b=1,c=1,");
  EXPECT_EQ(dump(**s2), "a=2,c=1,");
  EXPECT_EQ(dump(**s3), "b=3,");
  s2 = Status::Internal("dropped");  // the middle one first
  EXPECT_EQ(dump(**s1), "a=1,b=1,c=1,");
  EXPECT_EQ(dump(**s3), "b=3,");
  s1 = Status::Internal("dropped");
  EXPECT_EQ(dump(**s3), "b=3,");
  EXPECT_EQ((*s3)->GetCF(kCfDefault, "a").value(), std::nullopt);
  s3 = Status::Internal("dropped");
  EXPECT_EQ(Dump(kCfDefault), "b=3,d=4");
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "a", "5").ok());
  EXPECT_EQ(Dump(kCfDefault), "a=5,b=3,d=4");
}

// An iterator keeps its key and value while that very key is overwritten and deleted, and
// walks on, both ways, through keys written and deleted after it was made.
TEST_P(EngineTest, IteratorStandsWhileItsKeyChanges) {
  for (const char* k : {"a", "b", "c", "e"}) ASSERT_TRUE(engine_->PutCF(kCfWrite, k, k).ok());
  Result<std::unique_ptr<CfIterator>> r = engine_->NewIterator(kCfWrite);
  ASSERT_TRUE(r.ok());
  CfIterator& it = **r;
  it.Seek("b");
  ASSERT_TRUE(it.Valid());
  ASSERT_TRUE(engine_->PutCF(kCfWrite, "b", std::string(1000, 'x')).ok());
  ASSERT_TRUE(engine_->DeleteCF(kCfWrite, "b").ok());
  ASSERT_TRUE(engine_->PutCF(kCfWrite, "d", "d").ok());
  ASSERT_TRUE(engine_->DeleteCF(kCfWrite, "c").ok());
  EXPECT_EQ(it.key(), "b");
  EXPECT_EQ(it.value(), "b");
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "c");
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "e");  // not the later "d"
  it.Prev();
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "b");
  it.Prev();
  EXPECT_EQ(it.key(), "a");
  it.Prev();
  EXPECT_FALSE(it.Valid());
  r = Status::Internal("dropped");
  EXPECT_EQ(Dump(kCfWrite), "a=a,d=d,e=e");
}

// Thousands of keys written in a scrambled order, deleted by ranges and one by one, while an
// iterator walks both ways: every read agrees with a std::map doing the same.
TEST_P(EngineTest, ManyKeysAgreeWithAMap) {
  std::map<std::string, std::string> want;
  auto key = [](int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "k%05d", i);
    return std::string(buf);
  };
  WriteBatch wb;
  for (int n = 0; n < 3000; n++) {
    const int i = (n * 7919) % 3000;
    wb.SetCF(kCfDefault, key(i), "v" + std::to_string(n));
    want[key(i)] = "v" + std::to_string(n);
    if (wb.Len() == 100) {
      ASSERT_TRUE(engine_->Write(wb, false).ok());
      wb.Reset();
    }
  }
  ASSERT_TRUE(engine_->Write(wb, false).ok());
  Result<std::unique_ptr<CfIterator>> r = engine_->NewIterator(kCfDefault);
  ASSERT_TRUE(r.ok());
  CfIterator& it = **r;
  const std::map<std::string, std::string> at_start = want;
  auto expected = at_start.begin();
  int steps = 0;
  for (it.SeekToFirst(); it.Valid(); it.Next(), ++expected, ++steps) {
    ASSERT_NE(expected, at_start.end());
    ASSERT_EQ(it.key(), expected->first);
    ASSERT_EQ(it.value(), expected->second);
    if (steps % 250 == 0) {
      // Writes between two steps: a range delete ahead, a key behind, a new key.
      const int i = steps;
      ASSERT_TRUE(engine_->DeleteRangeCF(kCfDefault, key(i + 10), key(i + 60)).ok());
      want.erase(want.lower_bound(key(i + 10)), want.lower_bound(key(i + 60)));
      ASSERT_TRUE(engine_->DeleteCF(kCfDefault, key(i)).ok());
      want.erase(key(i));
      ASSERT_TRUE(engine_->PutCF(kCfDefault, key(i) + "x", "new").ok());
      want[key(i) + "x"] = "new";
    }
  }
  EXPECT_EQ(expected, at_start.end());
  EXPECT_EQ(steps, 3000);
  // And back down, from the end.
  auto back = at_start.rbegin();
  for (it.SeekToLast(); it.Valid() && back != at_start.rend(); it.Prev(), ++back) {
    ASSERT_EQ(it.key(), back->first);
  }
  EXPECT_FALSE(it.Valid());
  EXPECT_EQ(back, at_start.rend());
  r = Status::Internal("dropped");
  std::string expect;
  for (const auto& [k, v] : want) expect += (expect.empty() ? "" : ",") + k + "=" + v;
  EXPECT_EQ(Dump(kCfDefault), expect);
}

// Region snapshots' files are SST files whatever the backend.
TEST_P(EngineTest, SstFileWriterWritesAFileOnTheEnginesEnv) {
  const std::string path = "/mem/cf-default.sst";
  Result<std::unique_ptr<rocksdb::SstFileWriter>> w = engine_->NewSstFileWriter(kCfDefault);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Open(path).ok());
  ASSERT_TRUE((*w)->Put("k1", "v1").ok());
  ASSERT_TRUE((*w)->Finish().ok());
  EXPECT_TRUE(env_->FileExists(path).ok());
  EXPECT_TRUE(engine_->NewSstFileWriter("nope").status().IsInvalidArgument());
}

// The names of the files under /mem whose name starts with `prefix` (the in-memory engine
// writes no file there: no /mem at all).
std::vector<std::string> FilesStartingWith(rocksdb::Env& env, const std::string& prefix) {
  std::vector<std::string> all, found;
  rocksdb::Status listed = env.GetChildren("/mem", &all);
  EXPECT_TRUE(listed.ok() || listed.IsNotFound()) << listed.ToString();
  for (const std::string& f : all) {
    if (f.rfind(prefix, 0) == 0) found.push_back(f);
  }
  return found;
}

// Applying a region snapshot: [b, y) of the data column families is replaced by the new pairs
// in one write; keys outside the range, the meta column family and earlier snapshots keep what
// they had.
TEST_P(EngineTest, RangeReplacementReplacesTheRangeOfEveryListedColumnFamily) {
  for (const char* k : {"a", "b", "c", "y"}) ASSERT_TRUE(engine_->PutCF(kCfDefault, k, "old").ok());
  ASSERT_TRUE(engine_->PutCF(kCfLock, "b", "old").ok());
  ASSERT_TRUE(engine_->PutCF(kCfWrite, "x", "old").ok());
  ASSERT_TRUE(engine_->PutCF(kCfRaft, "c", "meta").ok());
  Result<std::unique_ptr<EngineSnapshot>> before = engine_->NewSnapshot();
  ASSERT_TRUE(before.ok());

  auto r = engine_->NewRangeReplacement("b", "y", DataCfs(), "/mem/scratch", "apply");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*r)->Put(kCfDefault, "b", "new").ok());
  ASSERT_TRUE((*r)->Put(kCfDefault, "d", "").ok());
  ASSERT_TRUE((*r)->Put(kCfWrite, "e", "new").ok());
  EXPECT_EQ(Dump(kCfDefault), "a=old,b=old,c=old,y=old") << "nothing changes before the commit";
  Status s = (*r)->Commit();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(Dump(kCfDefault), "a=old,b=new,d=,y=old");
  EXPECT_EQ(Dump(kCfLock), "");
  EXPECT_EQ(Dump(kCfWrite), "e=new");
  EXPECT_EQ(Dump(kCfRaft), "c=meta");
  EXPECT_EQ((*before)->GetCF(kCfDefault, "b").value(), "old");
  EXPECT_EQ((*before)->GetCF(kCfDefault, "d").value(), std::nullopt);
  before = Status::Internal("dropped");
  EXPECT_TRUE((*r)->Commit().IsInvalidArgument()) << "a second commit";
  r = Status::Internal("dropped");
  EXPECT_EQ(FilesStartingWith(*env_, "scratch"), std::vector<std::string>{});
}

TEST_P(EngineTest, RangeReplacementWithoutAnEndReachesTheLastKey) {
  for (const char* k : {"a", "m", "zzz"}) ASSERT_TRUE(engine_->PutCF(kCfDefault, k, "old").ok());
  auto r = engine_->NewRangeReplacement("m", "", DataCfs(), "/mem/scratch", "apply");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*r)->Put(kCfDefault, "n", "new").ok());
  ASSERT_TRUE((*r)->Put(kCfDefault, "\xff\xff", "new").ok());
  ASSERT_TRUE((*r)->Commit().ok());
  EXPECT_EQ(Dump(kCfDefault), "a=old,n=new,\xff\xff=new");
}

// A pair the replacement cannot take is refused with a message naming it, and the engine keeps
// everything it had: the replacement cannot commit any more, and its scratch files go with it.
TEST_P(EngineTest, RangeReplacementRefusesABadPairAndChangesNothing) {
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "c", "old").ok());
  EXPECT_TRUE(engine_->NewRangeReplacement("b", "y", {"default", "nope"}, "/mem/scratch", "apply")
                  .status()
                  .IsInvalidArgument());
  struct Bad {
    std::string_view cf;
    const char* key;
    const char* says;
  };
  for (const Bad& bad : {Bad{kCfDefault, "a", "outside the replaced range"},
                         Bad{kCfDefault, "y", "outside the replaced range"},
                         Bad{kCfDefault, "c", "does not come after"},
                         Bad{kCfRaft, "c", "not in a replaced column family"}}) {
    auto r = engine_->NewRangeReplacement("b", "y", DataCfs(), "/mem/scratch", "apply");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE((*r)->Put(kCfDefault, "c", "new").ok());
    Status s = (*r)->Put(bad.cf, bad.key, "v");
    EXPECT_TRUE(s.IsInvalidArgument()) << bad.cf << " " << bad.key << ": " << s;
    EXPECT_NE(s.message().find(bad.says), std::string::npos) << s;
    EXPECT_TRUE((*r)->Commit().IsInvalidArgument()) << "a commit after a failed put";
  }
  EXPECT_EQ(Dump(kCfDefault), "c=old");
  EXPECT_EQ(FilesStartingWith(*env_, "scratch"), std::vector<std::string>{});
}

TEST_P(EngineTest, DestroyForgetsTheEngine) {
  ASSERT_TRUE(engine_->PutCF(kCfDefault, "k", "v").ok());
  ASSERT_TRUE(engine_->Close().ok());
  EngineOptions o = Options("/mem/kv");
  ASSERT_TRUE(Engine::Destroy(o).ok());
  o.create_if_missing = false;
  EXPECT_FALSE(Engine::Open(Engine::Kind::kKv, o).ok());
  o.create_if_missing = true;
  engine_ = MustOpen(Engine::Kind::kKv);
  ASSERT_NE(engine_, nullptr);
  EXPECT_EQ(MustGet(kCfDefault, "k"), std::nullopt);
}

TEST(EngineUtil, ExceedEndKey) {
  EXPECT_FALSE(ExceedEndKey("a", ""));
  EXPECT_FALSE(ExceedEndKey("a", "b"));
  EXPECT_TRUE(ExceedEndKey("b", "b"));
  EXPECT_TRUE(ExceedEndKey("c", "b"));
}

TEST_P(EngineTest, ReopenAfterCloseKeepsData) {
  ASSERT_TRUE(engine_->PutCF(kCfLock, "k", "v").ok());           // not synced
  ASSERT_TRUE(engine_->PutCF(kCfWrite, "k2", "v2", true).ok());  // synced
  eraftpb::HardState hs;
  hs.set_commit(3);
  ASSERT_TRUE(engine_->PutMeta("hs", hs).ok());
  ASSERT_TRUE(engine_->Close().ok());
  EXPECT_TRUE(engine_->closed());
  EXPECT_TRUE(engine_->Close().ok());  // twice is fine

  engine_ = MustOpen(Engine::Kind::kKv);
  ASSERT_NE(engine_, nullptr);
  EXPECT_EQ(MustGet(kCfLock, "k"), "v");
  EXPECT_EQ(MustGet(kCfWrite, "k2"), "v2");
  eraftpb::HardState got;
  ASSERT_TRUE(engine_->GetMeta("hs", &got).value());
  EXPECT_EQ(got.commit(), 3u);
}

TEST_P(EngineTest, UseAfterCloseIsAnInvalidArgument) {
  ASSERT_TRUE(engine_->Close().ok());
  Result<std::optional<std::string>> v = engine_->GetCF(kCfDefault, "k");
  EXPECT_TRUE(v.status().IsInvalidArgument()) << v.status();
  EXPECT_NE(v.status().message().find("closed"), std::string::npos) << v.status();
  EXPECT_TRUE(engine_->PutCF(kCfDefault, "k", "v").IsInvalidArgument());
  EXPECT_TRUE(engine_->NewSnapshot().status().IsInvalidArgument());
  EXPECT_TRUE(engine_->NewIterator(kCfDefault).status().IsInvalidArgument());
  EXPECT_EQ(engine_->raw_db(), nullptr);
}

TEST_P(EngineTest, CloseRefusesWhileReadersAreOpen) {
  Result<std::unique_ptr<CfIterator>> it = engine_->NewIterator(kCfDefault);
  ASSERT_TRUE(it.ok());
  Status s = engine_->Close();
  EXPECT_TRUE(s.IsBusy()) << s;
  EXPECT_NE(s.message().find("1 snapshot(s) or iterator(s)"), std::string::npos) << s;
  EXPECT_FALSE(engine_->closed());
  it = Status::Internal("dropped");

  Result<std::unique_ptr<EngineSnapshot>> snap = engine_->NewSnapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(engine_->Close().IsBusy());
  snap = Status::Internal("dropped");
  EXPECT_TRUE(engine_->Close().ok());
}

TEST_P(EngineTest, OpeningALockedDirectoryIsBusy) {
  EngineOptions o = Options("/mem/kv");
  Result<std::unique_ptr<Engine>> second = Engine::Open(Engine::Kind::kKv, o);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsBusy()) << second.status();
  EXPECT_NE(second.status().message().find("/mem/kv"), std::string::npos) << second.status();
}

TEST(EngineUtilDisk, OpeningALockedDiskDirectoryIsBusy) {
  EngineOptions o;
  o.path = FreshDiskDir("locked");
  Result<std::unique_ptr<Engine>> first = Engine::Open(Engine::Kind::kKv, o);
  ASSERT_TRUE(first.ok()) << first.status();
  Result<std::unique_ptr<Engine>> second = Engine::Open(Engine::Kind::kKv, o);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsBusy()) << second.status();
  EXPECT_NE(second.status().message().find(o.path), std::string::npos) << second.status();
}

TEST(EngineUtilDisk, ReopenOnDiskKeepsData) {
  EngineOptions o;
  o.path = FreshDiskDir("reopen");
  {
    Result<std::unique_ptr<Engine>> e = Engine::Open(Engine::Kind::kKv, o);
    ASSERT_TRUE(e.ok()) << e.status();
    ASSERT_TRUE((*e)->PutCF(kCfDefault, "k", "v", true).ok());
  }  // the destructor closes
  Result<std::unique_ptr<Engine>> e = Engine::Open(Engine::Kind::kKv, o);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)->GetCF(kCfDefault, "k").value(), "v");
}

TEST(EngineUtilDisk, CorruptDirectoryIsCorruption) {
  EngineOptions o;
  o.path = FreshDiskDir("corrupt");
  {
    Result<std::unique_ptr<Engine>> e = Engine::Open(Engine::Kind::kKv, o);
    ASSERT_TRUE(e.ok()) << e.status();
    ASSERT_TRUE((*e)->PutCF(kCfDefault, "k", "v", true).ok());
  }
  std::ofstream(o.path + "/CURRENT", std::ios::trunc) << "garbage";
  Result<std::unique_ptr<Engine>> e = Engine::Open(Engine::Kind::kKv, o);
  ASSERT_FALSE(e.ok());
  EXPECT_TRUE(e.status().IsCorruption()) << e.status();
  EXPECT_NE(e.status().message().find(o.path), std::string::npos) << e.status();
}

TEST(EngineUtilDisk, MissingParentDirectoryIsAnIOError) {
  EngineOptions o;
  o.path = FreshDiskDir("noparent") + "/a/b";
  Result<std::unique_ptr<Engine>> e = Engine::Open(Engine::Kind::kKv, o);
  ASSERT_FALSE(e.ok());
  EXPECT_TRUE(e.status().IsIOError()) << e.status();
  EXPECT_NE(e.status().message().find(o.path), std::string::npos) << e.status();
}

TEST_P(EngineTest, OpenErrors) {
  EngineOptions o = Options("");
  EXPECT_TRUE(Engine::Open(Engine::Kind::kKv, o).status().IsInvalidArgument());  // no path

  o.path = "/mem/missing";
  o.create_if_missing = false;
  Result<std::unique_ptr<Engine>> missing = Engine::Open(Engine::Kind::kKv, o);
  EXPECT_TRUE(missing.status().IsInvalidArgument()) << missing.status();

  // A kv engine's directory has column families a raft engine does not open.
  ASSERT_TRUE(engine_->Close().ok());
  o.path = "/mem/kv";
  o.create_if_missing = true;
  Result<std::unique_ptr<Engine>> wrong = Engine::Open(Engine::Kind::kRaft, o);
  ASSERT_FALSE(wrong.ok());
  EXPECT_TRUE(wrong.status().IsInvalidArgument()) << wrong.status();
  EXPECT_NE(wrong.status().message().find("open raft engine at /mem/kv"), std::string::npos)
      << wrong.status();

  o.error_if_exists = true;
  EXPECT_FALSE(Engine::Open(Engine::Kind::kKv, o).ok());
}

TEST(EngineUtilEngines, OpenWriteCloseReopenDestroy) {
  std::shared_ptr<rocksdb::Env> env = NewInMemoryEnv();
  {
    Result<Engines> e = Engines::Open("/mem/store1", env);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(e->kv_path, "/mem/store1/kv");
    EXPECT_EQ(e->raft_path, "/mem/store1/raft");
    EXPECT_EQ(e->kv->kind(), Engine::Kind::kKv);
    EXPECT_EQ(e->raft->kind(), Engine::Kind::kRaft);
    WriteBatch kvwb;
    kvwb.SetCF(kCfDefault, "user", "data");
    ASSERT_TRUE(e->WriteKV(kvwb).ok());
    WriteBatch raftwb;
    eraftpb::HardState hs;
    hs.set_term(4);
    raftwb.SetMeta("raft_state", hs);
    ASSERT_TRUE(e->WriteRaft(raftwb, true).ok());
    ASSERT_TRUE(e->Close().ok());
  }
  Result<Engines> e = Engines::Open("/mem/store1", env);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->kv->GetCF(kCfDefault, "user").value(), "data");
  EXPECT_EQ(e->raft->GetCF(kCfDefault, "user").value(), std::nullopt);  // separate engines
  eraftpb::HardState hs;
  ASSERT_TRUE(e->raft->GetMeta("raft_state", &hs).value());
  EXPECT_EQ(hs.term(), 4u);

  ASSERT_TRUE(e->Destroy().ok());
  EngineOptions o;
  o.path = "/mem/store1/kv";
  o.env = env;
  o.create_if_missing = false;
  EXPECT_FALSE(Engine::Open(Engine::Kind::kKv, o).ok()) << "the kv engine was not destroyed";
}

TEST(EngineUtilEngines, OpenOnDisk) {
  std::string dir = FreshDiskDir("engines");
  Result<Engines> e = Engines::Open(dir);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->kv->PutCF(kCfDefault, "k", "v").ok());
  ASSERT_TRUE(e->Destroy().ok());
  std::ifstream current(dir + "/kv/CURRENT");
  EXPECT_FALSE(current.good()) << "Destroy left the files behind";
}

}  // namespace
}  // namespace kv
