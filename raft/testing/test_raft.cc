#include "raft/testing/test_raft.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "raft/util.h"
#include "testutil/seed.h"

namespace raft::test {

std::vector<uint64_t> IdsBySize(size_t n) {
  std::vector<uint64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = i + 1;
  return ids;
}

uint64_t NodeSeed(uint64_t id) { return testutil::DeriveSeed(1'000'000 + id); }

Config NewTestConfig(uint64_t id, const std::vector<uint64_t>& peers, int election, int heartbeat,
                     Storage* storage) {
  return NewTestConfig(id, peers, election, heartbeat, storage, NodeSeed(id));
}

Config NewTestConfig(uint64_t id, const std::vector<uint64_t>& peers, int election, int heartbeat,
                     Storage* storage, uint64_t random_seed) {
  Config c;
  c.id = id;
  c.peers = peers;
  c.election_tick = election;
  c.heartbeat_tick = heartbeat;
  c.storage = storage;
  c.random_seed = random_seed;
  return c;
}

std::unique_ptr<Raft> NewTestRaft(uint64_t id, const std::vector<uint64_t>& peers, int election,
                                  int heartbeat, Storage* storage) {
  return NewTestRaft(NewTestConfig(id, peers, election, heartbeat, storage));
}

std::unique_ptr<Raft> NewTestRaft(const Config& config) { return std::make_unique<Raft>(config); }

TestNode NewTestNode(uint64_t id, const std::vector<uint64_t>& peers, int election, int heartbeat,
                     const std::vector<eraftpb::Entry>& entries,
                     const eraftpb::HardState& hard_state) {
  TestNode n;
  n.storage = NewStorageWithEntries(entries);
  n.storage->SetHardState(hard_state);
  n.config = NewTestConfig(id, peers, election, heartbeat, n.storage.get());
  n.raft = NewTestRaft(n.config);
  return n;
}

std::vector<eraftpb::Message> ReadMessages(Raft& r) {
  std::vector<eraftpb::Message> out;
  out.swap(r.msgs);
  return out;
}

eraftpb::Entry MakeEntry(uint64_t index, uint64_t term, const std::string& data) {
  eraftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  if (!data.empty()) e.set_data(data);
  return e;
}

std::vector<eraftpb::Entry> EntriesWithTerms(std::initializer_list<uint64_t> terms,
                                             uint64_t first) {
  return EntriesWithTerms(std::vector<uint64_t>(terms), first);
}

std::vector<eraftpb::Entry> EntriesWithTerms(const std::vector<uint64_t>& terms, uint64_t first) {
  std::vector<eraftpb::Entry> ents;
  ents.reserve(terms.size());
  for (size_t i = 0; i < terms.size(); ++i) ents.push_back(MakeEntry(first + i, terms[i]));
  return ents;
}

std::unique_ptr<MemoryStorage> NewStorageWithEntries(const std::vector<eraftpb::Entry>& entries) {
  auto storage = std::make_unique<MemoryStorage>();
  if (Error err = storage->Append(entries)) {
    throw std::invalid_argument("test storage: " + err.ToString());
  }
  return storage;
}

eraftpb::Message MakeMessage(uint64_t from, uint64_t to, eraftpb::MessageType type, uint64_t term) {
  eraftpb::Message m;
  m.set_from(from);
  m.set_to(to);
  m.set_msg_type(type);
  m.set_term(term);
  return m;
}

eraftpb::Message Hup(uint64_t id) { return MakeMessage(id, id, eraftpb::MsgHup); }

eraftpb::Message Beat(uint64_t id) { return MakeMessage(id, id, eraftpb::MsgBeat); }

eraftpb::Message Propose(uint64_t id, const std::string& data) {
  eraftpb::Message m = MakeMessage(id, id, eraftpb::MsgPropose);
  m.add_entries()->set_data(data);
  return m;
}

std::unique_ptr<Raft> NewVotedRaft(uint64_t id, const std::vector<uint64_t>& peers, uint64_t vote,
                                   uint64_t term, MemoryStorage* storage, int election,
                                   int heartbeat) {
  eraftpb::HardState hs;
  hs.set_term(term);
  hs.set_vote(vote);
  storage->SetHardState(hs);
  return NewTestRaft(id, peers, election, heartbeat, storage);
}

eraftpb::Message AcceptAndReply(const eraftpb::Message& append) {
  eraftpb::Message m =
      MakeMessage(append.to(), append.from(), eraftpb::MsgAppendResponse, append.term());
  m.set_index(append.index() + append.entries_size());
  return m;
}

void CommitNoopEntry(Raft& r, MemoryStorage& storage) {
  if (r.state != StateType::kLeader) {
    ADD_FAILURE() << "CommitNoopEntry needs a leader; node " << r.id << " is "
                  << StateName(r.state);
    return;
  }
  ReadMessages(r);
  for (const auto& [peer, pr] : r.prs) {
    if (peer != r.id) r.sendAppend(peer);
  }
  for (const eraftpb::Message& m : ReadMessages(r)) {
    if (m.msg_type() != eraftpb::MsgAppend || m.entries_size() != 1 ||
        !m.entries(0).data().empty()) {
      ADD_FAILURE() << "a new leader's first MsgAppend must carry exactly its no-op entry "
                       "(one entry, no data); node "
                    << r.id << " sent " << DescribeMessage(m);
      continue;
    }
    r.Step(AcceptAndReply(m));
  }
  ReadMessages(r);  // the commit-index refresh the acceptances triggered
  storage.Append(r.raft_log.unstableEntries());
  r.raft_log.applied = r.raft_log.committed;
  r.raft_log.stabled = r.raft_log.LastIndex();
}

std::vector<eraftpb::Entry> PersistAndApply(Raft& r, MemoryStorage& storage) {
  storage.Append(r.raft_log.unstableEntries());
  r.raft_log.stabled = r.raft_log.LastIndex();
  std::vector<eraftpb::Entry> ents = r.raft_log.nextEnts();
  r.raft_log.applied = r.raft_log.committed;
  return ents;
}

}  // namespace raft::test
