#include "raft/sim/cluster.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "raft/sim/hash.h"
#include "raft/util.h"
#include "timeline/raft_message.h"
#include "timeline/session.h"

namespace raft::sim {

namespace {

Role RoleOf(StateType s) {
  switch (s) {
    case StateType::kLeader:
      return Role::kLeader;
    case StateType::kCandidate:
      return Role::kCandidate;
    case StateType::kFollower:
      break;
  }
  return Role::kFollower;
}

}  // namespace

const char* DriverName(Driver d) { return d == Driver::kRawNode ? "RawNode" : "Raft"; }

std::string Counters::ToString() const {
  std::ostringstream os;
  os << "ticks=" << ticks << " steps=" << steps << " elections=" << elections_started
     << " term_changes=" << term_changes << " leaders=" << leaders_elected
     << " sent=" << messages_sent << " delivered=" << messages_delivered
     << " lost=" << messages_lost << " duplicated=" << messages_duplicated
     << " proposals=" << proposals << " (refused " << proposals_refused << ")"
     << " compactions=" << compactions << " snapshots_sent=" << snapshots_sent
     << " snapshots_applied=" << snapshots_applied << " crashes=" << crashes
     << " restarts=" << restarts;
  return os.str();
}

struct Cluster::SimNode {
  uint64_t id = 0;
  // What survives a crash. Declared first so that it outlives the node built over it.
  std::unique_ptr<MemoryStorage> storage = std::make_unique<MemoryStorage>();
  LogView log;                   // mirror of storage's log, for the checker
  eraftpb::HardState persisted;  // kRaft driver: the HardState last written
  // Lost in a crash.
  std::unique_ptr<RawNode> rawnode;
  std::unique_ptr<raft::Raft> bare;
  KvStateMachine sm;
  bool up = false;
  uint64_t incarnation = 0;
  // The Ready contract audit's key at its last clean full comparison, and how many audits
  // skipped one since (see Cluster::AuditNode).
  std::optional<raft::test::AuditKey> audited;
  uint64_t audits = 0;
  // Last observed role and term, for counters and events.
  uint64_t last_term = 0;
  StateType last_state = StateType::kFollower;

  raft::Raft* r() const { return rawnode ? rawnode->raft.get() : bare.get(); }
};

Cluster::Cluster(ClusterOptions options)
    : options_(std::move(options)),
      rng_(DeriveSeed(options_.seed, 1)),
      network_(DeriveSeed(options_.seed, 2)),
      trace_(options_.trace_keep, options_.record_trace) {
  if (options_.size == 0) throw std::invalid_argument("sim cluster: size must be > 0");
  checker_.set_context(Context());
  for (uint64_t id = 1; id <= options_.size; ++id) {
    auto n = std::make_unique<SimNode>();
    n->id = id;
    nodes_[id] = std::move(n);
  }
  for (auto& [id, n] : nodes_) Start(*n);
  Record(std::string("start: ") + std::to_string(options_.size) + " nodes, driver " +
         DriverName(options_.driver) + ", seed " + std::to_string(options_.seed));
  timeline_ = timeline::StartRun(
      "Raft simulator: " + std::to_string(options_.size) + " nodes, driver " +
          DriverName(options_.driver) + ", seed " + std::to_string(options_.seed),
      timeline::TimeUnit{"millitick", 0}, "node",
      [this] { return now_ * 1000 + (tl_tick_ == now_ ? std::min<uint64_t>(tl_rank_, 999) : 0); });
  if (timeline_) {
    for (const auto& [id, n] : nodes_) timeline_->AddLane(id);
    for (const auto& [id, n] : nodes_) TlState(*n);
  }
}

Cluster::~Cluster() { timeline::EndRun(timeline_); }

// Timelines: a node's state as its lane shows it (the rest is in cluster_timeline.cc).
void Cluster::TlState(const SimNode& n) {
  timeline::LaneState s;
  const raft::Raft* r = n.r();
  s.first = n.storage->FirstIndex().value();
  s.truncated = s.first - 1;
  s.last = n.storage->LastIndex().value();
  s.applied = n.sm.applied();
  if (n.up && r != nullptr) {
    s.role = RoleName(RoleOf(r->state));
    s.term = r->term;
    s.vote = r->vote;
    s.lead = r->lead;
    s.last = r->raft_log.LastIndex();
    s.commit = r->raft_log.committed;
  } else {
    s.role = "down";
    Result<InitialStateResult> init = n.storage->InitialState();
    if (init.ok()) {
      s.term = init.value().hard_state.term();
      s.vote = init.value().hard_state.vote();
      s.commit = init.value().hard_state.commit();
    }
  }
  timeline_->State(TlNow(), n.id, s);
}

std::string Cluster::Context() const {
  std::string s = "seed " + std::to_string(options_.seed);
  if (!options_.replay.empty()) s += "; replay: " + options_.replay;
  return s;
}

Cluster::SimNode& Cluster::node(uint64_t id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) throw std::out_of_range("sim cluster: no node " + std::to_string(id));
  return *it->second;
}

const Cluster::SimNode& Cluster::node(uint64_t id) const {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) throw std::out_of_range("sim cluster: no node " + std::to_string(id));
  return *it->second;
}

std::vector<uint64_t> Cluster::ids() const {
  std::vector<uint64_t> out;
  for (const auto& [id, n] : nodes_) out.push_back(id);
  return out;
}

bool Cluster::up(uint64_t id) const { return node(id).up; }

void Cluster::Start(SimNode& n) {
  // The state machine comes back from the last snapshot in storage; Raft hands out the
  // committed entries after it again.
  n.sm = KvStateMachine();
  Result<eraftpb::Snapshot> snap = n.storage->Snapshot();
  if (snap.ok() && !IsEmptySnap(snap.value())) {
    std::optional<KvStateMachine> sm = KvStateMachine::Decode(snap.value().data());
    if (!sm) {
      checker_.Report("Snapshot data", {n.id}, snap.value().metadata().index(), 0,
                      "node " + std::to_string(n.id) +
                          "'s storage holds a snapshot whose data is not a state machine");
      return;
    }
    n.sm = std::move(*sm);
  }
  Config cfg;
  cfg.id = n.id;
  cfg.peers = ids();
  cfg.election_tick = options_.election_tick;
  cfg.heartbeat_tick = options_.heartbeat_tick;
  cfg.storage = n.storage.get();
  cfg.applied = n.sm.applied();
  cfg.random_seed = DeriveSeed(options_.seed, 1000 * n.id + n.incarnation);
  ++n.incarnation;
  if (options_.driver == Driver::kRawNode) {
    n.rawnode = std::make_unique<RawNode>(cfg);
  } else {
    n.bare = std::make_unique<raft::Raft>(cfg);
    Result<InitialStateResult> init = n.storage->InitialState();
    n.persisted = init.ok() ? init.value().hard_state : eraftpb::HardState();
  }
  n.up = true;
  n.last_state = n.r()->state;
  n.last_term = std::max(n.last_term, n.r()->term);
}

// --- Time ---

void Cluster::Tick(int count) {
  for (int t = 0; t < count && !failed(); ++t) {
    ++now_;
    ++counters_.ticks;
    // A seeded order, so that no node always gets the first word.
    std::vector<uint64_t> order = ids();
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.Below(i)]);
    for (uint64_t id : order) {
      SimNode& n = node(id);
      if (!n.up) continue;
      TickNode(n);
      if (failed()) return;
    }
    DeliverDue();
  }
}

void Cluster::TickNode(SimNode& n) {
  step_ = StepInfo{"tick", n.id, nullptr, now_};
  if (n.rawnode) {
    n.rawnode->Tick();
  } else {
    n.bare->tick();
  }
  AfterStep(n);
}

void Cluster::DeliverDue() {
  size_t delivered = 0;
  while (!failed()) {
    uint64_t tag = 0;
    std::unique_ptr<eraftpb::Message> m = network_.PopDue(now_, &tag);
    if (!m) return;
    if (++delivered > options_.max_deliveries_per_tick) {
      Fail("Liveness",
           "more than " + std::to_string(options_.max_deliveries_per_tick) +
               " messages delivered in one tick: nodes keep answering each other forever");
      return;
    }
    Deliver(*m, tag);
  }
}

bool Cluster::RunUntil(const std::function<bool()>& pred, int max_ticks) {
  for (int t = 0; t < max_ticks && !failed(); ++t) {
    if (pred()) return true;
    Tick();
  }
  return !failed() && pred();
}

void Cluster::Deliver(const eraftpb::Message& m, uint64_t tag) {
  uint64_t tl_id = 0;
  if (timeline_ && tag != 0) {
    tl_id = tag & ~SimNetwork::kDuplicateTag;
    if (tag & SimNetwork::kDuplicateTag) tl_id = tl_duplicate_[tl_id];
  }
  auto it = nodes_.find(m.to());
  if (it == nodes_.end() || !it->second->up) {
    ++counters_.messages_lost;
    trace_.AddMessage(now_, "lost (receiver down)", m);
    if (tl_id) timeline_->Drop(TlNow(), tl_id, "receiver down");
    return;
  }
  if (!network_.Deliverable(m)) {
    ++counters_.messages_lost;
    trace_.AddMessage(now_, "cut in flight", m);
    if (tl_id) timeline_->Drop(TlNow(), tl_id, "partition (cut in flight)");
    return;
  }
  if (tl_id) timeline_->Deliver(TlNow(), tl_id);
  ++counters_.messages_delivered;
  trace_.AddMessage(now_, "deliver", m);
  SimNode& n = *it->second;
  step_ = StepInfo{"delivering", n.id, &m, now_};
  if (n.rawnode) {
    n.rawnode->Step(m);
  } else {
    n.bare->Step(m);
  }
  AfterStep(n);
  step_.msg = nullptr;  // m is the caller's: do not keep pointing at it
}

// --- The application loop ---

void Cluster::AfterStep(SimNode& n) {
  ++counters_.steps;
  if (options_.driver == Driver::kRawNode) {
    HandleReadyRawNode(n);
  } else {
    HandleReadyRaft(n);
  }
  Observe(n);
  Check();
  if (timeline_) {
    TlState(n);
    TlFailure();
  }
}

void Cluster::HandleReadyRawNode(SimNode& n) {
  using raft::test::AuditPoint;
  RawNode& rn = *n.rawnode;
  std::optional<raft::test::DurableState> disk;
  int round = 0;
  for (; rn.HasReady(); ++round) {
    if (failed()) return;
    if (round == 16) {
      checker_.Report("Ready contract", {n.id}, 0, 0,
                      "node " + std::to_string(n.id) +
                          ": HasReady() is still true after 16 rounds of Ready()/Advance() "
                          "(Advance must acknowledge what the Ready handed out)");
      return;
    }
    raft::Ready rd = rn.Ready();
    // Persist first (snapshot, entries, HardState), then send, then apply: a message may
    // only promise what is already on stable storage.
    if (!IsEmptySnap(rd.snapshot)) RestoreSnapshot(n, rd.snapshot);
    Persist(n, rd.entries);
    if (!IsEmptyHardState(rd.hard_state)) n.storage->SetHardState(rd.hard_state);
    if (failed()) return;
    // What the node held when it handed out the Ready (persisting does not touch the node) is
    // now on disk, and the disk justifies every message and every entry to apply; only then
    // does anything go out.
    if (options_.audit_ready &&
        !AuditNode(n, AuditPoint::kReadyHandled, rd.messages, rd.committed_entries)) {
      return;
    }
    SendAll(rd.messages);
    ApplyEntries(n, rd.committed_entries);
    rn.Advance(rd);
  }
  if (!options_.audit_ready || failed()) return;
  // Nothing left to do: memory and disk must agree (a change HasReady() did not announce, or
  // one Advance lost, shows here).
  AuditNode(n, round == 0 ? AuditPoint::kNoReady : AuditPoint::kAfterAdvance, {}, {});
}

bool Cluster::AuditNode(SimNode& n, raft::test::AuditPoint point,
                        const std::vector<eraftpb::Message>& msgs,
                        const std::vector<eraftpb::Entry>& committed) {
  // Every Ready of every run goes through here, so the O(log) comparison of memory and disk
  // runs only when the O(1) key changed since the last clean audit, and every
  // kFullAuditEvery-th time anyway; messages and entries to apply are always checked.
  constexpr uint64_t kFullAuditEvery = 16;
  const raft::Raft& r = *n.r();
  const raft::test::AuditKey key = raft::test::KeyOf(r, *n.storage);
  const bool full = !(n.audited && *n.audited == key) || ++n.audits % kFullAuditEvery == 0;
  if (!full && msgs.empty() && committed.empty()) return true;  // nothing new to look at
  uint64_t from = 0;
  if (!full) {
    from = key.disk_last;
    if (!committed.empty()) from = std::min(from, committed.front().index());
  }
  const raft::test::DurableState disk = raft::test::OnDisk(*n.storage, from);
  if (full) {
    if (!Audit(n, raft::test::CompareDurable(n.id, raft::test::InMemory(r, disk.first), disk,
                                             point))) {
      return false;
    }
    n.audited = key;
  }
  return Audit(n, raft::test::AuditSends(n.id, msgs, disk)) &&
         Audit(n, raft::test::AuditApplies(n.id, committed, disk));
}

std::string Cluster::StepText() const {
  std::string s = step_.what;
  if (step_.msg != nullptr) {
    s += " " + BriefMessage(*step_.msg);
  } else {
    s += " node " + std::to_string(step_.node);
  }
  return s + " at tick " + std::to_string(step_.tick);
}

bool Cluster::Audit(SimNode& n, const std::vector<raft::test::Breach>& breaches) {
  if (breaches.empty()) return true;
  const raft::test::Breach& b = breaches.front();
  checker_.set_position(now_, counters_.steps);
  checker_.Report("Ready contract", {n.id}, b.index, b.term,
                  raft::test::FormatBreach(n.id, b, StepText(), ""));
  return false;
}

void Cluster::HandleReadyRaft(SimNode& n) {
  // What the 2AA/2AB tests do by hand: persist the unstable entries and the HardState, send
  // the outbox, apply what is committed, and tell the log (stabled, applied).
  raft::Raft& r = *n.bare;
  std::vector<eraftpb::Entry> ents = r.raft_log.unstableEntries();
  if (!ents.empty()) {
    Persist(n, ents);
    r.raft_log.stabled = ents.back().index();
  }
  eraftpb::HardState hs;
  hs.set_term(r.term);
  hs.set_vote(r.vote);
  hs.set_commit(r.raft_log.committed);
  if (!IsHardStateEqual(hs, n.persisted)) {
    n.storage->SetHardState(hs);
    n.persisted = hs;
  }
  if (failed()) return;
  std::vector<eraftpb::Entry> committed = r.raft_log.nextEnts();
  // No Ready here: the HardState is written from the fields, so only the log (what
  // unstableEntries() and stabled say is new) and what the disk justifies can be wrong.
  if (options_.audit_ready &&
      !AuditNode(n, raft::test::AuditPoint::kPersistedFromFields, r.msgs, committed)) {
    return;
  }
  std::vector<eraftpb::Message> msgs = std::move(r.msgs);
  r.msgs.clear();
  SendAll(msgs);
  if (!committed.empty()) {
    ApplyEntries(n, committed);
    r.raft_log.applied = committed.back().index();
  }
}

void Cluster::RestoreSnapshot(SimNode& n, const eraftpb::Snapshot& snap) {
  const uint64_t index = snap.metadata().index();
  const uint64_t term = snap.metadata().term();
  if (Error e = n.storage->ApplySnapshot(snap)) {
    checker_.Report("Ready contract", {n.id}, index, term,
                    "node " + std::to_string(n.id) + "'s Ready handed out a snapshot at " +
                        std::to_string(index) + " that storage refuses: " + e.ToString());
    return;
  }
  n.log.Restore(index, term);
  std::optional<KvStateMachine> sm = KvStateMachine::Decode(snap.data());
  if (!sm || sm->applied() != index) {
    checker_.Report("Snapshot data", {n.id}, index, term,
                    "node " + std::to_string(n.id) + " received a snapshot at " +
                        std::to_string(index) +
                        " whose data is not the state machine at that index");
    return;
  }
  n.sm = std::move(*sm);
  ++counters_.snapshots_applied;
  Record("node " + std::to_string(n.id) + " restored snapshot " + std::to_string(index) + "@" +
         std::to_string(term));
  if (options_.check_safety) checker_.OnSnapshotRestored(n.id, index, n.sm.digest());
  Emit(ClusterEvent::Type::kSnapshotApplied, n.id, 0, term, index);
}

void Cluster::Persist(SimNode& n, const std::vector<eraftpb::Entry>& entries) {
  if (entries.empty() || failed()) return;
  if (Error e = n.storage->Append(entries)) {
    checker_.Report("Ready contract", {n.id}, entries.front().index(), entries.front().term(),
                    "node " + std::to_string(n.id) + " handed out entries " +
                        DescribeEntries(entries) +
                        " to persist that storage refuses: " + e.ToString());
    return;
  }
  n.log.Append(entries);
}

void Cluster::ApplyEntries(SimNode& n, const std::vector<eraftpb::Entry>& entries) {
  for (const eraftpb::Entry& e : entries) {
    if (failed()) return;
    if (e.index() != n.sm.applied() + 1) {
      // The bare-Raft driver forgives entries handed out again after a restart (2AB does not
      // ask for Config::applied); RawNode must not hand them out.
      if (options_.driver == Driver::kRaft && e.index() <= n.sm.applied()) continue;
      checker_.Report(
          "State Machine Safety", {n.id}, e.index(), e.term(),
          "node " + std::to_string(n.id) + " was handed entry " + std::to_string(e.index()) +
              " to apply, but its state machine is at " + std::to_string(n.sm.applied()) +
              (e.index() <= n.sm.applied() ? " (an entry applied twice)" : " (entries skipped)") +
              ": committed entries are applied once each, in order");
      return;
    }
    n.sm.Apply(e);
    if (options_.check_safety) checker_.OnApplied(n.id, e.index(), e.term(), n.sm.digest());
  }
}

void Cluster::SendAll(const std::vector<eraftpb::Message>& msgs) {
  for (const eraftpb::Message& m : msgs) {
    ++counters_.messages_sent;
    if (!send_hook_) {
      SendOne(m);
      continue;
    }
    std::vector<eraftpb::Message> out = send_hook_(m);
    if (out.empty()) {
      ++counters_.messages_lost;
      trace_.AddMessage(now_, "lost (send hook)", m);
      if (timeline_) {
        const timeline::Time t = TlNow();
        timeline_->Drop(t,
                        timeline_->Send(t, m.from(), m.to(), timeline::MessageType(m),
                                        timeline::MessageFields(m)),
                        "send hook");
      }
    }
    for (const eraftpb::Message& o : out) SendOne(o);
  }
}

void Cluster::SendOne(const eraftpb::Message& m) {
  if (m.msg_type() == eraftpb::MsgSnapshot) {
    ++counters_.snapshots_sent;
    trace_.AddMessage(now_, "send", m);
    Emit(ClusterEvent::Type::kSnapshotSent, m.from(), m.to(), m.snapshot().metadata().term(),
         m.snapshot().metadata().index());
  }
  uint64_t tl_id = 0;
  timeline::Time t = 0;
  if (timeline_) {
    t = TlNow();
    tl_id =
        timeline_->Send(t, m.from(), m.to(), timeline::MessageType(m), timeline::MessageFields(m));
  }
  SimNetwork::SendResult r = network_.Send(m, now_, tl_id);
  if (r.cut || r.dropped) {
    ++counters_.messages_lost;
    trace_.AddMessage(now_, r.cut ? "cut" : "drop", m);
    if (tl_id) timeline_->Drop(t, tl_id, r.cut ? "partition" : "drop filter");
  } else if (r.copies > 1) {
    ++counters_.messages_duplicated;
    trace_.AddMessage(now_, "duplicate", m);
    if (tl_id) {
      tl_duplicate_[tl_id] = timeline_->Send(t, m.from(), m.to(), timeline::MessageType(m),
                                             timeline::MessageFields(m), tl_id);
    }
  }
}

void Cluster::Inject(const eraftpb::Message& m) {
  trace_.AddMessage(now_, "inject", m);
  SendOne(m);
}

void Cluster::Observe(SimNode& n) {
  raft::Raft* r = n.r();
  if (r == nullptr) return;
  const bool new_term = r->term != n.last_term;
  if (new_term) ++counters_.term_changes;
  if (r->state == StateType::kCandidate && (new_term || n.last_state != StateType::kCandidate)) {
    ++counters_.elections_started;
    Record("node " + std::to_string(n.id) + " campaigns in term " + std::to_string(r->term));
    Emit(ClusterEvent::Type::kCampaign, n.id, 0, r->term, 0);
  }
  if (r->state == StateType::kLeader && (new_term || n.last_state != StateType::kLeader)) {
    ++counters_.leaders_elected;
    Record("node " + std::to_string(n.id) + " becomes leader of term " + std::to_string(r->term));
    Emit(ClusterEvent::Type::kLeaderElected, n.id, 0, r->term, 0);
  }
  if (n.last_state == StateType::kLeader && r->state != StateType::kLeader) {
    Record("node " + std::to_string(n.id) + " steps down in term " + std::to_string(r->term));
    Emit(ClusterEvent::Type::kSteppedDown, n.id, 0, r->term, 0);
  }
  n.last_term = r->term;
  n.last_state = r->state;
}

void Cluster::Check() {
  if (!options_.check_safety || failed()) return;
  std::vector<NodeView> views;
  views.reserve(nodes_.size());
  for (const auto& [id, n] : nodes_) {
    NodeView v;
    v.id = id;
    v.log = &n->log;
    v.up = n->up;
    if (const raft::Raft* r = n->r(); n->up && r != nullptr) {
      v.role = RoleOf(r->state);
      v.term = r->term;
      v.vote = r->vote;
      v.committed = r->raft_log.committed;
      v.applied = r->raft_log.applied;
      v.sm_applied = n->sm.applied();
    }
    views.push_back(v);
  }
  checker_.set_position(now_, counters_.steps);
  checker_.Check(views);
}

void Cluster::Emit(ClusterEvent::Type type, uint64_t node, uint64_t peer, uint64_t term,
                   uint64_t index) {
  if (timeline_) TlEvent(ClusterEvent{type, now_, node, peer, term, index});
  if (!observer_) return;
  observer_(ClusterEvent{type, now_, node, peer, term, index});
}

// --- Clients ---

Error Cluster::Propose(uint64_t id, const std::string& data) {
  SimNode& n = node(id);
  if (!n.up) return Error(ErrorCode::kOther, "node " + std::to_string(id) + " is down");
  if (failed()) return Error(ErrorCode::kOther, "the run has already failed");
  ++counters_.proposals;
  step_ = StepInfo{"a proposal at", id, nullptr, now_};
  Error err;
  if (n.rawnode) {
    err = n.rawnode->Propose(data);
  } else {
    eraftpb::Message m;
    m.set_msg_type(eraftpb::MsgPropose);
    m.set_from(id);
    m.set_to(id);
    m.add_entries()->set_data(data);
    err = n.bare->Step(m);
  }
  if (err) ++counters_.proposals_refused;
  if (timeline_) {
    timeline_->AddMark(TlNow(), id, "propose",
                       "propose \"" + data.substr(0, 24) + "\"" + (err ? " (refused)" : ""));
  }
  Record("propose \"" + data.substr(0, 24) + "\" at node " + std::to_string(id) +
         (err ? " (refused)" : ""));
  AfterStep(n);
  return err;
}

uint64_t Cluster::ProposeToLeader(const std::string& data) {
  const uint64_t leader = Leader();
  if (leader == 0) return 0;
  return Propose(leader, data) ? 0 : leader;
}

void Cluster::Campaign(uint64_t id) {
  SimNode& n = node(id);
  if (!n.up || failed()) return;
  Record("node " + std::to_string(id) + " told to campaign");
  step_ = StepInfo{"a campaign of", id, nullptr, now_};
  if (n.rawnode) {
    n.rawnode->Campaign();
  } else {
    eraftpb::Message m;
    m.set_msg_type(eraftpb::MsgHup);
    m.set_from(id);
    n.bare->Step(m);
  }
  AfterStep(n);
}

// --- Faults ---

void Cluster::Partition(const std::vector<std::vector<uint64_t>>& groups) {
  network_.Partition(groups);
  Record("partition " + network_.DescribePartition(ids()));
  Emit(ClusterEvent::Type::kPartitioned, 0);
}

void Cluster::Isolate(uint64_t id) {
  network_.Isolate(id);
  Record("isolate node " + std::to_string(id) + ": " + network_.DescribePartition(ids()));
  Emit(ClusterEvent::Type::kPartitioned, id);
}

void Cluster::Heal() {
  if (!network_.partitioned()) return;
  network_.Heal();
  Record("heal partitions");
  Emit(ClusterEvent::Type::kHealed, 0);
}

void Cluster::HealAll() {
  Heal();
  network_.set_faults(NetworkFaults{});
  for (uint64_t id : ids()) {
    if (!node(id).up) Restart(id);
  }
}

void Cluster::Crash(uint64_t id) {
  SimNode& n = node(id);
  if (!n.up) return;
  // Only storage survives: the node, its unpersisted state and its state machine are gone.
  n.rawnode.reset();
  n.bare.reset();
  n.sm = KvStateMachine();
  n.up = false;
  ++counters_.crashes;
  Record("crash node " + std::to_string(id));
  Emit(ClusterEvent::Type::kCrashed, id);
  Check();
  if (timeline_) {
    TlState(n);
    TlFailure();
  }
}

void Cluster::Restart(uint64_t id) {
  SimNode& n = node(id);
  if (n.up) Crash(id);
  if (failed()) return;
  Start(n);
  if (failed()) return;
  step_ = StepInfo{"the restart of", id, nullptr, now_};
  n.audited.reset();  // a new node: compare in full
  if (options_.audit_ready && !AuditNode(n, raft::test::AuditPoint::kRestarted, {}, {})) return;
  ++counters_.restarts;
  Record("restart node " + std::to_string(id) + " (term " + std::to_string(n.r()->term) +
         ", state machine at " + std::to_string(n.sm.applied()) + ")");
  if (options_.check_safety) checker_.OnRestarted(id, n.sm.applied(), n.sm.digest());
  Emit(ClusterEvent::Type::kRestarted, id, 0, n.r()->term, n.sm.applied());
  AfterStep(n);
}

Error Cluster::Compact(uint64_t id) {
  SimNode& n = node(id);
  if (options_.driver != Driver::kRawNode) {
    return Error(ErrorCode::kOther, "compaction needs the RawNode driver");
  }
  if (!n.up) return Error(ErrorCode::kOther, "node " + std::to_string(id) + " is down");
  const uint64_t index = n.sm.applied();
  const uint64_t first = n.storage->FirstIndex().value();
  if (index < first) {
    return Error(ErrCompacted, "nothing to compact: applied " + std::to_string(index) +
                                   ", first index " + std::to_string(first));
  }
  eraftpb::ConfState cs;
  for (uint64_t peer : ids()) cs.add_nodes(peer);
  Result<eraftpb::Snapshot> snap = n.storage->CreateSnapshot(index, &cs, n.sm.Encode());
  if (!snap.ok()) return snap.error();
  if (Error e = n.storage->Compact(index)) return e;
  n.log.Compact(index);
  ++counters_.compactions;
  Record("compact node " + std::to_string(id) + " up to " + std::to_string(index));
  Emit(ClusterEvent::Type::kCompacted, id, 0, snap.value().metadata().term(), index + 1);
  Check();
  if (timeline_) {
    TlState(n);
    TlFailure();
  }
  return {};
}

// --- Queries ---

NodeStatus Cluster::Status(uint64_t id) const {
  const SimNode& n = node(id);
  NodeStatus s;
  s.id = id;
  s.up = n.up;
  s.first_index = n.storage->FirstIndex().value();
  s.last_index = n.storage->LastIndex().value();
  s.snapshot_index = n.storage->Snapshot().value().metadata().index();
  s.applied = n.sm.applied();
  if (const raft::Raft* r = n.r(); n.up && r != nullptr) {
    s.role = RoleOf(r->state);
    s.term = r->term;
    s.vote = r->vote;
    s.lead = r->lead;
    s.committed = r->raft_log.committed;
  }
  return s;
}

uint64_t Cluster::Leader() const {
  uint64_t best = 0;
  uint64_t best_term = 0;
  for (const auto& [id, n] : nodes_) {
    const raft::Raft* r = n->r();
    if (!n->up || r == nullptr || r->state != StateType::kLeader) continue;
    if (best == 0 || r->term > best_term) {
      best = id;
      best_term = r->term;
    }
  }
  return best;
}

bool Cluster::AllApplied(const std::string& key, const std::string& value) const {
  for (const auto& [id, n] : nodes_) {
    if (!n->up) continue;
    std::optional<std::string> v = n->sm.Get(key);
    if (!v || *v != value) return false;
  }
  return true;
}

const KvStateMachine& Cluster::state_machine(uint64_t id) const { return node(id).sm; }
MemoryStorage& Cluster::storage(uint64_t id) { return *node(id).storage; }
const LogView& Cluster::log_view(uint64_t id) const { return node(id).log; }
raft::Raft* Cluster::raft(uint64_t id) { return node(id).r(); }
raft::RawNode* Cluster::rawnode(uint64_t id) { return node(id).rawnode.get(); }

// --- Outcome ---

void Cluster::Fail(const std::string& property, const std::string& detail) {
  checker_.set_position(now_, counters_.steps);
  checker_.Report(property, {}, 0, 0, detail);
  if (timeline_) TlFailure();
}

std::string Cluster::DescribeNodes() const {
  std::ostringstream os;
  for (uint64_t id : ids()) {
    NodeStatus s = Status(id);
    os << "    node " << id << ": ";
    if (!s.up) {
      os << "down";
    } else {
      os << RoleName(s.role) << " term=" << s.term << " lead=" << s.lead
         << " commit=" << s.committed << " applied=" << s.applied;
    }
    os << " log=[" << s.first_index << ".." << s.last_index << "]";
    if (s.snapshot_index) os << " snapshot=" << s.snapshot_index;
    os << "\n";
  }
  return os.str();
}

std::string Cluster::FailureReport() const {
  if (!violation()) return "";
  std::ostringstream os;
  os << violation()->ToString() << "\n";
  os << "  driver " << DriverName(options_.driver) << ", " << options_.size << " nodes; "
     << counters_.ToString() << "\n";
  os << "  nodes now:\n" << DescribeNodes();
  os << "  last events:\n" << trace_.Recent(options_.trace_keep);
  return os.str();
}

}  // namespace raft::sim
