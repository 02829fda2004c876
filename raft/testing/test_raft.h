#pragma once

// Building blocks for Raft tests: configs, nodes, storages that already hold a log, and
// entries/messages written in one line. Everything a test makes here is seeded from the run's
// seed (testutil::TestSeed), so a failing test replays exactly.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/config.h"
#include "raft/memory_storage.h"
#include "raft/raft.h"

namespace raft::test {

// Ids 1..n, the membership of an n-node test group.
std::vector<uint64_t> IdsBySize(size_t n);

// The per-node seed a test node uses unless told otherwise: derived from the run's seed and
// the node id, so two nodes never share a random sequence but a run replays exactly.
uint64_t NodeSeed(uint64_t id);

// A Config for node `id` of the group `peers`. random_seed defaults to NodeSeed(id).
Config NewTestConfig(uint64_t id, const std::vector<uint64_t>& peers, int election, int heartbeat,
                     Storage* storage);
Config NewTestConfig(uint64_t id, const std::vector<uint64_t>& peers, int election, int heartbeat,
                     Storage* storage, uint64_t random_seed);

// A node together with the storage it was built on, owned together (the storage outlives the
// node: members are destroyed in reverse order).
struct TestNode {
  std::unique_ptr<MemoryStorage> storage;
  std::unique_ptr<Raft> raft;
  // The Config the node was built with (Network::RestartNode rebuilds from it).
  Config config;

  Raft& operator*() const { return *raft; }
  Raft* operator->() const { return raft.get(); }
};

// A node whose storage holds `entries` (starting at index 1) and `hard_state`.
TestNode NewTestNode(uint64_t id, const std::vector<uint64_t>& peers, int election = 10,
                     int heartbeat = 1, const std::vector<eraftpb::Entry>& entries = {},
                     const eraftpb::HardState& hard_state = {});

// A Raft built from NewTestConfig. The storage is not owned and must outlive the node.
std::unique_ptr<Raft> NewTestRaft(uint64_t id, const std::vector<uint64_t>& peers, int election,
                                  int heartbeat, Storage* storage);
std::unique_ptr<Raft> NewTestRaft(const Config& config);

// Takes the messages the node wants sent and clears its outbox.
std::vector<eraftpb::Message> ReadMessages(Raft& r);

// A normal entry.
eraftpb::Entry MakeEntry(uint64_t index, uint64_t term, const std::string& data = "");

// Entries at indexes first, first+1, ... with the given terms: EntriesWithTerms({1, 1, 2})
// is the log [1@1 2@1 3@2].
std::vector<eraftpb::Entry> EntriesWithTerms(std::initializer_list<uint64_t> terms,
                                             uint64_t first = 1);
std::vector<eraftpb::Entry> EntriesWithTerms(const std::vector<uint64_t>& terms,
                                             uint64_t first = 1);

// A MemoryStorage that already holds `entries` (which must start at index 1).
std::unique_ptr<MemoryStorage> NewStorageWithEntries(const std::vector<eraftpb::Entry>& entries);

// A message with the fields most tests set; fill in the rest on the returned value.
eraftpb::Message MakeMessage(uint64_t from, uint64_t to, eraftpb::MessageType type,
                             uint64_t term = 0);

// A local message a test feeds a node directly: MsgHup (campaign), MsgBeat (heartbeat now).
eraftpb::Message Hup(uint64_t id);
eraftpb::Message Beat(uint64_t id);
// A client proposal to node `id` carrying one entry with `data`.
eraftpb::Message Propose(uint64_t id, const std::string& data = "somedata");

// A node in a follower state at `term` whose HardState records a vote for `vote`, with an
// empty log: it voted in that term but has not heard of any entries. It owns nothing: pass
// it the storage (which receives the HardState) and keep the storage alive.
std::unique_ptr<Raft> NewVotedRaft(uint64_t id, const std::vector<uint64_t>& peers, uint64_t vote,
                                   uint64_t term, MemoryStorage* storage, int election = 10,
                                   int heartbeat = 1);

// The answer a follower that accepts everything gives to a MsgAppend: it now matches the
// leader up to the last entry sent.
eraftpb::Message AcceptAndReply(const eraftpb::Message& append);

// For a node that just became leader: sends every follower its no-op entry, answers for them
// that they accepted it, persists the log to `storage` and marks everything applied, so a
// test starts from a leader whose no-op is committed and whose outbox is empty. Fails the
// test (gtest) if the leader does not send the expected MsgAppend of one no-op entry.
void CommitNoopEntry(Raft& r, MemoryStorage& storage);

// What an application does with a node's progress (TinyKV's nextEnts): persists its
// unstable entries to `storage`, then takes the committed entries not yet applied and marks
// them applied.
std::vector<eraftpb::Entry> PersistAndApply(Raft& r, MemoryStorage& storage);

}  // namespace raft::test
