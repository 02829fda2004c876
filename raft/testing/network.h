#pragma once

// A simulated network of Raft nodes for tests, in one thread and without a clock: Send()
// hands messages to their receivers and keeps delivering whatever the receivers answer until
// nothing is left in flight. Faults are injected between "a node put a message in its outbox"
// and "the receiver steps it". Per link (from -> to), in this order:
//
//   Ignore(type)              every message of that type is lost (all links);
//   Drop(from, to, f)         a fraction f of the messages is lost;
//   Cut(a, b), Isolate(x)     links that lose everything;
//   Duplicate(from, to, f)    a fraction f of the messages arrives twice (each copy then
//                             goes through the faults below on its own);
//   SetHook(h)                h sees each copy and returns what goes on the wire instead:
//                             {m} passes it, {} drops it, {m, m} duplicates it;
//   HoldBack(from, to, f)     a fraction f is taken off the wire and kept until the test
//                             calls TakeHeld() and sends them (late, in any order it likes);
//   Delay(from, to, n, f)     a fraction f arrives only after n more deliveries;
//   Reorder(from, to, f, w)   a fraction f arrives after a random 1..w more deliveries.
//
// Delayed and reordered messages still arrive within the same Send()/Tick()/Flush() (when
// nothing else is in flight they go next), so "Send() returns when the network is quiet"
// holds with every fault; only held messages outlive it. Recover() heals every link fault
// (not the hook, and not the messages already held).
//
// Crashes and restarts: Crash(id) stops a node (its messages are lost, its storage stays);
// RestartNode(id) builds a new node on that storage with the node's original Config, so it
// keeps exactly what it persisted. What a node persists: with SetPersistence(true) the network
// does what a RawNode application does with each Ready, after every Step and tick and before
// the node's messages go on the wire — it applies a newer pending snapshot to storage, appends
// unstableEntries() and moves `stabled` to the last index, and saves the HardState (term,
// vote, committed). Without it (the default) storage holds only what the test put there.
//
// Every time the network persists a node (SetPersistence, or Persist(id)) it runs the Ready
// contract audit (raft/testing/ready_contract.h) as far as it applies without a Ready: the
// HardState is written straight from the node's fields, so it cannot differ, but the log can
// (unstableEntries() and `stabled` must describe exactly what is new: after a truncation too),
// a pending snapshot must reach storage, and — with SetPersistence — every message about to go
// out must be justified by the disk (a vote granted must be the vote on disk, an entry
// acknowledged must be on disk, no message in a term the disk has not reached). A breach fails
// the test as "Ready contract audit: node <id>, field <field>, after <event>".
//
// Messages given to Send() go straight to their receivers (a test's own messages are never
// filtered); only what nodes send is. Every random choice comes from the seed passed to the
// constructor, so a run replays exactly.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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
#include "timeline/recorder.h"

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
    // The Config the node was built with, when known (RestartNode builds from it).
    std::optional<Config> config_;
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
  // A fraction of the messages on the link is delivered twice.
  void Duplicate(uint64_t from, uint64_t to, double fraction);
  // A fraction of the messages on the link is held back until the test takes them.
  void HoldBack(uint64_t from, uint64_t to, double fraction);
  // A fraction (all by default) of the messages on the link arrives `steps` deliveries late.
  void Delay(uint64_t from, uint64_t to, uint64_t steps, double fraction = 1.0);
  // A fraction of the messages on the link arrives 1..window deliveries late (seeded).
  void Reorder(uint64_t from, uint64_t to, double fraction, uint64_t window = 5);
  // Heals every link fault and Ignore (not the hook; held messages stay held).
  void Recover();
  // The held-back messages, oldest first; the network forgets them. Send() them to deliver.
  std::vector<eraftpb::Message> TakeHeld();
  size_t held() const { return held_.size(); }

  // Stops node `id`: messages to it are lost, its storage is kept for RestartNode.
  void Crash(uint64_t id);
  // Replaces node `id` (running or crashed) by a new node built on its storage with the
  // Config it was first built with (a fresh random seed, applied = 0): it knows only what it
  // persisted. Throws std::logic_error for a slot without storage (a black hole).
  void RestartNode(uint64_t id);
  // Whether the network persists every node's state as a RawNode application would (see the
  // top of this file). Off by default.
  void SetPersistence(bool on) { persist_ = on; }
  // Persists node `id` now (also when persistence is off).
  void Persist(uint64_t id);
  void SetHook(Hook hook) { hook_ = std::move(hook); }
  // Shorthand for a hook that passes the messages `keep` accepts and drops the others.
  void SetFilter(std::function<bool(const eraftpb::Message&)> keep);
  // Called after every delivery, once the receiver has stepped (and persisted) the message:
  // the place to check an invariant after each step of a run (e.g. "commit never decreases").
  using Observer = std::function<void(const eraftpb::Message& delivered)>;
  void SetObserver(Observer observer) { observer_ = std::move(observer); }

  // The node in slot `id`; nullptr for a black hole or a crashed node. Throws
  // std::out_of_range for a bad id.
  Raft* raft(uint64_t id) const;
  Raft& node(uint64_t id) const;  // like raft(), but the slot must hold a node
  // The storage of node `id` (so a test can compact or snapshot it); nullptr for a black hole.
  MemoryStorage* storage(uint64_t id) const;
  // Replaces slot `id` (e.g. a node restarted from its storage, or a black hole).
  void Replace(uint64_t id, Peer peer);
  std::vector<uint64_t> ids() const;

  // The most recent events (deliveries, losses, delays, restarts), oldest first, one per line: for
  // failure messages. At most `n` lines.
  std::string RecentTrace(size_t n = 40) const;
  // How many messages were delivered since the network was built.
  uint64_t delivered() const { return delivered_; }

  // Send() gives up (and fails the test) after this many deliveries without going quiet:
  // nodes that answer each other forever would otherwise hang the test.
  size_t max_deliveries_per_send = 20000;

 private:
  // What can go wrong on one link (from -> to). Fractions are probabilities per message.
  struct LinkFaults {
    double drop = 0;
    double duplicate = 0;
    double hold = 0;
    double delay = 0;
    uint64_t delay_steps = 0;
    double reorder = 0;
    uint64_t reorder_window = 0;
  };

  // The messages that go on the wire now, in order; delayed ones go to delayed_, held ones
  // to held_.
  std::vector<eraftpb::Message> Filter(std::vector<eraftpb::Message> msgs);
  // The hold/delay/reorder stage for one copy of a message.
  void Route(eraftpb::Message m, const LinkFaults* f, std::vector<eraftpb::Message>& out);
  // A seeded coin that lands "yes" with probability p; draws nothing for p <= 0 or p >= 1, so
  // that full cuts and unused faults do not shift the random sequence.
  bool Chance(double p);
  void Deliver(std::deque<eraftpb::Message> queue);
  // Persists node `id` if persistence is on; then takes its outbox through the faults.
  std::vector<eraftpb::Message> Outbox(uint64_t id, Raft& r);
  void Record(std::string event);
  Peer Build(uint64_t id, Peer peer);

  std::map<uint64_t, Peer> peers_;
  std::vector<uint64_t> ids_;
  std::function<void(Config&)> configure_;
  std::map<std::pair<uint64_t, uint64_t>, LinkFaults> links_;
  std::set<eraftpb::MessageType> ignore_;
  Hook hook_;
  Observer observer_;
  std::mt19937_64 rng_;
  std::deque<std::string> trace_;
  uint64_t delivered_ = 0;
  // Messages taken off the queue so far (delivered or lost): the clock of Delay/Reorder.
  uint64_t steps_ = 0;
  // Delayed messages by (due step, sequence number): ordered, deterministic.
  std::map<std::pair<uint64_t, uint64_t>, eraftpb::Message> delayed_;
  uint64_t delayed_seq_ = 0;
  std::vector<eraftpb::Message> held_;
  bool persist_ = false;
  // What the network is doing (the delivery or tick under way), for the audit's messages.
  std::string event_ = "the start";
  // How many times each node was restarted: varies the restarted node's random seed.
  std::map<uint64_t, uint64_t> restarts_;

  // Timelines (timeline/session.h; null: off). The network has no clock: time is the step
  // (steps_), and a message shows as sent and delivered within the step it was delivered in.
  void TlLost(const eraftpb::Message& m, const char* why);
  void TlState(uint64_t id);
  timeline::Recorder* timeline_ = nullptr;
};

}  // namespace raft::test
