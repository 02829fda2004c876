#include "raft/raft.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "raft/util.h"

namespace raft {

using eraftpb::Message;
using eraftpb::MessageType;

const char* StateName(StateType s) {
  switch (s) {
    case StateType::kFollower:
      return "StateFollower";
    case StateType::kCandidate:
      return "StateCandidate";
    case StateType::kLeader:
      return "StateLeader";
  }
  return "StateUnknown";
}

Raft::Raft(const Config& config) : raft_log(config.storage) {
  if (std::string problem = config.Validate(); !problem.empty()) {
    throw std::invalid_argument("raft config: " + problem);
  }
  id = config.id;
  log_ = MakeLogger("raft " + std::to_string(id));
  Result<InitialStateResult> init = config.storage->InitialState();
  if (!init.ok())
    throw std::runtime_error("raft: storage InitialState: " + init.error().ToString());
  const eraftpb::HardState& hs = init.value().hard_state;

  std::vector<uint64_t> peers = config.peers;
  if (peers.empty()) {
    peers.assign(init.value().conf_state.nodes().begin(), init.value().conf_state.nodes().end());
  }
  for (uint64_t p : peers) prs[p] = Progress{0, raft_log.LastIndex() + 1};

  heartbeat_timeout = config.heartbeat_tick;
  max_entries_per_append = config.max_entries_per_append;
  election_timeout = config.election_tick;
  // Different nodes of one seeded run must still draw different timeouts.
  rand.Seed(config.random_seed * 0x9e3779b97f4a7c15ULL + id);

  if (!IsEmptyHardState(hs)) {
    term = hs.term();
    vote = hs.vote();
    raft_log.committed = std::min(hs.commit(), raft_log.LastIndex());
  }
  if (config.applied > 0) raft_log.applied = std::min(config.applied, raft_log.committed);
  becomeFollower(term, None);
  log_->info("started: term={} commit={} applied={} last={} peers={}", term, raft_log.committed,
             raft_log.applied, raft_log.LastIndex(), peers.size());
}

eraftpb::HardState Raft::hardState() const {
  eraftpb::HardState hs;
  hs.set_term(term);
  hs.set_vote(vote);
  hs.set_commit(raft_log.committed);
  return hs;
}

void Raft::resetRandomizedElectionTimeout() {
  randomized_election_timeout = election_timeout + static_cast<int>(rand.Intn(election_timeout));
}

void Raft::reset(uint64_t new_term) {
  if (term != new_term) {
    term = new_term;
    vote = None;
  }
  lead = None;
  election_elapsed = 0;
  heartbeat_elapsed = 0;
  resetRandomizedElectionTimeout();
  votes.clear();
  lead_transferee = None;
}

void Raft::tick() {
  if (state == StateType::kLeader) {
    for (auto& [peer, f] : flow_) {
      if (f.state == Flow::State::kSnapshot) ++f.snapshot_ticks;
    }
    if (++heartbeat_elapsed >= heartbeat_timeout) {
      heartbeat_elapsed = 0;
      Message beat;
      beat.set_msg_type(eraftpb::MsgBeat);
      beat.set_from(id);
      Step(beat);
    }
    return;
  }
  if (++election_elapsed >= randomized_election_timeout) {
    election_elapsed = 0;
    Message hup;
    hup.set_msg_type(eraftpb::MsgHup);
    hup.set_from(id);
    Step(hup);
  }
}

void Raft::becomeFollower(uint64_t new_term, uint64_t new_lead) {
  reset(new_term);
  state = StateType::kFollower;
  lead = new_lead;
  log_->debug("became follower at term {} (leader {})", term, lead);
}

void Raft::becomeCandidate() {
  reset(term + 1);
  state = StateType::kCandidate;
  vote = id;
  votes[id] = true;
  log_->debug("became candidate at term {}", term);
}

void Raft::becomeLeader() {
  reset(term);
  state = StateType::kLeader;
  lead = id;
  const uint64_t last = raft_log.LastIndex();
  for (auto& [peer, pr] : prs) pr = Progress{0, last + 1};
  flow_.clear();  // every follower starts in the probe state
  // The no-op of the new term: committing it commits every earlier entry (paper §5.4.2).
  eraftpb::Entry noop;
  google::protobuf::RepeatedPtrField<eraftpb::Entry> ents;
  ents.Add(std::move(noop));
  appendEntries(ents);
  log_->debug("became leader at term {}", term);
}

void Raft::send(Message m) {
  m.set_from(id);
  if (m.term() == 0) m.set_term(term);
  msgs.push_back(std::move(m));
}

void Raft::appendEntries(const google::protobuf::RepeatedPtrField<eraftpb::Entry>& ents,
                         google::protobuf::RepeatedPtrField<eraftpb::Entry>* owned) {
  uint64_t index = raft_log.LastIndex();
  // Stamped in place at the end of the log: one copy of each entry at most, none when the
  // proposal is given up (the client's payload itself becomes the log's).
  for (int i = 0; i < ents.size(); ++i) {
    eraftpb::Entry& e = owned != nullptr
                            ? raft_log.entries.emplace_back(std::move(*owned->Mutable(i)))
                            : raft_log.entries.emplace_back(ents.Get(i));
    e.set_term(term);
    e.set_index(++index);
  }
  if (auto it = prs.find(id); it != prs.end()) {
    it->second.match = index;
    it->second.next = index + 1;
  }
  // A single-node group commits as soon as it appends.
  maybeCommit();
}

bool Raft::sendAppend(uint64_t to) {
  uint64_t last = 0;
  return sendAppendFrom(to, prs[to].next, &last);
}

bool Raft::sendAppendFrom(uint64_t to, uint64_t next, uint64_t* last) {
  const uint64_t prev = next - 1;
  Result<uint64_t> prev_term = raft_log.Term(prev);
  if (!prev_term.ok() || next < raft_log.first_index) {
    // The entries this follower needs were compacted away: only a snapshot can help it.
    if (prev_term.code() == ErrCompacted || next < raft_log.first_index) {
      sendSnapshot(to);
    } else {
      log_->error("sendAppend to {}: term of {}: {}", to, prev, prev_term.error().ToString());
    }
    return false;
  }
  Message m;
  m.set_msg_type(eraftpb::MsgAppend);
  m.set_to(to);
  m.set_index(prev);
  m.set_log_term(prev_term.value());
  m.set_commit(raft_log.committed);
  uint64_t end = raft_log.LastIndex() + 1;
  if (max_entries_per_append > 0) end = std::min(end, next + max_entries_per_append);
  if (next < end) m.mutable_entries()->Reserve(static_cast<int>(end - next));
  for (uint64_t i = next; i < end; ++i) {
    *m.add_entries() = raft_log.entries[i - raft_log.first_index];
  }
  send(std::move(m));
  *last = std::max(prev, end - 1);
  return true;
}

bool Raft::maybeSendAppend(uint64_t to, bool send_if_empty) {
  Flow& f = flow_[to];
  if (f.state == Flow::State::kProbe) {
    sendAppend(to);
    return false;  // one append per event until the follower's log is found
  }
  // Replicate, or snapshot (then appends follow the snapshot, optimistically, as well).
  if (f.inflight.size() >= kMaxInflight) return false;
  const uint64_t from = std::max(f.sent + 1, prs[to].next);
  if (from > raft_log.LastIndex() && !send_if_empty) return false;
  // A snapshot is already on its way: never a second one from here.
  if (f.state == Flow::State::kSnapshot && from < raft_log.first_index) return false;
  uint64_t last = 0;
  if (!sendAppendFrom(to, from, &last)) return false;  // a snapshot instead, or nothing
  if (last < from) return false;                       // an empty append: the commit index
  f.sent = last;
  f.inflight.push_back(last);
  return true;
}

void Raft::retransmit(uint64_t to) {
  Flow& f = flow_[to];
  uint64_t last = 0;
  if (!sendAppendFrom(to, prs[to].next, &last)) return;
  if (f.state == Flow::State::kReplicate && last > f.sent) {
    if (f.inflight.size() >= kMaxInflight) f.inflight.pop_front();
    f.sent = last;
    f.inflight.push_back(last);
  }
}

void Raft::becomeProbe(uint64_t to) {
  Flow& f = flow_[to];
  f.state = Flow::State::kProbe;
  f.inflight.clear();
}

void Raft::becomeReplicate(uint64_t to) {
  Flow& f = flow_[to];
  const uint64_t match = prs[to].match;
  if (f.state == Flow::State::kProbe) f.sent = match;  // from snapshot: what followed it stays
  f.sent = std::max(f.sent, match);
  f.state = Flow::State::kReplicate;
  f.hb_match = match;
  while (!f.inflight.empty() && f.inflight.front() <= match) f.inflight.pop_front();
}

void Raft::sendHeartbeat(uint64_t to) {
  Message m;
  m.set_msg_type(eraftpb::MsgHeartbeat);
  m.set_to(to);
  // Never more than the follower is known to hold: its log beyond `match` may still differ
  // from ours, and a commit index must only ever cover entries that agree with the leader's.
  m.set_commit(std::min(prs[to].match, raft_log.committed));
  send(std::move(m));
}

void Raft::sendSnapshot(uint64_t to) {
  Result<eraftpb::Snapshot> snap = raft_log.storage->Snapshot();
  if (!snap.ok()) {
    // Generated asynchronously by raftstore's region worker: the next heartbeat response or
    // append rejection brings us back here, and by then it may be ready.
    if (snap.code() != ErrSnapshotTemporarilyUnavailable) {
      log_->error("sendSnapshot to {}: {}", to, snap.error().ToString());
    }
    return;
  }
  if (IsEmptySnap(snap.value())) {
    log_->error("sendSnapshot to {}: storage has compacted its log but holds no snapshot", to);
    return;
  }
  const uint64_t index = snap.value().metadata().index();
  Message m;
  m.set_msg_type(eraftpb::MsgSnapshot);
  m.set_to(to);
  *m.mutable_snapshot() = std::move(snap).value();
  send(std::move(m));
  // Send nothing more until the follower acknowledges it (handleAppendResponse) or keeps
  // answering heartbeats without doing so (it was lost; see the heartbeat response).
  prs[to].next = index + 1;
  Flow& f = flow_[to];
  f.state = Flow::State::kSnapshot;
  f.pending_snapshot = index;
  f.sent = index;
  f.snapshot_ticks = 0;
  f.inflight.clear();
  log_->debug("sent snapshot at {} to {}", index, to);
}

void Raft::bcastAppend() {
  for (const auto& [peer, pr] : prs) {
    if (peer != id) maybeSendAppend(peer, true);
  }
}

void Raft::bcastHeartbeat() {
  for (const auto& [peer, pr] : prs) {
    if (peer != id) sendHeartbeat(peer);
  }
}

bool Raft::maybeCommit() {
  std::vector<uint64_t>& matches = matches_;  // reused: this runs on every acknowledgement
  matches.clear();
  for (const auto& [peer, pr] : prs) matches.push_back(pr.match);
  if (matches.empty()) return false;
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const uint64_t candidate = matches[quorum() - 1];
  if (candidate <= raft_log.committed) return false;
  // Only entries of the current term are committed by counting replicas (paper §5.4.2).
  Result<uint64_t> t = raft_log.Term(candidate);
  if (!t.ok() || t.value() != term) return false;
  raft_log.committed = candidate;
  return true;
}

void Raft::campaign() {
  becomeCandidate();
  if (votes.size() >= quorum()) {
    becomeLeader();
    bcastAppend();
    return;
  }
  for (const auto& [peer, pr] : prs) {
    if (peer == id) continue;
    Message m;
    m.set_msg_type(eraftpb::MsgRequestVote);
    m.set_to(peer);
    m.set_index(raft_log.LastIndex());
    m.set_log_term(raft_log.LastTerm());
    send(std::move(m));
  }
}

void Raft::rejectStale(const Message& m) {
  Message resp;
  resp.set_to(m.from());
  resp.set_reject(true);
  switch (m.msg_type()) {
    case eraftpb::MsgRequestVote:
      resp.set_msg_type(eraftpb::MsgRequestVoteResponse);
      break;
    case eraftpb::MsgAppend:
    case eraftpb::MsgSnapshot:
      resp.set_msg_type(eraftpb::MsgAppendResponse);
      break;
    case eraftpb::MsgHeartbeat:
      resp.set_msg_type(eraftpb::MsgHeartbeatResponse);
      break;
    default:
      return;  // responses from an old term are simply dropped
  }
  send(std::move(resp));
}

Error Raft::Step(const Message& m) { return step(m, nullptr); }

Error Raft::Step(Message&& m) { return step(m, &m); }

Error Raft::step(const Message& m, Message* owned) {
  // Terms first: a message from a newer term means this node is out of date; one from an
  // older term comes from a node that is (and is told so).
  if (m.term() > term) {
    const MessageType t = m.msg_type();
    const bool from_leader =
        t == eraftpb::MsgAppend || t == eraftpb::MsgHeartbeat || t == eraftpb::MsgSnapshot;
    becomeFollower(m.term(), from_leader ? m.from() : None);
  } else if (m.term() < term && m.term() != 0) {
    rejectStale(m);
    return {};
  }
  switch (state) {
    case StateType::kFollower:
      stepFollower(m, owned);
      break;
    case StateType::kCandidate:
      stepCandidate(m, owned);
      break;
    case StateType::kLeader:
      return stepLeader(m, owned);
  }
  if (m.msg_type() == eraftpb::MsgPropose) {
    return Error(ErrProposalDropped, "not the leader (leader is " + std::to_string(lead) + ")");
  }
  return {};
}

void Raft::stepFollower(const Message& m, Message* owned) {
  switch (m.msg_type()) {
    case eraftpb::MsgHup:
    case eraftpb::MsgTimeoutNow:
      campaign();
      break;
    case eraftpb::MsgAppend:
      handleAppendEntries(m, owned);
      break;
    case eraftpb::MsgHeartbeat:
      handleHeartbeat(m);
      break;
    case eraftpb::MsgSnapshot:
      handleSnapshot(m, owned);
      break;
    case eraftpb::MsgRequestVote:
      handleRequestVote(m);
      break;
    default:
      break;
  }
}

void Raft::stepCandidate(const Message& m, Message* owned) {
  // A leader's message reaching a candidate is of its term (Step has handled other terms), or
  // carries no term at all: follow it in our own term, never in term 0 (a message without a
  // term made a candidate's term go back to 0; found by fuzz/raft_message_fuzz.cc).
  switch (m.msg_type()) {
    case eraftpb::MsgHup:
    case eraftpb::MsgTimeoutNow:
      campaign();
      break;
    case eraftpb::MsgAppend:
      becomeFollower(term, m.from());
      handleAppendEntries(m, owned);
      break;
    case eraftpb::MsgHeartbeat:
      becomeFollower(term, m.from());
      handleHeartbeat(m);
      break;
    case eraftpb::MsgSnapshot:
      becomeFollower(term, m.from());
      handleSnapshot(m, owned);
      break;
    case eraftpb::MsgRequestVote:
      handleRequestVote(m);
      break;
    case eraftpb::MsgRequestVoteResponse:
      handleVoteResponse(m);
      break;
    default:
      break;
  }
}

Error Raft::stepLeader(const Message& m, Message* owned) {
  const bool from_member = prs.count(m.from()) > 0;
  switch (m.msg_type()) {
    case eraftpb::MsgBeat:
      bcastHeartbeat();
      break;
    case eraftpb::MsgPropose:
      if (lead_transferee != None) {
        return Error(ErrProposalDropped, "leadership transfer in progress");
      }
      appendEntries(m.entries(), owned != nullptr ? owned->mutable_entries() : nullptr);
      bcastAppend();
      break;
    case eraftpb::MsgAppendResponse:
      if (from_member) handleAppendResponse(m);
      break;
    case eraftpb::MsgHeartbeatResponse:
      if (from_member) handleHeartbeatResponse(m);
      break;
    case eraftpb::MsgRequestVote:
      handleRequestVote(m);
      break;
    default:
      break;
  }
  return {};
}

void Raft::handleRequestVote(const Message& m) {
  Message resp;
  resp.set_msg_type(eraftpb::MsgRequestVoteResponse);
  resp.set_to(m.from());
  const bool can_vote = vote == None || vote == m.from();
  if (can_vote && raft_log.isUpToDate(m.log_term(), m.index())) {
    vote = m.from();
    // Granting a vote is hearing from a would-be leader: don't start a rival election.
    election_elapsed = 0;
  } else {
    resp.set_reject(true);
  }
  send(std::move(resp));
}

void Raft::handleVoteResponse(const Message& m) {
  if (prs.count(m.from()) == 0) return;
  votes[m.from()] = !m.reject();
  size_t granted = 0;
  for (const auto& [peer, yes] : votes) granted += yes ? 1 : 0;
  const size_t rejected = votes.size() - granted;
  if (granted >= quorum()) {
    becomeLeader();
    bcastAppend();
  } else if (rejected >= quorum()) {
    becomeFollower(term, None);
  }
}

namespace {

// A MsgAppend's entries must follow its previous entry one by one, with terms that never go
// back. The log keeps entries by position, so one whose index field lies (a bug or a hostile
// peer; found by fuzz/raft_message_fuzz.cc) would be applied under a wrong index, or never:
// the node handed out the same committed entries in every Ready, forever.
bool WellFormedEntries(const Message& m) {
  uint64_t term = 0;
  for (int i = 0; i < m.entries_size(); ++i) {
    const eraftpb::Entry& e = m.entries(i);
    if (e.index() != m.index() + 1 + static_cast<uint64_t>(i) || e.term() < term) return false;
    term = e.term();
  }
  return true;
}

}  // namespace

void Raft::handleAppendEntries(const Message& m) { handleAppendEntries(m, nullptr); }

void Raft::handleAppendEntries(const Message& m, Message* owned) {
  if (!WellFormedEntries(m)) return;  // dropped: the leader sends a correct one again
  lead = m.from();
  election_elapsed = 0;
  Message resp;
  resp.set_msg_type(eraftpb::MsgAppendResponse);
  resp.set_to(m.from());
  if (m.index() < raft_log.committed) {
    // Everything up to our commit index already agrees with the leader.
    resp.set_index(raft_log.committed);
    send(std::move(resp));
    return;
  }
  Result<uint64_t> prev_term = raft_log.Term(m.index());
  if (!prev_term.ok() || prev_term.value() != m.log_term()) {
    // Hint where a match may be: the last index at or below the leader's prev index whose
    // term is not newer than the leader's prev term (entries after it cannot match).
    uint64_t hint = std::min(m.index(), raft_log.LastIndex());
    while (hint > raft_log.committed) {
      Result<uint64_t> t = raft_log.Term(hint);
      if (t.ok() && t.value() <= m.log_term()) break;
      --hint;
    }
    resp.set_reject(true);
    resp.set_index(hint);
    send(std::move(resp));
    return;
  }
  const uint64_t last_new =
      owned != nullptr ? raft_log.appendFromLeader(m.index(), std::move(*owned->mutable_entries()))
                       : raft_log.appendFromLeader(m.index(), m.entries());
  if (m.commit() > raft_log.committed) {
    raft_log.committed = std::min(m.commit(), last_new);
  }
  resp.set_index(last_new);
  send(std::move(resp));
}

void Raft::handleAppendResponse(const Message& m) {
  Progress& pr = prs[m.from()];
  Flow& f = flow_[m.from()];
  if (m.reject()) {
    if (m.index() < pr.match) return;  // a stale rejection
    // The follower only ever accepts a snapshot, so a rejection now is of an older append.
    if (f.state == Flow::State::kSnapshot) return;
    pr.next = std::max<uint64_t>(1, std::min(pr.next - 1, m.index() + 1));
    pr.next = std::max(pr.next, pr.match + 1);
    // What was in flight after the missing entry is rejected too: probe from next again.
    becomeProbe(m.from());
    sendAppend(m.from());
    return;
  }
  if (m.index() <= pr.match) return;  // a stale acceptance
  pr.match = m.index();
  pr.next = std::max(pr.next, pr.match + 1);
  switch (f.state) {
    case Flow::State::kProbe:
      becomeReplicate(m.from());
      break;
    case Flow::State::kSnapshot:
      if (pr.match >= f.pending_snapshot) becomeReplicate(m.from());
      break;
    case Flow::State::kReplicate:
      f.sent = std::max(f.sent, pr.match);
      while (!f.inflight.empty() && f.inflight.front() <= pr.match) f.inflight.pop_front();
      break;
  }
  if (maybeCommit()) {
    bcastAppend();  // tell everyone the new commit index
  }
  // Fill the window: more than one append when max_entries_per_append splits the backlog.
  while (maybeSendAppend(m.from(), false)) {
  }
}

void Raft::handleHeartbeatResponse(const Message& m) {
  const uint64_t from = m.from();
  Flow& f = flow_[from];
  const uint64_t match = prs[from].match;
  if (match >= raft_log.LastIndex()) return;
  switch (f.state) {
    case Flow::State::kProbe:
      // A follower that is behind catches up on the heartbeat's round trip.
      sendAppend(from);
      break;
    case Flow::State::kReplicate:
      // Appends are in flight: resend from match + 1 only if nothing was acknowledged since
      // the last heartbeat response (something was lost), or the window is full.
      if (match == f.hb_match || f.inflight.size() >= kMaxInflight) retransmit(from);
      f.hb_match = match;
      break;
    case Flow::State::kSnapshot:
      // The follower answers heartbeats but has not acknowledged the snapshot for an
      // election timeout: it was lost (or dropped by the follower's store). Send it again.
      if (f.snapshot_ticks >= election_timeout) {
        becomeProbe(from);
        sendAppend(from);
      }
      break;
  }
}

void Raft::handleHeartbeat(const Message& m) {
  lead = m.from();
  election_elapsed = 0;
  if (m.commit() > raft_log.committed) {
    raft_log.committed = std::min(m.commit(), raft_log.LastIndex());
  }
  Message resp;
  resp.set_msg_type(eraftpb::MsgHeartbeatResponse);
  resp.set_to(m.from());
  send(std::move(resp));
}

void Raft::handleSnapshot(const Message& m) { handleSnapshot(m, nullptr); }

void Raft::handleSnapshot(const Message& m, Message* owned) {
  lead = m.from();
  election_elapsed = 0;
  const eraftpb::SnapshotMetadata& meta = m.snapshot().metadata();
  Message resp;
  resp.set_msg_type(eraftpb::MsgAppendResponse);
  resp.set_to(m.from());
  if (meta.index() <= raft_log.committed) {
    // Old news: we already have (and committed) everything it holds.
    resp.set_index(raft_log.committed);
    send(std::move(resp));
    return;
  }
  Result<uint64_t> have = raft_log.Term(meta.index());
  if (have.ok() && have.value() == meta.term()) {
    // Our log already holds the snapshot's last entry (the snapshot came late: appends
    // overtook it). The entries after it may already be acknowledged to the leader and
    // counted for commitment; dropping them could lose a committed entry. Keep the log and
    // only learn that everything up to the snapshot is committed.
    raft_log.committed = meta.index();
    resp.set_index(raft_log.committed);
    send(std::move(resp));
    return;
  }
  raft_log.restore(owned != nullptr ? std::move(*owned->mutable_snapshot()) : m.snapshot());
  // `meta` may have moved into the log with the snapshot: read it from there.
  const eraftpb::ConfState& conf = raft_log.pending_snapshot.metadata().conf_state();
  if (conf.nodes_size() > 0) {
    prs.clear();
    for (uint64_t node : conf.nodes()) {
      prs[node] = Progress{0, raft_log.LastIndex() + 1};
    }
  }
  log_->info("restored snapshot at {} (term {})", raft_log.pending_snapshot.metadata().index(),
             raft_log.pending_snapshot.metadata().term());
  resp.set_index(raft_log.LastIndex());
  send(std::move(resp));
}

void Raft::addNode(uint64_t node) {
  if (prs.count(node) == 0) prs[node] = Progress{0, raft_log.LastIndex() + 1};
}

void Raft::removeNode(uint64_t node) {
  prs.erase(node);
  flow_.erase(node);
  if (state == StateType::kLeader && maybeCommit()) bcastAppend();
}

}  // namespace raft
