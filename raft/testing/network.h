#pragma once

// A simulated network of Raft nodes for tests, in one thread and without a clock: Send()
// hands messages to their receivers and keeps delivering whatever the receivers answer until
// nothing is left in flight. Faults are injected between "a node put a message in its outbox"
// and "the receiver steps it":
//
//   Ignore(type)          every message of that type is lost;
//   Drop(from, to, f)     a fraction f of the messages on that link is lost (seeded);
//   Cut(a, b), Isolate(x) links that lose everything; Recover() heals all of the above;
//   SetHook(h)            h sees each surviving message and returns what goes on the wire
//                         instead: {m} passes it, {} drops it, {m, m} duplicates it, and a
//                         hook that keeps m to Send() later delays or reorders it.
//
// Messages given to Send() go straight to their receivers (a test's own messages are never
// filtered); only what nodes send is. Every random choice comes from the seed passed to the
// constructor, so a run replays exactly.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "proto/eraftpb.pb.h"
#include "raft/config.h"
#include "raft/memory_storage.h"
#include "raft/raft.h"
#include "raft/testing/test_raft.h"

namespace raft::test {

class Network {
 public:
  // One slot of the network; slot i (from 0) is node i + 1.
  class Peer {
   public:
    // A fresh node on an empty MemoryStorage, built by the network: election 10, heartbeat 1,
    // the whole network as its group (the constructor's `configure` may change that).
    static Peer New();
    // A node the test built, with the storage it was built on; the network owns both.
    static Peer Of(std::unique_ptr<Raft> raft, std::unique_ptr<MemoryStorage> storage);
    // A node and storage the test built (NewTestNode); the network owns both.
    static Peer Of(TestNode node);
    // A node the test built; its storage stays owned by the test and must outlive the network.
    static Peer Of(std::unique_ptr<Raft> raft, MemoryStorage* storage);
    // A node whose storage holds entries 1..n with the given terms and whose HardState term is
    // the last of them: a follower that has seen that log, nothing committed.
    static Peer WithLog(uint64_t id, const std::vector<uint64_t>& peers,
                        const std::vector<uint64_t>& terms, int election = 10, int heartbeat = 1);
    // Swallows every message sent to it and never answers: a crashed or unreachable node.
    static Peer BlackHole();

   private:
    friend class Network;
    enum class Kind { kNew, kNode, kBlackHole };
    Kind kind_ = Kind::kNew;
    // Declared before raft_ so that the node is destroyed first.
    std::unique_ptr<MemoryStorage> owned_storage_;
    MemoryStorage* storage_ = nullptr;
    std::unique_ptr<Raft> raft_;
  };

  // Sees each message a node sends that survived Ignore/Drop; returns what is sent instead.
  using Hook = std::function<std::vector<eraftpb::Message>(const eraftpb::Message&)>;

  // peers[i] becomes node i + 1. `seed` drives the random drops (pass testutil::TestSeed() or
  // DeriveSeed(i)); `configure` adjusts the Config of every Peer::New() node before it is built.
  Network(std::vector<Peer> peers, uint64_t seed, std::function<void(Config&)> configure = nullptr);
  // n fresh nodes (Peer::New()).
  Network(size_t n, uint64_t seed, std::function<void(Config&)> configure = nullptr);
  ~Network();

  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Delivers the messages, then everything the receivers send in answer, until quiet.
  void Send(std::vector<eraftpb::Message> msgs);
  void Send(const eraftpb::Message& m) { Send(std::vector<eraftpb::Message>{m}); }

  // Ticks node `id` n times, then sends (through the faults) what it put in its outbox.
  void Tick(uint64_t id, int n = 1);
  // Sends (through the faults) what node `id` has in its outbox, until quiet.
  void Flush(uint64_t id);

  void Drop(uint64_t from, uint64_t to, double fraction);
  void Cut(uint64_t a, uint64_t b);
  void Isolate(uint64_t id);
  void Ignore(eraftpb::MessageType type);
  // Heals every Drop, Cut, Isolate and Ignore (not the hook).
  void Recover();
  void SetHook(Hook hook) { hook_ = std::move(hook); }
  // Shorthand for a hook that passes the messages `keep` accepts and drops the others.
  void SetFilter(std::function<bool(const eraftpb::Message&)> keep);

  // The node in slot `id`; nullptr for a black hole. Throws std::out_of_range for a bad id.
  Raft* raft(uint64_t id) const;
  Raft& node(uint64_t id) const;  // like raft(), but the slot must hold a node
  // The storage of node `id` (so a test can compact or snapshot it); nullptr for a black hole.
  MemoryStorage* storage(uint64_t id) const;
  // Replaces slot `id` (e.g. a node restarted from its storage, or a black hole).
  void Replace(uint64_t id, Peer peer);
  std::vector<uint64_t> ids() const;

  // The most recent events (deliveries, losses), oldest first, one per line: for failure
  // messages. At most `n` lines.
  std::string RecentTrace(size_t n = 40) const;
  // How many messages were delivered since the network was built.
  uint64_t delivered() const { return delivered_; }

  // Send() gives up (and fails the test) after this many deliveries without going quiet:
  // nodes that answer each other forever would otherwise hang the test.
  size_t max_deliveries_per_send = 20000;

 private:
  // The messages that survive the faults, in order.
  std::vector<eraftpb::Message> Filter(std::vector<eraftpb::Message> msgs);
  void Deliver(std::deque<eraftpb::Message> queue);
  void Record(std::string event);
  Peer Build(uint64_t id, Peer peer);

  std::map<uint64_t, Peer> peers_;
  std::vector<uint64_t> ids_;
  std::function<void(Config&)> configure_;
  std::map<std::pair<uint64_t, uint64_t>, double> drop_;
  std::set<eraftpb::MessageType> ignore_;
  Hook hook_;
  std::mt19937_64 rng_;
  std::deque<std::string> trace_;
  uint64_t delivered_ = 0;
};

}  // namespace raft::test
