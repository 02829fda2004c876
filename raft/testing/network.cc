#include "raft/testing/network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "raft/testing/describe.h"
#include "raft/testing/ready_contract.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"
#include "testutil/seed.h"
#include "timeline/raft_message.h"
#include "timeline/session.h"

namespace raft::test {

namespace {
// How many trace lines the network keeps: enough for any failure message, bounded in memory.
constexpr size_t kTraceCapacity = 2000;
}  // namespace

Network::Peer Network::Peer::New() { return Peer(); }

Network::Peer Network::Peer::Of(std::unique_ptr<Raft> raft,
                                std::unique_ptr<MemoryStorage> storage) {
  Peer p;
  p.kind_ = Kind::kNode;
  p.storage_ = storage.get();
  p.owned_storage_ = std::move(storage);
  p.raft_ = std::move(raft);
  return p;
}

Network::Peer Network::Peer::Of(TestNode node) {
  Peer p = Of(std::move(node.raft), std::move(node.storage));
  p.config_ = node.config;
  return p;
}

Network::Peer Network::Peer::Of(std::unique_ptr<Raft> raft, MemoryStorage* storage) {
  Peer p;
  p.kind_ = Kind::kNode;
  p.storage_ = storage;
  p.raft_ = std::move(raft);
  return p;
}

Network::Peer Network::Peer::WithLog(uint64_t id, const std::vector<uint64_t>& peers,
                                     const std::vector<uint64_t>& terms, int election,
                                     int heartbeat) {
  auto storage = NewStorageWithEntries(EntriesWithTerms(terms));
  eraftpb::HardState hs;
  hs.set_term(terms.empty() ? 0 : terms.back());
  storage->SetHardState(hs);
  Config c = NewTestConfig(id, peers, election, heartbeat, storage.get());
  Peer p = Of(NewTestRaft(c), std::move(storage));
  p.config_ = c;
  return p;
}

Network::Peer Network::Peer::BlackHole() {
  Peer p;
  p.kind_ = Kind::kBlackHole;
  return p;
}

Network::Network(std::vector<Peer> peers, uint64_t seed, std::function<void(Config&)> configure)
    : configure_(std::move(configure)), rng_(seed) {
  ids_ = IdsBySize(peers.size());
  for (size_t i = 0; i < peers.size(); ++i) {
    peers_.emplace(ids_[i], Build(ids_[i], std::move(peers[i])));
  }
  if (ids_.size() > 1) {
    timeline_ =
        timeline::StartRun("Raft test network: " + std::to_string(ids_.size()) + " nodes",
                           timeline::TimeUnit{"step", 0}, "node", [this] { return 2 * steps_; });
  }
  if (timeline_) {
    for (uint64_t id : ids_) timeline_->AddLane(id);
    for (uint64_t id : ids_) TlState(id);
  }
}

Network::Network(size_t n, uint64_t seed, std::function<void(Config&)> configure)
    : Network(std::vector<Peer>(n), seed, std::move(configure)) {}

Network::~Network() { timeline::EndRun(timeline_); }

void Network::TlLost(const eraftpb::Message& m, const char* why) {
  const timeline::Time t = 2 * steps_;
  timeline_->Drop(
      t, timeline_->Send(t, m.from(), m.to(), timeline::MessageType(m), timeline::MessageFields(m)),
      why);
}

void Network::TlState(uint64_t id) {
  const Peer& p = peers_.at(id);
  timeline::LaneState s;
  if (p.storage_ != nullptr) {
    s.first = p.storage_->FirstIndex().value();
    s.truncated = s.first - 1;
  }
  if (const Raft* r = p.raft_.get()) {
    s.role = r->state == StateType::kLeader      ? "leader"
             : r->state == StateType::kCandidate ? "candidate"
                                                 : "follower";
    s.term = r->term;
    s.vote = r->vote;
    s.lead = r->lead;
    s.last = r->raft_log.LastIndex();
    s.commit = r->raft_log.committed;
    s.applied = r->raft_log.applied;
  } else {
    s.role = "down";
  }
  timeline_->State(2 * steps_ + 1, id, s);
}

Network::Peer Network::Build(uint64_t id, Peer peer) {
  switch (peer.kind_) {
    case Peer::Kind::kNew: {
      auto storage = std::make_unique<MemoryStorage>();
      Config c = NewTestConfig(id, ids_, 10, 1, storage.get());
      if (configure_) configure_(c);
      auto r = NewTestRaft(c);
      Peer p = Peer::Of(std::move(r), std::move(storage));
      p.config_ = c;
      return p;
    }
    case Peer::Kind::kNode:
      if (peer.raft_ == nullptr) throw std::invalid_argument("Network: Peer::Of(nullptr)");
      if (peer.raft_->id != id) {
        throw std::invalid_argument("Network: slot " + std::to_string(id) +
                                    " was given a node with id " + std::to_string(peer.raft_->id) +
                                    " (slot i holds node i, counting from 1)");
      }
      if (!peer.config_) {
        // Built by the test without a record of its Config: take what the node shows.
        Config c = NewTestConfig(id, {}, peer.raft_->election_timeout,
                                 peer.raft_->heartbeat_timeout, peer.storage_);
        for (const auto& [p, pr] : peer.raft_->prs) c.peers.push_back(p);
        if (c.peers.empty()) c.peers = ids_;
        if (c.heartbeat_tick <= 0) c.heartbeat_tick = 1;
        if (c.election_tick <= c.heartbeat_tick) c.election_tick = 10 * c.heartbeat_tick;
        peer.config_ = c;
      }
      return peer;
    case Peer::Kind::kBlackHole:
      return peer;
  }
  return peer;
}

void Network::Replace(uint64_t id, Peer peer) {
  if (!peers_.count(id)) throw std::out_of_range("Network: no slot " + std::to_string(id));
  // Build first: the new node may be restarting from the storage the old slot owns.
  Peer built = Build(id, std::move(peer));
  std::swap(peers_.at(id), built);
  // `built` (the old slot) is destroyed here, node before storage.
}

std::vector<uint64_t> Network::ids() const { return ids_; }

Raft* Network::raft(uint64_t id) const { return peers_.at(id).raft_.get(); }

Raft& Network::node(uint64_t id) const {
  Raft* r = raft(id);
  if (r == nullptr)
    throw std::logic_error("Network: slot " + std::to_string(id) +
                           " holds no running node (a black hole or crashed)");
  return *r;
}

MemoryStorage* Network::storage(uint64_t id) const { return peers_.at(id).storage_; }

void Network::Drop(uint64_t from, uint64_t to, double fraction) {
  links_[{from, to}].drop = fraction;
}

void Network::Duplicate(uint64_t from, uint64_t to, double fraction) {
  links_[{from, to}].duplicate = fraction;
}

void Network::HoldBack(uint64_t from, uint64_t to, double fraction) {
  links_[{from, to}].hold = fraction;
}

void Network::Delay(uint64_t from, uint64_t to, uint64_t steps, double fraction) {
  LinkFaults& f = links_[{from, to}];
  f.delay = steps > 0 ? fraction : 0;
  f.delay_steps = steps;
}

void Network::Reorder(uint64_t from, uint64_t to, double fraction, uint64_t window) {
  LinkFaults& f = links_[{from, to}];
  f.reorder = window > 0 ? fraction : 0;
  f.reorder_window = window;
}

std::vector<eraftpb::Message> Network::TakeHeld() {
  std::vector<eraftpb::Message> out;
  out.swap(held_);
  return out;
}

void Network::Crash(uint64_t id) {
  Peer& p = peers_.at(id);
  if (p.raft_ == nullptr) return;
  p.raft_.reset();
  Record("crashed node " + std::to_string(id) + " (its storage stays)");
  if (timeline_) {
    timeline_->AddMark(2 * steps_, id, "crash", "node " + std::to_string(id) + " crashes");
    TlState(id);
  }
}

void Network::RestartNode(uint64_t id) {
  Peer& old = peers_.at(id);
  if (old.storage_ == nullptr || !old.config_) {
    throw std::logic_error("Network: slot " + std::to_string(id) +
                           " has no storage to restart from (a black hole)");
  }
  Config c = *old.config_;
  c.storage = old.storage_;
  c.applied = 0;
  // A new process draws new random numbers, still from the run's seed.
  c.random_seed = c.random_seed + 0x9e3779b97f4a7c15ULL * ++restarts_[id];
  Peer fresh;
  fresh.kind_ = Peer::Kind::kNode;
  fresh.config_ = *old.config_;
  fresh.storage_ = old.storage_;
  fresh.raft_ = NewTestRaft(c);
  fresh.owned_storage_ = std::move(old.owned_storage_);
  std::swap(old, fresh);
  // `fresh` now holds the old node (if it was running), destroyed here without its storage.
  Result<InitialStateResult> init = c.storage->InitialState();
  Result<uint64_t> last = c.storage->LastIndex();
  Record("restarted node " + std::to_string(id) + " from storage (" +
         (init.ok() ? DescribeHardState(init.value().hard_state) : init.error().ToString()) +
         ", last index " + (last.ok() ? std::to_string(last.value()) : last.error().ToString()) +
         ")");
  if (timeline_) {
    timeline_->AddMark(2 * steps_, id, "restart", "node " + std::to_string(id) + " restarts");
    TlState(id);
  }
}

void Network::Persist(uint64_t id) {
  Peer& p = peers_.at(id);
  Raft* r = p.raft_.get();
  MemoryStorage* s = p.storage_;
  if (r == nullptr || s == nullptr) return;
  const eraftpb::Snapshot& snap = r->raft_log.pending_snapshot;
  if (!IsEmptySnap(snap) && snap.metadata().index() > s->Snapshot().value().metadata().index()) {
    if (Error err = s->ApplySnapshot(snap)) {
      ADD_FAILURE() << "the network could not persist node " << id
                    << "'s pending snapshot: " << err.ToString();
    }
  }
  std::vector<eraftpb::Entry> unstable = r->raft_log.unstableEntries();
  if (Error err = s->Append(unstable)) {
    ADD_FAILURE() << "the network persists what a node's unstableEntries() return, and node " << id
                  << "'s do not continue its storage: " << DescribeEntries(unstable)
                  << " after storage's last index " << s->LastIndex().value() << " ("
                  << err.ToString() << "). Is `stabled` right?\n  " << DescribeNode(*r);
  }
  r->raft_log.stabled = r->raft_log.LastIndex();
  eraftpb::HardState hs;
  hs.set_term(r->term);
  hs.set_vote(r->vote);
  hs.set_commit(r->raft_log.committed);
  s->SetHardState(hs);
  // The network wrote what the fields say; the log and the snapshot must now match memory.
  const DurableState disk = OnDisk(*s);
  std::vector<Breach> breaches =
      CompareDurable(id, InMemory(*r, disk.first), disk, AuditPoint::kPersistedFromFields);
  if (!breaches.empty()) {
    ADD_FAILURE() << FormatBreach(id, breaches.front(), event_, testutil::ReplayCommand()) << "\n  "
                  << DescribeNode(*r);
  }
}

void Network::Cut(uint64_t a, uint64_t b) {
  Drop(a, b, 1.0);
  Drop(b, a, 1.0);
}

void Network::Isolate(uint64_t id) {
  for (uint64_t other : ids_) {
    if (other != id) Cut(id, other);
  }
}

void Network::Ignore(eraftpb::MessageType type) { ignore_.insert(type); }

void Network::Recover() {
  links_.clear();
  ignore_.clear();
}

void Network::SetFilter(std::function<bool(const eraftpb::Message&)> keep) {
  hook_ = [keep = std::move(keep)](const eraftpb::Message& m) {
    return keep(m) ? std::vector<eraftpb::Message>{m} : std::vector<eraftpb::Message>{};
  };
}

void Network::Record(std::string event) {
  trace_.push_back(std::move(event));
  if (trace_.size() > kTraceCapacity) trace_.pop_front();
}

std::string Network::RecentTrace(size_t n) const {
  if (trace_.empty()) return "    (no messages on the network)";
  std::string out;
  size_t start = trace_.size() > n ? trace_.size() - n : 0;
  for (size_t i = start; i < trace_.size(); ++i) {
    if (!out.empty()) out += "\n";
    out += "    " + trace_[i];
  }
  return out;
}

bool Network::Chance(double p) {
  if (p <= 0) return false;
  if (p >= 1.0) return true;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p;
}

std::vector<eraftpb::Message> Network::Filter(std::vector<eraftpb::Message> msgs) {
  std::vector<eraftpb::Message> out;
  for (auto& m : msgs) {
    if (IsLocalMsg(m.msg_type())) {
      ADD_FAILURE() << "node " << m.from()
                    << " put a local message on the network: " << DescribeMessage(m)
                    << "\n  MsgHup and MsgBeat are a node's instructions to itself (Step them "
                       "directly); they must never appear in r.msgs.";
      continue;
    }
    if (ignore_.count(m.msg_type())) {
      Record("lost (ignored type) " + DescribeMessage(m));
      if (timeline_) TlLost(m, "ignored type");
      continue;
    }
    const LinkFaults* f = nullptr;
    if (auto it = links_.find({m.from(), m.to()}); it != links_.end()) f = &it->second;
    if (f != nullptr && Chance(f->drop)) {
      Record("lost (link dropped) " + DescribeMessage(m));
      if (timeline_) TlLost(m, f->drop >= 1.0 ? "link cut" : "link drop");
      continue;
    }
    std::vector<eraftpb::Message> copies{m};
    if (f != nullptr && Chance(f->duplicate)) {
      Record("duplicated " + DescribeMessage(m));
      copies.push_back(m);
    }
    for (auto& copy : copies) {
      if (!hook_) {
        Route(std::move(copy), f, out);
        continue;
      }
      std::vector<eraftpb::Message> sent = hook_(copy);
      if (sent.empty()) {
        Record("lost (hook) " + DescribeMessage(copy));
        if (timeline_) TlLost(copy, "hook");
      }
      for (auto& one : sent) Route(std::move(one), f, out);
    }
  }
  return out;
}

void Network::Route(eraftpb::Message m, const LinkFaults* f, std::vector<eraftpb::Message>& out) {
  if (f == nullptr) {
    out.push_back(std::move(m));
    return;
  }
  if (Chance(f->hold)) {
    Record("held back " + DescribeMessage(m));
    if (timeline_) TlLost(m, "held back by the test");
    held_.push_back(std::move(m));
    return;
  }
  uint64_t late = 0;
  if (Chance(f->delay)) late = f->delay_steps;
  if (Chance(f->reorder)) late = std::max<uint64_t>(late, 1 + rng_() % f->reorder_window);
  if (late > 0) {
    Record("delayed by " + std::to_string(late) + " " + DescribeMessage(m));
    delayed_.emplace(std::make_pair(steps_ + late, delayed_seq_++), std::move(m));
    return;
  }
  out.push_back(std::move(m));
}

void Network::Send(std::vector<eraftpb::Message> msgs) {
  Deliver(std::deque<eraftpb::Message>(std::make_move_iterator(msgs.begin()),
                                       std::make_move_iterator(msgs.end())));
}

void Network::Tick(uint64_t id, int n) {
  Raft& r = node(id);
  event_ = std::to_string(n) + " tick(s) of node " + std::to_string(id);
  for (int i = 0; i < n; ++i) r.tick();
  Flush(id);
}

void Network::Flush(uint64_t id) {
  Raft* r = raft(id);
  if (r == nullptr) return;
  std::vector<eraftpb::Message> out = Outbox(id, *r);
  if (timeline_) TlState(id);
  Deliver(std::deque<eraftpb::Message>(std::make_move_iterator(out.begin()),
                                       std::make_move_iterator(out.end())));
}

std::vector<eraftpb::Message> Network::Outbox(uint64_t id, Raft& r) {
  // As a RawNode application must: persist first, then send.
  if (persist_ && peers_.at(id).storage_ != nullptr) {
    Persist(id);
    std::vector<Breach> breaches = AuditSends(id, r.msgs, OnDisk(*peers_.at(id).storage_));
    if (!breaches.empty()) {
      ADD_FAILURE() << FormatBreach(id, breaches.front(), event_, testutil::ReplayCommand())
                    << "\n  " << DescribeNode(r);
    }
  }
  return Filter(ReadMessages(r));
}

void Network::Deliver(std::deque<eraftpb::Message> queue) {
  size_t count = 0;
  while (!queue.empty() || !delayed_.empty()) {
    if (++count > max_deliveries_per_send) {
      ADD_FAILURE() << "the network delivered " << max_deliveries_per_send
                    << " messages without going quiet: the nodes keep answering each other "
                       "(a response that triggers another request forever?). Last events:\n"
                    << RecentTrace(30);
      delayed_.clear();
      return;
    }
    eraftpb::Message m;
    // A delayed message goes when it is due, or when nothing else is in flight.
    if (!delayed_.empty() && (queue.empty() || delayed_.begin()->first.first <= steps_)) {
      m = std::move(delayed_.begin()->second);
      delayed_.erase(delayed_.begin());
    } else {
      m = std::move(queue.front());
      queue.pop_front();
    }
    ++steps_;
    auto it = peers_.find(m.to());
    if (it == peers_.end()) {
      ADD_FAILURE() << "node " << m.from() << " sent a message to " << m.to()
                    << ", which is not in the group: " << DescribeMessage(m);
      continue;
    }
    Raft* r = it->second.raft_.get();
    if (r == nullptr) {
      Record("lost (node down) " + DescribeMessage(m));
      if (timeline_) TlLost(m, "receiver down");
      continue;
    }
    Record("delivered " + DescribeMessage(m));
    ++delivered_;
    event_ = "delivery #" + std::to_string(delivered_) + ": " + DescribeMessage(m);
    if (timeline_) {
      timeline_->Deliver(2 * steps_ + 1,
                         timeline_->Send(2 * steps_, m.from(), m.to(), timeline::MessageType(m),
                                         timeline::MessageFields(m)));
    }
    r->Step(m);
    for (auto& out : Outbox(m.to(), *r)) queue.push_back(std::move(out));
    if (timeline_) TlState(m.to());
    if (observer_) observer_(m);
  }
}

}  // namespace raft::test
