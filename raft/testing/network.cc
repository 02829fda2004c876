#include "raft/testing/network.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "raft/testing/describe.h"
#include "raft/testing/test_raft.h"
#include "raft/util.h"

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
  return Of(std::move(node.raft), std::move(node.storage));
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
  auto r = NewTestRaft(id, peers, election, heartbeat, storage.get());
  return Of(std::move(r), std::move(storage));
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
}

Network::Network(size_t n, uint64_t seed, std::function<void(Config&)> configure)
    : Network(std::vector<Peer>(n), seed, std::move(configure)) {}

Network::~Network() = default;

Network::Peer Network::Build(uint64_t id, Peer peer) {
  switch (peer.kind_) {
    case Peer::Kind::kNew: {
      auto storage = std::make_unique<MemoryStorage>();
      Config c = NewTestConfig(id, ids_, 10, 1, storage.get());
      if (configure_) configure_(c);
      auto r = NewTestRaft(c);
      return Peer::Of(std::move(r), std::move(storage));
    }
    case Peer::Kind::kNode:
      if (peer.raft_ == nullptr) throw std::invalid_argument("Network: Peer::Of(nullptr)");
      if (peer.raft_->id != id) {
        throw std::invalid_argument("Network: slot " + std::to_string(id) +
                                    " was given a node with id " + std::to_string(peer.raft_->id) +
                                    " (slot i holds node i, counting from 1)");
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
    throw std::logic_error("Network: slot " + std::to_string(id) + " is a black hole");
  return *r;
}

MemoryStorage* Network::storage(uint64_t id) const { return peers_.at(id).storage_; }

void Network::Drop(uint64_t from, uint64_t to, double fraction) { drop_[{from, to}] = fraction; }

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
  drop_.clear();
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
      continue;
    }
    if (auto it = drop_.find({m.from(), m.to()}); it != drop_.end() && it->second > 0) {
      // Full cuts draw nothing so that cutting a link does not shift the random sequence.
      bool lost =
          it->second >= 1.0 || std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < it->second;
      if (lost) {
        Record("lost (link dropped) " + DescribeMessage(m));
        continue;
      }
    }
    if (hook_) {
      std::vector<eraftpb::Message> sent = hook_(m);
      if (sent.empty()) Record("lost (hook) " + DescribeMessage(m));
      for (auto& s : sent) out.push_back(std::move(s));
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

void Network::Send(std::vector<eraftpb::Message> msgs) {
  Deliver(std::deque<eraftpb::Message>(std::make_move_iterator(msgs.begin()),
                                       std::make_move_iterator(msgs.end())));
}

void Network::Tick(uint64_t id, int n) {
  Raft& r = node(id);
  for (int i = 0; i < n; ++i) r.tick();
  Flush(id);
}

void Network::Flush(uint64_t id) {
  Raft* r = raft(id);
  if (r == nullptr) return;
  std::vector<eraftpb::Message> out = Filter(ReadMessages(*r));
  Deliver(std::deque<eraftpb::Message>(std::make_move_iterator(out.begin()),
                                       std::make_move_iterator(out.end())));
}

void Network::Deliver(std::deque<eraftpb::Message> queue) {
  size_t steps = 0;
  while (!queue.empty()) {
    if (++steps > max_deliveries_per_send) {
      ADD_FAILURE() << "the network delivered " << max_deliveries_per_send
                    << " messages without going quiet: the nodes keep answering each other "
                       "(a response that triggers another request forever?). Last events:\n"
                    << RecentTrace(30);
      return;
    }
    eraftpb::Message m = std::move(queue.front());
    queue.pop_front();
    auto it = peers_.find(m.to());
    if (it == peers_.end()) {
      ADD_FAILURE() << "node " << m.from() << " sent a message to " << m.to()
                    << ", which is not in the group: " << DescribeMessage(m);
      continue;
    }
    Raft* r = it->second.raft_.get();
    if (r == nullptr) {
      Record("lost (black hole) " + DescribeMessage(m));
      continue;
    }
    Record("delivered " + DescribeMessage(m));
    ++delivered_;
    r->Step(m);
    for (auto& out : Filter(ReadMessages(*r))) queue.push_back(std::move(out));
  }
}

}  // namespace raft::test
